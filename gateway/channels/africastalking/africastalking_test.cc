// Recorded Africa's Talking USSD callbacks (form bodies as AT posts them) and
// the expected normalised requests; plus the response format, the callback
// key check, and the shared form decoder (gateway/channels/form.h).
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "gateway/channels/africastalking/ussd.h"
#include "gateway/channels/form.h"

namespace shg::channels {
namespace {

constexpr std::string_view kPin = "2580";

// A recorded callback with everything but `text` fixed.
std::string AtBody(std::string_view text) {
  return "sessionId=ATUid_0a1b2c3d4e5f6a7b8c9d&serviceCode=%2A384%2A7%23"
         "&phoneNumber=%2B254700000001&networkCode=63902&text=" +
         std::string(text);
}

struct ValidCase {
  std::string name;
  std::string body;
  int step;
  std::string input;
  std::string session_id = "ATUid_0a1b2c3d4e5f6a7b8c9d";
  std::string phone = "+254700000001";
  std::string service_code = "*384*7#";
  std::string network = "63902";
};

std::vector<ValidCase> ValidCases() {
  return {
      {"FirstDial", AtBody(""), 0, ""},
      {"Pin", AtBody("2580"), 1, "2580"},
      {"MenuChoice", AtBody("2580%2A2"), 2, "2"},
      {"DeeperPath", AtBody("2580%2A2%2A500"), 3, "500"},
      {"FullSavePath", AtBody("2580%2A2%2A500%2A1"), 4, "1"},
      {"LowerCaseEscapes", AtBody("2580%2a2%2a500"), 3, "500"},
      {"UnencodedStars", AtBody("2580*2*500"), 3, "500"},
      {"EmptyMiddleToken", AtBody("2580%2A%2A1"), 3, "1"},
      {"TrailingStarIsEmptyInput", AtBody("2580%2A"), 2, ""},
      {"OnlyAStar", AtBody("%2A"), 2, ""},
      {"BackToken", AtBody("2580%2A5%2A98%2A0"), 4, "0"},
      {"PlusIsSpace", AtBody("2580%2Ahello+there"), 2, "hello there"},
      {"UnicodeInput", AtBody("2580%2A%C3%A9t%C3%A9"), 2, "\xC3\xA9t\xC3\xA9"},
      {"TextExactlyAtLimit", AtBody(std::string(1024, '1')), 1, std::string(1024, '1')},
      // 1023 encoded stars are 3069 bytes on the wire but 1023 decoded.
      {"EncodedLongerThanLimitButDecodedFits", [] {
         std::string text;
         for (int i = 0; i < 1023; ++i) text += "%2A";
         return AtBody(text);
       }(),
       1024, ""},
      {"FieldsInAnotherOrder",
       "text=2580%2A1&networkCode=63903&phoneNumber=%2B254711000002"
       "&serviceCode=%2A384%2A7%23&sessionId=ATUid_ffff",
       2, "1", "ATUid_ffff", "+254711000002", "*384*7#", "63903"},
      {"NoNetworkCode",
       "sessionId=ATUid_1&serviceCode=%2A384%2A7%23&phoneNumber=%2B254700000001&text=",
       0, "", "ATUid_1", "+254700000001", "*384*7#", ""},
      {"UnknownFieldsIgnored", AtBody("2580") + "&date=2024-01-01&foo", 1, "2580"},
      {"RepeatedFieldKeepsFirst", AtBody("2580") + "&text=9999%2A1", 1, "2580"},
      {"RawPlusInPhoneDecodesToSpace",
       "sessionId=ATUid_1&serviceCode=*384*7%23&phoneNumber=+254700000001&text=", 0, "",
       "ATUid_1", " 254700000001", "*384*7#", ""},
      {"SandboxNetwork",
       "phoneNumber=%2B254700000001&text=&sessionId=ATUid_sandbox&networkCode=99999"
       "&serviceCode=%2A384%2A1234%23",
       0, "", "ATUid_sandbox", "+254700000001", "*384*1234#", "99999"},
  };
}

class AtUssdValidTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(AtUssdValidTest, Parses) {
  const ValidCase& c = GetParam();
  Result<UssdRequest> r = ParseAfricasTalkingUssd("at-ke", c.body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->channel, "at-ke");
  EXPECT_EQ(r->session_id, c.session_id);
  EXPECT_EQ(r->phone, c.phone);
  EXPECT_EQ(r->service_code, c.service_code);
  EXPECT_EQ(r->network, c.network);
  EXPECT_EQ(r->step, c.step);
  EXPECT_EQ(r->input, c.input);
  EXPECT_EQ(r->request_id, "");
}

INSTANTIATE_TEST_SUITE_P(Recorded, AtUssdValidTest, ::testing::ValuesIn(ValidCases()),
                         [](const auto& info) { return info.param.name; });

struct InvalidCase {
  std::string name;
  std::string body;
  std::string message;
};

std::vector<InvalidCase> InvalidCases() {
  const std::string phone = "&phoneNumber=%2B254700000001";
  const std::string service = "&serviceCode=%2A384%2A7%23";
  return {
      {"MissingSessionId", "serviceCode=%2A384%2A7%23" + phone + "&text=2580", "missing field: sessionId"},
      {"MissingServiceCode", "sessionId=ATUid_1" + phone + "&text=2580", "missing field: serviceCode"},
      {"MissingPhoneNumber", "sessionId=ATUid_1" + service + "&text=2580", "missing field: phoneNumber"},
      {"MissingText", "sessionId=ATUid_1" + service + phone, "missing field: text"},
      {"EmptyBody", "", "missing field: sessionId"},
      {"EmptySessionId", "sessionId=" + service + phone + "&text=2580", "empty field: sessionId"},
      {"EmptyPhoneNumber", "sessionId=ATUid_1" + service + "&phoneNumber=&text=2580",
       "empty field: phoneNumber"},
      {"EmptyServiceCode", "sessionId=ATUid_1&serviceCode=" + phone + "&text=2580",
       "empty field: serviceCode"},
      {"BadEscapeInText", AtBody("2580%2A2%2"), "malformed %-escape in the form body"},
      {"NonHexEscapeInText", AtBody("2580%2A%zz"), "malformed %-escape in the form body"},
      {"BadEscapeInPhone", "sessionId=ATUid_1" + service + "&phoneNumber=%2G254&text=2580",
       "malformed %-escape in the form body"},
      {"BadEscapeInUnknownField", AtBody("2580") + "&x=%", "malformed %-escape in the form body"},
      {"SessionIdTooLong", "sessionId=" + std::string(129, 'a') + service + phone + "&text=2580",
       "field too long: sessionId"},
      {"PhoneTooLong", "sessionId=ATUid_1" + service + "&phoneNumber=" + std::string(33, '1') +
                           "&text=2580",
       "field too long: phoneNumber"},
      {"ServiceCodeTooLong", "sessionId=ATUid_1&serviceCode=" + std::string(65, '1') + phone +
                                 "&text=2580",
       "field too long: serviceCode"},
      {"NetworkCodeTooLong", "sessionId=ATUid_1" + service + phone + "&networkCode=" +
                                 std::string(17, '1') + "&text=2580",
       "field too long: networkCode"},
      {"TextTooLong", AtBody("2580%2A" + std::string(1020, '1')), "field too long: text"},
      {"SessionIdNotPrintable", "sessionId=ATUid%0A1" + service + phone + "&text=2580",
       "invalid characters in field: sessionId"},
      {"SessionIdUnicode", "sessionId=ATUid_%C3%A9" + service + phone + "&text=2580",
       "invalid characters in field: sessionId"},
      {"PhoneWithLetters", "sessionId=ATUid_1" + service + "&phoneNumber=%2B2547abc&text=2580",
       "invalid characters in field: phoneNumber"},
      {"PhoneUnicode", "sessionId=ATUid_1" + service + "&phoneNumber=%D9%A1%D9%A2&text=2580",
       "invalid characters in field: phoneNumber"},
      {"PhoneWithDash", "sessionId=ATUid_1" + service + "&phoneNumber=0700-000001&text=2580",
       "invalid characters in field: phoneNumber"},
  };
}

class AtUssdInvalidTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(AtUssdInvalidTest, RejectsWithReasonNamingTheField) {
  const InvalidCase& c = GetParam();
  Result<UssdRequest> r = ParseAfricasTalkingUssd("at-ke", c.body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), c.message);
  // The PIN is in every text path above: it must never reach a message.
  EXPECT_EQ(r.status().ToString().find(kPin), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Recorded, AtUssdInvalidTest, ::testing::ValuesIn(InvalidCases()),
                         [](const auto& info) { return info.param.name; });

TEST(AtUssdTest, PinReachesOnlyTheInputOfItsOwnStep) {
  // After the PIN step, the path still carries the PIN; the request must not.
  Result<UssdRequest> r = ParseAfricasTalkingUssd("at-ke", AtBody("2580%2A2%2A500"));
  ASSERT_TRUE(r.ok());
  for (const std::string* field : {&r->channel, &r->session_id, &r->phone, &r->service_code,
                                   &r->network, &r->input, &r->request_id}) {
    EXPECT_EQ(field->find(kPin), std::string::npos) << *field;
  }
}

struct FormatCase {
  UssdReply reply;
  std::string body;
};

TEST(AtUssdTest, FormatsConAndEnd) {
  const std::vector<FormatCase> cases = {
      {{"Enter PIN:", false}, "CON Enter PIN:"},
      {{"Saved KES 200.\nRef K7P2QX", true}, "END Saved KES 200.\nRef K7P2QX"},
      {{"", false}, "CON "},
      {{"", true}, "END "},
      {{"1. Salio\n2. Akiba", false}, "CON 1. Salio\n2. Akiba"},
  };
  for (const FormatCase& c : cases) EXPECT_EQ(FormatAfricasTalkingUssd(c.reply), c.body);
}

struct KeyCase {
  std::string name;
  std::string query;
  std::string expected_key;
  bool ok;
};

class CallbackKeyTest : public ::testing::TestWithParam<KeyCase> {};

TEST_P(CallbackKeyTest, Checks) {
  const KeyCase& c = GetParam();
  EXPECT_EQ(CheckCallbackKey(c.query, c.expected_key), c.ok);
}

INSTANTIATE_TEST_SUITE_P(
    Table, CallbackKeyTest,
    ::testing::ValuesIn(std::vector<KeyCase>{
        {"NoKeyConfiguredNoKeySent", "", "", true},
        {"NoKeyConfiguredAnyKeySent", "key=whatever", "", true},
        {"MissingKey", "", "s3cret", false},
        {"MissingKeyOtherParams", "a=1&b=2", "s3cret", false},
        {"WrongKey", "key=wrong0", "s3cret", false},
        {"RightKey", "key=s3cret", "s3cret", true},
        {"RightKeyAmongOthers", "a=1&key=s3cret&b=2", "s3cret", true},
        {"Prefix", "key=s3cre", "s3cret", false},
        {"Longer", "key=s3cret1", "s3cret", false},
        {"Empty", "key=", "s3cret", false},
        {"NoEquals", "key", "s3cret", false},
        {"NameIsCaseSensitive", "KEY=s3cret", "s3cret", false},
        {"RepeatedKeyFirstWins", "key=wrong&key=s3cret", "s3cret", false},
        {"UrlEncodedKey", "key=a%2Bb%2Fc%3D%3D", "a+b/c==", true},
        {"UrlEncodedKeyLowerHex", "key=a%2bb%2fc%3d%3d", "a+b/c==", true},
        {"PlusIsSpace", "key=a+b", "a b", true},
        {"RawPlusIsNotPlus", "key=a+b", "a+b", false},
        {"MalformedEscape", "key=s3cret%2", "s3cret", false},
    }),
    [](const auto& info) { return info.param.name; });

// --- gateway/channels/form.h -------------------------------------------------

struct DecodeCase {
  std::string encoded;
  bool ok;
  std::string decoded;
};

TEST(FormTest, Decodes) {
  const std::vector<DecodeCase> cases = {
      {"", true, ""},
      {"abc", true, "abc"},
      {"a+b", true, "a b"},
      {"%2B", true, "+"},
      {"%2b%2F", true, "+/"},
      {"%00", true, std::string(1, '\0')},
      {"%E2%82%AC", true, "\xE2\x82\xAC"},
      {"100%25", true, "100%"},
      {"%", false, ""},
      {"%2", false, ""},
      {"a%g1", false, ""},
      {"%%41", false, ""},
  };
  for (const DecodeCase& c : cases) {
    Result<std::string> r = FormDecode(c.encoded);
    EXPECT_EQ(r.ok(), c.ok) << c.encoded;
    EXPECT_EQ(IsWellFormedFormEncoding(c.encoded), c.ok) << c.encoded;
    if (r.ok()) {
      EXPECT_EQ(*r, c.decoded) << c.encoded;
    }
  }
}

TEST(FormTest, FindFormFieldReturnsTheFirstEncodedValue) {
  const std::string_view form = "a=1&&b=x%2Ay&a=2&c&d%5F1=q&=e";
  EXPECT_EQ(FindFormField(form, "a"), std::optional<std::string_view>("1"));
  EXPECT_EQ(FindFormField(form, "b"), std::optional<std::string_view>("x%2Ay"));
  EXPECT_EQ(FindFormField(form, "c"), std::optional<std::string_view>(""));
  EXPECT_EQ(FindFormField(form, "d_1"), std::optional<std::string_view>("q"));  // name decoded
  EXPECT_EQ(FindFormField(form, ""), std::optional<std::string_view>("e"));
  EXPECT_EQ(FindFormField(form, "z"), std::nullopt);
  EXPECT_EQ(FindFormField("", "a"), std::nullopt);
  EXPECT_EQ(FindFormField("%zz=1", "%zz"), std::nullopt);
}

TEST(FormTest, FormValueAndQueryParam) {
  Result<std::string> v = FormValue("x=1&msg=hello+world%21", "msg");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "hello world!");
  EXPECT_EQ(FormValue("x=1", "msg").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(FormValue("msg=%4", "msg").status().code(), Status::Code::kInvalidArgument);

  Result<std::string> q = QueryParam("key=abc%3D&key=zzz", "key");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, "abc=");
  EXPECT_EQ(QueryParam("", "key").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(QueryParam("key=%G0", "key").status().code(), Status::Code::kInvalidArgument);
}

TEST(FormTest, ParseFormKeepsFirstOfRepeatedNames) {
  Result<Form> f = ParseForm("To=%2B254700000001&Body=Salio+yangu&To=other&Empty=&Flag");
  ASSERT_TRUE(f.ok());
  ASSERT_NE(f->Get("To"), nullptr);
  EXPECT_EQ(*f->Get("To"), "+254700000001");
  EXPECT_EQ(*f->Get("Body"), "Salio yangu");
  EXPECT_EQ(*f->Get("Empty"), "");
  EXPECT_TRUE(f->Has("Flag"));
  EXPECT_FALSE(f->Has("Missing"));
  EXPECT_EQ(f->pairs().size(), 4u);
  EXPECT_EQ(f->pairs()[1].first, "Body");
}

TEST(FormTest, ParseFormRejectsAnyMalformedEscape) {
  for (std::string_view body : {"a=%", "a=1&b=%2x", "%4=1", "a=1&a=%zz"}) {
    EXPECT_EQ(ParseForm(body).status().code(), Status::Code::kInvalidArgument) << body;
  }
}

}  // namespace
}  // namespace shg::channels
