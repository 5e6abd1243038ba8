// GET /staff/loans: the pipeline (loans by state), the loans in arrears,
// and the loans list (?state=<name>, paged ?from=<offset>), each restricted
// to what the principal may see: every loan for admin and read-only staff,
// her groups' loans for a field officer, its MFI's loans for a partner.
#include "gateway/dashboard/page.h"

namespace shg::gateway::dashboard {
namespace {

constexpr int kLoansPerPage = 50;
constexpr int kScan = 1000;

bool Visible(const Screen& s, const Loan& l) {
  if (s.who.user.role == StaffRole::kPartner) return l.partner_id == s.who.user.partner_id;
  return s.who.MaySeeGroup(l.group_id);
}

void LoanRow(Html& h, const Screen& s, const Loan& l) {
  const bool partner = s.who.user.role == StaffRole::kPartner;
  h.open("tr", {{"data-loan", l.reference}}).element("td", l.reference);
  h.open("td");
  if (partner) {
    h.text(l.member_name);
  } else {
    h.element("a", l.member_name, {{"href", "/staff/members/" + std::to_string(l.member_id)}});
  }
  h.close("td").element("td", LoanStateName(l.state));
  h.element("td", Money(l.approved_amount != 0 ? l.approved_amount : l.amount, l.currency),
            {{"class", "num"}});
  h.element("td", Money(l.outstanding, l.currency), {{"class", "num"}});
  h.element("td", l.partner_id).element("td", Date(l.updated_at)).close("tr");
}

void LoanHeader(Html& h) {
  h.open("tr").element("th", "Reference").element("th", "Member").element("th", "State");
  h.element("th", "Amount", {{"class", "num"}}).element("th", "Outstanding", {{"class", "num"}});
  h.element("th", "Partner").element("th", "Last change").close("tr");
}

View LoansPage(Screen& s, Unit& unit) {
  const std::string state = s.Query("state");
  if (!state.empty() && !ParseLoanState(state)) return ErrorView(400, "state: not a loan state");
  Loans loans(unit.conn, unit.ctx, s.programme);
  // One scan of every loan (newest first) gives the pipeline and arrears
  // for what she may see.
  std::map<std::string, int> by_state;
  std::vector<Loan> arrears;
  for (int offset = 0;; offset += kScan) {
    auto page = loans.List("", kScan, offset);
    if (!page.ok()) return FromStatus(page.status());
    for (Loan& l : *page) {
      if (!Visible(s, l)) continue;
      ++by_state[LoanStateName(l.state)];
      if (l.state == LoanState::kInArrears) arrears.push_back(std::move(l));
    }
    if (page->size() < static_cast<size_t>(kScan)) break;
  }
  View v;
  v.title = "Loans";
  Html h;
  h.element("h2", "Pipeline");
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", "loan-pipeline"}});
  h.open("tr").element("th", "State").element("th", "Loans", {{"class", "num"}}).close("tr");
  for (int i = 0; i < kLoanStateCount; ++i) {
    const std::string name = LoanStateName(static_cast<LoanState>(i));
    auto it = by_state.find(name);
    h.open("tr", {{"data-state", name}});
    h.open("td").element("a", name, {{"href", "/staff/loans?state=" + name}}).close("td");
    h.element("td", std::to_string(it == by_state.end() ? 0 : it->second), {{"class", "num"}});
    h.close("tr");
  }
  h.close("table").close("div");

  h.element("h2", "In arrears (" + std::to_string(arrears.size()) + ")",
            {{"id", "arrears-heading"}});
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", "arrears"}});
  LoanHeader(h);
  for (const Loan& l : arrears) LoanRow(h, s, l);
  h.close("table").close("div");

  // The list, filtered by state, a page of what she may see.
  const int64_t from = s.QueryInt("from");
  h.element("h2", state.empty() ? "All loans" : "Loans " + state);
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", "loans"}});
  LoanHeader(h);
  int shown = 0;
  int64_t offset = from, next = -1;
  while (next < 0) {
    auto page = loans.List(state, kScan, static_cast<int>(offset));
    if (!page.ok()) return FromStatus(page.status());
    for (size_t i = 0; i < page->size(); ++i) {
      const Loan& l = (*page)[i];
      if (!Visible(s, l)) continue;
      if (shown == kLoansPerPage) {
        next = offset + static_cast<int64_t>(i);
        break;
      }
      LoanRow(h, s, l);
      ++shown;
    }
    if (page->size() < static_cast<size_t>(kScan)) break;
    offset += kScan;
  }
  h.close("table").close("div");
  if (next >= 0) NextLink(h, "/staff/loans", "from", next, state.empty() ? "" : "state=" + state);
  v.body = h.take();
  return v;
}

}  // namespace

void AddLoanRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/staff/loans", LoansPage});
}

}  // namespace shg::gateway::dashboard
