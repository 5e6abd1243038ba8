// Private to domain/loans*.cc: the stored side of loans shared by the
// member/group side (loans.cc) and the partner side and scheduler
// (loans_partner.cc). Not part of any contract outside those files.
//
// Every function works on the caller's connection inside the caller's
// transaction; the writers expect to run inside a Loans method's SAVEPOINT.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/loans.h"
#include "domain/paging.h"
#include "domain/store/sqlite.h"

namespace shg::loans_internal {

// Open loan states as an SQL list (loan_rules.h IsOpen), and those of a
// request still waiting for a lender (has_open_request).
#define SHG_LOAN_OPEN_STATES \
  "('requested', 'group_approved', 'referred_to_mfi', 'approved', 'disbursed', 'in_arrears')"

// Every loan query selects these columns in this order (see ReadLoan).
// charged / repaid are summed from the postings on her member_loan account
// in the loan's journals: disbursement + interest, and confirmed repayments.
#define SHG_LOAN_SELECT                                                                        \
  "SELECT l.id, l.reference, l.member_id, l.group_id, m.name, m.phone, m.language,"            \
  " l.currency, l.amount, l.purpose, l.term_months, l.state, l.partner_id, l.consent_at,"      \
  " COALESCE(l.approved_amount, 0), COALESCE(l.approved_term_months, 0),"                      \
  " COALESCE(l.interest_rule, 'declining'), COALESCE(l.annual_rate_bp, 0), l.decline_reason,"  \
  " COALESCE(l.disbursed_at, 0), l.created_at, l.updated_at,"                                  \
  " (SELECT COALESCE(SUM(p.amount), 0) FROM postings p JOIN accounts a ON a.id = p.account_id" \
  "   WHERE p.journal_id IN (l.disbursement_journal_id, l.interest_journal_id)"                \
  "   AND a.member_id = l.member_id AND a.kind = 'member_loan'),"                              \
  " (SELECT COALESCE(-SUM(p.amount), 0) FROM loan_repayments r"                                \
  "   JOIN postings p ON p.journal_id = r.journal_id JOIN accounts a ON a.id = p.account_id"   \
  "   WHERE r.loan_id = l.id AND r.status = 'confirmed'"                                       \
  "   AND a.member_id = l.member_id AND a.kind = 'member_loan')"                               \
  " FROM loans l JOIN members m ON m.id = l.member_id"

// Every repayment query selects these columns in this order (ReadRepayment).
// `o` is the other record of the same payment: the one that settled this
// record (settled_by), or the one this record settled.
#define SHG_REPAYMENT_SELECT                                                                   \
  "SELECT r.id, r.loan_id, l.reference, r.member_id, m.name, r.amount, r.currency, r.status,"  \
  " r.reference, r.source, COALESCE(r.external_id, ''), r.created_at, r.group_id,"             \
  " COALESCE(r.paid_at, 0), COALESCE(o.id, 0), COALESCE(o.reference, ''),"                     \
  " COALESCE(o.external_id, '')"                                                               \
  " FROM loan_repayments r JOIN loans l ON l.id = r.loan_id JOIN members m ON m.id = r.member_id" \
  " LEFT JOIN loan_repayments o ON o.id = " SHG_REPAYMENT_OTHER("r")

// The id of the other record of the payment of repayment `r` (an SQL alias),
// or NULL when it is unmatched.
#define SHG_REPAYMENT_OTHER(r)                                                                 \
  "COALESCE(" r ".settled_by,"                                                                 \
  " (SELECT c.id FROM loan_repayments c WHERE c.settled_by = " r ".id))"

inline constexpr int64_t kDaySeconds = 24 * 60 * 60;

// Reads the columns of SHG_LOAN_SELECT from the current row.
Result<Loan> ReadLoan(const store::Statement& st);
// All rows of a bound loan query (resets it).
Result<std::vector<Loan>> ReadLoans(store::Statement& st);
// At most one row of a bound loan query (resets it).
Result<std::optional<Loan>> OneLoan(store::Statement& st);
// NotFound "loan <id>" when absent.
Result<Loan> LoadLoan(store::Connection& db, int64_t loan_id);

// A repayment and the group it belongs to.
struct RepaymentRow {
  Repayment repayment;
  int64_t group_id = 0;
};
Result<std::optional<RepaymentRow>> OneRepayment(store::Statement& st);
Result<RepaymentRow> LoadRepayment(store::Connection& db, int64_t repayment_id);

// The stored schedule (empty before disbursement), by instalment number.
Result<std::vector<Instalment>> LoadSchedule(store::Connection& db, int64_t loan_id);

// `reference` with a-z upper-cased: references are stored upper-case and
// typed or sent in any case.
std::string NormalizeReference(const std::string& reference);

// FailedPrecondition whose message starts with "state <name>: " (callers
// answer 409 with the state).
Status StateError(LoanState state, const std::string& what);
// InvalidArgument unless the actor has a known kind and an id.
Status CheckActor(const Actor& actor);
// True when `s` is valid UTF-8 of 1..max_chars code points with no control
// characters.
bool IsPrintableText(const std::string& s, size_t max_chars);

// The product of `partner_id` lending in `currency`, or nullptr.
const LoanProduct* FindProduct(const LoanProgramme& programme, const std::string& partner_id,
                               const std::string& currency);

// A fresh reference code that `exists_sql` (one bound parameter: the code)
// does not find. Unavailable after several collisions in a row.
Result<std::string> NewUniqueReference(store::Connection& db, const char* exists_sql);

// Appends one loan_events row and one audit_log row ("loan." + event,
// subject "loan:<id>"). `from` nullopt for the creation.
Status RecordEvent(store::Connection& db, const DomainContext& ctx, int64_t loan_id,
                   const std::string& event, std::optional<LoanState> from, LoanState to,
                   const Actor& actor, const std::string& detail);
// An audit row about a loan that is not a state change (repayments).
Status AuditLoan(store::Connection& db, const DomainContext& ctx, int64_t loan_id,
                 const std::string& action, const Actor& actor, const std::string& detail);

// Applies `event` to `loan`: NextState (StateError when not allowed), the
// state UPDATE guarded by the current state, the event and audit rows.
// Updates loan.state / updated_at and appends the new state to `entered`.
Status Advance(store::Connection& db, const DomainContext& ctx, Loan& loan, LoanEvent event,
               const Actor& actor, const std::string& detail, std::vector<LoanState>& entered);

// Posts a confirmed repayment's journal ("loan_repayment": Dr the group's
// clearing account with the loan's partner / Cr her member_loan) and
// returns its id.
Result<int64_t> PostRepaymentJournal(store::Connection& db, const DomainContext& ctx,
                                     const Loan& loan, int64_t amount,
                                     const std::string& reference);

// After a confirmed repayment: reloads `loan` (fresh ledger figures), then
// repay_in_full when nothing is outstanding, or catch_up when in arrears
// and nothing is overdue past the grace days any more.
Status SettleAfterRepayment(store::Connection& db, const DomainContext& ctx,
                            const LoanProgramme& programme, Loan& loan, const Actor& actor,
                            std::vector<LoanState>& entered);

// --- matching a member's claim with the partner's report (loans_claims.cc,
// rules in loans.h "Matching") ---

// The unmatched claim (pending, or confirmed and settling nothing) on
// `loan_id` that a report of `amount` paid at `paid_at` is: the claim named
// by `claim_reference` (upper-case, "" = none) when its amount is equal,
// else the oldest within the window. nullopt when none.
Result<std::optional<RepaymentRow>> FindClaimFor(store::Connection& db,
                                                 const LoanProgramme& programme,
                                                 int64_t loan_id, int64_t amount,
                                                 int64_t paid_at,
                                                 const std::string& claim_reference);
// The unmatched report (posted, settling nothing) on `loan_id` that a claim
// of `amount` made at `created_at` is, oldest first. nullopt when none.
Result<std::optional<RepaymentRow>> FindReportFor(store::Connection& db,
                                                  const LoanProgramme& programme,
                                                  int64_t loan_id, int64_t amount,
                                                  int64_t created_at);
// Pending claim `claim_id` -> settled by `by_id` at ctx.now; `decided_by`
// the officer who asked to confirm it (nullopt when a report settled it).
// FailedPrecondition when it is no longer pending.
Status SettleClaim(store::Connection& db, const DomainContext& ctx, int64_t claim_id,
                   int64_t by_id, std::optional<int64_t> decided_by);
// The partner's reports on `claim.loan_id` within the window of
// claim.created_at, oldest first (Loans::PartnerReportsNear).
Result<std::vector<PartnerReport>> ReportsNear(store::Connection& db,
                                               const LoanProgramme& programme,
                                               const Repayment& claim);

// --- the share-out (loans_netting.cc, used by domain/cycles.cc) ---

// The group's internal loans being repaid (source group, disbursed or in
// arrears), oldest first, with their ledger figures.
Result<std::vector<Loan>> OpenGroupLoans(store::Connection& db, int64_t group_id);
// Repays `amount` (0 < amount <= outstanding) of internal loan `loan` from
// her share-out: a confirmed loan_repayments row (source staff, channel
// "share-out", fresh reference) with its "loan_repayment" journal Dr her
// member_savings / Cr her member_loan, then repaid when nothing is left.
Status RepayFromShareOut(store::Connection& db, const DomainContext& ctx,
                         const LoanProgramme& programme, const Loan& loan, int64_t amount,
                         const Actor& actor);

}  // namespace shg::loans_internal
