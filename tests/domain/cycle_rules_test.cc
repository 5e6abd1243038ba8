// The savings-cycle state machine and rules (domain/cycle_rules.h).
#include "domain/cycle_rules.h"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <utility>

namespace shg {
namespace {

constexpr CycleState kStates[] = {CycleState::kPlanned, CycleState::kActive, CycleState::kClosing,
                                  CycleState::kSharedOut, CycleState::kClosed};
constexpr CycleEvent kEvents[] = {CycleEvent::kStart,  CycleEvent::kCancel,
                                  CycleEvent::kBeginClose, CycleEvent::kReopen,
                                  CycleEvent::kShareOut, CycleEvent::kClose};

// Every (state, event) pair: exactly the header's table is allowed.
TEST(CycleRulesTest, OnlyTheTableTransitions) {
  const std::map<std::pair<CycleState, CycleEvent>, CycleState> allowed = {
      {{CycleState::kPlanned, CycleEvent::kStart}, CycleState::kActive},
      {{CycleState::kPlanned, CycleEvent::kCancel}, CycleState::kClosed},
      {{CycleState::kActive, CycleEvent::kBeginClose}, CycleState::kClosing},
      {{CycleState::kClosing, CycleEvent::kReopen}, CycleState::kActive},
      {{CycleState::kClosing, CycleEvent::kShareOut}, CycleState::kSharedOut},
      {{CycleState::kSharedOut, CycleEvent::kClose}, CycleState::kClosed},
  };
  for (CycleState s : kStates) {
    for (CycleEvent e : kEvents) {
      auto next = NextCycleState(s, e);
      auto it = allowed.find({s, e});
      if (it == allowed.end()) {
        ASSERT_FALSE(next.ok()) << CycleStateName(s) << " " << CycleEventName(e);
        EXPECT_EQ(next.status().code(), Status::Code::kFailedPrecondition);
      } else {
        ASSERT_TRUE(next.ok()) << CycleStateName(s) << " " << CycleEventName(e);
        EXPECT_EQ(*next, it->second);
      }
    }
  }
  EXPECT_EQ(NextCycleState(CycleState::kClosed, CycleEvent::kStart).status().message(),
            "a closed cycle cannot start");
}

TEST(CycleRulesTest, OpenAndLendingStates) {
  for (CycleState s : kStates) {
    EXPECT_EQ(ParseCycleState(CycleStateName(s)), s);
    EXPECT_EQ(IsOpenCycle(s), s == CycleState::kPlanned || s == CycleState::kActive ||
                                  s == CycleState::kClosing);
    EXPECT_EQ(CycleLends(s), s == CycleState::kActive) << "a closing cycle takes no new loans";
  }
  EXPECT_FALSE(ParseCycleState("open").has_value());
}

TEST(CycleRulesTest, RulesAreChecked) {
  struct Case {
    const char* what;
    void (*change)(CycleRules&);
    int64_t minor_per_unit;
    const char* field;  // "" = valid
  } cases[] = {
      {"defaults", [](CycleRules&) {}, 100, ""},
      {"UGX unit of one shilling", [](CycleRules& r) { r.share_out_unit = 1; }, 1, ""},
      {"KES unit of 50 cents", [](CycleRules& r) { r.share_out_unit = 50; }, 100, "share_out_unit"},
      {"KES unit of 150 cents", [](CycleRules& r) { r.share_out_unit = 150; }, 100, "share_out_unit"},
      {"term 4 months", [](CycleRules& r) { r.max_term_months = 4; }, 100, "max_term_months"},
      {"term 0", [](CycleRules& r) { r.max_term_months = 0; }, 100, "max_term_months"},
      {"rate 25%", [](CycleRules& r) { r.flat_rate_bp_per_month = 2500; }, 100,
       "flat_rate_bp_per_month"},
      {"multiple 0", [](CycleRules& r) { r.loan_savings_multiple = 0; }, 100,
       "loan_savings_multiple"},
      {"negative social fund", [](CycleRules& r) { r.social_fund_per_meeting = -1; }, 100,
       "social_fund_per_meeting"},
      {"length 25", [](CycleRules& r) { r.length_months = 25; }, 100, "length_months"},
  };
  for (const Case& c : cases) {
    CycleRules r;
    c.change(r);
    Status s = ValidateCycleRules(r, c.minor_per_unit);
    if (std::string(c.field).empty()) {
      EXPECT_TRUE(s.ok()) << c.what << ": " << s.ToString();
    } else {
      EXPECT_EQ(s.message().rfind(std::string(c.field) + ": ", 0), 0u) << c.what << ": "
                                                                       << s.message();
    }
  }
}

TEST(CycleRulesTest, LoanCapIsHerSavingsTimesTheMultipleWithinTheFund) {
  CycleRules r;
  r.lends = true;
  struct Case {
    int64_t savings, fund, cap;
  } cases[] = {{100000, 1000000, 300000},
               {100000, 250000, 250000},
               {0, 1000000, 0},
               {100000, 0, 0},
               {std::numeric_limits<int64_t>::max() / 2, std::numeric_limits<int64_t>::max(),
                std::numeric_limits<int64_t>::max()}};
  for (const Case& c : cases) EXPECT_EQ(InternalLoanCap(r, c.savings, c.fund), c.cap);
  r.lends = false;
  EXPECT_EQ(InternalLoanCap(r, 100000, 1000000), 0);
}

TEST(CycleRulesTest, FlatInterestPerMonthRoundedHalfUp) {
  CycleRules r;  // 10% a month, up to 3 months
  struct Case {
    int64_t principal;
    int months;
    int64_t interest;
  } cases[] = {{300000, 2, 60000},  // KES 3,000 for 2 months: KES 600
               {300000, 1, 30000},
               {5, 1, 1},            // 0.5 rounds up
               {4, 1, 0},            // 0.4 rounds down
               {12345, 3, 3704}};    // 3,703.5 -> 3,704
  for (const Case& c : cases) {
    auto i = FlatInterest(r, c.principal, c.months);
    ASSERT_TRUE(i.ok()) << i.status().ToString();
    EXPECT_EQ(*i, c.interest) << c.principal << " x " << c.months;
  }
  EXPECT_EQ(FlatInterest(r, 300000, 4).status().message().rfind("term_months: ", 0), 0u);
  EXPECT_EQ(FlatInterest(r, 0, 1).status().message().rfind("amount: ", 0), 0u);
  // At the largest principal the product needs 128 bits; the interest fits.
  auto most = FlatInterest(r, std::numeric_limits<int64_t>::max(), 3);
  ASSERT_TRUE(most.ok());
  EXPECT_EQ(*most, static_cast<int64_t>(
                       (static_cast<__int128>(std::numeric_limits<int64_t>::max()) * 3000 + 5000) /
                       10000));
}

}  // namespace
}  // namespace shg
