#include "domain/cycle_rules.h"

#include <limits>
#include <string>

namespace shg {
namespace {

struct Transition {
  CycleState from;
  CycleEvent event;
  CycleState to;
};

// The table of cycle_rules.h, line for line.
constexpr Transition kTransitions[] = {
    {CycleState::kPlanned, CycleEvent::kStart, CycleState::kActive},
    {CycleState::kPlanned, CycleEvent::kCancel, CycleState::kClosed},
    {CycleState::kActive, CycleEvent::kBeginClose, CycleState::kClosing},
    {CycleState::kClosing, CycleEvent::kReopen, CycleState::kActive},
    {CycleState::kClosing, CycleEvent::kShareOut, CycleState::kSharedOut},
    {CycleState::kSharedOut, CycleEvent::kClose, CycleState::kClosed},
};

constexpr const char* kStateNames[] = {"planned", "active", "closing", "shared_out", "closed"};
constexpr const char* kEventNames[] = {"start", "cancel", "begin_close", "reopen", "share_out",
                                       "close"};

}  // namespace

const char* CycleStateName(CycleState s) { return kStateNames[static_cast<int>(s)]; }
const char* CycleEventName(CycleEvent e) { return kEventNames[static_cast<int>(e)]; }

std::optional<CycleState> ParseCycleState(std::string_view s) {
  for (int i = 0; i < 5; ++i) {
    if (s == kStateNames[i]) return static_cast<CycleState>(i);
  }
  return std::nullopt;
}

Result<CycleState> NextCycleState(CycleState from, CycleEvent event) {
  for (const Transition& t : kTransitions) {
    if (t.from == from && t.event == event) return t.to;
  }
  return Status::FailedPrecondition(std::string("a ") + CycleStateName(from) +
                                    " cycle cannot " + CycleEventName(event));
}

Status ValidateCycleRules(const CycleRules& r, int64_t minor_per_unit) {
  if (r.loan_savings_multiple < 1 || r.loan_savings_multiple > 10) {
    return Status::InvalidArgument("loan_savings_multiple: 1 to 10");
  }
  if (r.max_term_months < 1 || r.max_term_months > 3) {
    return Status::InvalidArgument("max_term_months: 1 to 3");
  }
  if (r.flat_rate_bp_per_month < 0 || r.flat_rate_bp_per_month > 2000) {
    return Status::InvalidArgument("flat_rate_bp_per_month: 0 to 2000 (20% a month)");
  }
  if (r.social_fund_per_meeting < 0) {
    return Status::InvalidArgument("social_fund_per_meeting: zero or more");
  }
  if (minor_per_unit < 1 || r.share_out_unit < minor_per_unit ||
      r.share_out_unit % minor_per_unit != 0) {
    return Status::InvalidArgument("share_out_unit: a whole number of currency units");
  }
  if (r.length_months < 1 || r.length_months > 24) {
    return Status::InvalidArgument("length_months: 1 to 24");
  }
  return Status::Ok();
}

int64_t InternalLoanCap(const CycleRules& r, int64_t her_savings, int64_t fund_available) {
  if (!r.lends || her_savings <= 0 || fund_available <= 0) return 0;
  int64_t by_savings = 0;
  if (__builtin_mul_overflow(her_savings, r.loan_savings_multiple, &by_savings)) {
    by_savings = std::numeric_limits<int64_t>::max();
  }
  return by_savings < fund_available ? by_savings : fund_available;
}

Result<int64_t> FlatInterest(const CycleRules& r, int64_t principal, int term_months) {
  if (principal < 1) return Status::InvalidArgument("amount: at least one minor unit");
  if (term_months < 1 || term_months > r.max_term_months) {
    return Status::InvalidArgument("term_months: 1 to " + std::to_string(r.max_term_months));
  }
  const __int128 scaled =
      static_cast<__int128>(principal) * r.flat_rate_bp_per_month * term_months;
  const __int128 interest = (scaled + 5000) / 10000;  // half up
  if (interest > std::numeric_limits<int64_t>::max()) {
    return Status::InvalidArgument("amount: too large");
  }
  return static_cast<int64_t>(interest);
}

}  // namespace shg
