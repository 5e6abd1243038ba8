// Loan repayment schedules: pure, exact integer arithmetic (no floating
// point). Thread-safe (pure functions, no shared state).
//
// Contract of BuildSchedule:
// - `principal` minor units repaid in `term_months` monthly instalments,
//   numbered 1..term_months. Every amount is int64 minor units of
//   `currency`. A member pays from a phone in whole currency units, so every
//   instalment total and every interest part is a whole unit (U = 10^exponent
//   minor units: 100 for KES/TZS/INR, 1 for UGX/RWF, where nothing changes
//   from minor-unit rounding). All rounding is half-up on exact rationals
//   (__int128 intermediates).
// - Totals are level: instalments 1..n-1 all have the same total L (a whole
//   number of units); the last one takes the difference. If the principal
//   itself is not whole (a partner may approve any minor amount), the last
//   instalment also carries that fraction of a unit; it is then the only
//   total that is not whole. Sum of principal parts == principal exactly;
//   sum of interest parts == the interest the disbursement posts; every part
//   is >= 0 and every total > 0.
// - kFlat: total interest I = round(principal * rate_bp * term / 12 / 10000)
//   to whole units; level L = round((principal + I) / term) to whole units
//   (half-up); last = principal + I - (term-1)*L, so |last - L| <= term/2
//   units. If that would leave the last instalment no principal (tiny loans
//   over many months), L is rounded down instead and the last is larger:
//   L <= last < L + term units. Interest is spread evenly by cumulative
//   rounding in whole units (interest_k = round(I*k/n) - round(I*(k-1)/n)),
//   principal_k = total_k - interest_k. E.g. KES 10,000, 6 months, 18%:
//   I = 900, 10,900 / 6 = 1,816.67 -> 5 x 1,817 and a last of 1,815; 150
//   interest a month.
// - kDeclining: annuity on the reducing balance at monthly rate
//   rate_bp / 12 / 10000. Each month interest = round(balance * monthly
//   rate) to whole units (the balance stays whole); principal part =
//   L - interest. L is the smallest whole-unit level payment with which
//   term_months payments repay the loan (found by binary search over an
//   exact simulation); the last instalment is the remaining balance plus its
//   interest, so 0 < last <= L. If L would repay the loan before the last
//   instalment (small payments over long terms), L - 1 unit is used and the
//   last instalment is larger than the others instead. E.g. KES 10,000,
//   6 months, 18%: 5 x 1,756 and a last of 1,751 (interest 531).
// - Rate 0 gives zero interest for both rules.
// - Due dates: instalment k is due k calendar months after `disbursed_at`
//   (UTC), on the disbursement's ORIGINAL day of month, clamped to the last
//   day of shorter months (31 Jan -> 28/29 Feb -> 31 Mar -> 30 Apr), at the
//   disbursement's time of day.
// - InvalidArgument (message names the field) for: principal <= 0 or above
//   kMaxLoanPrincipal; term_months outside 1..60; annual_rate_bp outside
//   0..kMaxLoanRateBp (0..kMaxGroupLoanRateBp for a group loan, which must
//   be flat); currency exponent outside 0..4; disbursed_at outside
//   [0, 9999-12-31]; principal < term_months whole units (less than one
//   unit of principal per instalment).
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
inline constexpr int64_t kMaxLoanRateBp = 10000;  // 100% a year: an MFI partner's loan
// An internal group loan: flat, at most 20% a month (cycle_rules.h), i.e.
// 240% a year. Principal plus its largest interest stays inside int64.
inline constexpr int64_t kMaxGroupLoanRateBp = 24000;

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
  // An internal loan from the group's fund (loans.source 'group'): the rate
  // may go up to kMaxGroupLoanRateBp, and only with the flat rule.
  bool group_loan = false;
};

struct Instalment {
  int number = 0;         // 1-based
  int64_t due_at = 0;     // Unix seconds, UTC
  int64_t principal = 0;  // minor units
  int64_t interest = 0;   // minor units
  int64_t total = 0;      // principal + interest
};

Result<std::vector<Instalment>> BuildSchedule(const LoanTerms& terms);

// What a loan costs her, as she sees it before consenting. Computed from
// BuildSchedule itself, so the quote and the schedule at disbursement (same
// terms) cannot disagree. Amounts in minor units.
struct LoanQuote {
  int64_t principal = 0;
  int term_months = 0;
  // The level (first) instalment: whole units, except for a one-month loan
  // of a principal that is not whole (then it is also the last).
  int64_t instalment = 0;
  int64_t last_instalment = 0;  // == instalment for a one-month loan
  int64_t total_repay = 0;      // sum of the totals == principal + total_interest
  int64_t total_interest = 0;   // sum of the interest parts
  int64_t annual_rate_bp = 0;
  InterestRule rule = InterestRule::kFlat;
  bool group_loan = false;  // LoanTerms::group_loan (shown as a rate per month)
};
// The quote of `terms` (disbursed_at only has to be valid). The errors of
// BuildSchedule.
Result<LoanQuote> QuoteLoan(const LoanTerms& terms);

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
