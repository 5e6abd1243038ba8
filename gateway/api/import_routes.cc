// Routes of member import:
//   POST /api/v1/groups/{id}/members/import   a CSV file (Content-Type: text/csv)
//        ?dry_run=true  checks every row, writes nothing:
//                       200 {"dry_run":true,"rows","valid","errors":[...]}
//        else           all or nothing: 201 {"imported","members":[{"row","id","name"}]}
//                       or 422 {"error","dry_run":false,"rows","valid":false,"errors":[...]}
//   Each error is {"row","column","value","message"} (domain/member_import.h:
//   the file's format, row numbers, what is checked). Admin, field officer
//   (her groups); one audit row "member.imported" for an import.
#include "domain/directory.h"
#include "domain/member_import.h"
#include "gateway/api/route.h"

namespace shg::gateway::api {
namespace {

json::array ErrorsJson(const std::vector<ImportError>& errors) {
  json::array out;
  out.reserve(errors.size());
  for (const ImportError& e : errors) {
    out.push_back(json::object{
        {"row", e.row}, {"column", e.column}, {"value", e.value}, {"message", e.message}});
  }
  return out;
}


ApiAnswer ImportMembersCsv(ApiCall& call, Unit& unit) {
  auto gid = call.PathId("id");
  if (!gid) return NoSuchGroup();
  Group group;
  if (auto e = CheckGroup(call, unit, *gid, &group)) return *e;
  if (auto e = CheckMayEdit(call)) return *e;
  const std::string dry = call.Query("dry_run");
  if (!dry.empty() && dry != "true" && dry != "false") {
    return Error(400, "bad_query", "dry_run: true or false", "dry_run");
  }
  const bool dry_run = dry == "true";
  if (call.content_type.find("text/csv") == std::string::npos) {
    return Error(415, "unsupported_media_type",
                 "send the file as the body with Content-Type: text/csv", "Content-Type");
  }
  auto existing = Directory(unit.conn, unit.ctx).AllMembers(group.id);
  if (!existing.ok()) return FromStatus(existing.status());
  ImportRules rules;
  rules.country = group.country;
  rules.languages = call.settings.languages;
  rules.default_language = call.settings.default_language;
  const ImportCheck check = CheckMemberImport(call.raw_body, rules, *existing);

  if (dry_run) {
    return Ok(json::object{{"dry_run", true},
                           {"rows", check.rows},
                           {"valid", check.valid()},
                           {"errors", ErrorsJson(check.errors)}});
  }
  if (!check.valid()) {
    ApiAnswer a = Error(422, "invalid_file",
                        std::to_string(check.errors.size()) +
                            " problem(s) in the file; nothing was imported");
    json::object& body = a.body.as_object();
    body["dry_run"] = false;
    body["rows"] = check.rows;
    body["valid"] = false;
    body["errors"] = ErrorsJson(check.errors);
    return a;
  }
  auto ids = ImportMembers(unit.services, group.id, check.members, call.now);
  if (!ids.ok()) return FromStatus(ids.status());
  if (Status s = call.Audit(unit, "member.imported", "group:" + std::to_string(group.id),
                            "count=" + std::to_string(ids->size()));
      !s.ok()) {
    return FromStatus(s);
  }
  json::array members;
  members.reserve(ids->size());
  for (size_t i = 0; i < ids->size(); ++i) {
    members.push_back(json::object{
        {"row", check.members[i].row}, {"id", (*ids)[i]}, {"name", check.members[i].name}});
  }
  return Ok(json::object{{"imported", static_cast<int64_t>(ids->size())},
                         {"group_id", group.id},
                         {"members", std::move(members)}},
            201);
}

}  // namespace

void AddImportRoutes(std::vector<Route>& routes) {
  routes.push_back({"POST", "/api/v1/groups/{id}/members/import", ImportMembersCsv});
}

}  // namespace shg::gateway::api
