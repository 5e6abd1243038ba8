// GET /staff/: her groups (paged, ?after=<group id>), and over every group
// she may see: members, confirmed savings per currency, pending approvals,
// loans by state, loans in arrears; the outbox's health.
#include "domain/messages.h"
#include "gateway/dashboard/page.h"

namespace shg::gateway::dashboard {
namespace {

constexpr int kGroupsPerPage = 50;
constexpr int kCountCap = 1000;  // "1000+" beyond: a count for the eye, not an audit

struct Totals {
  int groups = 0;
  int members = 0;
  std::map<std::string, int64_t> savings;  // currency -> confirmed savings
  int pending_savings = 0, pending_repayments = 0, pending_loan_requests = 0;
  std::map<std::string, int> loans_by_state;
};

// Directory::Overview of every group she may see, summed.
Result<Totals> SumOverviews(const Screen& s, Unit& unit) {
  Directory dir(unit.conn, unit.ctx);
  GroupFilter f;
  f.visible_to = s.who.SeesAllGroups() ? 0 : s.who.user.id;
  Totals t;
  int64_t after = 0;
  while (true) {
    auto groups = dir.Groups(f, after, 1000);
    if (!groups.ok()) return groups.status();
    for (const Group& g : *groups) {
      auto o = dir.Overview(g.id);
      if (!o.ok()) return o.status();
      ++t.groups;
      t.members += o->members;
      t.savings[g.currency] += o->savings_confirmed;
      t.pending_savings += o->pending_savings;
      t.pending_repayments += o->pending_repayments;
      t.pending_loan_requests += o->pending_loan_requests;
      for (const auto& [state, n] : o->loans_by_state) t.loans_by_state[state] += n;
    }
    if (groups->size() < 1000) break;
    after = groups->back().id;
  }
  return t;
}

void Figure(Html& h, std::string_view label, const std::string& value, const std::string& id) {
  h.open("div").element("dt", label).element("dd", value, {{"id", id}}).close("div");
}

std::string Capped(size_t n) {
  return n >= static_cast<size_t>(kCountCap) ? std::to_string(kCountCap) + "+" : std::to_string(n);
}

std::string SavingsText(const std::map<std::string, int64_t>& savings) {
  std::string out;
  for (const auto& [currency, amount] : savings) {
    if (!out.empty()) out += " + ";
    out += Money(amount, currency);
  }
  return out.empty() ? "0" : out;
}

// The outbox: queued (with sending) from Messages::Stats, failed and stuck
// from Messages::List.
Status OutboxHealth(Html& h, Unit& unit) {
  auto stats = unit.messages.Stats();
  if (!stats.ok()) return stats.status();
  int64_t queued = 0;
  for (const QueueStats& q : *stats) queued += q.queued;
  auto failed = unit.messages.List("failed", kCountCap);
  if (!failed.ok()) return failed.status();
  auto stuck = unit.messages.List("stuck", kCountCap);
  if (!stuck.ok()) return stuck.status();
  h.element("h2", "Outbox");
  h.open("dl", {{"class", "figures"}, {"id", "outbox"}});
  Figure(h, "Queued SMS", std::to_string(queued), "outbox-queued");
  Figure(h, "Failed", Capped(failed->size()), "outbox-failed");
  Figure(h, "Stuck", Capped(stuck->size()), "outbox-stuck");
  h.close("dl");
  return Status::Ok();
}

View PartnerHome(Screen& s, Unit& unit) {
  Loans loans(unit.conn, unit.ctx, s.programme);
  std::map<std::string, int> by_state;
  for (int offset = 0;; offset += 1000) {
    auto page = loans.List("", 1000, offset);
    if (!page.ok()) return FromStatus(page.status());
    for (const Loan& l : *page) {
      if (l.partner_id == s.who.user.partner_id) ++by_state[LoanStateName(l.state)];
    }
    if (page->size() < 1000) break;
  }
  View v;
  v.title = "Loans of " + s.who.user.partner_id;
  Html h;
  h.open("dl", {{"class", "figures"}});
  Figure(h, "In arrears", std::to_string(by_state["in_arrears"]), "arrears-count");
  h.close("dl");
  h.element("h2", "Loans by state");
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", "loans-by-state"}});
  h.open("tr").element("th", "State").element("th", "Loans", {{"class", "num"}}).close("tr");
  for (const auto& [state, n] : by_state) {
    h.open("tr", {{"data-state", state}}).element("td", state);
    h.element("td", std::to_string(n), {{"class", "num"}}).close("tr");
  }
  h.close("table").close("div");
  h.open("p").element("a", "All loans and arrears", {{"href", "/staff/loans"}}).close("p");
  v.body = h.take();
  return v;
}

View Home(Screen& s, Unit& unit) {
  if (s.who.user.role == StaffRole::kPartner) return PartnerHome(s, unit);
  auto totals = SumOverviews(s, unit);
  if (!totals.ok()) return FromStatus(totals.status());
  const Totals& t = *totals;
  View v;
  v.title = s.who.SeesAllGroups() ? "All groups" : "My groups";
  Html h;
  Notice(h, s);
  h.open("dl", {{"class", "figures"}, {"id", "home-figures"}});
  Figure(h, "Groups", std::to_string(t.groups), "groups-count");
  Figure(h, "Active members", std::to_string(t.members), "members-count");
  Figure(h, "Confirmed savings", SavingsText(t.savings), "savings-total");
  Figure(h, "Pending approvals",
         std::to_string(t.pending_savings + t.pending_repayments + t.pending_loan_requests),
         "pending-approvals");
  auto arrears = t.loans_by_state.find("in_arrears");
  Figure(h, "Loans in arrears",
         std::to_string(arrears == t.loans_by_state.end() ? 0 : arrears->second), "arrears-count");
  h.close("dl");
  h.open("p", {{"class", "muted"}, {"id", "pending-breakdown"}})
      .text("Pending: " + std::to_string(t.pending_savings) + " savings, " +
            std::to_string(t.pending_repayments) + " repayments, " +
            std::to_string(t.pending_loan_requests) + " loan requests.")
      .close("p");

  // Groups, paged.
  Directory dir(unit.conn, unit.ctx);
  GroupFilter f;
  f.visible_to = s.who.SeesAllGroups() ? 0 : s.who.user.id;
  auto groups = dir.Groups(f, s.QueryInt("after"), kGroupsPerPage);
  if (!groups.ok()) return FromStatus(groups.status());
  h.element("h2", "Groups");
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", "groups"}});
  h.open("tr").element("th", "Group").element("th", "Country").element("th", "Status");
  h.element("th", "Members", {{"class", "num"}}).element("th", "Savings", {{"class", "num"}});
  h.element("th", "Pending", {{"class", "num"}}).close("tr");
  for (const Group& g : *groups) {
    auto o = dir.Overview(g.id);
    if (!o.ok()) return FromStatus(o.status());
    const std::string id = std::to_string(g.id);
    h.open("tr", {{"id", "group-" + id}});
    h.open("td").element("a", g.name, {{"href", "/staff/groups/" + id}}).close("td");
    h.element("td", g.country).element("td", g.status);
    h.element("td", std::to_string(o->members), {{"class", "num"}});
    h.element("td", Money(o->savings_confirmed, g.currency), {{"class", "num"}});
    h.element("td", std::to_string(o->pending_savings + o->pending_repayments +
                                   o->pending_loan_requests),
              {{"class", "num"}});
    h.close("tr");
  }
  h.close("table").close("div");
  if (static_cast<int>(groups->size()) == kGroupsPerPage) {
    NextLink(h, "/staff/", "after", groups->back().id);
  }

  h.element("h2", "Loans by state");
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", "loans-by-state"}});
  h.open("tr").element("th", "State").element("th", "Loans", {{"class", "num"}}).close("tr");
  for (const auto& [state, n] : t.loans_by_state) {
    h.open("tr", {{"data-state", state}}).element("td", state);
    h.element("td", std::to_string(n), {{"class", "num"}}).close("tr");
  }
  if (t.loans_by_state.empty()) {
    h.open("tr").element("td", "No loans yet.", {{"colspan", "2"}, {"class", "muted"}}).close("tr");
  }
  h.close("table").close("div");

  if (Status st = OutboxHealth(h, unit); !st.ok()) return FromStatus(st);
  v.body = h.take();
  return v;
}

}  // namespace

void AddHomeRoutes(std::vector<Route>& routes) { routes.push_back({"GET", "/staff/", Home}); }

}  // namespace shg::gateway::dashboard
