#include "domain/model.h"

#include <array>
#include <optional>
#include <string_view>

namespace shg {
namespace {

struct RoleRow {
  Role role;
  const char* name;
};

constexpr std::array<RoleRow, 4> kRoles = {{
    {Role::kMember, "member"},
    {Role::kTreasurer, "treasurer"},
    {Role::kChair, "chair"},
    {Role::kSecretary, "secretary"},
}};

}  // namespace

const char* RoleName(Role role) {
  for (const RoleRow& row : kRoles) {
    if (row.role == role) return row.name;
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view s) {
  for (const RoleRow& row : kRoles) {
    if (s == row.name) return row.role;
  }
  return std::nullopt;
}

const char* SavingStatusName(SavingStatus s) {
  switch (s) {
    case SavingStatus::kPending:
      return "pending";
    case SavingStatus::kConfirmed:
      return "confirmed";
    case SavingStatus::kRejected:
      return "rejected";
  }
  return "unknown";
}

}  // namespace shg
