// GET /staff/audit: the audit log, newest first, 100 a page (?before=<id>:
// the rows older than that one). Admin and read-only staff.
// The domain has no audit listing yet (gateway/api/ops_routes.cc is to be
// written): this reads audit_log directly, read-only, until it has one.
#include "gateway/dashboard/page.h"

namespace shg::gateway::dashboard {
namespace {

constexpr int kRowsPerPage = 100;

constexpr char kAuditPage[] =
    "SELECT id, at, actor_kind, actor, action, subject, channel, request_id, detail"
    " FROM audit_log WHERE (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?";

View AuditPage(Screen& s, Unit& unit) {
  if (auto e = CheckOperations(s)) return *e;
  const int64_t before = s.QueryInt("before");
  View v;
  v.title = "Audit log";
  Html h;
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", "audit"}});
  h.open("tr").element("th", "Id").element("th", "At").element("th", "Actor");
  h.element("th", "Action").element("th", "Subject").element("th", "Channel");
  h.element("th", "Request").element("th", "Detail").close("tr");
  int rows = 0;
  int64_t last = 0;
  {
    store::Statement& st = unit.conn.Prepare(kAuditPage);
    store::ScopedReset reset(st);
    st.Bind(1, before).Bind(2, before).Bind(3, static_cast<int64_t>(kRowsPerPage));
    while (true) {
      auto row = st.Step();
      if (!row.ok()) return FromStatus(row.status());
      if (!*row) break;
      last = st.Int(0);
      ++rows;
      h.open("tr", {{"data-audit", std::to_string(last)}});
      h.element("td", std::to_string(last)).element("td", Time(st.Int(1)));
      h.element("td", st.Text(2) + " " + st.Text(3)).element("td", st.Text(4));
      h.element("td", st.Text(5)).element("td", st.Text(6)).element("td", st.Text(7));
      h.element("td", st.Text(8)).close("tr");
    }
  }
  h.close("table").close("div");
  if (rows == kRowsPerPage) NextLink(h, "/staff/audit", "before", last);
  v.body = h.take();
  return v;
}

}  // namespace

void AddAuditRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/staff/audit", AuditPage});
}

}  // namespace shg::gateway::dashboard
