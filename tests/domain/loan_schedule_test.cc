#include "domain/loan_schedule.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

namespace shg {
namespace {

const Currency kKes{"KES", 2};
const Currency kUgx{"UGX", 0};

// Unix seconds for a UTC civil time (timegm: independent of the code under test).
int64_t Utc(int y, int mon, int d, int h = 0, int mi = 0, int s = 0) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm));
}

LoanTerms Terms(int64_t principal, int months, int64_t rate_bp, InterestRule rule,
                const Currency& currency = kKes, int64_t disbursed_at = Utc(2024, 3, 10, 9)) {
  LoanTerms t;
  t.principal = principal;
  t.term_months = months;
  t.annual_rate_bp = rate_bp;
  t.rule = rule;
  t.currency = currency;
  t.disbursed_at = disbursed_at;
  return t;
}

struct Part {
  int64_t principal;
  int64_t interest;
  int64_t total;
};

// Hand-checked schedules. The declining cases were verified with Python
// `fractions` (exact rationals, half-up rounding of each month's interest on
// the reducing balance), e.g. KES 10,000.00 / 6 months / 18%: monthly rate
// 1.5%, exact annuity 175,525.2146.. minor units, the smallest level payment
// that repays is 175,526; month 2 interest = round(839,474 * 0.015) =
// round(12,592.11) = 12,592; month 6 balance 172,927, interest
// round(2,593.905) = 2,594, last total 175,521; total interest 531.51.
struct ScheduleCase {
  const char* name;
  LoanTerms terms;
  std::vector<Part> parts;
};

std::vector<ScheduleCase> HandCheckedCases() {
  return {
      // 1,000,000 * 18% * 6/12 = 90,000 interest; 1,090,000 / 6 = 181,666.67
      // -> 5 x 181,667 and a last of 181,665.
      {"kes_flat_10000_6m_18pct",
       Terms(1'000'000, 6, 1800, InterestRule::kFlat),
       {{166'667, 15'000, 181'667},
        {166'667, 15'000, 181'667},
        {166'667, 15'000, 181'667},
        {166'667, 15'000, 181'667},
        {166'667, 15'000, 181'667},
        {166'665, 15'000, 181'665}}},
      {"kes_declining_10000_6m_18pct",
       Terms(1'000'000, 6, 1800, InterestRule::kDeclining),
       {{160'526, 15'000, 175'526},
        {162'934, 12'592, 175'526},
        {165'378, 10'148, 175'526},
        {167'859, 7'667, 175'526},
        {170'376, 5'150, 175'526},
        {172'927, 2'594, 175'521}}},
      // UGX has no minor digits: everything in whole shillings.
      // 500,000 * 24% * 3/12 = 30,000; 530,000 / 3 = 176,666.67.
      {"ugx_flat_500000_3m_24pct",
       Terms(500'000, 3, 2400, InterestRule::kFlat, kUgx),
       {{166'667, 10'000, 176'667}, {166'667, 10'000, 176'667}, {166'666, 10'000, 176'666}}},
      // Monthly 2%: exact annuity 173,377.34 -> level 173,378;
      // interest 10,000, round(336,622 * 0.02) = 6,732, round(169,976 * 0.02) = 3,400.
      {"ugx_declining_500000_3m_24pct",
       Terms(500'000, 3, 2400, InterestRule::kDeclining, kUgx),
       {{163'378, 10'000, 173'378}, {166'646, 6'732, 173'378}, {169'976, 3'400, 173'376}}},
      // Interest not a multiple of the term: 100,000 * 10% * 7/12 = 5,833.33
      // -> 5,833, spread by cumulative rounding (833 or 834 a month);
      // 105,833 / 7 = 15,119 exactly, so the last needs no adjustment.
      {"kes_flat_fractional_interest_7m",
       Terms(100'000, 7, 1000, InterestRule::kFlat),
       {{14'286, 833, 15'119},
        {14'285, 834, 15'119},
        {14'286, 833, 15'119},
        {14'286, 833, 15'119},
        {14'286, 833, 15'119},
        {14'285, 834, 15'119},
        {14'286, 833, 15'119}}},
      // Rate 0: no interest for either rule.
      {"kes_flat_zero_rate",
       Terms(1'000, 3, 0, InterestRule::kFlat),
       {{333, 0, 333}, {333, 0, 333}, {334, 0, 334}}},
      {"kes_declining_zero_rate",
       Terms(1'000, 3, 0, InterestRule::kDeclining),
       {{334, 0, 334}, {334, 0, 334}, {332, 0, 332}}},
      // One month: principal plus one month's interest (1,000,000 * 1.5%).
      {"kes_declining_one_month",
       Terms(1'000'000, 1, 1800, InterestRule::kDeclining),
       {{1'000'000, 15'000, 1'015'000}}},
      // Tiny amounts: rounding the level up (60 / 13 = 4.6 -> 5) would leave
      // nothing for the last, so the level is rounded down: 12 x 4 + 12.
      {"ugx_flat_tiny_level_rounded_down",
       Terms(60, 13, 0, InterestRule::kFlat, kUgx),
       {{4, 0, 4}, {4, 0, 4}, {4, 0, 4}, {4, 0, 4}, {4, 0, 4}, {4, 0, 4}, {4, 0, 4},
        {4, 0, 4}, {4, 0, 4}, {4, 0, 4}, {4, 0, 4}, {4, 0, 4}, {12, 0, 12}}},
      // UGX 100 / 12 months / 18%: a level of 10 repays in month 11
      // (balance 100, 92, 83, 74, 65, 56, 47, 38, 29, 20, 10, 0), so 9 is
      // used and the last absorbs the rest: month 1 interest round(1.5) = 2,
      // months 2-9 round(<= 1.395) = 1, then balances 29, 20, 11 earn 0.
      {"ugx_declining_tiny_level_lowered",
       Terms(100, 12, 1800, InterestRule::kDeclining, kUgx),
       {{7, 2, 9}, {8, 1, 9}, {8, 1, 9}, {8, 1, 9}, {8, 1, 9}, {8, 1, 9}, {8, 1, 9},
        {8, 1, 9}, {8, 1, 9}, {9, 0, 9}, {9, 0, 9}, {11, 0, 11}}},
      {"kes_flat_one_month",
       Terms(1'000'000, 1, 1800, InterestRule::kFlat),
       {{1'000'000, 15'000, 1'015'000}}},
  };
}

TEST(BuildScheduleTest, HandCheckedCases) {
  for (const ScheduleCase& c : HandCheckedCases()) {
    SCOPED_TRACE(c.name);
    Result<std::vector<Instalment>> r = BuildSchedule(c.terms);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->size(), c.parts.size());
    for (size_t i = 0; i < c.parts.size(); ++i) {
      SCOPED_TRACE(i + 1);
      const Instalment& in = (*r)[i];
      EXPECT_EQ(in.number, static_cast<int>(i + 1));
      EXPECT_EQ(in.principal, c.parts[i].principal);
      EXPECT_EQ(in.interest, c.parts[i].interest);
      EXPECT_EQ(in.total, c.parts[i].total);
    }
  }
}

TEST(BuildScheduleTest, FlatExampleDisplaysAsSpecified) {
  Result<std::vector<Instalment>> r =
      BuildSchedule(Terms(ToMinor(10'000, kKes), 6, 1800, InterestRule::kFlat));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  int64_t interest = 0;
  int64_t total = 0;
  for (const Instalment& in : *r) {
    interest += in.interest;
    total += in.total;
  }
  EXPECT_EQ(FormatMoney(interest, kKes), "KES 900");
  EXPECT_EQ(FormatMoney(total, kKes), "KES 10,900");
  EXPECT_EQ(FormatMoney((*r)[0].total, kKes), "KES 1,816.67");
  EXPECT_EQ(FormatMoney((*r)[5].total, kKes), "KES 1,816.65");
}

// Invariants over a grid of terms, including awkward principals.
TEST(BuildScheduleTest, InvariantsHoldAcrossGrid) {
  const int64_t principals[] = {60, 61, 999, 1'000, 12'345, 100'001, 1'000'000, 987'654'321,
                                kMaxLoanPrincipal};
  const int terms[] = {1, 2, 3, 5, 6, 7, 12, 13, 24, 36, 59, 60};
  const int64_t rates[] = {0, 1, 100, 999, 1800, 2400, 3650, 10000};
  int built = 0;
  for (int64_t p : principals) {
    for (int n : terms) {
      for (int64_t bp : rates) {
        int64_t interest_by_rule[2] = {0, 0};
        for (InterestRule rule : {InterestRule::kFlat, InterestRule::kDeclining}) {
          SCOPED_TRACE(std::to_string(p) + "/" + std::to_string(n) + "/" + std::to_string(bp) +
                       (rule == InterestRule::kFlat ? " flat" : " declining"));
          Result<std::vector<Instalment>> r = BuildSchedule(Terms(p, n, bp, rule));
          if (!r.ok()) {
            // Only principals below one minor unit per month are refused.
            ADD_FAILURE() << r.status().ToString();
            EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
            continue;
          }
          ++built;
          ASSERT_EQ(r->size(), static_cast<size_t>(n));
          int64_t principal_sum = 0;
          int64_t interest_sum = 0;
          for (const Instalment& in : *r) {
            EXPECT_GE(in.principal, 0);
            EXPECT_GE(in.interest, 0);
            EXPECT_GT(in.total, 0);
            EXPECT_EQ(in.total, in.principal + in.interest);
            if (bp == 0) {
              EXPECT_EQ(in.interest, 0);
            }
            principal_sum += in.principal;
            interest_sum += in.interest;
          }
          EXPECT_EQ(principal_sum, p);
          // All totals but the last are level.
          for (int i = 1; i + 1 < n; ++i) EXPECT_EQ((*r)[i].total, (*r)[0].total);
          interest_by_rule[rule == InterestRule::kFlat ? 0 : 1] = interest_sum;
          if (rule == InterestRule::kFlat) {
            // Flat interest is the rounded exact figure.
            const __int128 exact2 = static_cast<__int128>(p) * bp * n * 2;
            EXPECT_EQ(static_cast<__int128>(interest_sum), (exact2 + 120000) / 240000);
          } else if (n > 1) {
            // The last differs from the level total by less than what one
            // minor unit a month amounts to: n units compounded by at most
            // (1 + 1/12)^60 ~ 122, plus rounding. It is below the level
            // unless the level had to drop to avoid repaying early.
            const int64_t level = (*r)[0].total;
            const int64_t diff = level - r->back().total;
            if (p >= 100'000) {
              EXPECT_GE(diff, 0);  // no early-repayment fallback
            }
            EXPECT_LE(diff < 0 ? -diff : diff, 2 * 122 * n);
            if (bp <= 2400 && n <= 12) {
              EXPECT_LE(diff < 0 ? -diff : diff, 2 * n);
            }
          }
        }
        if (p >= 1'000 && n > 1 && bp >= 100) {
          EXPECT_LT(interest_by_rule[1], interest_by_rule[0]) << p << "/" << n << "/" << bp;
        }
      }
    }
  }
  EXPECT_GT(built, 1000);
}

TEST(BuildScheduleTest, FlatLastWithinRemainderOfLevel) {
  // Round-half-up level: the last differs from the others by less than the term.
  for (int64_t p : {1'000'001, 1'234'567, 99'999}) {
    for (int n : {6, 7, 11, 60}) {
      Result<std::vector<Instalment>> r = BuildSchedule(Terms(p, n, 1800, InterestRule::kFlat));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      const int64_t diff = r->back().total - (*r)[0].total;
      EXPECT_LE(diff < 0 ? -diff : diff, n / 2 + 1) << p << "/" << n;
    }
  }
}

TEST(BuildScheduleTest, DueDatesKeepOriginalDayClampedToMonthEnd) {
  struct Case {
    const char* name;
    int64_t disbursed_at;
    std::vector<int64_t> due;
  };
  const Case cases[] = {
      {"jan31_leap_year",
       Utc(2024, 1, 31, 10, 30),
       {Utc(2024, 2, 29, 10, 30), Utc(2024, 3, 31, 10, 30), Utc(2024, 4, 30, 10, 30),
        Utc(2024, 5, 31, 10, 30)}},
      {"jan31_common_year",
       Utc(2023, 1, 31),
       {Utc(2023, 2, 28), Utc(2023, 3, 31), Utc(2023, 4, 30)}},
      {"aug31_across_new_year",
       Utc(2023, 8, 31, 23, 59, 59),
       {Utc(2023, 9, 30, 23, 59, 59), Utc(2023, 10, 31, 23, 59, 59),
        Utc(2023, 11, 30, 23, 59, 59), Utc(2023, 12, 31, 23, 59, 59),
        Utc(2024, 1, 31, 23, 59, 59), Utc(2024, 2, 29, 23, 59, 59)}},
      {"mid_month_december",
       Utc(2024, 12, 15, 8),
       {Utc(2025, 1, 15, 8), Utc(2025, 2, 15, 8)}},
      {"feb29_keeps_29",
       Utc(2024, 2, 29),
       {Utc(2024, 3, 29), Utc(2024, 4, 29)}},
      {"century_not_leap",
       Utc(2099, 12, 30),
       {Utc(2100, 1, 30), Utc(2100, 2, 28), Utc(2100, 3, 30)}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<std::vector<Instalment>> r = BuildSchedule(Terms(
        100'000, static_cast<int>(c.due.size()), 1800, InterestRule::kFlat, kKes, c.disbursed_at));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->size(), c.due.size());
    for (size_t i = 0; i < c.due.size(); ++i) EXPECT_EQ((*r)[i].due_at, c.due[i]) << i + 1;
  }
}

TEST(BuildScheduleTest, SixtyMonthsEndsFiveYearsLater) {
  Result<std::vector<Instalment>> r = BuildSchedule(
      Terms(10'000'000, 60, 2400, InterestRule::kDeclining, kKes, Utc(2024, 5, 31)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->back().due_at, Utc(2029, 5, 31));
  EXPECT_EQ((*r)[0].due_at, Utc(2024, 6, 30));
}

TEST(BuildScheduleTest, RejectsInvalidTerms) {
  struct Case {
    const char* name;
    LoanTerms terms;
    const char* field;
  };
  LoanTerms bad_exponent = Terms(1'000, 3, 0, InterestRule::kFlat);
  bad_exponent.currency.exponent = 9;
  const Case cases[] = {
      {"zero_principal", Terms(0, 3, 1800, InterestRule::kFlat), "principal"},
      {"negative_principal", Terms(-5, 3, 1800, InterestRule::kDeclining), "principal"},
      {"huge_principal", Terms(kMaxLoanPrincipal + 1, 3, 1800, InterestRule::kFlat), "principal"},
      {"zero_term", Terms(1'000, 0, 1800, InterestRule::kFlat), "term_months"},
      {"negative_term", Terms(1'000, -1, 1800, InterestRule::kFlat), "term_months"},
      {"term_61", Terms(1'000, 61, 1800, InterestRule::kDeclining), "term_months"},
      {"negative_rate", Terms(1'000, 3, -1, InterestRule::kFlat), "annual_rate_bp"},
      {"rate_10001", Terms(1'000, 3, 10001, InterestRule::kDeclining), "annual_rate_bp"},
      {"bad_exponent", bad_exponent, "currency"},
      {"negative_disbursed_at", Terms(1'000, 3, 0, InterestRule::kFlat, kKes, -1),
       "disbursed_at"},
      {"year_10000", Terms(1'000, 3, 0, InterestRule::kFlat, kKes, 253402300800), "disbursed_at"},
      {"less_than_a_unit_per_month", Terms(5, 6, 1800, InterestRule::kFlat), "principal"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<std::vector<Instalment>> r = BuildSchedule(c.terms);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.field), std::string::npos) << r.status().message();
  }
}

TEST(BuildScheduleTest, AcceptsBoundaryTerms) {
  for (const LoanTerms& t :
       {Terms(1, 1, 0, InterestRule::kFlat), Terms(60, 60, 0, InterestRule::kDeclining),
        Terms(kMaxLoanPrincipal, 60, 10000, InterestRule::kFlat),
        Terms(kMaxLoanPrincipal, 60, 10000, InterestRule::kDeclining),
        Terms(1'000, 3, 0, InterestRule::kFlat, kKes, 0)}) {
    Result<std::vector<Instalment>> r = BuildSchedule(t);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  }
}

// StatusAfter over the KES 10,000 / 6 months / 18% flat schedule: five
// instalments of 181,667 and a last of 181,665, due on the 10th from April.
class StatusAfterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::vector<Instalment>> r = BuildSchedule(
        Terms(1'000'000, 6, 1800, InterestRule::kFlat, kKes, Utc(2024, 3, 10, 9)));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    schedule_ = *r;
  }
  std::vector<Instalment> schedule_;
};

TEST_F(StatusAfterTest, Table) {
  const int64_t before_first = Utc(2024, 3, 20);
  struct Case {
    const char* name;
    int64_t repaid;
    int64_t now;
    int64_t outstanding;
    int64_t overdue;
    int paid;
    int next_number;  // 0: none
    int64_t next_total;
    int64_t next_interest;
    int64_t next_principal;
  };
  const Case cases[] = {
      {"nothing_paid", 0, before_first, 1'090'000, 0, 0, 1, 181'667, 15'000, 166'667},
      {"negative_is_nothing", -50, before_first, 1'090'000, 0, 0, 1, 181'667, 15'000, 166'667},
      // A partial payment covers interest first.
      {"partial_under_interest", 10'000, before_first, 1'080'000, 0, 0, 1, 171'667, 5'000,
       166'667},
      {"partial_over_interest", 100'000, before_first, 990'000, 0, 0, 1, 81'667, 0, 81'667},
      {"exactly_one", 181'667, before_first, 908'333, 0, 1, 2, 181'667, 15'000, 166'667},
      {"one_and_a_bit", 181'668, before_first, 908'332, 0, 1, 2, 181'666, 14'999, 166'667},
      {"all_but_last", 908'335, before_first, 181'665, 0, 5, 6, 181'665, 15'000, 166'665},
      {"exactly_all", 1'090'000, before_first, 0, 0, 6, 0, 0, 0, 0},
      {"overpaid", 2'000'000, Utc(2030, 1, 1), 0, 0, 6, 0, 0, 0, 0},
      // Due 2024-04-10 09:00: not overdue at that instant, overdue a second later.
      {"due_instant_not_overdue", 0, Utc(2024, 4, 10, 9), 1'090'000, 0, 0, 1, 181'667, 15'000,
       166'667},
      {"overdue_first", 0, Utc(2024, 4, 10, 9, 0, 1), 1'090'000, 181'667, 0, 1, 181'667, 15'000,
       166'667},
      {"overdue_partly_paid", 100'000, Utc(2024, 5, 11), 990'000, 263'334, 0, 1, 81'667, 0,
       81'667},
      {"paid_up_to_date_not_overdue", 363'334, Utc(2024, 5, 11), 726'666, 0, 2, 3, 181'667,
       15'000, 166'667},
      {"everything_overdue", 181'667, Utc(2025, 1, 1), 908'333, 908'333, 1, 2, 181'667, 15'000,
       166'667},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScheduleStatus s = StatusAfter(schedule_, c.repaid, c.now);
    EXPECT_EQ(s.outstanding, c.outstanding);
    EXPECT_EQ(s.overdue, c.overdue);
    EXPECT_EQ(s.instalments_paid, c.paid);
    if (c.next_number == 0) {
      EXPECT_FALSE(s.next_due.has_value());
      continue;
    }
    ASSERT_TRUE(s.next_due.has_value());
    EXPECT_EQ(s.next_due->number, c.next_number);
    EXPECT_EQ(s.next_due->due_at, schedule_[c.next_number - 1].due_at);
    EXPECT_EQ(s.next_due->total, c.next_total);
    EXPECT_EQ(s.next_due->interest, c.next_interest);
    EXPECT_EQ(s.next_due->principal, c.next_principal);
  }
}

TEST(StatusAfterEmptyTest, EmptyScheduleHasNothingDue) {
  ScheduleStatus s = StatusAfter({}, 500, 0);
  EXPECT_EQ(s.outstanding, 0);
  EXPECT_EQ(s.overdue, 0);
  EXPECT_EQ(s.instalments_paid, 0);
  EXPECT_FALSE(s.next_due.has_value());
}

TEST(InterestRuleNameTest, NamesEachRuleAsStored) {
  EXPECT_STREQ(InterestRuleName(InterestRule::kFlat), "flat");
  EXPECT_STREQ(InterestRuleName(InterestRule::kDeclining), "declining");
}

}  // namespace
}  // namespace shg
