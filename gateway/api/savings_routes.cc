// Routes of savings:
//   GET  /api/v1/groups/{id}/savings    ?status=pending|confirmed|rejected|all (default all)
//                                       &limit= &cursor=: the group's savings by id
//   POST /api/v1/savings/{id}/reversal  {"reason"}: reverses a confirmed saving's
//                                       journal (admin only); 409 unless confirmed
//                                       and not yet reversed
// Reads: admin, read_only, field officer (her groups); partners 403.
#include "domain/directory.h"
#include "gateway/api/route.h"
#include "gateway/api/views.h"

namespace shg::gateway::api {
namespace {

json::object SavingJson(const Saving& s) {
  return {{"id", s.id},
          {"member_id", s.member_id},
          {"member_name", s.member_name},
          {"amount", s.amount},
          {"currency", s.currency},
          {"status", SavingStatusName(s.status)},
          {"reference", s.reference},
          {"created_at", s.created_at}};
}

ApiAnswer ListSavings(ApiCall& call, Unit& unit) {
  auto gid = call.PathId("id");
  if (!gid) return NoSuchGroup();
  if (auto e = CheckGroup(call, unit, *gid)) return *e;
  Page page;
  if (auto e = ParsePage(call, &page)) return *e;
  std::string status = call.Query("status");
  if (status == "all") status.clear();
  if (!status.empty() && status != "pending" && status != "confirmed" && status != "rejected") {
    return Error(400, "bad_query", "status: pending, confirmed, rejected or all", "status");
  }
  auto savings = Directory(unit.conn, unit.ctx).Savings(*gid, status, page.after_id, page.limit);
  if (!savings.ok()) return FromStatus(savings.status());
  Table t;
  t.columns = {"id",     "member_id", "member_name", "amount",
               "currency", "status",  "reference",   "created_at"};
  for (const Saving& s : *savings) t.rows.push_back(SavingJson(s));
  if (static_cast<int>(savings->size()) == page.limit) {
    t.next_cursor = EncodeCursor(savings->back().id);
  }
  return List(std::move(t));
}

ApiAnswer ReverseSavingRoute(ApiCall& call, Unit& unit) {
  if (!call.who.IsAdmin()) return Forbidden("reverse savings");
  auto id = call.PathId("id");
  if (!id) return Error(404, "not_found", "no such saving");
  std::string reason;
  if (auto e = StringField(call, "reason", &reason, true, 500)) return *e;
  const bool blank = reason.find_first_not_of(" \t\r\n") == std::string::npos;
  if (blank) return Error(422, "required", "reason: must not be empty", "reason");
  auto saving = unit.services.GetSaving(*id);
  if (!saving.ok()) {
    if (saving.status().code() == Status::Code::kNotFound) {
      return Error(404, "not_found", "no such saving");
    }
    return FromStatus(saving.status());
  }
  if (Status s = unit.services.ReverseSaving(*id, reason); !s.ok()) return FromStatus(s);
  if (Status s = call.Audit(unit, "saving.reversed", "saving:" + std::to_string(*id),
                            "reference=" + saving->reference +
                                ",amount=" + std::to_string(saving->amount) + ",reason=" + reason);
      !s.ok()) {
    return FromStatus(s);
  }
  auto balances = unit.services.BalancesFor(saving->member_id);
  if (!balances.ok()) return FromStatus(balances.status());
  json::object out = SavingJson(*saving);
  out["reversed"] = true;
  out["reason"] = reason;
  out["balances"] = BalancesJson(*balances);
  return Ok(std::move(out), 201);
}

}  // namespace

void AddSavingsRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/groups/{id}/savings", ListSavings});
  routes.push_back({"POST", "/api/v1/savings/{id}/reversal", ReverseSavingRoute});
}

}  // namespace shg::gateway::api
