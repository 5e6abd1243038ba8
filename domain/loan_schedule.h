// Loan repayment schedules: pure, exact integer arithmetic (no floating
// point). Thread-safe (pure functions, no shared state).
//
// Contract of BuildSchedule:
// - `principal` minor units repaid in `term_months` monthly instalments,
//   numbered 1..term_months. Every amount is int64 minor units of
//   `currency`; interest is rounded to 1 minor unit, which is the smallest
//   unit actually used (whole shillings for UGX/RWF, cents for KES/TZS/INR).
//   All rounding is half-up on exact rationals (__int128 intermediates).
// - Totals are level: instalments 1..n-1 all have the same total; the last
//   one absorbs the rounding remainder (it may differ by a few minor units).
//   Sum of principal parts == principal exactly; every part is >= 0.
// - kFlat: total interest I = round(principal * rate_bp * term / 12 / 10000);
//   level total L = round((principal + I) / term); last = principal + I -
//   (term-1)*L (if that would leave the last instalment no principal, as
//   with a few minor units over many months, L = floor instead). Interest is spread evenly by cumulative rounding
//   (interest_k = round(I*k/n) - round(I*(k-1)/n)), principal_k = total_k -
//   interest_k. E.g. KES 10,000.00, 6 months, 18%: I = 900.00, 5 x 1,816.67
//   and a last of 1,816.65 (sum 10,900.00).
// - kDeclining: annuity on the reducing balance at monthly rate
//   rate_bp / 12 / 10000. Each month interest = round(balance * monthly
//   rate); principal part = L - interest. L is the smallest level payment
//   with which term_months payments repay the loan (found by binary search
//   over an exact simulation); the last instalment is the remaining balance
//   plus its interest, so it is <= L. If L would repay the loan before the
//   last instalment (small payments over long terms), L - 1 is used and the
//   last instalment is larger than the others instead.
// - Rate 0 gives zero interest for both rules.
// - Due dates: instalment k is due k calendar months after `disbursed_at`
//   (UTC), on the disbursement's ORIGINAL day of month, clamped to the last
//   day of shorter months (31 Jan -> 28/29 Feb -> 31 Mar -> 30 Apr), at the
//   disbursement's time of day.
// - InvalidArgument (message names the field) for: principal <= 0 or above
//   kMaxLoanPrincipal; term_months outside 1..60; annual_rate_bp outside
//   0..10000; currency exponent outside 0..4; disbursed_at outside
//   [0, 9999-12-31]; principal < term_months (less than one minor unit of
//   principal per instalment).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "domain/money.h"
#include "domain/result.h"

namespace shg {

// Keeps principal plus the largest possible interest (5x at 100% over 60
// months) far inside int64.
inline constexpr int64_t kMaxLoanPrincipal = 1'000'000'000'000'000;  // 10^15 minor units
inline constexpr int kMaxLoanTermMonths = 60;
inline constexpr int64_t kMaxLoanRateBp = 10000;  // 100% a year

enum class InterestRule { kFlat, kDeclining };
// "flat" / "declining", as stored and as partners and staff write it.
const char* InterestRuleName(InterestRule rule);

struct LoanTerms {
  int64_t principal = 0;       // minor units, > 0
  int term_months = 0;         // 1..60
  int64_t annual_rate_bp = 0;  // basis points per year: 1800 = 18%
  InterestRule rule = InterestRule::kFlat;
  Currency currency;
  int64_t disbursed_at = 0;  // Unix seconds, UTC
};

struct Instalment {
  int number = 0;         // 1-based
  int64_t due_at = 0;     // Unix seconds, UTC
  int64_t principal = 0;  // minor units
  int64_t interest = 0;   // minor units
  int64_t total = 0;      // principal + interest
};

Result<std::vector<Instalment>> BuildSchedule(const LoanTerms& terms);

struct ScheduleStatus {
  int64_t outstanding = 0;  // sum of totals minus repaid, never below 0
  int64_t overdue = 0;      // unpaid part of instalments with due_at < now
  // The first instalment not fully paid, with principal/interest/total
  // reduced to what is still owed on it (a partial payment on an instalment
  // covers its interest first). nullopt when everything is paid.
  std::optional<Instalment> next_due;
  int instalments_paid = 0;  // instalments fully covered
};

// Allocates `repaid_total` (minor units; negative is treated as 0) to the
// instalments of `schedule` in order. Overpayment beyond the schedule's
// total is ignored (outstanding 0, all instalments paid). An instalment is
// overdue when its due_at is strictly before `now` (grace periods are the
// caller's business).
ScheduleStatus StatusAfter(const std::vector<Instalment>& schedule, int64_t repaid_total,
                           int64_t now);

}  // namespace shg
