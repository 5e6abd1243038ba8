// Partner callback bodies: recorded bodies in, the domain's values or a
// 400 reason out.
#include "gateway/partners/callbacks.h"

#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace shg::partners {
namespace {

constexpr int64_t kNow = 1764300000;

// --- decision ---

TEST(PartnerCallbacks, ApprovedDecision) {
  auto d = ParseDecision(
      R"({"decision":"approved","amount_minor":1000000,"currency":"KES","term_months":6,
          "interest_rule":"declining","annual_rate_bp":1800})");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->decision.approved);
  EXPECT_EQ(d->decision.amount, 1000000);
  EXPECT_EQ(d->decision.term_months, 6);
  EXPECT_EQ(d->decision.rule, InterestRule::kDeclining);
  EXPECT_EQ(d->decision.annual_rate_bp, 1800);
  EXPECT_EQ(d->decision.reason, "");
  EXPECT_EQ(d->currency, "KES");
}

TEST(PartnerCallbacks, ApprovedFlatWithoutCurrencyAndExtraFields) {
  auto d = ParseDecision(
      R"({"decision":"approved","amount_minor":500000,"term_months":3,"interest_rule":"flat",
          "annual_rate_bp":0,"officer":"J. Otieno","reason":"ignored"})");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->decision.rule, InterestRule::kFlat);
  EXPECT_EQ(d->decision.annual_rate_bp, 0);
  EXPECT_EQ(d->decision.reason, "");
  EXPECT_EQ(d->currency, "");
}

TEST(PartnerCallbacks, DeclinedDecision) {
  auto d = ParseDecision(R"({"decision":"declined","reason":"Insufficient business history"})");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_FALSE(d->decision.approved);
  EXPECT_EQ(d->decision.reason, "Insufficient business history");
  EXPECT_EQ(d->decision.amount, 0);
}

TEST(PartnerCallbacks, DeclineReasonKeepsUtf8) {
  auto d =
      ParseDecision(R"({"decision":"declined","reason":"Historia ya biashara haitoshi \u2013 2"})");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->decision.reason, "Historia ya biashara haitoshi \xE2\x80\x93 2");
}

struct BadCase {
  std::string name;
  std::string body;
  std::string message;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

std::string Approved(std::string_view replace_from, std::string_view replace_to) {
  std::string body =
      R"({"decision":"approved","amount_minor":1000000,"currency":"KES","term_months":6,)"
      R"("interest_rule":"declining","annual_rate_bp":1800})";
  if (!replace_from.empty()) body.replace(body.find(replace_from), replace_from.size(), replace_to);
  return body;
}

class DecisionRefusedTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(DecisionRefusedTest, Refuses) {
  const BadCase& c = GetParam();
  auto d = ParseDecision(c.body);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(d.status().message(), c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, DecisionRefusedTest,
    ::testing::Values(
        BadCase{"Empty", "", "malformed JSON"},
        BadCase{"NotJson", "decision=approved", "malformed JSON"},
        BadCase{"TrailingComma", R"({"decision":"declined","reason":"x",})", "malformed JSON"},
        BadCase{"Array", R"(["approved"])", "body must be a JSON object"},
        BadCase{"NoDecision", R"({"reason":"x"})", "missing field: decision"},
        BadCase{"NullDecision", R"({"decision":null})", "missing field: decision"},
        BadCase{"UnknownDecision", R"({"decision":"maybe"})", "invalid field: decision"},
        BadCase{"DecisionCase", R"({"decision":"Approved"})", "invalid field: decision"},
        BadCase{"DecisionNotString", R"({"decision":true})", "invalid field: decision"},
        BadCase{"DeclineWithoutReason", R"({"decision":"declined"})", "missing field: reason"},
        BadCase{"EmptyReason", R"({"decision":"declined","reason":""})", "invalid field: reason"},
        BadCase{"LongReason",
                R"({"decision":"declined","reason":")" + std::string(161, 'x') + "\"}",
                "invalid field: reason"},
        BadCase{"ReasonWithNewline", R"({"decision":"declined","reason":"a\nb"})",
                "invalid field: reason"},
        BadCase{"ReasonNotString", R"({"decision":"declined","reason":5})",
                "invalid field: reason"},
        BadCase{"NoAmount", Approved(R"("amount_minor":1000000,)", ""),
                "missing field: amount_minor"},
        BadCase{"AmountAsString", Approved("1000000", "\"1000000\""),
                "invalid field: amount_minor"},
        BadCase{"AmountFraction", Approved("1000000", "1000000.5"), "invalid field: amount_minor"},
        BadCase{"AmountZero", Approved("1000000", "0"), "invalid field: amount_minor"},
        BadCase{"AmountNegative", Approved("1000000", "-5"), "invalid field: amount_minor"},
        BadCase{"AmountHuge", Approved("1000000", "99999999999999999999"),
                "invalid field: amount_minor"},
        BadCase{"NoTerm", Approved(R"("term_months":6,)", ""), "missing field: term_months"},
        BadCase{"TermZero", Approved(R"("term_months":6)", R"("term_months":0)"),
                "invalid field: term_months"},
        BadCase{"TermTooLong", Approved(R"("term_months":6)", R"("term_months":61)"),
                "invalid field: term_months"},
        BadCase{"NoRule", Approved(R"("interest_rule":"declining",)", ""),
                "missing field: interest_rule"},
        BadCase{"UnknownRule", Approved("declining", "compound"), "invalid field: interest_rule"},
        BadCase{"NoRate", Approved(R"(,"annual_rate_bp":1800)", ""),
                "missing field: annual_rate_bp"},
        BadCase{"RateAbove100Percent", Approved("1800", "10001"), "invalid field: annual_rate_bp"},
        BadCase{"CurrencyLowerCase", Approved("\"KES\"", "\"kes\""), "invalid field: currency"},
        BadCase{"CurrencyNumber", Approved("\"KES\"", "404"), "invalid field: currency"}),
    [](const auto& info) { return info.param.name; });

// --- disbursement ---

TEST(PartnerCallbacks, Disbursement) {
  auto d = ParseDisbursement(
      R"({"amount_minor":1000000,"currency":"KES","disbursed_at":1764230400,)"
      R"("transaction_id":"IMR-TX-1"})",
      kNow);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->amount, 1000000);
  EXPECT_EQ(d->currency, "KES");
  EXPECT_EQ(d->disbursed_at, 1764230400);
  EXPECT_EQ(d->transaction_id, "IMR-TX-1");
}

TEST(PartnerCallbacks, DisbursementDefaultsToNow) {
  auto d = ParseDisbursement(R"({"amount_minor":1000000,"transaction_id":"IMR-TX-1"})", kNow);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->disbursed_at, kNow);
  EXPECT_EQ(d->currency, "");
}

class DisbursementRefusedTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(DisbursementRefusedTest, Refuses) {
  const BadCase& c = GetParam();
  auto d = ParseDisbursement(c.body, kNow);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(d.status().message(), c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, DisbursementRefusedTest,
    ::testing::Values(
        BadCase{"NotObject", "17", "body must be a JSON object"},
        BadCase{"NoAmount", R"({"transaction_id":"T"})", "missing field: amount_minor"},
        BadCase{"NoTransaction", R"({"amount_minor":100})", "missing field: transaction_id"},
        BadCase{"EmptyTransaction", R"({"amount_minor":100,"transaction_id":""})",
                "invalid field: transaction_id"},
        BadCase{"TransactionNumber", R"({"amount_minor":100,"transaction_id":17})",
                "invalid field: transaction_id"},
        BadCase{"LongTransaction",
                R"({"amount_minor":100,"transaction_id":")" + std::string(65, 'T') + "\"}",
                "invalid field: transaction_id"},
        BadCase{"NonAsciiTransaction", R"({"amount_minor":100,"transaction_id":"T\u00e9"})",
                "invalid field: transaction_id"},
        BadCase{"NegativeTime",
                R"({"amount_minor":100,"transaction_id":"T","disbursed_at":-1})",
                "invalid field: disbursed_at"},
        BadCase{"TimeAsString",
                R"({"amount_minor":100,"transaction_id":"T","disbursed_at":"1764230400"})",
                "invalid field: disbursed_at"},
        BadCase{"TimeInMilliseconds",
                R"({"amount_minor":100,"transaction_id":"T","disbursed_at":1764230400000000})",
                "invalid field: disbursed_at"}),
    [](const auto& info) { return info.param.name; });

// --- repayments ---

TEST(PartnerCallbacks, Repayment) {
  auto r = ParseRepayment(
      R"({"payment_id":"IMR-PAY-1","amount_minor":181667,"currency":"KES","paid_at":1766822400})",
      kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->payment_id, "IMR-PAY-1");
  EXPECT_EQ(r->amount, 181667);
  EXPECT_EQ(r->currency, "KES");
  EXPECT_EQ(r->paid_at, 1766822400);
  EXPECT_EQ(r->claim_reference, "");
}

TEST(PartnerCallbacks, RepaymentNamesTheMembersClaim) {
  struct Case {
    const char* body;
    const char* claim_reference;
  };
  const Case cases[] = {
      {R"({"payment_id":"P","amount_minor":1,"claim_reference":"R7K2PX"})", "R7K2PX"},
      // Kept as sent: the domain matches references in any case.
      {R"({"payment_id":"P","amount_minor":1,"claim_reference":"r7k2px"})", "r7k2px"},
      {R"({"payment_id":"P","amount_minor":1,"claim_reference":null})", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    auto r = ParseRepayment(c.body, kNow);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->claim_reference, c.claim_reference);
  }
}

TEST(PartnerCallbacks, RepaymentDefaultsToNow) {
  auto r = ParseRepayment(R"({"payment_id":"IMR-PAY-1","amount_minor":181667,"paid_at":null})",
                          kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->paid_at, kNow);
}

class RepaymentRefusedTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(RepaymentRefusedTest, Refuses) {
  const BadCase& c = GetParam();
  auto r = ParseRepayment(c.body, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, RepaymentRefusedTest,
    ::testing::Values(
        BadCase{"NoPaymentId", R"({"amount_minor":100})", "missing field: payment_id"},
        BadCase{"NoAmount", R"({"payment_id":"P"})", "missing field: amount_minor"},
        BadCase{"ZeroAmount", R"({"payment_id":"P","amount_minor":0})",
                "invalid field: amount_minor"},
        BadCase{"Currency4", R"({"payment_id":"P","amount_minor":1,"currency":"KESH"})",
                "invalid field: currency"},
        BadCase{"TooDeep", R"({"payment_id":"P","amount_minor":1,"x":[[[[[[[[[1]]]]]]]]]})",
                "malformed JSON"},
        BadCase{"ClaimReferenceNumber",
                R"({"payment_id":"P","amount_minor":1,"claim_reference":123})",
                "invalid field: claim_reference"},
        BadCase{"ClaimReferenceEmpty",
                R"({"payment_id":"P","amount_minor":1,"claim_reference":""})",
                "invalid field: claim_reference"},
        BadCase{"ClaimReferenceLong",
                R"({"payment_id":"P","amount_minor":1,"claim_reference":")" +
                    std::string(65, 'R') + "\"}",
                "invalid field: claim_reference"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace shg::partners
