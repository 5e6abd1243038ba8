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

// Hand-checked schedules. Every total and interest part is a whole currency
// unit (KES: 100 minor units), the last taking the difference.
//
// KES 10,000.00 / 6 months / 18% declining, in whole shillings: monthly rate
// 1.5%, exact annuity 1,755.2146.., the smallest whole level that repays is
// 1,756 (1,755 leaves 2 owing: balances 8,395, 6,766, 5,112, 3,434, 1,731,
// then 1,731 + 26 - 1,755 = 2). With 1,756, each month's interest rounded to
// whole shillings on the reducing balance:
//   1: 10,000 x 1.5% = 150       principal 1,606, balance 8,394
//   2: 8,394 x 1.5% = 125.91 -> 126   1,630, balance 6,764
//   3: 6,764 x 1.5% = 101.46 -> 101   1,655, balance 5,109
//   4: 5,109 x 1.5% = 76.635 -> 77    1,679, balance 3,430
//   5: 3,430 x 1.5% = 51.45 -> 51     1,705, balance 1,725
//   6: 1,725 x 1.5% = 25.875 -> 26, last = 1,725 + 26 = 1,751
// Total interest 531, total to repay 10,531 (5 x 1,756 + 1,751).
struct ScheduleCase {
  const char* name;
  LoanTerms terms;
  std::vector<Part> parts;
};

std::vector<ScheduleCase> HandCheckedCases() {
  return {
      // 10,000 * 18% * 6/12 = 900 interest (150 a month); 10,900 / 6 =
      // 1,816.67 -> 5 x 1,817 and a last of 10,900 - 9,085 = 1,815.
      {"kes_flat_10000_6m_18pct",
       Terms(1'000'000, 6, 1800, InterestRule::kFlat),
       {{166'700, 15'000, 181'700},
        {166'700, 15'000, 181'700},
        {166'700, 15'000, 181'700},
        {166'700, 15'000, 181'700},
        {166'700, 15'000, 181'700},
        {166'500, 15'000, 181'500}}},
      {"kes_declining_10000_6m_18pct",
       Terms(1'000'000, 6, 1800, InterestRule::kDeclining),
       {{160'600, 15'000, 175'600},
        {163'000, 12'600, 175'600},
        {165'500, 10'100, 175'600},
        {167'900, 7'700, 175'600},
        {170'500, 5'100, 175'600},
        {172'500, 2'600, 175'100}}},
      // A principal that is not whole (KES 10,000.50, a partner's figure):
      // interest round(900.045) = 900, 10,900.50 / 6 = 1,816.75 -> 1,817;
      // the last carries the 50 cents: 10,900.50 - 9,085 = 1,815.50.
      {"kes_flat_fractional_principal",
       Terms(1'000'050, 6, 1800, InterestRule::kFlat),
       {{166'700, 15'000, 181'700},
        {166'700, 15'000, 181'700},
        {166'700, 15'000, 181'700},
        {166'700, 15'000, 181'700},
        {166'700, 15'000, 181'700},
        {166'550, 15'000, 181'550}}},
      // Same months as the whole case (the interest on the balance's 50
      // cents rounds away: 150.0075 -> 150, 125.9175 -> 126, ...); the
      // balance keeps its 50 cents to the end: 1,725.50 + 26 = 1,751.50.
      {"kes_declining_fractional_principal",
       Terms(1'000'050, 6, 1800, InterestRule::kDeclining),
       {{160'600, 15'000, 175'600},
        {163'000, 12'600, 175'600},
        {165'500, 10'100, 175'600},
        {167'900, 7'700, 175'600},
        {170'500, 5'100, 175'600},
        {172'550, 2'600, 175'150}}},
      // UGX has no minor digits: whole shillings, the same as before.
      // 500,000 * 24% * 3/12 = 30,000; 530,000 / 3 = 176,666.67.
      {"ugx_flat_500000_3m_24pct",
       Terms(500'000, 3, 2400, InterestRule::kFlat, kUgx),
       {{166'667, 10'000, 176'667}, {166'667, 10'000, 176'667}, {166'666, 10'000, 176'666}}},
      // Monthly 2%: exact annuity 173,377.34 -> level 173,378;
      // interest 10,000, round(336,622 * 0.02) = 6,732, round(169,976 * 0.02) = 3,400.
      {"ugx_declining_500000_3m_24pct",
       Terms(500'000, 3, 2400, InterestRule::kDeclining, kUgx),
       {{163'378, 10'000, 173'378}, {166'646, 6'732, 173'378}, {169'976, 3'400, 173'376}}},
      // Interest not a multiple of the term: KES 1,000 * 10% * 7/12 = 58.33
      // -> 58, spread by cumulative rounding in whole shillings
      // (round(58k/7): 8, 17, 25, 33, 41, 50, 58 -> 8 or 9 a month);
      // 1,058 / 7 = 151.14 -> 151, the last 1,058 - 906 = 152.
      {"kes_flat_fractional_interest_7m",
       Terms(100'000, 7, 1000, InterestRule::kFlat),
       {{14'300, 800, 15'100},
        {14'200, 900, 15'100},
        {14'300, 800, 15'100},
        {14'300, 800, 15'100},
        {14'300, 800, 15'100},
        {14'200, 900, 15'100},
        {14'400, 800, 15'200}}},
      // Rate 0: no interest for either rule. KES 10 over 3 months: flat
      // 10 / 3 = 3.33 -> 3, 3, 4; declining: 3 a month leaves 1 owing, so
      // 4, 4 and a last of 2.
      {"kes_flat_zero_rate",
       Terms(1'000, 3, 0, InterestRule::kFlat),
       {{300, 0, 300}, {300, 0, 300}, {400, 0, 400}}},
      {"kes_declining_zero_rate",
       Terms(1'000, 3, 0, InterestRule::kDeclining),
       {{400, 0, 400}, {400, 0, 400}, {200, 0, 200}}},
      // One month: principal plus one month's interest (10,000 * 1.5%).
      {"kes_declining_one_month",
       Terms(1'000'000, 1, 1800, InterestRule::kDeclining),
       {{1'000'000, 15'000, 1'015'000}}},
      // Tiny amounts: rounding the level up (60 / 13 = 4.6 -> 5) would leave
      // nothing for the last, so the level is rounded down: 12 x 4 + 12.
      {"ugx_flat_tiny_level_rounded_down",
       Terms(60, 13, 0, InterestRule::kFlat, kUgx),
       {{4, 0, 4}, {4, 0, 4}, {4, 0, 4}, {4, 0, 4}, {4, 0, 4}, {4, 0, 4}, {4, 0, 4},
        {4, 0, 4}, {4, 0, 4}, {4, 0, 4}, {4, 0, 4}, {4, 0, 4}, {12, 0, 12}}},
      // The same in KES: whole shillings, so 100 times the UGX figures.
      {"kes_flat_tiny_level_rounded_down",
       Terms(6'000, 13, 0, InterestRule::kFlat),
       {{400, 0, 400}, {400, 0, 400}, {400, 0, 400}, {400, 0, 400}, {400, 0, 400},
        {400, 0, 400}, {400, 0, 400}, {400, 0, 400}, {400, 0, 400}, {400, 0, 400},
        {400, 0, 400}, {400, 0, 400}, {1'200, 0, 1'200}}},
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

TEST(BuildScheduleTest, ExamplesDisplayInWholeShillings) {
  struct Case {
    InterestRule rule;
    const char* interest;
    const char* total;
    const char* level;
    const char* last;
  };
  const Case cases[] = {
      {InterestRule::kFlat, "KES 900", "KES 10,900", "KES 1,817", "KES 1,815"},
      {InterestRule::kDeclining, "KES 531", "KES 10,531", "KES 1,756", "KES 1,751"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(InterestRuleName(c.rule));
    Result<std::vector<Instalment>> r = BuildSchedule(Terms(ToMinor(10'000, kKes), 6, 1800, c.rule));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    int64_t interest = 0;
    int64_t total = 0;
    for (const Instalment& in : *r) {
      interest += in.interest;
      total += in.total;
    }
    EXPECT_EQ(FormatMoney(interest, kKes), c.interest);
    EXPECT_EQ(FormatMoney(total, kKes), c.total);
    EXPECT_EQ(FormatMoney((*r)[0].total, kKes), c.level);
    EXPECT_EQ(FormatMoney((*r)[5].total, kKes), c.last);
  }
}

// The reducing balance after `n` payments, as the contract states it
// (independent of the code under test): each month's interest rounded
// half-up to whole units of `unit`.
__int128 DecliningBalanceAfter(int64_t principal, int n, int64_t bp, int64_t unit,
                               int64_t payment) {
  __int128 balance = principal;
  for (int k = 0; k < n && balance > 0; ++k) {
    const __int128 den = static_cast<__int128>(120000) * unit;
    balance += unit * ((2 * balance * bp + den) / (2 * den)) - payment;
  }
  return balance;
}

// Invariants for every term 1..60 over amounts (whole and not, up to
// kMaxLoanPrincipal), rates (0 to 100%) and currencies (KES, UGX).
TEST(BuildScheduleTest, InvariantsHoldForEveryTerm) {
  const int64_t principals[] = {6'000,     6'001,       12'345,      100'000,
                                1'000'000, 1'234'567,   987'654'321, 100'000'000'000,
                                kMaxLoanPrincipal - 1,  kMaxLoanPrincipal};
  const int64_t rates[] = {0, 1, 100, 999, 1800, 2400, 3650, 10000};
  int built = 0;
  for (const Currency& cur : {kKes, kUgx}) {
    const int64_t unit = cur.exponent == 2 ? 100 : 1;
    for (int64_t p : principals) {
      for (int n = 1; n <= kMaxLoanTermMonths; ++n) {
        for (int64_t bp : rates) {
          int64_t interest_by_rule[2] = {0, 0};
          for (InterestRule rule : {InterestRule::kFlat, InterestRule::kDeclining}) {
            SCOPED_TRACE(cur.code + " " + std::to_string(p) + "/" + std::to_string(n) + "/" +
                         std::to_string(bp) + " " + InterestRuleName(rule));
            Result<std::vector<Instalment>> r = BuildSchedule(Terms(p, n, bp, rule, cur));
            if (p < n * unit) {
              // Less than one whole unit of principal a month is refused.
              ASSERT_FALSE(r.ok());
              EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
              continue;
            }
            ASSERT_TRUE(r.ok()) << r.status().ToString();
            ++built;
            ASSERT_EQ(r->size(), static_cast<size_t>(n));
            int64_t principal_sum = 0;
            int64_t interest_sum = 0;
            int64_t total_sum = 0;
            for (const Instalment& in : *r) {
              EXPECT_GE(in.principal, 0);
              EXPECT_GE(in.interest, 0);
              EXPECT_GT(in.total, 0);
              EXPECT_EQ(in.total, in.principal + in.interest);
              // Whole units she can pay; only the last carries a fraction of
              // the principal's unit.
              EXPECT_EQ(in.interest % unit, 0) << in.number;
              EXPECT_EQ(in.total % unit, in.number == n ? p % unit : 0) << in.number;
              if (bp == 0) {
                EXPECT_EQ(in.interest, 0);
              }
              principal_sum += in.principal;
              interest_sum += in.interest;
              total_sum += in.total;
            }
            EXPECT_EQ(principal_sum, p);
            EXPECT_EQ(total_sum, p + interest_sum);
            // All totals but the last are level.
            const int64_t level = (*r)[0].total;
            const int64_t last = r->back().total;
            for (int i = 1; i + 1 < n; ++i) EXPECT_EQ((*r)[i].total, level);
            interest_by_rule[rule == InterestRule::kFlat ? 0 : 1] = interest_sum;
            if (n == 1) {
              EXPECT_EQ(last, p + interest_sum);
            } else if (rule == InterestRule::kFlat) {
              // Flat interest is the exact figure rounded to whole units.
              const __int128 den = static_cast<__int128>(240000) * unit;
              const __int128 exact2 = static_cast<__int128>(p) * bp * n * 2;
              EXPECT_EQ(static_cast<__int128>(interest_sum), unit * ((exact2 + den / 2) / den));
              // Half-up level: the last is within n/2 units of it; the
              // rounded-down level (tiny loans) leaves less than n units more.
              EXPECT_GE(2 * (last - level), -static_cast<int64_t>(n) * unit);
              EXPECT_LT(last - level, n * unit);
            } else {
              // The level is the smallest whole one that repays: one unit
              // less does not, unless the level was lowered so as not to
              // repay early, and then the last is the larger one.
              const bool lowered = last > level;
              const int64_t smallest = lowered ? level + unit : level;
              EXPECT_LE(DecliningBalanceAfter(p, n, bp, unit, smallest), 0);
              EXPECT_GT(DecliningBalanceAfter(p, n, bp, unit, smallest - unit), 0);
              if (lowered) {
                EXPECT_LE(DecliningBalanceAfter(p, n - 1, bp, unit, smallest), 0);
              } else {
                EXPECT_GT(last, 0);
              }
              // The last differs from the level by less than what one unit a
              // month amounts to: n units compounded by at most
              // (1 + 1/12)^60 ~ 122, plus rounding.
              const int64_t diff = last > level ? last - level : level - last;
              EXPECT_LE(diff, 2 * 122 * n * unit);
              if (p >= 100'000 * unit) {
                EXPECT_FALSE(lowered);  // no early-repayment fallback
                if (bp <= 2400 && n <= 12) {
                  EXPECT_LE(diff, 2 * n * unit);
                }
              }
            }
          }
          if (p >= 100'000 && n > 1 && bp >= 100) {
            EXPECT_LT(interest_by_rule[1], interest_by_rule[0])
                << cur.code << " " << p << "/" << n << "/" << bp;
          }
        }
      }
    }
  }
  EXPECT_GT(built, 10000);
}

// Whole-shilling schedules: a whole KES principal gives exactly 100 times
// the UGX schedule of the same number of units (UGX rounds to whole units
// as before), for every term.
TEST(BuildScheduleTest, WholeKesPrincipalScalesTheUgxSchedule) {
  for (int64_t units : {60LL, 999LL, 10'000LL, 123'457LL, 1'000'000LL}) {
    for (int n = 1; n <= kMaxLoanTermMonths; ++n) {
      if (units < n) continue;
      for (int64_t bp : {0LL, 1800LL, 10000LL}) {
        for (InterestRule rule : {InterestRule::kFlat, InterestRule::kDeclining}) {
          SCOPED_TRACE(std::to_string(units) + "/" + std::to_string(n) + "/" +
                       std::to_string(bp) + " " + InterestRuleName(rule));
          auto kes = BuildSchedule(Terms(units * 100, n, bp, rule, kKes));
          auto ugx = BuildSchedule(Terms(units, n, bp, rule, kUgx));
          ASSERT_TRUE(kes.ok() && ugx.ok());
          for (int i = 0; i < n; ++i) {
            EXPECT_EQ((*kes)[i].total, 100 * (*ugx)[i].total) << i + 1;
            EXPECT_EQ((*kes)[i].interest, 100 * (*ugx)[i].interest) << i + 1;
          }
        }
      }
    }
  }
}

TEST(BuildScheduleTest, LargestLoansStayExact) {
  for (InterestRule rule : {InterestRule::kFlat, InterestRule::kDeclining}) {
    for (int n : {1, 7, 60}) {
      SCOPED_TRACE(std::string(InterestRuleName(rule)) + " " + std::to_string(n));
      Result<std::vector<Instalment>> r =
          BuildSchedule(Terms(kMaxLoanPrincipal, n, kMaxLoanRateBp, rule));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      int64_t total = 0;
      for (const Instalment& in : *r) total += in.total;
      // At most 5x interest (100% flat over 60 months), inside int64.
      EXPECT_LE(total, 6 * kMaxLoanPrincipal);
      if (rule == InterestRule::kFlat) {
        // 10^15 * 100% * n / 12 minor units, rounded half-up to whole shillings.
        const __int128 twice = static_cast<__int128>(kMaxLoanPrincipal) * n * 2;
        EXPECT_EQ(total - kMaxLoanPrincipal, static_cast<int64_t>((twice + 1200) / 2400 * 100));
      }
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
      // KES 5.99 over 6 months: less than one whole shilling a month.
      {"less_than_a_whole_unit_per_month", Terms(599, 6, 1800, InterestRule::kDeclining),
       "principal"},
      {"ugx_less_than_a_unit_per_month", Terms(5, 6, 1800, InterestRule::kFlat, kUgx),
       "principal"},
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
       {Terms(100, 1, 0, InterestRule::kFlat), Terms(6'000, 60, 0, InterestRule::kDeclining),
        Terms(6'000, 60, 10000, InterestRule::kDeclining), Terms(1, 1, 0, InterestRule::kFlat, kUgx),
        Terms(60, 60, 0, InterestRule::kDeclining, kUgx),
        Terms(kMaxLoanPrincipal, 60, 10000, InterestRule::kFlat),
        Terms(kMaxLoanPrincipal, 60, 10000, InterestRule::kDeclining),
        Terms(1'000, 3, 0, InterestRule::kFlat, kKes, 0)}) {
    Result<std::vector<Instalment>> r = BuildSchedule(t);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  }
}

// StatusAfter over the KES 10,000 / 6 months / 18% flat schedule: five
// instalments of 181,700 (15,000 interest) and a last of 181,500, due on the
// 10th from April.
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
      {"nothing_paid", 0, before_first, 1'090'000, 0, 0, 1, 181'700, 15'000, 166'700},
      {"negative_is_nothing", -50, before_first, 1'090'000, 0, 0, 1, 181'700, 15'000, 166'700},
      // A partial payment covers interest first.
      {"partial_under_interest", 10'000, before_first, 1'080'000, 0, 0, 1, 171'700, 5'000,
       166'700},
      {"partial_over_interest", 100'000, before_first, 990'000, 0, 0, 1, 81'700, 0, 81'700},
      {"exactly_one", 181'700, before_first, 908'300, 0, 1, 2, 181'700, 15'000, 166'700},
      {"one_and_a_bit", 181'701, before_first, 908'299, 0, 1, 2, 181'699, 14'999, 166'700},
      {"all_but_last", 908'500, before_first, 181'500, 0, 5, 6, 181'500, 15'000, 166'500},
      {"exactly_all", 1'090'000, before_first, 0, 0, 6, 0, 0, 0, 0},
      {"overpaid", 2'000'000, Utc(2030, 1, 1), 0, 0, 6, 0, 0, 0, 0},
      // Due 2024-04-10 09:00: not overdue at that instant, overdue a second later.
      {"due_instant_not_overdue", 0, Utc(2024, 4, 10, 9), 1'090'000, 0, 0, 1, 181'700, 15'000,
       166'700},
      {"overdue_first", 0, Utc(2024, 4, 10, 9, 0, 1), 1'090'000, 181'700, 0, 1, 181'700, 15'000,
       166'700},
      // 81,700 left of the first and all of the second (due 10 May).
      {"overdue_partly_paid", 100'000, Utc(2024, 5, 11), 990'000, 263'400, 0, 1, 81'700, 0,
       81'700},
      {"paid_up_to_date_not_overdue", 363'400, Utc(2024, 5, 11), 726'600, 0, 2, 3, 181'700,
       15'000, 166'700},
      {"everything_overdue", 181'700, Utc(2025, 1, 1), 908'300, 908'300, 1, 2, 181'700, 15'000,
       166'700},
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

// The quote she sees before consenting is the schedule's own figures.
TEST(QuoteLoanTest, HandCheckedExamples) {
  struct Case {
    const char* name;
    LoanTerms terms;
    int64_t instalment;
    int64_t last;
    int64_t total;
    int64_t interest;
  };
  const Case cases[] = {
      {"kes_flat", Terms(1'000'000, 6, 1800, InterestRule::kFlat), 181'700, 181'500, 1'090'000,
       90'000},
      {"kes_declining", Terms(1'000'000, 6, 1800, InterestRule::kDeclining), 175'600, 175'100,
       1'053'100, 53'100},
      {"kes_fractional", Terms(1'000'050, 6, 1800, InterestRule::kFlat), 181'700, 181'550,
       1'090'050, 90'000},
      {"ugx_declining", Terms(500'000, 3, 2400, InterestRule::kDeclining, kUgx), 173'378, 173'376,
       520'132, 20'132},
      {"one_month", Terms(1'000'000, 1, 1800, InterestRule::kFlat), 1'015'000, 1'015'000,
       1'015'000, 15'000},
      {"zero_rate", Terms(1'000, 3, 0, InterestRule::kDeclining), 400, 200, 1'000, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<LoanQuote> q = QuoteLoan(c.terms);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    EXPECT_EQ(q->principal, c.terms.principal);
    EXPECT_EQ(q->term_months, c.terms.term_months);
    EXPECT_EQ(q->annual_rate_bp, c.terms.annual_rate_bp);
    EXPECT_EQ(q->rule, c.terms.rule);
    EXPECT_EQ(q->instalment, c.instalment);
    EXPECT_EQ(q->last_instalment, c.last);
    EXPECT_EQ(q->total_repay, c.total);
    EXPECT_EQ(q->total_interest, c.interest);
  }
}

TEST(QuoteLoanTest, AgreesWithTheScheduleForEveryTerm) {
  for (int64_t p : std::initializer_list<int64_t>{100'000, 1'000'050, 987'654'321, kMaxLoanPrincipal}) {
    for (int n = 1; n <= kMaxLoanTermMonths; ++n) {
      for (int64_t bp : {0LL, 1800LL, 10000LL}) {
        for (InterestRule rule : {InterestRule::kFlat, InterestRule::kDeclining}) {
          // The disbursement date changes the due dates, never the amounts.
          const LoanTerms at_request = Terms(p, n, bp, rule, kKes, 0);
          const LoanTerms at_payout = Terms(p, n, bp, rule, kKes, Utc(2031, 1, 31));
          Result<LoanQuote> q = QuoteLoan(at_request);
          Result<std::vector<Instalment>> s = BuildSchedule(at_payout);
          ASSERT_TRUE(q.ok() && s.ok()) << p << "/" << n;
          int64_t total = 0;
          int64_t interest = 0;
          for (const Instalment& in : *s) {
            total += in.total;
            interest += in.interest;
          }
          EXPECT_EQ(q->instalment, s->front().total);
          EXPECT_EQ(q->last_instalment, s->back().total);
          EXPECT_EQ(q->total_repay, total);
          EXPECT_EQ(q->total_interest, interest);
          EXPECT_EQ(q->total_repay, p + q->total_interest);
          EXPECT_EQ(q->instalment % 100, n == 1 ? p % 100 : 0);
        }
      }
    }
  }
}

TEST(QuoteLoanTest, RefusesWhatTheScheduleRefuses) {
  for (const LoanTerms& t :
       {Terms(0, 6, 1800, InterestRule::kFlat), Terms(1'000'000, 61, 1800, InterestRule::kFlat),
        Terms(599, 6, 1800, InterestRule::kDeclining),
        Terms(1'000'000, 6, 10001, InterestRule::kDeclining)}) {
    Result<LoanQuote> q = QuoteLoan(t);
    ASSERT_FALSE(q.ok());
    EXPECT_EQ(q.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(q.status().message(), BuildSchedule(t).status().message());
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
