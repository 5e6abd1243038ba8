// Recorded Kannel callbacks (sms-service get-url and dlr-url queries, as
// smsbox fills the escape codes), the sendsms request we build, the
// classification of smsbox's replies, and sends performed against a real
// loopback server.
#include "gateway/channels/kannel/adapter.h"

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "gateway/channels/form.h"
#include "gateway/outbound/transport.h"
#include "tests/support/scripted_server.h"

namespace shg::channels {
namespace {

constexpr std::string_view kPassword = "p@ss&word=1";

config::ChannelSettings KannelSettings() {
  config::ChannelSettings s;
  s.id = "kannel-ke";
  s.type = "kannel";
  s.country = "KE";
  s.callback_key = "s3cr3t";
  s.api_base_url = "http://127.0.0.1:13013/";
  s.username = "shg";
  s.secret = std::string(kPassword);
  s.sender = "SHG";
  s.public_base_url = "https://gw.example.org";
  return s;
}

std::unique_ptr<Adapter> Kannel(const config::ChannelSettings& s = KannelSettings()) {
  return MakeKannelAdapter(s);
}

http::Request Get(std::string path, std::string query) {
  http::Request r;
  r.method = "GET";
  r.path = std::move(path);
  r.query = std::move(query);
  r.target = r.path + "?" + r.query;
  return r;
}

http::Request Inbound(std::string query) {
  return Get("/channels/kannel-ke/sms", "key=s3cr3t&" + std::move(query));
}

// A get-url query as smsbox fills kKannelGetUrlQuery, with `text`, `coding`
// and `charset` varying.
std::string MoQuery(std::string_view text, std::string_view coding = "0",
                    std::string_view charset = "UTF-8") {
  return "id=5c2e7a8e-1d3b-4b8a-9a31-0f4c1f6f2b11&from=%2B254700000001&to=22555&text=" +
         std::string(text) + "&time=1717243200&coding=" + std::string(coding) +
         "&charset=" + std::string(charset);
}

// --- inbound SMS ---

struct MoCase {
  std::string name;
  std::string query;
  std::string text;
  std::string provider_id = "5c2e7a8e-1d3b-4b8a-9a31-0f4c1f6f2b11";
  std::string from = "+254700000001";
  std::string to = "22555";
  int64_t received_at = 1717243200;
};

// gtest prints the case name instead of the object's bytes.
void PrintTo(const MoCase& c, std::ostream* os) { *os << c.name; }

std::vector<MoCase> ValidMoCases() {
  return {
      {"Gsm7", MoQuery("BAL+2580"), "BAL 2580"},
      {"Gsm7PercentSpace", MoQuery("SAVE%20500"), "SAVE 500"},
      {"KeepsBlanksAndNewlines", MoQuery("a%20%20b%0Ac"), "a  b\nc"},
      {"EmptyText", MoQuery(""), ""},
      // "नमस्ते" as UTF-16BE bytes, URL-encoded by smsbox (%b).
      {"Ucs2Hindi", MoQuery("%09%28%09%2E%09%38%09%4D%09%24%09%47", "2", "UTF-16BE"),
       "\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87"},
      {"Ucs2CharsetLowerCase", MoQuery("%00h%00i", "2", "utf-16be"), "hi"},
      {"Ucs2ByCodingWithoutCharset", MoQuery("%00N%00g%20%19%00o", "2", ""),
       "Ng\xE2\x80\x99o"},
      {"Ucs2SurrogatePair", MoQuery("%D8%3D%DE%00", "2", "UTF-16BE"), "\xF0\x9F\x98\x80"},
      {"Ucs2LoneSurrogateBecomesReplacement", MoQuery("%D8%3D%00a", "2", "UTF-16BE"),
       "\xEF\xBF\xBD" "a"},
      // mo-recode: UCS-2 recoded to UTF-8, coding reset to 0.
      {"MoRecodedUtf8", MoQuery("Ng%E2%80%99ombe%20%E2%9C%93", "0", "UTF-8"),
       "Ng\xE2\x80\x99ombe \xE2\x9C\x93"},
      {"MoRecodedWindows1252", MoQuery("caf%E9%20%80%2092", "0", "WINDOWS-1252"),
       "caf\xC3\xA9 \xE2\x82\xAC 92"},
      {"Latin1", MoQuery("caf%E9", "0", "ISO-8859-1"), "caf\xC3\xA9"},
      {"NoCodingNoCharset",
       "id=abc&from=%2B254700000001&text=hello", "hello", "abc", "+254700000001", "", 0},
      {"EmptyTimeAndCoding",
       "id=abc&from=%2B254700000001&to=&text=hi&time=&coding=&charset=", "hi", "abc",
       "+254700000001", "", 0},
      {"AlphanumericSender", "id=abc&from=MPESA&text=hi", "hi", "abc", "MPESA", "", 0},
      {"RepeatedFieldsKeepFirst", MoQuery("first") + "&text=second&id=other&from=%2B1",
       "first"},
      {"UnknownFieldsIgnored", MoQuery("hi") + "&smsc=fake&udh=", "hi"},
  };
}

class KannelMoValidTest : public ::testing::TestWithParam<MoCase> {};

TEST_P(KannelMoValidTest, Parses) {
  const MoCase& c = GetParam();
  Result<InboundSms> sms = Kannel()->ParseInboundSms(Inbound(c.query));
  ASSERT_TRUE(sms.ok()) << sms.status().ToString();
  EXPECT_EQ(sms->channel, "kannel-ke");
  EXPECT_EQ(sms->text, c.text);
  EXPECT_EQ(sms->provider_id, c.provider_id);
  EXPECT_EQ(sms->from, c.from);
  EXPECT_EQ(sms->to, c.to);
  EXPECT_EQ(sms->received_at, c.received_at);
}

INSTANTIATE_TEST_SUITE_P(Recorded, KannelMoValidTest, ::testing::ValuesIn(ValidMoCases()),
                         [](const auto& info) { return info.param.name; });

struct BadCase {
  std::string name;
  std::string query;
  std::string message;  // the whole Status message
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

std::vector<BadCase> InvalidMoCases() {
  return {
      {"MissingId", "from=%2B254700000001&text=hi", "missing field: id"},
      {"EmptyId", "id=&from=%2B254700000001&text=hi", "empty field: id"},
      {"MissingFrom", "id=abc&text=hi", "missing field: from"},
      {"EmptyFrom", "id=abc&from=&text=hi", "empty field: from"},
      {"MissingText", "id=abc&from=%2B254700000001", "missing field: text"},
      {"LongFrom", "id=abc&from=" + std::string(33, '1') + "&text=hi", "field too long: from"},
      {"ControlCharInId", "id=a%0Ab&from=%2B254700000001&text=hi",
       "invalid characters in field: id"},
      {"MalformedEscape", MoQuery("50%"), "malformed %-escape in the query"},
      {"OddUtf16", MoQuery("%00h%00", "2", "UTF-16BE"), "malformed UTF-16 in field: text"},
      {"InvalidUtf8", MoQuery("caf%E9", "0", "UTF-8"), "invalid UTF-8 in field: text"},
      {"BinaryCoding", MoQuery("%01%02", "1", ""), "unsupported value of field: coding"},
      {"BinaryCharset", MoQuery("%01%02", "1", "8-BIT"), "unsupported value of field: charset"},
      {"UnknownCharset", MoQuery("hi", "0", "KOI8-R"), "unsupported value of field: charset"},
      {"BadCoding", MoQuery("hi", "7", "UTF-8"), "invalid value of field: coding"},
      {"BadTime", "id=abc&from=%2B254700000001&text=hi&time=2024-06-01",
       "invalid value of field: time"},
      {"TextTooLong", MoQuery(std::string(kKannelMaxTextBytes + 1, 'a')),
       "field too long: text"},
      {"Ucs2TextTooLongOnceDecoded",
       // 1366 x U+0928 = 2732 bytes on the wire, 4098 bytes of UTF-8.
       [] {
         std::string t;
         for (int i = 0; i < 1366; ++i) t += "%09%28";
         return MoQuery(t, "2", "UTF-16BE");
       }(),
       "field too long: text"},
  };
}

class KannelMoInvalidTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(KannelMoInvalidTest, RejectsNamingTheField) {
  const BadCase& c = GetParam();
  Result<InboundSms> sms = Kannel()->ParseInboundSms(Inbound(c.query));
  ASSERT_FALSE(sms.ok());
  EXPECT_EQ(sms.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(sms.status().message(), c.message);
}

INSTANTIATE_TEST_SUITE_P(Recorded, KannelMoInvalidTest, ::testing::ValuesIn(InvalidMoCases()),
                         [](const auto& info) { return info.param.name; });

TEST(KannelMoTest, ErrorsNeverCarryTheText) {
  Result<InboundSms> sms =
      Kannel()->ParseInboundSms(Inbound(MoQuery("PIN%202580%FF", "0", "UTF-8")));
  ASSERT_FALSE(sms.ok());
  EXPECT_EQ(sms.status().message().find("2580"), std::string::npos);
}

TEST(KannelMoTest, AckIsAnEmpty200) {
  http::Response ack = Kannel()->InboundSmsAck();
  EXPECT_EQ(ack.status, 200);
  EXPECT_EQ(ack.body, "");
}

TEST(KannelMoTest, NoUssd) {
  http::Request r = Get("/channels/kannel-ke/ussd", "key=s3cr3t");
  EXPECT_EQ(Kannel()->ParseUssd(r, false).status().code(), Status::Code::kNotFound);
}

struct KeyCase {
  std::string name;
  std::string configured;
  std::string query;
  bool ok;
};

void PrintTo(const KeyCase& c, std::ostream* os) { *os << c.name; }

class KannelKeyTest : public ::testing::TestWithParam<KeyCase> {};

TEST_P(KannelKeyTest, Authenticates) {
  config::ChannelSettings s = KannelSettings();
  s.callback_key = GetParam().configured;
  EXPECT_EQ(Kannel(s)->Authenticate(Get("/channels/kannel-ke/sms", GetParam().query)),
            GetParam().ok);
}

INSTANTIATE_TEST_SUITE_P(
    Recorded, KannelKeyTest,
    ::testing::Values(KeyCase{"Right", "s3cr3t", "key=s3cr3t&" + MoQuery("hi"), true},
                      KeyCase{"Wrong", "s3cr3t", "key=s3cr3T&" + MoQuery("hi"), false},
                      KeyCase{"Prefix", "s3cr3t", "key=s3cr&" + MoQuery("hi"), false},
                      KeyCase{"Missing", "s3cr3t", MoQuery("hi"), false},
                      KeyCase{"DlrRight", "s3cr3t", "key=s3cr3t&id=42&type=1", true},
                      KeyCase{"NoneConfigured", "", MoQuery("hi"), true}),
    [](const auto& info) { return info.param.name; });

// --- delivery reports ---

struct DlrCase {
  std::string name;
  std::string query;
  DeliveryState state;
  int64_t message_id;
  std::string provider_status;
};

void PrintTo(const DlrCase& c, std::ostream* os) { *os << c.name; }

class KannelDlrTest : public ::testing::TestWithParam<DlrCase> {};

TEST_P(KannelDlrTest, Maps) {
  const DlrCase& c = GetParam();
  Result<std::vector<DeliveryReport>> reports =
      Kannel()->ParseStatus(Get("/channels/kannel-ke/status", "key=s3cr3t&" + c.query));
  ASSERT_TRUE(reports.ok()) << reports.status().ToString();
  ASSERT_EQ(reports->size(), 1u);
  const DeliveryReport& r = reports->front();
  EXPECT_EQ(r.channel, "kannel-ke");
  EXPECT_EQ(r.provider_message_id, "");
  EXPECT_EQ(r.message_id, c.message_id);
  EXPECT_EQ(r.state, c.state);
  EXPECT_EQ(r.provider_status, c.provider_status);
}

INSTANTIATE_TEST_SUITE_P(
    Recorded, KannelDlrTest,
    ::testing::Values(
        DlrCase{"Delivered", "id=42&type=1", DeliveryState::kDelivered, 42, "kannel type 1"},
        DlrCase{"NotDelivered", "id=42&type=2", DeliveryState::kFailed, 42, "kannel type 2"},
        DlrCase{"Buffered", "id=42&type=4", DeliveryState::kBuffered, 42, "kannel type 4"},
        DlrCase{"SmscAccepted", "id=42&type=8", DeliveryState::kSent, 42, "kannel type 8"},
        DlrCase{"SmscRejected", "id=42&type=16", DeliveryState::kFailed, 42, "kannel type 16"},
        DlrCase{"LargeId", "type=1&id=900000000000000001", DeliveryState::kDelivered,
                900000000000000001, "kannel type 1"},
        DlrCase{"RepeatedKeepsFirst", "id=7&type=8&id=9&type=1", DeliveryState::kSent, 7,
                "kannel type 8"}),
    [](const auto& info) { return info.param.name; });

std::vector<BadCase> InvalidDlrCases() {
  return {
      {"UnknownType", "id=42&type=3", "unknown value of field: type"},
      {"IntermediateType", "id=42&type=32", "unknown value of field: type"},
      {"ZeroType", "id=42&type=0", "unknown value of field: type"},
      {"NonNumericType", "id=42&type=%25d", "invalid value of field: type"},
      {"MissingType", "id=42", "missing field: type"},
      {"MissingId", "type=1", "missing field: id"},
      {"NonNumericId", "id=abc&type=1", "invalid value of field: id"},
      {"NegativeId", "id=-4&type=1", "invalid value of field: id"},
      {"ZeroId", "id=0&type=1", "invalid value of field: id"},
      {"EmptyId", "id=&type=1", "invalid value of field: id"},
      {"HugeId", "id=99999999999999999999&type=1", "invalid value of field: id"},
      {"MalformedEscape", "id=4%2&type=1", "malformed %-escape in the query"},
  };
}

class KannelDlrInvalidTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(KannelDlrInvalidTest, RejectsNamingTheField) {
  const BadCase& c = GetParam();
  Result<std::vector<DeliveryReport>> reports =
      Kannel()->ParseStatus(Get("/channels/kannel-ke/status", "key=s3cr3t&" + c.query));
  ASSERT_FALSE(reports.ok());
  EXPECT_EQ(reports.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(reports.status().message(), c.message);
}

INSTANTIATE_TEST_SUITE_P(Recorded, KannelDlrInvalidTest, ::testing::ValuesIn(InvalidDlrCases()),
                         [](const auto& info) { return info.param.name; });

// --- sending ---

// The query of a built sendsms URL.
std::string QueryOf(const HttpCall& call) {
  size_t q = call.url.find('?');
  return q == std::string::npos ? "" : call.url.substr(q + 1);
}

std::string Param(const HttpCall& call, std::string_view name) {
  Result<std::string> v = QueryParam(QueryOf(call), name);
  return v.ok() ? *v : "<absent>";
}

TEST(KannelSendTest, Gsm7TextGoesAsUtf8WithoutCoding) {
  HttpCall call = Kannel()->BuildSend({42, "+254700000001", "Umeweka KES 500. Salio: KES 2,500"});
  EXPECT_EQ(call.method, "GET");
  EXPECT_EQ(call.url,
            "http://127.0.0.1:13013/cgi-bin/sendsms?username=shg&password=p%40ss%26word%3D1"
            "&to=%2B254700000001&from=SHG&text=Umeweka%20KES%20500.%20Salio%3A%20KES%202%2C500"
            "&dlr-mask=27&dlr-url=https%3A%2F%2Fgw.example.org%2Fchannels%2Fkannel-ke%2Fstatus"
            "%3Fkey%3Ds3cr3t%26id%3D42%26type%3D%25d");
  EXPECT_EQ(call.body, "");
  EXPECT_EQ(call.content_type, "");
  EXPECT_EQ(call.basic_user, "");
}

TEST(KannelSendTest, Gsm7ExtensionCharacterStaysSevenBit) {
  HttpCall call = Kannel()->BuildSend({1, "+254700000001", "Ada \xE2\x82\xAC" "5 {ok}"});
  EXPECT_EQ(Param(call, "text"), "Ada \xE2\x82\xAC" "5 {ok}");
  EXPECT_EQ(Param(call, "coding"), "<absent>");
  EXPECT_EQ(Param(call, "charset"), "<absent>");
}

struct Ucs2Case {
  std::string name;
  std::string text;
  std::string encoded;  // the text parameter exactly as it appears in the URL
  std::string bytes;    // decoded: UTF-16BE
};

void PrintTo(const Ucs2Case& c, std::ostream* os) { *os << c.name; }

class KannelUcs2Test : public ::testing::TestWithParam<Ucs2Case> {};

TEST_P(KannelUcs2Test, PreEncodesUtf16BeWithCoding2AndNoCharset) {
  const Ucs2Case& c = GetParam();
  HttpCall call = Kannel()->BuildSend({7, "+254700000001", c.text});
  EXPECT_NE(call.url.find("&text=" + c.encoded + "&coding=2&"), std::string::npos) << call.url;
  EXPECT_EQ(Param(call, "text"), c.bytes);
  EXPECT_EQ(Param(call, "coding"), "2");
  EXPECT_EQ(Param(call, "charset"), "<absent>");
}

INSTANTIATE_TEST_SUITE_P(
    Texts, KannelUcs2Test,
    ::testing::Values(
        // न म स ् त े = U+0928 U+092E U+0938 U+094D U+0924 U+0947; 0x2E '.', 0x38 '8',
        // 0x4D 'M', 0x47 'G' are unreserved and stay literal.
        Ucs2Case{"Hindi",
                 "\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87",
                 "%09%28%09.%098%09M%09%24%09G",
                 std::string("\x09\x28\x09\x2E\x09\x38\x09\x4D\x09\x24\x09\x47", 12)},
        // Swahili with a typographic apostrophe (U+2019 is not GSM-7).
        Ucs2Case{"SwahiliApostrophe", "Ng\xE2\x80\x99ombe",
                 "%00N%00g%20%19%00o%00m%00b%00e",
                 std::string("\x00N\x00g\x20\x19\x00o\x00m\x00" "b\x00" "e", 14)},
        Ucs2Case{"Emoji", "\xF0\x9F\x98\x80", "%D8%3D%DE%00",
                 std::string("\xD8\x3D\xDE\x00", 4)}),
    [](const auto& info) { return info.param.name; });

TEST(KannelSendTest, DlrUrlCarriesOurIdAndTypeEncodedOnce) {
  config::ChannelSettings s = KannelSettings();
  s.public_base_url = "https://gw.example.org/";
  s.callback_key = "k&y=1";
  HttpCall call = Kannel(s)->BuildSend({123456789, "+254700000001", "hi"});
  EXPECT_EQ(Param(call, "dlr-mask"), "27");
  // Decoded once: the URL Kannel will fetch, with %d for Kannel to fill and
  // the key encoded inside it.
  EXPECT_EQ(Param(call, "dlr-url"),
            "https://gw.example.org/channels/kannel-ke/status?key=k%26y%3D1&id=123456789"
            "&type=%d");
  EXPECT_EQ(call.url.find("%2525d"), std::string::npos);
  EXPECT_NE(call.url.find("type%3D%25d"), std::string::npos);
}

TEST(KannelSendTest, NoPublicBaseUrlMeansNoReports) {
  config::ChannelSettings s = KannelSettings();
  s.public_base_url = "";
  HttpCall call = Kannel(s)->BuildSend({1, "+254700000001", "hi"});
  EXPECT_EQ(Param(call, "dlr-url"), "<absent>");
  EXPECT_EQ(Param(call, "dlr-mask"), "<absent>");
}

TEST(KannelSendTest, NoSenderMeansNoFrom) {
  config::ChannelSettings s = KannelSettings();
  s.sender = "";
  HttpCall call = Kannel(s)->BuildSend({1, "+254700000001", "hi"});
  EXPECT_EQ(Param(call, "from"), "<absent>");
  EXPECT_EQ(Param(call, "to"), "+254700000001");
}

TEST(KannelSendTest, PasswordOnlyInItsParameter) {
  HttpCall call = Kannel()->BuildSend({5, "+254700000001", "hi"});
  const std::string encoded = UrlEncode(kPassword);
  size_t at = call.url.find(encoded);
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(call.url.substr(at - 9, 9), "password=");
  EXPECT_EQ(call.url.find(encoded, at + 1), std::string::npos);
  EXPECT_EQ(call.url.find(kPassword), std::string::npos);  // never raw
  EXPECT_EQ(Param(call, "password"), kPassword);
  EXPECT_EQ(Param(call, "dlr-url").find(encoded), std::string::npos);
  EXPECT_EQ(call.body.find(kPassword), std::string::npos);
  EXPECT_EQ(call.basic_password, "");
  for (const auto& [name, value] : call.headers) {
    EXPECT_EQ(value.find(kPassword), std::string::npos) << name;
  }
}

// --- classification ---

struct ClassCase {
  std::string name;
  HttpOutcome outcome;
  SendClass cls;
  std::string reason_has;
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

class KannelClassifyTest : public ::testing::TestWithParam<ClassCase> {};

TEST_P(KannelClassifyTest, Classifies) {
  const ClassCase& c = GetParam();
  SendResult r = Kannel()->ClassifySend(c.outcome);
  EXPECT_EQ(SendClassName(r.cls), std::string(SendClassName(c.cls)));
  EXPECT_EQ(r.provider_message_id, "");
  EXPECT_NE(r.reason.find(c.reason_has), std::string::npos) << r.reason;
  EXPECT_EQ(r.retry_after_s, c.retry_after_s);
  EXPECT_EQ(r.reason.find(kPassword), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Replies, KannelClassifyTest,
    ::testing::Values(
        ClassCase{"Accepted", Http(202, "0: Accepted for delivery"), SendClass::kAccepted,
                  "accepted"},
        ClassCase{"AcceptedWith200", Http(200, "0: Accepted for delivery\n"),
                  SendClass::kAccepted, "accepted"},
        ClassCase{"Queued", Http(202, "3: Queued for later delivery"), SendClass::kAccepted,
                  "queued"},
        ClassCase{"OldKannelSent", Http(202, "Sent."), SendClass::kAccepted, "accepted"},
        ClassCase{"NotKannel", Http(200, "<html>It works</html>"), SendClass::kPermanent,
                  "unexpected reply"},
        ClassCase{"NotRoutable", Http(403, "Not routable. Do not try again."),
                  SendClass::kPermanent, "not routable"},
        ClassCase{"AuthFailed", Http(403, "Authorization failed for sendsms"),
                  SendClass::kPermanent, "credentials"},
        ClassCase{"MissingReceiver", Http(400, "Missing receiver number, rejected"),
                  SendClass::kPermanent, "missing receiver"},
        ClassCase{"CharsetRejected", Http(400, "Charset or body misformed, rejected"),
                  SendClass::kPermanent, "charset"},
        ClassCase{"Denied", Http(400, "Number(s) has/have been denied by white- and/or "
                                      "black-lists."),
                  SendClass::kPermanent, "white/black list"},
        ClassCase{"Other4xxDoesNotEchoBody", Http(404, "no such page: secret-ish"),
                  SendClass::kPermanent, "HTTP 404 rejected"},
        ClassCase{"Temporal", Http(503, "Temporal failure, try again later."),
                  SendClass::kRetryable, "HTTP 503"},
        ClassCase{"SendingFailed", Http(500, "Sending failed."), SendClass::kRetryable,
                  "HTTP 500"},
        ClassCase{"Throttled", Http(429, "", {{"retry-after", "30"}}), SendClass::kThrottled,
                  "throttled", 30},
        ClassCase{"Timeout", Failed(TransportFailure::kTimeout), SendClass::kRetryable,
                  "timeout"},
        ClassCase{"Connect", Failed(TransportFailure::kConnect), SendClass::kRetryable,
                  "connect"},
        ClassCase{"Tls", Failed(TransportFailure::kTls), SendClass::kPermanent, "TLS"},
        ClassCase{"Redirect", Http(302, ""), SendClass::kPermanent, "HTTP 302"}),
    [](const auto& info) { return info.param.name; });

// --- sends performed against a real loopback server ---

struct LoopCase {
  std::string name;
  testing::ScriptedResponse response;
  SendClass cls;
};

void PrintTo(const LoopCase& c, std::ostream* os) { *os << c.name; }

class KannelLoopbackTest : public ::testing::TestWithParam<LoopCase> {};

TEST_P(KannelLoopbackTest, PerformsAndClassifies) {
  const LoopCase& c = GetParam();
  testing::ScriptedServer server;
  server.Push(c.response);
  config::ChannelSettings s = KannelSettings();
  s.api_base_url = server.base_url();
  std::unique_ptr<Adapter> adapter = Kannel(s);

  outbound::TransportOptions options;
  options.connect_timeout_ms = 1000;
  options.total_timeout_ms = 1000;  // the "Slow" case answers after 2500 ms
  outbound::Transport transport;
  HttpOutcome outcome =
      transport.Perform(adapter->BuildSend({77, "+254700000001", "Asante"}), options);
  SendResult r = adapter->ClassifySend(outcome);
  EXPECT_EQ(SendClassName(r.cls), std::string(SendClassName(c.cls))) << r.reason;

  ASSERT_TRUE(server.WaitForRequests(1, std::chrono::milliseconds(2000)));
  http::Request got = server.Requests().front();
  EXPECT_EQ(got.method, "GET");
  EXPECT_EQ(got.path, "/cgi-bin/sendsms");
  EXPECT_EQ(*QueryParam(got.query, "username"), "shg");
  EXPECT_EQ(*QueryParam(got.query, "password"), kPassword);
  EXPECT_EQ(*QueryParam(got.query, "to"), "+254700000001");
  EXPECT_EQ(*QueryParam(got.query, "text"), "Asante");
  EXPECT_EQ(*QueryParam(got.query, "dlr-url"),
            "https://gw.example.org/channels/kannel-ke/status?key=s3cr3t&id=77&type=%d");
}

INSTANTIATE_TEST_SUITE_P(
    Scripted, KannelLoopbackTest,
    ::testing::Values(
        LoopCase{"Accepted", {202, "0: Accepted for delivery", "text/html", {}, 0},
                 SendClass::kAccepted},
        LoopCase{"Queued", {202, "3: Queued for later delivery", "text/html", {}, 0},
                 SendClass::kAccepted},
        LoopCase{"Rejected", {400, "Missing receiver number, rejected", "text/html", {}, 0},
                 SendClass::kPermanent},
        LoopCase{"NotRoutable", {403, "Not routable. Do not try again.", "text/html", {}, 0},
                 SendClass::kPermanent},
        LoopCase{"Throttled", {429, "", "text/plain", {{"Retry-After", "5"}}, 0},
                 SendClass::kThrottled},
        LoopCase{"Temporal", {503, "Temporal failure, try again later.", "text/html", {}, 0},
                 SendClass::kRetryable},
        LoopCase{"Slow", {202, "0: Accepted for delivery", "text/html", {}, 2500},
                 SendClass::kRetryable}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace shg::channels
