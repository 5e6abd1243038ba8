// Routes of loans:
//   GET  /api/v1/loans                     ?state= &group= &partner= &limit= &cursor= (by id)
//   GET  /api/v1/loans/{ref}               the loan, its events, schedule and repayments
//   POST /api/v1/loans/{ref}/decision      {"decision":"approve","amount","currency",
//                                            "term_months","rule"?,"annual_rate_bp"?}
//                                          | {"decision":"decline","reason"}
//   POST /api/v1/loans/{ref}/disbursement  {"amount","currency","transaction_id","disbursed_at"?}
//   POST /api/v1/loans/{ref}/repayments    {"payment_id","amount","currency","paid_at"?,
//                                            "claim_reference"?}
// Who sees a loan: admin and read-only staff every loan, a field officer
// her groups' loans, a partner its own loans (any other loan is 404).
// The three POSTs are the partner's events recorded by staff (an MFI
// without an API, or a partner user for its own loans): admin and partner
// only (403 for the other roles). Each queues the member's SMS as the CLI
// does; the same event again is 200 with "changed": false and queues
// nothing; an event that does not fit the loan's state is 409 with
// "state" (the loan's state now). Amounts are minor units of "currency",
// which must be the loan's.
#include <algorithm>
#include <initializer_list>

#include "dialogs/loan_notices.h"
#include "domain/phone.h"
#include "domain/reports.h"
#include "dialogs/partner_events.h"
#include "gateway/api/route.h"

namespace shg::gateway::api {
namespace {

const std::vector<std::string> kLoanColumns = {
    "reference",   "member_id",  "member_name",     "group_id",    "state",
    "currency",    "amount",     "approved_amount", "term_months", "partner_id",
    "outstanding", "created_at", "updated_at"};

json::object LoanJson(const Loan& l) {
  return {{"reference", l.reference},
          {"member_id", l.member_id},
          {"member_name", l.member_name},
          {"group_id", l.group_id},
          {"state", LoanStateName(l.state)},
          {"currency", l.currency},
          {"amount", l.amount},
          {"approved_amount", l.approved_amount},
          {"term_months", l.term_months},
          {"partner_id", l.partner_id},
          {"outstanding", l.outstanding},
          {"created_at", l.created_at},
          {"updated_at", l.updated_at}};
}

json::object LoanDetailJson(const Loan& l, const Principal& who) {
  json::object out = LoanJson(l);
  out["member_phone"] = who.MayEditMembers() ? l.member_phone : MaskPhone(l.member_phone);
  out["purpose"] = l.purpose;
  out["approved_term_months"] = l.approved_term_months;
  out["rule"] =
      l.approved_amount > 0 ? json::value(InterestRuleName(l.rule)) : json::value(nullptr);
  out["annual_rate_bp"] = l.annual_rate_bp;
  out["decline_reason"] = l.decline_reason;
  out["disbursed_at"] = l.disbursed_at == 0 ? json::value(nullptr) : json::value(l.disbursed_at);
  out["charged"] = l.charged;
  out["repaid"] = l.repaid;
  return out;
}

json::object InstalmentJson(const Instalment& i) {
  return {{"number", i.number},
          {"due_at", i.due_at},
          {"principal", i.principal},
          {"interest", i.interest},
          {"total", i.total}};
}

json::object RepaymentJson(const Repayment& r) {
  return {{"reference", r.reference},
          {"status", RepaymentStatusName(r.status)},
          {"amount", r.amount},
          {"currency", r.currency},
          {"source", r.source},
          {"payment_id", r.external_id.empty() ? json::value(nullptr) : json::value(r.external_id)},
          {"paid_at", r.paid_at == 0 ? json::value(nullptr) : json::value(r.paid_at)},
          {"created_at", r.created_at},
          {"matched_reference",
           r.matched_reference.empty() ? json::value(nullptr) : json::value(r.matched_reference)}};
}

ApiAnswer NoSuchLoan() { return Error(404, "not_found", "no such loan"); }

bool SeesLoan(const Principal& who, const Loan& l) {
  switch (who.user.role) {
    case StaffRole::kAdmin:
    case StaffRole::kReadOnly:
      return true;
    case StaffRole::kFieldOfficer:
      return who.MaySeeGroup(l.group_id);
    case StaffRole::kPartner:
      return !who.user.partner_id.empty() && l.partner_id == who.user.partner_id;
  }
  return false;
}

// The loan of the {ref} segment if the principal may see it, else 404.
std::optional<ApiAnswer> FindLoan(const ApiCall& call, Unit& unit, Loan* out) {
  auto it = call.path.find("ref");
  if (it == call.path.end() || it->second.empty() || it->second.size() > 32) return NoSuchLoan();
  auto loan = Loans(unit.conn, unit.ctx, call.programme).GetByReference(it->second);
  if (!loan.ok()) {
    return loan.status().code() == Status::Code::kNotFound ? NoSuchLoan()
                                                           : FromStatus(loan.status());
  }
  if (!SeesLoan(call.who, *loan)) return NoSuchLoan();
  *out = std::move(*loan);
  return std::nullopt;
}

std::optional<ApiAnswer> OnlyFields(const ApiCall& call,
                                    std::initializer_list<std::string_view> ok) {
  for (const auto& kv : call.body) {
    const std::string_view key(kv.key().data(), kv.key().size());
    if (std::find(ok.begin(), ok.end(), key) == ok.end()) {
      return Error(422, "invalid", std::string(kv.key()) + ": not a field of this request",
                   std::string(kv.key()));
    }
  }
  return std::nullopt;
}

// An amount in minor units with the currency beside it, which must be the
// loan's.
std::optional<ApiAnswer> AmountField(const ApiCall& call, const Loan& loan, int64_t* amount) {
  if (auto e = IntField(call, "amount", amount, true)) return e;
  std::string currency;
  if (auto e = StringField(call, "currency", &currency, true, 3)) return e;
  if (currency != loan.currency) {
    return Error(422, "invalid", "currency: the loan is in " + loan.currency, "currency");
  }
  return std::nullopt;
}

// An optional time field (Unix seconds, > 0); `now` when absent.
std::optional<ApiAnswer> TimeField(const ApiCall& call, const char* name, int64_t* out) {
  *out = call.now;
  int64_t v = 0;
  auto it = call.body.find(name);
  if (it == call.body.end() || it->value().is_null()) return std::nullopt;
  if (auto e = IntField(call, name, &v, false)) return e;
  if (v <= 0) return Error(422, "invalid", std::string(name) + ": Unix seconds", name);
  *out = v;
  return std::nullopt;
}

// ---- the staff-recorded partner event -----------------------------------

struct StaffEvent {
  enum class Kind { kDecision, kDisbursement, kRepayment } kind = Kind::kDecision;
  std::string partner_id;
  std::string reference;
  PartnerDecision decision;     // kDecision
  int64_t amount = 0;           // kDisbursement, kRepayment
  int64_t at = 0;               // disbursed_at / paid_at
  std::string external_id;      // transaction id / payment id
  std::string claim_reference;  // kRepayment, "" = none
};

struct StaffEventOutcome {
  LoanChange change;
  std::optional<RepaymentChange> repayment;  // kRepayment
  int sms = 0;                               // SMS notices she has for it
};

// Records the event and queues her SMS about it the way every partner event
// is recorded (dialogs/partner_events.h), in the caller's unit of work.
Status RecordStaffEvent(const StaffEvent& ev, const Actor& actor, const ApiCall& call, Unit& unit,
                        StaffEventOutcome* out) {
  dialogs::PartnerEvent event;
  event.kind = ev.kind == StaffEvent::Kind::kDecision       ? dialogs::PartnerEventKind::kDecision
               : ev.kind == StaffEvent::Kind::kDisbursement ? dialogs::PartnerEventKind::kDisbursement
                                                            : dialogs::PartnerEventKind::kRepayment;
  event.partner_id = ev.partner_id;
  event.reference = ev.reference;
  event.decision = ev.decision;
  event.amount = ev.amount;
  event.at = ev.at;
  event.external_id = ev.external_id;
  event.claim_reference = ev.claim_reference;
  Loans loans(unit.conn, unit.ctx, call.programme);
  auto r = dialogs::RecordPartnerEvent(event, actor, loans, unit.services, unit.messages,
                                       &call.notifier, &call.programme);
  if (!r.ok()) return r.status();
  out->change = r->change;
  out->sms = r->sms;
  if (ev.kind == StaffEvent::Kind::kRepayment) {
    RepaymentChange rc;
    rc.repayment = std::move(r->repayment);
    rc.loan = std::move(r->change);
    rc.posted = r->posted;
    out->repayment = std::move(rc);
  }
  return Status::Ok();
}

// 403 unless the principal may record partner events (admin, partner).
std::optional<ApiAnswer> CheckMayRecord(const ApiCall& call) {
  const StaffRole role = call.who.user.role;
  if (role != StaffRole::kAdmin && role != StaffRole::kPartner) {
    return Forbidden("record a partner's loan events");
  }
  return std::nullopt;
}

// Runs the event and answers: 409 with the loan's state when it does not
// fit, else the loan after it, audited when it changed something.
ApiAnswer Record(ApiCall& call, Unit& unit, const Loan& loan, StaffEvent ev,
                 const std::string& action, const std::string& detail) {
  ev.partner_id = loan.partner_id;
  ev.reference = loan.reference;
  const Actor actor{"staff", call.who.actor(), "api", call.request_id};
  StaffEventOutcome out;
  Status s = RecordStaffEvent(ev, actor, call, unit, &out);
  if (!s.ok()) {
    if (s.code() != Status::Code::kFailedPrecondition && s.code() != Status::Code::kAlreadyExists) {
      return FromStatus(s);
    }
    // Nothing was written (the domain's savepoint): the state as it is.
    ApiAnswer a = Error(409, "conflict", s.message());
    auto now = Loans(unit.conn, unit.ctx, call.programme).Get(loan.id);
    a.body.as_object()["state"] = LoanStateName(now.ok() ? now->state : loan.state);
    return a;
  }
  const Loan& after = out.change.loan;
  if (out.change.changed) {
    if (Status a = call.Audit(unit, action, "loan:" + std::to_string(loan.id),
                              detail + " state=" + LoanStateName(after.state));
        !a.ok()) {
      return FromStatus(a);
    }
  }
  if (out.sms > 0 && out.change.changed) *call.wake_outbox = true;
  json::object body{{"reference", after.reference},
                    {"state", LoanStateName(after.state)},
                    {"changed", out.change.changed},
                    {"sms_queued", out.change.changed ? out.sms : 0},
                    {"loan", LoanJson(after)}};
  if (out.repayment) {
    body["repayment"] = RepaymentJson(out.repayment->repayment);
    body["posted"] = out.repayment->posted;
  }
  return Ok(std::move(body));
}

// ---- handlers ---------------------------------------------------------------

ApiAnswer ListLoans(ApiCall& call, Unit& unit) {
  Page page;
  if (auto e = ParsePage(call, &page)) return *e;
  LoanFilter f;
  f.visible_to = call.who.user.role == StaffRole::kFieldOfficer ? call.who.user.id : 0;
  f.state = call.Query("state");
  if (!f.state.empty() && !ParseLoanState(f.state)) {
    return Error(400, "bad_query", "state: not a loan state", "state");
  }
  const std::string group = call.Query("group");
  if (!group.empty()) {
    call.path["group"] = group;
    auto id = call.PathId("group");
    if (!id) return Error(400, "bad_query", "group: a group id", "group");
    if (!call.who.MaySeeGroup(*id) && call.who.user.role != StaffRole::kPartner) {
      return NoSuchGroup();
    }
    f.group_id = *id;
  }
  f.partner_id = call.Query("partner");
  if (call.who.user.role == StaffRole::kPartner) {
    if (!f.partner_id.empty() && f.partner_id != call.who.user.partner_id) {
      return Error(404, "not_found", "no such partner");
    }
    f.partner_id = call.who.user.partner_id;
  }
  auto loans = Reports(unit.conn, call.now).LoanPage(f, page.after_id, page.limit);
  if (!loans.ok()) return FromStatus(loans.status());
  Table t;
  t.columns = kLoanColumns;
  for (const Loan& l : *loans) t.rows.push_back(LoanJson(l));
  if (static_cast<int>(loans->size()) == page.limit) t.next_cursor = EncodeCursor(loans->back().id);
  return List(std::move(t));
}

ApiAnswer GetLoan(ApiCall& call, Unit& unit) {
  Loan l;
  if (auto e = FindLoan(call, unit, &l)) return *e;
  json::object out = LoanDetailJson(l, call.who);
  auto events = Reports(unit.conn, call.now).LoanEvents(l.id);
  if (!events.ok()) return FromStatus(events.status());
  json::array ev;
  for (const LoanEventRow& e : *events) {
    ev.push_back({{"at", e.at},
                  {"event", e.event},
                  {"from", e.from_state.empty() ? json::value(nullptr) : json::value(e.from_state)},
                  {"to", e.to_state},
                  {"actor_kind", e.actor_kind},
                  {"actor", e.actor},
                  {"detail", e.detail}});
  }
  out["events"] = std::move(ev);
  Loans loans(unit.conn, unit.ctx, call.programme);
  auto schedule = loans.Schedule(l.id);
  if (!schedule.ok()) return FromStatus(schedule.status());
  json::array instalments;
  for (const Instalment& i : *schedule) instalments.push_back(InstalmentJson(i));
  const ScheduleStatus st = StatusAfter(*schedule, l.repaid, call.now);
  out["schedule"] = std::move(instalments);
  out["schedule_status"] = json::object{
      {"outstanding", st.outstanding},
      {"overdue", st.overdue},
      {"instalments_paid", st.instalments_paid},
      {"next_due", st.next_due ? json::value(InstalmentJson(*st.next_due)) : json::value(nullptr)}};
  auto repayments = loans.RepaymentsOf(l.id);
  if (!repayments.ok()) return FromStatus(repayments.status());
  json::array reps;
  for (const Repayment& r : *repayments) reps.push_back(RepaymentJson(r));
  out["repayments"] = std::move(reps);
  return Ok(std::move(out));
}

const LoanProduct* ProductOf(const ApiCall& call, const Loan& loan) {
  for (const LoanProduct& p : call.programme.products) {
    if (p.partner_id == loan.partner_id && p.currency == loan.currency) return &p;
  }
  return nullptr;
}

ApiAnswer Decide(ApiCall& call, Unit& unit) {
  if (auto e = CheckMayRecord(call)) return *e;
  Loan loan;
  if (auto e = FindLoan(call, unit, &loan)) return *e;
  std::string decision;
  if (auto e = StringField(call, "decision", &decision, true, 10)) return *e;
  StaffEvent ev;
  ev.kind = StaffEvent::Kind::kDecision;
  std::string detail = "decision=" + decision;
  if (decision == "approve") {
    if (auto e = OnlyFields(
            call, {"decision", "amount", "currency", "term_months", "rule", "annual_rate_bp"})) {
      return *e;
    }
    int64_t amount = 0, term = 0;
    if (auto e = AmountField(call, loan, &amount)) return *e;
    if (auto e = IntField(call, "term_months", &term, true)) return *e;
    if (term < 1 || term > kMaxLoanTermMonths) {
      return Error(422, "invalid", "term_months: 1 to 60", "term_months");
    }
    const LoanProduct* product = ProductOf(call, loan);
    std::string rule;
    if (auto e = StringField(call, "rule", &rule, product == nullptr, 10)) return *e;
    if (!rule.empty() && rule != "flat" && rule != "declining") {
      return Error(422, "invalid", "rule: flat or declining", "rule");
    }
    int64_t rate = product != nullptr ? product->annual_rate_bp : 0;
    if (auto e = IntField(call, "annual_rate_bp", &rate, product == nullptr)) return *e;
    ev.decision.approved = true;
    ev.decision.amount = amount;
    ev.decision.term_months = static_cast<int>(term);
    ev.decision.rule = rule.empty()
                           ? product->rule
                           : (rule == "flat" ? InterestRule::kFlat : InterestRule::kDeclining);
    ev.decision.annual_rate_bp = rate;
    detail += " amount=" + std::to_string(amount) + " term=" + std::to_string(term);
  } else if (decision == "decline") {
    if (auto e = OnlyFields(call, {"decision", "reason"})) return *e;
    if (auto e = StringField(call, "reason", &ev.decision.reason, true, 640)) return *e;
  } else {
    return Error(422, "invalid", "decision: approve or decline", "decision");
  }
  return Record(call, unit, loan, std::move(ev), "loan.decision_recorded", detail);
}

ApiAnswer Disburse(ApiCall& call, Unit& unit) {
  if (auto e = CheckMayRecord(call)) return *e;
  Loan loan;
  if (auto e = FindLoan(call, unit, &loan)) return *e;
  if (auto e = OnlyFields(call, {"amount", "currency", "transaction_id", "disbursed_at"}))
    return *e;
  StaffEvent ev;
  ev.kind = StaffEvent::Kind::kDisbursement;
  if (auto e = AmountField(call, loan, &ev.amount)) return *e;
  if (auto e = StringField(call, "transaction_id", &ev.external_id, true, 100)) return *e;
  if (ev.external_id.empty()) {
    return Error(422, "invalid", "transaction_id: must not be empty", "transaction_id");
  }
  if (auto e = TimeField(call, "disbursed_at", &ev.at)) return *e;
  const std::string detail = "amount=" + std::to_string(ev.amount) + " tx=" + ev.external_id;
  return Record(call, unit, loan, std::move(ev), "loan.disbursement_recorded", detail);
}

ApiAnswer Repay(ApiCall& call, Unit& unit) {
  if (auto e = CheckMayRecord(call)) return *e;
  Loan loan;
  if (auto e = FindLoan(call, unit, &loan)) return *e;
  if (auto e =
          OnlyFields(call, {"payment_id", "amount", "currency", "paid_at", "claim_reference"})) {
    return *e;
  }
  StaffEvent ev;
  ev.kind = StaffEvent::Kind::kRepayment;
  if (auto e = StringField(call, "payment_id", &ev.external_id, true, 100)) return *e;
  if (ev.external_id.empty()) {
    return Error(422, "invalid", "payment_id: must not be empty", "payment_id");
  }
  if (auto e = AmountField(call, loan, &ev.amount)) return *e;
  if (auto e = TimeField(call, "paid_at", &ev.at)) return *e;
  if (auto e = StringField(call, "claim_reference", &ev.claim_reference, false, 100)) return *e;
  const std::string detail = "amount=" + std::to_string(ev.amount) + " payment=" + ev.external_id;
  return Record(call, unit, loan, std::move(ev), "loan.repayment_recorded", detail);
}

}  // namespace

void AddLoanRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/loans", ListLoans});
  routes.push_back({"GET", "/api/v1/loans/{ref}", GetLoan});
  routes.push_back({"POST", "/api/v1/loans/{ref}/decision", Decide});
  routes.push_back({"POST", "/api/v1/loans/{ref}/disbursement", Disburse});
  routes.push_back({"POST", "/api/v1/loans/{ref}/repayments", Repay});
}

}  // namespace shg::gateway::api
