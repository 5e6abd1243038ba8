#include "domain/loan_rules.h"

#include <gtest/gtest.h>

#include <ctime>
#include <limits>
#include <set>
#include <string>
#include <vector>

namespace shg {
namespace {

// ---------------------------------------------------------------------------
// State machine

struct Allowed {
  LoanState from;
  LoanEvent event;
  LoanState to;
};

// Written from spec/domain.md, independently of the implementation's table.
const std::vector<Allowed>& ExpectedTransitions() {
  using S = LoanState;
  using E = LoanEvent;
  static const std::vector<Allowed> k = {
      {S::kRequested, E::kGroupApprove, S::kGroupApproved},
      {S::kRequested, E::kGroupDecline, S::kDeclined},
      {S::kRequested, E::kMemberCancel, S::kCancelled},
      {S::kRequested, E::kExpire, S::kExpired},
      {S::kGroupApproved, E::kRefer, S::kReferredToMfi},
      {S::kGroupApproved, E::kApproveInternal, S::kApproved},
      {S::kGroupApproved, E::kMemberCancel, S::kCancelled},
      {S::kGroupApproved, E::kExpire, S::kExpired},
      {S::kReferredToMfi, E::kMfiApprove, S::kApproved},
      {S::kReferredToMfi, E::kMfiDecline, S::kDeclined},
      {S::kReferredToMfi, E::kExpire, S::kExpired},
      {S::kApproved, E::kDisburse, S::kDisbursed},
      {S::kDisbursed, E::kFallOverdue, S::kInArrears},
      {S::kDisbursed, E::kRepayInFull, S::kRepaid},
      {S::kInArrears, E::kCatchUp, S::kDisbursed},
      {S::kInArrears, E::kRepayInFull, S::kRepaid},
      {S::kInArrears, E::kWriteOff, S::kWrittenOff},
  };
  return k;
}

TEST(LoanStateMachineTest, EveryStateEventPairMatchesTheSpecTable) {
  int allowed = 0;
  for (int s = 0; s < kLoanStateCount; ++s) {
    for (int e = 0; e < kLoanEventCount; ++e) {
      const auto from = static_cast<LoanState>(s);
      const auto event = static_cast<LoanEvent>(e);
      std::optional<LoanState> want;
      for (const Allowed& a : ExpectedTransitions()) {
        if (a.from == from && a.event == event) want = a.to;
      }
      const Result<LoanState> got = NextState(from, event);
      SCOPED_TRACE(std::string(LoanStateName(from)) + " + " + LoanEventName(event));
      if (want) {
        ++allowed;
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        EXPECT_EQ(*got, *want) << LoanStateName(*got);
      } else {
        ASSERT_FALSE(got.ok()) << "unexpectedly allowed -> " << LoanStateName(*got);
        EXPECT_EQ(got.status().code(), Status::Code::kFailedPrecondition);
      }
    }
  }
  EXPECT_EQ(allowed, 17);
}

TEST(LoanStateMachineTest, RefusalNamesStateAndEvent) {
  const Result<LoanState> r = NextState(LoanState::kRequested, LoanEvent::kDisburse);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("requested"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("disburse"), std::string::npos) << r.status().message();
}

TEST(LoanStateMachineTest, MemberCannotCancelOnceReferred) {
  EXPECT_FALSE(NextState(LoanState::kReferredToMfi, LoanEvent::kMemberCancel).ok());
  EXPECT_FALSE(NextState(LoanState::kApproved, LoanEvent::kMemberCancel).ok());
  EXPECT_TRUE(NextState(LoanState::kGroupApproved, LoanEvent::kMemberCancel).ok());
}

TEST(LoanStateMachineTest, FullLifecycleThroughArrearsAndBack) {
  LoanState s = LoanState::kRequested;
  for (LoanEvent e : {LoanEvent::kGroupApprove, LoanEvent::kRefer, LoanEvent::kMfiApprove,
                      LoanEvent::kDisburse, LoanEvent::kFallOverdue, LoanEvent::kCatchUp,
                      LoanEvent::kFallOverdue, LoanEvent::kRepayInFull}) {
    const Result<LoanState> r = NextState(s, e);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    s = *r;
  }
  EXPECT_EQ(s, LoanState::kRepaid);
}

TEST(LoanStateMachineTest, OpenAndFinalPartitionTheStatesAndFinalsHaveNoExit) {
  const std::set<LoanState> open = {LoanState::kRequested,     LoanState::kGroupApproved,
                                    LoanState::kReferredToMfi, LoanState::kApproved,
                                    LoanState::kDisbursed,     LoanState::kInArrears};
  for (int i = 0; i < kLoanStateCount; ++i) {
    const auto s = static_cast<LoanState>(i);
    SCOPED_TRACE(LoanStateName(s));
    EXPECT_EQ(IsOpen(s), open.count(s) == 1);
    EXPECT_NE(IsOpen(s), IsFinal(s));
    if (IsFinal(s)) {
      for (int e = 0; e < kLoanEventCount; ++e) {
        EXPECT_FALSE(NextState(s, static_cast<LoanEvent>(e)).ok());
      }
    }
  }
}

TEST(LoanStateMachineTest, NamesAreStableAndRoundTrip) {
  const char* const kStates[] = {"requested", "group_approved", "referred_to_mfi", "approved",
                                 "disbursed", "in_arrears",     "repaid",          "declined",
                                 "cancelled", "expired",        "written_off"};
  const char* const kEvents[] = {"group_approve", "group_decline", "refer",
                                 "approve_internal", "mfi_approve", "mfi_decline",
                                 "disburse",      "fall_overdue",  "catch_up",
                                 "repay_in_full", "member_cancel", "expire",
                                 "write_off"};
  for (int i = 0; i < kLoanStateCount; ++i) {
    const auto s = static_cast<LoanState>(i);
    EXPECT_STREQ(LoanStateName(s), kStates[i]);
    EXPECT_EQ(ParseLoanState(kStates[i]), s);
  }
  for (int i = 0; i < kLoanEventCount; ++i) {
    const auto e = static_cast<LoanEvent>(i);
    EXPECT_STREQ(LoanEventName(e), kEvents[i]);
    EXPECT_EQ(ParseLoanEvent(kEvents[i]), e);
  }
  EXPECT_EQ(ParseLoanState(""), std::nullopt);
  EXPECT_EQ(ParseLoanState("Requested"), std::nullopt);
  EXPECT_EQ(ParseLoanState("active"), std::nullopt);
  EXPECT_EQ(ParseLoanEvent("disburse "), std::nullopt);
  EXPECT_EQ(ParseLoanEvent("requested"), std::nullopt);
}

// ---------------------------------------------------------------------------
// Calendar months

int64_t At(int y, int mon, int d, int h = 12, int mi = 0, int s = 0) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm));
}

struct MonthsCase {
  const char* name;
  int64_t from;
  int64_t to;
  int want;
};

TEST(CalendarMonthsTest, Boundaries) {
  const MonthsCase kCases[] = {
      {"27aug_26nov", At(2024, 8, 27), At(2024, 11, 26), 2},
      {"27aug_27nov", At(2024, 8, 27), At(2024, 11, 27), 3},
      {"time_of_day_ignored", At(2024, 8, 27, 23, 59, 59), At(2024, 11, 27, 0, 0, 0), 3},
      {"day_before_at_end_of_day", At(2024, 8, 27, 0, 0, 0), At(2024, 11, 26, 23, 59, 59), 2},
      {"31aug_30nov_clamped", At(2024, 8, 31), At(2024, 11, 30), 3},
      {"31aug_29nov", At(2024, 8, 31), At(2024, 11, 29), 2},
      {"31jan_28feb_nonleap", At(2023, 1, 31), At(2023, 2, 28), 1},
      {"31jan_27feb_nonleap", At(2023, 1, 31), At(2023, 2, 27), 0},
      {"31jan_29feb_leap", At(2024, 1, 31), At(2024, 2, 29), 1},
      {"31jan_28feb_leap", At(2024, 1, 31), At(2024, 2, 28), 0},
      {"29feb_28feb_next_year", At(2024, 2, 29), At(2025, 2, 28), 12},
      {"across_year_end", At(2023, 12, 15), At(2024, 1, 15), 1},
      {"across_year_end_short", At(2023, 12, 15), At(2024, 1, 14), 0},
      {"four_years", At(2020, 3, 15), At(2024, 3, 15), 48},
      {"same_instant", At(2024, 5, 1), At(2024, 5, 1), 0},
      {"to_before_from", At(2024, 5, 1), At(2023, 1, 1), 0},
      {"before_1970", At(1969, 12, 31), At(1970, 1, 31), 1},
  };
  for (const MonthsCase& c : kCases) {
    EXPECT_EQ(CalendarMonthsBetween(c.from, c.to), c.want) << c.name;
  }
}

// ---------------------------------------------------------------------------
// Eligibility

constexpr int64_t kNow = 1732708800;  // 2024-11-27 12:00 UTC

EligibilityFacts Eligible() {
  EligibilityFacts f;
  f.member_active = true;
  f.trained = true;
  f.joined_at = At(2024, 8, 27);
  f.now = kNow;
  f.confirmed_savings_count = 6;
  f.confirmed_savings_total = 10'000'00;  // KES 10,000
  f.has_loan_in_arrears = false;
  f.has_open_request = false;
  f.previous_loan_state = std::nullopt;
  f.product_min = 5'000'00;
  f.product_max = 50'000'00;
  return f;
}

TEST(EligibilityTest, NowConstantIs27Nov) { EXPECT_EQ(kNow, At(2024, 11, 27)); }

TEST(EligibilityTest, BaselineIsEligible) {
  EXPECT_EQ(CheckEligibility(LoanPolicy{}, Eligible()), Ineligible::kNone);
}

struct ReasonCase {
  const char* name;
  void (*mutate)(EligibilityFacts&);
  Ineligible want;
};

TEST(EligibilityTest, EachReasonAndItsBoundary) {
  const ReasonCase kCases[] = {
      {"inactive", [](EligibilityFacts& f) { f.member_active = false; }, Ineligible::kInactive},
      {"not_trained", [](EligibilityFacts& f) { f.trained = false; }, Ineligible::kNotTrained},
      {"joined_one_day_short", [](EligibilityFacts& f) { f.now = At(2024, 11, 26, 23, 59); },
       Ineligible::kTooNew},
      {"joined_exactly_3_months", [](EligibilityFacts& f) { f.now = At(2024, 11, 27, 0, 0); },
       Ineligible::kNone},
      {"joined_in_future", [](EligibilityFacts& f) { f.joined_at = f.now + 86400; },
       Ineligible::kTooNew},
      {"five_savings", [](EligibilityFacts& f) { f.confirmed_savings_count = 5; },
       Ineligible::kTooFewSavings},
      {"zero_savings", [](EligibilityFacts& f) { f.confirmed_savings_count = 0; },
       Ineligible::kTooFewSavings},
      {"seven_savings", [](EligibilityFacts& f) { f.confirmed_savings_count = 7; },
       Ineligible::kNone},
      {"loan_in_arrears", [](EligibilityFacts& f) { f.has_loan_in_arrears = true; },
       Ineligible::kInArrears},
      {"open_request", [](EligibilityFacts& f) { f.has_open_request = true; },
       Ineligible::kRequestOpen},
      {"previous_disbursed", [](EligibilityFacts& f) { f.previous_loan_state = LoanState::kDisbursed; },
       Ineligible::kPreviousLoanNotRepaid},
      {"limit_below_product_min",
       [](EligibilityFacts& f) { f.confirmed_savings_total = 1'666'66; },  // 3x = 4,999.98
       Ineligible::kAmountBelowMinimum},
      {"limit_just_above_product_min",
       [](EligibilityFacts& f) { f.confirmed_savings_total = 1'666'67; },  // 3x = 5,000.01
       Ineligible::kNone},
      {"no_savings_total", [](EligibilityFacts& f) { f.confirmed_savings_total = 0; },
       Ineligible::kAmountBelowMinimum},
  };
  for (const ReasonCase& c : kCases) {
    EligibilityFacts f = Eligible();
    c.mutate(f);
    const Ineligible got = CheckEligibility(LoanPolicy{}, f);
    EXPECT_EQ(got, c.want) << c.name << ": got " << IneligibleName(got);
  }
}

TEST(EligibilityTest, PolicyThresholdsAreUsed) {
  LoanPolicy p;
  p.min_months = 4;
  EXPECT_EQ(CheckEligibility(p, Eligible()), Ineligible::kTooNew);
  p = LoanPolicy{};
  p.min_confirmed_savings = 7;
  EXPECT_EQ(CheckEligibility(p, Eligible()), Ineligible::kTooFewSavings);
  p = LoanPolicy{};
  p.min_months = 0;
  p.min_confirmed_savings = 0;
  EligibilityFacts f = Eligible();
  f.joined_at = f.now;
  f.confirmed_savings_count = 0;
  EXPECT_EQ(CheckEligibility(p, f), Ineligible::kNone);
}

// Start from facts failing every check; fixing them one at a time in the
// documented order must reveal each reason in turn.
TEST(EligibilityTest, FirstFailingReasonWinsInDocumentedOrder) {
  EligibilityFacts f;
  f.member_active = false;
  f.trained = false;
  f.joined_at = kNow;
  f.now = kNow;
  f.confirmed_savings_count = 0;
  f.confirmed_savings_total = 0;
  f.has_loan_in_arrears = true;
  f.has_open_request = true;
  f.previous_loan_state = LoanState::kWrittenOff;
  f.product_min = 5'000'00;
  f.product_max = 50'000'00;
  const LoanPolicy p;
  const std::vector<std::pair<Ineligible, void (*)(EligibilityFacts&)>> kSteps = {
      {Ineligible::kInactive, [](EligibilityFacts& x) { x.member_active = true; }},
      {Ineligible::kNotTrained, [](EligibilityFacts& x) { x.trained = true; }},
      {Ineligible::kTooNew, [](EligibilityFacts& x) { x.joined_at = At(2024, 8, 27); }},
      {Ineligible::kTooFewSavings, [](EligibilityFacts& x) { x.confirmed_savings_count = 6; }},
      {Ineligible::kInArrears, [](EligibilityFacts& x) { x.has_loan_in_arrears = false; }},
      {Ineligible::kRequestOpen, [](EligibilityFacts& x) { x.has_open_request = false; }},
      {Ineligible::kPreviousLoanNotRepaid,
       [](EligibilityFacts& x) { x.previous_loan_state = LoanState::kRepaid; }},
      {Ineligible::kAmountBelowMinimum,
       [](EligibilityFacts& x) { x.confirmed_savings_total = 10'000'00; }},
  };
  for (const auto& [want, fix] : kSteps) {
    const Ineligible got = CheckEligibility(p, f);
    EXPECT_EQ(got, want) << "want " << IneligibleName(want) << " got " << IneligibleName(got);
    fix(f);
  }
  EXPECT_EQ(CheckEligibility(p, f), Ineligible::kNone);
}

struct PreviousCase {
  std::optional<LoanState> prev;
  Ineligible no_topup;
  Ineligible with_topup;
};

TEST(EligibilityTest, RepeatLoansByPreviousState) {
  using S = LoanState;
  const Ineligible kOk = Ineligible::kNone;
  const PreviousCase kCases[] = {
      {std::nullopt, kOk, kOk},
      {S::kRequested, Ineligible::kRequestOpen, Ineligible::kRequestOpen},
      {S::kGroupApproved, Ineligible::kRequestOpen, Ineligible::kRequestOpen},
      {S::kReferredToMfi, Ineligible::kRequestOpen, Ineligible::kRequestOpen},
      {S::kApproved, Ineligible::kRequestOpen, Ineligible::kRequestOpen},
      {S::kDisbursed, Ineligible::kPreviousLoanNotRepaid, kOk},  // top-up: repaying, no arrears
      {S::kInArrears, Ineligible::kInArrears, Ineligible::kInArrears},
      {S::kRepaid, kOk, kOk},
      {S::kDeclined, kOk, kOk},
      {S::kCancelled, kOk, kOk},
      {S::kExpired, kOk, kOk},
      {S::kWrittenOff, Ineligible::kPreviousLoanNotRepaid, Ineligible::kPreviousLoanNotRepaid},
  };
  ASSERT_EQ(std::size(kCases), static_cast<size_t>(kLoanStateCount + 1));
  for (const PreviousCase& c : kCases) {
    EligibilityFacts f = Eligible();
    f.previous_loan_state = c.prev;
    LoanPolicy p;
    const char* name = c.prev ? LoanStateName(*c.prev) : "none";
    EXPECT_EQ(CheckEligibility(p, f), c.no_topup) << name;
    p.allow_topup = true;
    EXPECT_EQ(CheckEligibility(p, f), c.with_topup) << name << " (top-up)";
  }
}

TEST(EligibilityTest, TopupStillRefusedWhenAnotherLoanIsInArrears) {
  LoanPolicy p;
  p.allow_topup = true;
  EligibilityFacts f = Eligible();
  f.previous_loan_state = LoanState::kDisbursed;
  f.has_loan_in_arrears = true;
  EXPECT_EQ(CheckEligibility(p, f), Ineligible::kInArrears);
}

struct MaxCase {
  const char* name;
  int64_t multiple;
  int64_t total;
  int64_t product_min;
  int64_t product_max;
  int64_t want;
};

TEST(MaxLoanAmountTest, Table) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  const MaxCase kCases[] = {
      {"multiple_of_savings", 3, 10'000'00, 5'000'00, 50'000'00, 30'000'00},
      {"capped_by_product_max", 3, 20'000'00, 5'000'00, 50'000'00, 50'000'00},
      {"exactly_product_max", 5, 10'000'00, 5'000'00, 50'000'00, 50'000'00},
      {"exactly_product_min", 2, 2'500'00, 5'000'00, 50'000'00, 5'000'00},
      {"one_below_product_min", 1, 4'999'99, 5'000'00, 50'000'00, 0},
      {"overflow_saturates_to_max", 3, kMax / 2, 1, kMax - 1, kMax - 1},
      {"overflow_huge_multiple", kMax, kMax, 0, 7, 7},
      {"zero_multiple", 0, 10'000'00, 0, 50'000'00, 0},
      {"negative_multiple", -3, 10'000'00, 0, 50'000'00, 0},
      {"zero_total", 3, 0, 0, 50'000'00, 0},
      {"negative_total", 3, -100, 0, 50'000'00, 0},
      {"zero_product_max", 3, 10'000'00, 0, 0, 0},
      {"max_below_min_misconfigured", 3, 10'000'00, 60'000'00, 50'000'00, 0},
  };
  for (const MaxCase& c : kCases) {
    LoanPolicy p;
    p.savings_multiple = c.multiple;
    EligibilityFacts f = Eligible();
    f.confirmed_savings_total = c.total;
    f.product_min = c.product_min;
    f.product_max = c.product_max;
    EXPECT_EQ(MaxLoanAmount(p, f), c.want) << c.name;
  }
}

// ---------------------------------------------------------------------------
// Full request

const std::vector<std::string>& Purposes() {
  static const std::vector<std::string> k = {"vegetable_farming", "bakery", "tailoring"};
  return k;
}

struct RequestCase {
  const char* name;
  int64_t amount;
  const char* purpose;
  bool consent;
  Ineligible want;
};

TEST(CheckRequestTest, Table) {
  // Eligible(): limit = min(3 x 10,000, 50,000) = KES 30,000; product min KES 5,000.
  const RequestCase kCases[] = {
      {"ok", 20'000'00, "bakery", true, Ineligible::kNone},
      {"at_limit", 30'000'00, "bakery", true, Ineligible::kNone},
      {"one_above_limit", 30'000'01, "bakery", true, Ineligible::kAmountAboveLimit},
      {"at_product_min", 5'000'00, "tailoring", true, Ineligible::kNone},
      {"one_below_product_min", 4'999'99, "bakery", true, Ineligible::kAmountBelowMinimum},
      {"zero", 0, "bakery", true, Ineligible::kAmountBelowMinimum},
      {"negative", -1, "bakery", true, Ineligible::kAmountBelowMinimum},
      {"max_int", std::numeric_limits<int64_t>::max(), "bakery", true,
       Ineligible::kAmountAboveLimit},
      {"unknown_purpose", 20'000'00, "school_fees", true, Ineligible::kPurposeNotAllowed},
      {"purpose_case_sensitive", 20'000'00, "Bakery", true, Ineligible::kPurposeNotAllowed},
      {"empty_purpose", 20'000'00, "", true, Ineligible::kPurposeNotAllowed},
      {"no_consent", 20'000'00, "bakery", false, Ineligible::kNoConsent},
      // Order: amount before purpose before consent.
      {"above_and_bad_purpose_and_no_consent", 30'000'01, "x", false,
       Ineligible::kAmountAboveLimit},
      {"below_and_bad_purpose", 1, "x", false, Ineligible::kAmountBelowMinimum},
      {"bad_purpose_and_no_consent", 20'000'00, "x", false, Ineligible::kPurposeNotAllowed},
  };
  for (const RequestCase& c : kCases) {
    const Ineligible got =
        CheckRequest(LoanPolicy{}, Eligible(), c.amount, c.purpose, Purposes(), c.consent);
    EXPECT_EQ(got, c.want) << c.name << ": got " << IneligibleName(got);
  }
}

TEST(CheckRequestTest, EligibilityFailureWinsOverRequestProblems) {
  EligibilityFacts f = Eligible();
  f.has_open_request = true;
  EXPECT_EQ(CheckRequest(LoanPolicy{}, f, 99'000'00, "x", Purposes(), false),
            Ineligible::kRequestOpen);
}

TEST(CheckRequestTest, EmptyPurposeListAllowsNothing) {
  EXPECT_EQ(CheckRequest(LoanPolicy{}, Eligible(), 20'000'00, "bakery", {}, true),
            Ineligible::kPurposeNotAllowed);
}

TEST(IneligibleNameTest, StableDistinctSnakeCaseKeys) {
  const char* const kWant[] = {"none",
                               "inactive",
                               "not_trained",
                               "too_new",
                               "too_few_savings",
                               "in_arrears",
                               "request_open",
                               "previous_loan_not_repaid",
                               "amount_above_limit",
                               "amount_below_minimum",
                               "purpose_not_allowed",
                               "no_consent"};
  std::set<std::string> seen;
  for (int i = 0; i < static_cast<int>(std::size(kWant)); ++i) {
    const std::string name = IneligibleName(static_cast<Ineligible>(i));
    EXPECT_EQ(name, kWant[i]);
    EXPECT_TRUE(seen.insert(name).second) << name;
    for (char ch : name) EXPECT_TRUE((ch >= 'a' && ch <= 'z') || ch == '_') << name;
  }
}

}  // namespace
}  // namespace shg
