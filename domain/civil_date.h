// Proleptic Gregorian calendar arithmetic on UTC days (Howard Hinnant's
// civil-date algorithms): exact integer code with no time zone and no libc,
// shared by loan seniority, repayment due dates and providers' timestamps.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>

namespace shg {

struct CivilDate {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

bool IsLeapYear(int64_t year);
// Days in `month` (1..12, REQUIRED) of `year`.
int DaysInMonth(int64_t year, int month);
// Days since 1970-01-01 of a date (negative before it). The date is not
// checked: callers validate month and day first.
int64_t DaysFromCivil(int64_t year, int month, int day);
// The date of a day count since 1970-01-01 (the inverse).
CivilDate CivilFromDays(int64_t days);
// The UTC date of a Unix time (floor: times before 1970 land on their day).
CivilDate CivilDateOf(int64_t unix_seconds);
// `t` (Unix seconds, >= 0) plus `months` calendar months, keeping the day of
// month (clamped to the target month's last day: 31 Jan + 1 = 28/29 Feb)
// and the time of day.
int64_t AddCalendarMonths(int64_t t, int months);

}  // namespace shg
