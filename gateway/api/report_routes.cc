// Routes of reports:
//   GET /api/v1/reports/portfolio  ?group= &partner=  per currency: loans and outstanding
//                                  by state, arrears by age, PAR30
//   GET /api/v1/reports/savings    ?group= &by=month &limit= &cursor=  confirmed savings per
//                                  month and group (a list: CSV too)
//   GET /api/v1/reports/training   ?group=  per module: members completed / active members
//                                  (a list: CSV too)
// Field officers get the figures of their groups only (another group: 404);
// a partner gets the portfolio of its own loans only and 403 for the
// savings and training reports. Figures come from the ledger and the stored
// rows (domain/reports.h); amounts are minor units of the currency beside.
#include "domain/reports.h"
#include "gateway/api/route.h"

namespace shg::gateway::api {
namespace {

int64_t VisibleTo(const Principal& who) {
  return who.user.role == StaffRole::kFieldOfficer ? who.user.id : 0;
}

// ?group= into *group_id (0 when absent): 400 when malformed, 404 (403 for
// a partner) when out of reach.
std::optional<ApiAnswer> GroupQuery(ApiCall& call, Unit& unit, int64_t* group_id) {
  *group_id = 0;
  const std::string group = call.Query("group");
  if (group.empty()) return std::nullopt;
  call.path["group"] = group;
  auto id = call.PathId("group");
  if (!id) return Error(400, "bad_query", "group: a group id", "group");
  if (auto e = CheckGroup(call, unit, *id)) return e;
  *group_id = *id;
  return std::nullopt;
}

json::object Figure(const LoanFigure& f) {
  return {{"loans", f.loans}, {"outstanding", f.outstanding}};
}

ApiAnswer Portfolio(ApiCall& call, Unit& unit) {
  PortfolioFilter f;
  f.visible_to = VisibleTo(call.who);
  f.partner_id = call.Query("partner");
  const bool partner = call.who.user.role == StaffRole::kPartner;
  if (partner) {
    if (!f.partner_id.empty() && f.partner_id != call.who.user.partner_id) {
      return Error(404, "not_found", "no such partner");
    }
    f.partner_id = call.who.user.partner_id;
  }
  const std::string group = call.Query("group");
  if (!group.empty()) {
    call.path["group"] = group;
    auto id = call.PathId("group");
    if (!id) return Error(400, "bad_query", "group: a group id", "group");
    // A partner's loans may be in any group: the filter narrows them.
    if (!partner) {
      if (auto e = CheckGroup(call, unit, *id)) return *e;
    }
    f.group_id = *id;
  }
  auto report = Reports(unit.conn, call.now).Portfolio(f);
  if (!report.ok()) return FromStatus(report.status());
  json::array currencies;
  for (const CurrencyPortfolio& p : *report) {
    json::object by_state, arrears;
    for (const auto& [state, fig] : p.by_state) by_state[state] = Figure(fig);
    for (size_t i = 0; i < kArrearsBuckets.size(); ++i)
      arrears[kArrearsBuckets[i]] = Figure(p.arrears[i]);
    currencies.push_back({{"currency", p.currency},
                          {"loans", p.loans},
                          {"outstanding", p.outstanding},
                          {"by_state", std::move(by_state)},
                          {"arrears", std::move(arrears)},
                          {"par30_outstanding", p.par30_outstanding},
                          {"par30_bp", p.par30_bp},
                          {"par30", BpPercent(p.par30_bp)}});
  }
  return Ok(json::object{
      {"as_of", call.now},
      {"group", f.group_id == 0 ? json::value(nullptr) : json::value(f.group_id)},
      {"partner", f.partner_id.empty() ? json::value(nullptr) : json::value(f.partner_id)},
      {"currencies", std::move(currencies)}});
}

ApiAnswer Savings(ApiCall& call, Unit& unit) {
  if (auto e = CheckNotPartner(call)) return *e;
  const std::string by = call.Query("by");
  if (!by.empty() && by != "month") return Error(400, "bad_query", "by: month", "by");
  Page page;
  if (auto e = ParsePage(call, &page)) return *e;
  int64_t group_id = 0;
  if (auto e = GroupQuery(call, unit, &group_id)) return *e;
  // Aggregated rows have no id: the cursor is an offset.
  const int offset = static_cast<int>(page.after_id);
  auto rows = Reports(unit.conn, call.now)
                  .SavingsByMonth(VisibleTo(call.who), group_id, page.limit, offset);
  if (!rows.ok()) return FromStatus(rows.status());
  Table t;
  t.columns = {"month",     "group_id", "group_name", "currency",
               "confirmed", "reversed", "net",        "journals"};
  for (const SavingsMonth& m : *rows) {
    t.rows.push_back({{"month", m.month},
                      {"group_id", m.group_id},
                      {"group_name", m.group_name},
                      {"currency", m.currency},
                      {"confirmed", m.confirmed},
                      {"reversed", m.reversed},
                      {"net", m.net},
                      {"journals", m.journals}});
  }
  if (static_cast<int>(rows->size()) == page.limit)
    t.next_cursor = EncodeCursor(offset + page.limit);
  return List(std::move(t));
}

ApiAnswer Training(ApiCall& call, Unit& unit) {
  if (auto e = CheckNotPartner(call)) return *e;
  int64_t group_id = 0;
  if (auto e = GroupQuery(call, unit, &group_id)) return *e;
  auto rows = Reports(unit.conn, call.now).Training(VisibleTo(call.who), group_id);
  if (!rows.ok()) return FromStatus(rows.status());
  Table t;
  t.columns = {"module_id",        "step", "title", "completed", "active_members", "completed_bp",
               "completed_percent"};
  for (const TrainingFigure& f : *rows) {
    const int64_t bp = ShareBp(f.completed, f.active_members);
    t.rows.push_back({{"module_id", f.module_id},
                      {"step", f.step},
                      {"title", f.title},
                      {"completed", f.completed},
                      {"active_members", f.active_members},
                      {"completed_bp", bp},
                      {"completed_percent", BpPercent(bp)}});
  }
  return List(std::move(t));
}

}  // namespace

void AddReportRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/reports/portfolio", Portfolio});
  routes.push_back({"GET", "/api/v1/reports/savings", Savings});
  routes.push_back({"GET", "/api/v1/reports/training", Training});
}

}  // namespace shg::gateway::api
