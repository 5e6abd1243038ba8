// Loans, the group's own fund: what the fund may lend a member now, the
// officers' choices for a request, and an internal loan approved and handed
// out at the meeting (domain/loans.h "Group loans").
#include <optional>
#include <string>
#include <utility>

#include "domain/ledger.h"
#include "domain/loans.h"
#include "domain/loans_internal.h"
#include "domain/money.h"
#include "domain/officers.h"

namespace shg {
namespace loans_internal {
namespace {

using store::Connection;
using store::Statement;

// At most one: a group has one open cycle, and a planned one takes nothing.
constexpr char kLendingCycle[] =
    "SELECT id, state, lends, loan_savings_multiple, max_term_months, flat_rate_bp_per_month"
    " FROM cycles WHERE group_id = ? AND state IN ('active', 'closing') ORDER BY id DESC LIMIT 1";
// Displayed balances (balance x normal): her savings, the fund's cash.
constexpr char kMemberSavingsBalance[] =
    "SELECT COALESCE((SELECT balance * normal FROM accounts"
    " WHERE member_id = ? AND kind = 'member_savings'), 0)";
constexpr char kFundBalance[] =
    "SELECT COALESCE((SELECT balance * normal FROM accounts WHERE group_id = ?"
    " AND kind = 'group_loan_fund' AND member_id IS NULL AND partner_id IS NULL), 0)";

Result<int64_t> OneInt(Connection& db, const char* sql, int64_t arg) {
  Statement& st = db.Prepare(sql);
  st.Bind(1, arg);
  return store::QueryOne(st, [](const Statement& row) { return row.Int(0); },
                         Status::Internal("balance query returned no row"));
}

}  // namespace

Result<GroupFund> LoadGroupFund(Connection& db, const LoanProgramme& programme, int64_t group_id,
                                int64_t member_id) {
  GroupFund out;
  out.facts.programme_allows = programme.group_loans;
  {
    Statement& st = db.Prepare(kLendingCycle);
    st.Bind(1, group_id);
    Result<std::optional<bool>> read =
        store::QueryOptional(st, [&out](const Statement& row) -> Result<bool> {
          std::optional<CycleState> state = ParseCycleState(row.Text(1));
          if (!state) {
            return Status::Internal("cycle " + std::to_string(row.Int(0)) + " has an unknown state");
          }
          out.cycle_id = row.Int(0);
          out.facts.has_cycle = true;
          out.facts.cycle_state = *state;
          out.facts.rules.lends = row.Int(2) != 0;
          out.facts.rules.loan_savings_multiple = row.Int(3);
          out.facts.rules.max_term_months = static_cast<int>(row.Int(4));
          out.facts.rules.flat_rate_bp_per_month = row.Int(5);
          return true;
        });
    if (!read.ok()) return read.status();
  }
  Result<int64_t> savings = OneInt(db, kMemberSavingsBalance, member_id);
  if (!savings.ok()) return savings.status();
  out.facts.her_savings = *savings;
  Result<int64_t> fund = OneInt(db, kFundBalance, group_id);
  if (!fund.ok()) return fund.status();
  out.facts.fund_available = *fund;
  return out;
}

}  // namespace loans_internal

namespace {

using namespace loans_internal;  // NOLINT: this file implements them
using store::Connection;
using store::Statement;

constexpr char kGroupLends[] =
    "UPDATE loans SET group_decided_by = ?, group_decided_at = ?, decline_reason = ''"
    " WHERE id = ? AND state = 'requested'";
constexpr char kSetGroupTerms[] =
    "UPDATE loans SET source = 'group', approved_amount = ?, approved_term_months = ?,"
    " interest_rule = 'flat', annual_rate_bp = ? WHERE id = ? AND state = 'group_approved'";

// The internal loan's terms for `loan` under the fund's cycle, from `at`.
Result<LoanTerms> GroupTerms(const Loan& loan, const GroupFund& fund, int64_t at) {
  Result<Currency> currency = FindCurrency(loan.currency);
  if (!currency.ok()) return currency.status();
  LoanTerms t;
  t.principal = loan.amount;
  t.term_months = loan.term_months;
  t.annual_rate_bp = InternalAnnualRateBp(fund.facts.rules);
  t.rule = InterestRule::kFlat;
  t.currency = *currency;
  t.disbursed_at = at;
  t.group_loan = true;
  return t;
}

// Ok when the fund may lend `loan` now; else FailedPrecondition "fund: why".
Status CheckFundLends(const Loan& loan, const GroupFund& fund) {
  const GroupFundFacts& f = fund.facts;
  if (!f.programme_allows) return Status::FailedPrecondition("fund: group loans are off");
  if (!f.has_cycle || loan.cycle_id == 0 || loan.cycle_id != fund.cycle_id) {
    return Status::FailedPrecondition("fund: the request is not of the group's open cycle");
  }
  if (!CycleLends(f.cycle_state) || !f.rules.lends) {
    return Status::FailedPrecondition(std::string("fund: cycle ") + CycleStateName(f.cycle_state) +
                                      (f.rules.lends ? "" : ", not lending") +
                                      ": no new loans from the fund");
  }
  if (loan.term_months > f.rules.max_term_months) {
    return Status::FailedPrecondition("fund: term " + std::to_string(loan.term_months) +
                                      " months is above the cycle's " +
                                      std::to_string(f.rules.max_term_months));
  }
  if (!InternalLoanApplies(f, loan.amount, loan.term_months)) {
    return Status::FailedPrecondition("fund: amount " + std::to_string(loan.amount) +
                                      " is above what the fund may lend her (" +
                                      std::to_string(InternalLoanLimit(f)) + ")");
  }
  return Status::Ok();
}

}  // namespace

Result<GroupDecisionOptions> Loans::DecisionOptions(int64_t loan_id) {
  Result<Loan> loan = LoadLoan(db_, loan_id);
  if (!loan.ok()) return loan.status();
  GroupDecisionOptions out;
  if (loan->state != LoanState::kRequested) return out;
  Result<GroupFund> fund = LoadGroupFund(db_, programme_, loan->group_id, loan->member_id);
  if (!fund.ok()) return fund.status();
  out.fund_limit = InternalLoanLimit(fund->facts);
  if (CheckFundLends(*loan, *fund).ok()) {
    Result<LoanTerms> terms = GroupTerms(*loan, *fund, ctx_.now);
    if (!terms.ok()) return terms.status();
    Result<LoanQuote> quote = QuoteLoan(*terms);
    // A loan too small for its term (under one unit a month) cannot be lent.
    if (quote.ok()) {
      out.from_fund = true;
      out.fund_quote = *quote;
    }
  }
  out.refer = !loan->partner_id.empty();
  if (out.refer) {
    const LoanProduct* p = FindProduct(programme_, loan->partner_id, loan->currency);
    out.partner_name = p != nullptr ? p->partner_name : loan->partner_id;
  }
  return out;
}

Result<LoanChange> Loans::GroupApproveFromFund(int64_t loan_id, int64_t decider_member_id,
                                               const Actor& actor) {
  SHG_RETURN_IF_ERROR(CheckActor(actor));
  Result<Loan> loan = LoadLoan(db_, loan_id);
  if (!loan.ok()) return loan.status();
  SHG_RETURN_IF_ERROR(officers::CheckDecider(db_, decider_member_id, loan->group_id,
                                             loan->member_id, "a loan request", "loan request"));
  if (loan->state != LoanState::kRequested) {
    return StateError(loan->state, "the group has already decided");
  }
  // The cap is checked now, at the decision: the fund may have lent since.
  Result<GroupFund> fund = LoadGroupFund(db_, programme_, loan->group_id, loan->member_id);
  if (!fund.ok()) return fund.status();
  SHG_RETURN_IF_ERROR(CheckFundLends(*loan, *fund));
  Result<LoanTerms> terms = GroupTerms(*loan, *fund, ctx_.now);
  if (!terms.ok()) return terms.status();
  Result<std::vector<Instalment>> schedule = BuildSchedule(*terms);
  if (!schedule.ok()) {
    return Status::FailedPrecondition("fund: " + schedule.status().message());
  }
  return store::InSavepoint(db_, [&]() -> Result<LoanChange> {
    LoanChange change;
    change.loan = *loan;
    change.changed = true;
    SHG_RETURN_IF_ERROR(db_.Prepare(kGroupLends)
                            .Bind(1, decider_member_id)
                            .Bind(2, ctx_.now)
                            .Bind(3, loan_id)
                            .Run());
    if (db_.Changes() != 1) return StateError(loan->state, "the loan changed meanwhile");
    const std::string by = "by member " + std::to_string(decider_member_id);
    SHG_RETURN_IF_ERROR(Advance(db_, ctx_, change.loan, LoanEvent::kGroupApprove, actor, by,
                                change.entered));
    SHG_RETURN_IF_ERROR(db_.Prepare(kSetGroupTerms)
                            .Bind(1, terms->principal)
                            .Bind(2, static_cast<int64_t>(terms->term_months))
                            .Bind(3, terms->annual_rate_bp)
                            .Bind(4, loan_id)
                            .Run());
    if (db_.Changes() != 1) return StateError(change.loan.state, "the loan changed meanwhile");
    std::vector<LoanState> entered = std::move(change.entered);
    Result<Loan> fresh = LoadLoan(db_, loan_id);
    if (!fresh.ok()) return fresh.status();
    change.loan = std::move(*fresh);
    change.entered = std::move(entered);
    SHG_RETURN_IF_ERROR(Advance(db_, ctx_, change.loan, LoanEvent::kApproveInternal, actor,
                                "group fund of cycle " + std::to_string(fund->cycle_id) +
                                    " amount " + std::to_string(terms->principal) + " term " +
                                    std::to_string(terms->term_months) + " flat " +
                                    std::to_string(terms->annual_rate_bp) + "bp " + by,
                                change.entered));
    Result<int64_t> fund_account =
        ledger::GroupAccount(db_, loan->group_id, ledger::AccountKind::kGroupLoanFund);
    if (!fund_account.ok()) return fund_account.status();
    Result<int64_t> income =
        ledger::GroupAccount(db_, loan->group_id, ledger::AccountKind::kGroupIncome);
    if (!income.ok()) return income.status();
    // Dr her loan account / Cr the fund's cash (the treasurer hands it over),
    // and the flat interest Cr the group's income of the cycle.
    SHG_RETURN_IF_ERROR(PostDisbursement(db_, ctx_, change.loan, *schedule, *fund_account, *income,
                                         ctx_.now, loan->reference,
                                         "loan " + loan->reference + " from the group fund",
                                         actor, change.entered));
    return change;
  });
}

}  // namespace shg
