// Loans, the partner side: decisions, disbursement and repayments reported
// by an MFI partner (or recorded by staff for it), the scheduler (expiry,
// arrears, reminders) and the referral document.
#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include <boost/json.hpp>

#include "domain/ledger.h"
#include "domain/loans.h"
#include "domain/loans_internal.h"
#include "domain/money.h"
#include "domain/utf8.h"

namespace shg {
namespace {

using namespace loans_internal;  // NOLINT: the shared stored side of loans
using store::Connection;
using store::Statement;

// Only loans that were referred are the partner's business: a request the
// group has not approved yet, or a loan from the group's own fund, is not
// visible to it.
constexpr char kPartnerLoan[] = SHG_LOAN_SELECT
    " WHERE l.reference = ? AND l.partner_id = ? AND l.referred_at IS NOT NULL"
    " AND l.source = 'mfi'";
constexpr char kSetTerms[] =
    "UPDATE loans SET approved_amount = ?, approved_term_months = ?, interest_rule = ?,"
    " annual_rate_bp = ? WHERE id = ? AND state = 'referred_to_mfi'";
constexpr char kSetPartnerDecline[] =
    "UPDATE loans SET decline_reason = ? WHERE id = ? AND state = 'referred_to_mfi'";
constexpr char kDisbursementTx[] =
    "SELECT COALESCE(disbursement_tx_id, '') FROM loans WHERE id = ?";
constexpr char kInsertInstalment[] =
    "INSERT INTO loan_instalments (loan_id, number, due_at, principal, interest, total)"
    " VALUES (?, ?, ?, ?, ?, ?)";
constexpr char kSetDisbursed[] =
    "UPDATE loans SET disbursed_at = ?, disbursement_tx_id = ?, disbursement_journal_id = ?,"
    " interest_journal_id = ? WHERE id = ? AND state = 'approved'";
constexpr char kRepaymentByExternal[] =
    SHG_REPAYMENT_SELECT " WHERE r.loan_id = ? AND r.external_id = ?";
constexpr char kRepaymentReferenceExists[] = "SELECT 1 FROM loan_repayments WHERE reference = ?";
constexpr char kInsertConfirmedRepayment[] =
    "INSERT INTO loan_repayments (loan_id, member_id, group_id, amount, currency, reference,"
    " status, source, external_id, paid_at, channel, created_at, decided_at, journal_id)"
    " VALUES (?, ?, ?, ?, ?, ?, 'confirmed', ?, ?, ?, ?, ?, ?, ?) RETURNING id";
// A report of a payment already posted by the claim the treasurer confirmed.
constexpr char kInsertSettledReport[] =
    "INSERT INTO loan_repayments (loan_id, member_id, group_id, amount, currency, reference,"
    " status, source, external_id, paid_at, channel, created_at, decided_at, settled_by)"
    " VALUES (?, ?, ?, ?, ?, ?, 'settled', ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr char kExpirable[] =
    "SELECT id FROM loans WHERE state IN ('requested', 'group_approved', 'referred_to_mfi')"
    " AND updated_at <= ? ORDER BY id";
constexpr char kRepaying[] =
    "SELECT id FROM loans WHERE state IN ('disbursed', 'in_arrears') ORDER BY id";

// Referral document.
constexpr char kReferralMember[] =
    "SELECT m.joined_at, g.name, g.country FROM members m JOIN groups g ON g.id = m.group_id"
    " WHERE m.id = ?";
constexpr char kReferralSavingsTotals[] =
    "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM savings"
    " WHERE member_id = ? AND status = 'confirmed' AND reversal_journal_id IS NULL";
constexpr char kReferralSavingsHistory[] =
    "SELECT created_at, amount FROM savings"
    " WHERE member_id = ? AND status = 'confirmed' AND reversal_journal_id IS NULL"
    " ORDER BY created_at DESC, id DESC LIMIT 24";
constexpr char kReferralTraining[] =
    "SELECT t.id, t.step, r.completed_at FROM training_records r"
    " JOIN training_modules t ON t.id = r.module_id WHERE r.member_id = ?"
    " ORDER BY t.step, r.completed_at, t.id";

// A partner's decline reason and ids it sends us.
constexpr size_t kMaxReasonChars = 160;
constexpr size_t kMaxExternalIdChars = 100;

// Ids of a query with at most one bound integer parameter.
Result<std::vector<int64_t>> Ids(Connection& db, const char* sql, std::optional<int64_t> arg) {
  Statement& st = db.Prepare(sql);
  if (arg) st.Bind(1, *arg);
  return store::CollectRows(st, [](const Statement& row) { return row.Int(0); });
}

Result<LoanTerms> TermsOf(const Loan& loan, int64_t disbursed_at) {
  Result<Currency> currency = FindCurrency(loan.currency);
  if (!currency.ok()) return currency.status();
  LoanTerms t;
  t.principal = loan.approved_amount;
  t.term_months = loan.approved_term_months;
  t.annual_rate_bp = loan.annual_rate_bp;
  t.rule = loan.rule;
  t.currency = *currency;
  t.disbursed_at = disbursed_at;
  t.group_loan = loan.source == LoanSource::kGroup;
  return t;
}

// InvalidArgument unless the decision is well formed for `loan`.
Status ValidateDecision(const LoanProgramme& programme, const Loan& loan,
                        const PartnerDecision& d) {
  if (!d.approved) {
    if (!IsPrintableText(d.reason, kMaxReasonChars)) {
      return Status::InvalidArgument("a decline reason is 1..160 printable characters");
    }
    return Status::Ok();
  }
  if (d.amount <= 0 || d.amount > loan.amount) {
    return Status::InvalidArgument("approved amount must be 1.." + std::to_string(loan.amount));
  }
  if (d.annual_rate_bp < 0 || d.annual_rate_bp > kMaxLoanRateBp) {
    return Status::InvalidArgument("annual_rate_bp must be 0.." + std::to_string(kMaxLoanRateBp));
  }
  const LoanProduct* product = FindProduct(programme, loan.partner_id, loan.currency);
  if (product != nullptr) {
    const std::vector<int>& terms = product->terms_months;
    if (std::find(terms.begin(), terms.end(), d.term_months) == terms.end()) {
      return Status::InvalidArgument("term_months is not one of the product's terms");
    }
  }
  // The schedule must be buildable at disbursement: check it now.
  Loan approved = loan;
  approved.approved_amount = d.amount;
  approved.approved_term_months = d.term_months;
  approved.rule = d.rule;
  approved.annual_rate_bp = d.annual_rate_bp;
  Result<LoanTerms> terms = TermsOf(approved, loan.created_at);
  if (!terms.ok()) return terms.status();
  Result<std::vector<Instalment>> schedule = BuildSchedule(*terms);
  return schedule.status();
}

Status ValidateExternalId(const std::string& id, const char* what) {
  if (!IsPrintableText(id, kMaxExternalIdChars)) {
    return Status::InvalidArgument(std::string(what) + " must be 1..100 printable characters");
  }
  return Status::Ok();
}

}  // namespace

namespace loans_internal {

Status PostDisbursement(Connection& db, const DomainContext& ctx, Loan& loan,
                        const std::vector<Instalment>& schedule, int64_t principal_from,
                        int64_t interest_to, int64_t disbursed_at,
                        const std::string& transaction_id, const std::string& memo,
                        const Actor& actor, std::vector<LoanState>& entered) {
  const int64_t amount = loan.approved_amount;
  int64_t interest = 0;
  for (const Instalment& i : schedule) interest += i.interest;
  Result<int64_t> account =
      ledger::MemberAccount(db, loan.member_id, ledger::AccountKind::kMemberLoan);
  if (!account.ok()) return account.status();
  ledger::JournalEntry e;
  e.group_id = loan.group_id;
  e.currency = loan.currency;
  e.reference = loan.reference;
  e.memo = memo;
  e.at = ctx.now;
  const std::array<ledger::PostingLine, 2> principal = {
      {{*account, amount}, {principal_from, -amount}}};
  e.kind = "loan_disbursement";
  e.postings = principal;
  Result<int64_t> disbursement = ledger::Post(db, e);
  if (!disbursement.ok()) return disbursement.status();
  int64_t interest_journal = 0;
  if (interest > 0) {
    const std::array<ledger::PostingLine, 2> charge = {
        {{*account, interest}, {interest_to, -interest}}};
    e.kind = "loan_interest";
    e.postings = charge;
    Result<int64_t> posted = ledger::Post(db, e);
    if (!posted.ok()) return posted.status();
    interest_journal = *posted;
  }
  for (const Instalment& i : schedule) {
    SHG_RETURN_IF_ERROR(db.Prepare(kInsertInstalment)
                            .Bind(1, loan.id)
                            .Bind(2, static_cast<int64_t>(i.number))
                            .Bind(3, i.due_at)
                            .Bind(4, i.principal)
                            .Bind(5, i.interest)
                            .Bind(6, i.total)
                            .Run());
  }
  Statement& upd = db.Prepare(kSetDisbursed);
  upd.Bind(1, disbursed_at).Bind(2, transaction_id).Bind(3, *disbursement);
  if (interest_journal != 0) {
    upd.Bind(4, interest_journal);
  } else {
    upd.BindNull(4);
  }
  SHG_RETURN_IF_ERROR(upd.Bind(5, loan.id).Run());
  if (db.Changes() != 1) return StateError(loan.state, "the loan changed meanwhile");
  SHG_RETURN_IF_ERROR(Advance(db, ctx, loan, LoanEvent::kDisburse, actor,
                              "transaction " + transaction_id + " amount " +
                                  std::to_string(amount) + " interest " +
                                  std::to_string(interest),
                              entered));
  Result<Loan> fresh = LoadLoan(db, loan.id);
  if (!fresh.ok()) return fresh.status();
  loan = std::move(*fresh);
  return Status::Ok();
}

}  // namespace loans_internal

// ------------------------------------------------------------ partner side

Result<Loan> Loans::PartnerLoan(const std::string& partner_id, const std::string& reference) {
  Statement& st = db_.Prepare(kPartnerLoan);
  st.Bind(1, NormalizeReference(reference)).Bind(2, partner_id);
  Result<std::optional<Loan>> loan = OneLoan(st);
  if (!loan.ok()) return loan.status();
  if (!loan->has_value()) {
    return Status::NotFound("loan " + reference + " of partner " + partner_id);
  }
  return std::move(**loan);
}

Result<LoanChange> Loans::RecordPartnerDecision(const std::string& partner_id,
                                                const std::string& reference,
                                                const PartnerDecision& decision,
                                                const Actor& actor) {
  SHG_RETURN_IF_ERROR(CheckActor(actor));
  Result<Loan> loan = PartnerLoan(partner_id, reference);
  if (!loan.ok()) return loan.status();
  SHG_RETURN_IF_ERROR(ValidateDecision(programme_, *loan, decision));

  LoanChange change;
  change.loan = *loan;
  if (loan->state != LoanState::kReferredToMfi) {
    const bool same_approval = decision.approved && loan->state == LoanState::kApproved &&
                               loan->approved_amount == decision.amount &&
                               loan->approved_term_months == decision.term_months &&
                               loan->rule == decision.rule &&
                               loan->annual_rate_bp == decision.annual_rate_bp;
    const bool same_decline = !decision.approved && loan->state == LoanState::kDeclined;
    if (same_approval || same_decline) return change;  // a replay: changed == false
    return StateError(loan->state, "the partner's decision was already recorded");
  }
  return store::InSavepoint(db_, [&]() -> Result<LoanChange> {
    change.changed = true;
    if (!decision.approved) {
      SHG_RETURN_IF_ERROR(
          db_.Prepare(kSetPartnerDecline).Bind(1, decision.reason).Bind(2, loan->id).Run());
      SHG_RETURN_IF_ERROR(Advance(db_, ctx_, change.loan, LoanEvent::kMfiDecline, actor,
                                  decision.reason, change.entered));
      change.loan.decline_reason = decision.reason;
      return change;
    }
    SHG_RETURN_IF_ERROR(db_.Prepare(kSetTerms)
                            .Bind(1, decision.amount)
                            .Bind(2, static_cast<int64_t>(decision.term_months))
                            .Bind(3, std::string_view(InterestRuleName(decision.rule)))
                            .Bind(4, decision.annual_rate_bp)
                            .Bind(5, loan->id)
                            .Run());
    SHG_RETURN_IF_ERROR(Advance(db_, ctx_, change.loan, LoanEvent::kMfiApprove, actor,
                                "amount " + std::to_string(decision.amount) + " term " +
                                    std::to_string(decision.term_months) + " " +
                                    InterestRuleName(decision.rule) + " " +
                                    std::to_string(decision.annual_rate_bp) + "bp",
                                change.entered));
    Result<Loan> fresh = LoadLoan(db_, loan->id);
    if (!fresh.ok()) return fresh.status();
    change.loan = std::move(*fresh);
    return change;
  });
}

Result<LoanChange> Loans::RecordDisbursement(const std::string& partner_id,
                                             const std::string& reference, int64_t amount,
                                             int64_t disbursed_at,
                                             const std::string& transaction_id,
                                             const Actor& actor) {
  SHG_RETURN_IF_ERROR(CheckActor(actor));
  SHG_RETURN_IF_ERROR(ValidateExternalId(transaction_id, "transaction_id"));
  if (disbursed_at <= 0) return Status::InvalidArgument("disbursed_at must be a Unix time");
  Result<Loan> loan = PartnerLoan(partner_id, reference);
  if (!loan.ok()) return loan.status();

  LoanChange change;
  change.loan = *loan;
  if (loan->state != LoanState::kApproved) {
    if (loan->disbursed_at != 0) {
      Statement& st = db_.Prepare(kDisbursementTx);
      st.Bind(1, loan->id);
      Result<std::optional<std::string>> recorded =
          store::QueryOptional(st, [](const Statement& row) { return row.Text(0); });
      if (!recorded.ok()) return recorded.status();
      if (recorded->has_value() && **recorded == transaction_id &&
          amount == loan->approved_amount) {
        return change;  // a replay: changed == false
      }
    }
    return StateError(loan->state, "the loan is not approved for disbursement");
  }
  if (amount != loan->approved_amount) {
    return Status::InvalidArgument("disbursed amount must equal the approved amount " +
                                   std::to_string(loan->approved_amount));
  }
  Result<LoanTerms> terms = TermsOf(*loan, disbursed_at);
  if (!terms.ok()) return terms.status();
  Result<std::vector<Instalment>> schedule = BuildSchedule(*terms);
  if (!schedule.ok()) return schedule.status();

  return store::InSavepoint(db_, [&]() -> Result<LoanChange> {
    Result<int64_t> clearing = ledger::PartnerClearingAccount(db_, loan->group_id, partner_id,
                                                              loan->currency, ctx_.now);
    if (!clearing.ok()) return clearing.status();
    // Dr her loan account / Cr what the group's members owe the partner.
    change.changed = true;
    SHG_RETURN_IF_ERROR(PostDisbursement(db_, ctx_, change.loan, *schedule, *clearing, *clearing,
                                         disbursed_at, transaction_id,
                                         "loan " + loan->reference + " from " + partner_id,
                                         actor, change.entered));
    return change;
  });
}

Result<RepaymentChange> Loans::RecordPartnerRepayment(const std::string& partner_id,
                                                      const std::string& reference,
                                                      const std::string& payment_id,
                                                      int64_t amount, int64_t paid_at,
                                                      const Actor& actor,
                                                      const std::string& claim_reference) {
  SHG_RETURN_IF_ERROR(CheckActor(actor));
  SHG_RETURN_IF_ERROR(ValidateExternalId(payment_id, "payment_id"));
  if (!claim_reference.empty()) {
    SHG_RETURN_IF_ERROR(ValidateExternalId(claim_reference, "claim_reference"));
  }
  if (amount <= 0) return Status::InvalidArgument("amount must be more than zero");
  Result<Loan> loan = PartnerLoan(partner_id, reference);
  if (!loan.ok()) return loan.status();
  {
    Statement& st = db_.Prepare(kRepaymentByExternal);
    st.Bind(1, loan->id).Bind(2, payment_id);
    Result<std::optional<RepaymentRow>> prior = OneRepayment(st);
    if (!prior.ok()) return prior.status();
    if (prior->has_value()) {
      if ((*prior)->repayment.amount != amount) {
        return StateError(loan->state,
                          "payment " + payment_id + " was recorded with another amount");
      }
      RepaymentChange replay;
      replay.repayment = std::move((*prior)->repayment);
      replay.loan.loan = *loan;
      if (replay.repayment.matched_id != 0) {
        Result<RepaymentRow> matched = LoadRepayment(db_, replay.repayment.matched_id);
        if (!matched.ok()) return matched.status();
        replay.matched = std::move(matched->repayment);
      }
      return replay;  // changed == false
    }
  }
  const int64_t received_at = paid_at > 0 ? paid_at : ctx_.now;
  Result<std::optional<RepaymentRow>> claim = FindClaimFor(
      db_, programme_, loan->id, amount, received_at, NormalizeReference(claim_reference));
  if (!claim.ok()) return claim.status();
  const bool already_posted =
      claim->has_value() && (*claim)->repayment.status == RepaymentStatus::kConfirmed;
  if (!already_posted) {
    if (loan->state != LoanState::kDisbursed && loan->state != LoanState::kInArrears) {
      return StateError(loan->state, "the loan is not being repaid");
    }
    if (amount > loan->outstanding) {
      return Status::InvalidArgument("amount is above what is outstanding (" +
                                     std::to_string(loan->outstanding) + ")");
    }
  }
  return store::InSavepoint(db_, [&]() -> Result<RepaymentChange> {
    Result<std::string> ref = NewUniqueReference(db_, kRepaymentReferenceExists);
    if (!ref.ok()) return ref.status();
    int64_t journal = 0;
    if (!already_posted) {
      Result<int64_t> posted = PostRepaymentJournal(db_, ctx_, *loan, amount, *ref);
      if (!posted.ok()) return posted.status();
      journal = *posted;
    }
    // The treasurer confirmed her claim of this payment before the partner
    // reported it: the report is kept (its payment id makes a retry a
    // replay) but posts nothing.
    Statement& ins = db_.Prepare(already_posted ? kInsertSettledReport : kInsertConfirmedRepayment);
    ins.Bind(1, loan->id)
        .Bind(2, loan->member_id)
        .Bind(3, loan->group_id)
        .Bind(4, amount)
        .Bind(5, loan->currency)
        .Bind(6, *ref)
        .Bind(7, std::string_view(actor.kind == "staff" ? "staff" : "partner"))
        .Bind(8, payment_id);
    if (paid_at > 0) {
      ins.Bind(9, paid_at);
    } else {
      ins.BindNull(9);
    }
    ins.Bind(10, actor.channel).Bind(11, ctx_.now).Bind(12, ctx_.now);
    SHG_RETURN_IF_ERROR(ins.Bind(13, already_posted ? (*claim)->repayment.id : journal).Run());
    const int64_t repayment_id = db_.ReturnedId();
    std::string detail =
        "repayment " + *ref + " amount " + std::to_string(amount) + " payment " + payment_id;
    if (already_posted) {
      detail += " settled by repayment " + (*claim)->repayment.reference + " (confirmed)";
    } else if (claim->has_value()) {
      detail += " settles repayment " + (*claim)->repayment.reference;
    }
    SHG_RETURN_IF_ERROR(AuditLoan(db_, ctx_, loan->id, "repayment_partner", actor, detail));
    RepaymentChange out;
    out.loan.loan = *loan;
    out.loan.changed = true;
    out.posted = !already_posted;
    if (claim->has_value() && !already_posted) {
      SHG_RETURN_IF_ERROR(
          SettleClaim(db_, ctx_, (*claim)->repayment.id, repayment_id, std::nullopt));
    }
    if (out.posted) {
      SHG_RETURN_IF_ERROR(
          SettleAfterRepayment(db_, ctx_, programme_, out.loan.loan, actor, out.loan.entered));
    }
    if (claim->has_value()) {
      Result<RepaymentRow> matched = LoadRepayment(db_, (*claim)->repayment.id);
      if (!matched.ok()) return matched.status();
      out.matched = std::move(matched->repayment);
    }
    Result<RepaymentRow> row = LoadRepayment(db_, repayment_id);
    if (!row.ok()) return row.status();
    out.repayment = std::move(row->repayment);
    return out;
  });
}

// --------------------------------------------------------------- scheduler

Result<SchedulerRun> Loans::RunScheduler(const Actor& actor) {
  SHG_RETURN_IF_ERROR(CheckActor(actor));
  return store::InSavepoint(db_, [&]() -> Result<SchedulerRun> {
    SchedulerRun run;
    if (programme_.request_expiry_days > 0) {
      const int64_t cutoff = ctx_.now - programme_.request_expiry_days * kDaySeconds;
      Result<std::vector<int64_t>> ids = Ids(db_, kExpirable, cutoff);
      if (!ids.ok()) return ids.status();
      for (int64_t id : *ids) {
        Result<Loan> loan = LoadLoan(db_, id);
        if (!loan.ok()) return loan.status();
        LoanChange change;
        change.loan = std::move(*loan);
        change.changed = true;
        SHG_RETURN_IF_ERROR(Advance(
            db_, ctx_, change.loan, LoanEvent::kExpire, actor,
            "no change for " + std::to_string(programme_.request_expiry_days) + " days",
            change.entered));
        run.changes.push_back(std::move(change));
      }
    }
    Result<std::vector<int64_t>> ids = Ids(db_, kRepaying, std::nullopt);
    if (!ids.ok()) return ids.status();
    const int64_t past_grace = ctx_.now - programme_.grace_days * kDaySeconds;
    for (int64_t id : *ids) {
      Result<Loan> loan = LoadLoan(db_, id);
      if (!loan.ok()) return loan.status();
      Result<std::vector<Instalment>> schedule = LoadSchedule(db_, id);
      if (!schedule.ok()) return schedule.status();
      if (loan->state == LoanState::kDisbursed) {
        const ScheduleStatus late = StatusAfter(*schedule, loan->repaid, past_grace);
        if (late.overdue > 0) {
          LoanChange change;
          change.loan = *loan;
          change.changed = true;
          SHG_RETURN_IF_ERROR(Advance(db_, ctx_, change.loan, LoanEvent::kFallOverdue, actor,
                                      "overdue " + std::to_string(late.overdue),
                                      change.entered));
          *loan = change.loan;
          run.changes.push_back(std::move(change));
        }
      }
      const ScheduleStatus now = StatusAfter(*schedule, loan->repaid, ctx_.now);
      if (now.next_due && now.next_due->due_at >= ctx_.now &&
          now.next_due->due_at <= ctx_.now + kDaySeconds) {
        run.reminders.push_back(DueReminder{*loan, *now.next_due});
      }
    }
    return run;
  });
}

// ---------------------------------------------------------------- referral

Result<std::string> Loans::Referral(int64_t loan_id) {
  Result<Loan> loan = LoadLoan(db_, loan_id);
  if (!loan.ok()) return loan.status();
  int64_t joined_at = 0;
  std::string group_name;
  std::string country;
  {
    Statement& st = db_.Prepare(kReferralMember);
    st.Bind(1, loan->member_id);
    Result<bool> read = store::QueryOne(
        st,
        [&](const Statement& row) {
          joined_at = row.Int(0);
          group_name = row.Text(1);
          country = row.Text(2);
          return true;
        },
        Status::NotFound("member " + std::to_string(loan->member_id)));
    if (!read.ok()) return read.status();
  }
  namespace json = boost::json;
  // Names are free text: the document must be valid UTF-8 whatever is stored.
  json::object doc;
  doc["version"] = 1;
  doc["reference"] = loan->reference;
  doc["partner_id"] = loan->partner_id;
  doc["created_at"] = loan->created_at;
  doc["member"] = {{"id", loan->member_id},
                   {"name", SanitizeUtf8(loan->member_name)},
                   {"phone", loan->member_phone},
                   {"language", loan->member_language},
                   {"joined_at", joined_at},
                   {"consent_at", loan->consent_at}};
  doc["group"] = {{"id", loan->group_id},
                  {"name", SanitizeUtf8(group_name)},
                  {"country", country},
                  {"currency", loan->currency}};
  doc["loan"] = {{"amount_minor", loan->amount},
                 {"currency", loan->currency},
                 {"purpose", loan->purpose},
                 {"term_months", loan->term_months}};
  {
    Statement& st = db_.Prepare(kReferralSavingsTotals);
    st.Bind(1, loan->member_id);
    Result<bool> read = store::QueryOne(
        st,
        [&doc](const Statement& row) {
          doc["savings"] = {{"confirmed_count", row.Int(0)}, {"confirmed_total_minor", row.Int(1)}};
          return true;
        },
        Status::Internal("savings totals query returned no row"));
    if (!read.ok()) return read.status();
  }
  {
    Statement& st = db_.Prepare(kReferralSavingsHistory);
    st.Bind(1, loan->member_id);
    json::array history;
    SHG_RETURN_IF_ERROR(store::ForEachRow(st, [&history](const Statement& row) {
      history.push_back(json::object{{"at", row.Int(0)}, {"amount_minor", row.Int(1)}});
    }));
    doc["savings"].as_object()["history"] = std::move(history);
  }
  Result<bool> trained = Services(db_, ctx_).CompletedTraining(loan->member_id);
  if (!trained.ok()) return trained.status();
  {
    Statement& st = db_.Prepare(kReferralTraining);
    st.Bind(1, loan->member_id);
    json::array modules;
    SHG_RETURN_IF_ERROR(store::ForEachRow(st, [&modules](const Statement& row) {
      modules.push_back(
          json::object{{"id", row.Text(0)}, {"step", row.Int(1)}, {"completed_at", row.Int(2)}});
    }));
    doc["training"] = {{"completed", *trained}, {"modules", std::move(modules)}};
  }
  return json::serialize(doc);
}

}  // namespace shg
