#include "domain/money.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace shg {
namespace {

const Currency kKes{"KES", 2};
const Currency kUgx{"UGX", 0};
constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

TEST(FindCurrencyTest, BuiltInTable) {
  struct Case {
    const char* code;
    int exponent;
  };
  for (const Case& c :
       {Case{"KES", 2}, Case{"UGX", 0}, Case{"TZS", 2}, Case{"RWF", 0}, Case{"INR", 2}}) {
    SCOPED_TRACE(c.code);
    Result<Currency> r = FindCurrency(c.code);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->code, c.code);
    EXPECT_EQ(r->exponent, c.exponent);
  }
}

TEST(FindCurrencyTest, UnknownIsNotFound) {
  for (const char* code : {"USD", "kes", "", "KESX"}) {
    SCOPED_TRACE(code);
    EXPECT_EQ(FindCurrency(code).status().code(), Status::Code::kNotFound);
  }
}

TEST(ParseAmountInputTest, Accepts) {
  struct Case {
    const char* input;
    Currency currency;
    int64_t want_minor;
  };
  const Case cases[] = {
      {"200", kKes, 20000},        {"1", kKes, 100},
      {"1,500", kKes, 150000},     {"12,500", kKes, 1250000},
      {"999,999", kKes, 99999900}, {"1,000,000", kKes, 100000000},
      {"200.00", kKes, 20000},     {"200.0", kKes, 20000},
      {"1,500.00", kKes, 150000},  {"  200  ", kKes, 20000},
      {"0200", kKes, 20000},       {"200", kUgx, 200},
      {"5,000", kUgx, 5000},       {"5000.00", kUgx, 5000},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    Result<int64_t> r = ParseAmountInput(c.input, c.currency, kNoLimit);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, c.want_minor);
  }
}

TEST(ParseAmountInputTest, Rejects) {
  struct Case {
    const char* input;
    int64_t max_minor;
    const char* want_message;
  };
  const Case cases[] = {
      {"", kNoLimit, "Enter an amount"},
      {"   ", kNoLimit, "Enter an amount"},
      {"0", kNoLimit, "Amount must be more than 0"},
      {"000", kNoLimit, "Amount must be more than 0"},
      {"0.00", kNoLimit, "Amount must be more than 0"},
      {"-200", kNoLimit, "Amount must be more than 0"},
      {"+200", kNoLimit, "Enter the amount in digits only"},
      {"200.50", kNoLimit, "Enter an amount in whole KES"},
      {"200.05", kNoLimit, "Enter an amount in whole KES"},
      {"200.5", kNoLimit, "Enter an amount in whole KES"},
      {"200.000", kNoLimit, "Enter the amount in digits only"},
      {"200.", kNoLimit, "Enter the amount in digits only"},
      {".00", kNoLimit, "Enter the amount in digits only"},
      {"2.0.0", kNoLimit, "Enter the amount in digits only"},
      {"abc", kNoLimit, "Enter the amount in digits only"},
      {"2 00", kNoLimit, "Enter the amount in digits only"},
      {"KES 200", kNoLimit, "Enter the amount in digits only"},
      {"1e3", kNoLimit, "Enter the amount in digits only"},
      {"15,00", kNoLimit, "Use commas only between thousands, e.g. 1,500"},
      {"1,50", kNoLimit, "Use commas only between thousands, e.g. 1,500"},
      {"1500,", kNoLimit, "Use commas only between thousands, e.g. 1,500"},
      {",500", kNoLimit, "Use commas only between thousands, e.g. 1,500"},
      {"1,,500", kNoLimit, "Use commas only between thousands, e.g. 1,500"},
      {"1000,000", kNoLimit, "Use commas only between thousands, e.g. 1,500"},
      {"0,500", kNoLimit, "Use commas only between thousands, e.g. 1,500"},
      {"1,5a0", kNoLimit, "Enter the amount in digits only"},
      {"10001", 1000000, "Amount is above the limit of KES 10,000"},
      {"99999999999999999999", kNoLimit,
       "Amount is above the limit of KES 92,233,720,368,547,758.07"},
      {"92233720368547759", kNoLimit, "Amount is above the limit of KES 92,233,720,368,547,758.07"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    Result<int64_t> r = ParseAmountInput(c.input, kKes, c.max_minor);
    ASSERT_FALSE(r.ok()) << "parsed as " << *r;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), c.want_message);
  }
}

TEST(ParseAmountInputTest, LimitIsInclusive) {
  Result<int64_t> at = ParseAmountInput("10,000", kKes, 1000000);
  ASSERT_TRUE(at.ok()) << at.status().ToString();
  EXPECT_EQ(*at, 1000000);
  EXPECT_FALSE(ParseAmountInput("10,001", kKes, 1000000).ok());
}

TEST(ParseAmountInputTest, FractionMessageNamesTheCurrency) {
  Result<int64_t> r = ParseAmountInput("200.50", Currency{"INR", 2}, kNoLimit);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Enter an amount in whole INR");
}

TEST(FormatMoneyTest, Formats) {
  struct Case {
    int64_t minor;
    Currency currency;
    const char* want;
  };
  const Case cases[] = {
      {0, kKes, "KES 0"},
      {100, kKes, "KES 1"},
      {20000, kKes, "KES 200"},
      {99900, kKes, "KES 999"},
      {100000, kKes, "KES 1,000"},
      {1250000, kKes, "KES 12,500"},
      {1250050, kKes, "KES 12,500.50"},
      {1250005, kKes, "KES 12,500.05"},
      {5, kKes, "KES 0.05"},
      {100000000, kKes, "KES 1,000,000"},
      {-20000, kKes, "-KES 200"},
      {-1250050, kKes, "-KES 12,500.50"},
      {12500, kUgx, "UGX 12,500"},
      {123456789, kUgx, "UGX 123,456,789"},
      {-5, kUgx, "-UGX 5"},
      {std::numeric_limits<int64_t>::max(), kKes, "KES 92,233,720,368,547,758.07"},
      {std::numeric_limits<int64_t>::min(), kKes, "-KES 92,233,720,368,547,758.08"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.minor);
    EXPECT_EQ(FormatMoney(c.minor, c.currency), c.want);
  }
}

TEST(ToMinorTest, ScalesByExponent) {
  EXPECT_EQ(ToMinor(200, kKes), 20000);
  EXPECT_EQ(ToMinor(200, kUgx), 200);
  EXPECT_EQ(ToMinor(0, kKes), 0);
  EXPECT_EQ(ToMinor(-3, kKes), -300);
}

TEST(MoneyRoundTripTest, FormattedWholeAmountParsesBack) {
  for (int64_t whole : {1, 42, 999, 1000, 12500, 1000000, 987654321}) {
    SCOPED_TRACE(whole);
    std::string shown = FormatMoney(ToMinor(whole, kKes), kKes).substr(4);  // drop "KES "
    Result<int64_t> r = ParseAmountInput(shown, kKes, kNoLimit);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, ToMinor(whole, kKes));
  }
}

}  // namespace
}  // namespace shg
