// Domain entities as plain values. Money is always int64 minor units of the
// group's currency (see money.h); times are Unix seconds (UTC).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shg {

enum class Role { kMember, kTreasurer, kChair, kSecretary };
const char* RoleName(Role role);                   // "member", "treasurer", ...
std::optional<Role> ParseRole(std::string_view s);  // inverse of RoleName
// Treasurer and chair may confirm savings and act on group tasks.
inline bool CanManageGroup(Role r) { return r == Role::kTreasurer || r == Role::kChair; }

struct Group {
  int64_t id = 0;
  std::string name;
  std::string country;   // ISO 3166 alpha-2, e.g. "KE"
  std::string currency;  // ISO 4217, e.g. "KES"
  std::string meeting_day;
  std::string meeting_place;
  std::string status = "active";  // forming | active | graduated | closed
};

struct Member {
  int64_t id = 0;
  int64_t group_id = 0;
  std::string phone;  // E.164
  std::string name;
  Role role = Role::kMember;
  std::string language = "en";
  bool active = true;
  bool has_pin = false;
  int pin_failed = 0;
  bool pin_locked = false;
  bool pin_must_change = false;  // one-time PIN issued by a reset
  int64_t joined_at = 0;
};

enum class SavingStatus { kPending, kConfirmed, kRejected };
const char* SavingStatusName(SavingStatus s);

struct Saving {
  int64_t id = 0;
  int64_t member_id = 0;
  int64_t group_id = 0;
  int64_t amount = 0;  // minor units, > 0
  std::string currency;
  SavingStatus status = SavingStatus::kPending;
  std::string reference;  // 6 chars, unambiguous alphabet
  int64_t created_at = 0;
  std::string member_name;  // filled by queries that join members
};

struct Balances {
  std::string currency;
  int64_t savings_confirmed = 0;  // her own savings account (posted)
  int64_t savings_pending = 0;    // logged, awaiting the treasurer
  int64_t group_fund = 0;         // the group's loan fund (posted)
  int64_t social_fund = 0;        // the group's social (emergency) fund
  int64_t loan_outstanding = 0;   // loans come with the loans issue
};

struct StatementLine {
  int64_t at = 0;
  std::string kind;  // "saving" | "reversal" (amount negative)
  int64_t amount = 0;
  SavingStatus status = SavingStatus::kPending;
  std::string reference;
  // Her confirmed savings after this line: the sum of the posted amounts
  // (confirmed savings, reversals) of all her lines up to and including this
  // one, oldest first. Pending and rejected lines leave it unchanged. The
  // newest line's value is Balances::savings_confirmed.
  int64_t balance_after = 0;
};

struct GroupSummary {
  Group group;
  int members = 0;
  int64_t group_savings = 0;  // sum of confirmed member savings
  int loans_out = 0;
};

// A stored dialog session (the domain knows it only as an opaque record).
struct SessionRecord {
  std::string channel;
  std::string session_id;
  std::string phone;     // masked
  // Keyed digest of the phone that opened the session (the dialog engine's):
  // a step from another phone is refused. "" on rows older than migration 4.
  std::string phone_key;
  std::string network;   // operator code as the provider sent it (e.g. "63902")
  std::string state;     // serialized by the dialog engine; never holds a PIN
  int step = 0;          // inputs consumed so far
  std::string answer;    // last screen sent, for replaying a retried request
  bool ended = false;
  int64_t updated_at = 0;
  int64_t expires_at = 0;
  int64_t member_id = 0;  // the member once identified (0 before), for resume
};

// Sessions that expired while waiting for input (not ended by the dialog),
// by channel and network: what the operator cut or the member abandoned.
struct TimedOutSessions {
  std::string channel;
  std::string network;
  int64_t sessions = 0;
};

struct AuditEntry {
  std::string actor_kind;  // member | staff | system | partner
  std::string actor;       // member id, staff user name, ...
  std::string action;      // e.g. "saving.logged"
  std::string subject;     // e.g. "saving:42"
  std::string channel;
  std::string request_id;
  std::string detail;      // never a PIN or secret
  int64_t token_id = 0;    // the staff API token behind the action (0: none)
};

}  // namespace shg
