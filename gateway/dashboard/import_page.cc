// GET  /staff/groups/{id}/import   the CSV form (a textarea: no upload
//                                  widget needed, works without JavaScript)
// POST /staff/groups/{id}/import   action=check: a dry run, the rows it
//                                  would add or the table of errors, with a
//                                  commit button when there are none;
//                                  action=commit: checks again, then adds
//                                  every row in one unit (all or nothing),
//                                  audited, and goes back to the group.
// Admin and the group's field officer.
//
// The CSV rules and checks are domain/member_import.h's, as for the API.
#include "domain/directory.h"
#include "domain/member_import.h"
#include "gateway/dashboard/page.h"

namespace shg::gateway::dashboard {
namespace {

// The file's rules and every check are the domain's (domain/member_import.h),
// the same as the API's import: the group's members as they are now.
Result<ImportCheck> CheckImport(Unit& unit, std::string_view csv, const Group& group,
                                const config::Settings& settings) {
  auto existing = Directory(unit.conn, unit.ctx).AllMembers(group.id);
  if (!existing.ok()) return existing.status();
  ImportRules rules;
  rules.country = group.country;
  rules.languages = settings.languages;
  rules.default_language = settings.default_language;
  return CheckMemberImport(csv, rules, *existing);
}

std::optional<View> CheckMayImport(const Screen& s, Unit& unit, int64_t group_id, Group* g) {
  if (auto e = CheckGroup(s, unit, group_id, g)) return e;
  if (!s.who.MayEditMembers()) return Forbidden("import members");
  return std::nullopt;
}

void CsvForm(Html& h, const Screen& s, const std::string& gid, const std::string& csv) {
  h.open("form", {{"method", "post"},
                  {"action", "/staff/groups/" + gid + "/import"},
                  {"name", "import-check"},
                  {"id", "import-check-form"}});
  h.csrf(s.csrf);
  h.empty("input", {{"type", "hidden"}, {"name", "action"}, {"value", "check"}});
  h.element("label", "Members as CSV: a header row name,phone[,role][,language], then one member a line",
            {{"for", "import-csv"}});
  h.open("textarea", {{"name", "csv"}, {"id", "import-csv"}, {"rows", "12"}, {"cols", "60"},
                      {"required", "required"}})
      .text(csv)
      .close("textarea");
  h.open("p").element("button", "Check", {{"type", "submit"}, {"id", "import-check"}}).close("p");
  h.close("form");
}

View ImportForm(Screen& s, Unit& unit) {
  auto id = s.PathId("id");
  if (!id) return NotFound("group");
  Group g;
  if (auto e = CheckMayImport(s, unit, *id, &g)) return *e;
  View v;
  v.title = "Import members: " + g.name;
  Html h;
  CsvForm(h, s, std::to_string(g.id), "name,phone,role,language\n");
  v.body = h.take();
  return v;
}

View ImportPost(Screen& s, Unit& unit) {
  auto id = s.PathId("id");
  if (!id) return NotFound("group");
  Group g;
  if (auto e = CheckMayImport(s, unit, *id, &g)) return *e;
  const std::string gid = std::to_string(g.id);
  const std::string csv = s.Field("csv");
  const std::string action = s.Field("action");
  if (action != "check" && action != "commit") return ErrorView(400, "action: check or commit");
  auto checked = CheckImport(unit, csv, g, s.settings);
  if (!checked.ok()) return FromStatus(checked.status());
  const ImportCheck& check = *checked;
  View v;
  v.title = "Import members: " + g.name;
  Html h;
  if (!check.errors.empty()) {
    v.status = action == "commit" ? 422 : 200;
    h.element("p", std::to_string(check.errors.size()) + " problem(s): nothing was imported.",
              {{"class", "error"}, {"id", "import-error-count"}});
    h.open("div", {{"class", "scroll"}}).open("table", {{"id", "import-errors"}});
    h.open("tr").element("th", "Row").element("th", "Column").element("th", "Value");
    h.element("th", "Problem").close("tr");
    for (const ImportError& e : check.errors) {
      h.open("tr", {{"data-row", std::to_string(e.row)}, {"data-column", e.column}});
      h.element("td", std::to_string(e.row)).element("td", e.column).element("td", e.value);
      h.element("td", e.message).close("tr");
    }
    h.close("table").close("div");
    CsvForm(h, s, gid, csv);
    v.body = h.take();
    return v;
  }
  if (action == "check") {
    h.element("p", std::to_string(check.members.size()) + " member(s) to add to " + g.name + ".",
              {{"class", "notice"}, {"id", "import-row-count"}});
    h.open("div", {{"class", "scroll"}}).open("table", {{"id", "import-rows"}});
    h.open("tr").element("th", "Row").element("th", "Name").element("th", "Phone");
    h.element("th", "Role").element("th", "Language").close("tr");
    for (const ImportRow& r : check.members) {
      h.open("tr", {{"data-row", std::to_string(r.row)}}).element("td", std::to_string(r.row));
      h.element("td", r.name).element("td", r.phone).element("td", RoleName(r.role));
      h.element("td", r.language).close("tr");
    }
    h.close("table").close("div");
    h.open("form", {{"method", "post"},
                    {"action", "/staff/groups/" + gid + "/import"},
                    {"name", "import-commit"},
                    {"id", "import-commit-form"}});
    h.csrf(s.csrf);
    h.empty("input", {{"type", "hidden"}, {"name", "action"}, {"value", "commit"}});
    h.empty("input", {{"type", "hidden"}, {"name", "csv"}, {"value", csv}});
    h.open("p").element("button", "Import " + std::to_string(check.members.size()) + " member(s)",
                        {{"type", "submit"}, {"id", "import-commit"}});
    h.close("p").close("form");
    CsvForm(h, s, gid, csv);
    v.body = h.take();
    return v;
  }
  // Commit: every row or none (ImportMembers' savepoint; an error answer
  // also rolls the job back).
  auto ids = ImportMembers(unit.services, g.id, check.members, s.now);
  if (!ids.ok()) {
    View e = FromStatus(ids.status());
    Html eh;
    eh.element("p", ids.status().message() + ". Nothing was imported.",
               {{"class", "error"}, {"id", "error"}});
    CsvForm(eh, s, gid, csv);
    e.body = eh.take();
    e.title = v.title;
    return e;
  }
  if (Status st = s.Audit(unit, "member.imported", "group:" + gid,
                          "count=" + std::to_string(ids->size()));
      !st.ok()) {
    return FromStatus(st);
  }
  return Redirect("/staff/groups/" + gid + "?done=import");
}

}  // namespace

void AddImportRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/staff/groups/{id}/import", ImportForm});
  routes.push_back({"POST", "/staff/groups/{id}/import", ImportPost});
}

}  // namespace shg::gateway::dashboard
