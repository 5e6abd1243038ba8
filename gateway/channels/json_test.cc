// The JSON reader and escaper (gateway/channels/json.h): grammar, string
// decoding (UTF-8, escapes, surrogate pairs), numbers, limits, lookups, and
// escaping round trips.
#include "gateway/channels/json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace shg::channels {
namespace {

using Type = JsonValue::Type;

// --- strings: each JSON literal and its decoded bytes ---

struct StringCase {
  std::string name;
  std::string json;
  std::string decoded;
};
// gtest prints the case name instead of the bytes of the struct.
void PrintTo(const StringCase& c, std::ostream* os) { *os << c.name; }

class JsonStringTest : public ::testing::TestWithParam<StringCase> {};

TEST_P(JsonStringTest, Decodes) {
  const StringCase& c = GetParam();
  Result<JsonValue> v = ParseJson(c.json);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->type(), Type::kString);
  EXPECT_EQ(v->string_value(), c.decoded);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonStringTest,
    ::testing::ValuesIn(std::vector<StringCase>{
        {"Empty", R"("")", ""},
        {"Plain", R"("ATXid_1234")", "ATXid_1234"},
        {"SimpleEscapes", R"("a\"b\\c\/d\be\ff\ng\rh\ti")", "a\"b\\c/d\be\ff\ng\rh\ti"},
        {"UnicodeEscapeAscii", R"("\u0041\u0062")", "Ab"},
        {"UnicodeEscapeUpperHex", R"("\u00E9")", "\xC3\xA9"},
        {"UnicodeEscapeLowerHex", R"("\u00e9")", "\xC3\xA9"},
        {"UnicodeEscapeThreeBytes", R"("\u20AC")", "\xE2\x82\xAC"},
        {"UnicodeEscapeNul", R"("a\u0000b")", std::string("a\0b", 3)},
        {"SurrogatePair", R"("\uD83D\uDE00")", "\xF0\x9F\x98\x80"},
        {"SurrogatePairLowerHex", R"("\ud83d\ude00")", "\xF0\x9F\x98\x80"},
        {"MaxCodePointPair", R"("\uDBFF\uDFFF")", "\xF4\x8F\xBF\xBF"},
        {"LoneHighSurrogateAtEnd", R"("x\uD83D")", "x\xEF\xBF\xBD"},
        {"LoneHighSurrogateThenText", R"("\uD83Dx")", "\xEF\xBF\xBDx"},
        {"LoneLowSurrogate", R"("\uDE00")", "\xEF\xBF\xBD"},
        {"HighThenNonSurrogateEscape", R"("\uD83D\u0041")", "\xEF\xBF\xBD" "A"},
        {"HighThenHigh", R"("\uD83D\uD83D\uDE00")", "\xEF\xBF\xBD\xF0\x9F\x98\x80"},
        {"RawUtf8TwoBytes", "\"\xC3\xA9t\xC3\xA9\"", "\xC3\xA9t\xC3\xA9"},
        {"RawUtf8ThreeBytes", "\"\xE2\x82\xAC 5\"", "\xE2\x82\xAC 5"},
        {"RawUtf8FourBytes", "\"\xF0\x9F\x98\x80\"", "\xF0\x9F\x98\x80"},
        {"DelIsAllowedRaw", "\"a\x7F\"", "a\x7F"},
    }),
    [](const auto& info) { return info.param.name; });

// --- documents that must be rejected ---

struct BadCase {
  std::string name;
  std::string json;
  std::string message;  // expected substring of the error
};
// gtest prints the case name instead of the bytes of the struct.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class JsonBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(JsonBadTest, Rejects) {
  const BadCase& c = GetParam();
  Result<JsonValue> v = ParseJson(c.json);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(v.status().message().find(c.message), std::string::npos) << v.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonBadTest,
    ::testing::ValuesIn(std::vector<BadCase>{
        {"Empty", "", "unexpected end of input at offset 0"},
        {"OnlyWhitespace", " \n\t ", "unexpected end of input"},
        {"TwoValues", "1 2", "trailing characters at offset 2"},
        {"TrailingGarbage", "{} x", "trailing characters"},
        {"Html", "<html>Bad gateway</html>", "unexpected character at offset 0"},
        {"PlainText", "The supplied authentication is invalid", "unexpected character"},
        {"UnterminatedString", R"("abc)", "unterminated string"},
        {"UnterminatedEscape", "\"abc\\", "unterminated string"},
        {"BadEscape", R"("a\x")", "invalid escape at offset 3"},
        {"SingleQuoteEscape", R"("a\'")", "invalid escape"},
        {"ShortUnicodeEscape", R"("\u12")", "truncated \\u escape"},
        {"TruncatedUnicodeEscape", R"("\u12)", "truncated \\u escape"},
        {"NonHexUnicodeEscape", R"("\u12G4")", "invalid \\u escape at offset 5"},
        {"BadLowSurrogateHex", R"("\uD83D\uZZZZ")", "invalid \\u escape"},
        {"RawNewlineInString", "\"a\nb\"", "control character in string at offset 2"},
        {"RawTabInString", "\"a\tb\"", "control character"},
        {"InvalidUtf8Lead", "\"\xFF\"", "invalid UTF-8 in string"},
        {"InvalidUtf8Continuation", "\"\xC3\x28\"", "invalid UTF-8"},
        {"TruncatedUtf8", "\"\xE2\x82\"", "invalid UTF-8"},
        {"OverlongUtf8", "\"\xC0\xAF\"", "invalid UTF-8"},
        {"OverlongThreeByte", "\"\xE0\x80\xAF\"", "invalid UTF-8"},
        {"EncodedSurrogate", "\"\xED\xA0\x80\"", "invalid UTF-8"},
        {"AboveMaxCodePoint", "\"\xF4\x90\x80\x80\"", "invalid UTF-8"},
        {"Latin1Byte", "\"caf\xE9\"", "invalid UTF-8"},
        {"TrailingCommaArray", "[1,]", "unexpected character"},
        {"TrailingCommaObject", R"({"a":1,})", "expected a member name"},
        {"MissingColon", R"({"a" 1})", "expected ':'"},
        {"MissingComma", R"({"a":1 "b":2})", "expected ',' or '}'"},
        {"ArrayMissingComma", "[1 2]", "expected ',' or ']'"},
        {"UnquotedKey", "{a:1}", "expected a member name"},
        {"NonStringKey", "{1:1}", "expected a member name"},
        {"UnclosedObject", R"({"a":1)", "unexpected end of input"},
        {"UnclosedArray", "[1,2", "unexpected end of input"},
        {"SingleQuotes", "'a'", "unexpected character"},
        {"Comment", "// x\n1", "unexpected character"},
        {"BadTrue", "tru", "invalid literal"},
        {"CapitalTrue", "True", "unexpected character"},
        {"NullPrefix", "nul", "invalid literal"},
        {"NaN", "NaN", "unexpected character"},
        {"Infinity", "-Infinity", "invalid number"},
        {"LeadingPlus", "+1", "unexpected character"},
        {"LeadingZero", "01", "leading zero in number"},
        {"NegativeLeadingZero", "-01", "leading zero"},
        {"BareMinus", "-", "invalid number"},
        {"DotWithoutDigits", "1.", "invalid number"},
        {"LeadingDot", ".5", "unexpected character"},
        {"ExponentWithoutDigits", "1e", "invalid number"},
        {"ExponentSignWithoutDigits", "1e+", "invalid number"},
        {"HexNumber", "0x10", "trailing characters"},
        {"BomOnly", "\xEF\xBB\xBF", "unexpected end of input"},
    }),
    [](const auto& info) { return info.param.name; });

TEST(JsonTest, ErrorsNeverCarryContent) {
  const std::string secret_text = "PIN 2580 +254700000001";
  for (const std::string& doc :
       {"{\"message\":\"" + secret_text + "\" x}", "[\"" + secret_text + "\\q\"]",
        "\"" + secret_text}) {
    Result<JsonValue> v = ParseJson(doc);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.status().message().find("2580"), std::string::npos) << v.status().message();
    EXPECT_EQ(v.status().message().find("254700"), std::string::npos) << v.status().message();
  }
}

// --- numbers ---

struct NumberCase {
  std::string json;
  double value;
  std::optional<int64_t> integer;
};
void PrintTo(const NumberCase& c, std::ostream* os) { *os << c.json.substr(0, 40); }

class JsonNumberTest : public ::testing::TestWithParam<NumberCase> {};

TEST_P(JsonNumberTest, Parses) {
  const NumberCase& c = GetParam();
  Result<JsonValue> v = ParseJson(c.json);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->type(), Type::kNumber);
  EXPECT_EQ(v->number_literal(), c.json);
  if (std::isinf(c.value)) {
    EXPECT_EQ(v->number(), c.value);
  } else {
    EXPECT_DOUBLE_EQ(v->number(), c.value);
  }
  EXPECT_EQ(v->AsInt64(), c.integer);
}

constexpr double kInf = std::numeric_limits<double>::infinity();

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonNumberTest,
    ::testing::ValuesIn(std::vector<NumberCase>{
        {"0", 0, 0},
        {"-0", 0, 0},
        {"101", 101, 101},
        {"-7", -7, -7},
        {"9223372036854775807", 9223372036854775807.0, INT64_MAX},
        {"-9223372036854775808", -9223372036854775808.0, INT64_MIN},
        {"9223372036854775808", 9223372036854775808.0, std::nullopt},
        {"101.0", 101, 101},
        {"1e3", 1000, 1000},
        {"1E+3", 1000, 1000},
        {"2.5", 2.5, std::nullopt},
        {"-0.8", -0.8, std::nullopt},
        {"1.5e-3", 0.0015, std::nullopt},
        {"1e300", 1e300, std::nullopt},
        {"1e400", kInf, std::nullopt},
        {"-1e400", -kInf, std::nullopt},
        {"1e-400", 0, 0},
        {"0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
         "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
         "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
         "000000000000000000000000000000000000000000000000000000000000000000000000000000000001",
         0, 0},
    }),
    [](const auto& info) { return "Case" + std::to_string(info.index); });

// --- structure and lookups ---

constexpr std::string_view kAtResponse =
    R"({"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: KES 0.8000",)"
    "\n  "
    R"("Recipients": [{"statusCode": 101, "number": "+254711XXXYYY", "status": "Success",)"
    R"( "cost": "KES 0.8000", "messageId": "ATXid_b1f5c2e0"}]}})";

TEST(JsonTest, ReadsAnAfricasTalkingResponse) {
  Result<JsonValue> v = ParseJson(kAtResponse);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const JsonValue& data = v->Get("SMSMessageData");
  ASSERT_TRUE(data.is_object());
  EXPECT_EQ(data.Get("Message").string_value(), "Sent to 1/1 Total Cost: KES 0.8000");
  const JsonValue& recipients = data.Get("Recipients");
  ASSERT_TRUE(recipients.is_array());
  ASSERT_EQ(recipients.size(), 1u);
  EXPECT_EQ(recipients.At(0).Get("statusCode").AsInt64(), 101);
  EXPECT_EQ(recipients.At(0).Get("messageId").string_value(), "ATXid_b1f5c2e0");
}

TEST(JsonTest, MissingLookupsChainToNull) {
  Result<JsonValue> v = ParseJson(R"({"a": [1, {"b": null}], "s": "x"})");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->Get("nope").is_null());
  EXPECT_TRUE(v->Get("nope").Get("deeper").At(3).Get("x").is_null());
  EXPECT_EQ(v->Find("nope"), nullptr);
  ASSERT_NE(v->Get("a").At(1).Find("b"), nullptr);  // present but null
  EXPECT_TRUE(v->Get("a").At(1).Find("b")->is_null());
  EXPECT_TRUE(v->Get("a").At(2).is_null());          // out of range
  EXPECT_TRUE(v->Get("s").Get("x").is_null());       // string is not an object
  EXPECT_TRUE(v->Get("s").At(0).is_null());          // nor an array
  EXPECT_EQ(v->Get("s").size(), 0u);
  EXPECT_TRUE(v->Get("s").array().empty());
  EXPECT_TRUE(v->Get("s").members().empty());
  // Accessors of the wrong type yield defaults.
  EXPECT_EQ(v->Get("s").number(), 0);
  EXPECT_EQ(v->Get("s").AsInt64(), std::nullopt);
  EXPECT_EQ(v->Get("s").number_literal(), "");
  EXPECT_EQ(v->Get("a").string_value(), "");
  EXPECT_FALSE(v->Get("a").bool_value());
}

TEST(JsonTest, ScalarsAndEmptyContainers) {
  struct Case {
    std::string json;
    Type type;
    size_t size;
  };
  for (const Case& c : std::vector<Case>{{"null", Type::kNull, 0},
                                         {"true", Type::kBool, 0},
                                         {"false", Type::kBool, 0},
                                         {"[]", Type::kArray, 0},
                                         {"{}", Type::kObject, 0},
                                         {" [ ] ", Type::kArray, 0},
                                         {"{ }", Type::kObject, 0},
                                         {"[[], {}, null]", Type::kArray, 3},
                                         {"\xEF\xBB\xBF{\"a\":1}", Type::kObject, 1},
                                         {"\r\n\t {\"a\" : 1 , \"b\" :2 }\n", Type::kObject, 2}}) {
    Result<JsonValue> v = ParseJson(c.json);
    ASSERT_TRUE(v.ok()) << c.json << ": " << v.status().ToString();
    EXPECT_EQ(v->type(), c.type) << c.json;
    EXPECT_EQ(v->size(), c.size) << c.json;
  }
  EXPECT_TRUE(ParseJson("true")->bool_value());
  EXPECT_FALSE(ParseJson("false")->bool_value());
}

TEST(JsonTest, MembersKeepOrderAndDuplicates) {
  Result<JsonValue> v = ParseJson(R"({"b": 1, "a": 2, "b": 3, "a\u0062": 4})");
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->members().size(), 4u);
  EXPECT_EQ(v->members()[0].key, "b");
  EXPECT_EQ(v->members()[1].key, "a");
  EXPECT_EQ(v->members()[2].key, "b");
  EXPECT_EQ(v->members()[3].key, "ab");  // keys are decoded
  EXPECT_EQ(v->Get("b").AsInt64(), 1);   // first wins
  EXPECT_EQ(v->Get("ab").AsInt64(), 4);
}

TEST(JsonTest, KeysCompareAfterDecodingIncludingNul) {
  Result<JsonValue> v = ParseJson(R"({"a\u0000b": true})");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->Get(std::string_view("a\0b", 3)).bool_value());
  EXPECT_EQ(v->Find("a"), nullptr);
}

// --- limits ---

std::string Nested(int depth, char open, char close) {
  return std::string(depth, open) + std::string(depth, close);
}

TEST(JsonTest, DepthLimit) {
  EXPECT_TRUE(ParseJson(Nested(32, '[', ']')).ok());
  Result<JsonValue> deep = ParseJson(Nested(33, '[', ']'));
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.status().message().find("nesting too deep at offset 32"), std::string::npos)
      << deep.status().message();

  std::string objects;
  for (int i = 0; i < 32; ++i) objects += "{\"a\":";
  objects += '1';
  objects.append(32, '}');
  EXPECT_TRUE(ParseJson(objects).ok());
  std::string too_deep;
  for (int i = 0; i < 33; ++i) too_deep += "{\"a\":";
  too_deep += '1';
  too_deep.append(33, '}');
  EXPECT_FALSE(ParseJson(too_deep).ok());

  // A hostile, very deep document fails cleanly (no stack exhaustion).
  EXPECT_FALSE(ParseJson(Nested(100000, '[', ']')).ok());
  // Custom limits.
  EXPECT_TRUE(ParseJson("[[1]]", {.max_bytes = 100, .max_depth = 2}).ok());
  EXPECT_FALSE(ParseJson("[[[1]]]", {.max_bytes = 100, .max_depth = 2}).ok());
  EXPECT_TRUE(ParseJson("1", {.max_bytes = 100, .max_depth = 0}).ok());
  EXPECT_FALSE(ParseJson("[]", {.max_bytes = 100, .max_depth = 0}).ok());
}

TEST(JsonTest, SizeLimit) {
  std::string doc(100, 'x');  // a 100-byte string literal
  doc.front() = doc.back() = '"';
  EXPECT_TRUE(ParseJson(doc, {.max_bytes = 100}).ok());
  Result<JsonValue> big = ParseJson(doc + " ", {.max_bytes = 100});
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("larger than 100 bytes"), std::string::npos);
  // The default limit is 1 MiB.
  std::string mib(1 << 20, 'x');
  mib.front() = mib.back() = '"';
  EXPECT_TRUE(ParseJson(mib).ok());
  EXPECT_FALSE(ParseJson(mib + " ").ok());
}

// --- escaping ---

struct EscapeCase {
  std::string name;
  std::string raw;
  std::string escaped;
};
// gtest prints the case name instead of the bytes of the struct.
void PrintTo(const EscapeCase& c, std::ostream* os) { *os << c.name; }

class JsonEscapeTest : public ::testing::TestWithParam<EscapeCase> {};

TEST_P(JsonEscapeTest, EscapesAndRoundTrips) {
  const EscapeCase& c = GetParam();
  EXPECT_EQ(JsonEscape(c.raw), c.escaped);
  EXPECT_EQ(JsonQuote(c.raw), "\"" + c.escaped + "\"");
  Result<JsonValue> back = ParseJson(JsonQuote(c.raw));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->string_value(), SanitizeUtf8(c.raw));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonEscapeTest,
    ::testing::ValuesIn(std::vector<EscapeCase>{
        {"Empty", "", ""},
        {"Plain", "Saved KES 500. Ref AB12", "Saved KES 500. Ref AB12"},
        {"QuoteAndBackslash", "say \"hi\" \\o/", "say \\\"hi\\\" \\\\o/"},
        {"SlashKept", "a/b", "a/b"},
        {"NamedControls", "a\nb\rc\td\be\ff", "a\\nb\\rc\\td\\be\\ff"},
        {"OtherControls", std::string("\x01\x1F\0", 3), "\\u0001\\u001f\\u0000"},
        {"Del", "\x7F", "\\u007f"},
        {"Utf8Kept", "\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
        {"InvalidByteReplaced", "caf\xE9!", "caf\xEF\xBF\xBD!"},
        {"TruncatedSequenceReplaced", "a\xE2\x82", "a\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"EncodedSurrogateReplaced", "\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
    }),
    [](const auto& info) { return info.param.name; });

TEST(JsonTest, Utf8Helpers) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("ascii"));
  EXPECT_TRUE(IsValidUtf8("\xC3\xA9\xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xF8\x88\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));
  EXPECT_EQ(SanitizeUtf8("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(SanitizeUtf8("\xFF" "a"), "\xEF\xBF\xBD" "a");
}

TEST(JsonTest, BuildsValuesDirectly) {
  JsonValue obj = JsonValue::Object(
      {{"n", JsonValue::Number(3, "3")}, {"s", JsonValue::String("x")},
       {"a", JsonValue::Array({JsonValue::Bool(true), JsonValue()})}});
  EXPECT_EQ(obj.Get("n").AsInt64(), 3);
  EXPECT_EQ(obj.Get("s").string_value(), "x");
  EXPECT_TRUE(obj.Get("a").At(0).bool_value());
  EXPECT_TRUE(obj.Get("a").At(1).is_null());
  EXPECT_EQ(obj.Get("a").size(), 2u);
}

}  // namespace
}  // namespace shg::channels
