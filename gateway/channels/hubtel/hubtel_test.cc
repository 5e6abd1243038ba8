// Recorded Hubtel USSD callbacks (JSON bodies as Hubtel posts them) and the
// expected normalised callbacks; the JSON answers; the SMS send request and
// the classification of its replies, also performed against a real loopback
// server.
#include "gateway/channels/hubtel/adapter.h"

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "gateway/channels/json.h"
#include "gateway/outbound/transport.h"
#include "tests/support/scripted_server.h"

namespace shg::channels {
namespace {

constexpr std::string_view kSecret = "cl1ent-s3cret";

config::ChannelSettings HubtelSettings() {
  config::ChannelSettings s;
  s.id = "hubtel-gh";
  s.type = "hubtel";
  s.country = "GH";
  s.service_code = "*713*44#";
  s.callback_key = "k3y";
  s.username = "clientid01";
  s.secret = std::string(kSecret);
  s.sender = "SHG";
  return s;
}

std::unique_ptr<Adapter> Hubtel(const config::ChannelSettings& s = HubtelSettings()) {
  return MakeHubtelAdapter(s);
}

http::Request Post(std::string body) {
  http::Request r;
  r.method = "POST";
  r.path = "/channels/hubtel-gh/ussd";
  r.query = "key=k3y";
  r.target = r.path + "?" + r.query;
  r.headers = {{"content-type", "application/json"}};
  r.body = std::move(body);
  return r;
}

// --- USSD steps ---

struct StepCase {
  std::string name;
  std::string body;
  int step;
  std::string input;
  std::string session_id = "3c9f1a7e2b4d4e8f9a1b2c3d4e5f6a7b";
  std::string phone = "233246912184";
  std::string service_code = "*713*44#";
  std::string network = "mtn";
};

// gtest prints the case name instead of the object's bytes.
void PrintTo(const StepCase& c, std::ostream* os) { *os << c.name; }

std::vector<StepCase> StepCases() {
  return {
      {"Initiation",
       R"({"Type":"Initiation","SessionId":"3c9f1a7e2b4d4e8f9a1b2c3d4e5f6a7b",)"
       R"("Mobile":"233246912184","ServiceCode":"*713*44#","Message":"*713*44#",)"
       R"("Operator":"mtn","Sequence":1,"ClientState":"","Platform":"USSD"})",
       0, ""},
      {"ResponsePin",
       R"({"Type":"Response","SessionId":"3c9f1a7e2b4d4e8f9a1b2c3d4e5f6a7b",)"
       R"("Mobile":"233246912184","ServiceCode":"*713*44#","Message":"2580",)"
       R"("Operator":"mtn","Sequence":2})",
       1, "2580"},
      {"ResponseMenuChoice",
       R"({"Type":"Response","SessionId":"3c9f1a7e2b4d4e8f9a1b2c3d4e5f6a7b",)"
       R"("Mobile":"233246912184","ServiceCode":"*713*44#","Message":"2",)"
       R"("Operator":"mtn","Sequence":3})",
       2, "2"},
      {"LowerCaseTypeAndKeys",
       R"({"type":"initiation","sessionId":"3c9f1a7e2b4d4e8f9a1b2c3d4e5f6a7b",)"
       R"("mobile":"233246912184","serviceCode":"*713*44#","message":"*713*44#",)"
       R"("operator":"mtn","sequence":1})",
       0, ""},
      {"UpperCaseType",
       R"({"Type":"RESPONSE","SessionId":"3c9f1a7e2b4d4e8f9a1b2c3d4e5f6a7b",)"
       R"("Mobile":"233246912184","ServiceCode":"*713*44#","Message":"500",)"
       R"("Operator":"mtn","Sequence":4})",
       3, "500"},
      {"EmptyInput",
       R"({"Type":"Response","SessionId":"3c9f1a7e2b4d4e8f9a1b2c3d4e5f6a7b",)"
       R"("Mobile":"233246912184","ServiceCode":"*713*44#","Message":"",)"
       R"("Operator":"mtn","Sequence":2})",
       1, ""},
      {"UnicodeInputEscaped",
       R"({"Type":"Response","SessionId":"3c9f1a7e2b4d4e8f9a1b2c3d4e5f6a7b",)"
       R"("Mobile":"233246912184","ServiceCode":"*713*44#","Message":"Ama \u0186",)"
       R"("Operator":"mtn","Sequence":2})",
       1, "Ama \xC6\x86"},
      {"SequenceAsStringAndNumericMobile",
       R"({"Type":"Response","SessionId":"3c9f1a7e2b4d4e8f9a1b2c3d4e5f6a7b",)"
       R"("Mobile":233246912184,"ServiceCode":"*713*44#","Message":"1",)"
       R"("Operator":"mtn","Sequence":"2"})",
       1, "1"},
      {"NoOperator",
       R"({"Type":"Initiation","SessionId":"s1","Mobile":"+233246912184",)"
       R"("ServiceCode":"*713*44#","Message":"*713*44#","Sequence":1})",
       0, "", "s1", "+233246912184", "*713*44#", ""},
      {"LongOperatorDropped",
       R"({"Type":"Initiation","SessionId":"s1","Mobile":"233246912184",)"
       R"("ServiceCode":"*713*44#","Message":"*713*44#","Operator":"chrome-345t453424",)"
       R"("Sequence":1})",
       0, "", "s1", "233246912184", "*713*44#", ""},
      // Boost.JSON keeps the last of a repeated key (channels/json.h), as
      // most JSON readers do.
      {"RepeatedKeyKeepsLast",
       R"({"Type":"Response","SessionId":"s1","Mobile":"233246912184",)"
       R"("ServiceCode":"*713*44#","Message":"1","Message":"9","Sequence":2,"Operator":"vodafone"})",
       1, "9", "s1", "233246912184", "*713*44#", "vodafone"},
      {"WhitespaceAround",
       " \n{\"Type\":\"Response\",\"SessionId\":\"s1\",\"Mobile\":\"233246912184\","
       "\"ServiceCode\":\"*713*44#\",\"Message\":\"1\",\"Sequence\":2,\"Operator\":\"airtel\"}\n",
       1, "1", "s1", "233246912184", "*713*44#", "airtel"},
  };
}

class HubtelStepTest : public ::testing::TestWithParam<StepCase> {};

TEST_P(HubtelStepTest, Parses) {
  const StepCase& c = GetParam();
  Result<UssdCallback> cb = Hubtel()->ParseUssd(Post(c.body), false);
  ASSERT_TRUE(cb.ok()) << cb.status().ToString();
  ASSERT_EQ(cb->kind, UssdCallback::Kind::kStep);
  const UssdRequest& r = cb->request;
  EXPECT_EQ(r.channel, "hubtel-gh");
  EXPECT_EQ(r.session_id, c.session_id);
  EXPECT_EQ(r.phone, c.phone);
  EXPECT_EQ(r.service_code, c.service_code);
  EXPECT_EQ(r.network, c.network);
  EXPECT_EQ(r.step, c.step);
  EXPECT_EQ(r.input, c.input);
  EXPECT_EQ(r.request_id, "");
}

INSTANTIATE_TEST_SUITE_P(Recorded, HubtelStepTest, ::testing::ValuesIn(StepCases()),
                         [](const auto& info) { return info.param.name; });

struct EndCase {
  std::string name;
  std::string body;
  std::string end_status;
};

void PrintTo(const EndCase& c, std::ostream* os) { *os << c.name; }

class HubtelEndTest : public ::testing::TestWithParam<EndCase> {};

TEST_P(HubtelEndTest, Ends) {
  Result<UssdCallback> cb = Hubtel()->ParseUssd(Post(GetParam().body), false);
  ASSERT_TRUE(cb.ok()) << cb.status().ToString();
  EXPECT_EQ(cb->kind, UssdCallback::Kind::kEnded);
  EXPECT_EQ(cb->session_id, "3c9f1a7e2b4d4e8f9a1b2c3d4e5f6a7b");
  EXPECT_EQ(cb->end_status, GetParam().end_status);
}

INSTANTIATE_TEST_SUITE_P(
    Recorded, HubtelEndTest,
    ::testing::Values(
        EndCase{"Release",
                R"({"Type":"Release","SessionId":"3c9f1a7e2b4d4e8f9a1b2c3d4e5f6a7b",)"
                R"("Mobile":"233246912184","ServiceCode":"*713*44#","Message":"",)"
                R"("Operator":"mtn","Sequence":3})",
                "release"},
        EndCase{"Timeout",
                R"({"Type":"Timeout","SessionId":"3c9f1a7e2b4d4e8f9a1b2c3d4e5f6a7b",)"
                R"("Mobile":"233246912184","ServiceCode":"*713*44#","Message":"2580",)"
                R"("Operator":"mtn","Sequence":2})",
                "timeout"},
        EndCase{"LowerCaseReleaseOnlySession",
                R"({"type":"release","sessionid":"3c9f1a7e2b4d4e8f9a1b2c3d4e5f6a7b"})",
                "release"}),
    [](const auto& info) { return info.param.name; });

struct BadCase {
  std::string name;
  std::string body;
  std::string message;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

std::vector<BadCase> BadCases() {
  const std::string tail = R"(,"Mobile":"233246912184","ServiceCode":"*713*44#","Message":"1"})";
  return {
      {"MissingSessionId", R"({"Type":"Response","Sequence":2)" + tail,
       "missing field: SessionId"},
      {"EmptySessionId", R"({"Type":"Response","SessionId":"","Sequence":2)" + tail,
       "empty field: SessionId"},
      {"MissingSessionIdOnRelease", R"({"Type":"Release"})", "missing field: SessionId"},
      {"MissingType", R"({"SessionId":"s1","Sequence":2)" + tail, "missing field: Type"},
      {"TypeNotAString", R"({"Type":1,"SessionId":"s1","Sequence":2)" + tail,
       "invalid value of field: Type"},
      {"UnknownType", R"({"Type":"AddToCart","SessionId":"s1","Sequence":2)" + tail,
       "unknown value of field: Type"},
      {"MissingSequence", R"({"Type":"Response","SessionId":"s1")" + tail,
       "missing field: Sequence"},
      {"ZeroSequence", R"({"Type":"Response","SessionId":"s1","Sequence":0)" + tail,
       "invalid value of field: Sequence"},
      {"NegativeSequence", R"({"Type":"Response","SessionId":"s1","Sequence":-1)" + tail,
       "invalid value of field: Sequence"},
      {"FractionalSequence", R"({"Type":"Response","SessionId":"s1","Sequence":1.5)" + tail,
       "invalid value of field: Sequence"},
      {"WordSequence", R"({"Type":"Response","SessionId":"s1","Sequence":"two")" + tail,
       "invalid value of field: Sequence"},
      {"HugeSequence", R"({"Type":"Response","SessionId":"s1","Sequence":1e12)" + tail,
       "invalid value of field: Sequence"},
      {"MissingMobile",
       R"({"Type":"Response","SessionId":"s1","Sequence":2,"ServiceCode":"*1#","Message":"1"})",
       "missing field: Mobile"},
      {"LetterInMobile",
       R"({"Type":"Response","SessionId":"s1","Sequence":2,"Mobile":"23324x","ServiceCode":"*1#","Message":"1"})",
       "invalid characters in field: Mobile"},
      {"MissingServiceCode",
       R"({"Type":"Response","SessionId":"s1","Sequence":2,"Mobile":"233246912184","Message":"1"})",
       "missing field: ServiceCode"},
      {"MissingMessageOnResponse",
       R"({"Type":"Response","SessionId":"s1","Sequence":2,"Mobile":"233246912184","ServiceCode":"*1#"})",
       "missing field: Message"},
      {"MessageNotText",
       R"({"Type":"Response","SessionId":"s1","Sequence":2,"Mobile":"233246912184","ServiceCode":"*1#","Message":[1]})",
       "invalid value of field: Message"},
      {"LongMessage",
       R"({"Type":"Response","SessionId":"s1","Sequence":2,"Mobile":"233246912184","ServiceCode":"*1#","Message":")" +
           std::string(kHubtelMaxMessageBytes + 1, '1') + "\"}",
       "field too long: Message"},
      {"BadJson", R"({"Type":"Response","SessionId":"s1",)", "malformed JSON body"},
      {"FormBodyNotJson", "Type=Response&SessionId=s1", "malformed JSON body"},
      {"EmptyBody", "", "malformed JSON body"},
      {"JsonArray", R"([{"Type":"Response"}])", "JSON body is not an object"},
  };
}

class HubtelBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(HubtelBadTest, RejectsNamingTheField) {
  Result<UssdCallback> cb = Hubtel()->ParseUssd(Post(GetParam().body), false);
  ASSERT_FALSE(cb.ok());
  EXPECT_EQ(cb.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(cb.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(Recorded, HubtelBadTest, ::testing::ValuesIn(BadCases()),
                         [](const auto& info) { return info.param.name; });

TEST(HubtelUssdTest, EndRouteIsNotFound) {
  Result<UssdCallback> cb = Hubtel()->ParseUssd(
      Post(R"({"Type":"Release","SessionId":"s1"})"), true);
  EXPECT_EQ(cb.status().code(), Status::Code::kNotFound);
}

TEST(HubtelUssdTest, ErrorsNeverCarryThePin) {
  Result<UssdCallback> cb = Hubtel()->ParseUssd(
      Post(R"({"Type":"Response","SessionId":"s1","Mobile":"233246912184","Message":"2580","Sequence":2})"),
      false);
  ASSERT_FALSE(cb.ok());
  EXPECT_EQ(cb.status().message(), "missing field: ServiceCode");
  EXPECT_EQ(cb.status().message().find("2580"), std::string::npos);
}

TEST(HubtelUssdTest, AuthenticatesByKey) {
  http::Request good = Post("{}");
  EXPECT_TRUE(Hubtel()->Authenticate(good));
  http::Request bad = good;
  bad.query = "key=k3Y";
  EXPECT_FALSE(Hubtel()->Authenticate(bad));
  bad.query = "";
  EXPECT_FALSE(Hubtel()->Authenticate(bad));
}

TEST(HubtelUssdTest, NoInboundSmsOrReports) {
  EXPECT_EQ(Hubtel()->ParseInboundSms(Post("{}")).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(Hubtel()->ParseStatus(Post("{}")).status().code(), Status::Code::kNotFound);
}

// --- answers ---

UssdCallback Step(std::string session_id) {
  UssdCallback cb;
  cb.kind = UssdCallback::Kind::kStep;
  cb.request.session_id = std::move(session_id);
  return cb;
}

struct FormatCase {
  std::string name;
  UssdCallback callback;
  UssdReply reply;
  std::string body;
};

void PrintTo(const FormatCase& c, std::ostream* os) { *os << c.name; }

class HubtelFormatTest : public ::testing::TestWithParam<FormatCase> {};

TEST_P(HubtelFormatTest, AnswersJson) {
  const FormatCase& c = GetParam();
  http::Response r = Hubtel()->FormatUssd(c.callback, c.reply);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, c.body);
  EXPECT_TRUE(ParseJson(r.body).ok()) << r.body;
}

INSTANTIATE_TEST_SUITE_P(
    Replies, HubtelFormatTest,
    ::testing::Values(
        FormatCase{"Continue", Step("s1"), {"Enter PIN", false},
                   R"({"SessionId":"s1","Type":"Response","Message":"Enter PIN",)"
                   R"("Label":"Enter PIN","DataType":"input","FieldType":"text"})"},
        FormatCase{"Menu", Step("s1"), {"Akiba\n1. Weka\n2. Salio", false},
                   R"({"SessionId":"s1","Type":"Response","Message":"Akiba\n1. Weka\n2. Salio",)"
                   R"("Label":"Akiba","DataType":"input","FieldType":"text"})"},
        FormatCase{"End", Step("s1"), {"Asante \"Ama\"\\GHS 5", true},
                   R"({"SessionId":"s1","Type":"Release","Message":"Asante \"Ama\"\\GHS 5",)"
                   R"("Label":"Asante \"Ama\"\\GHS 5","DataType":"display","FieldType":"text"})"},
        FormatCase{"ControlCharsEscaped", Step("s\"1"), {"a\tb\x01", false},
                   R"({"SessionId":"s\"1","Type":"Response","Message":"a\tb\u0001",)"
                   R"("Label":"a\tb\u0001","DataType":"input","FieldType":"text"})"},
        FormatCase{"EndedAck",
                   [] {
                     UssdCallback cb;
                     cb.kind = UssdCallback::Kind::kEnded;
                     cb.session_id = "s9";
                     cb.end_status = "release";
                     return cb;
                   }(),
                   {"", false},
                   R"({"SessionId":"s9","Type":"Release","Message":""})"}),
    [](const auto& info) { return info.param.name; });

// --- sending ---

TEST(HubtelSendTest, BuildsJsonPostWithBasicAuth) {
  HttpCall call = Hubtel()->BuildSend({42, "+233246912184", "Umeweka GHS 5 \"leo\""});
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.url, "https://smsc.hubtel.com/v1/messages/send");
  EXPECT_EQ(call.content_type, "application/json");
  EXPECT_EQ(call.basic_user, "clientid01");
  EXPECT_EQ(call.basic_password, kSecret);
  EXPECT_EQ(call.body,
            R"({"From":"SHG","To":"+233246912184","Content":"Umeweka GHS 5 \"leo\"",)"
            R"("RegisteredDelivery":true,"ClientReference":"42"})");
  // The secret travels only as the Basic password.
  EXPECT_EQ(call.url.find(kSecret), std::string::npos);
  EXPECT_EQ(call.body.find(kSecret), std::string::npos);
  for (const auto& [name, value] : call.headers) {
    EXPECT_EQ(value.find(kSecret), std::string::npos) << name;
  }
}

TEST(HubtelSendTest, BaseUrlOverrideAndNoSender) {
  config::ChannelSettings s = HubtelSettings();
  s.api_base_url = "http://127.0.0.1:9/";
  s.sender = "";
  HttpCall call = Hubtel(s)->BuildSend({7, "+233246912184", "\xC6\x86kwan"});
  EXPECT_EQ(call.url, "http://127.0.0.1:9/v1/messages/send");
  Result<boost::json::value> body = ParseJson(call.body);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(JsonFind(&*body, "From"), nullptr);
  EXPECT_EQ(JsonString(JsonFind(&*body, "Content")), "\xC6\x86kwan");
  EXPECT_EQ(JsonString(JsonFind(&*body, "ClientReference")), "7");
  EXPECT_EQ(*JsonFind(&*body, "RegisteredDelivery"), boost::json::value(true));
}

struct ClassCase {
  std::string name;
  HttpOutcome outcome;
  SendClass cls;
  std::string provider_id;
  std::string reason_has;
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
  return o;
}

class HubtelClassifyTest : public ::testing::TestWithParam<ClassCase> {};

TEST_P(HubtelClassifyTest, Classifies) {
  const ClassCase& c = GetParam();
  SendResult r = Hubtel()->ClassifySend(c.outcome);
  EXPECT_EQ(SendClassName(r.cls), std::string(SendClassName(c.cls)));
  EXPECT_EQ(r.provider_message_id, c.provider_id);
  EXPECT_NE(r.reason.find(c.reason_has), std::string::npos) << r.reason;
}

INSTANTIATE_TEST_SUITE_P(
    Replies, HubtelClassifyTest,
    ::testing::Values(
        ClassCase{"Accepted",
                  Http(201, R"({"Status":0,"MessageId":"c3b6f2a0-3e1b-4f4e-9d2b-1a2b3c4d5e6f",)"
                            R"("Rate":0.03,"NetworkId":"62001"})"),
                  SendClass::kAccepted, "c3b6f2a0-3e1b-4f4e-9d2b-1a2b3c4d5e6f", "accepted"},
        ClassCase{"AcceptedLowerCaseStringStatus",
                  Http(200, R"({"status":"0","messageId":"m-1","rate":0.03})"),
                  SendClass::kAccepted, "m-1", "accepted"},
        ClassCase{"AcceptedUnderData",
                  Http(200, R"({"message":"ok","data":{"status":0,"messageId":"m-2"}})"),
                  SendClass::kAccepted, "m-2", "accepted"},
        ClassCase{"RefusedStatus", Http(200, R"({"Status":3,"MessageId":""})"),
                  SendClass::kPermanent, "", "Hubtel status 3"},
        ClassCase{"Unreadable2xx", Http(200, "<html>ok</html>"), SendClass::kPermanent, "",
                  "unexpected reply"},
        ClassCase{"NoStatus2xx", Http(200, R"({"MessageId":"m-3"})"), SendClass::kPermanent,
                  "", "unexpected reply"},
        ClassCase{"BadRequest", Http(400, R"({"Status":400,"Message":"Invalid To"})"),
                  SendClass::kPermanent, "", "HTTP 400 rejected (Hubtel status 400)"},
        ClassCase{"NotFound", Http(404, ""), SendClass::kPermanent, "", "HTTP 404 rejected"},
        ClassCase{"Unauthorized", Http(401, ""), SendClass::kPermanent, "", "credentials"},
        ClassCase{"Throttled", Http(429, "", {{"retry-after", "12"}}), SendClass::kThrottled,
                  "", "throttled"},
        ClassCase{"ServerError", Http(502, "bad gateway"), SendClass::kRetryable, "",
                  "HTTP 502"},
        ClassCase{"Timeout", Failed(TransportFailure::kTimeout), SendClass::kRetryable, "",
                  "timeout"},
        ClassCase{"Connect", Failed(TransportFailure::kConnect), SendClass::kRetryable, "",
                  "connect"}),
    [](const auto& info) { return info.param.name; });

// --- sends performed against a real loopback server ---

struct LoopCase {
  std::string name;
  testing::ScriptedResponse response;
  SendClass cls;
};

void PrintTo(const LoopCase& c, std::ostream* os) { *os << c.name; }

class HubtelLoopbackTest : public ::testing::TestWithParam<LoopCase> {};

TEST_P(HubtelLoopbackTest, PerformsAndClassifies) {
  const LoopCase& c = GetParam();
  testing::ScriptedServer server;
  server.Push(c.response);
  config::ChannelSettings s = HubtelSettings();
  s.api_base_url = server.base_url();
  std::unique_ptr<Adapter> adapter = Hubtel(s);

  outbound::TransportOptions options;
  options.connect_timeout_ms = 1000;
  options.total_timeout_ms = 1000;  // the "Slow" case answers after 2500 ms
  outbound::Transport transport;
  HttpOutcome outcome =
      transport.Perform(adapter->BuildSend({9, "+233246912184", "Medaase"}), options);
  SendResult r = adapter->ClassifySend(outcome);
  EXPECT_EQ(SendClassName(r.cls), std::string(SendClassName(c.cls))) << r.reason;

  ASSERT_TRUE(server.WaitForRequests(1, std::chrono::milliseconds(2000)));
  http::Request got = server.Requests().front();
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.path, "/v1/messages/send");
  // Basic clientid01:cl1ent-s3cret
  EXPECT_EQ(got.Header("authorization"), "Basic Y2xpZW50aWQwMTpjbDFlbnQtczNjcmV0");
  EXPECT_EQ(got.Header("content-type"), "application/json");
  Result<boost::json::value> body = ParseJson(got.body);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(JsonString(JsonFind(&*body, "To")), "+233246912184");
  EXPECT_EQ(JsonString(JsonFind(&*body, "Content")), "Medaase");
}

INSTANTIATE_TEST_SUITE_P(
    Scripted, HubtelLoopbackTest,
    ::testing::Values(
        LoopCase{"Accepted",
                 {201, R"({"Status":0,"MessageId":"m-1","Rate":0.03,"NetworkId":"62001"})",
                  "application/json", {}, 0},
                 SendClass::kAccepted},
        LoopCase{"Rejected", {400, R"({"Status":400})", "application/json", {}, 0},
                 SendClass::kPermanent},
        LoopCase{"BadCredentials", {401, "", "application/json", {}, 0},
                 SendClass::kPermanent},
        LoopCase{"Throttled", {429, "", "application/json", {{"Retry-After", "3"}}, 0},
                 SendClass::kThrottled},
        LoopCase{"ServerError", {500, "", "application/json", {}, 0}, SendClass::kRetryable},
        LoopCase{"Slow", {201, R"({"Status":0,"MessageId":"m-1"})", "application/json", {}, 2500},
                 SendClass::kRetryable}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace shg::channels
