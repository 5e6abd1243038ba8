#include "domain/officers.h"

#include <optional>
#include <string>

#include "domain/model.h"

namespace shg::officers {
namespace {

constexpr char kDecider[] = "SELECT group_id, role, status FROM members WHERE id = ?";

}  // namespace

Status CheckDecider(store::Connection& db, int64_t decider, int64_t group_id,
                    int64_t subject_member, std::string_view decided, std::string_view own) {
  store::Statement& st = db.Prepare(kDecider);
  store::ScopedReset reset(st);
  st.Bind(1, decider);
  Result<bool> row = st.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("member " + std::to_string(decider));
  std::optional<Role> role = ParseRole(st.Text(1));
  if (st.Int(0) != group_id || !role || !CanManageGroup(*role) || st.Text(2) != "active") {
    return Status::PermissionDenied("only an active treasurer or chair of the group decides " +
                                    std::string(decided));
  }
  if (decider == subject_member) {
    return Status::PermissionDenied("a treasurer or chair may not decide her own " +
                                    std::string(own));
  }
  return Status::Ok();
}

}  // namespace shg::officers
