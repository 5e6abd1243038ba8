// The referral sender: the signed request it builds, the classification of
// partners' answers, and sends performed against a real loopback server.
#include "gateway/partners/sender.h"

#include <chrono>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "domain/loans.h"
#include "gateway/outbound/transport.h"
#include "gateway/partners/signature.h"
#include "tests/support/scripted_server.h"

namespace shg::partners {
namespace {

using channels::HttpCall;
using channels::HttpOutcome;
using channels::SendClass;
using channels::SendClassName;
using channels::SendResult;
using channels::TransportFailure;

constexpr char kSecret[] = "imara-shared-secret-0123";
constexpr int64_t kNow = 1764230400;
constexpr char kReferral[] =
    R"({"version":1,"reference":"K7P2QX","partner_id":"imara","loan":{"amount_minor":1000000}})";

config::MfiPartnerSettings Imara(std::string base_url = "https://api.imara.example/v1") {
  config::MfiPartnerSettings p;
  p.id = "imara";
  p.name = "Imara Microfinance";
  p.api_base_url = std::move(base_url);
  p.secret = kSecret;
  return p;
}

std::string HeaderOf(const HttpCall& call, std::string_view name) {
  for (const auto& [k, v] : call.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST(PartnerSender, IsTheReferralChannelAndSends) {
  PartnerSender sender(Imara());
  EXPECT_EQ(sender.id(), "partner:imara");
  EXPECT_EQ(sender.id(), ReferralChannel("imara"));
  EXPECT_EQ(sender.partner_id(), "imara");
  EXPECT_TRUE(sender.settings().sends());
  // The secret stays out of the settings anyone can read.
  EXPECT_EQ(sender.settings().secret, "");
  EXPECT_EQ(sender.settings().callback_key, "");
}

TEST(PartnerSender, BuildsSignedPost) {
  PartnerSender sender(Imara(), [] { return kNow; });
  HttpCall call = sender.BuildSend({42, "+254700000001", kReferral});
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.url, "https://api.imara.example/v1/referrals");
  EXPECT_EQ(call.content_type, "application/json");
  EXPECT_EQ(call.body, kReferral);
  EXPECT_EQ(HeaderOf(call, kTimestampHeader), "1764230400");
  EXPECT_EQ(HeaderOf(call, kSignatureHeader), Sign(kSecret, "1764230400", kReferral));
  EXPECT_TRUE(Verify(kSecret, HeaderOf(call, kTimestampHeader), HeaderOf(call, kSignatureHeader),
                     call.body, kNow, 300)
                  .ok());
  EXPECT_EQ(HeaderOf(call, kIdempotencyHeader), "K7P2QX");
  EXPECT_EQ(call.basic_user, "");
  for (const auto& [k, v] : call.headers) EXPECT_EQ(v.find(kSecret), std::string::npos) << k;
}

TEST(PartnerSender, SignsEachAttemptAtItsOwnTime) {
  int64_t now = kNow;
  PartnerSender sender(Imara(), [&now] { return now; });
  HttpCall first = sender.BuildSend({42, "", kReferral});
  now += 600;  // a retry after backoff: outside the first signature's window
  HttpCall retry = sender.BuildSend({42, "", kReferral});
  EXPECT_EQ(HeaderOf(retry, kTimestampHeader), std::to_string(kNow + 600));
  EXPECT_NE(HeaderOf(retry, kSignatureHeader), HeaderOf(first, kSignatureHeader));
  EXPECT_TRUE(Verify(kSecret, HeaderOf(retry, kTimestampHeader), HeaderOf(retry, kSignatureHeader),
                     retry.body, now, 300)
                  .ok());
  EXPECT_EQ(HeaderOf(retry, kIdempotencyHeader), HeaderOf(first, kIdempotencyHeader));
}

TEST(PartnerSender, NoReferenceNoIdempotencyKey) {
  PartnerSender sender(Imara(), [] { return kNow; });
  for (const char* body : {"not json", "[1,2]", R"({"reference":7})", "{}"}) {
    HttpCall call = sender.BuildSend({1, "", body});
    EXPECT_EQ(HeaderOf(call, kIdempotencyHeader), "") << body;
    EXPECT_EQ(call.body, body);
    EXPECT_NE(HeaderOf(call, kSignatureHeader), "");
  }
}

// --- classification ---

struct ClassCase {
  std::string name;
  HttpOutcome outcome;
  SendClass cls;
  std::string reason_has;
  std::string partner_id = "";
  int retry_after_s = 0;
};

void PrintTo(const ClassCase& c, std::ostream* os) { *os << c.name; }

HttpOutcome Http(long status, std::string body,
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpOutcome o;
  o.status = status;
  o.body = std::move(body);
  o.headers = std::move(headers);
  return o;
}

HttpOutcome Failed(TransportFailure f) {
  HttpOutcome o;
  o.failure = f;
  o.error = "x";
  return o;
}

class PartnerClassifyTest : public ::testing::TestWithParam<ClassCase> {};

TEST_P(PartnerClassifyTest, Classifies) {
  const ClassCase& c = GetParam();
  SendResult r = PartnerSender(Imara()).ClassifySend(c.outcome);
  EXPECT_EQ(SendClassName(r.cls), std::string(SendClassName(c.cls)));
  EXPECT_EQ(r.provider_message_id, c.partner_id);
  EXPECT_NE(r.reason.find(c.reason_has), std::string::npos) << r.reason;
  EXPECT_EQ(r.retry_after_s, c.retry_after_s);
  EXPECT_EQ(r.reason.find("Amina"), std::string::npos) << r.reason;
}

INSTANTIATE_TEST_SUITE_P(
    Answers, PartnerClassifyTest,
    ::testing::Values(
        ClassCase{"Created", Http(201, R"({"id":"IMR-REF-9"})"), SendClass::kAccepted,
                  "accepted", "IMR-REF-9"},
        ClassCase{"OkEmptyBody", Http(200, ""), SendClass::kAccepted, "accepted"},
        ClassCase{"AcceptedNotJson", Http(202, "thanks"), SendClass::kAccepted, "accepted"},
        ClassCase{"NumericId", Http(200, R"({"id":917})"), SendClass::kAccepted, "accepted",
                  "917"},
        ClassCase{"IdTooLongIsDropped", Http(200, R"({"id":")" + std::string(65, 'x') + "\"}"),
                  SendClass::kAccepted, "accepted"},
        ClassCase{"IdWithControlIsDropped", Http(200, R"({"id":"a\nb"})"), SendClass::kAccepted,
                  "accepted"},
        ClassCase{"AlreadyHasIt", Http(409, R"({"error":"duplicate"})"), SendClass::kAccepted,
                  "already referred"},
        ClassCase{"BadRequestDoesNotEchoBody", Http(400, R"({"error":"Amina has no phone"})"),
                  SendClass::kPermanent, "HTTP 400 rejected"},
        ClassCase{"NotFound", Http(404, ""), SendClass::kPermanent, "HTTP 404"},
        ClassCase{"Unprocessable", Http(422, ""), SendClass::kPermanent, "HTTP 422"},
        ClassCase{"BadSignature", Http(401, R"({"error":"bad signature"})"),
                  SendClass::kPermanent, "credentials"},
        ClassCase{"Forbidden", Http(403, ""), SendClass::kPermanent, "credentials"},
        ClassCase{"Throttled", Http(429, "", {{"retry-after", "30"}}), SendClass::kThrottled,
                  "throttled", "", 30},
        ClassCase{"ServerError", Http(500, "boom"), SendClass::kRetryable, "HTTP 500"},
        ClassCase{"Unavailable", Http(503, "", {{"retry-after", "7"}}), SendClass::kRetryable,
                  "HTTP 503", "", 7},
        ClassCase{"RequestTimeout", Http(408, ""), SendClass::kRetryable, "HTTP 408"},
        ClassCase{"Redirect", Http(302, ""), SendClass::kPermanent, "HTTP 302"},
        ClassCase{"Timeout", Failed(TransportFailure::kTimeout), SendClass::kRetryable,
                  "timeout"},
        ClassCase{"Connect", Failed(TransportFailure::kConnect), SendClass::kRetryable,
                  "connect"},
        ClassCase{"Tls", Failed(TransportFailure::kTls), SendClass::kPermanent, "TLS"}),
    [](const auto& info) { return info.param.name; });

// --- sends performed against a real loopback server ---

struct LoopCase {
  std::string name;
  testing::ScriptedResponse response;
  SendClass cls;
};

void PrintTo(const LoopCase& c, std::ostream* os) { *os << c.name; }

class PartnerLoopbackTest : public ::testing::TestWithParam<LoopCase> {};

TEST_P(PartnerLoopbackTest, PerformsAndClassifies) {
  const LoopCase& c = GetParam();
  testing::ScriptedServer server;
  server.Push(c.response);
  PartnerSender sender(Imara(server.base_url() + "/api"));

  outbound::TransportOptions options;
  options.connect_timeout_ms = 1000;
  options.total_timeout_ms = 1000;  // the "Slow" case answers after 2500 ms
  outbound::Transport transport;
  HttpOutcome outcome = transport.Perform(sender.BuildSend({42, "", kReferral}), options);
  SendResult r = sender.ClassifySend(outcome);
  EXPECT_EQ(SendClassName(r.cls), std::string(SendClassName(c.cls))) << r.reason;

  // What the partner received verifies with the shared secret at its clock.
  ASSERT_TRUE(server.WaitForRequests(1, std::chrono::milliseconds(2000)));
  http::Request got = server.Requests().front();
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.path, "/api/referrals");
  EXPECT_EQ(got.Header("content-type"), "application/json");
  EXPECT_EQ(got.Header("idempotency-key"), "K7P2QX");
  EXPECT_EQ(got.body, kReferral);
  EXPECT_TRUE(Verify(kSecret, got.Header("x-shg-timestamp"), got.Header("x-shg-signature"),
                     got.body, SystemSeconds(), 300)
                  .ok());
}

INSTANTIATE_TEST_SUITE_P(
    Scripted, PartnerLoopbackTest,
    ::testing::Values(
        LoopCase{"Created", {201, R"({"id":"IMR-REF-1"})", "application/json", {}, 0},
                 SendClass::kAccepted},
        LoopCase{"Duplicate", {409, R"({"error":"duplicate"})", "application/json", {}, 0},
                 SendClass::kAccepted},
        LoopCase{"Rejected", {400, R"({"error":"missing member"})", "application/json", {}, 0},
                 SendClass::kPermanent},
        LoopCase{"Down", {500, "", "text/plain", {}, 0}, SendClass::kRetryable},
        LoopCase{"Slow", {201, "{}", "application/json", {}, 2500}, SendClass::kRetryable}),
    [](const auto& info) { return info.param.name; });

TEST(PartnerSenderLoopback, NothingListeningIsRetryable) {
  uint16_t port;
  {
    testing::ScriptedServer gone;
    port = gone.port();
  }
  PartnerSender sender(Imara("http://127.0.0.1:" + std::to_string(port)));
  outbound::TransportOptions options;
  options.connect_timeout_ms = 1000;
  options.total_timeout_ms = 1000;
  outbound::Transport transport;
  SendResult r = sender.ClassifySend(transport.Perform(sender.BuildSend({42, "", kReferral}),
                                                       options));
  EXPECT_EQ(SendClassName(r.cls), std::string("retryable")) << r.reason;
}

}  // namespace
}  // namespace shg::partners
