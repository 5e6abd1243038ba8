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
// The CSV rules live behind one adapter, CheckImport(): the minimal
// interface this screen needs (rows, or errors {row, column, value,
// message}). At merge it is pointed at domain/member_import.h and its
// body below becomes a call to the domain's parse + validate.
#include <algorithm>
#include <set>

#include "domain/phone.h"
#include "gateway/dashboard/page.h"

namespace shg::gateway::dashboard {
namespace {

constexpr size_t kMaxRows = 2000;

struct ImportRow {
  int row = 0;  // line of the file (the header is row 1)
  std::string name, phone, role = "member", language;  // phone in E.164
};

struct ImportError {
  int row = 0;
  std::string column, value, message;
};

struct ImportCheck {
  std::vector<ImportRow> rows;
  std::vector<ImportError> errors;  // empty: every row may be added
};

// RFC 4180 records (quoted fields, "" inside quotes, CRLF or LF).
std::vector<std::vector<std::string>> CsvRecords(std::string_view csv) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < csv.size(); ++i) {
    const char c = csv[i];
    if (quoted) {
      if (c == '"' && i + 1 < csv.size() && csv[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < csv.size() && csv[i + 1] == '\n') ++i;
      record.push_back(std::move(field));
      field.clear();
      out.push_back(std::move(record));
      record.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || !field.empty()) {
    record.push_back(std::move(field));
    out.push_back(std::move(record));
  }
  return out;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

std::string Folded(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\t') continue;
    out += static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  }
  return out;
}

// The adapter (see the file comment): parses and validates a member CSV
// for `group`. Columns by header name: name, phone (required), role,
// language (optional; default member and the programme's language).
ImportCheck CheckImport(std::string_view csv, const Group& group,
                        const config::Settings& settings) {
  ImportCheck out;
  auto records = CsvRecords(csv);
  if (records.empty()) {
    out.errors.push_back({1, "", "", "the file is empty: a header row name,phone[,role][,language]"});
    return out;
  }
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < records[0].size(); ++i) {
    std::string h = Folded(Trim(records[0][i]));
    if (h == "name" || h == "phone" || h == "role" || h == "language") {
      col.emplace(h, i);
    } else {
      out.errors.push_back({1, h, records[0][i], "not a column: name, phone, role or language"});
    }
  }
  for (const char* need : {"name", "phone"}) {
    if (!col.count(need)) out.errors.push_back({1, need, "", "the header has no such column"});
  }
  if (!out.errors.empty()) return out;
  if (records.size() - 1 > kMaxRows) {
    out.errors.push_back({static_cast<int>(kMaxRows) + 2, "", "",
                          "at most " + std::to_string(kMaxRows) + " members a file"});
    return out;
  }
  std::set<std::pair<std::string, std::string>> seen;  // phone, folded name
  const auto& langs = settings.languages;
  for (size_t r = 1; r < records.size(); ++r) {
    const auto& rec = records[r];
    const int row = static_cast<int>(r) + 1;
    bool blank = true;
    for (const auto& f : rec) blank = blank && Trim(f).empty();
    if (blank) continue;
    auto get = [&](const char* name) -> std::string {
      auto it = col.find(name);
      if (it == col.end() || it->second >= rec.size()) return "";
      return Trim(rec[it->second]);
    };
    ImportRow ir;
    ir.row = row;
    ir.name = get("name");
    const std::string phone = get("phone");
    const std::string role = get("role");
    ir.language = get("language");
    const size_t before = out.errors.size();
    if (ir.name.empty() || ir.name.size() > 100) {
      out.errors.push_back({row, "name", ir.name, "a name of 1 to 100 characters"});
    }
    auto e164 = ParsePhone(phone, group.country);
    if (!e164.ok()) {
      out.errors.push_back({row, "phone", phone, e164.status().message()});
    } else if (PhoneCountry(*e164) != group.country) {
      out.errors.push_back({row, "phone", phone, "not a number of the group's country (" +
                                                     group.country + ")"});
    } else {
      ir.phone = *e164;
    }
    if (!role.empty()) {
      if (!ParseRole(role)) {
        out.errors.push_back({row, "role", role, "member, treasurer, chair or secretary"});
      } else {
        ir.role = role;
      }
    }
    if (ir.language.empty()) ir.language = settings.default_language;
    if (std::find(langs.begin(), langs.end(), ir.language) == langs.end()) {
      out.errors.push_back({row, "language", ir.language, "not a configured language"});
    }
    if (out.errors.size() == before && !seen.insert({ir.phone, Folded(ir.name)}).second) {
      out.errors.push_back({row, "phone", phone, "the same name and phone as an earlier row"});
    }
    if (out.errors.size() == before) out.rows.push_back(std::move(ir));
  }
  if (out.rows.empty() && out.errors.empty()) {
    out.errors.push_back({2, "", "", "no members in the file"});
  }
  return out;
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
  ImportCheck check = CheckImport(csv, g, s.settings);
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
    h.element("p", std::to_string(check.rows.size()) + " member(s) to add to " + g.name + ".",
              {{"class", "notice"}, {"id", "import-row-count"}});
    h.open("div", {{"class", "scroll"}}).open("table", {{"id", "import-rows"}});
    h.open("tr").element("th", "Row").element("th", "Name").element("th", "Phone");
    h.element("th", "Role").element("th", "Language").close("tr");
    for (const ImportRow& r : check.rows) {
      h.open("tr", {{"data-row", std::to_string(r.row)}}).element("td", std::to_string(r.row));
      h.element("td", r.name).element("td", r.phone).element("td", r.role);
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
    h.open("p").element("button", "Import " + std::to_string(check.rows.size()) + " member(s)",
                        {{"type", "submit"}, {"id", "import-commit"}});
    h.close("p").close("form");
    CsvForm(h, s, gid, csv);
    v.body = h.take();
    return v;
  }
  // Commit: every row or none (an error answer rolls the job back).
  for (const ImportRow& r : check.rows) {
    Member m;
    m.group_id = g.id;
    m.name = r.name;
    m.phone = r.phone;
    m.role = *ParseRole(r.role);
    m.language = r.language;
    m.joined_at = s.now;
    auto added = unit.services.AddMember(m);
    if (!added.ok()) {
      View e = FromStatus(added.status());
      Html eh;
      eh.element("p", "Row " + std::to_string(r.row) + ": " + added.status().message() +
                          " Nothing was imported.",
                 {{"class", "error"}, {"id", "error"}});
      CsvForm(eh, s, gid, csv);
      e.body = eh.take();
      e.title = v.title;
      return e;
    }
    if (Status st = s.Audit(unit, "member.added", "member:" + std::to_string(*added), "import");
        !st.ok()) {
      return FromStatus(st);
    }
  }
  if (Status st = s.Audit(unit, "members.imported", "group:" + gid,
                          "rows=" + std::to_string(check.rows.size()));
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
