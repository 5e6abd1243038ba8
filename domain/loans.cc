// Loans: the stored state machine shared by every event (loans_internal.h),
// the member side (offer, request, cancel, her loan, repayments she logs),
// group tasks (decide requests and repayments) and queries. The partner
// side, the scheduler and the referral document are in loans_partner.cc.
#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "domain/ledger.h"
#include "domain/paging.h"
#include "domain/loans.h"
#include "domain/loans_internal.h"
#include "domain/messages.h"
#include "domain/money.h"
#include "domain/utf8.h"
#include "domain/model.h"
#include "domain/officers.h"
#include "domain/refcode.h"

namespace shg {
namespace loans_internal {
namespace {

using store::Connection;
using store::Statement;

constexpr char kLoanById[] = SHG_LOAN_SELECT " WHERE l.id = ?";
constexpr char kRepaymentById[] = SHG_REPAYMENT_SELECT " WHERE r.id = ?";
constexpr char kSchedule[] =
    "SELECT number, due_at, principal, interest, total FROM loan_instalments"
    " WHERE loan_id = ? ORDER BY number";
constexpr char kSetState[] =
    "UPDATE loans SET state = ?, updated_at = ? WHERE id = ? AND state = ?";
constexpr char kInsertEvent[] =
    "INSERT INTO loan_events (loan_id, event, from_state, to_state, actor_kind, actor, detail,"
    " at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

Result<InterestRule> ParseRule(const std::string& s) {
  if (s == "flat") return InterestRule::kFlat;
  if (s == "declining") return InterestRule::kDeclining;
  return Status::Internal("unknown interest rule '" + s + "'");
}

Result<RepaymentStatus> ParseRepaymentStatus(const std::string& s) {
  if (s == "pending") return RepaymentStatus::kPending;
  if (s == "confirmed") return RepaymentStatus::kConfirmed;
  if (s == "rejected") return RepaymentStatus::kRejected;
  if (s == "settled") return RepaymentStatus::kSettled;
  return Status::Internal("unknown repayment status '" + s + "'");
}

Result<RepaymentRow> ReadRepayment(const Statement& st) {
  RepaymentRow row;
  Repayment& r = row.repayment;
  r.id = st.Int(0);
  r.loan_id = st.Int(1);
  r.loan_reference = st.Text(2);
  r.member_id = st.Int(3);
  r.member_name = st.Text(4);
  r.amount = st.Int(5);
  r.currency = st.Text(6);
  Result<RepaymentStatus> status = ParseRepaymentStatus(st.Text(7));
  if (!status.ok()) return status.status();
  r.status = *status;
  r.reference = st.Text(8);
  r.source = st.Text(9);
  r.external_id = st.Text(10);
  r.created_at = st.Int(11);
  row.group_id = st.Int(12);
  r.paid_at = st.Int(13);
  r.matched_id = st.Int(14);
  r.matched_reference = st.Text(15);
  r.matched_payment_id = st.Text(16);
  return row;
}

}  // namespace

Result<Loan> ReadLoan(const Statement& st) {
  Loan l;
  l.id = st.Int(0);
  l.reference = st.Text(1);
  l.member_id = st.Int(2);
  l.group_id = st.Int(3);
  l.member_name = st.Text(4);
  l.member_phone = st.Text(5);
  l.member_language = st.Text(6);
  l.currency = st.Text(7);
  l.amount = st.Int(8);
  l.purpose = st.Text(9);
  l.term_months = static_cast<int>(st.Int(10));
  std::optional<LoanState> state = ParseLoanState(st.Text(11));
  if (!state) return Status::Internal("loan " + std::to_string(l.id) + " has an unknown state");
  l.state = *state;
  l.partner_id = st.Text(12);
  l.consent_at = st.Int(13);
  l.approved_amount = st.Int(14);
  l.approved_term_months = static_cast<int>(st.Int(15));
  Result<InterestRule> rule = ParseRule(st.Text(16));
  if (!rule.ok()) return rule.status();
  l.rule = *rule;
  l.annual_rate_bp = st.Int(17);
  l.decline_reason = st.Text(18);
  l.disbursed_at = st.Int(19);
  l.created_at = st.Int(20);
  l.updated_at = st.Int(21);
  l.charged = st.Int(22);
  l.repaid = st.Int(23);
  l.outstanding = l.charged - l.repaid;
  const std::string source = st.Text(24);
  if (source == "group") {
    l.source = LoanSource::kGroup;
  } else if (source != "mfi") {
    return Status::Internal("loan " + std::to_string(l.id) + " has an unknown source");
  }
  l.cycle_id = st.Int(25);
  l.cycle_flat_rate_bp_per_month = st.Int(26);
  return l;
}

Result<std::vector<Loan>> ReadLoans(Statement& st) { return store::CollectRows(st, ReadLoan); }

Result<std::optional<Loan>> OneLoan(Statement& st) { return store::QueryOptional(st, ReadLoan); }

Result<Loan> LoadLoan(Connection& db, int64_t loan_id) {
  Statement& st = db.Prepare(kLoanById);
  st.Bind(1, loan_id);
  Result<std::optional<Loan>> loan = OneLoan(st);
  if (!loan.ok()) return loan.status();
  if (!loan->has_value()) return Status::NotFound("loan " + std::to_string(loan_id));
  return std::move(**loan);
}

Result<std::optional<RepaymentRow>> OneRepayment(Statement& st) {
  return store::QueryOptional(st, ReadRepayment);
}

Result<RepaymentRow> LoadRepayment(Connection& db, int64_t repayment_id) {
  Statement& st = db.Prepare(kRepaymentById);
  st.Bind(1, repayment_id);
  Result<std::optional<RepaymentRow>> r = OneRepayment(st);
  if (!r.ok()) return r.status();
  if (!r->has_value()) return Status::NotFound("repayment " + std::to_string(repayment_id));
  return std::move(**r);
}

Result<std::vector<Instalment>> LoadSchedule(Connection& db, int64_t loan_id) {
  Statement& st = db.Prepare(kSchedule);
  st.Bind(1, loan_id);
  return store::CollectRows(st, [](const Statement& row) {
    Instalment i;
    i.number = static_cast<int>(row.Int(0));
    i.due_at = row.Int(1);
    i.principal = row.Int(2);
    i.interest = row.Int(3);
    i.total = row.Int(4);
    return i;
  });
}

Status StateError(LoanState state, const std::string& what) {
  return Status::FailedPrecondition(std::string("state ") + LoanStateName(state) + ": " + what);
}

Status CheckActor(const Actor& a) {
  if (a.kind != "member" && a.kind != "staff" && a.kind != "partner" && a.kind != "system") {
    return Status::InvalidArgument("actor kind must be member, staff, partner or system");
  }
  if (a.id.empty()) return Status::InvalidArgument("an actor needs an id");
  return Status::Ok();
}

bool IsPrintableText(const std::string& s, size_t max_chars) {
  if (s.empty() || !IsValidUtf8(s)) return false;
  size_t chars = 0;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
    if ((c & 0xC0) != 0x80) ++chars;  // not a continuation byte
  }
  return chars <= max_chars;
}

const LoanProduct* FindProduct(const LoanProgramme& programme, const std::string& partner_id,
                               const std::string& currency) {
  for (const LoanProduct& p : programme.products) {
    if (p.partner_id == partner_id && p.currency == currency) return &p;
  }
  return nullptr;
}

Result<std::string> NewUniqueReference(Connection& db, const char* exists_sql) {
  return WithFreshReference<std::string>(
      [&](std::string reference) -> Result<std::optional<std::string>> {
        Statement& st = db.Prepare(exists_sql);
        st.Bind(1, reference);
        Result<bool> taken = store::HasRow(st);
        if (!taken.ok()) return taken.status();
        if (*taken) return std::optional<std::string>();  // taken: try another
        return std::optional<std::string>(std::move(reference));
      });
}

Status RecordEvent(Connection& db, const DomainContext& ctx, int64_t loan_id,
                   const std::string& event, std::optional<LoanState> from, LoanState to,
                   const Actor& actor, const std::string& detail) {
  Statement& st = db.Prepare(kInsertEvent);
  st.Bind(1, loan_id).Bind(2, event);
  if (from) {
    st.Bind(3, std::string_view(LoanStateName(*from)));
  } else {
    st.BindNull(3);
  }
  SHG_RETURN_IF_ERROR(st.Bind(4, std::string_view(LoanStateName(to)))
                          .Bind(5, actor.kind)
                          .Bind(6, actor.id)
                          .Bind(7, detail)
                          .Bind(8, ctx.now)
                          .Run());
  return AuditLoan(db, ctx, loan_id, event, actor, detail);
}

Status AuditLoan(Connection& db, const DomainContext& ctx, int64_t loan_id,
                 const std::string& action, const Actor& actor, const std::string& detail) {
  AuditEntry e;
  e.actor_kind = actor.kind;
  e.actor = actor.id;
  e.action = "loan." + action;
  e.subject = "loan:" + std::to_string(loan_id);
  e.channel = actor.channel;
  e.request_id = actor.request_id;
  e.detail = detail;
  return Services(db, ctx).Audit(e);
}

Status Advance(Connection& db, const DomainContext& ctx, Loan& loan, LoanEvent event,
               const Actor& actor, const std::string& detail, std::vector<LoanState>& entered) {
  Result<LoanState> to = NextState(loan.state, event);
  if (!to.ok()) return StateError(loan.state, to.status().message());
  SHG_RETURN_IF_ERROR(db.Prepare(kSetState)
                          .Bind(1, std::string_view(LoanStateName(*to)))
                          .Bind(2, ctx.now)
                          .Bind(3, loan.id)
                          .Bind(4, std::string_view(LoanStateName(loan.state)))
                          .Run());
  if (db.Changes() != 1) return StateError(loan.state, "the loan changed meanwhile");
  SHG_RETURN_IF_ERROR(
      RecordEvent(db, ctx, loan.id, LoanEventName(event), loan.state, *to, actor, detail));
  loan.state = *to;
  loan.updated_at = ctx.now;
  entered.push_back(*to);
  return Status::Ok();
}

Result<int64_t> PostRepaymentJournal(Connection& db, const DomainContext& ctx, const Loan& loan,
                                     int64_t amount, const std::string& reference) {
  // An internal loan is repaid into the group's own fund.
  Result<int64_t> clearing =
      loan.source == LoanSource::kGroup
          ? ledger::GroupAccount(db, loan.group_id, ledger::AccountKind::kGroupLoanFund)
          : ledger::PartnerClearingAccount(db, loan.group_id, loan.partner_id, loan.currency,
                                           ctx.now);
  if (!clearing.ok()) return clearing.status();
  Result<int64_t> account =
      ledger::MemberAccount(db, loan.member_id, ledger::AccountKind::kMemberLoan);
  if (!account.ok()) return account.status();
  // Dr clearing (money passed on to the partner) or the fund / Cr her loan account.
  const std::array<ledger::PostingLine, 2> lines = {{{*clearing, amount}, {*account, -amount}}};
  const std::string memo = "repayment of loan " + loan.reference;
  ledger::JournalEntry e;
  e.group_id = loan.group_id;
  e.kind = "loan_repayment";
  e.currency = loan.currency;
  e.reference = reference;
  e.memo = memo;
  e.at = ctx.now;
  e.postings = lines;
  return ledger::Post(db, e);
}

Status SettleAfterRepayment(Connection& db, const DomainContext& ctx,
                            const LoanProgramme& programme, Loan& loan, const Actor& actor,
                            std::vector<LoanState>& entered) {
  Result<Loan> fresh = LoadLoan(db, loan.id);
  if (!fresh.ok()) return fresh.status();
  loan = std::move(*fresh);
  if (loan.outstanding <= 0) {
    return Advance(db, ctx, loan, LoanEvent::kRepayInFull, actor, "", entered);
  }
  if (loan.state != LoanState::kInArrears) return Status::Ok();
  Result<std::vector<Instalment>> schedule = LoadSchedule(db, loan.id);
  if (!schedule.ok()) return schedule.status();
  const ScheduleStatus status =
      StatusAfter(*schedule, loan.repaid, ctx.now - programme.grace_days * kDaySeconds);
  if (status.overdue > 0) return Status::Ok();
  return Advance(db, ctx, loan, LoanEvent::kCatchUp, actor, "", entered);
}

}  // namespace loans_internal

namespace {

using namespace loans_internal;  // NOLINT: this file implements them
using store::Connection;
using store::Statement;

constexpr char kMemberForLoan[] =
    "SELECT m.group_id, g.currency, m.status, m.joined_at FROM members m"
    " JOIN groups g ON g.id = m.group_id WHERE m.id = ?";
constexpr char kMemberExists[] = "SELECT 1 FROM members WHERE id = ?";
// Reversed savings no longer count (their journal was undone).
constexpr char kConfirmedSavings[] =
    "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM savings"
    " WHERE member_id = ? AND status = 'confirmed' AND reversal_journal_id IS NULL";
// Her most relevant loan: an open one first (newest), else the newest.
constexpr char kLoanFacts[] =
    "SELECT EXISTS (SELECT 1 FROM loans WHERE member_id = ?1 AND state = 'in_arrears'),"
    " EXISTS (SELECT 1 FROM loans WHERE member_id = ?1 AND state IN"
    "   ('requested', 'group_approved', 'referred_to_mfi', 'approved')),"
    " (SELECT state FROM loans WHERE member_id = ?1"
    "   ORDER BY state IN " SHG_LOAN_OPEN_STATES " DESC, id DESC LIMIT 1)";
constexpr char kCurrentLoan[] = SHG_LOAN_SELECT
    " WHERE l.member_id = ? ORDER BY l.state IN " SHG_LOAN_OPEN_STATES " DESC, l.id DESC LIMIT 1";
constexpr char kRepayingLoan[] = SHG_LOAN_SELECT
    " WHERE l.member_id = ? AND l.state IN ('disbursed', 'in_arrears') ORDER BY l.id DESC LIMIT 1";
constexpr char kLoanByKey[] = SHG_LOAN_SELECT " WHERE l.idempotency_key = ?";
constexpr char kLoanByReference[] = SHG_LOAN_SELECT " WHERE l.reference = ?";
constexpr char kPendingRequests[] = SHG_LOAN_SELECT
    " WHERE l.group_id = ? AND l.state = 'requested' ORDER BY l.created_at, l.id"
    " LIMIT ? OFFSET ?";
constexpr char kListAll[] = SHG_LOAN_SELECT " ORDER BY l.id DESC LIMIT ? OFFSET ?";
constexpr char kListState[] =
    SHG_LOAN_SELECT " WHERE l.state = ? ORDER BY l.id DESC LIMIT ? OFFSET ?";
constexpr char kLoanReferenceExists[] = "SELECT 1 FROM loans WHERE reference = ?";
constexpr char kInsertLoan[] =
    "INSERT INTO loans (reference, member_id, group_id, currency, amount, purpose, term_months,"
    " partner_id, consent_at, idempotency_key, channel, created_at, updated_at, cycle_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr char kRecordConsent[] = "UPDATE members SET consent_mfi_sharing_at = ? WHERE id = ?";
constexpr char kGroupDecision[] =
    "UPDATE loans SET group_decided_by = ?, group_decided_at = ?, decline_reason = ?"
    " WHERE id = ? AND state = 'requested'";
constexpr char kMarkReferred[] =
    "UPDATE loans SET referred_at = ? WHERE id = ? AND state = 'group_approved'";

constexpr char kPendingTotal[] =
    "SELECT COALESCE(SUM(amount), 0) FROM loan_repayments WHERE loan_id = ? AND status = 'pending'";
constexpr char kRepaymentByKey[] = SHG_REPAYMENT_SELECT " WHERE r.idempotency_key = ?";
constexpr char kRepaymentReferenceExists[] = "SELECT 1 FROM loan_repayments WHERE reference = ?";
constexpr char kInsertPendingRepayment[] =
    "INSERT INTO loan_repayments (loan_id, member_id, group_id, amount, currency, reference,"
    " source, idempotency_key, channel, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
// Her claim of a payment the partner already reported (and posted).
constexpr char kInsertSettledClaim[] =
    "INSERT INTO loan_repayments (loan_id, member_id, group_id, amount, currency, reference,"
    " source, idempotency_key, channel, created_at, status, decided_at, settled_by)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'settled', ?, ?) RETURNING id";
constexpr char kPendingRepayments[] = SHG_REPAYMENT_SELECT
    " WHERE r.group_id = ? AND r.status = 'pending' ORDER BY r.created_at, r.id LIMIT ? OFFSET ?";
constexpr char kRepaymentsOf[] = SHG_REPAYMENT_SELECT " WHERE r.loan_id = ? ORDER BY r.id";
constexpr char kConfirmRepayment[] =
    "UPDATE loan_repayments SET status = 'confirmed', decided_by = ?, decided_at = ?,"
    " journal_id = ? WHERE id = ? AND status = 'pending'";
constexpr char kRejectRepayment[] =
    "UPDATE loan_repayments SET status = 'rejected', decided_by = ?, decided_at = ?"
    " WHERE id = ? AND status = 'pending'";
constexpr char kHistory[] =
    "SELECT at, COALESCE(from_state, ''), to_state, event, actor_kind, actor FROM loan_events"
    " WHERE loan_id = ? ORDER BY id";

// A group decision's reason: the officer's words, shown to the member.
constexpr size_t kMaxReasonChars = 160;

// What the store knows about a member for eligibility.
struct MemberFacts {
  int64_t group_id = 0;
  std::string currency;
  EligibilityFacts facts;
  const LoanProduct* product = nullptr;  // first of the programme in her currency
  GroupFund fund;                        // her group's cycle and fund
  int64_t unit = 1;                      // one whole unit of her currency
};

Result<MemberFacts> LoadFacts(Connection& db, const DomainContext& ctx,
                              const LoanProgramme& programme, int64_t member_id) {
  MemberFacts f;
  f.facts.now = ctx.now;
  {
    Statement& st = db.Prepare(kMemberForLoan);
    st.Bind(1, member_id);
    Result<bool> read = store::QueryOne(
        st,
        [&f](const Statement& row) {
          f.group_id = row.Int(0);
          f.currency = row.Text(1);
          f.facts.member_active = row.Text(2) == "active";
          f.facts.joined_at = row.Int(3);
          return true;
        },
        Status::NotFound("member " + std::to_string(member_id)));
    if (!read.ok()) return read.status();
  }
  Result<bool> trained = Services(db, ctx).CompletedTraining(member_id);
  if (!trained.ok()) return trained.status();
  f.facts.trained = *trained;
  {
    Statement& st = db.Prepare(kConfirmedSavings);
    st.Bind(1, member_id);
    Result<bool> read = store::QueryOne(
        st,
        [&f](const Statement& row) {
          f.facts.confirmed_savings_count = static_cast<int>(row.Int(0));
          f.facts.confirmed_savings_total = row.Int(1);
          return true;
        },
        Status::Internal("savings facts query returned no row"));
    if (!read.ok()) return read.status();
  }
  {
    Statement& st = db.Prepare(kLoanFacts);
    st.Bind(1, member_id);
    Result<bool> read = store::QueryOne(
        st,
        [&f](const Statement& row) -> Result<bool> {
          f.facts.has_loan_in_arrears = row.Int(0) != 0;
          f.facts.has_open_request = row.Int(1) != 0;
          if (!row.IsNull(2)) {
            std::optional<LoanState> previous = ParseLoanState(row.Text(2));
            if (!previous) return Status::Internal("a loan has an unknown state");
            f.facts.previous_loan_state = previous;
          }
          return true;
        },
        Status::Internal("loan facts query returned no row"));
    if (!read.ok()) return read.status();
  }
  for (const LoanProduct& p : programme.products) {
    if (p.currency == f.currency) {
      f.product = &p;
      f.facts.product_min = p.min_amount;
      f.facts.product_max = p.max_amount;
      break;
    }
  }
  Result<GroupFund> fund = LoadGroupFund(db, programme, f.group_id, member_id);
  if (!fund.ok()) return fund.status();
  f.fund = std::move(*fund);
  Result<Currency> currency = FindCurrency(f.currency);
  if (currency.ok()) f.unit = ToMinor(1, *currency);
  return f;
}

// The refusal key of CheckEligibility, or "no_product" when she would pass
// the personal rules but no partner lends in her group's currency. When the
// group's fund may lend to her, the product's bounds do not stop her: only
// the personal rules (1..7) refuse.
std::string EligibilityRefusal(const LoanPolicy& policy, const MemberFacts& f) {
  const Ineligible r = CheckEligibility(policy, f.facts);
  const bool personal_ok = r == Ineligible::kNone || r == Ineligible::kAmountBelowMinimum;
  if (personal_ok && InternalLoanLimit(f.fund.facts) > 0) return "";
  if (f.product == nullptr && personal_ok) return "no_product";
  return r == Ineligible::kNone ? "" : IneligibleName(r);
}

// The product's limit for her (0 without a product or below its minimum).
int64_t MfiLimit(const LoanPolicy& policy, const MemberFacts& f) {
  return f.product == nullptr ? 0 : MaxLoanAmount(policy, f.facts);
}

// The least she may ask: the product's minimum, or one whole unit when the
// fund may lend to her (the MFI's minimum is not the group's).
int64_t MinAmount(const MemberFacts& f) {
  const int64_t product_min = f.product == nullptr ? 0 : f.product->min_amount;
  if (InternalLoanLimit(f.fund.facts) <= 0) return product_min;
  return f.product == nullptr ? f.unit : std::min(product_min, f.unit);
}

bool Contains(const std::vector<int>& v, int x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// officers::CheckDecider for a loan `noun` ("request", "repayment").
Status CheckDecider(Connection& db, int64_t decider, int64_t group_id, int64_t subject_member,
                    const std::string& noun) {
  return officers::CheckDecider(db, decider, group_id, subject_member, "a loan " + noun,
                                "loan " + noun);
}

Result<int64_t> PendingTotal(Connection& db, int64_t loan_id) {
  Statement& st = db.Prepare(kPendingTotal);
  st.Bind(1, loan_id);
  return store::QueryInt(st, 0);
}

// All rows of a bound repayment query (resets it).
Result<std::vector<Repayment>> ReadRepayments(Statement& st) {
  return store::CollectRows(st, [](const Statement& row) -> Result<Repayment> {
    Result<RepaymentRow> r = ReadRepayment(row);
    if (!r.ok()) return r.status();
    return std::move(r->repayment);
  });
}

}  // namespace

const char* RepaymentStatusName(RepaymentStatus s) {
  switch (s) {
    case RepaymentStatus::kPending: return "pending";
    case RepaymentStatus::kConfirmed: return "confirmed";
    case RepaymentStatus::kRejected: return "rejected";
    case RepaymentStatus::kSettled: return "settled";
  }
  return "pending";
}

std::string ReferralChannel(const std::string& partner_id) { return "partner:" + partner_id; }

const char* LoanSourceName(LoanSource s) { return s == LoanSource::kGroup ? "group" : "mfi"; }


// ------------------------------------------------------------- member side

Result<LoanOffer> Loans::OfferFor(int64_t member_id) {
  Result<MemberFacts> f = LoadFacts(db_, ctx_, programme_, member_id);
  if (!f.ok()) return f.status();
  LoanOffer offer;
  offer.refusal = EligibilityRefusal(programme_.policy, *f);
  offer.currency = f->currency;
  if (f->product != nullptr) {
    offer.min_amount = f->product->min_amount;
    offer.terms_months = f->product->terms_months;
    offer.mfi_terms_months = f->product->terms_months;
    offer.partner_id = f->product->partner_id;
    offer.partner_name = f->product->partner_name;
  }
  if (!offer.refusal.empty()) return offer;
  offer.mfi_max_amount = MfiLimit(programme_.policy, *f);
  offer.group_max_amount = InternalLoanLimit(f->fund.facts);
  offer.max_amount = std::max(offer.mfi_max_amount, offer.group_max_amount);
  offer.min_amount = MinAmount(*f);
  if (offer.group_max_amount > 0) {
    offer.group_max_term_months = f->fund.facts.rules.max_term_months;
    offer.group_annual_rate_bp = InternalAnnualRateBp(f->fund.facts.rules);
    for (int m : InternalLoanTerms(f->fund.facts)) offer.terms_months.push_back(m);
    std::sort(offer.terms_months.begin(), offer.terms_months.end());
    offer.terms_months.erase(std::unique(offer.terms_months.begin(), offer.terms_months.end()),
                             offer.terms_months.end());
  }
  return offer;
}

Result<RequestOutcome> Loans::Request(const LoanRequest& request, const Actor& actor) {
  SHG_RETURN_IF_ERROR(CheckActor(actor));
  // A retry with the same key returns the first request: before the rules,
  // which would now find her request open.
  if (!request.idempotency_key.empty()) {
    Statement& st = db_.Prepare(kLoanByKey);
    st.Bind(1, request.idempotency_key);
    Result<std::optional<Loan>> prior = OneLoan(st);
    if (!prior.ok()) return prior.status();
    if (prior->has_value()) {
      if ((*prior)->member_id != request.member_id) {
        return Status::AlreadyExists("idempotency key already used for another member");
      }
      RequestOutcome out;
      out.loan = std::move(**prior);
      return out;
    }
  }
  Result<MemberFacts> f = LoadFacts(db_, ctx_, programme_, request.member_id);
  if (!f.ok()) return f.status();
  RequestOutcome out;
  out.refusal = EligibilityRefusal(programme_.policy, *f);
  if (!out.refusal.empty()) return out;
  const int64_t group_max = InternalLoanLimit(f->fund.facts);
  if (group_max <= 0) {
    const Ineligible r = CheckRequest(programme_.policy, f->facts, request.amount,
                                      request.purpose, programme_.purposes, request.consent);
    if (r != Ineligible::kNone) {
      out.refusal = IneligibleName(r);
      return out;
    }
    if (!Contains(f->product->terms_months, request.term_months)) {
      out.refusal = "term_not_allowed";
      return out;
    }
  } else {
    // CheckRequest's order over the larger of the two limits, then the
    // term: it must suit the product (within its bounds) or the fund.
    const int64_t mfi_max = MfiLimit(programme_.policy, *f);
    const std::vector<std::string>& purposes = programme_.purposes;
    const bool mfi_fits = f->product != nullptr && request.amount >= f->product->min_amount &&
                          request.amount <= mfi_max &&
                          Contains(f->product->terms_months, request.term_months);
    if (request.amount > std::max(mfi_max, group_max)) {
      out.refusal = IneligibleName(Ineligible::kAmountAboveLimit);
    } else if (request.amount <= 0 || request.amount < MinAmount(*f)) {
      out.refusal = IneligibleName(Ineligible::kAmountBelowMinimum);
    } else if (std::find(purposes.begin(), purposes.end(), request.purpose) == purposes.end()) {
      out.refusal = IneligibleName(Ineligible::kPurposeNotAllowed);
    } else if (!request.consent) {
      out.refusal = IneligibleName(Ineligible::kNoConsent);
    } else if (!mfi_fits &&
               !InternalLoanApplies(f->fund.facts, request.amount, request.term_months)) {
      out.refusal = "term_not_allowed";
    }
    if (!out.refusal.empty()) return out;
  }

  const std::string partner_id = f->product != nullptr ? f->product->partner_id : "";
  Result<Loan> loan = store::InSavepoint(db_, [&]() -> Result<Loan> {
    Result<std::string> reference = NewUniqueReference(db_, kLoanReferenceExists);
    if (!reference.ok()) return reference.status();
    Statement& ins = db_.Prepare(kInsertLoan);
    ins.Bind(1, *reference)
        .Bind(2, request.member_id)
        .Bind(3, f->group_id)
        .Bind(4, f->currency)
        .Bind(5, request.amount)
        .Bind(6, request.purpose)
        .Bind(7, static_cast<int64_t>(request.term_months))
        .Bind(8, partner_id)
        .Bind(9, ctx_.now);
    if (request.idempotency_key.empty()) {
      ins.BindNull(10);
    } else {
      ins.Bind(10, request.idempotency_key);
    }
    ins.Bind(11, request.channel).Bind(12, ctx_.now).Bind(13, ctx_.now);
    if (f->fund.cycle_id != 0) {
      ins.Bind(14, f->fund.cycle_id);
    } else {
      ins.BindNull(14);
    }
    SHG_RETURN_IF_ERROR(ins.Run());
    const int64_t id = db_.ReturnedId();
    SHG_RETURN_IF_ERROR(
        db_.Prepare(kRecordConsent).Bind(1, ctx_.now).Bind(2, request.member_id).Run());
    const std::string detail = "amount " + std::to_string(request.amount) + " " + f->currency +
                               " purpose " + request.purpose + " term " +
                               std::to_string(request.term_months) + " partner " +
                               (partner_id.empty() ? "none" : partner_id) + " cycle " +
                               std::to_string(f->fund.cycle_id) + " consent";
    SHG_RETURN_IF_ERROR(RecordEvent(db_, ctx_, id, "request", std::nullopt,
                                    LoanState::kRequested, actor, detail));
    return LoadLoan(db_, id);
  });
  if (!loan.ok()) return loan.status();
  out.loan = std::move(*loan);
  return out;
}

Result<LoanChange> Loans::Cancel(int64_t loan_id, int64_t member_id, const Actor& actor) {
  SHG_RETURN_IF_ERROR(CheckActor(actor));
  Result<Loan> loan = LoadLoan(db_, loan_id);
  if (!loan.ok()) return loan.status();
  if (loan->member_id != member_id) {
    return Status::PermissionDenied("only the member herself may cancel her request");
  }
  return store::InSavepoint(db_, [&]() -> Result<LoanChange> {
    LoanChange change;
    change.loan = *loan;
    SHG_RETURN_IF_ERROR(
        Advance(db_, ctx_, change.loan, LoanEvent::kMemberCancel, actor, "", change.entered));
    change.changed = true;
    return change;
  });
}

Result<std::optional<LoanView>> Loans::CurrentLoan(int64_t member_id) {
  {
    Statement& st = db_.Prepare(kMemberExists);
    st.Bind(1, member_id);
    Result<bool> exists = store::HasRow(st);
    if (!exists.ok()) return exists.status();
    if (!*exists) return Status::NotFound("member " + std::to_string(member_id));
  }
  Statement& st = db_.Prepare(kCurrentLoan);
  st.Bind(1, member_id);
  Result<std::optional<Loan>> loan = OneLoan(st);
  if (!loan.ok()) return loan.status();
  if (!loan->has_value()) return std::optional<LoanView>();
  LoanView view;
  view.loan = std::move(**loan);
  Result<std::vector<Instalment>> schedule = LoadSchedule(db_, view.loan.id);
  if (!schedule.ok()) return schedule.status();
  view.schedule = std::move(*schedule);
  view.status = StatusAfter(view.schedule, view.loan.repaid, ctx_.now);
  Result<int64_t> pending = PendingTotal(db_, view.loan.id);
  if (!pending.ok()) return pending.status();
  view.pending_repayments = *pending;
  return std::optional<LoanView>(std::move(view));
}

Result<Repayment> Loans::LogRepayment(int64_t member_id, int64_t amount,
                                      const std::string& channel,
                                      const std::string& idempotency_key, const Actor& actor) {
  if (amount <= 0) return Status::InvalidArgument("amount must be more than zero");
  SHG_RETURN_IF_ERROR(CheckActor(actor));
  if (!idempotency_key.empty()) {
    Statement& st = db_.Prepare(kRepaymentByKey);
    st.Bind(1, idempotency_key);
    Result<std::optional<RepaymentRow>> prior = OneRepayment(st);
    if (!prior.ok()) return prior.status();
    if (prior->has_value()) {
      if ((*prior)->repayment.member_id != member_id) {
        return Status::AlreadyExists("idempotency key already used for another member");
      }
      return std::move((*prior)->repayment);
    }
  }
  Loan loan;
  bool being_repaid = true;
  {
    Statement& st = db_.Prepare(kRepayingLoan);
    st.Bind(1, member_id);
    Result<std::optional<Loan>> repaying = OneLoan(st);
    if (!repaying.ok()) return repaying.status();
    if (repaying->has_value()) {
      loan = std::move(**repaying);
    } else {
      Result<std::optional<LoanView>> current = CurrentLoan(member_id);
      if (!current.ok()) return current.status();
      if (!current->has_value()) return Status::FailedPrecondition("no loan being repaid");
      loan = std::move((*current)->loan);
      // A loan the partner's report has just repaid can still match her
      // claim of that same payment; nothing else is logged on it.
      if (loan.disbursed_at == 0) return StateError(loan.state, "no loan being repaid");
      being_repaid = false;
    }
  }
  Result<std::optional<RepaymentRow>> report =
      FindReportFor(db_, programme_, loan.id, amount, ctx_.now);
  if (!report.ok()) return report.status();
  if (!report->has_value() && !being_repaid) {
    return StateError(loan.state, "no loan being repaid");
  }
  if (!report->has_value()) {
    Result<int64_t> pending = PendingTotal(db_, loan.id);
    if (!pending.ok()) return pending.status();
    if (amount > loan.outstanding - *pending) {
      return Status::InvalidArgument("amount is above what is outstanding (" +
                                     std::to_string(loan.outstanding - *pending) +
                                     " after pending repayments)");
    }
  }
  Result<int64_t> id = store::InSavepoint(db_, [&]() -> Result<int64_t> {
    Result<std::string> reference = NewUniqueReference(db_, kRepaymentReferenceExists);
    if (!reference.ok()) return reference.status();
    // The partner's report already posted this payment: her claim is
    // recorded as settled by it, so it is neither pending nor posted again.
    Statement& ins =
        db_.Prepare(report->has_value() ? kInsertSettledClaim : kInsertPendingRepayment);
    ins.Bind(1, loan.id)
        .Bind(2, member_id)
        .Bind(3, loan.group_id)
        .Bind(4, amount)
        .Bind(5, loan.currency)
        .Bind(6, *reference)
        .Bind(7, std::string_view(actor.kind == "staff" ? "staff" : "member"));
    if (idempotency_key.empty()) {
      ins.BindNull(8);
    } else {
      ins.Bind(8, idempotency_key);
    }
    ins.Bind(9, channel).Bind(10, ctx_.now);
    std::string detail = "repayment " + *reference + " amount " + std::to_string(amount);
    if (report->has_value()) {
      const Repayment& by = (*report)->repayment;
      ins.Bind(11, ctx_.now).Bind(12, by.id);
      detail += " settled by repayment " + by.reference + " payment " + by.external_id;
    }
    SHG_RETURN_IF_ERROR(ins.Run());
    const int64_t rid = db_.ReturnedId();
    SHG_RETURN_IF_ERROR(AuditLoan(db_, ctx_, loan.id, "repayment_log", actor, detail));
    return rid;
  });
  if (!id.ok()) return id.status();
  Result<RepaymentRow> row = LoadRepayment(db_, *id);
  if (!row.ok()) return row.status();
  return std::move(row->repayment);
}

// ------------------------------------------------------------- group tasks

Result<std::vector<Loan>> Loans::PendingRequests(int64_t group_id, int limit, int offset) {
  SHG_RETURN_IF_ERROR(CheckPage(limit, offset));
  Statement& st = db_.Prepare(kPendingRequests);
  st.Bind(1, group_id).Bind(2, static_cast<int64_t>(limit)).Bind(3, static_cast<int64_t>(offset));
  return ReadLoans(st);
}

Result<LoanChange> Loans::GroupDecide(int64_t loan_id, int64_t decider_member_id, bool approve,
                                      const std::string& reason, const Actor& actor) {
  SHG_RETURN_IF_ERROR(CheckActor(actor));
  Result<Loan> loan = LoadLoan(db_, loan_id);
  if (!loan.ok()) return loan.status();
  SHG_RETURN_IF_ERROR(
      CheckDecider(db_, decider_member_id, loan->group_id, loan->member_id, "request"));
  if (loan->state != LoanState::kRequested) {
    return StateError(loan->state, "the group has already decided");
  }
  if (approve && loan->partner_id.empty()) {
    return Status::FailedPrecondition("partner: no MFI partner lends in " + loan->currency +
                                      " for this request; approve it from the group fund or "
                                      "decline it");
  }
  if (!approve && !reason.empty() && !IsPrintableText(reason, kMaxReasonChars)) {
    return Status::InvalidArgument("a decline reason is 1..160 printable characters");
  }
  return store::InSavepoint(db_, [&]() -> Result<LoanChange> {
    LoanChange change;
    change.loan = *loan;
    change.changed = true;
    SHG_RETURN_IF_ERROR(db_.Prepare(kGroupDecision)
                            .Bind(1, decider_member_id)
                            .Bind(2, ctx_.now)
                            .Bind(3, approve ? std::string() : reason)
                            .Bind(4, loan_id)
                            .Run());
    if (db_.Changes() != 1) return StateError(loan->state, "the loan changed meanwhile");
    const std::string by = "by member " + std::to_string(decider_member_id);
    if (!approve) {
      SHG_RETURN_IF_ERROR(Advance(db_, ctx_, change.loan, LoanEvent::kGroupDecline, actor,
                                  reason.empty() ? by : by + ": " + reason, change.entered));
      change.loan.decline_reason = reason;
      return change;
    }
    SHG_RETURN_IF_ERROR(Advance(db_, ctx_, change.loan, LoanEvent::kGroupApprove, actor, by,
                                change.entered));
    // An approval here is a referral to the partner chosen at request
    // time; the fund lends through GroupApproveFromFund.
    SHG_RETURN_IF_ERROR(db_.Prepare(kMarkReferred).Bind(1, ctx_.now).Bind(2, loan_id).Run());
    const LoanProduct* product = FindProduct(programme_, loan->partner_id, loan->currency);
    const bool has_api = product != nullptr && product->has_api;
    SHG_RETURN_IF_ERROR(Advance(db_, ctx_, change.loan, LoanEvent::kRefer, actor,
                                "partner " + loan->partner_id +
                                    (has_api ? " (outbox)" : " (recorded by staff)"),
                                change.entered));
    if (has_api) {
      Result<std::string> body = Referral(loan_id);
      if (!body.ok()) return body.status();
      NewMessage m;
      m.channel = ReferralChannel(loan->partner_id);
      m.member_id = loan->member_id;
      m.phone = loan->member_phone;
      m.kind = kReferralMessageKind;
      m.body = std::move(*body);
      m.encoding = "gsm7";  // not an SMS: the column needs a value
      m.segments = 1;
      m.dedupe_key = "referral:" + std::to_string(loan_id);
      Result<int64_t> queued = Messages(db_, ctx_.now * 1000).Enqueue(m);
      if (!queued.ok()) return queued.status();
    }
    return change;
  });
}

Result<std::vector<Repayment>> Loans::PendingRepayments(int64_t group_id, int limit, int offset) {
  SHG_RETURN_IF_ERROR(CheckPage(limit, offset));
  Statement& st = db_.Prepare(kPendingRepayments);
  st.Bind(1, group_id).Bind(2, static_cast<int64_t>(limit)).Bind(3, static_cast<int64_t>(offset));
  Result<std::vector<Repayment>> page = ReadRepayments(st);
  if (!page.ok()) return page.status();
  for (Repayment& r : *page) {
    Result<std::vector<PartnerReport>> near = ReportsNear(db_, programme_, r);
    if (!near.ok()) return near.status();
    r.partner_reported = std::move(*near);
  }
  return page;
}

Result<RepaymentChange> Loans::DecideRepayment(int64_t repayment_id, int64_t decider_member_id,
                                               bool confirm, const Actor& actor) {
  SHG_RETURN_IF_ERROR(CheckActor(actor));
  Result<RepaymentRow> row = LoadRepayment(db_, repayment_id);
  if (!row.ok()) return row.status();
  const Repayment& rep = row->repayment;
  SHG_RETURN_IF_ERROR(CheckDecider(db_, decider_member_id, row->group_id, rep.member_id,
                                   "repayment"));
  Result<Loan> loan = LoadLoan(db_, rep.loan_id);
  if (!loan.ok()) return loan.status();
  if (rep.status != RepaymentStatus::kPending) {
    return StateError(loan->state, "repayment " + rep.reference + " is already " +
                                       RepaymentStatusName(rep.status));
  }
  // Her claim of a payment the partner already reported is settled by that
  // report, not posted a second time.
  std::optional<RepaymentRow> report;
  if (confirm) {
    Result<std::optional<RepaymentRow>> found =
        FindReportFor(db_, programme_, loan->id, rep.amount, rep.created_at);
    if (!found.ok()) return found.status();
    report = std::move(*found);
  }
  if (confirm && !report) {
    if (loan->state != LoanState::kDisbursed && loan->state != LoanState::kInArrears) {
      return StateError(loan->state, "the loan is not being repaid");
    }
    if (rep.amount > loan->outstanding) {
      return StateError(loan->state, "repayment " + rep.reference +
                                         " is above what is outstanding (" +
                                         std::to_string(loan->outstanding) + ")");
    }
  }
  return store::InSavepoint(db_, [&]() -> Result<RepaymentChange> {
    RepaymentChange out;
    out.loan.loan = *loan;
    out.loan.changed = true;
    const std::string detail = "repayment " + rep.reference + " amount " +
                               std::to_string(rep.amount) + " by member " +
                               std::to_string(decider_member_id);
    if (!confirm) {
      SHG_RETURN_IF_ERROR(db_.Prepare(kRejectRepayment)
                              .Bind(1, decider_member_id)
                              .Bind(2, ctx_.now)
                              .Bind(3, repayment_id)
                              .Run());
      if (db_.Changes() != 1) return Status::FailedPrecondition("repayment is no longer pending");
      SHG_RETURN_IF_ERROR(AuditLoan(db_, ctx_, loan->id, "repayment_reject", actor, detail));
    } else if (report) {
      SHG_RETURN_IF_ERROR(
          SettleClaim(db_, ctx_, repayment_id, report->repayment.id, decider_member_id));
      SHG_RETURN_IF_ERROR(AuditLoan(db_, ctx_, loan->id, "repayment_settle", actor,
                                    detail + " settled by repayment " +
                                        report->repayment.reference + " payment " +
                                        report->repayment.external_id));
      Result<RepaymentRow> matched = LoadRepayment(db_, report->repayment.id);
      if (!matched.ok()) return matched.status();
      out.matched = std::move(matched->repayment);
    } else {
      Result<int64_t> journal = PostRepaymentJournal(db_, ctx_, *loan, rep.amount, rep.reference);
      if (!journal.ok()) return journal.status();
      SHG_RETURN_IF_ERROR(db_.Prepare(kConfirmRepayment)
                              .Bind(1, decider_member_id)
                              .Bind(2, ctx_.now)
                              .Bind(3, *journal)
                              .Bind(4, repayment_id)
                              .Run());
      if (db_.Changes() != 1) return Status::FailedPrecondition("repayment is no longer pending");
      SHG_RETURN_IF_ERROR(AuditLoan(db_, ctx_, loan->id, "repayment_confirm", actor, detail));
      SHG_RETURN_IF_ERROR(SettleAfterRepayment(db_, ctx_, programme_, out.loan.loan, actor,
                                               out.loan.entered));
      out.posted = true;
    }
    Result<RepaymentRow> after = LoadRepayment(db_, repayment_id);
    if (!after.ok()) return after.status();
    out.repayment = std::move(after->repayment);
    Result<Loan> fresh = LoadLoan(db_, loan->id);
    if (!fresh.ok()) return fresh.status();
    out.loan.loan = std::move(*fresh);
    return out;
  });
}

// ------------------------------------------------------------------ queries

Result<Loan> Loans::Get(int64_t loan_id) { return LoadLoan(db_, loan_id); }

Result<Loan> Loans::GetByReference(const std::string& reference) {
  Statement& st = db_.Prepare(kLoanByReference);
  st.Bind(1, NormalizeReference(reference));
  Result<std::optional<Loan>> loan = OneLoan(st);
  if (!loan.ok()) return loan.status();
  if (!loan->has_value()) return Status::NotFound("loan " + reference);
  return std::move(**loan);
}

Result<std::vector<Instalment>> Loans::Schedule(int64_t loan_id) {
  Result<Loan> loan = LoadLoan(db_, loan_id);
  if (!loan.ok()) return loan.status();
  return LoadSchedule(db_, loan_id);
}

Result<std::vector<Loan>> Loans::List(const std::string& state, int limit, int offset) {
  SHG_RETURN_IF_ERROR(CheckPage(limit, offset));
  if (state.empty()) {
    Statement& st = db_.Prepare(kListAll);
    st.Bind(1, static_cast<int64_t>(limit)).Bind(2, static_cast<int64_t>(offset));
    return ReadLoans(st);
  }
  if (!ParseLoanState(state)) return Status::InvalidArgument("unknown loan state '" + state + "'");
  Statement& st = db_.Prepare(kListState);
  st.Bind(1, state).Bind(2, static_cast<int64_t>(limit)).Bind(3, static_cast<int64_t>(offset));
  return ReadLoans(st);
}

Result<std::vector<Repayment>> Loans::RepaymentsOf(int64_t loan_id) {
  Result<Loan> loan = LoadLoan(db_, loan_id);
  if (!loan.ok()) return loan.status();
  Statement& st = db_.Prepare(kRepaymentsOf);
  st.Bind(1, loan_id);
  return ReadRepayments(st);
}

Result<std::vector<std::string>> Loans::History(int64_t loan_id) {
  Result<Loan> loan = LoadLoan(db_, loan_id);
  if (!loan.ok()) return loan.status();
  Statement& st = db_.Prepare(kHistory);
  st.Bind(1, loan_id);
  return store::CollectRows(st, [](const Statement& row) {
    return std::to_string(row.Int(0)) + " " + row.Text(1) + "->" + row.Text(2) + " " +
           row.Text(3) + " " + row.Text(4) + ":" + row.Text(5);
  });
}

}  // namespace shg
