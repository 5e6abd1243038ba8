// GET /staff/audit: the audit log, newest first, 100 a page (?before=<id>:
// the rows older than that one). Admin and read-only staff.
// The rows are the API's (GET /api/v1/audit): domain/reports.h.
#include "domain/reports.h"
#include "gateway/dashboard/page.h"

namespace shg::gateway::dashboard {
namespace {

constexpr int kRowsPerPage = 100;

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
  auto page = Reports(unit.conn, s.now).Audit(AuditFilter{}, before, kRowsPerPage);
  if (!page.ok()) return FromStatus(page.status());
  const int rows = static_cast<int>(page->size());
  const int64_t last = page->empty() ? 0 : page->back().id;
  for (const AuditRow& r : *page) {
    h.open("tr", {{"data-audit", std::to_string(r.id)}});
    h.element("td", std::to_string(r.id)).element("td", Time(r.at));
    h.element("td", r.actor_kind + " " + r.actor).element("td", r.action);
    h.element("td", r.subject).element("td", r.channel).element("td", r.request_id);
    h.element("td", r.detail).close("tr");
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
