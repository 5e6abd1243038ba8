// Recorded Africa's Talking SMS callbacks (incoming messages, delivery
// reports), USSD end-of-session notifications, the date parser, the send
// request and the classification of recorded send responses
// (gateway/channels/africastalking/sms.h).
#include "gateway/channels/africastalking/sms.h"

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "gateway/channels/form.h"

namespace shg::channels {
namespace {

// A recorded incoming-message callback; `extra` is appended as is.
std::string InboundBody(std::string_view text, std::string_view extra = "") {
  return "linkId=SampleLinkId123&text=" + std::string(text) +
         "&to=28901&id=ATXid_5c2e0b1f&date=2018-03-19T08%3A34%3A18.445Z"
         "&from=%2B254711000001&networkCode=63902" + std::string(extra);
}

// --- incoming messages ---

struct InboundCase {
  std::string name;
  std::string body;
  std::string text;
  std::string id = "ATXid_5c2e0b1f";
  std::string from = "+254711000001";
  std::string to = "28901";
  int64_t received_at = 1521448458;
};
// gtest prints the case name instead of the bytes of the struct.
void PrintTo(const InboundCase& c, std::ostream* os) { *os << c.name; }

class AtInboundSmsTest : public ::testing::TestWithParam<InboundCase> {};

TEST_P(AtInboundSmsTest, Parses) {
  const InboundCase& c = GetParam();
  Result<InboundSms> sms = ParseAfricasTalkingInboundSms("at-ke", c.body);
  ASSERT_TRUE(sms.ok()) << sms.status().ToString();
  EXPECT_EQ(sms->channel, "at-ke");
  EXPECT_EQ(sms->provider_id, c.id);
  EXPECT_EQ(sms->from, c.from);
  EXPECT_EQ(sms->to, c.to);
  EXPECT_EQ(sms->text, c.text);
  EXPECT_EQ(sms->received_at, c.received_at);
}

INSTANTIATE_TEST_SUITE_P(
    Recorded, AtInboundSmsTest,
    ::testing::ValuesIn(std::vector<InboundCase>{
        {"Typical", InboundBody("SAVE+500"), "SAVE 500"},
        {"EncodedSpaces", InboundBody("balance%20please"), "balance please"},
        {"EmptyText", InboundBody(""), ""},
        {"Unicode", InboundBody("Habari%20%C3%A9t%C3%A9%20%F0%9F%98%80"),
         "Habari \xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80"},
        {"InvalidUtf8Replaced", InboundBody("caf%E9"), "caf\xEF\xBF\xBD"},
        {"ReservedCharacters", InboundBody("a%26b%3Dc%2Bd%25"), "a&b=c+d%"},
        {"Newlines", InboundBody("line1%0Aline2"), "line1\nline2"},
        {"TextAtLimit", InboundBody(std::string(1600, 'x')), std::string(1600, 'x')},
        {"DuplicateFieldsKeepFirst",
         InboundBody("first", "&id=ATXid_other&text=second&from=%2B254799999999"), "first"},
        {"UnknownFieldsIgnored", InboundBody("hi", "&cost=KES+0.00&foo"), "hi"},
        {"NoLinkIdNoNetwork",
         "from=%2B254711000001&to=28901&text=hi&id=ATXid_5c2e0b1f"
         "&date=2018-03-19T08%3A34%3A18.445Z",
         "hi"},
        {"NoTo", "from=%2B254711000001&text=hi&id=ATXid_5c2e0b1f&date=2018-03-19T08:34:18Z", "hi",
         "ATXid_5c2e0b1f", "+254711000001", ""},
        {"NoDate", "from=%2B254711000001&to=28901&text=hi&id=ATXid_5c2e0b1f", "hi",
         "ATXid_5c2e0b1f", "+254711000001", "28901", 0},
        {"SpaceSeparatedDate",
         "from=%2B254711000001&to=28901&text=hi&id=ATXid_5c2e0b1f&date=2018-03-19+08%3A34%3A18",
         "hi"},
        {"MalformedDateIsZero",
         "from=%2B254711000001&to=28901&text=hi&id=ATXid_5c2e0b1f&date=yesterday", "hi",
         "ATXid_5c2e0b1f", "+254711000001", "28901", 0},
        {"NonPrintableDateIsZero",
         "from=%2B254711000001&to=28901&text=hi&id=ATXid_5c2e0b1f&date=2018-03-19%0A", "hi",
         "ATXid_5c2e0b1f", "+254711000001", "28901", 0},
        {"OverlongDateIsZero",
         "from=%2B254711000001&to=28901&text=hi&id=ATXid_5c2e0b1f&date=2018-03-19T08:34:18." +
             std::string(60, '0') + "Z",
         "hi", "ATXid_5c2e0b1f", "+254711000001", "28901", 0},
        {"RawPlusInFromDecodesToSpace",
         "from=+254711000001&to=28901&text=hi&id=ATXid_5c2e0b1f&date=2018-03-19T08:34:18Z", "hi",
         "ATXid_5c2e0b1f", " 254711000001"},
        {"LocalNumberFrom",
         "from=0711000001&to=28901&text=hi&id=ATXid_5c2e0b1f&date=2018-03-19T08:34:18Z", "hi",
         "ATXid_5c2e0b1f", "0711000001"},
        {"SandboxShortCodeAndUuidId",
         "from=%2B254711000001&to=AFRICASTKNG&text=hi&date=2018-03-19T08:34:18Z"
         "&id=1b7b6e41-8e4a-4e5b-9c1a-7f0d3c2b1a00&networkCode=99999",
         "hi", "1b7b6e41-8e4a-4e5b-9c1a-7f0d3c2b1a00", "+254711000001", "AFRICASTKNG"},
        {"IdAtLimit",
         "from=%2B254711000001&text=hi&date=2018-03-19T08:34:18Z&id=" + std::string(128, 'a'),
         "hi", std::string(128, 'a'), "+254711000001", ""},
    }),
    [](const auto& info) { return info.param.name; });

struct InvalidCase {
  std::string name;
  std::string body;
  std::string message;
};
// gtest prints the case name instead of the bytes of the struct.
void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.name; }

class AtInboundSmsInvalidTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(AtInboundSmsInvalidTest, RejectsNamingTheField) {
  const InvalidCase& c = GetParam();
  Result<InboundSms> sms = ParseAfricasTalkingInboundSms("at-ke", c.body);
  ASSERT_FALSE(sms.ok());
  EXPECT_EQ(sms.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(sms.status().message(), c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Recorded, AtInboundSmsInvalidTest,
    ::testing::ValuesIn(std::vector<InvalidCase>{
        {"EmptyBody", "", "missing field: id"},
        {"MissingId", "from=%2B254711000001&to=28901&text=hi", "missing field: id"},
        {"EmptyId", "id=&from=%2B254711000001&text=hi", "empty field: id"},
        {"IdTooLong", "id=" + std::string(129, 'a') + "&from=%2B254711000001&text=hi",
         "field too long: id"},
        {"IdWithNewline", "id=ATXid%0A1&from=%2B254711000001&text=hi",
         "invalid characters in field: id"},
        {"IdNonAscii", "id=ATXid%C3%A9&from=%2B254711000001&text=hi",
         "invalid characters in field: id"},
        {"MissingFrom", "id=ATXid_1&to=28901&text=hi", "missing field: from"},
        {"EmptyFrom", "id=ATXid_1&from=&text=hi", "empty field: from"},
        {"AlphanumericFrom", "id=ATXid_1&from=Safaricom&text=hi",
         "invalid characters in field: from"},
        {"FromTooLong", "id=ATXid_1&from=" + std::string(33, '1') + "&text=hi",
         "field too long: from"},
        {"ToNonPrintable", "id=ATXid_1&from=%2B254711000001&to=28%0901&text=hi",
         "invalid characters in field: to"},
        {"ToTooLong", "id=ATXid_1&from=%2B254711000001&to=" + std::string(65, '2') + "&text=hi",
         "field too long: to"},
        {"MissingText", "id=ATXid_1&from=%2B254711000001&to=28901", "missing field: text"},
        {"TextTooLong", InboundBody(std::string(1601, 'x')), "field too long: text"},
        {"TextTooLongEncoded", InboundBody([] {
           std::string t;
           for (int i = 0; i < 801; ++i) t += "%C3%A9";  // 1602 bytes decoded
           return t;
         }()),
         "field too long: text"},
        {"BadEscapeInText", InboundBody("50%ZZ"), "malformed %-escape in the form body"},
        {"TruncatedEscapeInText", InboundBody("50%2"), "malformed %-escape in the form body"},
        {"BadEscapeInIgnoredField", InboundBody("hi", "&linkId=%G0"),
         "malformed %-escape in the form body"},
    }),
    [](const auto& info) { return info.param.name; });

TEST(AtInboundSmsTest, ErrorsNeverCarryValues) {
  const std::string kText = "PIN2580";
  for (const std::string& body :
       {"id=" + std::string(129, 'Q') + "&from=%2B254711000001&text=" + kText,
        "id=ATXid_1&from=SECRETSENDER&text=" + kText,
        "id=ATXid_1&from=%2B254711000001&text=" + kText + std::string(1600, 'Z'),
        "id=ATXid_1&from=%2B254711000001&text=" + kText + "%ZZ"}) {
    Result<InboundSms> sms = ParseAfricasTalkingInboundSms("at-ke", body);
    ASSERT_FALSE(sms.ok());
    const std::string m = sms.status().message();
    EXPECT_EQ(m.find("2580"), std::string::npos) << m;
    EXPECT_EQ(m.find("QQ"), std::string::npos) << m;
    EXPECT_EQ(m.find("SECRET"), std::string::npos) << m;
    EXPECT_EQ(m.find("254711"), std::string::npos) << m;
  }
}

// --- delivery reports ---

std::string DlrBody(std::string_view status, std::string_view extra = "") {
  return "phoneNumber=%2B254711000001&retryCount=0&id=ATXid_b1f5c2e0&status=" +
         std::string(status) + "&networkCode=63902" + std::string(extra);
}

struct DlrCase {
  std::string name;
  std::string body;
  DeliveryState state;
  std::string provider_status;
  std::string reason = "";
  std::string id = "ATXid_b1f5c2e0";
};
// gtest prints the case name instead of the bytes of the struct.
void PrintTo(const DlrCase& c, std::ostream* os) { *os << c.name; }

class AtDeliveryReportTest : public ::testing::TestWithParam<DlrCase> {};

TEST_P(AtDeliveryReportTest, Parses) {
  const DlrCase& c = GetParam();
  Result<DeliveryReport> r = ParseAfricasTalkingDeliveryReport("at-ke", c.body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->channel, "at-ke");
  EXPECT_EQ(r->provider_message_id, c.id);
  EXPECT_EQ(r->message_id, 0);
  EXPECT_EQ(DeliveryStateName(r->state), std::string(DeliveryStateName(c.state)));
  EXPECT_EQ(r->provider_status, c.provider_status);
  EXPECT_EQ(r->reason, c.reason);
}

INSTANTIATE_TEST_SUITE_P(
    Recorded, AtDeliveryReportTest,
    ::testing::ValuesIn(std::vector<DlrCase>{
        {"Sent", DlrBody("Sent"), DeliveryState::kSent, "Sent"},
        {"Submitted", DlrBody("Submitted"), DeliveryState::kSent, "Submitted"},
        {"Buffered", DlrBody("Buffered"), DeliveryState::kBuffered, "Buffered"},
        {"Success", DlrBody("Success"), DeliveryState::kDelivered, "Success"},
        {"Rejected", DlrBody("Rejected", "&failureReason=UserInBlackList"), DeliveryState::kFailed,
         "Rejected", "UserInBlackList"},
        {"Failed", DlrBody("Failed", "&failureReason=DeliveryFailure"), DeliveryState::kFailed,
         "Failed", "DeliveryFailure"},
        {"FailedWithoutReason", DlrBody("Failed"), DeliveryState::kFailed, "Failed"},
        {"FailedEmptyReason", DlrBody("Failed", "&failureReason="), DeliveryState::kFailed,
         "Failed"},
        {"AbsentSubscriber", DlrBody("AbsentSubscriber"), DeliveryState::kFailed,
         "AbsentSubscriber"},
        {"Expired", DlrBody("Expired"), DeliveryState::kFailed, "Expired"},
        {"InsufficientCredit", DlrBody("Failed", "&failureReason=InsufficientCredit"),
         DeliveryState::kFailed, "Failed", "InsufficientCredit"},
        {"NotNetworkSubscriber", DlrBody("Rejected", "&failureReason=NotNetworkSubscriber"),
         DeliveryState::kFailed, "Rejected", "NotNetworkSubscriber"},
        {"NotNetworkSubcriberMisspelt", DlrBody("Rejected", "&failureReason=NotNetworkSubcriber"),
         DeliveryState::kFailed, "Rejected", "NotNetworkSubscriber"},
        {"DoNotDisturbRejection", DlrBody("Rejected", "&failureReason=DoNotDisturbRejection"),
         DeliveryState::kFailed, "Rejected", "DoNotDisturbRejection"},
        {"ReasonAtLimit", DlrBody("Failed", "&failureReason=" + std::string(64, 'R')),
         DeliveryState::kFailed, "Failed", std::string(64, 'R')},
        {"LowerCaseStatus", DlrBody("success"), DeliveryState::kDelivered, "success"},
        {"UpperCaseStatus", DlrBody("BUFFERED"), DeliveryState::kBuffered, "BUFFERED"},
        {"MinimalFields", "id=ATXid_1&status=Success", DeliveryState::kDelivered, "Success", "",
         "ATXid_1"},
        {"DuplicateStatusKeepsFirst", DlrBody("Success", "&status=Failed"),
         DeliveryState::kDelivered, "Success"},
    }),
    [](const auto& info) { return info.param.name; });

class AtDeliveryReportInvalidTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(AtDeliveryReportInvalidTest, RejectsNamingTheField) {
  const InvalidCase& c = GetParam();
  Result<DeliveryReport> r = ParseAfricasTalkingDeliveryReport("at-ke", c.body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Recorded, AtDeliveryReportInvalidTest,
    ::testing::ValuesIn(std::vector<InvalidCase>{
        {"UnknownStatus", DlrBody("Delivered"), "unknown value of field: status"},
        {"UnknownStatusQueued", DlrBody("Queued"), "unknown value of field: status"},
        {"StatusWithSpace", DlrBody("Success+"), "unknown value of field: status"},
        {"MissingStatus", "id=ATXid_1&phoneNumber=%2B254711000001", "missing field: status"},
        {"EmptyStatus", DlrBody(""), "empty field: status"},
        {"StatusTooLong", DlrBody(std::string(33, 'S')), "field too long: status"},
        {"MissingId", "status=Success&phoneNumber=%2B254711000001", "missing field: id"},
        {"EmptyId", "id=&status=Success", "empty field: id"},
        {"IdTooLong", "status=Success&id=" + std::string(129, 'a'), "field too long: id"},
        {"IdControlChar", "status=Success&id=AT%00X", "invalid characters in field: id"},
        {"ReasonTooLong", DlrBody("Failed", "&failureReason=" + std::string(65, 'R')),
         "field too long: failureReason"},
        {"ReasonNonPrintable", DlrBody("Failed", "&failureReason=Bad%0AReason"),
         "invalid characters in field: failureReason"},
        {"BadEscape", DlrBody("Success", "&phoneNumber=%2"), "malformed %-escape in the form body"},
    }),
    [](const auto& info) { return info.param.name; });

// --- USSD end of session ---

std::string EndBody(std::string_view status, std::string_view extra = "") {
  return "date=2024-05-01+10%3A11%3A12&sessionId=ATUid_0a1b2c3d&serviceCode=%2A384%2A7%23"
         "&networkCode=63902&phoneNumber=%2B254700000001&status=" +
         std::string(status) +
         "&cost=KES+0.0000&durationInMillis=23811&hopsCount=4&input=2580%2A2%2A500%2A1"
         "&lastAppResponse=END+Saved" +
         std::string(extra);
}

struct EndCase {
  std::string name;
  std::string body;
  std::string end_status;
  std::string session_id = "ATUid_0a1b2c3d";
};
// gtest prints the case name instead of the bytes of the struct.
void PrintTo(const EndCase& c, std::ostream* os) { *os << c.name; }

class AtUssdEndTest : public ::testing::TestWithParam<EndCase> {};

TEST_P(AtUssdEndTest, Parses) {
  const EndCase& c = GetParam();
  Result<UssdCallback> cb = ParseAfricasTalkingUssdEnd(c.body);
  ASSERT_TRUE(cb.ok()) << cb.status().ToString();
  EXPECT_EQ(cb->kind, UssdCallback::Kind::kEnded);
  EXPECT_EQ(cb->session_id, c.session_id);
  EXPECT_EQ(cb->end_status, c.end_status);
  // Nothing of the step request is filled (in particular no input/PIN).
  EXPECT_EQ(cb->request.input, "");
  EXPECT_EQ(cb->request.session_id, "");
  EXPECT_EQ(cb->request.phone, "");
}

INSTANTIATE_TEST_SUITE_P(
    Recorded, AtUssdEndTest,
    ::testing::ValuesIn(std::vector<EndCase>{
        {"Success", EndBody("Success"), "success"},
        {"Incomplete", EndBody("Incomplete"), "incomplete"},
        {"Failed", EndBody("Failed", "&errorMessage=Timeout+from+app"), "failed"},
        {"LowerCase", EndBody("incomplete"), "incomplete"},
        {"UpperCase", EndBody("FAILED"), "failed"},
        {"Minimal", "sessionId=ATUid_x&status=Success", "success", "ATUid_x"},
        {"DuplicateKeepsFirst", EndBody("Success", "&status=Failed&sessionId=other"), "success"},
    }),
    [](const auto& info) { return info.param.name; });

class AtUssdEndInvalidTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(AtUssdEndInvalidTest, RejectsNamingTheField) {
  const InvalidCase& c = GetParam();
  Result<UssdCallback> cb = ParseAfricasTalkingUssdEnd(c.body);
  ASSERT_FALSE(cb.ok());
  EXPECT_EQ(cb.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(cb.status().message(), c.message);
  EXPECT_EQ(cb.status().message().find("2580"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Recorded, AtUssdEndInvalidTest,
    ::testing::ValuesIn(std::vector<InvalidCase>{
        {"UnknownStatus", EndBody("Timeout"), "unknown value of field: status"},
        {"UnknownStatusSuccessful", EndBody("Successful"), "unknown value of field: status"},
        {"MissingStatus", "sessionId=ATUid_x&input=2580", "missing field: status"},
        {"EmptyStatus", EndBody(""), "empty field: status"},
        {"MissingSessionId", "status=Success&input=2580", "missing field: sessionId"},
        {"EmptySessionId", "sessionId=&status=Success", "empty field: sessionId"},
        {"SessionIdTooLong", "status=Success&sessionId=" + std::string(129, 'a'),
         "field too long: sessionId"},
        {"SessionIdNonPrintable", "status=Success&sessionId=AT%7F", 
         "invalid characters in field: sessionId"},
        {"BadEscapeInInput", EndBody("Success", "&input=2580%Z"),
         "malformed %-escape in the form body"},
    }),
    [](const auto& info) { return info.param.name; });

// --- dates ---

TEST(AtDateTest, ParsesIso8601) {
  struct Case {
    std::string text;
    std::optional<int64_t> unix_s;
  };
  for (const Case& c : std::vector<Case>{
           {"2018-03-19T08:34:18.445Z", 1521448458},
           {"2018-03-19T08:34:18Z", 1521448458},
           {"2018-03-19t08:34:18z", 1521448458},
           {"2018-03-19 08:34:18", 1521448458},
           {"2018-03-19T08:34:18,5", 1521448458},
           {"2018-03-19T08:34", 1521448440},
           {"2018-03-19T08:34Z", 1521448440},
           {"2018-03-19T08:34:18+03:00", 1521437658},
           {"2018-03-19T08:34:18+0300", 1521437658},
           {"2018-03-19T08:34:18+03", 1521437658},
           {"2018-03-19T08:34:18-02:30", 1521457458},
           {"2018-03-19T08:34:18.123456789-0230", 1521457458},
           {"1970-01-01T00:00:00Z", 0},
           {"2024-02-29T23:59:59Z", 1709251199},
           {"2000-03-01T00:00:00Z", 951868800},
           {"2016-12-31T23:59:60Z", 1483228800},
           {"9999-12-31T23:59:59Z", 253402300799},
           {"", std::nullopt},
           {"yesterday", std::nullopt},
           {"2018-03-19", std::nullopt},
           {"2018-03-19T", std::nullopt},
           {"2018-3-19T08:34:18Z", std::nullopt},
           {"2018-03-19T8:34:18Z", std::nullopt},
           {"2018-03-19T08:34:18.Z", std::nullopt},
           {"2018-03-19T08:34:18ZZ", std::nullopt},
           {"2018-03-19T08:34:18 Z", std::nullopt},
           {"2018-03-19T08:34:18+3", std::nullopt},
           {"2018-03-19T08:34:18+24:00", std::nullopt},
           {"2018-03-19T08:34:18+03:60", std::nullopt},
           {"2018-03-19X08:34:18Z", std::nullopt},
           {"2018-13-01T00:00:00Z", std::nullopt},
           {"2018-00-01T00:00:00Z", std::nullopt},
           {"2018-04-31T00:00:00Z", std::nullopt},
           {"2023-02-29T00:00:00Z", std::nullopt},
           {"1900-02-29T00:00:00Z", std::nullopt},
           {"2018-03-00T00:00:00Z", std::nullopt},
           {"2018-03-19T24:00:00Z", std::nullopt},
           {"2018-03-19T23:60:00Z", std::nullopt},
           {"2018-03-19T23:59:61Z", std::nullopt},
           {"1969-12-31T23:59:59Z", std::nullopt},
           {"1970-01-01T00:00:00+01:00", std::nullopt},  // before the epoch
           {"+2018-03-19T08:34:18Z", std::nullopt},
           {"1521448458", std::nullopt},
       }) {
    EXPECT_EQ(ParseIso8601Utc(c.text), c.unix_s) << c.text;
  }
}

// --- the send request ---

config::ChannelSettings SendSettings() {
  config::ChannelSettings s;
  s.id = "at-ke";
  s.type = "africastalking";
  s.username = "shg-app";
  s.secret = "atsk_0123456789abcdefSECRET";
  s.sender = "SHG";
  return s;
}

TEST(AtSendTest, Url) {
  struct Case {
    std::string base;
    bool sandbox;
    std::string url;
  };
  for (const Case& c : std::vector<Case>{
           {"", false, "https://api.africastalking.com/version1/messaging"},
           {"", true, "https://api.sandbox.africastalking.com/version1/messaging"},
           {"http://127.0.0.1:9000", false, "http://127.0.0.1:9000/version1/messaging"},
           {"http://127.0.0.1:9000/", true, "http://127.0.0.1:9000/version1/messaging"},
           {"https://proxy.example.org/at//", false,
            "https://proxy.example.org/at/version1/messaging"},
       }) {
    config::ChannelSettings s = SendSettings();
    s.api_base_url = c.base;
    s.sandbox = c.sandbox;
    EXPECT_EQ(AfricasTalkingSendUrl(s), c.url) << c.base << " " << c.sandbox;
    EXPECT_EQ(BuildAfricasTalkingSend(s, {1, "+254711000001", "hi"}).url, c.url);
  }
}

TEST(AtSendTest, BuildsTheFormRequest) {
  config::ChannelSettings s = SendSettings();
  const std::string text = "Saved KES 500 & more=yes +100% \xC3\xA9 \xF0\x9F\x98\x80\nRef AB12";
  HttpCall call = BuildAfricasTalkingSend(s, {42, "+254711000001", text});
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.content_type, "application/x-www-form-urlencoded");
  ASSERT_EQ(call.headers.size(), 2u);
  EXPECT_EQ(call.headers[0].first, "apiKey");
  EXPECT_EQ(call.headers[0].second, s.secret);
  EXPECT_EQ(call.headers[1].first, "Accept");
  EXPECT_EQ(call.headers[1].second, "application/json");
  EXPECT_EQ(call.basic_user, "");
  EXPECT_EQ(call.basic_password, "");

  Result<Form> form = ParseForm(call.body);
  ASSERT_TRUE(form.ok());
  std::vector<std::pair<std::string, std::string>> expected = {
      {"username", "shg-app"}, {"to", "+254711000001"}, {"message", text},
      {"from", "SHG"},         {"bulkSMSMode", "1"},    {"enqueue", "1"}};
  EXPECT_EQ(form->pairs(), expected);
  // '+' must travel encoded (a raw '+' would decode to a space at AT).
  EXPECT_NE(call.body.find("to=%2B254711000001"), std::string::npos) << call.body;
}

TEST(AtSendTest, NoFromWithoutSender) {
  config::ChannelSettings s = SendSettings();
  s.sender.clear();
  HttpCall call = BuildAfricasTalkingSend(s, {1, "+254711000001", "hi"});
  Result<Form> form = ParseForm(call.body);
  ASSERT_TRUE(form.ok());
  EXPECT_FALSE(form->Has("from"));
  EXPECT_EQ(form->pairs().size(), 5u);
  EXPECT_EQ(call.body, "username=shg-app&to=%2B254711000001&message=hi&bulkSMSMode=1&enqueue=1");
}

TEST(AtSendTest, SecretOnlyInTheApiKeyHeader) {
  config::ChannelSettings s = SendSettings();
  for (bool sandbox : {false, true}) {
    s.sandbox = sandbox;
    HttpCall call = BuildAfricasTalkingSend(s, {1, "+254711000001", "hi"});
    EXPECT_EQ(call.url.find("SECRET"), std::string::npos);
    EXPECT_EQ(call.body.find("SECRET"), std::string::npos);
    EXPECT_EQ(call.content_type.find("SECRET"), std::string::npos);
    EXPECT_EQ(call.basic_user.find("SECRET"), std::string::npos);
    EXPECT_EQ(call.basic_password.find("SECRET"), std::string::npos);
    int in_headers = 0;
    for (const auto& [name, value] : call.headers) {
      if (value.find("SECRET") != std::string::npos) {
        ++in_headers;
        EXPECT_EQ(name, "apiKey");
      }
      EXPECT_EQ(name.find("SECRET"), std::string::npos);
    }
    EXPECT_EQ(in_headers, 1);
  }
}

// --- classifying recorded send responses ---

std::string AtResponse(std::string_view recipient) {
  return R"({"SMSMessageData":{"Message":"Sent to 1/1 Total Cost: KES 0.8000","Recipients":[)" +
         std::string(recipient) + "]}}";
}

std::string Recipient(std::string_view status_code, std::string_view status,
                      std::string_view message_id) {
  return R"({"statusCode":)" + std::string(status_code) +
         R"(,"number":"+254711000001","status":")" + std::string(status) +
         R"(","cost":"KES 0.8000","messageId":")" + std::string(message_id) + R"("})";
}

HttpOutcome Http(long status, std::string body,
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpOutcome o;
  o.status = status;
  o.body = std::move(body);
  o.headers = std::move(headers);
  return o;
}

HttpOutcome Failure(TransportFailure f) {
  HttpOutcome o;
  o.failure = f;
  o.error = "curl error";
  return o;
}

struct ClassifyCase {
  std::string name;
  HttpOutcome outcome;
  SendClass cls;
  std::string reason;
  std::string provider_message_id = "";
  int retry_after_s = 0;
};
// gtest prints the case name instead of the bytes of the struct.
void PrintTo(const ClassifyCase& c, std::ostream* os) { *os << c.name; }

class AtClassifyTest : public ::testing::TestWithParam<ClassifyCase> {};

TEST_P(AtClassifyTest, Classifies) {
  const ClassifyCase& c = GetParam();
  SendResult r = ClassifyAfricasTalkingSend(c.outcome);
  EXPECT_EQ(SendClassName(r.cls), std::string(SendClassName(c.cls)));
  EXPECT_EQ(r.reason, c.reason);
  EXPECT_EQ(r.provider_message_id, c.provider_message_id);
  EXPECT_EQ(r.retry_after_s, c.retry_after_s);
  // No reason ever carries the recipient's number or the response's text.
  EXPECT_EQ(r.reason.find("254711"), std::string::npos);
  EXPECT_EQ(r.reason.find("Total Cost"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Recorded, AtClassifyTest,
    ::testing::ValuesIn(std::vector<ClassifyCase>{
        {"Sent101", Http(201, AtResponse(Recipient("101", "Success", "ATXid_b1f5c2e0"))),
         SendClass::kAccepted, "AT statusCode 101 Sent", "ATXid_b1f5c2e0"},
        {"Processed100", Http(201, AtResponse(Recipient("100", "Processed", "ATXid_1"))),
         SendClass::kAccepted, "AT statusCode 100 Processed", "ATXid_1"},
        {"Queued102", Http(201, AtResponse(Recipient("102", "Queued", "ATXid_2"))),
         SendClass::kAccepted, "AT statusCode 102 Queued", "ATXid_2"},
        {"Http200Accepted", Http(200, AtResponse(Recipient("101", "Success", "ATXid_3"))),
         SendClass::kAccepted, "AT statusCode 101 Sent", "ATXid_3"},
        {"StatusCodeAsString", Http(201, AtResponse(Recipient("\"101\"", "Success", "ATXid_4"))),
         SendClass::kAccepted, "AT statusCode 101 Sent", "ATXid_4"},
        {"PrettyPrinted",
         Http(201,
              "{\n  \"SMSMessageData\": {\n    \"Message\": \"Sent to 1/1 Total Cost: KES 0.8000\",\n"
              "    \"Recipients\": [\n      {\n        \"cost\": \"KES 0.8000\",\n"
              "        \"messageId\": \"ATXid_5\",\n        \"number\": \"+254711000001\",\n"
              "        \"status\": \"Success\",\n        \"statusCode\": 101\n      }\n    ]\n"
              "  }\n}\n"),
         SendClass::kAccepted, "AT statusCode 101 Sent", "ATXid_5"},
        {"AcceptedWithoutMessageId",
         Http(201, AtResponse(R"({"statusCode":101,"number":"+254711000001"})")),
         SendClass::kAccepted, "AT statusCode 101 Sent"},
        {"InvalidPhoneNumber403",
         Http(201, AtResponse(Recipient("403", "InvalidPhoneNumber", "None"))),
         SendClass::kPermanent, "AT statusCode 403 InvalidPhoneNumber"},
        {"RiskHold401", Http(201, AtResponse(Recipient("401", "RiskHold", "None"))),
         SendClass::kPermanent, "AT statusCode 401 RiskHold"},
        {"InvalidSenderId402", Http(201, AtResponse(Recipient("402", "InvalidSenderId", "None"))),
         SendClass::kPermanent, "AT statusCode 402 InvalidSenderId"},
        {"UnsupportedNumberType404",
         Http(201, AtResponse(Recipient("404", "UnsupportedNumberType", "None"))),
         SendClass::kPermanent, "AT statusCode 404 UnsupportedNumberType"},
        {"InsufficientBalance405",
         Http(201, AtResponse(Recipient("405", "InsufficientBalance", "None"))),
         SendClass::kPermanent, "AT statusCode 405 InsufficientBalance"},
        {"UserInBlacklist406", Http(201, AtResponse(Recipient("406", "UserInBlacklist", "None"))),
         SendClass::kPermanent, "AT statusCode 406 UserInBlacklist"},
        {"CouldNotRoute407", Http(201, AtResponse(Recipient("407", "CouldNotRoute", "None"))),
         SendClass::kPermanent, "AT statusCode 407 CouldNotRoute"},
        {"DoNotDisturb409",
         Http(201, AtResponse(Recipient("409", "DoNotDisturbRejection", "None"))),
         SendClass::kPermanent, "AT statusCode 409 DoNotDisturbRejection"},
        {"Unknown4xxCode", Http(201, AtResponse(Recipient("499", "Whatever", "None"))),
         SendClass::kPermanent, "AT statusCode 499"},
        {"PermanentDropsMessageId", Http(201, AtResponse(Recipient("403", "X", "ATXid_9"))),
         SendClass::kPermanent, "AT statusCode 403 InvalidPhoneNumber"},
        {"InternalServerError500",
         Http(201, AtResponse(Recipient("500", "InternalServerError", "None"))),
         SendClass::kRetryable, "AT statusCode 500 InternalServerError"},
        {"GatewayError501", Http(201, AtResponse(Recipient("501", "GatewayError", "None"))),
         SendClass::kRetryable, "AT statusCode 501 GatewayError"},
        {"RejectedByGateway502",
         Http(201, AtResponse(Recipient("502", "RejectedByGateway", "None"))),
         SendClass::kRetryable, "AT statusCode 502 RejectedByGateway"},
        {"Unknown1xxCode", Http(201, AtResponse(Recipient("103", "Later", "ATXid_6"))),
         SendClass::kAccepted, "AT statusCode 103", "ATXid_6"},
        {"EmptyRecipients",
         Http(201, R"({"SMSMessageData":{"Message":"InvalidPhoneNumber","Recipients":[]}})"),
         SendClass::kPermanent, "no recipient accepted"},
        {"NoStatusCodeButMessageId",
         Http(201, AtResponse(R"({"number":"+254711000001","messageId":"ATXid_7"})")),
         SendClass::kAccepted, "AT statusCode missing (HTTP 201)", "ATXid_7"},
        {"NullStatusCodeNoMessageId",
         Http(201, AtResponse(R"({"statusCode":null,"messageId":"None"})")),
         SendClass::kRetryable, "unreadable AT response (HTTP 201)"},
        {"FractionalStatusCode", Http(201, AtResponse(Recipient("101.5", "Success", "None"))),
         SendClass::kRetryable, "unreadable AT response (HTTP 201)"},
        {"MessageIdNotPrintable",
         Http(201, AtResponse(R"({"statusCode":101,"messageId":"AT\nX"})")),
         SendClass::kAccepted, "AT statusCode 101 Sent"},
        {"NoRecipientsMember", Http(201, R"({"SMSMessageData":{"Message":"InvalidSenderId"}})"),
         SendClass::kRetryable, "unreadable AT response (HTTP 201)"},
        {"RecipientsNotArray", Http(201, R"({"SMSMessageData":{"Recipients":{}}})"),
         SendClass::kRetryable, "unreadable AT response (HTTP 201)"},
        {"GarbageBody", Http(201, "<html><body>502 Bad Gateway</body></html>"),
         SendClass::kRetryable, "unreadable AT response (HTTP 201)"},
        {"EmptyBody", Http(200, ""), SendClass::kRetryable, "unreadable AT response (HTTP 200)"},
        {"TruncatedJson", Http(201, AtResponse(Recipient("101", "Success", "ATXid_8")).substr(0, 60)),
         SendClass::kRetryable, "unreadable AT response (HTTP 201)"},
        {"Http401", Http(401, "The supplied authentication is invalid", {{"content-type", "text/plain"}}),
         SendClass::kPermanent, "HTTP 401 (credentials rejected)"},
        {"Http403", Http(403, "Forbidden"), SendClass::kPermanent,
         "HTTP 403 (credentials rejected)"},
        {"Http400", Http(400, "Invalid phone number: +254711000001"), SendClass::kPermanent,
         "HTTP 400"},
        {"Http404", Http(404, "Not Found"), SendClass::kPermanent, "HTTP 404"},
        {"Http302", Http(302, "", {{"location", "https://example.org/"}}), SendClass::kPermanent,
         "HTTP 302 unexpected"},
        {"Http429RetryAfter", Http(429, "Too many requests", {{"retry-after", "30"}}),
         SendClass::kThrottled, "HTTP 429 throttled", "", 30},
        {"Http429NoRetryAfter", Http(429, ""), SendClass::kThrottled, "HTTP 429 throttled"},
        {"Http500", Http(500, "Internal Server Error"), SendClass::kRetryable, "HTTP 500"},
        {"Http503", Http(503, "Service Unavailable", {{"retry-after", "120"}}),
         SendClass::kRetryable, "HTTP 503", "", 120},
        {"Http408", Http(408, ""), SendClass::kRetryable, "HTTP 408"},
        {"Timeout", Failure(TransportFailure::kTimeout), SendClass::kRetryable, "timeout"},
        {"Connect", Failure(TransportFailure::kConnect), SendClass::kRetryable, "connect failed"},
        {"Tls", Failure(TransportFailure::kTls), SendClass::kPermanent,
         "TLS failure (check certificates/base URL)"},
        {"OtherTransport", Failure(TransportFailure::kOther), SendClass::kRetryable,
         "transport error"},
    }),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace shg::channels
