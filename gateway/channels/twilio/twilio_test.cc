// The Twilio adapter: X-Twilio-Signature (Twilio's published vector and the
// vectors of twilio-python's tests/unit/test_request_validator.py), recorded
// inbound SMS webhooks and status callbacks, the send request, the
// classification of send outcomes, and sends performed against a real
// loopback server (tests/support/scripted_server.h) with the libcurl
// transport.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "gateway/channels/form.h"
#include "gateway/channels/twilio/adapter.h"
#include "gateway/channels/twilio/signature.h"
#include "gateway/outbound/transport.h"
#include "tests/support/scripted_server.h"

namespace shg::channels {
namespace {

// ---------------------------------------------------------------------------
// Signature
// ---------------------------------------------------------------------------

constexpr std::string_view kVectorToken = "12345";
constexpr std::string_view kVectorUrl = "https://mycompany.com/myapp.php?foo=1&bar=2";

FormPairs PublishedParams() {
  return {{"CallSid", "CA1234567890ABCDE"},
          {"Caller", "+12349013030"},
          {"Digits", "1234"},
          {"From", "+12349013030"},
          {"To", "+18005551212"}};
}

// twilio-python's test parameters (note: not sorted).
FormPairs PythonParams() {
  return {{"CallSid", "CA1234567890ABCDE"},
          {"Digits", "1234"},
          {"From", "+14158675309"},
          {"To", "+18005551212"},
          {"Caller", "+14158675309"}};
}

TEST(TwilioSignatureTest, PublishedVector) {
  EXPECT_EQ(TwilioSignature(kVectorToken, kVectorUrl, PublishedParams()),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
  EXPECT_TRUE(ValidateTwilioSignature(kVectorToken, kVectorUrl, PublishedParams(),
                                      "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
}

struct VectorCase {
  std::string name;
  std::string url;
  FormPairs params;
  std::string expected;
};

// From twilio-python tests/unit/test_request_validator.py (recomputed here
// with Python's hmac module too).
std::vector<VectorCase> PythonVectors() {
  return {
      {"Basic", std::string(kVectorUrl), PythonParams(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
      {"RepeatedName", std::string(kVectorUrl),
       {{"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"}, {"Digits", "1234"}},
       "IK+Dwps556ElfBT0I3Rgjkr1wJU="},
      // A duplicate value counts once (sorted(set(values))).
      {"RepeatedNameDuplicateValue", std::string(kVectorUrl),
       {{"Digits", "1234"}, {"Sid", "CA123"}, {"Digits", "5678"}, {"SidAccount", "AC123"},
        {"Digits", "1234"}},
       "IK+Dwps556ElfBT0I3Rgjkr1wJU="},
      {"HttpWithPort", "http://mycompany.com:1234/myapp.php?foo=1&bar=2", PythonParams(),
       "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="},
      {"HttpsWithDefaultPort", "https://mycompany.com:443/myapp.php?foo=1&bar=2", PythonParams(),
       "kvajT1Ptam85bY51eRf/AJRuM3w="},
      {"HttpWithDefaultPort", "http://mycompany.com:80/myapp.php?foo=1&bar=2", PythonParams(),
       "0ZXoZLH/DfblKGATFgpif+LLRf4="},
  };
}

class TwilioSignatureVectorTest : public ::testing::TestWithParam<VectorCase> {};

TEST_P(TwilioSignatureVectorTest, Computes) {
  const VectorCase& c = GetParam();
  EXPECT_EQ(TwilioSignature(kVectorToken, c.url, c.params), c.expected);
  EXPECT_TRUE(ValidateTwilioSignature(kVectorToken, c.url, c.params, c.expected));
}

INSTANTIATE_TEST_SUITE_P(TwilioPython, TwilioSignatureVectorTest,
                         ::testing::ValuesIn(PythonVectors()),
                         [](const auto& info) { return info.param.name; });

TEST(TwilioSignatureTest, ParamOrderDoesNotMatter) {
  FormPairs params = PublishedParams();
  std::reverse(params.begin(), params.end());
  EXPECT_EQ(TwilioSignature(kVectorToken, kVectorUrl, params), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
  std::rotate(params.begin(), params.begin() + 2, params.end());
  EXPECT_TRUE(ValidateTwilioSignature(kVectorToken, kVectorUrl, params,
                                      "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
}

TEST(TwilioSignatureTest, RepeatedValuesAreSortedAndEveryCopyVariantAccepted) {
  FormPairs params = {{"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"},
                      {"Digits", "1234"}, {"Digits", "1234"}};
  // Appending every copy ("Digits1234Digits1234Digits5678"), as the spec's
  // wording allows; computed with Python's hmac.
  EXPECT_TRUE(ValidateTwilioSignature(kVectorToken, kVectorUrl, params,
                                      "tM//N+MVWOh7+ol2z8YCNxSY0Eg="));
  EXPECT_TRUE(ValidateTwilioSignature(kVectorToken, kVectorUrl, params,
                                      "IK+Dwps556ElfBT0I3Rgjkr1wJU="));
  // Without the duplicate, only the deduplicated string is a candidate.
  params.pop_back();
  EXPECT_FALSE(ValidateTwilioSignature(kVectorToken, kVectorUrl, params,
                                       "tM//N+MVWOh7+ol2z8YCNxSY0Eg="));
  // Dropping one of the distinct values breaks it.
  FormPairs missing = {{"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"}};
  EXPECT_FALSE(ValidateTwilioSignature(kVectorToken, kVectorUrl, missing,
                                       "IK+Dwps556ElfBT0I3Rgjkr1wJU="));
}

struct PortCase {
  std::string name;
  std::string url;        // the URL we reconstruct
  std::string signature;  // what Twilio sent (twilio-python vectors)
  bool valid;
};

std::vector<PortCase> PortCases() {
  return {
      {"HttpsAsIs", std::string(kVectorUrl), "RSOYDt4T1cUTdK1PDd93/VVr8B8=", true},
      // Twilio signed with :443, we see no port.
      {"HttpsDefaultPortAdded", std::string(kVectorUrl), "kvajT1Ptam85bY51eRf/AJRuM3w=", true},
      // Twilio signed without a port, we see one.
      {"HttpsPortRemoved", "https://mycompany.com:1234/myapp.php?foo=1&bar=2",
       "RSOYDt4T1cUTdK1PDd93/VVr8B8=", true},
      {"HttpsDefaultPortRemoved", "https://mycompany.com:443/myapp.php?foo=1&bar=2",
       "RSOYDt4T1cUTdK1PDd93/VVr8B8=", true},
      {"HttpWithPortAsIs", "http://mycompany.com:1234/myapp.php?foo=1&bar=2",
       "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=", true},
      {"HttpDefaultPortAdded", "http://mycompany.com/myapp.php?foo=1&bar=2",
       "0ZXoZLH/DfblKGATFgpif+LLRf4=", true},
      // The scheme is signed: an https signature does not fit the http URL.
      {"HttpsSignatureOnHttpUrl", "http://mycompany.com/myapp.php?foo=1&bar=2",
       "RSOYDt4T1cUTdK1PDd93/VVr8B8=", false},
      {"HttpSignatureOnHttpsUrl", std::string(kVectorUrl), "0ZXoZLH/DfblKGATFgpif+LLRf4=", false},
      // Only the scheme's default port is added (:80 is not tried for https).
      {"WrongDefaultPort", std::string(kVectorUrl), "0ZXoZLH/DfblKGATFgpif+LLRf4=", false},
      {"OtherHost", "https://evil.example/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
       false},
      {"OtherQuery", "https://mycompany.com/myapp.php?foo=1&bar=3", "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
       false},
  };
}

class TwilioSignaturePortTest : public ::testing::TestWithParam<PortCase> {};

TEST_P(TwilioSignaturePortTest, Validates) {
  const PortCase& c = GetParam();
  EXPECT_EQ(ValidateTwilioSignature(kVectorToken, c.url, PythonParams(), c.signature), c.valid);
}

INSTANTIATE_TEST_SUITE_P(Variants, TwilioSignaturePortTest, ::testing::ValuesIn(PortCases()),
                         [](const auto& info) { return info.param.name; });

TEST(TwilioSignatureTest, UrlPortVariants) {
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(TwilioUrlPortVariants("https://a.example/x?y=1"),
            P("https://a.example:443/x?y=1", "https://a.example/x?y=1"));
  EXPECT_EQ(TwilioUrlPortVariants("http://a.example?y=1"),
            P("http://a.example:80?y=1", "http://a.example?y=1"));
  EXPECT_EQ(TwilioUrlPortVariants("HTTPS://a.example"),
            P("HTTPS://a.example:443", "HTTPS://a.example"));
  EXPECT_EQ(TwilioUrlPortVariants("https://a.example:8443/x"),
            P("https://a.example:8443/x", "https://a.example/x"));
  EXPECT_EQ(TwilioUrlPortVariants("https://[::1]:8443/x"),
            P("https://[::1]:8443/x", "https://[::1]/x"));
  EXPECT_EQ(TwilioUrlPortVariants("https://[::1]/x"),
            P("https://[::1]:443/x", "https://[::1]/x"));
  EXPECT_EQ(TwilioUrlPortVariants("https://u:pw@a.example/x"),
            P("https://u:pw@a.example:443/x", "https://u:pw@a.example/x"));
  EXPECT_EQ(TwilioUrlPortVariants("https://a.example/x?u=a:b@c:1"),
            P("https://a.example:443/x?u=a:b@c:1", "https://a.example/x?u=a:b@c:1"));
  EXPECT_EQ(TwilioUrlPortVariants("ftp://a.example/x"),
            P("ftp://a.example/x", "ftp://a.example/x"));
  EXPECT_EQ(TwilioUrlPortVariants("/no/scheme"), P("/no/scheme", "/no/scheme"));
}

TEST(TwilioSignatureTest, Rejections) {
  const std::string good = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";
  ASSERT_TRUE(ValidateTwilioSignature(kVectorToken, kVectorUrl, PublishedParams(), good));
  EXPECT_FALSE(ValidateTwilioSignature("12346", kVectorUrl, PublishedParams(), good));
  EXPECT_FALSE(ValidateTwilioSignature("", kVectorUrl, PublishedParams(), good));
  EXPECT_FALSE(ValidateTwilioSignature(kVectorToken, kVectorUrl, PublishedParams(), ""));
  EXPECT_FALSE(ValidateTwilioSignature(kVectorToken, kVectorUrl, PublishedParams(), good + " "));
  EXPECT_FALSE(ValidateTwilioSignature(kVectorToken, kVectorUrl, PublishedParams(),
                                       good.substr(0, good.size() - 1)));
  EXPECT_FALSE(ValidateTwilioSignature(kVectorToken, kVectorUrl, PublishedParams(),
                                       "0/KCTR6DLpKmkAf8muzZqo1nDgq="));  // one case flipped

  FormPairs tampered = PublishedParams();
  tampered[2].second = "1235";  // Digits
  EXPECT_FALSE(ValidateTwilioSignature(kVectorToken, kVectorUrl, tampered, good));
  FormPairs renamed = PublishedParams();
  renamed[2].first = "digits";
  EXPECT_FALSE(ValidateTwilioSignature(kVectorToken, kVectorUrl, renamed, good));
  FormPairs extra = PublishedParams();
  extra.emplace_back("Body", "");  // even an empty extra parameter is signed
  EXPECT_FALSE(ValidateTwilioSignature(kVectorToken, kVectorUrl, extra, good));
  FormPairs fewer = PublishedParams();
  fewer.pop_back();
  EXPECT_FALSE(ValidateTwilioSignature(kVectorToken, kVectorUrl, fewer, good));
  EXPECT_FALSE(ValidateTwilioSignature(kVectorToken, kVectorUrl, {}, good));
}

TEST(TwilioFormPairsTest, KeepsEveryPairDecoded) {
  Result<FormPairs> pairs = DecodeFormPairs("a=1&b=x+y&a=%C3%A9&&c&d=&%41=%2B&e=1=2");
  ASSERT_TRUE(pairs.ok()) << pairs.status().ToString();
  FormPairs expected = {{"a", "1"}, {"b", "x y"},  {"a", "\xC3\xA9"}, {"c", ""},
                        {"d", ""},  {"A", "+"},    {"e", "1=2"}};
  EXPECT_EQ(*pairs, expected);
  EXPECT_TRUE(DecodeFormPairs("")->empty());
  EXPECT_FALSE(DecodeFormPairs("a=%2").ok());
  EXPECT_FALSE(DecodeFormPairs("a%zz=1").ok());
}

// ---------------------------------------------------------------------------
// The adapter
// ---------------------------------------------------------------------------

constexpr std::string_view kSid = "AC00000000000000000000000000000001";
constexpr std::string_view kToken = "tw-auth-token-1";
constexpr std::string_view kMessageSid = "SM0123456789abcdef0123456789abcdef";

config::ChannelSettings Settings() {
  config::ChannelSettings s;
  s.id = "tw-ke";
  s.type = "twilio";
  s.country = "KE";
  s.callback_key = "k3y";
  s.username = std::string(kSid);
  s.secret = std::string(kToken);
  s.sender = "+15005550006";
  s.public_base_url = "https://gw.example.org";
  return s;
}

// A recorded inbound SMS webhook body (fields in Twilio's order, empty geo
// fields included, the text "Save 500 é & 50%").
const std::string kInboundBody =
    "ToCountry=US&ToState=CA&SmsMessageSid=SM0123456789abcdef0123456789abcdef&NumMedia=0"
    "&ToCity=&FromZip=&SmsSid=SM0123456789abcdef0123456789abcdef&FromState=&SmsStatus=received"
    "&FromCity=&Body=Save+500+%C3%A9+%26+50%25&FromCountry=KE&To=%2B15005550006&ToZip="
    "&NumSegments=1&MessageSid=SM0123456789abcdef0123456789abcdef"
    "&AccountSid=AC00000000000000000000000000000001&From=%2B254700000001&ApiVersion=2010-04-01";
// Its signature with kToken, computed independently with Python's hmac over
// urllib.parse.parse_qsl(body, keep_blank_values=True).
constexpr std::string_view kInboundSignatureWithKey = "zv5WMOGmpi7uu7Dwg/R0jwV8ijc=";  // ?key=k3y
constexpr std::string_view kInboundSignatureNoKey = "7L7gKly4wRorJU+AR4SHOckEx5E=";

http::Request Post(std::string target, std::string body, std::string signature = "") {
  http::Request r;
  r.method = "POST";
  r.target = target;
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  r.query = q == std::string::npos ? "" : target.substr(q + 1);
  r.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
  if (!signature.empty()) r.headers.emplace_back("x-twilio-signature", std::move(signature));
  r.body = std::move(body);
  r.remote_address = "127.0.0.1";
  return r;
}

// A request signed the way Twilio would for public URL `signed_base` +
// target.
http::Request SignedPost(const std::string& signed_base, const std::string& target,
                         const std::string& body, std::string_view token = kToken) {
  // A malformed body is signed as if it had no parameters.
  Result<FormPairs> params = DecodeFormPairs(body);
  return Post(target, body,
              TwilioSignature(token, signed_base + target, params.ok() ? *params : FormPairs{}));
}

TEST(TwilioAuthenticateTest, RecordedWebhookWithIndependentSignature) {
  TwilioAdapter adapter(Settings());
  EXPECT_TRUE(adapter.Authenticate(Post("/channels/tw-ke/sms?key=k3y", kInboundBody,
                                        std::string(kInboundSignatureWithKey))));
  EXPECT_FALSE(adapter.Authenticate(Post("/channels/tw-ke/sms?key=k3y", kInboundBody)))
      << "missing header";
  EXPECT_FALSE(adapter.Authenticate(Post("/channels/tw-ke/sms?key=k3y", kInboundBody,
                                         std::string(kInboundSignatureNoKey))))
      << "signature over another URL";
  // The body changed by one byte ("Save 501").
  std::string tampered = kInboundBody;
  tampered.replace(tampered.find("Save+500"), 8, "Save+501");
  EXPECT_FALSE(adapter.Authenticate(
      Post("/channels/tw-ke/sms?key=k3y", tampered, std::string(kInboundSignatureWithKey))));
  // An added parameter.
  EXPECT_FALSE(adapter.Authenticate(Post("/channels/tw-ke/sms?key=k3y", kInboundBody + "&X=1",
                                         std::string(kInboundSignatureWithKey))));

  config::ChannelSettings no_key = Settings();
  no_key.callback_key = "";
  TwilioAdapter keyless(no_key);
  EXPECT_TRUE(keyless.Authenticate(
      Post("/channels/tw-ke/sms", kInboundBody, std::string(kInboundSignatureNoKey))));
}

struct AuthCase {
  std::string name;
  http::Request request;
  bool valid;
  std::string callback_key = "k3y";
  std::string public_base_url = "https://gw.example.org";
  std::string secret = std::string(kToken);
};

std::vector<AuthCase> AuthCases() {
  const std::string base = "https://gw.example.org";
  const std::string target = "/channels/tw-ke/status?key=k3y";
  const std::string status =
      "MessageSid=SM0123456789abcdef0123456789abcdef&MessageStatus=delivered"
      "&AccountSid=AC00000000000000000000000000000001&From=%2B15005550006&To=%2B254700000001"
      "&ApiVersion=2010-04-01&SmsStatus=delivered&SmsSid=SM0123456789abcdef0123456789abcdef";
  http::Request get = SignedPost(base, "/channels/tw-ke/sms?key=k3y&From=%2B254700000001", "");
  get.method = "GET";
  get.body = "";
  return {
      {"Valid", SignedPost(base, target, status), true},
      {"SignedWithDefaultPort", SignedPost(base + ":443", target, status), true},
      {"TrailingSlashInBaseUrl", SignedPost(base, target, status), true, "k3y",
       "https://gw.example.org/"},
      {"WrongToken", SignedPost(base, target, status, "another-token"), false},
      {"HttpSchemeSigned", SignedPost("http://gw.example.org", target, status), false},
      {"OtherHostSigned", SignedPost("https://evil.example", target, status), false},
      {"SignedButWrongKey",
       SignedPost(base, "/channels/tw-ke/status?key=nope", status), false},
      {"SignedButNoKey", SignedPost(base, "/channels/tw-ke/status", status), false},
      {"SignedNoKeyAndNoneConfigured", SignedPost(base, "/channels/tw-ke/status", status), true,
       ""},
      {"MissingHeader", Post(target, status), false},
      {"MalformedBody", SignedPost(base, target, "MessageSid=SM1&Body=%zz"), false},
      {"EmptyPublicBaseUrl", SignedPost("", target, status), false, "k3y", ""},
      {"EmptySecret", SignedPost(base, target, status, ""), false, "k3y", base, ""},
      // GET: the parameters are in the signed URL; nothing is appended.
      {"GetSignsUrlOnly", get, true},
  };
}

class TwilioAuthTest : public ::testing::TestWithParam<AuthCase> {};

TEST_P(TwilioAuthTest, Authenticates) {
  const AuthCase& c = GetParam();
  config::ChannelSettings s = Settings();
  s.callback_key = c.callback_key;
  s.public_base_url = c.public_base_url;
  s.secret = c.secret;
  TwilioAdapter adapter(s);
  EXPECT_EQ(adapter.Authenticate(c.request), c.valid);
}

INSTANTIATE_TEST_SUITE_P(Callbacks, TwilioAuthTest, ::testing::ValuesIn(AuthCases()),
                         [](const auto& info) { return info.param.name; });

// --- inbound SMS ---

TEST(TwilioInboundTest, RecordedWebhook) {
  TwilioAdapter adapter(Settings());
  Result<InboundSms> sms = adapter.ParseInboundSms(Post("/channels/tw-ke/sms", kInboundBody));
  ASSERT_TRUE(sms.ok()) << sms.status().ToString();
  EXPECT_EQ(sms->channel, "tw-ke");
  EXPECT_EQ(sms->provider_id, kMessageSid);
  EXPECT_EQ(sms->from, "+254700000001");
  EXPECT_EQ(sms->to, "+15005550006");
  EXPECT_EQ(sms->text, "Save 500 \xC3\xA9 & 50%");
  EXPECT_EQ(sms->received_at, 0);
}

struct InboundCase {
  std::string name;
  std::string body;
  std::string error;  // "" = valid
  std::string provider_id = std::string(kMessageSid);
  std::string from = "+254700000001";
  std::string to = "+15005550006";
  std::string text = "Hi";
};

std::vector<InboundCase> InboundCases() {
  const std::string sid = "MessageSid=" + std::string(kMessageSid);
  const std::string from = "&From=%2B254700000001";
  const std::string to = "&To=%2B15005550006";
  return {
      {"Minimal", sid + from + to + "&Body=Hi", ""},
      {"SmsSidOnly", "SmsSid=SMold" + from + to + "&Body=Hi", "", "SMold"},
      {"MessageSidWins", "SmsSid=SMold&" + sid + from + to + "&Body=Hi", ""},
      {"NoTo", sid + from + "&Body=Hi", "", std::string(kMessageSid), "+254700000001", ""},
      {"NoBody", sid + from + to, "", std::string(kMessageSid), "+254700000001", "+15005550006",
       ""},
      {"EmptyBody", sid + from + to + "&Body=", "", std::string(kMessageSid), "+254700000001",
       "+15005550006", ""},
      {"WhatsAppAddress", sid + "&From=whatsapp%3A%2B254700000001" + to + "&Body=Hi", "",
       std::string(kMessageSid), "whatsapp:+254700000001"},
      {"UnknownParams", sid + from + to + "&Body=Hi&NumMedia=0&FutureParam=x&MediaUrl0=", ""},
      {"RepeatedBodyKeepsFirst", sid + from + to + "&Body=Hi&Body=Other", ""},
      {"BodyAtLimit", sid + from + to + "&Body=" + std::string(4800, 'a'), "",
       std::string(kMessageSid), "+254700000001", "+15005550006", std::string(4800, 'a')},
      {"BodyUtf8AtLimit", sid + from + to + "&Body=" + [] {
         std::string s;
         for (int i = 0; i < 1600; ++i) s += "%E2%82%AC";  // the euro sign, 3 bytes
         return s;
       }(),
       "", std::string(kMessageSid), "+254700000001", "+15005550006",
       [] {
         std::string s;
         for (int i = 0; i < 1600; ++i) s += "\xE2\x82\xAC";
         return s;
       }()},
      {"BodyTooLong", sid + from + to + "&Body=" + std::string(4801, 'a'),
       "field too long: Body"},
      {"BodyInvalidUtf8", sid + from + to + "&Body=%C3%28", "invalid characters in field: Body"},
      {"MissingMessageSid", from.substr(1) + to + "&Body=Hi", "missing field: MessageSid"},
      {"EmptyMessageSid", "MessageSid=" + from + to + "&Body=Hi", "empty field: MessageSid"},
      {"MessageSidTooLong", "MessageSid=" + std::string(65, 'S') + from + to,
       "field too long: MessageSid"},
      {"MessageSidControlChar", "MessageSid=SM%0A1" + from + to,
       "invalid characters in field: MessageSid"},
      {"MissingFrom", sid + to + "&Body=Hi", "missing field: From"},
      {"EmptyFrom", sid + "&From=" + to + "&Body=Hi", "empty field: From"},
      {"FromNotAscii", sid + "&From=%C3%A9" + to, "invalid characters in field: From"},
      {"ToTooLong", sid + from + "&To=" + std::string(65, '1'), "field too long: To"},
      {"MalformedEscape", sid + from + to + "&Body=100%", "malformed"},
      {"EmptyBodyOfRequest", "", "missing field: MessageSid"},
  };
}

class TwilioInboundCaseTest : public ::testing::TestWithParam<InboundCase> {};

TEST_P(TwilioInboundCaseTest, Parses) {
  const InboundCase& c = GetParam();
  TwilioAdapter adapter(Settings());
  Result<InboundSms> sms = adapter.ParseInboundSms(Post("/channels/tw-ke/sms", c.body));
  if (!c.error.empty()) {
    ASSERT_FALSE(sms.ok());
    EXPECT_EQ(sms.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(sms.status().message().find(c.error), std::string::npos) << sms.status().ToString();
    // Never a value in the message.
    EXPECT_EQ(sms.status().message().find("254700000001"), std::string::npos);
    EXPECT_EQ(sms.status().message().find("aaaa"), std::string::npos);
    return;
  }
  ASSERT_TRUE(sms.ok()) << sms.status().ToString();
  EXPECT_EQ(sms->channel, "tw-ke");
  EXPECT_EQ(sms->provider_id, c.provider_id);
  EXPECT_EQ(sms->from, c.from);
  EXPECT_EQ(sms->to, c.to);
  EXPECT_EQ(sms->text, c.text);
}

INSTANTIATE_TEST_SUITE_P(Recorded, TwilioInboundCaseTest, ::testing::ValuesIn(InboundCases()),
                         [](const auto& info) { return info.param.name; });

TEST(TwilioInboundTest, GetWebhookReadsTheQuery) {
  TwilioAdapter adapter(Settings());
  http::Request r = Post("/channels/tw-ke/sms?key=k3y&MessageSid=SMget&From=%2B254700000001&Body=Hi",
                         "");
  r.method = "GET";
  Result<InboundSms> sms = adapter.ParseInboundSms(r);
  ASSERT_TRUE(sms.ok()) << sms.status().ToString();
  EXPECT_EQ(sms->provider_id, "SMget");
  EXPECT_EQ(sms->from, "+254700000001");
  EXPECT_EQ(sms->text, "Hi");
}

TEST(TwilioInboundTest, AckIsEmptyTwiml) {
  TwilioAdapter adapter(Settings());
  http::Response ack = adapter.InboundSmsAck();
  EXPECT_EQ(ack.status, 200);
  EXPECT_EQ(ack.content_type, "text/xml");
  EXPECT_EQ(ack.body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>");
}

TEST(TwilioInboundTest, NoUssd) {
  TwilioAdapter adapter(Settings());
  Result<UssdCallback> r = adapter.ParseUssd(Post("/channels/tw-ke/ussd", "a=1"), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
}

TEST(TwilioTwimlTest, MessageIsEscaped) {
  const std::string head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>";
  const std::string tail = "</Message></Response>";
  struct Case {
    std::string text;
    std::string escaped;
  };
  const std::vector<Case> cases = {
      {"Saved KES 500. Balance KES 2,000", "Saved KES 500. Balance KES 2,000"},
      {"", ""},
      {"a & b < c > d \"e\" 'f'", "a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;"},
      {"</Message><Redirect>x</Redirect>", "&lt;/Message&gt;&lt;Redirect&gt;x&lt;/Redirect&gt;"},
      {"&amp;", "&amp;amp;"},
      {"\xC3\xA9t\xC3\xA9 \xE2\x82\xAC", "\xC3\xA9t\xC3\xA9 \xE2\x82\xAC"},
      {"line1\nline2\r\tend", "line1\nline2\r\tend"},
      {std::string("a\x01" "b\x1f" "c\x00" "d", 7), "abcd"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(TwimlMessage(c.text), head + c.escaped + tail) << c.escaped;
  }
}

// --- status callbacks ---

std::string StatusBody(std::string_view status, std::string_view extra = "") {
  return "SmsSid=SM0123456789abcdef0123456789abcdef&SmsStatus=" + std::string(status) +
         "&MessageStatus=" + std::string(status) +
         "&To=%2B254700000001&MessageSid=SM0123456789abcdef0123456789abcdef"
         "&AccountSid=AC00000000000000000000000000000001&From=%2B15005550006"
         "&ApiVersion=2010-04-01" +
         std::string(extra);
}

struct StatusCase {
  std::string status;
  DeliveryState state;
};

class TwilioStatusMapTest : public ::testing::TestWithParam<StatusCase> {};

TEST_P(TwilioStatusMapTest, Maps) {
  const StatusCase& c = GetParam();
  TwilioAdapter adapter(Settings());
  Result<std::vector<DeliveryReport>> reports =
      adapter.ParseStatus(Post("/channels/tw-ke/status?key=k3y", StatusBody(c.status)));
  ASSERT_TRUE(reports.ok()) << reports.status().ToString();
  ASSERT_EQ(reports->size(), 1u);
  const DeliveryReport& r = (*reports)[0];
  EXPECT_EQ(r.channel, "tw-ke");
  EXPECT_EQ(r.provider_message_id, kMessageSid);
  EXPECT_EQ(r.message_id, 0);
  EXPECT_EQ(r.state, c.state) << DeliveryStateName(r.state);
  EXPECT_EQ(r.provider_status, c.status);
  EXPECT_EQ(r.reason, "");
}

INSTANTIATE_TEST_SUITE_P(
    EveryStatus, TwilioStatusMapTest,
    ::testing::Values(StatusCase{"queued", DeliveryState::kBuffered},
                      StatusCase{"accepted", DeliveryState::kBuffered},
                      StatusCase{"scheduled", DeliveryState::kBuffered},
                      StatusCase{"sending", DeliveryState::kBuffered},
                      StatusCase{"sent", DeliveryState::kSent},
                      StatusCase{"delivered", DeliveryState::kDelivered},
                      StatusCase{"read", DeliveryState::kDelivered},
                      StatusCase{"partially_delivered", DeliveryState::kDelivered},
                      StatusCase{"undelivered", DeliveryState::kFailed},
                      StatusCase{"failed", DeliveryState::kFailed},
                      StatusCase{"canceled", DeliveryState::kFailed},
                      StatusCase{"Delivered", DeliveryState::kDelivered}),
    [](const auto& info) { return info.param.status; });

TEST(TwilioStatusTest, ErrorCodeBecomesReason) {
  TwilioAdapter adapter(Settings());
  Result<std::vector<DeliveryReport>> reports = adapter.ParseStatus(Post(
      "/channels/tw-ke/status", StatusBody("undelivered", "&ErrorCode=30003&ErrorMessage=Unreachable")));
  ASSERT_TRUE(reports.ok()) << reports.status().ToString();
  EXPECT_EQ((*reports)[0].state, DeliveryState::kFailed);
  EXPECT_EQ((*reports)[0].reason, "Twilio 30003");

  reports = adapter.ParseStatus(Post("/channels/tw-ke/status", StatusBody("delivered", "&ErrorCode=")));
  ASSERT_TRUE(reports.ok()) << reports.status().ToString();
  EXPECT_EQ((*reports)[0].reason, "");
}

TEST(TwilioStatusTest, Rejections) {
  TwilioAdapter adapter(Settings());
  struct Case {
    std::string body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {StatusBody("receiving"), "unknown value of field: MessageStatus"},
      {StatusBody("received"), "unknown value of field: MessageStatus"},
      {StatusBody("bogus"), "unknown value of field: MessageStatus"},
      {StatusBody(""), "empty field: MessageStatus"},
      {StatusBody(std::string(33, 'x')), "field too long: MessageStatus"},
      {"MessageSid=SM1&To=%2B254700000001", "missing field: MessageStatus"},
      {"MessageStatus=delivered&SmsSid=SM1", "missing field: MessageSid"},
      {"MessageSid=&MessageStatus=delivered", "empty field: MessageSid"},
      {StatusBody("failed", "&ErrorCode=" + std::string(17, '9')), "field too long: ErrorCode"},
      {StatusBody("failed", "&ErrorCode=3%0A"), "invalid characters in field: ErrorCode"},
      {"MessageSid=SM1&MessageStatus=%G0", "malformed"},
  };
  for (const Case& c : cases) {
    Result<std::vector<DeliveryReport>> r = adapter.ParseStatus(Post("/channels/tw-ke/status", c.body));
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos)
        << c.body << " -> " << r.status().ToString();
    EXPECT_EQ(r.status().message().find("bogus"), std::string::npos);
  }
}

// --- sending ---

std::string FormField(const std::string& body, std::string_view name) {
  Result<std::string> v = FormValue(body, name);
  return v.ok() ? *v : "<absent>";
}

TEST(TwilioSendTest, BuildSend) {
  TwilioAdapter adapter(Settings());
  HttpCall call = adapter.BuildSend({42, "+254700000001", "Saved KES 500 & more \xE2\x82\xAC"});
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.url,
            "https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000001/"
            "Messages.json");
  EXPECT_EQ(call.content_type, "application/x-www-form-urlencoded");
  ASSERT_EQ(call.headers.size(), 1u);
  EXPECT_EQ(call.headers[0], (std::pair<std::string, std::string>("Accept", "application/json")));
  EXPECT_EQ(call.basic_user, kSid);
  EXPECT_EQ(call.basic_password, kToken);

  Result<FormPairs> pairs = DecodeFormPairs(call.body);
  ASSERT_TRUE(pairs.ok());
  FormPairs expected = {
      {"To", "+254700000001"},
      {"From", "+15005550006"},
      {"Body", "Saved KES 500 & more \xE2\x82\xAC"},
      {"StatusCallback", "https://gw.example.org/channels/tw-ke/status?key=k3y"},
  };
  EXPECT_EQ(*pairs, expected);
  // The token is never in the URL, the body or a header.
  EXPECT_EQ(call.url.find(kToken), std::string::npos);
  EXPECT_EQ(call.body.find(kToken), std::string::npos);
  for (const auto& [k, v] : call.headers) EXPECT_EQ(v.find(kToken), std::string::npos);
}

TEST(TwilioSendTest, BuildSendVariants) {
  config::ChannelSettings s = Settings();
  s.api_base_url = "http://127.0.0.1:9/twilio/";
  s.public_base_url = "https://gw.example.org/";
  s.callback_key = "a b&c";
  s.sender = "MG0123456789abcdef0123456789ABCDEF";
  HttpCall call = TwilioAdapter(s).BuildSend({1, "+254700000001", "Hi"});
  EXPECT_EQ(call.url,
            "http://127.0.0.1:9/twilio/2010-04-01/Accounts/AC00000000000000000000000000000001/"
            "Messages.json");
  EXPECT_EQ(FormField(call.body, "MessagingServiceSid"), "MG0123456789abcdef0123456789ABCDEF");
  EXPECT_EQ(FormField(call.body, "From"), "<absent>");
  EXPECT_EQ(FormField(call.body, "StatusCallback"),
            "https://gw.example.org/channels/tw-ke/status?key=a%20b%26c");

  // An alphanumeric sender that merely starts with "MG" is a From.
  s.sender = "MGROUP";
  s.public_base_url = "";
  s.callback_key = "";
  call = TwilioAdapter(s).BuildSend({1, "+254700000001", "Hi"});
  EXPECT_EQ(FormField(call.body, "From"), "MGROUP");
  EXPECT_EQ(FormField(call.body, "MessagingServiceSid"), "<absent>");
  EXPECT_EQ(FormField(call.body, "StatusCallback"), "<absent>");

  s.sender = "";
  s.public_base_url = "https://gw.example.org";
  call = TwilioAdapter(s).BuildSend({1, "+254700000001", "Hi"});
  EXPECT_EQ(FormField(call.body, "From"), "<absent>");
  EXPECT_EQ(FormField(call.body, "StatusCallback"),
            "https://gw.example.org/channels/tw-ke/status");
}

TEST(TwilioSendTest, FactoryMakesTheAdapter) {
  std::unique_ptr<Adapter> adapter = MakeTwilioAdapter(Settings());
  ASSERT_NE(adapter, nullptr);
  EXPECT_EQ(adapter->id(), "tw-ke");
  EXPECT_EQ(adapter->BuildSend({1, "+254700000001", "Hi"}).basic_user, kSid);
}

struct ClassifyCase {
  std::string name;
  HttpOutcome outcome;
  SendClass cls;
  std::string provider_id;
  std::string reason;  // substring
  int retry_after_s = 0;
};

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
  o.error = "curl says no";
  return o;
}

// A Message resource as the send API returns it (trimmed).
const std::string kCreated =
    R"({"account_sid": "AC00000000000000000000000000000001", "api_version": "2010-04-01",)"
    R"( "body": "Saved KES 500", "date_created": "Thu, 24 Aug 2023 05:01:45 +0000",)"
    R"( "direction": "outbound-api", "error_code": null, "error_message": null,)"
    R"( "from": "+15005550006", "num_media": "0", "num_segments": "1", "price": null,)"
    R"( "sid": "SM0123456789abcdef0123456789abcdef", "status": "queued",)"
    R"( "to": "+254700000001", "uri": "/2010-04-01/Accounts/AC0/Messages/SM0.json"})";

std::string TwilioError(int code) {
  return R"({"code": )" + std::to_string(code) +
         R"(, "message": "The 'To' number +254700000001 is not valid.",)"
         R"( "more_info": "https://www.twilio.com/docs/errors/)" +
         std::to_string(code) + R"(", "status": 400})";
}

std::vector<ClassifyCase> ClassifyCases() {
  return {
      {"Created201", Http(201, kCreated), SendClass::kAccepted, std::string(kMessageSid),
       "HTTP 201"},
      {"Ok200", Http(200, R"({"sid":"SMabc","status":"accepted"})"), SendClass::kAccepted, "SMabc",
       "HTTP 200"},
      {"Created201WithoutSid", Http(201, R"({"status":"queued"})"), SendClass::kPermanent, "",
       "HTTP 201 without sid"},
      {"Created201SidNotString", Http(201, R"({"sid":12})"), SendClass::kPermanent, "",
       "without sid"},
      {"Created201EmptySid", Http(201, R"({"sid":""})"), SendClass::kPermanent, "", "without sid"},
      {"Ok200Html", Http(200, "<html>captive portal</html>"), SendClass::kPermanent, "",
       "HTTP 200 without sid"},
      {"InvalidTo21211", Http(400, TwilioError(21211)), SendClass::kPermanent, "", "Twilio 21211"},
      {"Unsubscribed21610", Http(400, TwilioError(21610)), SendClass::kPermanent, "",
       "Twilio 21610"},
      {"NotMobile21614", Http(400, TwilioError(21614)), SendClass::kPermanent, "", "Twilio 21614"},
      {"Region21408", Http(400, TwilioError(21408)), SendClass::kPermanent, "", "Twilio 21408"},
      {"FromInvalid21606", Http(400, TwilioError(21606)), SendClass::kPermanent, "",
       "Twilio 21606"},
      {"RateLimitCodeOn400", Http(400, TwilioError(20429)), SendClass::kThrottled, "",
       "Twilio 20429"},
      {"Bad400NoJson", Http(400, "Bad Request"), SendClass::kPermanent, "", "HTTP 400"},
      {"NotFound404", Http(404, R"({"code": 20404, "message": "not found"})"),
       SendClass::kPermanent, "", "Twilio 20404"},
      {"Unauthorized401", Http(401, R"({"code": 20003, "message": "Authenticate"})"),
       SendClass::kPermanent, "", "HTTP 401"},
      {"Forbidden403", Http(403, ""), SendClass::kPermanent, "", "HTTP 403"},
      {"TooMany429", Http(429, TwilioError(20429), {{"retry-after", "3"}}), SendClass::kThrottled,
       "", "HTTP 429", 3},
      {"Server500", Http(500, "oops"), SendClass::kRetryable, "", "HTTP 500"},
      {"Unavailable503", Http(503, ""), SendClass::kRetryable, "", "HTTP 503"},
      {"Redirect302", Http(302, ""), SendClass::kPermanent, "", "HTTP 302"},
      {"Timeout", Failure(TransportFailure::kTimeout), SendClass::kRetryable, "", "timeout"},
      {"Connect", Failure(TransportFailure::kConnect), SendClass::kRetryable, "", "connect"},
      {"Tls", Failure(TransportFailure::kTls), SendClass::kPermanent, "", "TLS"},
  };
}

class TwilioClassifyTest : public ::testing::TestWithParam<ClassifyCase> {};

TEST_P(TwilioClassifyTest, Classifies) {
  const ClassifyCase& c = GetParam();
  TwilioAdapter adapter(Settings());
  SendResult r = adapter.ClassifySend(c.outcome);
  EXPECT_EQ(r.cls, c.cls) << SendClassName(r.cls);
  EXPECT_EQ(r.provider_message_id, c.provider_id);
  EXPECT_NE(r.reason.find(c.reason), std::string::npos) << r.reason;
  EXPECT_EQ(r.retry_after_s, c.retry_after_s);
  // No phone number (from Twilio's error message) and no text in the reason.
  EXPECT_EQ(r.reason.find("254700000001"), std::string::npos) << r.reason;
  EXPECT_EQ(r.reason.find("Saved"), std::string::npos) << r.reason;
}

INSTANTIATE_TEST_SUITE_P(Outcomes, TwilioClassifyTest, ::testing::ValuesIn(ClassifyCases()),
                         [](const auto& info) { return info.param.name; });

// --- sends against a real loopback server ---

struct LoopbackCase {
  std::string name;
  testing::ScriptedResponse response;
  int total_timeout_ms;
  SendClass cls;
  std::string provider_id;
};

std::vector<LoopbackCase> LoopbackCases() {
  return {
      {"Created201", {201, kCreated, "application/json", {}, 0}, 5000, SendClass::kAccepted,
       std::string(kMessageSid)},
      {"Ok200", {200, R"({"sid":"SMok"})", "application/json", {}, 0}, 5000, SendClass::kAccepted,
       "SMok"},
      {"InvalidTo400", {400, TwilioError(21211), "application/json", {}, 0}, 5000,
       SendClass::kPermanent, ""},
      {"Unauthorized401", {401, R"({"code":20003})", "application/json", {}, 0}, 5000,
       SendClass::kPermanent, ""},
      {"Throttled429", {429, TwilioError(20429), "application/json", {{"Retry-After", "2"}}, 0},
       5000, SendClass::kThrottled, ""},
      {"Server500", {500, "", "text/plain", {}, 0}, 5000, SendClass::kRetryable, ""},
      {"Gateway502", {502, "<html>bad gateway</html>", "text/html", {}, 0}, 5000,
       SendClass::kRetryable, ""},
      {"Timeout", {201, kCreated, "application/json", {}, 1500}, 300, SendClass::kRetryable, ""},
  };
}

class TwilioLoopbackTest : public ::testing::TestWithParam<LoopbackCase> {};

TEST_P(TwilioLoopbackTest, SendsAndClassifies) {
  const LoopbackCase& c = GetParam();
  testing::ScriptedServer server;
  server.Push(c.response);
  config::ChannelSettings s = Settings();
  s.api_base_url = server.base_url();
  TwilioAdapter adapter(s);

  HttpCall call = adapter.BuildSend({7, "+254700000001", "Saved KES 500"});
  outbound::TransportOptions options;
  options.connect_timeout_ms = 2000;
  options.total_timeout_ms = c.total_timeout_ms;
  outbound::Transport transport;
  HttpOutcome outcome = transport.Perform(call, options);
  SendResult r = adapter.ClassifySend(outcome);
  EXPECT_EQ(r.cls, c.cls) << SendClassName(r.cls) << " " << r.reason;
  EXPECT_EQ(r.provider_message_id, c.provider_id);
  if (c.cls == SendClass::kThrottled) {
    EXPECT_EQ(r.retry_after_s, 2);
  }

  // What reached the "provider".
  ASSERT_TRUE(server.WaitForRequests(1, std::chrono::milliseconds(2000)));
  http::Request got = server.Requests()[0];
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.target, "/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json");
  EXPECT_EQ(got.Header("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(got.Header("accept"), "application/json");
  // base64("AC00000000000000000000000000000001:tw-auth-token-1")
  EXPECT_EQ(got.Header("authorization"),
            "Basic QUMwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMTp0dy1hdXRoLXRva2VuLTE=");
  EXPECT_EQ(FormField(got.body, "To"), "+254700000001");
  EXPECT_EQ(FormField(got.body, "From"), "+15005550006");
  EXPECT_EQ(FormField(got.body, "Body"), "Saved KES 500");
  EXPECT_EQ(got.body.find(kToken), std::string::npos);
  EXPECT_EQ(got.target.find(kToken), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(ScriptedServer, TwilioLoopbackTest, ::testing::ValuesIn(LoopbackCases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace shg::channels
