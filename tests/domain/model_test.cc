#include "domain/model.h"

#include <gtest/gtest.h>

namespace shg {
namespace {

TEST(ModelTest, RoleNamesRoundTrip) {
  for (Role r : {Role::kMember, Role::kTreasurer, Role::kChair, Role::kSecretary}) {
    auto back = ParseRole(RoleName(r));
    ASSERT_TRUE(back.has_value()) << RoleName(r);
    EXPECT_EQ(*back, r);
  }
  EXPECT_FALSE(ParseRole("boss").has_value());
  EXPECT_TRUE(CanManageGroup(Role::kTreasurer));
  EXPECT_TRUE(CanManageGroup(Role::kChair));
  EXPECT_FALSE(CanManageGroup(Role::kSecretary));
  EXPECT_FALSE(CanManageGroup(Role::kMember));
}

TEST(ModelTest, SavingStatusNames) {
  EXPECT_STREQ(SavingStatusName(SavingStatus::kPending), "pending");
  EXPECT_STREQ(SavingStatusName(SavingStatus::kConfirmed), "confirmed");
  EXPECT_STREQ(SavingStatusName(SavingStatus::kRejected), "rejected");
}

}  // namespace
}  // namespace shg
