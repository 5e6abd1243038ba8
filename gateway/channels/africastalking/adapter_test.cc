// AfricasTalkingAdapter through the Adapter interface: callback
// authentication on every route, the USSD step and end-of-session routes,
// inbound SMS, delivery reports, and sends performed for real against a
// loopback ScriptedServer with shg::outbound::Transport.
#include "gateway/channels/africastalking/adapter.h"

#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gateway/channels/form.h"
#include "gateway/outbound/transport.h"
#include "tests/support/scripted_server.h"

namespace shg::channels {
namespace {

constexpr char kKey[] = "cb-key-7f3a9c";
constexpr char kApiKey[] = "atsk_live_0123456789SECRET";

config::ChannelSettings AtSettings() {
  config::ChannelSettings s;
  s.id = "at-ke";
  s.type = "africastalking";
  s.service_code = "*384*7#";
  s.callback_key = kKey;
  s.username = "shg-app";
  s.secret = kApiKey;
  s.sender = "SHG";
  return s;
}

http::Request Post(std::string target, std::string body) {
  http::Request r;
  r.method = "POST";
  r.target = target;
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  r.query = q == std::string::npos ? "" : target.substr(q + 1);
  r.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  r.body = std::move(body);
  r.remote_address = "127.0.0.1";
  return r;
}

// --- authentication ---

TEST(AtAdapterTest, AuthenticatesEveryRouteByKey) {
  std::unique_ptr<Adapter> adapter = MakeAfricasTalkingAdapter(AtSettings());
  struct Case {
    std::string query;
    bool ok;
  };
  for (const std::string route : {"ussd", "ussd-end", "sms", "status"}) {
    for (const Case& c : std::vector<Case>{{"key=cb-key-7f3a9c", true},
                                           {"other=1&key=cb-key-7f3a9c", true},
                                           {"key=cb-key-7f3a9d", false},
                                           {"key=cb-key-7f3a9", false},
                                           {"key=cb-key-7f3a9c0", false},
                                           {"key=", false},
                                           {"", false},
                                           {"kEy=cb-key-7f3a9c", false},
                                           {"key=wrong&key=cb-key-7f3a9c", false}}) {
      std::string target = "/channels/at-ke/" + route + (c.query.empty() ? "" : "?" + c.query);
      EXPECT_EQ(adapter->Authenticate(Post(target, "")), c.ok) << target;
    }
  }
}

TEST(AtAdapterTest, NoKeyConfiguredAcceptsAll) {
  config::ChannelSettings s = AtSettings();
  s.callback_key.clear();
  AfricasTalkingAdapter adapter(s);
  EXPECT_TRUE(adapter.Authenticate(Post("/channels/at-ke/sms", "")));
  EXPECT_TRUE(adapter.Authenticate(Post("/channels/at-ke/sms?key=anything", "")));
}

// --- USSD ---

TEST(AtAdapterTest, UssdStep) {
  AfricasTalkingAdapter adapter(AtSettings());
  Result<UssdCallback> cb = adapter.ParseUssd(
      Post("/channels/at-ke/ussd?key=cb-key-7f3a9c",
           "sessionId=ATUid_1&serviceCode=%2A384%2A7%23&phoneNumber=%2B254700000001"
           "&networkCode=63902&text=2580%2A2"),
      false);
  ASSERT_TRUE(cb.ok()) << cb.status().ToString();
  EXPECT_EQ(cb->kind, UssdCallback::Kind::kStep);
  EXPECT_EQ(cb->request.channel, "at-ke");
  EXPECT_EQ(cb->request.session_id, "ATUid_1");
  EXPECT_EQ(cb->request.phone, "+254700000001");
  EXPECT_EQ(cb->request.service_code, "*384*7#");
  EXPECT_EQ(cb->request.network, "63902");
  EXPECT_EQ(cb->request.step, 2);
  EXPECT_EQ(cb->request.input, "2");

  http::Response con = adapter.FormatUssd(*cb, {"1. Save\n2. Balance", false});
  EXPECT_EQ(con.status, 200);
  EXPECT_EQ(con.body, "CON 1. Save\n2. Balance");
  EXPECT_EQ(con.content_type.rfind("text/plain", 0), 0u) << con.content_type;
  http::Response end = adapter.FormatUssd(*cb, {"Saved.", true});
  EXPECT_EQ(end.status, 200);
  EXPECT_EQ(end.body, "END Saved.");
}

TEST(AtAdapterTest, UssdStepErrorsAreInvalidArgument) {
  AfricasTalkingAdapter adapter(AtSettings());
  Result<UssdCallback> cb =
      adapter.ParseUssd(Post("/channels/at-ke/ussd", "serviceCode=x&phoneNumber=1&text="), false);
  ASSERT_FALSE(cb.ok());
  EXPECT_EQ(cb.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(cb.status().message(), "missing field: sessionId");
  // A step body on the end route lacks `status`.
  cb = adapter.ParseUssd(Post("/channels/at-ke/ussd-end",
                              "sessionId=ATUid_1&serviceCode=x&phoneNumber=1&text="),
                         true);
  ASSERT_FALSE(cb.ok());
  EXPECT_EQ(cb.status().message(), "missing field: status");
}

TEST(AtAdapterTest, UssdEndOfSession) {
  AfricasTalkingAdapter adapter(AtSettings());
  struct Case {
    std::string status;
    std::string end_status;
  };
  for (const Case& c : std::vector<Case>{
           {"Success", "success"}, {"Incomplete", "incomplete"}, {"Failed", "failed"}}) {
    Result<UssdCallback> cb = adapter.ParseUssd(
        Post("/channels/at-ke/ussd-end?key=cb-key-7f3a9c",
             "sessionId=ATUid_9&status=" + c.status +
                 "&phoneNumber=%2B254700000001&input=2580%2A1&hopsCount=3"),
        true);
    ASSERT_TRUE(cb.ok()) << cb.status().ToString();
    EXPECT_EQ(cb->kind, UssdCallback::Kind::kEnded);
    EXPECT_EQ(cb->session_id, "ATUid_9");
    EXPECT_EQ(cb->end_status, c.end_status);
    http::Response ack = adapter.FormatUssd(*cb, {});
    EXPECT_EQ(ack.status, 200);
    EXPECT_EQ(ack.body, "");
  }
  Result<UssdCallback> bad =
      adapter.ParseUssd(Post("/channels/at-ke/ussd-end", "sessionId=ATUid_9&status=Gone"), true);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "unknown value of field: status");
}

// --- inbound SMS and delivery reports ---

TEST(AtAdapterTest, InboundSms) {
  AfricasTalkingAdapter adapter(AtSettings());
  Result<InboundSms> sms = adapter.ParseInboundSms(
      Post("/channels/at-ke/sms?key=cb-key-7f3a9c",
           "linkId=L1&text=BAL&to=28901&id=ATXid_in1&date=2018-03-19T08%3A34%3A18.445Z"
           "&from=%2B254711000001&networkCode=63902"));
  ASSERT_TRUE(sms.ok()) << sms.status().ToString();
  EXPECT_EQ(sms->channel, "at-ke");
  EXPECT_EQ(sms->provider_id, "ATXid_in1");
  EXPECT_EQ(sms->from, "+254711000001");
  EXPECT_EQ(sms->to, "28901");
  EXPECT_EQ(sms->text, "BAL");
  EXPECT_EQ(sms->received_at, 1521448458);

  http::Response ack = adapter.InboundSmsAck();
  EXPECT_EQ(ack.status, 200);
  EXPECT_EQ(ack.body, "");

  Result<InboundSms> bad = adapter.ParseInboundSms(
      Post("/channels/at-ke/sms", "text=BAL&to=28901&from=%2B254711000001"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "missing field: id");
}

TEST(AtAdapterTest, DeliveryReportIsOnePerCallback) {
  AfricasTalkingAdapter adapter(AtSettings());
  Result<std::vector<DeliveryReport>> reports = adapter.ParseStatus(
      Post("/channels/at-ke/status?key=cb-key-7f3a9c",
           "phoneNumber=%2B254711000001&failureReason=UserInBlacklist&retryCount=0"
           "&id=ATXid_b1f5c2e0&status=Rejected&networkCode=63902"));
  ASSERT_TRUE(reports.ok()) << reports.status().ToString();
  ASSERT_EQ(reports->size(), 1u);
  const DeliveryReport& r = reports->front();
  EXPECT_EQ(r.channel, "at-ke");
  EXPECT_EQ(r.provider_message_id, "ATXid_b1f5c2e0");
  EXPECT_EQ(r.state, DeliveryState::kFailed);
  EXPECT_EQ(r.provider_status, "Rejected");
  EXPECT_EQ(r.reason, "UserInBlacklist");

  Result<std::vector<DeliveryReport>> bad =
      adapter.ParseStatus(Post("/channels/at-ke/status", "id=ATXid_1&status=Teleported"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "unknown value of field: status");
}

// --- sends against a real loopback server ---

constexpr char kAccepted[] =
    R"({"SMSMessageData":{"Message":"Sent to 1/1 Total Cost: KES 0.8000","Recipients":[)"
    R"({"statusCode":101,"number":"+254711000001","status":"Success","cost":"KES 0.8000",)"
    R"("messageId":"ATXid_loop1"}]}})";
constexpr char kInvalidNumber[] =
    R"({"SMSMessageData":{"Message":"Sent to 0/1 Total Cost: 0","Recipients":[)"
    R"({"statusCode":403,"number":"+2547","status":"InvalidPhoneNumber","cost":"0",)"
    R"("messageId":"None"}]}})";

struct LoopbackCase {
  std::string name;
  testing::ScriptedResponse response;
  SendClass cls;
  std::string reason;
  std::string provider_message_id = "";
  int retry_after_s = 0;
};
// gtest prints the case name instead of the bytes of the struct.
void PrintTo(const LoopbackCase& c, std::ostream* os) { *os << c.name; }

class AtLoopbackSendTest : public ::testing::TestWithParam<LoopbackCase> {};

TEST_P(AtLoopbackSendTest, SendsAndClassifies) {
  const LoopbackCase& c = GetParam();
  testing::ScriptedServer server;
  server.Push(c.response);

  config::ChannelSettings settings = AtSettings();
  settings.api_base_url = server.base_url() + "/";
  AfricasTalkingAdapter adapter(settings);
  const std::string text = "Saved KES 500 & 20% more. Ref AB12 \xC3\xA9";
  HttpCall call = adapter.BuildSend({7, "+254711000001", text});

  outbound::Transport transport;
  outbound::TransportOptions options;
  options.connect_timeout_ms = 1000;
  options.total_timeout_ms = 700;
  HttpOutcome outcome = transport.Perform(call, options);
  SendResult result = adapter.ClassifySend(outcome);

  EXPECT_EQ(SendClassName(result.cls), std::string(SendClassName(c.cls)))
      << TransportFailureName(outcome.failure) << " " << outcome.status << " " << outcome.error;
  EXPECT_EQ(result.reason, c.reason);
  EXPECT_EQ(result.provider_message_id, c.provider_message_id);
  EXPECT_EQ(result.retry_after_s, c.retry_after_s);

  // What reached the provider.
  ASSERT_TRUE(server.WaitForRequests(1, std::chrono::milliseconds(2000)));
  std::vector<http::Request> requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  const http::Request& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/version1/messaging");
  EXPECT_EQ(r.query, "");
  EXPECT_EQ(r.Header("apikey"), kApiKey);
  EXPECT_EQ(r.Header("accept"), "application/json");
  EXPECT_EQ(r.Header("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(r.Header("authorization"), "");
  Result<Form> form = ParseForm(r.body);
  ASSERT_TRUE(form.ok());
  std::vector<std::pair<std::string, std::string>> expected = {
      {"username", "shg-app"}, {"to", "+254711000001"}, {"message", text},
      {"from", "SHG"},         {"bulkSMSMode", "1"},    {"enqueue", "1"}};
  EXPECT_EQ(form->pairs(), expected);
  EXPECT_EQ(r.body.find(kApiKey), std::string::npos);
  EXPECT_EQ(r.target.find(kApiKey), std::string::npos);
}

testing::ScriptedResponse Respond(int status, std::string body,
                                  std::vector<std::pair<std::string, std::string>> headers = {},
                                  int delay_ms = 0, std::string content_type = "application/json") {
  testing::ScriptedResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  r.delay_ms = delay_ms;
  r.content_type = std::move(content_type);
  return r;
}

INSTANTIATE_TEST_SUITE_P(
    Scripted, AtLoopbackSendTest,
    ::testing::ValuesIn(std::vector<LoopbackCase>{
        {"Created201", Respond(201, kAccepted), SendClass::kAccepted, "AT statusCode 101 Sent",
         "ATXid_loop1"},
        {"Ok200", Respond(200, kAccepted), SendClass::kAccepted, "AT statusCode 101 Sent",
         "ATXid_loop1"},
        {"InvalidPhoneNumberIn201", Respond(201, kInvalidNumber), SendClass::kPermanent,
         "AT statusCode 403 InvalidPhoneNumber"},
        {"BadRequest400", Respond(400, "Invalid request", {}, 0, "text/plain"),
         SendClass::kPermanent, "HTTP 400"},
        {"Unauthorized401",
         Respond(401, "The supplied authentication is invalid", {}, 0, "text/plain"),
         SendClass::kPermanent, "HTTP 401 (credentials rejected)"},
        {"TooManyRequests429", Respond(429, "slow down", {{"Retry-After", "17"}}, 0, "text/plain"),
         SendClass::kThrottled, "HTTP 429 throttled", "", 17},
        {"ServerError500", Respond(500, "oops", {}, 0, "text/plain"), SendClass::kRetryable,
         "HTTP 500"},
        {"Unavailable503", Respond(503, "<html>down</html>", {}, 0, "text/html"),
         SendClass::kRetryable, "HTTP 503"},
        {"GarbageIn201", Respond(201, "<html>proxy</html>", {}, 0, "text/html"),
         SendClass::kRetryable, "unreadable AT response (HTTP 201)"},
        {"Timeout", Respond(201, kAccepted, {}, 2000), SendClass::kRetryable, "timeout"},
    }),
    [](const auto& info) { return info.param.name; });

TEST(AtLoopbackSendTest, ConnectionRefusedIsRetryable) {
  uint16_t port;
  {
    testing::ScriptedServer server;
    port = server.port();
  }  // stopped: nothing listens there now
  config::ChannelSettings settings = AtSettings();
  settings.api_base_url = "http://127.0.0.1:" + std::to_string(port);
  AfricasTalkingAdapter adapter(settings);
  outbound::Transport transport;
  outbound::TransportOptions options;
  options.connect_timeout_ms = 1000;
  options.total_timeout_ms = 2000;
  SendResult result =
      adapter.ClassifySend(transport.Perform(adapter.BuildSend({1, "+254711000001", "hi"}), options));
  EXPECT_EQ(result.cls, SendClass::kRetryable);
  EXPECT_EQ(result.reason, "connect failed");
}

}  // namespace
}  // namespace shg::channels
