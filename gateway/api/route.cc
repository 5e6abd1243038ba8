// Shared helpers of the staff API's routes (route.h) and the rendering of
// answers (api.h).
#include <cstdlib>

#include "domain/phone.h"
#include "gateway/api/api.h"
#include "gateway/api/route.h"

namespace shg::gateway::api {

ApiAnswer Error(int status, std::string_view code, std::string_view message,
                std::string_view field) {
  json::object e;
  e["code"] = code;
  e["message"] = message;
  if (!field.empty()) e["field"] = field;
  ApiAnswer a;
  a.status = status;
  a.body = json::object{{"error", std::move(e)}};
  return a;
}

ApiAnswer FromStatus(const Status& s) {
  std::string message = s.message();
  std::string field;
  // "phone: ..." names the field at fault (the domain's convention).
  if (size_t colon = message.find(": "); colon != std::string::npos && colon <= 40) {
    bool ident = colon > 0;
    for (size_t i = 0; i < colon; ++i) {
      char c = message[i];
      if (!((c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9'))) ident = false;
    }
    if (ident) field = message.substr(0, colon);
  }
  switch (s.code()) {
    case Status::Code::kOk: return Ok(json::object{});
    case Status::Code::kInvalidArgument: return Error(422, "invalid", message, field);
    case Status::Code::kNotFound: return Error(404, "not_found", message, field);
    case Status::Code::kAlreadyExists: return Error(409, "conflict", message, field);
    case Status::Code::kFailedPrecondition: return Error(409, "conflict", message, field);
    case Status::Code::kPermissionDenied: return Error(403, "forbidden", message, field);
    case Status::Code::kUnauthenticated: return Error(401, "unauthenticated", message);
    case Status::Code::kLocked: return Error(409, "locked", message, field);
    case Status::Code::kUnavailable:
      return Error(503, "unavailable", "temporarily unavailable, retry later");
    default: return Error(500, "internal", "internal error");
  }
}

ApiAnswer Ok(json::value body, int status) {
  ApiAnswer a;
  a.status = status;
  a.body = std::move(body);
  return a;
}

ApiAnswer List(Table table) {
  ApiAnswer a;
  a.table = std::move(table);
  return a;
}

std::optional<int64_t> ApiCall::PathId(const std::string& name) const {
  auto it = path.find(name);
  if (it == path.end()) return std::nullopt;
  return PositiveId(it->second);
}

std::string ApiCall::Query(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? "" : it->second;
}

Status ApiCall::Audit(Unit& unit, const std::string& action, const std::string& subject,
                      const std::string& detail) const {
  AuditEntry e;
  e.actor_kind = "staff";
  e.actor = who.actor();
  e.action = action;
  e.subject = subject;
  e.channel = who.token_id != 0 ? "api" : "dashboard";
  e.request_id = request_id;
  e.detail = detail;
  e.token_id = who.token_id;
  return unit.services.Audit(e);
}

std::string EncodeCursor(int64_t last_id) {
  // Opaque to callers; an id in base 36 behind a version letter.
  std::string digits;
  uint64_t v = static_cast<uint64_t>(last_id);
  do {
    digits.insert(digits.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36]);
    v /= 36;
  } while (v > 0);
  return "c1" + digits;
}

std::optional<ApiAnswer> ParsePage(const ApiCall& call, Page* page) {
  const std::string limit = call.Query("limit");
  if (!limit.empty()) {
    char* end = nullptr;
    long v = std::strtol(limit.c_str(), &end, 10);
    if (*end != '\0' || v < 1 || v > 500) {
      return Error(400, "bad_query", "limit: a number from 1 to 500", "limit");
    }
    page->limit = static_cast<int>(v);
  }
  const std::string cursor = call.Query("cursor");
  if (!cursor.empty()) {
    if (cursor.size() < 3 || cursor.size() > 16 || cursor.compare(0, 2, "c1") != 0) {
      return Error(400, "bad_query", "cursor: not a cursor this API gave", "cursor");
    }
    int64_t v = 0;
    for (size_t i = 2; i < cursor.size(); ++i) {
      char c = cursor[i];
      int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'z') ? c - 'a' + 10 : -1;
      if (d < 0) return Error(400, "bad_query", "cursor: not a cursor this API gave", "cursor");
      v = v * 36 + d;
    }
    page->after_id = v;
  }
  return std::nullopt;
}

std::optional<ApiAnswer> StringField(const ApiCall& call, const char* name, std::string* out,
                                     bool required, size_t max_len) {
  auto it = call.body.find(name);
  if (it == call.body.end() || it->value().is_null()) {
    if (required) return Error(422, "required", std::string(name) + ": is required", name);
    return std::nullopt;
  }
  if (!it->value().is_string()) {
    return Error(422, "invalid", std::string(name) + ": must be a string", name);
  }
  const json::string& s = it->value().as_string();
  if (s.size() > max_len) {
    return Error(422, "invalid",
                 std::string(name) + ": at most " + std::to_string(max_len) + " characters", name);
  }
  out->assign(s.data(), s.size());
  return std::nullopt;
}

std::optional<ApiAnswer> IntField(const ApiCall& call, const char* name, int64_t* out,
                                  bool required) {
  auto it = call.body.find(name);
  if (it == call.body.end() || it->value().is_null()) {
    if (required) return Error(422, "required", std::string(name) + ": is required", name);
    return std::nullopt;
  }
  if (it->value().is_int64()) {
    *out = it->value().as_int64();
    return std::nullopt;
  }
  if (it->value().is_uint64() && it->value().as_uint64() <= INT64_MAX) {
    *out = static_cast<int64_t>(it->value().as_uint64());
    return std::nullopt;
  }
  return Error(422, "invalid", std::string(name) + ": must be an integer", name);
}

ApiAnswer NoSuchGroup() { return Error(404, "not_found", "no such group"); }

ApiAnswer Forbidden(std::string_view what) {
  return Error(403, "forbidden", std::string("your role may not ") + std::string(what));
}

std::optional<ApiAnswer> CheckNotPartner(const ApiCall& call) {
  if (call.who.user.role == StaffRole::kPartner) return Forbidden("see groups or members");
  return std::nullopt;
}

std::optional<ApiAnswer> CheckGroup(const ApiCall& call, Unit& unit, int64_t group_id,
                                    Group* out) {
  if (auto e = CheckNotPartner(call)) return e;
  if (!call.who.MaySeeGroup(group_id)) return NoSuchGroup();
  auto g = unit.services.GetGroup(group_id);
  if (!g.ok()) {
    return g.status().code() == Status::Code::kNotFound ? NoSuchGroup() : FromStatus(g.status());
  }
  if (out != nullptr) *out = std::move(*g);
  return std::nullopt;
}

std::optional<ApiAnswer> CheckMember(const ApiCall& call, Unit& unit, int64_t member_id,
                                     Member* out) {
  if (auto e = CheckNotPartner(call)) return e;
  auto m = unit.services.GetMember(member_id);
  if (!m.ok() || !call.who.MaySeeGroup(m->group_id)) {
    if (!m.ok() && m.status().code() != Status::Code::kNotFound) return FromStatus(m.status());
    return Error(404, "not_found", "no such member");
  }
  *out = std::move(*m);
  return std::nullopt;
}

std::optional<ApiAnswer> CheckMayEdit(const ApiCall& call) {
  if (!call.who.MayEditMembers()) return Forbidden("change groups or members");
  return std::nullopt;
}

std::string MaskedPhone(const std::string& e164) { return MaskPhone(e164); }

// ------------------------------------------------------------ rendering

std::string CsvField(const json::value& v) {
  std::string text;
  if (v.is_string()) {
    text.assign(v.as_string().data(), v.as_string().size());
    // A cell a spreadsheet would run as a formula gets a leading quote; a
    // phone number (+ and digits) is left as it is.
    if (!text.empty()) {
      const char c = text[0];
      bool number_like = (c == '+' || c == '-') && text.size() > 1 &&
                         text.find_first_not_of("0123456789", 1) == std::string::npos;
      if (!number_like && (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r')) {
        text.insert(text.begin(), '\'');
      }
    }
  } else if (v.is_null()) {
    return "";
  } else if (v.is_bool()) {
    return v.as_bool() ? "true" : "false";
  } else {
    text = json::serialize(v);
  }
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

http::Response Render(const ApiAnswer& answer, bool csv) {
  http::Response r;
  r.status = answer.status;
  r.headers = answer.headers;
  if (answer.table && answer.status < 400) {
    const Table& t = *answer.table;
    if (csv) {
      r.content_type = "text/csv; charset=utf-8";
      for (size_t i = 0; i < t.columns.size(); ++i) {
        if (i > 0) r.body += ',';
        r.body += t.columns[i];
      }
      r.body += "\r\n";
      for (const json::object& row : t.rows) {
        for (size_t i = 0; i < t.columns.size(); ++i) {
          if (i > 0) r.body += ',';
          auto it = row.find(t.columns[i]);
          if (it != row.end()) r.body += CsvField(it->value());
        }
        r.body += "\r\n";
      }
      if (!t.next_cursor.empty()) r.headers.emplace_back("X-Next-Cursor", t.next_cursor);
      return r;
    }
    json::array data;
    for (const json::object& row : t.rows) data.push_back(row);
    json::object page{{"data", std::move(data)}};
    page["next_cursor"] = t.next_cursor.empty() ? json::value(nullptr) : json::value(t.next_cursor);
    r.content_type = "application/json";
    r.body = json::serialize(page);
    r.body += '\n';
    return r;
  }
  r.content_type = "application/json";
  r.body = json::serialize(answer.body);
  r.body += '\n';
  return r;
}

}  // namespace shg::gateway::api
