// GET  /staff/members/{id}            balances, statement (paged, ?from=<offset>),
//                                     current loan, training
// POST /staff/members/{id}/pin-reset  one-time PIN by SMS, as the API's
//                                     pin-reset (never shown to staff)
// POST /staff/members/{id}/training   record module `module`
#include "dialogs/receipts.h"
#include "gateway/dashboard/page.h"

namespace shg::gateway::dashboard {
namespace {

constexpr int kLinesPerPage = 50;

void Figure(Html& h, std::string_view label, const std::string& value, const std::string& id) {
  h.open("div").element("dt", label).element("dd", value, {{"id", id}}).close("div");
}

View MemberPage(Screen& s, Unit& unit) {
  auto id = s.PathId("id");
  if (!id) return NotFound("member");
  Member m;
  if (auto e = CheckMember(s, unit, *id, &m)) return *e;
  auto group = unit.services.GetGroup(m.group_id);
  if (!group.ok()) return FromStatus(group.status());
  auto b = unit.services.BalancesFor(m.id);
  if (!b.ok()) return FromStatus(b.status());
  const std::string mid = std::to_string(m.id);
  View v;
  v.title = m.name;
  Html h;
  Notice(h, s);
  h.open("p", {{"class", "muted"}, {"id", "member-profile"}});
  h.element("a", group->name, {{"href", "/staff/groups/" + std::to_string(group->id)}});
  h.text(std::string(" · ") + RoleName(m.role) + " · " + PhoneFor(s.who, m.phone) + " · " +
         m.language + " · " + (m.active ? "active" : "exited") + " · joined " +
         Date(m.joined_at));
  h.text(std::string(" · PIN ") +
         (!m.has_pin ? "not set" : m.pin_locked ? "locked" : m.pin_must_change ? "one-time" : "set"));
  h.close("p");

  h.open("dl", {{"class", "figures"}, {"id", "member-balances"}});
  Figure(h, "Confirmed savings", Money(b->savings_confirmed, b->currency), "member-savings");
  Figure(h, "Pending savings", Money(b->savings_pending, b->currency), "member-pending");
  Figure(h, "Loan outstanding", Money(b->loan_outstanding, b->currency), "member-loan-outstanding");
  Figure(h, "Group loan fund", Money(b->group_fund, b->currency), "member-group-fund");
  h.close("dl");

  if (s.who.MayEditMembers() && m.active) {
    h.open("form", {{"method", "post"},
                    {"action", "/staff/members/" + mid + "/pin-reset"},
                    {"name", "reset-pin"},
                    {"id", "reset-pin-form"}});
    h.csrf(s.csrf);
    h.open("p").element("button", "Reset PIN (one-time PIN by SMS)",
                        {{"type", "submit"}, {"id", "reset-pin"}});
    h.close("p").close("form");
  }

  // Her loan.
  Loans loans(unit.conn, unit.ctx, s.programme);
  auto loan = loans.CurrentLoan(m.id);
  if (!loan.ok()) return FromStatus(loan.status());
  h.element("h2", "Loan");
  if (!loan->has_value()) {
    h.element("p", "No loan.", {{"class", "muted"}, {"id", "loan"}});
  } else {
    const LoanView& lv = **loan;
    const Loan& l = lv.loan;
    h.open("dl", {{"class", "figures"}, {"id", "loan"}, {"data-reference", l.reference}});
    Figure(h, "Reference", l.reference, "loan-reference");
    Figure(h, "State", LoanStateName(l.state), "loan-state");
    Figure(h, "Amount", Money(l.approved_amount != 0 ? l.approved_amount : l.amount, l.currency),
           "loan-amount");
    Figure(h, "Outstanding", Money(l.outstanding, l.currency), "loan-outstanding");
    Figure(h, "Overdue", Money(lv.status.overdue, l.currency), "loan-overdue");
    Figure(h, "Partner", l.partner_id, "loan-partner");
    h.close("dl");
  }

  // Training.
  Directory dir(unit.conn, unit.ctx);
  auto training = dir.Training(m.id);
  if (!training.ok()) return FromStatus(training.status());
  h.element("h2", "Training");
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", "member-training"}});
  h.open("tr").element("th", "Step").element("th", "Module").element("th", "Completed");
  h.element("th", "Recorded by").close("tr");
  bool missing = false;
  for (const TrainingProgress& t : *training) {
    missing = missing || t.completed_at == 0;
    h.open("tr", {{"data-module", t.module_id}, {"data-done", t.completed_at != 0 ? "true" : "false"}});
    h.element("td", std::to_string(t.step)).element("td", t.title);
    h.element("td", t.completed_at != 0 ? Date(t.completed_at) : "—");
    h.element("td", t.recorded_by).close("tr");
  }
  h.close("table").close("div");
  if (missing && s.who.MayEditMembers() && m.active) {
    h.open("form", {{"method", "post"},
                    {"action", "/staff/members/" + mid + "/training"},
                    {"name", "record-training"},
                    {"id", "record-training-form"}});
    h.csrf(s.csrf);
    h.element("label", "Record a completed module", {{"for", "training-module"}});
    h.open("select", {{"name", "module"}, {"id", "training-module"}});
    for (const TrainingProgress& t : *training) {
      if (t.completed_at != 0) continue;
      h.element("option", "Step " + std::to_string(t.step) + ": " + t.title,
                {{"value", t.module_id}});
    }
    h.close("select");
    h.open("p").element("button", "Record", {{"type", "submit"}, {"id", "record-training"}});
    h.close("p").close("form");
  }

  // Statement, newest first (offset paging: lines have no id).
  const int64_t from = s.QueryInt("from");
  if (from > 1000000) return ErrorView(400, "from: too far");
  auto lines = unit.services.StatementFor(m.id, kLinesPerPage, static_cast<int>(from));
  if (!lines.ok()) return FromStatus(lines.status());
  h.element("h2", "Statement");
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", "statement"}});
  h.open("tr").element("th", "Date").element("th", "Kind").element("th", "Reference");
  h.element("th", "Status").element("th", "Amount", {{"class", "num"}});
  h.element("th", "Savings after", {{"class", "num"}}).close("tr");
  for (const StatementLine& l : *lines) {
    h.open("tr").element("td", Time(l.at)).element("td", l.kind).element("td", l.reference);
    h.element("td", SavingStatusName(l.status));
    h.element("td", Money(l.amount, b->currency), {{"class", "num"}});
    h.element("td", Money(l.balance_after, b->currency), {{"class", "num"}}).close("tr");
  }
  h.close("table").close("div");
  if (static_cast<int>(lines->size()) == kLinesPerPage) {
    NextLink(h, "/staff/members/" + mid, "from", from + kLinesPerPage);
  }
  v.body = h.take();
  return v;
}

View ResetPin(Screen& s, Unit& unit) {
  auto id = s.PathId("id");
  if (!id) return NotFound("member");
  Member m;
  if (auto e = CheckMember(s, unit, *id, &m)) return *e;
  if (!s.who.MayEditMembers()) return Forbidden("reset PINs");
  if (!m.active) return ErrorView(409, "She has exited the group.");
  auto group = unit.services.GetGroup(m.group_id);
  if (!group.ok()) return FromStatus(group.status());
  // As the API: the one-time PIN reaches her only by SMS, never staff.
  if (s.notifier.routing().For("", group->country).empty()) {
    return ErrorView(409, "No SMS channel reaches her country: reset her PIN with the CLI in person.");
  }
  const std::string otp = NewOneTimePin();
  if (Status st = unit.services.ResetPin(m.id, otp); !st.ok()) return FromStatus(st);
  std::string code = "*384*7#";
  for (const auto& ch : s.settings.channels) {
    if (!ch.service_code.empty()) {
      code = ch.service_code;
      break;
    }
  }
  auto sent = dialogs::SendPinReset(s.notifier, unit.messages, "", m, *group, otp, code);
  if (!sent.ok()) return FromStatus(sent.status());
  *s.wake_outbox = true;
  if (Status st = s.Audit(unit, "pin.reset", "member:" + std::to_string(m.id),
                          "sms=" + std::to_string(*sent));
      !st.ok()) {
    return FromStatus(st);
  }
  return Redirect("/staff/members/" + std::to_string(m.id) + "?done=pin-reset");
}

View RecordTraining(Screen& s, Unit& unit) {
  auto id = s.PathId("id");
  if (!id) return NotFound("member");
  Member m;
  if (auto e = CheckMember(s, unit, *id, &m)) return *e;
  if (!s.who.MayEditMembers()) return Forbidden("record training");
  if (!m.active) return ErrorView(409, "She has exited the group.");
  const std::string module = s.Field("module");
  auto modules = Directory(unit.conn, unit.ctx).Modules();
  if (!modules.ok()) return FromStatus(modules.status());
  bool known = false;
  for (const TrainingProgress& t : *modules) known = known || t.module_id == module;
  if (!known) return ErrorView(422, "module: not a configured training module");
  if (Status st = unit.services.RecordTraining(m.id, module, "staff:" + s.who.user.name); !st.ok()) {
    return FromStatus(st);
  }
  if (Status st = s.Audit(unit, "training.recorded", "member:" + std::to_string(m.id),
                          "module=" + module);
      !st.ok()) {
    return FromStatus(st);
  }
  // Back to the group's matrix when it came from there (only that page:
  // never a location the form chose).
  const std::string group_page = "/staff/groups/" + std::to_string(m.group_id);
  if (s.Field("back") == group_page) return Redirect(group_page + "?done=training#training");
  return Redirect("/staff/members/" + std::to_string(m.id) + "?done=training");
}

}  // namespace

void AddMemberRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/staff/members/{id}", MemberPage});
  routes.push_back({"POST", "/staff/members/{id}/pin-reset", ResetPin});
  routes.push_back({"POST", "/staff/members/{id}/training", RecordTraining});
}

}  // namespace shg::gateway::dashboard
