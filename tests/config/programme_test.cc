// LoanProgrammeFrom: settings -> the domain's loan programme; and the
// [loans] scheduler_interval_s key.
#include "config/programme.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/settings.h"

namespace shg::config {
namespace {

const std::string kSourceDir = SHG_SOURCE_DIR;

TEST(LoanProgrammeFromTest, ConvertsPolicyPurposesAndProductsInOrder) {
  Result<Settings> s = ParseSettings(R"(
[loans]
savings_multiple = 4
min_months = 6
min_confirmed_savings = 8
grace_days = 5
request_expiry_days = 21
allow_topup = true

[[loan_purposes]]
id = "tailoring"
[[loan_purposes]]
id = "bakery"

[[mfi_partners]]
id = "imara"
name = "Imara Microfinance"
api_base_url = "https://api.imara.example"
secret = "0123456789abcdef-partner-key"
currency = "KES"
min_amount_units = 1000
max_amount_units = 50000
terms_months = [12, 3, 6, 6]
interest_rule = "flat"
annual_rate_bp = 2400

[[mfi_partners]]
id = "pamoja-ug"
name = "Pamoja"
currency = "UGX"
min_amount_units = 50000
max_amount_units = 2000000
)");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  LoanProgramme p = LoanProgrammeFrom(*s);
  EXPECT_EQ(p.policy.savings_multiple, 4);
  EXPECT_EQ(p.policy.min_months, 6);
  EXPECT_EQ(p.policy.min_confirmed_savings, 8);
  EXPECT_TRUE(p.policy.allow_topup);
  EXPECT_EQ(p.grace_days, 5);
  EXPECT_EQ(p.request_expiry_days, 21);
  EXPECT_EQ(p.purposes, (std::vector<std::string>{"tailoring", "bakery"}));

  ASSERT_EQ(p.products.size(), 2u);
  const LoanProduct& imara = p.products[0];
  EXPECT_EQ(imara.partner_id, "imara");
  EXPECT_EQ(imara.partner_name, "Imara Microfinance");
  EXPECT_EQ(imara.currency, "KES");
  EXPECT_EQ(imara.min_amount, 100000) << "KES 1,000 in cents";
  EXPECT_EQ(imara.max_amount, 5000000);
  EXPECT_EQ(imara.terms_months, (std::vector<int>{3, 6, 12})) << "sorted, no duplicates";
  EXPECT_EQ(imara.rule, InterestRule::kFlat);
  EXPECT_EQ(imara.annual_rate_bp, 2400);
  EXPECT_TRUE(imara.has_api);

  const LoanProduct& pamoja = p.products[1];
  EXPECT_EQ(pamoja.partner_id, "pamoja-ug");
  EXPECT_EQ(pamoja.currency, "UGX");
  EXPECT_EQ(pamoja.min_amount, 50000) << "UGX has no minor unit";
  EXPECT_EQ(pamoja.max_amount, 2000000);
  EXPECT_EQ(pamoja.terms_months, (std::vector<int>{3, 6, 12})) << "the default terms";
  EXPECT_EQ(pamoja.rule, InterestRule::kDeclining);
  EXPECT_EQ(pamoja.annual_rate_bp, 1800);
  EXPECT_FALSE(pamoja.has_api);
}

TEST(LoanProgrammeFromTest, DefaultsMatchTheDomainsDefaults) {
  LoanProgramme p = LoanProgrammeFrom(Settings{});
  LoanProgramme domain;
  EXPECT_EQ(p.policy.savings_multiple, domain.policy.savings_multiple);
  EXPECT_EQ(p.policy.min_months, domain.policy.min_months);
  EXPECT_EQ(p.policy.min_confirmed_savings, domain.policy.min_confirmed_savings);
  EXPECT_EQ(p.policy.allow_topup, domain.policy.allow_topup);
  EXPECT_EQ(p.grace_days, domain.grace_days);
  EXPECT_EQ(p.request_expiry_days, domain.request_expiry_days);
  EXPECT_EQ(p.purposes, Settings{}.loan_purposes);
  EXPECT_TRUE(p.products.empty());
}

TEST(LoanProgrammeFromTest, PartnerInUnknownCurrencyHasNoProduct) {
  Settings s;
  MfiPartnerSettings p;
  p.id = "odd";
  p.name = "Odd";
  p.currency = "XXX";  // the loader refuses it; a hand-built Settings may not
  s.mfi_partners.push_back(p);
  EXPECT_TRUE(LoanProgrammeFrom(s).products.empty());
}

TEST(SchedulerIntervalTest, DefaultSetAndRange) {
  EXPECT_EQ(Settings{}.loans.scheduler_interval_s, 300);
  Result<Settings> example = LoadSettings(kSourceDir + "/config/gateway.example.toml");
  ASSERT_TRUE(example.ok()) << example.status().ToString();
  EXPECT_EQ(example->loans.scheduler_interval_s, 300) << "the example documents the default";

  Result<Settings> set = ParseSettings("[loans]\nscheduler_interval_s = 60\n");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->loans.scheduler_interval_s, 60);

  for (const char* bad : {"[loans]\nscheduler_interval_s = 9\n",
                          "[loans]\nscheduler_interval_s = 86401\n",
                          "[loans]\nscheduler_interval_s = \"300\"\n"}) {
    Result<Settings> r = ParseSettings(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("loans.scheduler_interval_s"), std::string::npos)
        << r.status().message();
  }
}

}  // namespace
}  // namespace shg::config
