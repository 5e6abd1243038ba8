// Domain services over one store connection: members, PINs, savings,
// ledger, balances, training, audit and dialog sessions.
//
// A Services object is a cheap view constructed per unit of work with the
// connection it must use (the writer's inside Store::Submit, or a reader for
// pure queries). Methods that change data REQUIRE the writer connection and
// run inside the caller's transaction: they never BEGIN/COMMIT themselves,
// so several calls compose into one atomic unit of work.
//
// Expected failures are returned as Status values:
//   InvalidArgument  bad input (amount, PIN rule)      -> re-ask
//   NotFound         no such member / saving
//   FailedPrecondition  state does not allow it (saving already decided)
//   PermissionDenied role does not allow it
//   Locked           PIN locked
// Each method that writes several rows is atomic on its own (a SAVEPOINT):
// when it fails it leaves nothing behind, and the caller's transaction can
// carry on.
//
// The services write no audit rows themselves: the caller knows the actor,
// channel and request id and records them with Audit() (never a PIN).
// Paged queries take 1..1000 rows and an offset >= 0 (else InvalidArgument).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/cycle_rules.h"
#include "domain/model.h"
#include "domain/pin.h"
#include "domain/result.h"
#include "domain/store/sqlite.h"

namespace shg {

struct DomainContext {
  const PinHasher* pins = nullptr;  // REQUIRED, not owned
  int max_pin_failures = 3;
  int64_t now = 0;                  // Unix seconds for this unit of work
};

enum class PinCheck { kOk, kWrong, kLocked, kNotSet };
struct PinOutcome {
  PinCheck check = PinCheck::kWrong;
  int tries_left = 0;          // after a wrong PIN
  bool must_change = false;    // one-time PIN: ask for a new one now
  bool just_locked = false;    // this attempt locked the account
};

class Services {
 public:
  Services(store::Connection& conn, const DomainContext& ctx) : db_(conn), ctx_(ctx) {}

  // --- groups and members ---
  // Returns the id; creates its accounts (ledger.h CreateGroupAccounts) and
  // its cycle 1, active from ctx.now (domain/cycles.h) with `first_cycle`'s
  // rules, or by default not lending with a share-out unit of one whole
  // currency unit. InvalidArgument for an empty name, a country that is not
  // 2 capital letters, an unknown currency (money.h), an unknown status or
  // rules ValidateCycleRules refuses.
  Result<int64_t> AddGroup(const Group& g,
                           const std::optional<CycleRules>& first_cycle = std::nullopt);
  // Adds a member (phone must be E.164 and valid for the group's country;
  // several members may share a phone); creates her savings and loan
  // accounts. joined_at 0 means ctx.now. PIN fields are ignored (SetPin).
  // AlreadyExists (message starting "phone: ") when an active member of the
  // group has this phone and the same name (ASCII case and spacing aside).
  Result<int64_t> AddMember(const Member& m);
  Result<Group> GetGroup(int64_t group_id);
  Result<Member> GetMember(int64_t member_id);
  // Active members on this phone, ordered by id (several may share a phone).
  Result<std::vector<Member>> MembersByPhone(const std::string& e164);
  // How many active members are on this phone (MembersByPhone(e164).size()
  // without reading them): > 1 means a shared phone. 0 for an unknown one.
  Result<int> ActiveMembersOnPhone(const std::string& e164);
  Status SetLanguage(int64_t member_id, const std::string& language);

  // --- PIN ---
  // Checks a PIN; counts failures and locks after ctx.max_pin_failures.
  // Outcomes: kLocked (locked before this attempt; nothing counted),
  // kNotSet, kOk (failures reset to 0; must_change after a reset), kWrong
  // with tries_left; the attempt that reaches the limit is kWrong with
  // tries_left 0 and just_locked. FailedPrecondition for an exited member.
  Result<PinOutcome> VerifyPin(int64_t member_id, const std::string& pin);
  // Sets a member-chosen PIN (rules of ValidateNewPin: InvalidArgument) with
  // a new salt, clears failures, lock and must-change. The new PIN must
  // differ from the PIN in force, one-time or not (AlreadyExists).
  Status SetPin(int64_t member_id, const std::string& pin);
  // Staff/treasurer reset: stores `one_time_pin` (any 4 digits) with
  // must-change set, unlocks and clears failures. The caller delivers the
  // one-time PIN (SMS with messaging).
  Status ResetPin(int64_t member_id, const std::string& one_time_pin);
  // ResetPin by a treasurer or chair of her group from Group tasks. Checks
  // in order: NotFound (member or officer), PermissionDenied (not an active
  // officer of her group, or her own PIN), FailedPrecondition (she exited).
  Status ResetPinByOfficer(int64_t member_id, int64_t officer_id, const std::string& one_time_pin);
  // Active members of the group whose PIN is locked, longest locked first
  // (paged: 1..1000 rows).
  Result<std::vector<Member>> LockedMembers(int64_t group_id, int limit, int offset);
  // Active treasurers then chairs of the group (who can reset a PIN).
  Result<std::vector<Member>> GroupOfficers(int64_t group_id);

  // --- savings ---
  // Logs a pending saving (amount > 0, in her group's currency) with a new
  // unique reference code. `idempotency_key` (e.g. "at-ke:sess:7") makes a
  // retry return the first saving unchanged instead of creating another
  // (AlreadyExists if the key was used for another member); "" = no key.
  // FailedPrecondition for an exited member.
  Result<Saving> LogSaving(int64_t member_id, int64_t amount, const std::string& channel,
                           const std::string& idempotency_key);
  // Pending savings of a group, oldest first.
  Result<std::vector<Saving>> PendingSavings(int64_t group_id, int limit, int offset);
  Result<Saving> GetSaving(int64_t saving_id);
  // Treasurer/chair decision. Confirm posts Dr group loan fund / Cr member
  // savings and links the journal; reject only records the decision.
  // PermissionDenied unless the decider is an active treasurer/chair of the
  // same group, and for her OWN saving (the other officer decides it);
  // FailedPrecondition if no longer pending (a decision is final).
  // Checks run in that order: NotFound, PermissionDenied, FailedPrecondition.
  Status DecideSaving(int64_t saving_id, int64_t decider_member_id, bool confirm);
  // Reverses a confirmed saving's journal (staff correction; `reason` is the
  // reversal's memo, required). The saving stays "confirmed" and is marked
  // reversed; her statement then shows a "reversal" line. FailedPrecondition
  // unless confirmed and not yet reversed.
  Status ReverseSaving(int64_t saving_id, const std::string& reason);

  // --- balances and statement ---
  // Posted balances come from the ledger accounts (so a reversal is
  // reflected); pending is the sum of her pending savings.
  Result<Balances> BalancesFor(int64_t member_id);
  // Newest first: each of her savings (kind "saving", any status) and, for
  // a reversed saving, a "reversal" line (negative amount, its time).
  Result<std::vector<StatementLine>> StatementFor(int64_t member_id, int limit, int offset);
  // Active members; group_savings = the members' posted savings balances.
  Result<GroupSummary> GroupSummaryFor(int64_t group_id);

  // --- training ---
  // Modules are configuration, stored so the predicate can be evaluated.
  Status UpsertTrainingModule(const std::string& module_id, int step, const std::string& title);
  // Records a completion at ctx.now; recording it again keeps the first.
  Status RecordTraining(int64_t member_id, const std::string& module_id, const std::string& by);
  // True when every module of steps 1 and 2 is completed (false when no
  // such module is configured: an empty programme makes nobody eligible).
  Result<bool> CompletedTraining(int64_t member_id);

  // --- audit ---
  Status Audit(const AuditEntry& entry);

  // --- dialog sessions (keyed by channel + session id) ---
  // nullopt when missing or expired (expires_at < ctx.now).
  Result<std::optional<SessionRecord>> LoadSession(const std::string& channel,
                                                   const std::string& session_id);
  // Inserts or replaces; updated_at 0 means ctx.now. member_id is stored
  // when the session is inserted; change it later with SetSessionMember.
  Status SaveSession(const SessionRecord& s);
  Status SetSessionMember(const std::string& channel, const std::string& session_id,
                          int64_t member_id);
  // The member's most recent session other than (channel, session_id) that
  // was not ended by the dialog and was updated at or after `since`
  // (expired or not): a session cut by the operator, for resume.
  Result<std::optional<SessionRecord>> LatestOtherSession(int64_t member_id,
                                                          const std::string& channel,
                                                          const std::string& session_id,
                                                          int64_t since);
  // Marks a session ended (it will not be resumed or answered again).
  Status EndSession(const std::string& channel, const std::string& session_id);
  // Sessions that PurgeExpiredSessions(keep_s) would delete and that expired
  // waiting for input (not ended by the dialog), by channel and network.
  Result<std::vector<TimedOutSessions>> TimedOutSessionsToPurge(int64_t keep_s = 0);
  // Sessions that PurgeExpiredSessions(keep_s) would delete, that were not
  // ended by the dialog and had an identified member (channel, session id,
  // state, member_id set): what was dropped for good.
  Result<std::vector<SessionRecord>> UnendedSessionsToPurge(int64_t keep_s = 0);
  // Deletes sessions whose expires_at < now - keep_s (kept that long after
  // expiry so a dropped session can be resumed); returns how many.
  Result<int> PurgeExpiredSessions(int64_t keep_s = 0);
  // Sessions neither ended nor expired.
  Result<int64_t> ActiveSessionCount();

  // --- ledger checks (used by tests and an admin check) ---
  // Every journal sums to zero and cached balances equal posted sums (full
  // list: domain/ledger.h, ledger::Check). Internal naming the first
  // violation.
  Status CheckLedger();

 // The connection this view works on (to compose with Messages in one
  // transaction).
  store::Connection& connection() { return db_; }
  // The context this view works in (to build other views, e.g. Loans, for
  // the same unit of work); it outlives this view.
  const DomainContext& context() const { return ctx_; }

 private:
  store::Connection& db_;
  const DomainContext& ctx_;
};

}  // namespace shg
