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
  st.Bind(1, decider);
  struct Decider {
    int64_t group_id = 0;
    std::optional<Role> role;
    bool active = false;
  };
  Result<Decider> d = store::QueryOne(
      st,
      [](const store::Statement& row) {
        return Decider{row.Int(0), ParseRole(row.Text(1)), row.Text(2) == "active"};
      },
      Status::NotFound("member " + std::to_string(decider)));
  if (!d.ok()) return d.status();
  if (d->group_id != group_id || !d->role || !CanManageGroup(*d->role) || !d->active) {
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
