// GET /staff/groups/{id}: the group's figures (Directory::Overview), its
// members (paged, ?after=<member id>) with their savings (BalancesFor),
// savings by month (SVG), the training matrix members x modules (with a
// "record" button per missing module for staff who edit members), pending
// savings and pending repayment claims; a link to its savings cycle
// (cycles.cc).
#include "gateway/dashboard/page.h"

namespace shg::gateway::dashboard {
namespace {

constexpr int kMembersPerPage = 50;
constexpr int kPendingShown = 50;

void Figure(Html& h, std::string_view label, const std::string& value, const std::string& id) {
  h.open("div").element("dt", label).element("dd", value, {{"id", id}}).close("div");
}

// A small form recording one module for one member (POST
// /staff/members/{id}/training), back to `back`.
void TrainingButton(Html& h, const Screen& s, int64_t member_id, const std::string& module_id,
                    const std::string& back) {
  const std::string mid = std::to_string(member_id);
  h.open("form", {{"method", "post"},
                  {"action", "/staff/members/" + mid + "/training"},
                  {"name", "record-training"},
                  {"class", "inline small"},
                  {"id", "record-training-" + mid + "-" + module_id}});
  h.csrf(s.csrf);
  h.empty("input", {{"type", "hidden"}, {"name", "module"}, {"value", module_id}});
  h.empty("input", {{"type", "hidden"}, {"name", "back"}, {"value", back}});
  h.element("button", "Record", {{"type", "submit"}});
  h.close("form");
}

View GroupPage(Screen& s, Unit& unit) {
  auto id = s.PathId("id");
  if (!id) return NotFound("group");
  Group g;
  if (auto e = CheckGroup(s, unit, *id, &g)) return *e;
  Directory dir(unit.conn, unit.ctx);
  auto o = dir.Overview(g.id);
  if (!o.ok()) return FromStatus(o.status());
  const std::string gid = std::to_string(g.id);
  View v;
  v.title = g.name;
  Html h;
  Notice(h, s);
  h.open("p", {{"class", "muted"}})
      .text(g.country + " · " + g.currency + " · " + g.status +
            (g.meeting_day.empty() ? "" : " · meets " + g.meeting_day) +
            (g.meeting_place.empty() ? "" : ", " + g.meeting_place))
      .close("p");
  h.open("dl", {{"class", "figures"}, {"id", "group-figures"}, {"data-group", gid}});
  Figure(h, "Active members", std::to_string(o->members), "group-members-count");
  Figure(h, "Confirmed savings", Money(o->savings_confirmed, g.currency), "group-savings");
  Figure(h, "Loan fund", Money(o->group_fund, g.currency), "group-fund");
  Figure(h, "Social fund", Money(o->social_fund, g.currency), "social-fund");
  Figure(h, "Pending savings",
         std::to_string(o->pending_savings) + " (" +
             Money(o->pending_savings_amount, g.currency) + ")",
         "pending-savings-count");
  Figure(h, "Pending repayments", std::to_string(o->pending_repayments),
         "pending-repayments-count");
  Figure(h, "Loan requests", std::to_string(o->pending_loan_requests), "pending-loan-requests");
  h.close("dl");
  h.open("p").element("a", "Savings cycle, fines, social fund and share-out",
                      {{"href", "/staff/groups/" + gid + "/cycle"}, {"id", "cycle-link"}});
  h.close("p");

  // Members.
  MemberFilter f;
  f.group_id = g.id;
  auto members = dir.Members(f, s.QueryInt("after"), kMembersPerPage);
  if (!members.ok()) return FromStatus(members.status());
  h.element("h2", "Members");
  if (s.who.MayEditMembers()) {
    h.open("p").element("a", "Import members from CSV",
                        {{"href", "/staff/groups/" + gid + "/import"}, {"id", "import-link"}});
    h.close("p");
  }
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", "members"}});
  h.open("tr").element("th", "Name").element("th", "Role").element("th", "Phone");
  h.element("th", "PIN").element("th", "Savings", {{"class", "num"}});
  h.element("th", "Pending", {{"class", "num"}}).close("tr");
  for (const Member& m : *members) {
    auto b = unit.services.BalancesFor(m.id);
    if (!b.ok()) return FromStatus(b.status());
    const std::string mid = std::to_string(m.id);
    h.open("tr", {{"id", "member-" + mid}});
    h.open("td").element("a", m.name, {{"href", "/staff/members/" + mid}}).close("td");
    h.element("td", RoleName(m.role)).element("td", PhoneFor(s.who, m.phone));
    h.element("td", !m.has_pin ? "not set" : m.pin_locked ? "locked" : m.pin_must_change ? "one-time" : "set");
    h.element("td", Money(b->savings_confirmed, b->currency), {{"class", "num"}});
    h.element("td", Money(b->savings_pending, b->currency), {{"class", "num"}});
    h.close("tr");
  }
  h.close("table").close("div");
  if (static_cast<int>(members->size()) == kMembersPerPage) {
    NextLink(h, "/staff/groups/" + gid, "after", members->back().id);
  }

  // Savings by month: the same postings as the total above.
  auto months = SavingsByMonth(unit, g.id);
  if (!months.ok()) return FromStatus(months.status());
  h.element("h2", "Savings by month");
  SavingsChart(h, *months, g.currency);
  if (!months->empty()) {
    int64_t sum = 0;
    h.open("div", {{"class", "scroll"}}).open("table", {{"id", "savings-by-month"}});
    h.open("tr").element("th", "Month").element("th", "Confirmed", {{"class", "num"}}).close("tr");
    for (const MonthTotal& m : *months) {
      sum += m.amount;
      h.open("tr", {{"data-month", m.month}}).element("td", m.month);
      h.element("td", Money(m.amount, g.currency), {{"class", "num"}}).close("tr");
    }
    h.open("tr").element("th", "Total");
    h.element("th", Money(sum, g.currency), {{"class", "num"}, {"id", "savings-by-month-total"}});
    h.close("tr").close("table").close("div");
  }

  // Training matrix: the members of this page x every module.
  auto modules = dir.Modules();
  if (!modules.ok()) return FromStatus(modules.status());
  h.element("h2", "Training");
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", "training"}});
  h.open("tr").element("th", "Member");
  for (const TrainingProgress& mod : *modules) {
    h.element("th", "Step " + std::to_string(mod.step) + ": " + mod.title,
              {{"data-module", mod.module_id}});
  }
  h.close("tr");
  const std::string back = "/staff/groups/" + gid;
  for (const Member& m : *members) {
    auto done = dir.Training(m.id);
    if (!done.ok()) return FromStatus(done.status());
    h.open("tr", {{"id", "training-" + std::to_string(m.id)}}).element("td", m.name);
    for (const TrainingProgress& t : *done) {
      if (t.completed_at != 0) {
        h.element("td", "✓ " + Date(t.completed_at),
                  {{"data-module", t.module_id}, {"data-done", "true"}});
      } else {
        h.open("td", {{"data-module", t.module_id}, {"data-done", "false"}});
        if (s.who.MayEditMembers()) TrainingButton(h, s, m.id, t.module_id, back);
        else h.text("—");
        h.close("td");
      }
    }
    h.close("tr");
  }
  h.close("table").close("div");

  // Pending savings (the treasurer confirms them on her phone).
  auto pending = unit.services.PendingSavings(g.id, kPendingShown, 0);
  if (!pending.ok()) return FromStatus(pending.status());
  h.element("h2", "Pending savings");
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", "pending-savings"}});
  h.open("tr").element("th", "Logged").element("th", "Member").element("th", "Reference");
  h.element("th", "Amount", {{"class", "num"}}).close("tr");
  for (const Saving& sv : *pending) {
    h.open("tr", {{"data-saving", std::to_string(sv.id)}}).element("td", Time(sv.created_at));
    h.element("td", sv.member_name).element("td", sv.reference);
    h.element("td", Money(sv.amount, sv.currency), {{"class", "num"}}).close("tr");
  }
  h.close("table").close("div");

  Loans loans(unit.conn, unit.ctx, s.programme);
  auto claims = loans.PendingRepayments(g.id, kPendingShown, 0);
  if (!claims.ok()) return FromStatus(claims.status());
  h.element("h2", "Pending repayments");
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", "pending-repayments"}});
  h.open("tr").element("th", "Logged").element("th", "Member").element("th", "Loan");
  h.element("th", "Reference").element("th", "Amount", {{"class", "num"}});
  h.element("th", "Partner reported").close("tr");
  for (const Repayment& r : *claims) {
    h.open("tr", {{"data-repayment", std::to_string(r.id)}}).element("td", Time(r.created_at));
    h.element("td", r.member_name).element("td", r.loan_reference).element("td", r.reference);
    h.element("td", Money(r.amount, r.currency), {{"class", "num"}});
    std::string reported;
    for (const PartnerReport& p : r.partner_reported) {
      if (!reported.empty()) reported += "; ";
      reported += Money(p.amount, r.currency) + " on " + Date(p.paid_at);
    }
    h.element("td", reported.empty() ? "—" : reported).close("tr");
  }
  h.close("table").close("div");

  v.body = h.take();
  return v;
}

}  // namespace

void AddGroupRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/staff/groups/{id}", GroupPage});
}

}  // namespace shg::gateway::dashboard
