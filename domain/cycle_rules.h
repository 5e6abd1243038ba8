// Cycle rules: the savings-cycle state machine and the rules a cycle is
// opened with (spec/domain.md, "Cycle"). Pure functions over values: no
// store, no clock, no I/O. Thread-safe (no shared mutable state).
//
// ---------------------------------------------------------------------------
// STATE MACHINE
//
//   planned --start--> active --begin_close--> closing --share_out--> shared_out --close--> closed
//      |                                          |
//      +--cancel--> closed                        +--reopen--> active
//
// Transitions (from, event -> to); every other (state, event) pair is
// refused with FailedPrecondition:
//   planned     start        -> active      staff start it (its start date reached)
//   planned     cancel       -> closed      never started: nothing belongs to it
//   active      begin_close  -> closing     staff close it: no new loans from now
//   closing     reopen       -> active      closed too early (before the share-out)
//   closing     share_out    -> shared_out  an officer confirmed the share-out journal
//   shared_out  close        -> closed      the next cycle took the carried residual
//
// State invariants:
//   planned     rules fixed; no savings, loans, fines or contributions yet.
//   active      the group's one open cycle: savings, loans (when it lends),
//               fines and social-fund contributions are recorded in it.
//   closing     still the open cycle; takes repayments, savings and fines,
//               but no new internal loans; the share-out can be previewed.
//   shared_out  one balanced share-out journal is posted: its savings and
//               income accounts are zero; the social fund is untouched.
//   closed      final.
// A group has at most one cycle in planned, active or closing at a time.
// ---------------------------------------------------------------------------
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "domain/result.h"

namespace shg {

enum class CycleState { kPlanned, kActive, kClosing, kSharedOut, kClosed };
enum class CycleEvent { kStart, kCancel, kBeginClose, kReopen, kShareOut, kClose };

const char* CycleStateName(CycleState s);  // "planned", "active", ...
std::optional<CycleState> ParseCycleState(std::string_view s);
const char* CycleEventName(CycleEvent e);  // "start", "begin_close", ...

// The state after `event`, or FailedPrecondition naming both.
Result<CycleState> NextCycleState(CycleState from, CycleEvent event);

// The group's open cycle (the one that takes savings): planned, active or closing.
inline bool IsOpenCycle(CycleState s) {
  return s == CycleState::kPlanned || s == CycleState::kActive || s == CycleState::kClosing;
}
// Whether a new internal loan may be approved from the group fund.
inline bool CycleLends(CycleState s) { return s == CycleState::kActive; }

// What a cycle is opened with. Amounts are minor units of the group's
// currency; rates are basis points.
struct CycleRules {
  bool lends = false;                // internal loans from the group fund
  int64_t loan_savings_multiple = 3;  // a loan is at most this times her savings,
                                      // and never more than the fund has
  int max_term_months = 3;            // 1..3
  int64_t flat_rate_bp_per_month = 1000;  // flat interest per month, 0..2000 (20%)
  int64_t social_fund_per_meeting = 0;    // each member's contribution, >= 0
  int64_t share_out_unit = 100;           // e.g. 100 = whole shillings of KES
  int length_months = 12;                 // planned length, 1..24
};

// InvalidArgument "<field>: ..." for a rule out of range. `minor_per_unit`
// is the currency's minor units per whole unit (100 for KES, 1 for UGX):
// the share-out unit must be a whole number of currency units.
Status ValidateCycleRules(const CycleRules& rules, int64_t minor_per_unit);

// The most she may borrow from the fund: her savings times the multiple,
// capped by what the fund holds; 0 when the cycle does not lend. Saturates
// instead of overflowing.
int64_t InternalLoanCap(const CycleRules& rules, int64_t her_savings, int64_t fund_available);

// Flat interest of an internal loan: principal * rate per month * months,
// in minor units, rounded half up (KES 3,000 at 10% a month for 2 months:
// KES 600). The schedule then spreads principal and interest over
// whole-unit instalments.
// InvalidArgument for a term outside 1..max_term_months or a principal < 1.
// With validated rules (at most 20% a month, 3 months) it never overflows.
Result<int64_t> FlatInterest(const CycleRules& rules, int64_t principal, int term_months);

}  // namespace shg
