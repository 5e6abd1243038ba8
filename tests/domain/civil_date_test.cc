// Calendar arithmetic shared by loan seniority, due dates and provider
// timestamps: known dates, leap rules, and the round trip over centuries.
#include "domain/civil_date.h"

#include <gtest/gtest.h>

namespace shg {
namespace {

struct DateCase {
  int64_t days;  // since 1970-01-01
  int64_t year;
  int month;
  int day;
};

TEST(CivilDateTest, KnownDates) {
  const DateCase cases[] = {
      {0, 1970, 1, 1},         {-1, 1969, 12, 31},    {59, 1970, 3, 1},
      {10957, 2000, 1, 1},     {11016, 2000, 2, 29},  {20784, 2026, 11, 27},
      {-719468, 0, 3, 1},      {2932896, 9999, 12, 31},
  };
  for (const DateCase& c : cases) {
    EXPECT_EQ(DaysFromCivil(c.year, c.month, c.day), c.days) << c.year << "-" << c.month;
    const CivilDate d = CivilFromDays(c.days);
    EXPECT_EQ(d.year, c.year) << c.days;
    EXPECT_EQ(d.month, c.month) << c.days;
    EXPECT_EQ(d.day, c.day) << c.days;
  }
}

TEST(CivilDateTest, LeapYearsAndMonthLengths) {
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_TRUE(IsLeapYear(2028));
  EXPECT_FALSE(IsLeapYear(1900));
  EXPECT_FALSE(IsLeapYear(2026));
  EXPECT_EQ(DaysInMonth(2028, 2), 29);
  EXPECT_EQ(DaysInMonth(2026, 2), 28);
  EXPECT_EQ(DaysInMonth(2026, 4), 30);
  EXPECT_EQ(DaysInMonth(2026, 12), 31);
}

TEST(CivilDateTest, RoundTripsEveryDayOverFourCenturies) {
  for (int64_t days = -146097; days <= 146097; ++days) {
    const CivilDate d = CivilFromDays(days);
    ASSERT_GE(d.day, 1);
    ASSERT_LE(d.day, DaysInMonth(d.year, d.month));
    ASSERT_EQ(DaysFromCivil(d.year, d.month, d.day), days);
  }
}

TEST(CivilDateTest, UnixTimesLandOnTheirUtcDay) {
  const CivilDate late = CivilDateOf(1795823999);  // 2026-11-27 23:59:59 UTC
  EXPECT_EQ(late.day, 27);
  const CivilDate before_epoch = CivilDateOf(-1);  // 1969-12-31 23:59:59
  EXPECT_EQ(before_epoch.year, 1969);
  EXPECT_EQ(before_epoch.day, 31);
}

}  // namespace
}  // namespace shg
