// Amounts typed by staff (loans CLI, partner-demo, the fake partner's
// control endpoint): whole units with an exact fraction, never floating point.
#include "gateway/cli/amounts.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace shg::cli {
namespace {

const Currency kKes{"KES", 2};
const Currency kUgx{"UGX", 0};
constexpr int64_t kMax = 1'000'000'000'000'000;

TEST(ParseUnitsTest, AcceptsWholeUnitsAndExactFractions) {
  struct Case {
    const char* text;
    const Currency& currency;
    int64_t minor;
  } cases[] = {
      {"10000", kKes, 1000000},  {"1816.67", kKes, 181667},  {"1816.5", kKes, 181650},
      {"0.01", kKes, 1},         {"007", kKes, 700},         {"250000", kUgx, 250000},
      {"10000000000000", kKes, 1'000'000'000'000'000},
  };
  for (const Case& c : cases) {
    Result<int64_t> minor = ParseUnits(c.text, c.currency, kMax);
    ASSERT_TRUE(minor.ok()) << c.text << ": " << minor.status().ToString();
    EXPECT_EQ(*minor, c.minor) << c.text;
  }
}

TEST(ParseUnitsTest, RefusesAnythingInexactOrOutOfRange) {
  struct Case {
    const char* text;
    const Currency& currency;
    const char* why;
  } cases[] = {
      {"", kKes, "empty"},
      {"-5", kKes, "sign"},
      {"+5", kKes, "sign"},
      {"1,000", kKes, "separator"},
      {"1816.667", kKes, "three decimals for KES"},
      {"100.5", kUgx, "UGX has no fraction"},
      {"100.", kKes, "dot without digits"},
      {".50", kKes, "no whole part"},
      {"1.2.3", kKes, "two dots"},
      {"1e3", kKes, "exponent"},
      {"0", kKes, "zero"},
      {"0.00", kKes, "zero"},
      {"10000000000000.01", kKes, "above the maximum"},
      {"99999999999999999999999", kKes, "would overflow int64"},
      {" 5", kKes, "space"},
  };
  for (const Case& c : cases) {
    Result<int64_t> minor = ParseUnits(c.text, c.currency, kMax);
    EXPECT_FALSE(minor.ok()) << c.text << " (" << c.why << ")";
    if (!minor.ok()) {
      EXPECT_EQ(minor.status().code(), Status::Code::kInvalidArgument) << c.text;
    }
  }
  EXPECT_FALSE(ParseUnits("10", kKes, 999).ok());  // 1000 minor units > 999
  EXPECT_TRUE(ParseUnits("9.99", kKes, 999).ok());
  EXPECT_FALSE(ParseUnits("7", kUgx, 5).ok());  // a maximum below one digit's value
}

TEST(UnitsTextTest, IsWhatParseUnitsReadsBack) {
  EXPECT_EQ(UnitsText(181667, kKes), "1816.67");
  EXPECT_EQ(UnitsText(181650, kKes), "1816.50");
  EXPECT_EQ(UnitsText(181605, kKes), "1816.05");
  EXPECT_EQ(UnitsText(1000000, kKes), "10000");
  EXPECT_EQ(UnitsText(250000, kUgx), "250000");
  EXPECT_EQ(UnitsText(-550, kKes), "-5.50");
  EXPECT_EQ(UnitsText(INT64_MIN, kUgx), "-9223372036854775808");
  for (int64_t minor : {1, 99, 100, 181667, 123456789}) {
    EXPECT_EQ(*ParseUnits(UnitsText(minor, kKes), kKes, kMax), minor);
  }
}

TEST(MoneyTextTest, FormatsKnownCurrenciesAndShowsMinorUnitsOtherwise) {
  EXPECT_EQ(MoneyText(181667, "KES"), "KES 1,816.67");
  EXPECT_EQ(MoneyText(250000, "UGX"), "UGX 250,000");
  EXPECT_EQ(MoneyText(1234, "XXX"), "XXX 1234 (minor units)");
}

}  // namespace
}  // namespace shg::cli
