// Loans: requests, group approval, MFI referral, partner decisions,
// disbursement, repayments, arrears and expiry (spec/domain.md "Loan
// lifecycle"). The state machine and eligibility rules are pure and live in
// loan_rules.h; schedules in loan_schedule.h; this is the stored side.
//
// Like Services and Messages, a Loans object is a cheap view over one store
// connection, built per unit of work. Methods that change data REQUIRE the
// writer connection and run inside the caller's transaction (never
// BEGIN/COMMIT); each is atomic on its own (a SAVEPOINT), so a failure
// leaves nothing behind. Every state change appends a loan_events row and an
// audit_log row naming the actor, in the same transaction.
//
// Money is int64 minor units of the group's currency; times Unix seconds.
//
// Ledger (one book per group, see store/migrations.cc):
//   disbursement  "loan_disbursement"  Dr member_loan  / Cr mfi_clearing(partner)  principal
//   interest      "loan_interest"      Dr member_loan  / Cr mfi_clearing(partner)  the
//                 schedule's total interest, charged at disbursement (omitted when 0)
//   repayment     "loan_repayment"     Dr mfi_clearing / Cr member_loan            amount
// and an internal group loan (source group, see "Group loans" below):
//   disbursement  "loan_disbursement"  Dr member_loan    / Cr group_loan_fund  principal
//   interest      "loan_interest"      Dr member_loan    / Cr group_income     flat interest
//   repayment     "loan_repayment"     Dr group_loan_fund / Cr member_loan     amount
// so a loan's outstanding is the sum of its journals' postings on her loan
// account (principal + interest - repaid), and the clearing account nets to
// zero once the loan is repaid. Journal reference: the loan's reference for
// disbursement and interest, the repayment's reference for a repayment.
//
// One payment is posted once. A repayment the member logs is a CLAIM; the
// partner's report of a payment (callback, or staff for it) is a REPORT
// (it has the partner's payment id). A report and a claim of the same
// payment MATCH (see "Matching" below); of a matched pair exactly one
// record posts a repayment journal (status confirmed) and the other is
// settled (no journal, linked to the one that posted). Nothing is posted
// beyond what is outstanding.
//
// Matching: a report and a claim on the same loan with the same amount
// match when the claim's created_at is within claim_match_window_days of
// the report's paid_at (its recording time when the partner sent none);
// the oldest unmatched record is taken first. A report carrying
// claim_reference (our claim's reference, any case) matches that claim
// regardless of the window if the amounts are equal; otherwise the window
// rule applies. Only unmatched records match: a pending or confirmed claim,
// a report that posted and settled nothing yet; rejected records never.
//
// Expected failures are Status values:
//   InvalidArgument     bad amount/term/purpose/decision fields
//   NotFound            no such loan/repayment/member (or the loan belongs to
//                       another partner)
//   PermissionDenied    not a treasurer/chair of her group, or her own request
//   FailedPrecondition  the event does not fit the loan's state; the message
//                       starts with "state <name>:" (callers answer 409)
//
// Group loans: with the programme's group_loans on, a request the group's
// fund can cover may be lent from it (InternalLoanApplies, loan_rules.h:
// her group's cycle active and lending, amount <= InternalLoanCap of her
// savings balance and the loan fund's balance, term <= the cycle's
// max_term_months). Every request records the group's active or closing
// cycle (cycle_id). The officers choose at the decision: from the fund
// (GroupApproveFromFund: approved and disbursed at once, flat at the cycle's
// rate) or referral to the MFI (GroupDecide). The source is then fixed; the
// partner side never sees a group loan.
//
// A request refused by the eligibility rules is NOT an error: it is a value
// (LoanOffer::refusal / RequestOutcome::refusal) with its catalogue key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/loan_rules.h"
#include "domain/loan_schedule.h"
#include "domain/result.h"
#include "domain/services.h"
#include "domain/store/sqlite.h"

namespace shg {

// An MFI partner's loan product (from [[mfi_partners]]).
struct LoanProduct {
  std::string partner_id;    // a-z 0-9 '-'
  std::string partner_name;  // "Imara Microfinance"
  std::string currency;      // the product lends only in this currency
  int64_t min_amount = 0;    // minor units
  int64_t max_amount = 0;    // minor units
  std::vector<int> terms_months;  // allowed repayment periods, ascending
  InterestRule rule = InterestRule::kDeclining;
  int64_t annual_rate_bp = 0;
  bool has_api = false;  // true: the referral is sent through the outbox
};

// The programme's loan configuration ([loans], [[loan_purposes]],
// [[mfi_partners]]).
struct LoanProgramme {
  LoanPolicy policy;
  int grace_days = 7;           // overdue this long past a due date -> in_arrears
  int request_expiry_days = 14; // requested / group_approved / referred_to_mfi
                                // with no change for this long -> expired
  std::vector<std::string> purposes;  // allowed purpose ids, display order
  std::vector<LoanProduct> products;  // preference order; a member's request
                                      // goes to the first in her group's currency
  // A member's claim and a partner's report of the same amount on her loan
  // are one payment when they are at most this many days apart (see
  // "Matching" above). 0: only a report naming the claim's reference.
  int claim_match_window_days = 7;
  // Groups may lend from their own fund ("Group loans" above). false: no
  // internal loan is ever offered or approved, whatever the cycle says.
  bool group_loans = false;
};

// Where a loan's money comes from (loans.source), fixed at group approval.
enum class LoanSource { kMfi, kGroup };
const char* LoanSourceName(LoanSource s);  // "mfi" / "group"

// Outbox channel of a partner's referrals: "partner:<partner_id>". The
// gateway registers a sender for it; the domain only writes the rows.
std::string ReferralChannel(const std::string& partner_id);
// Message kind of a referral row in the outbox.
inline constexpr char kReferralMessageKind[] = "mfi_referral";

// Who caused a change (for loan_events and audit_log).
struct Actor {
  std::string kind;        // member | staff | partner | system
  std::string id;          // member id, staff user, partner id, "scheduler"
  std::string channel;     // channel id / "cli" / "partner-api" / ""
  std::string request_id;  // "" if none
};

struct Loan {
  int64_t id = 0;
  std::string reference;  // 6 chars, unambiguous alphabet (refcode.h)
  int64_t member_id = 0;
  int64_t group_id = 0;
  std::string member_name;
  std::string member_phone;     // E.164
  std::string member_language;  // catalogue language for her SMS
  std::string currency;
  int64_t amount = 0;      // requested, minor units
  std::string purpose;     // purpose id
  int term_months = 0;     // requested
  LoanState state = LoanState::kRequested;
  std::string partner_id;  // the product's partner chosen at request ("" when
                           // none lends in her currency: an internal request)
  LoanSource source = LoanSource::kMfi;  // kMfi until approved from the fund
  int64_t cycle_id = 0;    // the group's active/closing cycle at request (0: none)
  // That cycle's flat rate per month (0 without a cycle): what a term only
  // the fund offers is quoted at.
  int64_t cycle_flat_rate_bp_per_month = 0;
  int64_t consent_at = 0;  // consent to share her record with the partner
  // Fixed by the lender's approval (0 / kDeclining until approved):
  int64_t approved_amount = 0;
  int approved_term_months = 0;
  InterestRule rule = InterestRule::kDeclining;
  int64_t annual_rate_bp = 0;
  std::string decline_reason;  // group's or partner's words, <= 160 chars
  int64_t disbursed_at = 0;    // 0 until disbursed
  int64_t created_at = 0;
  int64_t updated_at = 0;      // last state change
  // From the ledger (0 before disbursement):
  int64_t charged = 0;         // principal + interest posted to her loan account
  int64_t repaid = 0;          // confirmed repayments posted
  int64_t outstanding = 0;     // charged - repaid
};

// Her loan as the member sees it (My loan, balance, LOAN by SMS).
struct LoanView {
  Loan loan;
  std::vector<Instalment> schedule;  // empty before disbursement
  ScheduleStatus status;             // from schedule + loan.repaid at ctx.now
  int64_t pending_repayments = 0;    // claims awaiting the treasurer (not
                                     // settled ones: those were posted)
};

// Before the amount screen.
struct LoanOffer {
  // "" = eligible; otherwise the reason key: an IneligibleName() value, or
  // "no_product" when no partner lends in her group's currency. Catalogue
  // key: "loan_err_" + refusal.
  std::string refusal;
  int64_t max_amount = 0;  // the larger of mfi_max_amount and group_max_amount
                           // (0 when refused)
  int64_t min_amount = 0;  // the product's minimum; one whole currency unit when
                           // the fund may lend (the MFI's minimum is not the group's)
  std::string currency;
  // The product's terms merged with the fund's (1..group_max_term_months),
  // ascending, distinct.
  std::vector<int> terms_months;
  std::string partner_id;    // "" without a product in her currency
  std::string partner_name;
  int64_t mfi_max_amount = 0;    // MaxLoanAmount with the product (0: none)
  std::vector<int> mfi_terms_months;  // the product's terms
  // The fund (0 / none when it may not lend to her: InternalLoanLimit):
  int64_t group_max_amount = 0;
  int group_max_term_months = 0;
  int64_t group_annual_rate_bp = 0;  // flat, InternalAnnualRateBp of the cycle
};

struct LoanRequest {
  int64_t member_id = 0;
  int64_t amount = 0;  // minor units
  std::string purpose;
  int term_months = 0;
  bool consent = false;  // she agreed to share her record with the partner
  std::string channel;
  // A retry with the same key returns the first request unchanged
  // ("" = no key). AlreadyExists if the key was used by another member.
  std::string idempotency_key;
};

struct RequestOutcome {
  std::string refusal;  // as LoanOffer::refusal, plus "amount_above_limit",
                        // "amount_below_minimum", "purpose_not_allowed",
                        // "no_consent", "term_not_allowed"
  std::optional<Loan> loan;  // the requested loan when refusal is ""
};

// The result of an event: the loan after it and the states it entered, in
// order (group approval of an MFI loan enters group_approved then
// referred_to_mfi). changed == false when the event had already been applied
// (an idempotent replay): nothing was written.
struct LoanChange {
  Loan loan;
  std::vector<LoanState> entered;
  bool changed = false;
};

// pending:   a claim awaiting the treasurer
// confirmed: posted (a report, or a claim the treasurer confirmed)
// rejected:  a claim the treasurer refused; nothing posted
// settled:   a record of a payment that its matched record posted (a claim
//            the partner reported, or a report of a claim already
//            confirmed); nothing posted by this record
enum class RepaymentStatus { kPending, kConfirmed, kRejected, kSettled };
const char* RepaymentStatusName(RepaymentStatus s);

// A partner's report on a loan, shown beside a pending claim so the
// treasurer sees what the partner already reported.
struct PartnerReport {
  int64_t repayment_id = 0;
  std::string reference;   // the report's own 6-char code
  std::string payment_id;  // the partner's payment id
  int64_t amount = 0;      // minor units
  int64_t paid_at = 0;     // when the partner received it (its recording time if not sent)
  std::string matched_reference;  // the claim it was matched with; "" = none
};

struct Repayment {
  int64_t id = 0;
  int64_t loan_id = 0;
  std::string loan_reference;
  int64_t member_id = 0;
  std::string member_name;
  int64_t amount = 0;  // minor units
  std::string currency;
  RepaymentStatus status = RepaymentStatus::kPending;
  std::string reference;    // the repayment's own 6-char code
  std::string source;       // member | partner | staff
  std::string external_id;  // partner's payment id ("" for a member's claim)
  int64_t paid_at = 0;      // a report: when the partner received it (0 = not sent)
  int64_t created_at = 0;
  // The other record of the same payment, when matched (id 0 = none): for a
  // settled record, the record that posted it; for a confirmed one, the
  // record it settled. matched_payment_id is the partner's payment id when
  // that other record is a report ("" when it is a member's claim).
  int64_t matched_id = 0;
  std::string matched_reference;
  std::string matched_payment_id;
  // Filled for pending claims by PendingRepayments (else empty): what the
  // partner reported on the loan within the window (PartnerReportsNear).
  std::vector<PartnerReport> partner_reported;
};

struct RepaymentChange {
  Repayment repayment;
  LoanChange loan;  // entered: repaid / disbursed (catch up) when it did so
  // True when this change posted a repayment journal. False on a replay,
  // a reject, and a match with a record that had already posted (the
  // change is then recorded, loan.changed == true, but no money moves).
  bool posted = false;
  // The other record of the same payment this change matched: the claim a
  // report settled or was matched with, or the report that settled the
  // claim being confirmed. nullopt when nothing matched.
  std::optional<Repayment> matched = std::nullopt;
};

struct PartnerDecision {
  bool approved = false;
  // approved: the lender's terms (amount <= requested is allowed; term must
  // be one of the product's; rate 0..kMaxLoanRateBp)
  int64_t amount = 0;
  int term_months = 0;
  InterestRule rule = InterestRule::kDeclining;
  int64_t annual_rate_bp = 0;
  std::string reason;  // declined: shown to the member, 1..160 printable chars
};

// What the officers may choose for a request (Group tasks).
struct GroupDecisionOptions {
  bool from_fund = false;  // GroupApproveFromFund would succeed now (rules-wise)
  bool refer = false;      // a partner lends in the loan's currency
  std::string partner_name;  // the loan's partner ("" when refer is false)
  int64_t fund_limit = 0;  // InternalLoanLimit for her now
  LoanQuote fund_quote;    // the internal loan's figures when from_fund
};

// A reminder the scheduler should send: the instalment falls due within a day.
struct DueReminder {
  Loan loan;
  Instalment instalment;  // reduced to what is still owed on it
};

struct SchedulerRun {
  std::vector<LoanChange> changes;      // expired / in_arrears
  std::vector<DueReminder> reminders;   // due within 24 h, not yet paid
};

class Loans {
 public:
  // `programme` and `ctx` are not owned and must outlive the view.
  Loans(store::Connection& conn, const DomainContext& ctx, const LoanProgramme& programme)
      : db_(conn), ctx_(ctx), programme_(programme) {}

  // --- member side ---
  // Eligibility before the amount is asked (CheckEligibility with her facts
  // and the product of her group's currency). NotFound for no such member.
  Result<LoanOffer> OfferFor(int64_t member_id);
  // Creates a request (state requested) with a fresh reference when every
  // rule of CheckRequest holds and the term is one of the product's; the
  // consent is recorded on the loan and the member. A refusal is a value.
  Result<RequestOutcome> Request(const LoanRequest& request, const Actor& actor);
  // requested | group_approved -> cancelled, by the member herself
  // (PermissionDenied for anybody else).
  Result<LoanChange> Cancel(int64_t loan_id, int64_t member_id, const Actor& actor);
  // Her most recent loan (open first, else the latest final one); nullopt
  // when she never asked.
  Result<std::optional<LoanView>> CurrentLoan(int64_t member_id);
  // Logs her claim of a repayment with a fresh reference. When it matches
  // a partner's report on her loan (disbursed / in_arrears, or repaid by
  // that report) the claim is settled at once by that report (status
  // settled, matched_* name the report; nothing is posted and nothing is
  // pending). Otherwise it is pending on her disbursed / in_arrears loan:
  // InvalidArgument for amount <= 0 or above what is outstanding minus her
  // pending claims; FailedPrecondition when she has no loan being repaid.
  // Idempotent by key like Request.
  Result<Repayment> LogRepayment(int64_t member_id, int64_t amount, const std::string& channel,
                                 const std::string& idempotency_key, const Actor& actor);

  // --- group tasks (chair / treasurer) ---
  // Requests of the group awaiting its decision, oldest first.
  Result<std::vector<Loan>> PendingRequests(int64_t group_id, int limit, int offset);
  // What the officers may do with request `loan_id` now. NotFound for no
  // such loan.
  Result<GroupDecisionOptions> DecisionOptions(int64_t loan_id);
  // requested -> group_approved -> approved -> disbursed: an internal loan
  // from the group's fund (source group), the cash handed at the meeting.
  // Checks as GroupDecide (NotFound, PermissionDenied, FailedPrecondition
  // "state <name>:" when not requested), then FailedPrecondition
  // "fund: ..." when InternalLoanApplies does not hold now (programme off,
  // cycle not active or not lending, amount above the cap or the fund,
  // term above the cycle's). Terms: the requested amount and term, flat at
  // InternalAnnualRateBp of the loan's cycle; posts the disbursement and
  // interest journals (see "Ledger"), stores the schedule from now;
  // disbursement_tx_id is the loan's reference.
  Result<LoanChange> GroupApproveFromFund(int64_t loan_id, int64_t decider_member_id,
                                          const Actor& actor);
  // requested -> group_approved -> referred_to_mfi (approve), queuing the
  // referral in the outbox when the partner has an API (see Referral), or
  // requested -> declined (decline, `reason` may be ""). Checks in order:
  // NotFound, PermissionDenied (not an active treasurer/chair of the same
  // group, or her own request), FailedPrecondition (not requested; or an
  // approval of a request no partner lends to: "partner: ...").
  Result<LoanChange> GroupDecide(int64_t loan_id, int64_t decider_member_id, bool approve,
                                 const std::string& reason, const Actor& actor);
  // Pending claims of the group, oldest first, each with partner_reported.
  Result<std::vector<Repayment>> PendingRepayments(int64_t group_id, int limit, int offset);
  // Confirm posts the repayment journal (then repaid when nothing is
  // outstanding, or catch_up when in arrears and nothing is overdue past
  // grace any more); reject records the decision. Confirming a claim that
  // matches an unmatched partner report settles it by that report instead
  // (posted == false, matched = the report). Same permission rules and
  // order as GroupDecide; FailedPrecondition if already decided (settled
  // included), or if the amount to post is now above what is outstanding.
  Result<RepaymentChange> DecideRepayment(int64_t repayment_id, int64_t decider_member_id,
                                          bool confirm, const Actor& actor);

  // --- partner side (callbacks, or staff recording for a partner) ---
  // The loan of `reference` (any case) referred to `partner_id`; NotFound
  // otherwise (a group loan is always another partner's loan: every partner
  // callback below answers NotFound for it).
  Result<Loan> PartnerLoan(const std::string& partner_id, const std::string& reference);
  // referred_to_mfi -> approved (terms fixed) | declined. Idempotent: the
  // same decision again on a loan already in its result state (approved with
  // the same terms, or declined) is changed == false. Any other state, or a
  // different decision, is FailedPrecondition "state <name>: ...".
  Result<LoanChange> RecordPartnerDecision(const std::string& partner_id,
                                           const std::string& reference,
                                           const PartnerDecision& decision, const Actor& actor);
  // approved -> disbursed: posts the disbursement and interest journals and
  // stores the schedule (BuildSchedule with the approved terms from
  // `disbursed_at`). `amount` must equal the approved amount
  // (InvalidArgument). Idempotent: disbursed already with the same
  // transaction id is changed == false; FailedPrecondition otherwise.
  Result<LoanChange> RecordDisbursement(const std::string& partner_id,
                                        const std::string& reference, int64_t amount,
                                        int64_t disbursed_at, const std::string& transaction_id,
                                        const Actor& actor);
  // A repayment the partner received (paid_at 0 = now), keyed by the
  // partner's payment id (a replay returns the first, changed == false; the
  // same id with another amount is FailedPrecondition). `claim_reference`
  // ("" = none; any case) is the member's claim the partner says it is.
  // - It matches a claim the treasurer already confirmed: recorded as
  //   settled by that claim, nothing posted (posted == false, changed ==
  //   true, matched = the claim), whatever the loan's state now.
  // - Otherwise it is confirmed at once (posted): the loan must be
  //   disbursed or in_arrears, InvalidArgument above the outstanding; a
  //   matching pending claim becomes settled by it (matched = the claim)
  //   and leaves the treasurer's list.
  // InvalidArgument for a claim_reference that is not 1..100 printable
  // characters.
  Result<RepaymentChange> RecordPartnerRepayment(const std::string& partner_id,
                                                 const std::string& reference,
                                                 const std::string& payment_id, int64_t amount,
                                                 int64_t paid_at, const Actor& actor,
                                                 const std::string& claim_reference = "");

  // --- scheduler ---
  // Expires requests nobody acted on (request_expiry_days since their last
  // change), moves disbursed loans with an instalment overdue for more than
  // grace_days to in_arrears, and lists instalments due within the next
  // 24 h that are not fully paid (callers send at most one reminder per
  // instalment with a dedupe key). Idempotent: a second run at the same time
  // changes nothing.
  Result<SchedulerRun> RunScheduler(const Actor& actor);

  // --- queries ---
  Result<Loan> Get(int64_t loan_id);
  // `reference` in any case (references are stored upper-case).
  Result<Loan> GetByReference(const std::string& reference);
  Result<std::vector<Instalment>> Schedule(int64_t loan_id);
  // Newest first; state "" = any, else a LoanStateName.
  Result<std::vector<Loan>> List(const std::string& state, int limit, int offset);
  Result<std::vector<Repayment>> RepaymentsOf(int64_t loan_id);
  // The partner's reports on the loan of repayment `repayment_id` whose
  // paid_at is within claim_match_window_days of its created_at, any
  // amount, matched or not, oldest first (empty for a report itself).
  // NotFound for no such repayment.
  Result<std::vector<PartnerReport>> PartnerReportsNear(int64_t repayment_id);
  // State history, oldest first: "at from->to event actor" lines.
  Result<std::vector<std::string>> History(int64_t loan_id);
  // The referral document sent to the partner (JSON, format below).
  Result<std::string> Referral(int64_t loan_id);

 private:
  store::Connection& db_;
  const DomainContext& ctx_;
  const LoanProgramme& programme_;
};

// Referral document (JSON, UTF-8, version 1), the body of the POST to
// <api_base_url>/referrals. Amounts are integer minor units with the
// currency; times are Unix seconds.
//   {"version":1,"reference":"K7P2QX","partner_id":"imara","created_at":...,
//    "member":{"id":1,"name":"Amina Achieng","phone":"+254700000001",
//              "language":"en","joined_at":...,"consent_at":...},
//    "group":{"id":1,"name":"Upendo","country":"KE","currency":"KES"},
//    "loan":{"amount_minor":1000000,"currency":"KES","purpose":"bakery",
//            "term_months":6},
//    "savings":{"confirmed_count":8,"confirmed_total_minor":400000,
//               "history":[{"at":...,"amount_minor":50000}, ...]},   newest first, <= 24
//    "training":{"completed":true,
//                "modules":[{"id":"fin-lit-1","step":1,"completed_at":...}, ...]}}
// Built with Boost.JSON (compact, members in this order); names are made
// valid UTF-8 (domain/utf8.h).

}  // namespace shg
