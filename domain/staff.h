// Staff of the programme and of partner MFIs: users with a role, the
// groups a field officer is assigned, API tokens, dashboard sessions and
// staff passwords. Only hashes of secrets are stored:
//   - an API token "shg_<public id>_<secret>" is printed once; the store
//     keeps SHA-256(secret) (the secret is 32 random bytes: a slow hash
//     adds nothing) and compares it in constant time;
//   - a password is kept as PBKDF2-HMAC-SHA256 (domain/password.h);
//   - a dashboard session cookie is kept as SHA-256 of its value.
//
// Roles (what a role may see and do is decided by the callers: the staff
// API and the dashboard, with the helpers on Principal):
//   admin          everything
//   field_officer  her assigned groups only (and the groups she creates)
//   read_only      reads everything, writes nothing
//   partner        one MFI's loans only (partner_id)
//
// A Staff view is cheap and built per unit of work over the connection it
// must use, like Services: writes REQUIRE the writer connection, run in the
// caller's transaction, and each is atomic on its own (a SAVEPOINT).
// Thread-safety: one view per thread, as its connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.h"
#include "domain/store/sqlite.h"

namespace shg {

enum class StaffRole { kAdmin, kFieldOfficer, kReadOnly, kPartner };
const char* StaffRoleName(StaffRole role);  // "admin", "field_officer", ...
std::optional<StaffRole> ParseStaffRole(std::string_view s);

struct StaffUser {
  int64_t id = 0;
  std::string name;          // the sign-in name: [a-z0-9._-], 1..64
  std::string display_name;  // shown on the dashboard
  StaffRole role = StaffRole::kReadOnly;
  std::string partner_id;    // role partner only: the MFI (config id)
  bool active = true;
  bool has_password = false;
  int64_t created_at = 0;
  std::vector<int64_t> groups;  // field officer: her assigned groups
};

// Who is calling, once authenticated (token or dashboard session).
struct Principal {
  StaffUser user;
  int64_t token_id = 0;  // the API token used (0 for a dashboard session)

  bool IsAdmin() const { return user.role == StaffRole::kAdmin; }
  // Admin and read-only staff see every group; a field officer hers.
  bool SeesAllGroups() const {
    return user.role == StaffRole::kAdmin || user.role == StaffRole::kReadOnly;
  }
  bool MaySeeGroup(int64_t group_id) const;
  // Admin and field officers change groups and members (in the groups
  // they may see); read-only staff and partners do not.
  bool MayEditMembers() const {
    return user.role == StaffRole::kAdmin || user.role == StaffRole::kFieldOfficer;
  }
  // The audit actor: "staff" + name.
  std::string actor() const { return user.name; }
};

struct IssuedToken {
  int64_t id = 0;
  std::string public_id;  // 12 hex characters, shown in lists and audit
  std::string token;      // the whole bearer token: shown ONCE, never stored
  int64_t expires_at = 0;  // 0 = never
};

struct TokenInfo {
  int64_t id = 0;
  std::string public_id;
  std::string staff_name;
  std::string label;
  int64_t created_at = 0;
  int64_t expires_at = 0;  // 0 = never
  int64_t revoked_at = 0;  // 0 = live
};

struct OpenedSession {
  std::string cookie;  // the session cookie's value: shown once, never stored
  std::string csrf;    // the token every form of this session carries
};

struct SessionLimits {
  int64_t idle_s = 30 * 60;          // signed out after 30 minutes idle
  int64_t absolute_s = 12 * 3600;    // and after 12 hours whatever happens
};

// The first answer to a POST under an Idempotency-Key.
struct StoredAnswer {
  std::string request_hash;  // SHA-256 of method, path and body
  int status = 0;
  std::string content_type;
  std::string body;
};

// SHA-256 of `data`, raw 32 bytes.
std::string Sha256(std::string_view data);

class Staff {
 public:
  Staff(store::Connection& conn, int64_t now) : db_(conn), now_(now) {}

  // --- users ---
  // Adds a user. InvalidArgument (message "<field>: ...") for a bad name,
  // a partner role without partner_id (or another role with one), a
  // password shorter than 10 characters; AlreadyExists ("name: ...") for a
  // name in use. `password` "" = no dashboard sign-in (tokens only).
  Result<int64_t> Add(const StaffUser& user, const std::string& password);
  Result<StaffUser> Get(int64_t id);
  Result<StaffUser> ByName(std::string_view name);
  // Every user, by name.
  Result<std::vector<StaffUser>> List();
  // Disables the user, revokes her tokens and ends her sessions. NotFound.
  Status Disable(std::string_view name);
  Status SetPassword(std::string_view name, const std::string& password);
  // Assigns a group to a field officer (idempotent). InvalidArgument if the
  // user is not a field officer; NotFound for either.
  Status AssignGroup(int64_t staff_id, int64_t group_id);

  // --- API tokens ---
  // A new token for an active user; expires_at 0 = never.
  Result<IssuedToken> CreateToken(int64_t staff_id, const std::string& label, int64_t expires_at);
  // Revokes by id or public id. NotFound; revoking twice is OK.
  Status RevokeToken(std::string_view id_or_public_id);
  // Tokens of one user (staff_id > 0) or of everyone (0), newest first.
  Result<std::vector<TokenInfo>> Tokens(int64_t staff_id);
  // The principal behind a bearer token: Unauthenticated (one message for
  // every reason: malformed, unknown, wrong secret, revoked, expired,
  // disabled user) so that a caller learns nothing from the answer.
  Result<Principal> Authenticate(std::string_view bearer_token);

  // --- dashboard ---
  // Checks a password (constant time; a slow hash even for an unknown
  // name). Unauthenticated for any failure.
  Result<Principal> SignIn(std::string_view name, const std::string& password);
  Result<OpenedSession> OpenSession(int64_t staff_id);
  // The principal and CSRF token of a live session; Unauthenticated when
  // unknown, ended, idle past limits.idle_s or older than absolute_s.
  // Does not write: call TouchSession to record activity.
  Result<std::pair<Principal, std::string>> ResumeSession(std::string_view cookie,
                                                          const SessionLimits& limits);
  Status TouchSession(std::string_view cookie);
  Status EndSession(std::string_view cookie);

  // --- idempotency keys ---
  Result<std::optional<StoredAnswer>> FindAnswer(int64_t staff_id, std::string_view key);
  Status StoreAnswer(int64_t staff_id, std::string_view key, const StoredAnswer& answer);

 private:
  Result<Principal> PrincipalFor(int64_t staff_id, int64_t token_id);
  store::Connection& db_;
  int64_t now_;
};

}  // namespace shg
