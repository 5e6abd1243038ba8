#include "domain/loan_schedule.h"

#include <algorithm>
#include <string>

#include "domain/civil_date.h"

namespace shg {
namespace {

using i128 = __int128;

constexpr int64_t kSecondsPerDay = 86400;
// 9999-12-31T23:59:59Z: keeps the civil-date arithmetic far from overflow.
constexpr int64_t kMaxDisbursedAt = 253402300799;
// 12 months * 10000 basis points.
constexpr int64_t kRateDenominator = 120000;

// Half-up rounding of num / den for num >= 0, den > 0.
i128 RoundHalfUp(i128 num, i128 den) { return (2 * num + den) / (2 * den); }

// `t` plus `months` calendar months, keeping the original day of month
// (clamped to the target month's last day) and the time of day. t >= 0.
int64_t AddMonths(int64_t t, int months) {
  const int64_t days = t / kSecondsPerDay;
  const int64_t time_of_day = t % kSecondsPerDay;
  const CivilDate date = CivilFromDays(days);
  const int64_t index = date.year * 12 + (date.month - 1) + months;
  const int64_t ny = index / 12;
  const int nm = static_cast<int>(index % 12) + 1;
  const int nd = std::min(date.day, DaysInMonth(ny, nm));
  return DaysFromCivil(ny, nm, nd) * kSecondsPerDay + time_of_day;
}

// One whole currency unit in minor units (10^exponent; exponent 0..4).
int64_t WholeUnit(const Currency& c) {
  int64_t unit = 1;
  for (int i = 0; i < c.exponent; ++i) unit *= 10;
  return unit;
}

// A month's interest on `balance`, rounded half-up to whole units of
// `unit` minor units (so a whole balance stays whole).
i128 MonthlyInterest(i128 balance, int64_t rate_bp, int64_t unit) {
  return unit * RoundHalfUp(balance * rate_bp, static_cast<i128>(kRateDenominator) * unit);
}

// Balance left after `n` level payments of `payment` on the reducing
// balance; stops as soon as the loan is repaid (result <= 0). Strictly
// decreasing in `payment` (balance + its rounded interest is non-decreasing
// in the balance), which makes the binary search valid.
i128 BalanceAfter(int64_t principal, int n, int64_t rate_bp, int64_t unit, i128 payment) {
  i128 balance = principal;
  for (int k = 0; k < n && balance > 0; ++k) {
    balance += MonthlyInterest(balance, rate_bp, unit) - payment;
  }
  return balance;
}

std::vector<Instalment> FlatParts(const LoanTerms& t, int64_t unit) {
  const int n = t.term_months;
  // Whole units: interest, the level and each month's interest share.
  const i128 interest_units = RoundHalfUp(static_cast<i128>(t.principal) * t.annual_rate_bp * n,
                                          static_cast<i128>(kRateDenominator) * unit);
  const i128 total = t.principal + interest_units * unit;
  // Cumulative rounding spreads the interest evenly, every share >= 0.
  auto interest_of = [&](int k) {
    return unit * (RoundHalfUp(interest_units * k, n) - RoundHalfUp(interest_units * (k - 1), n));
  };
  i128 level = unit * RoundHalfUp(total, static_cast<i128>(n) * unit);
  // Rounding the level up can leave the last instalment no principal when
  // the amounts are tiny; then round it down (the last absorbs the rest).
  // With principal >= n units the floor level is >= 1 unit and every part
  // stays >= 0 (interest_k <= ceil(I / n)).
  if (total - (n - 1) * level <= interest_of(n)) {
    level = unit * (total / (static_cast<i128>(n) * unit));
  }
  std::vector<Instalment> out;
  for (int k = 1; k <= n; ++k) {
    Instalment in;
    in.number = k;
    in.total = static_cast<int64_t>(k < n ? level : total - (n - 1) * level);
    in.interest = static_cast<int64_t>(interest_of(k));
    in.principal = in.total - in.interest;
    out.push_back(in);
  }
  return out;
}

std::vector<Instalment> DecliningParts(const LoanTerms& t, int64_t unit) {
  const int n = t.term_months;
  const int64_t rate = t.annual_rate_bp;
  // Binary search over whole-unit levels (in units): one payment of the
  // principal plus a month's interest, rounded up, always repays.
  int64_t lo = 1;
  int64_t hi = static_cast<int64_t>(
      (t.principal + MonthlyInterest(t.principal, rate, unit) + unit - 1) / unit);
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (BalanceAfter(t.principal, n, rate, unit, static_cast<i128>(mid) * unit) <= 0) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  // With small payments one unit more a month can repay the loan before
  // the last instalment; then pay one unit less and let the last
  // instalment absorb the larger remainder (L - 1 unit never repays early,
  // as L is the smallest whole level that repays within the term).
  i128 level = static_cast<i128>(lo) * unit;
  if (n > 1 && lo > 1 && BalanceAfter(t.principal, n - 1, rate, unit, level) <= 0) {
    level -= unit;
  }
  std::vector<Instalment> out;
  i128 balance = t.principal;
  for (int k = 1; k <= n; ++k) {
    Instalment in;
    in.number = k;
    in.interest = static_cast<int64_t>(balance > 0 ? MonthlyInterest(balance, rate, unit) : 0);
    in.principal = static_cast<int64_t>(k < n ? level - in.interest : balance);
    in.total = in.principal + in.interest;
    balance -= in.principal;
    out.push_back(in);
  }
  return out;
}

}  // namespace

const char* InterestRuleName(InterestRule rule) {
  return rule == InterestRule::kFlat ? "flat" : "declining";
}

Result<std::vector<Instalment>> BuildSchedule(const LoanTerms& terms) {
  if (terms.principal <= 0 || terms.principal > kMaxLoanPrincipal) {
    return Status::InvalidArgument("principal: must be > 0 and <= the maximum");
  }
  if (terms.term_months < 1 || terms.term_months > kMaxLoanTermMonths) {
    return Status::InvalidArgument("term_months: must be 1..60");
  }
  if (terms.group_loan) {
    if (terms.rule != InterestRule::kFlat) {
      return Status::InvalidArgument("rule: a group loan is flat");
    }
    if (terms.annual_rate_bp < 0 || terms.annual_rate_bp > kMaxGroupLoanRateBp) {
      return Status::InvalidArgument("annual_rate_bp: must be 0..24000 for a group loan");
    }
  } else if (terms.annual_rate_bp < 0 || terms.annual_rate_bp > kMaxLoanRateBp) {
    return Status::InvalidArgument("annual_rate_bp: must be 0..10000");
  }
  if (terms.currency.exponent < 0 || terms.currency.exponent > 4) {
    return Status::InvalidArgument("currency: exponent must be 0..4");
  }
  if (terms.disbursed_at < 0 || terms.disbursed_at > kMaxDisbursedAt) {
    return Status::InvalidArgument("disbursed_at: out of range");
  }
  const int64_t unit = WholeUnit(terms.currency);
  if (terms.principal / terms.term_months < unit) {
    return Status::InvalidArgument("principal: less than one whole unit per instalment");
  }
  std::vector<Instalment> out = terms.rule == InterestRule::kFlat ? FlatParts(terms, unit)
                                                                  : DecliningParts(terms, unit);
  // The rules above guarantee these invariants for principal >= term units;
  // the check keeps a bug from ever returning a wrong schedule.
  int64_t principal_sum = 0;
  for (Instalment& in : out) {
    // Whole-unit totals and interest; only the last carries the principal's
    // fraction of a unit.
    const int64_t fraction = in.number == terms.term_months ? terms.principal % unit : 0;
    if (in.total <= 0 || in.principal < 0 || in.interest < 0 || in.interest % unit != 0 ||
        in.total % unit != fraction) {
      return Status::Internal("loan schedule: invariant violated");
    }
    principal_sum += in.principal;
    in.due_at = AddMonths(terms.disbursed_at, in.number);
  }
  if (principal_sum != terms.principal) {
    return Status::Internal("loan schedule: principal parts do not add up");
  }
  return out;
}

Result<LoanQuote> QuoteLoan(const LoanTerms& terms) {
  Result<std::vector<Instalment>> schedule = BuildSchedule(terms);
  if (!schedule.ok()) return schedule.status();
  LoanQuote q;
  q.principal = terms.principal;
  q.term_months = terms.term_months;
  q.annual_rate_bp = terms.annual_rate_bp;
  q.rule = terms.rule;
  q.group_loan = terms.group_loan;
  q.instalment = schedule->front().total;
  q.last_instalment = schedule->back().total;
  for (const Instalment& in : *schedule) {
    q.total_repay += in.total;
    q.total_interest += in.interest;
  }
  return q;
}

ScheduleStatus StatusAfter(const std::vector<Instalment>& schedule, int64_t repaid_total,
                           int64_t now) {
  ScheduleStatus s;
  int64_t remaining = std::max<int64_t>(repaid_total, 0);
  for (const Instalment& in : schedule) {
    const int64_t paid_here = std::min(remaining, in.total);
    remaining -= paid_here;
    const int64_t owed = in.total - paid_here;
    if (owed == 0) {
      ++s.instalments_paid;
      continue;
    }
    s.outstanding += owed;
    if (in.due_at < now) s.overdue += owed;
    if (!s.next_due) {
      Instalment next = in;
      const int64_t to_interest = std::min(paid_here, in.interest);
      next.interest = in.interest - to_interest;
      next.principal = in.principal - (paid_here - to_interest);
      next.total = owed;
      s.next_due = next;
    }
  }
  return s;
}

}  // namespace shg
