// Routes of staff users and their tokens:
//   GET  /api/v1/me                        who am I (any role)
//   GET  /api/v1/staff                     list (admin)
//   POST /api/v1/staff                     create (admin)
//   POST /api/v1/staff/{name}/disable      disable, revoking her tokens (admin)
//   GET  /api/v1/staff/{name}/tokens       her tokens, never their secrets (admin)
//   POST /api/v1/staff/{name}/tokens       a new token, shown once (admin)
//   POST /api/v1/tokens/{id}/revoke        revoke (admin, or the token's owner)
#include "gateway/api/route.h"
#include "gateway/api/views.h"

namespace shg::gateway::api {
namespace {

json::object TokenJson(const TokenInfo& t) {
  return {{"id", t.id},
          {"public_id", t.public_id},
          {"staff", t.staff_name},
          {"name", t.label},
          {"created_at", t.created_at},
          {"expires_at", t.expires_at == 0 ? json::value(nullptr) : json::value(t.expires_at)},
          {"revoked_at", t.revoked_at == 0 ? json::value(nullptr) : json::value(t.revoked_at)}};
}

ApiAnswer Me(ApiCall& call, Unit&) {
  json::object me = StaffJson(call.who.user);
  me["token_id"] = call.who.token_id;
  return Ok(std::move(me));
}

ApiAnswer ListStaff(ApiCall& call, Unit& unit) {
  if (!call.who.IsAdmin()) return Forbidden("list staff users");
  auto users = unit.staff.List();
  if (!users.ok()) return FromStatus(users.status());
  Table t;
  t.columns = kStaffColumns;
  for (const StaffUser& u : *users) t.rows.push_back(StaffJson(u));
  return List(std::move(t));
}

ApiAnswer CreateStaff(ApiCall& call, Unit& unit) {
  if (!call.who.IsAdmin()) return Forbidden("create staff users");
  StaffUser u;
  std::string role, password;
  if (auto e = StringField(call, "name", &u.name, true, 64)) return *e;
  if (auto e = StringField(call, "display_name", &u.display_name, false, 100)) return *e;
  if (auto e = StringField(call, "role", &role, true, 20)) return *e;
  if (auto e = StringField(call, "partner_id", &u.partner_id, false, 40)) return *e;
  if (auto e = StringField(call, "password", &password, false, 200)) return *e;
  auto parsed = ParseStaffRole(role);
  if (!parsed) {
    return Error(422, "invalid", "role: admin, field_officer, read_only or partner", "role");
  }
  u.role = *parsed;
  if (!u.partner_id.empty()) {
    bool known = false;
    for (const auto& p : call.settings.mfi_partners) known = known || p.id == u.partner_id;
    if (!known) return Error(422, "invalid", "partner_id: not a configured partner", "partner_id");
  }
  std::vector<int64_t> groups;
  if (auto it = call.body.find("groups"); it != call.body.end() && !it->value().is_null()) {
    if (!it->value().is_array()) {
      return Error(422, "invalid", "groups: must be an array of group ids", "groups");
    }
    for (const json::value& g : it->value().as_array()) {
      if (!g.is_int64() || g.as_int64() <= 0) {
        return Error(422, "invalid", "groups: must be an array of group ids", "groups");
      }
      groups.push_back(g.as_int64());
    }
  }
  auto id = unit.staff.Add(u, password);
  if (!id.ok()) return FromStatus(id.status());
  for (int64_t g : groups) {
    if (Status s = unit.staff.AssignGroup(*id, g); !s.ok()) {
      if (s.code() == Status::Code::kNotFound) {
        return Error(422, "invalid", "groups: no group " + std::to_string(g), "groups");
      }
      return FromStatus(s);
    }
  }
  auto created = unit.staff.Get(*id);
  if (!created.ok()) return FromStatus(created.status());
  // Never the password, not even its hash.
  if (Status s = call.Audit(unit, "staff.created", "staff:" + u.name,
                            std::string("role=") + StaffRoleName(u.role));
      !s.ok()) {
    return FromStatus(s);
  }
  return Ok(StaffJson(*created), 201);
}

ApiAnswer DisableStaff(ApiCall& call, Unit& unit) {
  if (!call.who.IsAdmin()) return Forbidden("disable staff users");
  const std::string& name = call.path["name"];
  if (name == call.who.user.name) {
    return Error(409, "conflict", "name: you cannot disable yourself", "name");
  }
  if (Status s = unit.staff.Disable(name); !s.ok()) return FromStatus(s);
  if (Status s = call.Audit(unit, "staff.disabled", "staff:" + name); !s.ok()) return FromStatus(s);
  auto u = unit.staff.ByName(name);
  if (!u.ok()) return FromStatus(u.status());
  return Ok(StaffJson(*u));
}

ApiAnswer ListTokens(ApiCall& call, Unit& unit) {
  if (!call.who.IsAdmin()) return Forbidden("list tokens");
  auto u = unit.staff.ByName(call.path["name"]);
  if (!u.ok()) return FromStatus(u.status());
  auto tokens = unit.staff.Tokens(u->id);
  if (!tokens.ok()) return FromStatus(tokens.status());
  Table t;
  t.columns = {"id", "public_id", "staff", "name", "created_at", "expires_at", "revoked_at"};
  for (const TokenInfo& info : *tokens) t.rows.push_back(TokenJson(info));
  return List(std::move(t));
}

ApiAnswer CreateToken(ApiCall& call, Unit& unit) {
  if (!call.who.IsAdmin()) return Forbidden("create tokens");
  auto u = unit.staff.ByName(call.path["name"]);
  if (!u.ok()) return FromStatus(u.status());
  std::string label;
  int64_t days = 0;
  if (auto e = StringField(call, "name", &label, false, 100)) return *e;
  if (auto e = IntField(call, "expires_days", &days, false)) return *e;
  if (days < 0 || days > 3650) {
    return Error(422, "invalid", "expires_days: 1 to 3650 (or none)", "expires_days");
  }
  auto issued = unit.staff.CreateToken(u->id, label, days == 0 ? 0 : call.now + days * 86400);
  if (!issued.ok()) return FromStatus(issued.status());
  if (Status s = call.Audit(unit, "token.created", "token:" + issued->public_id,
                            "staff=" + u->name);
      !s.ok()) {
    return FromStatus(s);
  }
  json::object body{{"id", issued->id},
                    {"public_id", issued->public_id},
                    {"staff", u->name},
                    {"expires_at", issued->expires_at == 0 ? json::value(nullptr)
                                                           : json::value(issued->expires_at)}};
  // The only time the secret is shown: a replay under the same
  // Idempotency-Key answers without it (nothing stores it).
  json::object replay = body;
  replay["token"] = nullptr;
  body["token"] = issued->token;
  ApiAnswer answer = Ok(std::move(body), 201);
  answer.replay_body = std::move(replay);
  return answer;
}

ApiAnswer RevokeToken(ApiCall& call, Unit& unit) {
  const std::string& id = call.path["id"];
  if (!call.who.IsAdmin()) {
    // Staff may revoke their own token (e.g. one they leaked).
    auto mine = unit.staff.Tokens(call.who.user.id);
    if (!mine.ok()) return FromStatus(mine.status());
    bool owned = false;
    for (const TokenInfo& t : *mine) owned = owned || t.public_id == id || std::to_string(t.id) == id;
    if (!owned) return Forbidden("revoke another user's token");
  }
  if (Status s = unit.staff.RevokeToken(id); !s.ok()) return FromStatus(s);
  if (Status s = call.Audit(unit, "token.revoked", "token:" + id); !s.ok()) return FromStatus(s);
  return Ok(json::object{{"revoked", id}});
}

}  // namespace

void AddStaffRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/me", Me});
  routes.push_back({"GET", "/api/v1/staff", ListStaff});
  routes.push_back({"POST", "/api/v1/staff", CreateStaff});
  routes.push_back({"POST", "/api/v1/staff/{name}/disable", DisableStaff});
  routes.push_back({"GET", "/api/v1/staff/{name}/tokens", ListTokens});
  routes.push_back({"POST", "/api/v1/staff/{name}/tokens", CreateToken});
  routes.push_back({"POST", "/api/v1/tokens/{id}/revoke", RevokeToken});
}

}  // namespace shg::gateway::api
