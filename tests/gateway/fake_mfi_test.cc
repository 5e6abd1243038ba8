// The fake provider's MFI partner over real loopback HTTP: signed referrals
// in (checked with the shared secret), signed callbacks out to a
// ScriptedServer standing in for the gateway (checked with
// partners::Verify), "partner down", and the control endpoint.
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "gateway/fake/fake_provider.h"
#include "gateway/outbound/transport.h"
#include "gateway/partners/signature.h"
#include "tests/support/http_client.h"
#include "tests/support/scripted_server.h"

namespace shg::gateway {
namespace {

using namespace std::chrono_literals;

constexpr char kSecret[] = "imara-demo-secret-0123456789";
constexpr int64_t kNow = 1764230400;  // 2025-11-27 08:00 UTC

std::string Referral(const std::string& reference, const std::string& name = "Amina Wekesa",
                     int64_t amount = 1000000, int term = 6) {
  return R"({"version":1,"reference":")" + reference +
         R"(","partner_id":"imara","created_at":1764220000,)"
         R"("member":{"id":1,"name":)" +
         boost::json::serialize(boost::json::value(name)) +
         R"(,"phone":"+254700000001","language":"en"},)"
         R"("group":{"id":1,"name":"Upendo","country":"KE","currency":"KES"},)"
         R"("loan":{"amount_minor":)" +
         std::to_string(amount) + R"(,"currency":"KES","purpose":"bakery","term_months":)" +
         std::to_string(term) + "}}";
}

testing::ScriptedResponse Answer(int status, std::string body) {
  testing::ScriptedResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

class FakeMfiTest : public ::testing::Test {
 protected:
  void SetUp() override { StartFake(); }

  void StartFake(std::string id_prefix = "") {
    FakeProviderOptions o;
    o.print = false;
    o.gateway_url = gateway_.base_url();
    o.clock = [] { return kNow; };
    FakeMfiPartnerOptions imara;
    imara.id = "imara";
    imara.name = "Imara Microfinance";
    imara.secret = kSecret;
    imara.id_prefix = std::move(id_prefix);
    o.mfi_partners.push_back(imara);
    fake_ = std::make_unique<FakeProvider>(std::move(o));
    ASSERT_TRUE(fake_->Start().ok());
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(fake_->port()) + path;
  }
  // POSTs a referral as the gateway's sender does.
  channels::HttpOutcome PostReferral(const std::string& body, const std::string& key,
                                     const std::string& secret = kSecret,
                                     int64_t timestamp = kNow) {
    channels::HttpCall call;
    call.url = Url("/mfi/imara/referrals");
    call.content_type = "application/json";
    call.body = body;
    const std::string ts = std::to_string(timestamp);
    call.headers = {{partners::kTimestampHeader, ts},
                    {partners::kSignatureHeader, partners::Sign(secret, ts, body)}};
    if (!key.empty()) call.headers.emplace_back(partners::kIdempotencyHeader, key);
    outbound::TransportOptions options;
    options.total_timeout_ms = 5000;
    return transport_.Perform(call, options);
  }
  // The callback the scripted gateway received as request `index`, checked
  // to be signed with the partner's secret at the fake's clock.
  http::Request SignedCallback(size_t index) {
    EXPECT_TRUE(gateway_.WaitForRequests(index + 1, 5000ms));
    std::vector<http::Request> requests = gateway_.Requests();
    if (requests.size() <= index) return {};
    const http::Request& r = requests[index];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.Header("content-type"), "application/json");
    EXPECT_EQ(r.Header("x-shg-timestamp"), std::to_string(kNow));
    Status verified = partners::Verify(kSecret, r.Header("x-shg-timestamp"),
                                       r.Header("x-shg-signature"), r.body, kNow, 300);
    EXPECT_TRUE(verified.ok()) << verified.ToString();
    return r;
  }

  testing::ScriptedServer gateway_;  // stands in for the gateway's callback routes
  std::unique_ptr<FakeProvider> fake_;
  outbound::Transport transport_;
  testing::HttpClient client_;
};

TEST_F(FakeMfiTest, SignedReferralIsAcceptedRecordedAndAnsweredWithThePartnersId) {
  channels::HttpOutcome out = PostReferral(Referral("K7P2QX"), "K7P2QX");
  EXPECT_EQ(out.status, 201);
  EXPECT_EQ(out.body, R"({"id":"IMR-1"})");
  ASSERT_TRUE(fake_->WaitForReferrals(1, 1000ms));
  std::vector<FakeReferral> referrals = fake_->Referrals();
  ASSERT_EQ(referrals.size(), 1u);
  const FakeReferral& r = referrals[0];
  EXPECT_EQ(r.partner_id, "imara");
  EXPECT_EQ(r.partner_ref, "IMR-1");
  EXPECT_EQ(r.reference, "K7P2QX");
  EXPECT_EQ(r.member_name, "Amina W.");
  EXPECT_EQ(r.amount, 1000000);
  EXPECT_EQ(r.currency, "KES");
  EXPECT_EQ(r.term_months, 6);
  EXPECT_EQ(r.purpose, "bakery");
  EXPECT_EQ(r.body, Referral("K7P2QX"));

  EXPECT_EQ(PostReferral(Referral("M3N4PR"), "M3N4PR").body, R"({"id":"IMR-2"})");
  EXPECT_EQ(fake_->ReferralRequestCount(), 2u);
}

TEST_F(FakeMfiTest, MemberNamesAreMasked) {
  const std::pair<std::string, std::string> cases[] = {
      {"Amina Wekesa", "Amina W."},
      {"Mary Anne Otieno", "Mary O."},
      {"  Halima   Hassan ", "Halima H."},
      {"Joy", "Joy"},
      {"Wanjiru \xC3\x89lodie", "Wanjiru \xC3\x89."},  // the initial is a whole UTF-8 character
  };
  int n = 0;
  for (const auto& [name, masked] : cases) {
    const std::string ref = "REF00" + std::to_string(n++);
    ASSERT_EQ(PostReferral(Referral(ref, name), ref).status, 201) << name;
    EXPECT_EQ(fake_->Referrals().back().member_name, masked) << name;
  }
}

TEST_F(FakeMfiTest, BadSignaturesAre401AndRecordNothing) {
  const std::string body = Referral("K7P2QX");
  struct Case {
    const char* what;
    std::string secret;
    int64_t timestamp;
    const char* error;
  } cases[] = {
      {"another secret", "some-other-secret-0123456789", kNow, "bad signature"},
      {"stale", kSecret, kNow - 301, "stale timestamp"},
      {"from the future", kSecret, kNow + 301, "stale timestamp"},
  };
  for (const Case& c : cases) {
    channels::HttpOutcome out = PostReferral(body, "K7P2QX", c.secret, c.timestamp);
    EXPECT_EQ(out.status, 401) << c.what;
    EXPECT_EQ(out.body, std::string(R"({"error":")") + c.error + "\"}") << c.what;
  }
  // Within the window is fine; a signature over another body is not.
  channels::HttpCall tampered;
  tampered.url = Url("/mfi/imara/referrals");
  tampered.content_type = "application/json";
  tampered.body = Referral("K7P2QX", "Amina Wekesa", 9900000);
  tampered.headers = {{"X-SHG-Timestamp", std::to_string(kNow)},
                      {"X-SHG-Signature", partners::Sign(kSecret, std::to_string(kNow), body)},
                      {"Idempotency-Key", "K7P2QX"}};
  EXPECT_EQ(transport_.Perform(tampered, {}).status, 401);
  testing::HttpResult unsigned_post =
      client_.PostRaw(Url("/mfi/imara/referrals"), body, "application/json",
                      {"Idempotency-Key: K7P2QX"});
  EXPECT_EQ(unsigned_post.status, 401);
  EXPECT_EQ(unsigned_post.body, R"({"error":"missing signature"})");
  EXPECT_TRUE(fake_->Referrals().empty());

  EXPECT_EQ(PostReferral(body, "K7P2QX", kSecret, kNow - 300).status, 201);
}

TEST_F(FakeMfiTest, DuplicateIdempotencyKeyIs409WithTheFirstId) {
  ASSERT_EQ(PostReferral(Referral("K7P2QX"), "K7P2QX").status, 201);
  channels::HttpOutcome again = PostReferral(Referral("K7P2QX"), "K7P2QX");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.body, R"({"error":"duplicate referral","id":"IMR-1"})");
  EXPECT_EQ(fake_->Referrals().size(), 1u);
}

TEST_F(FakeMfiTest, MalformedReferralsAre400) {
  struct Case {
    const char* what;
    std::string body;
    std::string key;
  } cases[] = {
      {"no Idempotency-Key", Referral("K7P2QX"), ""},
      {"not JSON", "{\"reference\":", "K7P2QX"},
      {"key is not the reference", Referral("K7P2QX"), "OTHER1"},
      {"no amount", R"({"reference":"K7P2QX","loan":{"term_months":6}})", "K7P2QX"},
      {"no term", R"({"reference":"K7P2QX","loan":{"amount_minor":100}})", "K7P2QX"},
      {"another partner",
       R"({"reference":"K7P2QX","partner_id":"other","loan":{"amount_minor":1,"term_months":1}})",
       "K7P2QX"},
  };
  for (const Case& c : cases) EXPECT_EQ(PostReferral(c.body, c.key).status, 400) << c.what;
  EXPECT_TRUE(fake_->Referrals().empty());
  EXPECT_EQ(client_.PostRaw(Url("/mfi/nobody/referrals"), "{}", "application/json").status, 404);
  EXPECT_EQ(client_.Get(Url("/mfi/imara/referrals")).status, 405);
}

TEST_F(FakeMfiTest, PartnerDownAnswers503UntilItRecovers) {
  fake_->FailNextReferrals(2);
  EXPECT_EQ(PostReferral(Referral("K7P2QX"), "K7P2QX").status, 503);
  EXPECT_EQ(PostReferral(Referral("K7P2QX"), "K7P2QX").status, 503);
  EXPECT_TRUE(fake_->Referrals().empty());
  EXPECT_EQ(PostReferral(Referral("K7P2QX"), "K7P2QX").status, 201);

  fake_->FailNextReferrals(1, 429);
  channels::HttpOutcome throttled = PostReferral(Referral("M3N4PR"), "M3N4PR");
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.Header("retry-after"), "1");
  EXPECT_EQ(PostReferral(Referral("M3N4PR"), "M3N4PR").status, 201);
  EXPECT_EQ(fake_->ReferralRequestCount(), 5u);
  EXPECT_EQ(fake_->Referrals().size(), 2u);
}

TEST_F(FakeMfiTest, WaitForReferrals) {
  EXPECT_FALSE(fake_->WaitForReferrals(1, 20ms));
  std::thread gateway([this] { PostReferral(Referral("K7P2QX"), "K7P2QX"); });
  EXPECT_TRUE(fake_->WaitForReferrals(1, 5000ms));
  gateway.join();
}

TEST_F(FakeMfiTest, CallbacksAreSignedAndCarryTheReferralsTerms) {
  ASSERT_EQ(PostReferral(Referral("K7P2QX"), "K7P2QX").status, 201);
  gateway_.Push(Answer(200, R"({"reference":"K7P2QX","state":"approved","changed":true})"));
  FakeMfiCall approved = fake_->ApproveLoan("K7P2QX");
  EXPECT_EQ(approved.status, 200);
  EXPECT_EQ(approved.body, R"({"reference":"K7P2QX","state":"approved","changed":true})");
  EXPECT_TRUE(approved.ok());
  http::Request r = SignedCallback(0);
  EXPECT_EQ(r.path, "/partners/imara/loans/K7P2QX/decision");
  EXPECT_EQ(r.body,
            R"({"decision":"approved","amount_minor":1000000,"currency":"KES","term_months":6,)"
            R"("interest_rule":"declining","annual_rate_bp":1800})");

  // Disbursed at the approved amount; a second Disburse replays the same
  // transaction id.
  FakeMfiCall disbursed = fake_->Disburse("K7P2QX");
  EXPECT_EQ(disbursed.status, 200);
  r = SignedCallback(1);
  EXPECT_EQ(r.path, "/partners/imara/loans/K7P2QX/disbursement");
  EXPECT_EQ(r.body, R"({"amount_minor":1000000,"currency":"KES","disbursed_at":1764230400,)"
                    R"("transaction_id":"IMR-TX-1"})");
  fake_->Disburse("K7P2QX");
  EXPECT_EQ(SignedCallback(2).body, r.body);

  fake_->Repay("K7P2QX", 181667);
  r = SignedCallback(3);
  EXPECT_EQ(r.path, "/partners/imara/loans/K7P2QX/repayments");
  EXPECT_EQ(r.body, R"({"payment_id":"IMR-PAY-1","amount_minor":181667,"currency":"KES",)"
                    R"("paid_at":1764230400})");
  fake_->Repay("K7P2QX", 100);
  EXPECT_NE(SignedCallback(4).body.find(R"("payment_id":"IMR-PAY-2","amount_minor":100,)"),
            std::string::npos);
}

TEST_F(FakeMfiTest, ApprovalTermsCanBeGivenAndDeclineCarriesTheReason) {
  ASSERT_EQ(PostReferral(Referral("K7P2QX"), "K7P2QX").status, 201);
  FakeApproval terms;
  terms.amount = 800000;
  terms.term_months = 12;
  terms.rule = InterestRule::kFlat;
  terms.annual_rate_bp = 2400;
  fake_->ApproveLoan("K7P2QX", terms);
  EXPECT_EQ(SignedCallback(0).body,
            R"({"decision":"approved","amount_minor":800000,"currency":"KES","term_months":12,)"
            R"("interest_rule":"flat","annual_rate_bp":2400})");
  fake_->Disburse("K7P2QX");
  EXPECT_NE(SignedCallback(1).body.find(R"("amount_minor":800000)"), std::string::npos);

  fake_->DeclineLoan("M3N4PR", "Insufficient \"business\" history");
  http::Request r = SignedCallback(2);
  EXPECT_EQ(r.path, "/partners/imara/loans/M3N4PR/decision");
  EXPECT_EQ(r.body, R"({"decision":"declined","reason":"Insufficient \"business\" history"})");
}

TEST_F(FakeMfiTest, TheGatewaysAnswerIsReturnedAsItCame) {
  ASSERT_EQ(PostReferral(Referral("K7P2QX"), "K7P2QX").status, 201);
  gateway_.Push(Answer(409, R"({"error":"event does not fit","state":"disbursed"})"));
  FakeMfiCall call = fake_->ApproveLoan("K7P2QX");
  EXPECT_EQ(call.status, 409);
  EXPECT_FALSE(call.ok());
  EXPECT_EQ(call.body, R"({"error":"event does not fit","state":"disbursed"})");
  EXPECT_EQ(call.error, "");
}

TEST_F(FakeMfiTest, CallsThatCannotBeMadeSayWhy) {
  // Nothing to take the amount and term from.
  FakeMfiCall call = fake_->ApproveLoan("NOPE22");
  EXPECT_EQ(call.status, 0);
  EXPECT_EQ(call.error.rfind("fake-mfi: no referral NOPE22", 0), 0u) << call.error;
  EXPECT_EQ(fake_->Disburse("NOPE22").status, 0);
  EXPECT_EQ(gateway_.RequestCount(), 0u);
  // Terms given: the call is made for the first partner.
  FakeApproval terms;
  terms.amount = 500000;
  terms.term_months = 3;
  EXPECT_EQ(fake_->ApproveLoan("NOPE22", terms).status, 200);
  EXPECT_EQ(SignedCallback(0).path, "/partners/imara/loans/NOPE22/decision");
  EXPECT_EQ(fake_->SendCallback("nobody", "NOPE22", "decision", "{}").status, 0);
}

TEST_F(FakeMfiTest, GatewayDownIsAnErrorNotAStatus) {
  FakeProviderOptions o;
  o.print = false;
  o.gateway_url = "http://127.0.0.1:9";  // discard port: nothing listens
  FakeMfiPartnerOptions imara;
  imara.id = "imara";
  imara.secret = kSecret;
  o.mfi_partners.push_back(imara);
  FakeProvider fake(o);
  ASSERT_TRUE(fake.Start().ok());
  FakeMfiCall call = fake.Repay("K7P2QX", 100);
  EXPECT_EQ(call.status, 0);
  EXPECT_EQ(call.error.rfind("fake-mfi: the gateway did not answer", 0), 0u) << call.error;
}

TEST_F(FakeMfiTest, ControlEndpointDrivesThePartner) {
  ASSERT_EQ(PostReferral(Referral("K7P2QX"), "K7P2QX").status, 201);
  gateway_.SetDefault(Answer(200, R"({"reference":"K7P2QX","state":"approved","changed":true})"));
  testing::HttpResult approved = client_.PostRaw(
      Url("/control/mfi/imara/approve?ref=K7P2QX"), "", "application/x-www-form-urlencoded");
  EXPECT_EQ(approved.status, 200);
  EXPECT_EQ(approved.body, R"({"reference":"K7P2QX","state":"approved","changed":true})");
  EXPECT_NE(SignedCallback(0).body.find(R"("amount_minor":1000000,)"), std::string::npos);

  client_.PostRaw(Url("/control/mfi/imara/approve?ref=K7P2QX&amount=9000.50&term=12&rule=flat"
                      "&rate=2000"),
                  "", "text/plain");
  EXPECT_EQ(SignedCallback(1).body,
            R"({"decision":"approved","amount_minor":900050,"currency":"KES","term_months":12,)"
            R"("interest_rule":"flat","annual_rate_bp":2000})");
  client_.PostRaw(Url("/control/mfi/imara/disburse?ref=K7P2QX"), "", "text/plain");
  EXPECT_NE(SignedCallback(2).body.find(R"("amount_minor":900050,)"), std::string::npos);
  client_.PostRaw(Url("/control/mfi/imara/repay?ref=K7P2QX&amount=1816.67"), "", "text/plain");
  EXPECT_NE(SignedCallback(3).body.find(R"("amount_minor":181667,)"), std::string::npos);
  client_.PostRaw(Url("/control/mfi/imara/decline?ref=K7P2QX&reason=No+history"), "",
                  "text/plain");
  EXPECT_EQ(SignedCallback(4).body, R"({"decision":"declined","reason":"No history"})");

  // The fake's own refusals: nothing reaches the gateway.
  struct Case {
    std::string path;
    long status;
  } refused[] = {
      {"/control/mfi/imara/approve", 400},                       // no ref
      {"/control/mfi/imara/repay?ref=K7P2QX", 400},              // no amount
      {"/control/mfi/imara/repay?ref=K7P2QX&amount=1.234", 400}, // KES has 2 decimals
      {"/control/mfi/imara/repay?ref=K7P2QX&amount=-5", 400},
      {"/control/mfi/imara/approve?ref=K7P2QX&rule=balloon", 400},
      {"/control/mfi/imara/approve?ref=NOPE22", 404},            // never referred
      {"/control/mfi/imara/disburse?ref=NOPE22", 404},
      {"/control/mfi/nobody/approve?ref=K7P2QX", 404},
      {"/control/mfi/imara/frobnicate?ref=K7P2QX", 404},
  };
  for (const Case& c : refused) {
    testing::HttpResult r = client_.PostRaw(Url(c.path), "", "text/plain");
    EXPECT_EQ(r.status, c.status) << c.path;
    EXPECT_NE(r.body.find("\"error\":\"fake-mfi: "), std::string::npos) << c.path << r.body;
  }
  EXPECT_EQ(client_.Get(Url("/control/mfi/imara/approve?ref=K7P2QX")).status, 405);
  EXPECT_EQ(gateway_.RequestCount(), 5u);
}

TEST_F(FakeMfiTest, ControlEndpointSays502WhenTheGatewayIsDown) {
  FakeProviderOptions o;
  o.print = false;
  o.gateway_url = "http://127.0.0.1:9";
  FakeMfiPartnerOptions imara;
  imara.id = "imara";
  imara.secret = kSecret;
  o.mfi_partners.push_back(imara);
  FakeProvider fake(o);
  ASSERT_TRUE(fake.Start().ok());
  testing::HttpResult r = client_.PostRaw(
      "http://127.0.0.1:" + std::to_string(fake.port()) + "/control/mfi/imara/repay?ref=A&amount=1",
      "", "text/plain");
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(r.body.find("fake-mfi: the gateway did not answer"), std::string::npos) << r.body;
}

TEST_F(FakeMfiTest, PartnerIdPrefixIsDerivedOrConfigured) {
  fake_.reset();
  StartFake("IMF");
  EXPECT_EQ(PostReferral(Referral("K7P2QX"), "K7P2QX").body, R"({"id":"IMF-1"})");
}

TEST(FakeMfiPrintTest, PrintsOneLinePerReferralWithoutPersonalData) {
  FakeProviderOptions o;
  o.clock = [] { return kNow; };
  FakeMfiPartnerOptions imara;
  imara.id = "imara";
  imara.name = "Imara Microfinance";
  imara.secret = kSecret;
  o.mfi_partners.push_back(imara);
  FakeProvider fake(o);
  ASSERT_TRUE(fake.Start().ok());
  const std::string body = Referral("K7P2QX");
  const std::string ts = std::to_string(kNow);
  testing::HttpClient client;
  ::testing::internal::CaptureStdout();
  testing::HttpResult r = client.PostRaw(
      "http://127.0.0.1:" + std::to_string(fake.port()) + "/mfi/imara/referrals", body,
      "application/json",
      {"X-SHG-Timestamp: " + ts, "X-SHG-Signature: " + partners::Sign(kSecret, ts, body),
       "Idempotency-Key: K7P2QX"});
  std::string printed = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(printed,
            "fake-mfi: imara received referral K7P2QX (IMR-1): Amina W., KES 10,000 for bakery "
            "over 6 months\n");
  EXPECT_EQ(printed.find("+254"), std::string::npos);
}

}  // namespace
}  // namespace shg::gateway
