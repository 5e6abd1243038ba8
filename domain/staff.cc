#include "domain/staff.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>

#include "domain/password.h"
#include "domain/pin.h"

namespace shg {
namespace {

using store::Statement;

constexpr char kInsertStaff[] =
    "INSERT INTO staff_users (name, display_name, role, partner_id, password_hash, status,"
    " created_at) VALUES (?, ?, ?, ?, ?, 'active', ?) RETURNING id";
// Column order shared by the user queries (see ReadUser).
constexpr char kSelectStaffById[] =
    "SELECT id, name, display_name, role, COALESCE(partner_id, ''), status,"
    " password_hash IS NOT NULL, created_at FROM staff_users WHERE id = ?";
constexpr char kSelectStaffByName[] =
    "SELECT id, name, display_name, role, COALESCE(partner_id, ''), status,"
    " password_hash IS NOT NULL, created_at FROM staff_users WHERE name = ?";
constexpr char kSelectAllStaff[] =
    "SELECT id, name, display_name, role, COALESCE(partner_id, ''), status,"
    " password_hash IS NOT NULL, created_at FROM staff_users ORDER BY name";
constexpr char kStaffGroups[] =
    "SELECT group_id FROM staff_groups WHERE staff_id = ? ORDER BY group_id";
constexpr char kPasswordHash[] =
    "SELECT id, COALESCE(password_hash, ''), status FROM staff_users WHERE name = ?";
constexpr char kDisableStaff[] =
    "UPDATE staff_users SET status = 'disabled', disabled_at = ? WHERE id = ?";
constexpr char kRevokeTokensOf[] =
    "UPDATE api_tokens SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL";
constexpr char kEndSessionsOf[] =
    "UPDATE staff_sessions SET ended_at = ? WHERE staff_id = ? AND ended_at IS NULL";
constexpr char kSetPassword[] = "UPDATE staff_users SET password_hash = ? WHERE id = ?";
constexpr char kAssignGroup[] =
    "INSERT INTO staff_groups (staff_id, group_id) SELECT ?, ?"
    " WHERE NOT EXISTS (SELECT 1 FROM staff_groups WHERE staff_id = ? AND group_id = ?)";
constexpr char kGroupExists[] = "SELECT 1 FROM groups WHERE id = ?";
constexpr char kInsertToken[] =
    "INSERT INTO api_tokens (public_id, staff_id, label, secret_hash, created_at, expires_at)"
    " VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
constexpr char kSelectToken[] =
    "SELECT id, staff_id, secret_hash, COALESCE(expires_at, 0), COALESCE(revoked_at, 0)"
    " FROM api_tokens WHERE public_id = ?";
constexpr char kRevokeToken[] =
    "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?)"
    " WHERE public_id = ? OR CAST(id AS TEXT) = ?";
constexpr char kTokens[] =
    "SELECT t.id, t.public_id, s.name, t.label, t.created_at, COALESCE(t.expires_at, 0),"
    " COALESCE(t.revoked_at, 0) FROM api_tokens t JOIN staff_users s ON s.id = t.staff_id"
    " WHERE ? = 0 OR t.staff_id = ? ORDER BY t.id DESC";
constexpr char kInsertSession[] =
    "INSERT INTO staff_sessions (id_hash, staff_id, csrf, created_at, last_seen_at)"
    " VALUES (?, ?, ?, ?, ?)";
constexpr char kSelectSession[] =
    "SELECT staff_id, csrf, created_at, last_seen_at, ended_at IS NOT NULL"
    " FROM staff_sessions WHERE id_hash = ?";
constexpr char kTouchSession[] =
    "UPDATE staff_sessions SET last_seen_at = ? WHERE id_hash = ? AND ended_at IS NULL";
constexpr char kEndSession[] =
    "UPDATE staff_sessions SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL";
constexpr char kFindAnswer[] =
    "SELECT request_hash, status, content_type, body FROM idempotency_keys"
    " WHERE staff_id = ? AND idem_key = ?";
constexpr char kStoreAnswer[] =
    "INSERT INTO idempotency_keys (staff_id, idem_key, request_hash, status, content_type, body,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";

constexpr std::string_view kTokenPrefix = "shg_";
constexpr size_t kPublicIdHex = 12;
constexpr size_t kSecretHex = 64;
constexpr size_t kMinPasswordLength = 10;

bool IsStaffName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

StaffUser ReadUser(const Statement& st) {
  StaffUser u;
  u.id = st.Int(0);
  u.name = st.Text(1);
  u.display_name = st.Text(2);
  u.role = ParseStaffRole(st.Text(3)).value_or(StaffRole::kReadOnly);
  u.partner_id = st.Text(4);
  u.active = st.Text(5) == "active";
  u.has_password = st.Int(6) != 0;
  u.created_at = st.Int(7);
  return u;
}

// A disabled user keeps her name (the audit log names her), so a name is
// never reused.
Status CheckNewUser(const StaffUser& u, const std::string& password) {
  if (!IsStaffName(u.name)) {
    return Status::InvalidArgument("name: 1-64 characters of a-z, 0-9, '.', '_' or '-'");
  }
  if (u.display_name.size() > 100) return Status::InvalidArgument("display_name: at most 100 characters");
  if ((u.role == StaffRole::kPartner) != !u.partner_id.empty()) {
    return Status::InvalidArgument(u.role == StaffRole::kPartner
                                       ? "partner_id: a partner user needs her MFI's id"
                                       : "partner_id: only a partner user has one");
  }
  if (!password.empty() && password.size() < kMinPasswordLength) {
    return Status::InvalidArgument("password: at least 10 characters");
  }
  return Status::Ok();
}

}  // namespace

const char* StaffRoleName(StaffRole role) {
  switch (role) {
    case StaffRole::kAdmin: return "admin";
    case StaffRole::kFieldOfficer: return "field_officer";
    case StaffRole::kReadOnly: return "read_only";
    case StaffRole::kPartner: return "partner";
  }
  return "read_only";
}

std::optional<StaffRole> ParseStaffRole(std::string_view s) {
  for (StaffRole r : {StaffRole::kAdmin, StaffRole::kFieldOfficer, StaffRole::kReadOnly,
                      StaffRole::kPartner}) {
    if (s == StaffRoleName(r)) return r;
  }
  return std::nullopt;
}

bool Principal::MaySeeGroup(int64_t group_id) const {
  if (SeesAllGroups()) return true;
  if (user.role != StaffRole::kFieldOfficer) return false;
  return std::find(user.groups.begin(), user.groups.end(), group_id) != user.groups.end();
}

std::string Sha256(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

Result<int64_t> Staff::Add(const StaffUser& u, const std::string& password) {
  SHG_RETURN_IF_ERROR(CheckNewUser(u, password));
  Statement& st = db_.Prepare(kInsertStaff);
  st.Bind(1, u.name).Bind(2, u.display_name).Bind(3, StaffRoleName(u.role));
  if (u.partner_id.empty()) {
    st.BindNull(4);
  } else {
    st.Bind(4, u.partner_id);
  }
  if (password.empty()) {
    st.BindNull(5);
  } else {
    st.Bind(5, HashPassword(password));
  }
  st.Bind(6, now_);
  Status s = st.Run();
  if (s.code() == Status::Code::kAlreadyExists) {
    return Status::AlreadyExists("name: a staff user named " + u.name + " exists");
  }
  if (!s.ok()) return s;
  return db_.ReturnedId();
}

Result<StaffUser> Staff::Get(int64_t id) {
  StaffUser user;
  {
    Statement& st = db_.Prepare(kSelectStaffById);
    st.Bind(1, id);
    auto found = store::QueryOne(st, ReadUser, Status::NotFound("no such staff user"));
    if (!found.ok()) return found.status();
    user = std::move(*found);
  }
  Statement& groups = db_.Prepare(kStaffGroups);
  groups.Bind(1, user.id);
  SHG_RETURN_IF_ERROR(store::ForEachRow(
      groups, [&user](const Statement& row) { user.groups.push_back(row.Int(0)); }));
  return user;
}

Result<StaffUser> Staff::ByName(std::string_view name) {
  Statement& st = db_.Prepare(kSelectStaffByName);
  st.Bind(1, name);
  auto id = store::QueryOne(st, [](const Statement& row) { return row.Int(0); },
                            Status::NotFound("no staff user named " + std::string(name)));
  if (!id.ok()) return id.status();
  return Get(*id);
}

Result<std::vector<StaffUser>> Staff::List() {
  auto ids = store::CollectRows(db_.Prepare(kSelectAllStaff),
                                [](const Statement& row) { return row.Int(0); });
  if (!ids.ok()) return ids.status();
  std::vector<StaffUser> users;
  for (int64_t id : *ids) {
    auto u = Get(id);
    if (!u.ok()) return u.status();
    users.push_back(std::move(*u));
  }
  return users;
}

Status Staff::Disable(std::string_view name) {
  auto user = ByName(name);
  if (!user.ok()) return user.status();
  return store::InSavepoint(db_, [&]() -> Status {
    SHG_RETURN_IF_ERROR(db_.Prepare(kDisableStaff).Bind(1, now_).Bind(2, user->id).Run());
    SHG_RETURN_IF_ERROR(db_.Prepare(kRevokeTokensOf).Bind(1, now_).Bind(2, user->id).Run());
    return db_.Prepare(kEndSessionsOf).Bind(1, now_).Bind(2, user->id).Run();
  });
}

Status Staff::SetPassword(std::string_view name, const std::string& password) {
  if (password.size() < kMinPasswordLength) {
    return Status::InvalidArgument("password: at least 10 characters");
  }
  auto user = ByName(name);
  if (!user.ok()) return user.status();
  return db_.Prepare(kSetPassword).Bind(1, HashPassword(password)).Bind(2, user->id).Run();
}

Status Staff::AssignGroup(int64_t staff_id, int64_t group_id) {
  auto user = Get(staff_id);
  if (!user.ok()) return user.status();
  if (user->role != StaffRole::kFieldOfficer) {
    return Status::InvalidArgument("groups: only a field officer is assigned groups");
  }
  {
    Statement& st = db_.Prepare(kGroupExists);
    st.Bind(1, group_id);
    auto exists = store::HasRow(st);
    if (!exists.ok()) return exists.status();
    if (!*exists) return Status::NotFound("no such group");
  }
  return db_.Prepare(kAssignGroup)
      .Bind(1, staff_id)
      .Bind(2, group_id)
      .Bind(3, staff_id)
      .Bind(4, group_id)
      .Run();
}

Result<IssuedToken> Staff::CreateToken(int64_t staff_id, const std::string& label,
                                       int64_t expires_at) {
  auto user = Get(staff_id);
  if (!user.ok()) return user.status();
  if (!user->active) return Status::FailedPrecondition("staff user is disabled");
  if (label.size() > 100) return Status::InvalidArgument("name: at most 100 characters");
  if (expires_at != 0 && expires_at <= now_) {
    return Status::InvalidArgument("expires: must be in the future");
  }
  IssuedToken t;
  t.public_id = RandomHex(kPublicIdHex / 2);
  const std::string secret = RandomHex(kSecretHex / 2);
  t.token = std::string(kTokenPrefix) + t.public_id + "_" + secret;
  t.expires_at = expires_at;
  Statement& st = db_.Prepare(kInsertToken);
  st.Bind(1, t.public_id).Bind(2, staff_id).Bind(3, label).BindBlob(4, Sha256(secret)).Bind(5, now_);
  if (expires_at == 0) {
    st.BindNull(6);
  } else {
    st.Bind(6, expires_at);
  }
  SHG_RETURN_IF_ERROR(st.Run());
  t.id = db_.ReturnedId();
  return t;
}

Status Staff::RevokeToken(std::string_view id_or_public_id) {
  Status s = db_.Prepare(kRevokeToken)
                 .Bind(1, now_)
                 .Bind(2, id_or_public_id)
                 .Bind(3, id_or_public_id)
                 .Run();
  if (!s.ok()) return s;
  if (db_.Changes() == 0) return Status::NotFound("no such token");
  return Status::Ok();
}

Result<std::vector<TokenInfo>> Staff::Tokens(int64_t staff_id) {
  Statement& st = db_.Prepare(kTokens);
  st.Bind(1, staff_id).Bind(2, staff_id);
  return store::CollectRows(st, [](const Statement& row) {
    TokenInfo t;
    t.id = row.Int(0);
    t.public_id = row.Text(1);
    t.staff_name = row.Text(2);
    t.label = row.Text(3);
    t.created_at = row.Int(4);
    t.expires_at = row.Int(5);
    t.revoked_at = row.Int(6);
    return t;
  });
}

Result<Principal> Staff::PrincipalFor(int64_t staff_id, int64_t token_id) {
  auto user = Get(staff_id);
  if (!user.ok() || !user->active) return Status::Unauthenticated("invalid or expired credentials");
  Principal p;
  p.user = std::move(*user);
  p.token_id = token_id;
  return p;
}

Result<Principal> Staff::Authenticate(std::string_view token) {
  const Status refused = Status::Unauthenticated("invalid or expired token");
  if (token.size() != kTokenPrefix.size() + kPublicIdHex + 1 + kSecretHex ||
      token.substr(0, kTokenPrefix.size()) != kTokenPrefix) {
    return refused;
  }
  token.remove_prefix(kTokenPrefix.size());
  const std::string_view public_id = token.substr(0, kPublicIdHex);
  const std::string_view secret = token.substr(kPublicIdHex + 1);
  if (token[kPublicIdHex] != '_' || !IsLowerHex(public_id) || !IsLowerHex(secret)) return refused;
  int64_t token_id = 0, staff_id = 0;
  {
    Statement& st = db_.Prepare(kSelectToken);
    st.Bind(1, public_id);
    // Whether the token may be used; its ids are read only when it may.
    auto usable = store::QueryOptional(st, [&](const Statement& row) {
      const bool secret_ok = ConstantTimeEquals(Sha256(secret), row.Blob(2));
      const int64_t expires_at = row.Int(3), revoked_at = row.Int(4);
      if (!secret_ok || revoked_at != 0 || (expires_at != 0 && expires_at <= now_)) return false;
      token_id = row.Int(0);
      staff_id = row.Int(1);
      return true;
    });
    if (!usable.ok()) return usable.status();
    if (!usable->has_value() || !**usable) return refused;
  }
  auto p = PrincipalFor(staff_id, token_id);
  if (!p.ok()) return refused;
  return p;
}

Result<Principal> Staff::SignIn(std::string_view name, const std::string& password) {
  const Status refused = Status::Unauthenticated("wrong name or password");
  // An unknown name costs the same hash as a known one: no timing oracle.
  static const std::string kDecoy = HashPassword("decoy-password-never-matches");
  int64_t id = 0;
  std::string hash;
  bool active = false;
  {
    Statement& st = db_.Prepare(kPasswordHash);
    st.Bind(1, name);
    auto read = store::QueryOptional(st, [&](const Statement& row) {
      id = row.Int(0);
      hash = row.Text(1);
      active = row.Text(2) == "active";
      return true;
    });
    if (!read.ok()) return read.status();
  }
  const bool ok = VerifyPassword(password, hash.empty() ? kDecoy : hash);
  if (!ok || hash.empty() || !active) return refused;
  auto p = PrincipalFor(id, 0);
  if (!p.ok()) return refused;
  return p;
}

Result<OpenedSession> Staff::OpenSession(int64_t staff_id) {
  OpenedSession s;
  s.cookie = RandomHex(32);
  s.csrf = RandomHex(24);
  SHG_RETURN_IF_ERROR(db_.Prepare(kInsertSession)
                          .BindBlob(1, Sha256(s.cookie))
                          .Bind(2, staff_id)
                          .Bind(3, s.csrf)
                          .Bind(4, now_)
                          .Bind(5, now_)
                          .Run());
  return s;
}

Result<std::pair<Principal, std::string>> Staff::ResumeSession(std::string_view cookie,
                                                               const SessionLimits& limits) {
  const Status refused = Status::Unauthenticated("signed out");
  if (cookie.size() != 64 || !IsLowerHex(cookie)) return refused;
  int64_t staff_id = 0;
  std::string csrf;
  {
    Statement& st = db_.Prepare(kSelectSession);
    st.BindBlob(1, Sha256(cookie));
    // Whether the session may be used; its staff id and token are read only when it may.
    auto usable = store::QueryOptional(st, [&](const Statement& row) {
      const int64_t created_at = row.Int(2), last_seen_at = row.Int(3);
      if (row.Int(4) != 0 || now_ - last_seen_at > limits.idle_s ||
          now_ - created_at > limits.absolute_s) {
        return false;
      }
      staff_id = row.Int(0);
      csrf = row.Text(1);
      return true;
    });
    if (!usable.ok()) return usable.status();
    if (!usable->has_value() || !**usable) return refused;
  }
  auto p = PrincipalFor(staff_id, 0);
  if (!p.ok()) return refused;
  return std::make_pair(std::move(*p), std::move(csrf));
}

Status Staff::TouchSession(std::string_view cookie) {
  return db_.Prepare(kTouchSession).Bind(1, now_).BindBlob(2, Sha256(cookie)).Run();
}

Status Staff::EndSession(std::string_view cookie) {
  return db_.Prepare(kEndSession).Bind(1, now_).BindBlob(2, Sha256(cookie)).Run();
}

Result<std::optional<StoredAnswer>> Staff::FindAnswer(int64_t staff_id, std::string_view key) {
  Statement& st = db_.Prepare(kFindAnswer);
  st.Bind(1, staff_id).Bind(2, key);
  return store::QueryOptional(st, [](const Statement& row) {
    StoredAnswer a;
    a.request_hash = row.Blob(0);
    a.status = static_cast<int>(row.Int(1));
    a.content_type = row.Text(2);
    a.body = row.Text(3);
    return a;
  });
}

Status Staff::StoreAnswer(int64_t staff_id, std::string_view key, const StoredAnswer& a) {
  return db_.Prepare(kStoreAnswer)
      .Bind(1, staff_id)
      .Bind(2, key)
      .BindBlob(3, a.request_hash)
      .Bind(4, static_cast<int64_t>(a.status))
      .Bind(5, a.content_type)
      .Bind(6, a.body)
      .Bind(7, now_)
      .Run();
}

}  // namespace shg
