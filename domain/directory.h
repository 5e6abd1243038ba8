// The programme's directory for staff: groups and members listed, found,
// summarised and edited (the staff API and dashboard; members use the
// dialogs). Lists are keyset-paged by id (`after_id`, `limit` 1..1000) so
// that a listing while rows are added sees each row once.
//
// `visible_to` restricts a query to the groups assigned to that staff user
// (a field officer); 0 means every group.
//
// A Directory is a cheap view per unit of work over the connection it must
// use; writes REQUIRE the writer connection and run in the caller's
// transaction, each atomic on its own. Thread-safety: as its connection.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.h"
#include "domain/result.h"
#include "domain/services.h"
#include "domain/store/sqlite.h"

namespace shg {

struct GroupFilter {
  int64_t visible_to = 0;
  std::string status;   // "" = any
  std::string country;  // "" = any
  std::string q;        // part of the name, ASCII case ignored; "" = any
};

struct MemberFilter {
  int64_t visible_to = 0;
  int64_t group_id = 0;    // 0 = any
  std::string phone;       // E.164, exact; "" = any
  std::string q;           // part of the name, ASCII case ignored
  bool include_exited = false;
};

// A group as staff follow it: every figure from the ledger or the rows.
struct GroupOverview {
  Group group;
  int members = 0;                  // active
  int64_t savings_confirmed = 0;    // sum of the members' savings accounts
  int64_t group_fund = 0;           // the loan fund account (posted)
  int64_t social_fund = 0;
  int pending_savings = 0;
  int64_t pending_savings_amount = 0;
  int pending_repayments = 0;
  int pending_loan_requests = 0;
  std::map<std::string, int> loans_by_state;  // state name -> loans
};

struct GroupChange {
  std::optional<std::string> name, meeting_day, meeting_place, status;
};

struct MemberChange {
  std::optional<std::string> name, role, language, phone;
  bool exit = false;  // she leaves the group: status exited (kept for the ledger)
};

// Training of one member: every configured module, done or not.
struct TrainingProgress {
  std::string module_id;
  int step = 0;
  std::string title;
  int64_t completed_at = 0;  // 0 = not yet
  std::string recorded_by;
};

class Directory {
 public:
  Directory(store::Connection& conn, const DomainContext& ctx) : db_(conn), ctx_(ctx) {}

  Result<std::vector<Group>> Groups(const GroupFilter& filter, int64_t after_id, int limit);
  Result<GroupOverview> Overview(int64_t group_id);
  // Edits a group; InvalidArgument "<field>: ..." for a bad value.
  Status UpdateGroup(int64_t group_id, const GroupChange& change);

  Result<std::vector<Member>> Members(const MemberFilter& filter, int64_t after_id, int limit);
  // Every member of the group, exited ones too, by id (what an import is
  // checked against: domain/member_import.h).
  Result<std::vector<Member>> AllMembers(int64_t group_id);
  // Edits a member. The phone must be valid for her group's country
  // (InvalidArgument "phone: ..."); AlreadyExists "phone: ..." when another
  // active member of the group has that phone and name. Exiting is final
  // here (FailedPrecondition "exit: ..." with a loan still open).
  Status UpdateMember(int64_t member_id, const MemberChange& change,
                      const std::vector<std::string>& languages);
  Result<std::vector<TrainingProgress>> Training(int64_t member_id);
  // A group's savings by id (member_name filled): `status` "" for any, or
  // pending | confirmed | rejected (InvalidArgument "status: ..." else).
  Result<std::vector<Saving>> Savings(int64_t group_id, const std::string& status,
                                      int64_t after_id, int limit);
  // Configured modules, by step then id.
  Result<std::vector<TrainingProgress>> Modules();

 private:
  store::Connection& db_;
  const DomainContext& ctx_;
};

}  // namespace shg
