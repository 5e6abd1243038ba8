#include "domain/civil_date.h"

#include <algorithm>

namespace shg {

bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t yoe = year - era * 400;
  const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

CivilDate CivilDateOf(int64_t unix_seconds) {
  constexpr int64_t kDay = 86400;
  int64_t days = unix_seconds / kDay;
  if (unix_seconds % kDay < 0) --days;
  return CivilFromDays(days);
}

int64_t AddCalendarMonths(int64_t t, int months) {
  constexpr int64_t kSecondsPerDay = 86400;
  const int64_t days = t / kSecondsPerDay;
  const int64_t time_of_day = t % kSecondsPerDay;
  const CivilDate date = CivilFromDays(days);
  const int64_t index = date.year * 12 + (date.month - 1) + months;
  const int64_t year = index / 12;
  const int month = static_cast<int>(index % 12) + 1;
  const int day = std::min(date.day, DaysInMonth(year, month));
  return DaysFromCivil(year, month, day) * kSecondsPerDay + time_of_day;
}

}  // namespace shg
