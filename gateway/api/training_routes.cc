// Routes of training (the programme's modules; a member's progress):
//   GET  /api/v1/training/modules        the configured modules, by step
//   GET  /api/v1/members/{id}/training   her progress: every module, done or not
//   POST /api/v1/members/{id}/training   {"module_id"}: record one completion
//   POST /api/v1/groups/{id}/training    {"module_id","member_ids":[...]}: one
//                                        module for many members of the group,
//                                        all or nothing (422 naming "member_ids[i]")
// Recording a completion again keeps the first (200, "recorded": false, no
// audit row); a new one is 201 and audited "training.recorded" per member.
// Reads: admin, read_only, field officer (her groups); writes: admin, field
// officer; partners 403.
#include <set>

#include "domain/directory.h"
#include "gateway/api/route.h"
#include "gateway/api/views.h"

namespace shg::gateway::api {
namespace {

constexpr size_t kMaxMembersPerCall = 1000;

// The module, or a 422 naming module_id.
std::optional<ApiAnswer> CheckModule(const ApiCall& call, Unit& unit, std::string* module_id) {
  if (auto e = StringField(call, "module_id", module_id, true, 100)) return e;
  auto modules = Directory(unit.conn, unit.ctx).Modules();
  if (!modules.ok()) return FromStatus(modules.status());
  for (const TrainingProgress& m : *modules) {
    if (m.module_id == *module_id) return std::nullopt;
  }
  return Error(422, "invalid", "module_id: no such training module (GET /training/modules)",
               "module_id");
}

// Whether she has completed the module already.
Result<bool> Completed(Unit& unit, int64_t member_id, const std::string& module_id) {
  auto training = Directory(unit.conn, unit.ctx).Training(member_id);
  if (!training.ok()) return training.status();
  for (const TrainingProgress& t : *training) {
    if (t.module_id == module_id) return t.completed_at != 0;
  }
  return false;
}

// Records the module for her (when new: audited). *recorded says whether it was new.
Status Record(ApiCall& call, Unit& unit, int64_t member_id, const std::string& module_id,
              const std::string& detail, bool* recorded) {
  auto done = Completed(unit, member_id, module_id);
  if (!done.ok()) return done.status();
  *recorded = !*done;
  if (*done) return Status::Ok();
  SHG_RETURN_IF_ERROR(unit.services.RecordTraining(member_id, module_id, call.who.actor()));
  return call.Audit(unit, "training.recorded", "member:" + std::to_string(member_id),
                    "module=" + module_id + detail);
}

ApiAnswer ListModules(ApiCall& call, Unit& unit) {
  if (auto e = CheckNotPartner(call)) return *e;
  auto modules = Directory(unit.conn, unit.ctx).Modules();
  if (!modules.ok()) return FromStatus(modules.status());
  Table t;
  t.columns = {"module_id", "step", "title"};
  for (const TrainingProgress& m : *modules) {
    t.rows.push_back(json::object{{"module_id", m.module_id}, {"step", m.step}, {"title", m.title}});
  }
  return List(std::move(t));
}

Result<json::object> ProgressJson(Unit& unit, int64_t member_id) {
  auto training = Directory(unit.conn, unit.ctx).Training(member_id);
  if (!training.ok()) return training.status();
  auto completed = unit.services.CompletedTraining(member_id);
  if (!completed.ok()) return completed.status();
  json::array modules;
  for (const TrainingProgress& t : *training) modules.push_back(TrainingJson(t));
  return json::object{{"member_id", member_id},
                      {"training_completed", *completed},
                      {"modules", std::move(modules)}};
}

ApiAnswer MemberTraining(ApiCall& call, Unit& unit) {
  auto id = call.PathId("id");
  if (!id) return Error(404, "not_found", "no such member");
  Member m;
  if (auto e = CheckMember(call, unit, *id, &m)) return *e;
  auto progress = ProgressJson(unit, m.id);
  if (!progress.ok()) return FromStatus(progress.status());
  return Ok(std::move(*progress));
}

ApiAnswer RecordMemberTraining(ApiCall& call, Unit& unit) {
  auto id = call.PathId("id");
  if (!id) return Error(404, "not_found", "no such member");
  Member m;
  if (auto e = CheckMember(call, unit, *id, &m)) return *e;
  if (auto e = CheckMayEdit(call)) return *e;
  for (const auto& kv : call.body) {
    if (kv.key() != "module_id") {
      return Error(422, "invalid", std::string(kv.key()) + ": not a field of this call",
                   std::string(kv.key()));
    }
  }
  std::string module_id;
  if (auto e = CheckModule(call, unit, &module_id)) return *e;
  if (!m.active) return Error(409, "conflict", "member: she has exited the group", "member");
  bool recorded = false;
  if (Status s = Record(call, unit, m.id, module_id, "", &recorded); !s.ok()) return FromStatus(s);
  auto progress = ProgressJson(unit, m.id);
  if (!progress.ok()) return FromStatus(progress.status());
  progress->emplace("module_id", module_id);
  progress->emplace("recorded", recorded);
  return Ok(std::move(*progress), recorded ? 201 : 200);
}

ApiAnswer RecordGroupTraining(ApiCall& call, Unit& unit) {
  auto gid = call.PathId("id");
  if (!gid) return NoSuchGroup();
  if (auto e = CheckGroup(call, unit, *gid)) return *e;
  if (auto e = CheckMayEdit(call)) return *e;
  for (const auto& kv : call.body) {
    if (kv.key() != "module_id" && kv.key() != "member_ids") {
      return Error(422, "invalid", std::string(kv.key()) + ": not a field of this call",
                   std::string(kv.key()));
    }
  }
  std::string module_id;
  if (auto e = CheckModule(call, unit, &module_id)) return *e;
  auto it = call.body.find("member_ids");
  if (it == call.body.end() || it->value().is_null()) {
    return Error(422, "required", "member_ids: is required", "member_ids");
  }
  if (!it->value().is_array() || it->value().as_array().empty() ||
      it->value().as_array().size() > kMaxMembersPerCall) {
    return Error(422, "invalid",
                 "member_ids: an array of 1 to " + std::to_string(kMaxMembersPerCall) +
                     " member ids",
                 "member_ids");
  }
  // Every entry is checked before anything is written; all bad entries are
  // listed, the first names the error's field.
  const json::array& list = it->value().as_array();
  std::vector<int64_t> ids;
  json::array problems;
  std::set<int64_t> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string field = "member_ids[" + std::to_string(i) + "]";
    const json::value& v = list[i];
    int64_t id = 0;
    if (v.is_int64() && v.as_int64() > 0) id = v.as_int64();
    if (v.is_uint64() && v.as_uint64() <= INT64_MAX) id = static_cast<int64_t>(v.as_uint64());
    std::string problem;
    if (id == 0) {
      problem = "not a member id";
    } else {
      auto m = unit.services.GetMember(id);
      if (!m.ok() && m.status().code() != Status::Code::kNotFound) return FromStatus(m.status());
      if (!m.ok() || m->group_id != *gid) {
        problem = "member " + std::to_string(id) + " is not a member of this group";
      } else if (!m->active) {
        problem = "member " + std::to_string(id) + " has exited the group";
      }
    }
    if (!problem.empty()) {
      problems.push_back(json::object{{"field", field}, {"message", field + ": " + problem}});
      continue;
    }
    if (seen.insert(id).second) ids.push_back(id);
  }
  if (!problems.empty()) {
    const json::object& first = problems[0].as_object();
    ApiAnswer a = Error(422, "invalid", json::value_to<std::string>(first.at("message")),
                        json::value_to<std::string>(first.at("field")));
    a.body.as_object()["errors"] = std::move(problems);
    return a;
  }
  json::array members;
  int64_t recorded_count = 0;
  for (int64_t id : ids) {
    bool recorded = false;
    if (Status s = Record(call, unit, id, module_id, ",group=" + std::to_string(*gid), &recorded);
        !s.ok()) {
      return FromStatus(s);
    }
    auto completed = unit.services.CompletedTraining(id);
    if (!completed.ok()) return FromStatus(completed.status());
    recorded_count += recorded ? 1 : 0;
    members.push_back(json::object{
        {"member_id", id}, {"recorded", recorded}, {"training_completed", *completed}});
  }
  return Ok(json::object{{"group_id", *gid},
                         {"module_id", module_id},
                         {"recorded", recorded_count},
                         {"members", std::move(members)}},
            recorded_count > 0 ? 201 : 200);
}

}  // namespace

void AddTrainingRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/training/modules", ListModules});
  routes.push_back({"GET", "/api/v1/members/{id}/training", MemberTraining});
  routes.push_back({"POST", "/api/v1/members/{id}/training", RecordMemberTraining});
  routes.push_back({"POST", "/api/v1/groups/{id}/training", RecordGroupTraining});
}

}  // namespace shg::gateway::api
