// Routes of groups:
//   GET   /api/v1/groups          ?status= &country= &q= &limit= &cursor=
//   POST  /api/v1/groups          admin, field officer (assigned to her)
//   GET   /api/v1/groups/{id}     summary: members, savings, funds, pending, loans by state
//   PATCH /api/v1/groups/{id}     name, meeting_day, meeting_place, status
#include "domain/directory.h"
#include "gateway/api/route.h"
#include "gateway/api/views.h"

namespace shg::gateway::api {
namespace {

int64_t VisibleTo(const Principal& who) { return who.SeesAllGroups() ? 0 : who.user.id; }

ApiAnswer ListGroups(ApiCall& call, Unit& unit) {
  if (auto e = CheckNotPartner(call)) return *e;
  Page page;
  if (auto e = ParsePage(call, &page)) return *e;
  GroupFilter f;
  f.visible_to = VisibleTo(call.who);
  f.status = call.Query("status");
  f.country = call.Query("country");
  f.q = call.Query("q");
  auto groups = Directory(unit.conn, unit.ctx).Groups(f, page.after_id, page.limit);
  if (!groups.ok()) return FromStatus(groups.status());
  Table t;
  t.columns = kGroupColumns;
  for (const Group& g : *groups) t.rows.push_back(GroupJson(g));
  if (static_cast<int>(groups->size()) == page.limit) t.next_cursor = EncodeCursor(groups->back().id);
  return List(std::move(t));
}

ApiAnswer CreateGroup(ApiCall& call, Unit& unit) {
  if (auto e = CheckNotPartner(call)) return *e;
  if (auto e = CheckMayEdit(call)) return *e;
  Group g;
  if (auto e = StringField(call, "name", &g.name, true, 100)) return *e;
  if (auto e = StringField(call, "country", &g.country, true, 2)) return *e;
  if (auto e = StringField(call, "currency", &g.currency, true, 3)) return *e;
  if (auto e = StringField(call, "meeting_day", &g.meeting_day, false, 40)) return *e;
  if (auto e = StringField(call, "meeting_place", &g.meeting_place, false, 100)) return *e;
  if (auto e = StringField(call, "status", &g.status, false, 20)) return *e;
  auto id = unit.services.AddGroup(g);
  if (!id.ok()) return FromStatus(id.status());
  if (call.who.user.role == StaffRole::kFieldOfficer) {
    if (Status s = unit.staff.AssignGroup(call.who.user.id, *id); !s.ok()) return FromStatus(s);
  }
  if (Status s = call.Audit(unit, "group.created", "group:" + std::to_string(*id), "name=" + g.name);
      !s.ok()) {
    return FromStatus(s);
  }
  auto o = Directory(unit.conn, unit.ctx).Overview(*id);
  if (!o.ok()) return FromStatus(o.status());
  return Ok(OverviewJson(*o), 201);
}

ApiAnswer GetGroup(ApiCall& call, Unit& unit) {
  auto id = call.PathId("id");
  if (!id) return NoSuchGroup();
  if (auto e = CheckGroup(call, unit, *id)) return *e;
  auto o = Directory(unit.conn, unit.ctx).Overview(*id);
  if (!o.ok()) return FromStatus(o.status());
  return Ok(OverviewJson(*o));
}

ApiAnswer PatchGroup(ApiCall& call, Unit& unit) {
  auto id = call.PathId("id");
  if (!id) return NoSuchGroup();
  if (auto e = CheckGroup(call, unit, *id)) return *e;
  if (auto e = CheckMayEdit(call)) return *e;
  GroupChange c;
  std::string detail;
  for (const char* field : {"name", "meeting_day", "meeting_place", "status"}) {
    std::string value;
    if (call.body.find(field) == call.body.end()) continue;
    if (auto e = StringField(call, field, &value, true, 100)) return *e;
    std::string_view f = field;
    if (f == "name") c.name = value;
    if (f == "meeting_day") c.meeting_day = value;
    if (f == "meeting_place") c.meeting_place = value;
    if (f == "status") c.status = value;
    detail += (detail.empty() ? "" : ",") + std::string(field);
  }
  for (const auto& kv : call.body) {
    const std::string_view k = kv.key();
    if (k != "name" && k != "meeting_day" && k != "meeting_place" && k != "status") {
      return Error(422, "invalid", std::string(k) + ": not a field that can be changed",
                   std::string(k));
    }
  }
  Directory dir(unit.conn, unit.ctx);
  if (Status s = dir.UpdateGroup(*id, c); !s.ok()) return FromStatus(s);
  if (Status s = call.Audit(unit, "group.updated", "group:" + std::to_string(*id), detail);
      !s.ok()) {
    return FromStatus(s);
  }
  auto o = dir.Overview(*id);
  if (!o.ok()) return FromStatus(o.status());
  return Ok(OverviewJson(*o));
}

}  // namespace

void AddGroupRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/groups", ListGroups});
  routes.push_back({"POST", "/api/v1/groups", CreateGroup});
  routes.push_back({"GET", "/api/v1/groups/{id}", GetGroup});
  routes.push_back({"PATCH", "/api/v1/groups/{id}", PatchGroup});
}

}  // namespace shg::gateway::api
