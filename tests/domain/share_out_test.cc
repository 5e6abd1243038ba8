// The share-out arithmetic (domain/share_out.h): hand-checked cases, then
// the properties over many random groups.
#include "domain/share_out.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace shg {
namespace {

using Wide = __int128;

ShareOutPlan Plan(const std::vector<ShareOutMember>& members, int64_t income, int64_t unit) {
  auto plan = PlanShareOut(members, income, unit);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? *plan : ShareOutPlan{};
}

std::vector<int64_t> Shares(const ShareOutPlan& p) {
  std::vector<int64_t> out;
  for (const ShareOutLine& l : p.lines) out.push_back(l.share);
  return out;
}

TEST(ShareOutTest, HandCheckedCases) {
  struct Case {
    const char* what;
    std::vector<ShareOutMember> members;
    int64_t income, unit;
    std::vector<int64_t> shares;
    int64_t carried;
  } cases[] = {
      // KES 4,250 + 3,000 + 2,750 = 10,000 saved, KES 1,000 of income: 10% each.
      {"even profit", {{1, 425000}, {2, 300000}, {3, 275000}}, 100000, 100,
       {467500, 330000, 302500}, 0},
      // Three equal savers share KES 100 in whole shillings: 33.33 each; the
      // odd shilling goes to the smallest member id, nothing is carried.
      {"tie by member id", {{7, 1000}, {3, 1000}, {5, 1000}}, 7000, 100, {3300, 3400, 3300}, 0},
      // A fund of KES 100.50 in whole shillings: 50 cents carried.
      {"carried below a unit", {{1, 5000}, {2, 5000}}, 50, 100, {5000, 5000}, 50},
      // 2:1 savings of 10 units: 6.67 and 3.33 -> 7 and 3 (largest remainder).
      {"largest remainder", {{1, 200}, {2, 100}}, 700, 100, {700, 300}, 0},
      {"zero savings gets zero", {{1, 0}, {2, 500}}, 100, 100, {0, 600}, 0},
      {"a loss", {{1, 1000}, {2, 3000}}, -400, 100, {900, 2700}, 0},
      {"nobody saved: all carried", {{1, 0}, {2, 0}}, 900, 100, {0, 0}, 900},
      {"no members", {}, 0, 100, {}, 0},
      {"unit of one minor unit", {{1, 1}, {2, 1}, {3, 1}}, 1, 1, {2, 1, 1}, 0},
  };
  for (const Case& c : cases) {
    ShareOutPlan p = Plan(c.members, c.income, c.unit);
    EXPECT_EQ(Shares(p), c.shares) << c.what;
    EXPECT_EQ(p.carried, c.carried) << c.what;
    EXPECT_EQ(p.distributed + p.carried, p.fund) << c.what;
  }
}

TEST(ShareOutTest, AnInternalLoanIsNettedAgainstHerShare) {
  // Grace owes KES 1,100 on an internal loan; Halima owes more than her share.
  ShareOutPlan p = Plan({{1, 400000, 110000}, {2, 100000, 0}, {3, 20000, 50000}}, 52000, 100);
  ASSERT_EQ(p.lines.size(), 3u);
  EXPECT_EQ(p.lines[0].share, 440000);
  EXPECT_EQ(p.lines[0].netted, 110000);
  EXPECT_EQ(p.lines[0].payout, 330000);
  EXPECT_EQ(p.lines[0].still_owed, 0);
  EXPECT_EQ(p.lines[0].profit, 40000);
  EXPECT_EQ(p.lines[2].share, 22000);
  EXPECT_EQ(p.lines[2].netted, 22000);
  EXPECT_EQ(p.lines[2].payout, 0);
  EXPECT_EQ(p.lines[2].still_owed, 28000);
  EXPECT_EQ(p.total_netted, 132000);
  EXPECT_EQ(p.total_payout, p.distributed - p.total_netted);
}

TEST(ShareOutTest, RefusesWhatCannotBeShared) {
  struct Case {
    const char* what;
    std::vector<ShareOutMember> members;
    int64_t income, unit;
    const char* field;
  } cases[] = {
      {"unit zero", {{1, 100}}, 0, 0, "unit"},
      {"negative savings", {{1, -1}}, 0, 100, "savings"},
      {"negative loan", {{1, 100, -5}}, 0, 100, "loan"},
      {"member twice", {{1, 100}, {1, 200}}, 0, 100, "member"},
      {"loss beyond savings", {{1, 100}}, -101, 100, "income"},
      {"savings overflow", {{1, std::numeric_limits<int64_t>::max()}, {2, 1}}, 0, 100, "savings"},
      {"fund overflow", {{1, std::numeric_limits<int64_t>::max()}}, 1, 100, "income"},
  };
  for (const Case& c : cases) {
    auto p = PlanShareOut(c.members, c.income, c.unit);
    ASSERT_FALSE(p.ok()) << c.what;
    EXPECT_EQ(p.status().code(), Status::Code::kInvalidArgument) << c.what;
    EXPECT_EQ(p.status().message().rfind(std::string(c.field) + ": ", 0), 0u)
        << c.what << ": " << p.status().message();
  }
}

// Every property of the header over random groups: small and large
// amounts, many ties, zero savers, units from 1 to 10,000 minor units.
TEST(ShareOutTest, PropertiesHoldOverRandomGroups) {
  std::mt19937_64 rng(20261202);
  for (int round = 0; round < 3000; ++round) {
    const int n = 1 + static_cast<int>(rng() % 40);
    const bool huge = round % 10 == 0;  // amounts near the int64 limit
    const int64_t cap = huge ? std::numeric_limits<int64_t>::max() / (2 * n) : 10'000'000;
    const int64_t unit = std::vector<int64_t>{1, 5, 100, 1000, 10000}[rng() % 5];
    std::vector<ShareOutMember> members;
    int64_t total = 0;
    for (int i = 0; i < n; ++i) {
      ShareOutMember m;
      m.member_id = static_cast<int64_t>(rng() % 1000000) * 64 + i;  // distinct
      const uint64_t pick = rng() % 10;
      m.savings = pick == 0 ? 0 : pick == 1 ? 5000 : static_cast<int64_t>(rng() % cap);
      m.loan_outstanding = rng() % 4 == 0 ? static_cast<int64_t>(rng() % (m.savings + 1)) : 0;
      total += m.savings;
      members.push_back(m);
    }
    const int64_t income =
        huge ? static_cast<int64_t>(rng() % (std::numeric_limits<int64_t>::max() / 4))
             : static_cast<int64_t>(rng() % 2000000) - (rng() % 3 == 0 ? total / 3 : 0);
    auto planned = PlanShareOut(members, income, unit);
    ASSERT_TRUE(planned.ok()) << round << ": " << planned.status().ToString();
    const ShareOutPlan& p = *planned;
    ASSERT_EQ(p.fund, total + income) << round;
    // Sums are exact; the carry is below one unit.
    int64_t sum = 0;
    for (const ShareOutLine& l : p.lines) sum += l.share;
    ASSERT_EQ(sum, p.distributed) << round;
    ASSERT_EQ(p.distributed + p.carried, p.fund) << round;
    ASSERT_GE(p.carried, 0) << round;
    if (total > 0) {
      ASSERT_LT(p.carried, unit) << round;
    }
    ASSERT_EQ(p.distributed % unit, 0) << round;
    for (size_t i = 0; i < p.lines.size(); ++i) {
      const ShareOutLine& l = p.lines[i];
      ASSERT_EQ(l.member_id, members[i].member_id);
      ASSERT_EQ(l.share % unit, 0) << round;
      if (l.savings == 0) {
        ASSERT_EQ(l.share, 0) << round;
      }
      // Within one unit of her exact share of the distributed amount:
      // |share * S - distributed * savings| < unit * S.
      if (total > 0) {
        const Wide diff = static_cast<Wide>(l.share) * total -
                          static_cast<Wide>(p.distributed) * l.savings;
        ASSERT_LT(diff < 0 ? -diff : diff, static_cast<Wide>(unit) * total) << round;
      }
      ASSERT_EQ(l.netted + l.payout, l.share) << round;
      ASSERT_EQ(l.netted + l.still_owed, members[i].loan_outstanding) << round;
      ASSERT_GE(l.payout, 0) << round;
      // More savings never gets less.
      for (size_t j = 0; j < p.lines.size(); ++j) {
        if (members[i].savings > members[j].savings) {
          ASSERT_GE(l.share, p.lines[j].share) << round;
        }
      }
    }
  }
}

}  // namespace
}  // namespace shg
