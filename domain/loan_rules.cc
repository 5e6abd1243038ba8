#include "domain/loan_rules.h"

#include <algorithm>
#include <limits>

#include "domain/civil_date.h"

namespace shg {
namespace {

struct Transition {
  LoanState from;
  LoanEvent event;
  LoanState to;
};

// The transition list of the header, verbatim.
constexpr Transition kTransitions[] = {
    {LoanState::kRequested, LoanEvent::kGroupApprove, LoanState::kGroupApproved},
    {LoanState::kRequested, LoanEvent::kGroupDecline, LoanState::kDeclined},
    {LoanState::kRequested, LoanEvent::kMemberCancel, LoanState::kCancelled},
    {LoanState::kRequested, LoanEvent::kExpire, LoanState::kExpired},
    {LoanState::kGroupApproved, LoanEvent::kRefer, LoanState::kReferredToMfi},
    {LoanState::kGroupApproved, LoanEvent::kApproveInternal, LoanState::kApproved},
    {LoanState::kGroupApproved, LoanEvent::kMemberCancel, LoanState::kCancelled},
    {LoanState::kGroupApproved, LoanEvent::kExpire, LoanState::kExpired},
    {LoanState::kReferredToMfi, LoanEvent::kMfiApprove, LoanState::kApproved},
    {LoanState::kReferredToMfi, LoanEvent::kMfiDecline, LoanState::kDeclined},
    {LoanState::kReferredToMfi, LoanEvent::kExpire, LoanState::kExpired},
    {LoanState::kApproved, LoanEvent::kDisburse, LoanState::kDisbursed},
    {LoanState::kDisbursed, LoanEvent::kFallOverdue, LoanState::kInArrears},
    {LoanState::kDisbursed, LoanEvent::kRepayInFull, LoanState::kRepaid},
    {LoanState::kInArrears, LoanEvent::kCatchUp, LoanState::kDisbursed},
    {LoanState::kInArrears, LoanEvent::kRepayInFull, LoanState::kRepaid},
    {LoanState::kInArrears, LoanEvent::kWriteOff, LoanState::kWrittenOff},
};

constexpr const char* kStateNames[kLoanStateCount] = {
    "requested", "group_approved", "referred_to_mfi", "approved", "disbursed", "in_arrears",
    "repaid",    "declined",       "cancelled",       "expired",  "written_off"};

constexpr const char* kEventNames[kLoanEventCount] = {
    "group_approve", "group_decline", "refer",         "approve_internal", "mfi_approve",
    "mfi_decline",   "disburse",      "fall_overdue",  "catch_up",         "repay_in_full",
    "member_cancel", "expire",        "write_off"};

}  // namespace

Result<LoanState> NextState(LoanState from, LoanEvent e) {
  for (const Transition& t : kTransitions) {
    if (t.from == from && t.event == e) return t.to;
  }
  return Status::FailedPrecondition(std::string("loan event ") + LoanEventName(e) +
                                    " not allowed in state " + LoanStateName(from));
}

const char* LoanStateName(LoanState s) {
  const int i = static_cast<int>(s);
  return i >= 0 && i < kLoanStateCount ? kStateNames[i] : "unknown";
}

std::optional<LoanState> ParseLoanState(std::string_view name) {
  for (int i = 0; i < kLoanStateCount; ++i) {
    if (name == kStateNames[i]) return static_cast<LoanState>(i);
  }
  return std::nullopt;
}

const char* LoanEventName(LoanEvent e) {
  const int i = static_cast<int>(e);
  return i >= 0 && i < kLoanEventCount ? kEventNames[i] : "unknown";
}

std::optional<LoanEvent> ParseLoanEvent(std::string_view name) {
  for (int i = 0; i < kLoanEventCount; ++i) {
    if (name == kEventNames[i]) return static_cast<LoanEvent>(i);
  }
  return std::nullopt;
}

bool IsOpen(LoanState s) {
  switch (s) {
    case LoanState::kRequested:
    case LoanState::kGroupApproved:
    case LoanState::kReferredToMfi:
    case LoanState::kApproved:
    case LoanState::kDisbursed:
    case LoanState::kInArrears:
      return true;
    case LoanState::kRepaid:
    case LoanState::kDeclined:
    case LoanState::kCancelled:
    case LoanState::kExpired:
    case LoanState::kWrittenOff:
      return false;
  }
  return false;
}

bool IsFinal(LoanState s) {
  const int i = static_cast<int>(s);
  return i >= 0 && i < kLoanStateCount && !IsOpen(s);
}

const char* IneligibleName(Ineligible r) {
  switch (r) {
    case Ineligible::kNone: return "none";
    case Ineligible::kInactive: return "inactive";
    case Ineligible::kNotTrained: return "not_trained";
    case Ineligible::kTooNew: return "too_new";
    case Ineligible::kTooFewSavings: return "too_few_savings";
    case Ineligible::kInArrears: return "in_arrears";
    case Ineligible::kRequestOpen: return "request_open";
    case Ineligible::kPreviousLoanNotRepaid: return "previous_loan_not_repaid";
    case Ineligible::kAmountAboveLimit: return "amount_above_limit";
    case Ineligible::kAmountBelowMinimum: return "amount_below_minimum";
    case Ineligible::kPurposeNotAllowed: return "purpose_not_allowed";
    case Ineligible::kNoConsent: return "no_consent";
  }
  return "unknown";
}

int CalendarMonthsBetween(int64_t from, int64_t to) {
  const CivilDate a = CivilDateOf(from);
  const CivilDate b = CivilDateOf(to);
  int64_t months = (b.year - a.year) * 12 + (b.month - a.month);
  if (months <= 0) return 0;
  // a + months lands in b's month, day clamped; one month less if that is after b.
  const int landed_day = std::min(a.day, DaysInMonth(b.year, b.month));
  if (landed_day > b.day) --months;
  return static_cast<int>(std::min<int64_t>(months, std::numeric_limits<int>::max()));
}

int64_t MaxLoanAmount(const LoanPolicy& policy, const EligibilityFacts& facts) {
  if (policy.savings_multiple <= 0 || facts.confirmed_savings_total <= 0 ||
      facts.product_max <= 0) {
    return 0;
  }
  int64_t limit;
  if (__builtin_mul_overflow(policy.savings_multiple, facts.confirmed_savings_total, &limit)) {
    limit = std::numeric_limits<int64_t>::max();  // both positive: saturate upwards
  }
  limit = std::min(limit, facts.product_max);
  return limit < facts.product_min ? 0 : limit;
}

Ineligible CheckEligibility(const LoanPolicy& policy, const EligibilityFacts& facts) {
  if (!facts.member_active) return Ineligible::kInactive;
  if (!facts.trained) return Ineligible::kNotTrained;
  if (CalendarMonthsBetween(facts.joined_at, facts.now) < policy.min_months) {
    return Ineligible::kTooNew;
  }
  if (facts.confirmed_savings_count < policy.min_confirmed_savings) {
    return Ineligible::kTooFewSavings;
  }
  const std::optional<LoanState> prev = facts.previous_loan_state;
  if (facts.has_loan_in_arrears || prev == LoanState::kInArrears) return Ineligible::kInArrears;
  if (facts.has_open_request || prev == LoanState::kRequested ||
      prev == LoanState::kGroupApproved || prev == LoanState::kReferredToMfi ||
      prev == LoanState::kApproved) {
    return Ineligible::kRequestOpen;
  }
  if ((prev == LoanState::kDisbursed && !policy.allow_topup) || prev == LoanState::kWrittenOff) {
    return Ineligible::kPreviousLoanNotRepaid;
  }
  if (MaxLoanAmount(policy, facts) == 0) return Ineligible::kAmountBelowMinimum;
  return Ineligible::kNone;
}

Ineligible CheckRequest(const LoanPolicy& policy, const EligibilityFacts& facts, int64_t amount,
                        std::string_view purpose_id,
                        const std::vector<std::string>& allowed_purposes, bool consent) {
  const Ineligible base = CheckEligibility(policy, facts);
  if (base != Ineligible::kNone) return base;
  if (amount > MaxLoanAmount(policy, facts)) return Ineligible::kAmountAboveLimit;
  if (amount <= 0 || amount < facts.product_min) return Ineligible::kAmountBelowMinimum;
  if (std::find(allowed_purposes.begin(), allowed_purposes.end(), purpose_id) ==
      allowed_purposes.end()) {
    return Ineligible::kPurposeNotAllowed;
  }
  if (!consent) return Ineligible::kNoConsent;
  return Ineligible::kNone;
}

// ------------------------------------------------------ internal group loans

int64_t InternalLoanLimit(const GroupFundFacts& f) {
  if (!f.programme_allows || !f.has_cycle || !CycleLends(f.cycle_state) || !f.rules.lends) {
    return 0;
  }
  return InternalLoanCap(f.rules, f.her_savings, f.fund_available);
}

std::vector<int> InternalLoanTerms(const GroupFundFacts& f) {
  std::vector<int> out;
  if (InternalLoanLimit(f) <= 0) return out;
  for (int m = 1; m <= f.rules.max_term_months; ++m) out.push_back(m);
  return out;
}

bool InternalLoanApplies(const GroupFundFacts& f, int64_t amount, int term_months) {
  return amount > 0 && amount <= InternalLoanLimit(f) && term_months >= 1 &&
         term_months <= f.rules.max_term_months;
}

}  // namespace shg
