// Loan rules: the loan state machine and the eligibility rules of
// spec/domain.md ("Loan lifecycle", "Repeat loans"). Pure functions over
// values: no SQLite, no clock, no I/O. Thread-safe (no shared mutable state).
//
// ---------------------------------------------------------------------------
// STATE MACHINE
//
//   requested --group_approve--> group_approved --refer--> referred_to_mfi
//       |                            |                         |
//       +--group_decline--> declined +--approve_internal-->    +--mfi_decline--> declined
//       |                            |      approved           +--mfi_approve--> approved
//       |                            |                         |
//       +--member_cancel--> cancelled+--member_cancel--> cancelled
//       |                            |                         |
//       +--expire--> expired         +--expire--> expired      +--expire--> expired
//
//   approved --disburse--> disbursed --repay_in_full--> repaid
//                             |   ^
//               fall_overdue  |   |  catch_up
//                             v   |
//                          in_arrears --repay_in_full--> repaid
//                             |
//                             +--write_off--> written_off
//
// Transitions (from, event -> to); every other (state, event) pair is
// refused with FailedPrecondition:
//   requested        group_approve     -> group_approved   chair/treasurer, never the requester
//   requested        group_decline     -> declined
//   requested        member_cancel     -> cancelled
//   requested        expire            -> expired          nobody acted in time
//   group_approved   refer             -> referred_to_mfi  referral sent to an MFI partner
//   group_approved   approve_internal  -> approved         internal group loan
//   group_approved   member_cancel     -> cancelled
//   group_approved   expire            -> expired
//   referred_to_mfi  mfi_approve       -> approved
//   referred_to_mfi  mfi_decline       -> declined
//   referred_to_mfi  expire            -> expired          partner never answered
//   approved         disburse          -> disbursed
//   disbursed        fall_overdue      -> in_arrears       overdue past the grace period
//   disbursed        repay_in_full     -> repaid
//   in_arrears       catch_up          -> disbursed        arrears cleared, loan still running
//   in_arrears       repay_in_full     -> repaid
//   in_arrears       write_off         -> written_off
//
// State invariants (what a record in the state has / may not have):
//   requested        a member's request (amount, purpose, term, consent); no
//                    ledger postings; awaiting the group.
//   group_approved   approved by the chair or treasurer (not the requester);
//                    no postings; source (internal / MFI) not yet decided.
//   referred_to_mfi  referral queued in the outbox to one partner; consent to
//                    share data is recorded; the member can no longer cancel.
//   approved         a lender (group or MFI) agreed; terms fixed; no postings.
//   disbursed        ("active") the disbursement is posted to the member's
//                    loan account; a schedule exists; no arrears.
//   in_arrears       disbursed, and an instalment is overdue past grace.
//   repaid           final: loan account balance is zero.
//   declined         final: never disbursed, no postings.
//   cancelled        final: withdrawn by the member before referral; no postings.
//   expired          final: nobody acted in time before approval; no postings.
//   written_off      final: the remaining balance was written off.
// ---------------------------------------------------------------------------
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/cycle_rules.h"
#include "domain/result.h"

namespace shg {

enum class LoanState {
  kRequested,
  kGroupApproved,
  kReferredToMfi,
  kApproved,
  kDisbursed,  // active / repaying
  kInArrears,
  kRepaid,
  kDeclined,
  kCancelled,
  kExpired,
  kWrittenOff,
};
inline constexpr int kLoanStateCount = 11;

enum class LoanEvent {
  kGroupApprove,
  kGroupDecline,
  kRefer,
  kApproveInternal,
  kMfiApprove,
  kMfiDecline,
  kDisburse,
  kFallOverdue,
  kCatchUp,
  kRepayInFull,
  kMemberCancel,
  kExpire,
  kWriteOff,
};
inline constexpr int kLoanEventCount = 13;

// The state after `e` in state `from`, or FailedPrecondition whose message
// names both (e.g. "loan event disburse not allowed in state requested").
Result<LoanState> NextState(LoanState from, LoanEvent e);

// Stable snake_case names ("requested", "group_approved", "referred_to_mfi",
// "approved", "disbursed", "in_arrears", "repaid", "declined", "cancelled",
// "expired", "written_off"), used in storage and logs. Parse is exact
// (case-sensitive); nullopt for anything else.
const char* LoanStateName(LoanState s);
std::optional<LoanState> ParseLoanState(std::string_view name);

// "group_approve", "group_decline", "refer", "approve_internal",
// "mfi_approve", "mfi_decline", "disburse", "fall_overdue", "catch_up",
// "repay_in_full", "member_cancel", "expire", "write_off".
const char* LoanEventName(LoanEvent e);
std::optional<LoanEvent> ParseLoanEvent(std::string_view name);

// Open: requested, group_approved, referred_to_mfi, approved, disbursed,
// in_arrears. Final: repaid, declined, cancelled, expired, written_off
// (no event leaves a final state). Exactly one of the two holds.
bool IsOpen(LoanState s);
bool IsFinal(LoanState s);

// ---------------------------------------------------------------------------
// ELIGIBILITY
// ---------------------------------------------------------------------------

// Programme settings (configuration). Amounts are integer minor units.
struct LoanPolicy {
  int min_months = 3;                // membership age, see CalendarMonthsBetween
  int min_confirmed_savings = 6;     // number of confirmed savings entries
  int64_t savings_multiple = 3;      // limit = multiple x confirmed savings total
  bool allow_topup = false;          // new request while repaying with no arrears
};

// What the store knows about the member at the time of the request.
// Times are Unix seconds (UTC); amounts integer minor units.
struct EligibilityFacts {
  bool member_active = false;
  bool trained = false;              // steps 1 and 2 completed
  int64_t joined_at = 0;
  int64_t now = 0;
  int confirmed_savings_count = 0;
  int64_t confirmed_savings_total = 0;
  bool has_loan_in_arrears = false;
  bool has_open_request = false;     // an open request not yet disbursed
  std::optional<LoanState> previous_loan_state;  // her most recent loan/request, if any
  int64_t product_min = 0;           // the partner product's bounds
  int64_t product_max = 0;
};

// Why a request is refused; kNone = eligible. Listed in check order.
enum class Ineligible {
  kNone,
  kInactive,
  kNotTrained,
  kTooNew,
  kTooFewSavings,
  kInArrears,
  kRequestOpen,
  kPreviousLoanNotRepaid,
  kAmountAboveLimit,
  kAmountBelowMinimum,
  kPurposeNotAllowed,
  kNoConsent,
};

// Stable snake_case keys: "none", "inactive", "not_trained", "too_new",
// "too_few_savings", "in_arrears", "request_open",
// "previous_loan_not_repaid", "amount_above_limit", "amount_below_minimum",
// "purpose_not_allowed", "no_consent". Message catalogue keys are
// "loan_err_<name>".
const char* IneligibleName(Ineligible r);

// Whole calendar months from `from` to `to` (Unix seconds, UTC dates; the
// time of day is ignored): the largest n >= 0 such that from's date plus n
// months is on or before to's date, where adding months keeps the day of
// month and clamps it to the target month's length (31 Jan + 1 month =
// 28/29 Feb). Examples: 27 Aug -> 26 Nov = 2, 27 Aug -> 27 Nov = 3,
// 31 Aug -> 30 Nov = 3, 31 Jan -> 28 Feb 2023 = 1. 0 when to < from.
int CalendarMonthsBetween(int64_t from, int64_t to);

// Before the amount is asked. Checks in this order (domain.md), the first
// failing one wins:
//   1. kInactive              !member_active
//   2. kNotTrained            !trained
//   3. kTooNew                CalendarMonthsBetween(joined_at, now) < min_months
//   4. kTooFewSavings         confirmed_savings_count < min_confirmed_savings
//   5. kInArrears             has_loan_in_arrears, or previous state in_arrears
//   6. kRequestOpen           has_open_request, or previous state is
//                             requested / group_approved / referred_to_mfi / approved
//   7. kPreviousLoanNotRepaid previous state disbursed (unless allow_topup)
//                             or written_off. repaid, declined, cancelled,
//                             expired or none: fine.
//   8. kAmountBelowMinimum    MaxLoanAmount() == 0: even the largest amount
//                             her savings allow is below the product minimum.
Ineligible CheckEligibility(const LoanPolicy& policy, const EligibilityFacts& facts);

// The limit shown on the amount screen: min(savings_multiple x
// confirmed_savings_total, product_max), computed without overflow
// (saturates); 0 when that is below product_min, or when the multiple,
// the total or product_max is not positive.
int64_t MaxLoanAmount(const LoanPolicy& policy, const EligibilityFacts& facts);

// The full request (after amount, purpose and consent screens). Checks
// CheckEligibility first, then, in order:
//   kAmountAboveLimit     amount > MaxLoanAmount
//   kAmountBelowMinimum   amount < product_min, or amount <= 0
//   kPurposeNotAllowed    purpose_id not exactly one of allowed_purposes
//   kNoConsent            !consent (data sharing with the MFI)
Ineligible CheckRequest(const LoanPolicy& policy, const EligibilityFacts& facts, int64_t amount,
                        std::string_view purpose_id,
                        const std::vector<std::string>& allowed_purposes, bool consent);

// ---------------------------------------------------------------------------
// INTERNAL GROUP LOANS (spec/domain.md "Source"): a request the group's fund
// can cover may be lent from it, under the rules of the group's cycle.
// ---------------------------------------------------------------------------

// What decides whether the fund may lend to her now.
struct GroupFundFacts {
  bool programme_allows = false;  // the programme's group_loans switch
  bool has_cycle = false;         // the group has an active or closing cycle
  CycleState cycle_state = CycleState::kActive;
  CycleRules rules;               // that cycle's rules
  int64_t her_savings = 0;        // her member_savings balance (minor units)
  int64_t fund_available = 0;     // the group_loan_fund balance (minor units)
};

// The most she may borrow from the fund: InternalLoanCap(rules, her_savings,
// fund_available) when the programme allows group loans and the group's
// cycle is active (CycleLends) and lends; otherwise 0.
int64_t InternalLoanLimit(const GroupFundFacts& f);
// The terms an internal loan may have: 1..rules.max_term_months when
// InternalLoanLimit > 0, else none.
std::vector<int> InternalLoanTerms(const GroupFundFacts& f);
// Whether a request of `amount` over `term_months` may be approved from the
// fund: 0 < amount <= InternalLoanLimit and 1 <= term <= max_term_months.
bool InternalLoanApplies(const GroupFundFacts& f, int64_t amount, int term_months);
// The yearly rate an internal loan is stored with (flat, per month x 12):
// the flat schedule then charges principal x monthly rate x months.
inline int64_t InternalAnnualRateBp(const CycleRules& rules) {
  return rules.flat_rate_bp_per_month * 12;
}

}  // namespace shg
