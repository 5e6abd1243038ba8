// Reading JSON (gateway/channels/json.h, over Boost.JSON): the strict
// grammar, string decoding (UTF-8, escapes, surrogate pairs), integers that
// never go through double, limits, lookups, errors without content, and
// the serializer's escaping round trips.
#include "gateway/channels/json.h"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace shg::channels {
namespace {

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
  Result<boost::json::value> v = ParseJson(c.json);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_TRUE(v->is_string());
  EXPECT_EQ(JsonString(&*v), c.decoded);
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
        {"RawUtf8TwoBytes", "\"\xC3\xA9t\xC3\xA9\"", "\xC3\xA9t\xC3\xA9"},
        {"RawUtf8ThreeBytes", "\"\xE2\x82\xAC 5\"", "\xE2\x82\xAC 5"},
        {"RawUtf8FourBytes", "\"\xF0\x9F\x98\x80\"", "\xF0\x9F\x98\x80"},
        {"DelIsAllowedRaw", "\"a\x7F\"", "a\x7F"},
        {"ByteOrderMarkSkipped", "\xEF\xBB\xBF\"x\"", "x"},
    }),
    [](const auto& info) { return info.param.name; });

// --- documents that must be rejected ---

struct BadCase {
  std::string name;
  std::string json;
  std::string message;  // expected substring of the error ("" = any)
};
// gtest prints the case name instead of the bytes of the struct.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class JsonBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(JsonBadTest, Rejects) {
  const BadCase& c = GetParam();
  Result<boost::json::value> v = ParseJson(c.json);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(v.status().message().rfind("JSON: ", 0), 0u) << v.status().message();
  EXPECT_NE(v.status().message().find(c.message), std::string::npos) << v.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonBadTest,
    ::testing::ValuesIn(std::vector<BadCase>{
        {"Empty", "", "at offset 0"},
        {"OnlyWhitespace", " \n\t ", "at offset 4"},
        {"TwoValues", "1 2", "trailing characters at offset 2"},
        {"TrailingGarbage", "{} x", "trailing characters at offset 3"},
        {"Html", "<html>Bad gateway</html>", "at offset 0"},
        {"PlainText", "The supplied authentication is invalid", ""},
        {"UnterminatedString", R"("abc)", ""},
        {"UnterminatedEscape", "\"abc\\", ""},
        {"BadEscape", R"("a\x")", "at offset 3"},
        {"SingleQuoteEscape", R"("a\'")", ""},
        {"ShortUnicodeEscape", R"("\u12")", ""},
        {"TruncatedUnicodeEscape", R"("\u12)", ""},
        {"NonHexUnicodeEscape", R"("\u12G4")", ""},
        {"BadLowSurrogateHex", R"("\uD83D\uZZZZ")", ""},
        {"LoneHighSurrogate", R"("x\uD83D")", ""},
        {"LoneLowSurrogate", R"("\uDE00")", "surrogate"},
        {"HighThenNonSurrogateEscape", R"("\uD83D\u0041")", ""},
        {"RawNewlineInString", "\"a\nb\"", "at offset 2"},
        {"RawTabInString", "\"a\tb\"", ""},
        {"InvalidUtf8Lead", "\"\xFF\"", "at offset 1"},
        {"InvalidUtf8Continuation", "\"\xC3\x28\"", ""},
        {"TruncatedUtf8", "\"\xE2\x82\"", ""},
        {"OverlongUtf8", "\"\xC0\xAF\"", ""},
        {"OverlongThreeByte", "\"\xE0\x80\xAF\"", ""},
        {"EncodedSurrogate", "\"\xED\xA0\x80\"", ""},
        {"AboveMaxCodePoint", "\"\xF4\x90\x80\x80\"", ""},
        {"Latin1Byte", "\"caf\xE9\"", ""},
        {"InvalidUtf8InKey", "{\"caf\xE9\":1}", ""},
        {"TrailingCommaArray", "[1,]", ""},
        {"TrailingCommaObject", R"({"a":1,})", ""},
        {"MissingColon", R"({"a" 1})", ""},
        {"MissingComma", R"({"a":1 "b":2})", ""},
        {"ArrayMissingComma", "[1 2]", ""},
        {"UnquotedKey", "{a:1}", ""},
        {"NonStringKey", "{1:1}", ""},
        {"UnclosedObject", R"({"a":1)", ""},
        {"UnclosedArray", "[1,2", ""},
        {"SingleQuotes", "'a'", ""},
        {"Comment", "// x\n1", ""},
        {"BadTrue", "tru", ""},
        {"CapitalTrue", "True", ""},
        {"NullPrefix", "nul", ""},
        {"NaN", "NaN", ""},
        {"Infinity", "-Infinity", ""},
        {"LeadingPlus", "+1", ""},
        {"LeadingZero", "01", "trailing characters at offset 1"},
        {"NegativeLeadingZero", "-01", ""},
        {"BareMinus", "-", ""},
        {"DotWithoutDigits", "1.", ""},
        {"LeadingDot", ".5", ""},
        {"ExponentWithoutDigits", "1e", ""},
        {"ExponentSignWithoutDigits", "1e+", ""},
        {"HexNumber", "0x10", "trailing characters"},
        {"BomOnly", "\xEF\xBB\xBF", "at offset 3"},
        {"BomTwice", "\xEF\xBB\xBF\xEF\xBB\xBF{}", "at offset 3"},
    }),
    [](const auto& info) { return info.param.name; });

TEST(JsonTest, ErrorsNeverCarryContent) {
  const std::string secret_text = "PIN 2580 +254700000001";
  for (const std::string& doc :
       {"{\"message\":\"" + secret_text + "\" x}", "[\"" + secret_text + "\\q\"]",
        "\"" + secret_text, "{\"" + secret_text + "\":1,}", "\"" + secret_text + "\" 2580"}) {
    Result<boost::json::value> v = ParseJson(doc);
    ASSERT_FALSE(v.ok()) << doc;
    EXPECT_EQ(v.status().message().find("2580"), std::string::npos) << v.status().message();
    EXPECT_EQ(v.status().message().find("254700"), std::string::npos) << v.status().message();
  }
}

// --- integers: exact, never through double ---

struct IntegerCase {
  std::string json;
  std::optional<int64_t> int64;    // JsonInt64
  std::optional<int64_t> integer;  // JsonInteger(.., 6)
};
void PrintTo(const IntegerCase& c, std::ostream* os) { *os << c.json.substr(0, 40); }

class JsonIntegerTest : public ::testing::TestWithParam<IntegerCase> {};

TEST_P(JsonIntegerTest, Reads) {
  const IntegerCase& c = GetParam();
  Result<boost::json::value> v = ParseJson(c.json);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(JsonInt64(&*v), c.int64);
  EXPECT_EQ(JsonInteger(&*v, 6), c.integer);
}

constexpr std::optional<int64_t> kNo = std::nullopt;

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonIntegerTest,
    ::testing::ValuesIn(std::vector<IntegerCase>{
        {"0", 0, 0},
        {"-0", 0, 0},
        {"101", 101, 101},
        {"-7", -7, -7},
        {"9223372036854775807", INT64_MAX, INT64_MAX},
        {"-9223372036854775808", INT64_MIN, INT64_MIN},
        {"9223372036854775808", kNo, kNo},  // above int64
        {"-9223372036854775809", kNo, kNo},
        {"99999999999999999999", kNo, kNo},
        // Integral values written as fractions or exponents are not integers:
        // money is never read through a double.
        {"101.0", kNo, kNo},
        {"1e3", kNo, kNo},
        {"1E+3", kNo, kNo},
        {"2.5", kNo, kNo},
        {"-0.8", kNo, kNo},
        {"1e400", kNo, kNo},
        {"1e-400", kNo, kNo},
        // Digit strings: only JsonInteger, 1..max_digits ASCII digits.
        {R"("101")", kNo, 101},
        {R"("000042")", kNo, 42},
        {R"("1234567")", kNo, kNo},  // 7 digits > 6
        {R"("")", kNo, kNo},
        {R"("-5")", kNo, kNo},
        {R"("+5")", kNo, kNo},
        {R"(" 5")", kNo, kNo},
        {R"("1e3")", kNo, kNo},
        {"true", kNo, kNo},
        {"null", kNo, kNo},
        {"[1]", kNo, kNo},
    }),
    [](const auto& info) { return "Case" + std::to_string(info.index); });

TEST(JsonTest, IntegerReadersTakeNull) {
  EXPECT_EQ(JsonInt64(nullptr), std::nullopt);
  EXPECT_EQ(JsonInteger(nullptr, 6), std::nullopt);
  EXPECT_EQ(JsonString(nullptr), "");
  EXPECT_EQ(JsonFind(nullptr, "a"), nullptr);
}

// --- structure and lookups ---

constexpr std::string_view kAtResponse =
    R"({"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: KES 0.8000",)"
    "\n  "
    R"("Recipients": [{"statusCode": 101, "number": "+254711XXXYYY", "status": "Success",)"
    R"( "cost": "KES 0.8000", "messageId": "ATXid_b1f5c2e0"}]}})";

TEST(JsonTest, ReadsAnAfricasTalkingResponse) {
  Result<boost::json::value> v = ParseJson(kAtResponse);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const boost::json::value* data = JsonFind(&*v, "SMSMessageData");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(JsonString(JsonFind(data, "Message")), "Sent to 1/1 Total Cost: KES 0.8000");
  const boost::json::value* recipients = JsonFind(data, "Recipients");
  ASSERT_NE(recipients, nullptr);
  ASSERT_TRUE(recipients->is_array());
  ASSERT_EQ(recipients->get_array().size(), 1u);
  const boost::json::value& first = recipients->get_array()[0];
  EXPECT_EQ(JsonInt64(JsonFind(&first, "statusCode")), 101);
  EXPECT_EQ(JsonString(JsonFind(&first, "messageId")), "ATXid_b1f5c2e0");
}

TEST(JsonTest, MissingLookupsChainToNull) {
  Result<boost::json::value> v = ParseJson(R"({"a": [1, {"b": null}], "s": "x", "n": 5})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(JsonFind(&*v, "nope"), nullptr);
  EXPECT_EQ(JsonFind(JsonFind(&*v, "nope"), "deeper"), nullptr);
  EXPECT_EQ(JsonFind(JsonFind(&*v, "s"), "x"), nullptr);  // a string is not an object
  EXPECT_EQ(JsonFind(JsonFind(&*v, "a"), "b"), nullptr);  // nor is an array
  const boost::json::value* b = JsonFind(&v->get_object().at("a").get_array()[1], "b");
  ASSERT_NE(b, nullptr);  // present but null
  EXPECT_TRUE(b->is_null());
  // Readers of the wrong type yield their defaults.
  EXPECT_EQ(JsonString(JsonFind(&*v, "n")), "");
  EXPECT_EQ(JsonInt64(JsonFind(&*v, "s")), std::nullopt);
  EXPECT_EQ(JsonString(JsonFind(&*v, "s")), "x");
}

TEST(JsonTest, ScalarsAndEmptyContainers) {
  struct Case {
    std::string json;
    boost::json::kind kind;
    size_t size;  // elements or members
  };
  for (const Case& c : std::vector<Case>{{"null", boost::json::kind::null, 0},
                                         {"true", boost::json::kind::bool_, 0},
                                         {"false", boost::json::kind::bool_, 0},
                                         {"[]", boost::json::kind::array, 0},
                                         {"{}", boost::json::kind::object, 0},
                                         {" [ ] ", boost::json::kind::array, 0},
                                         {"{ }", boost::json::kind::object, 0},
                                         {"[[], {}, null]", boost::json::kind::array, 3},
                                         {"\xEF\xBB\xBF{\"a\":1}", boost::json::kind::object, 1},
                                         {"\r\n\t {\"a\" : 1 , \"b\" :2 }\n",
                                          boost::json::kind::object, 2}}) {
    Result<boost::json::value> v = ParseJson(c.json);
    ASSERT_TRUE(v.ok()) << c.json << ": " << v.status().ToString();
    EXPECT_EQ(v->kind(), c.kind) << c.json;
    size_t size = v->is_array() ? v->get_array().size() : v->is_object() ? v->get_object().size() : 0;
    EXPECT_EQ(size, c.size) << c.json;
  }
}

TEST(JsonTest, RepeatedKeyKeepsTheLastValue) {
  Result<boost::json::value> v = ParseJson(R"({"b": 1, "a": 2, "b": 3, "a\u0062": 4})");
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->get_object().size(), 3u);
  EXPECT_EQ(JsonInt64(JsonFind(&*v, "b")), 3);
  EXPECT_EQ(JsonInt64(JsonFind(&*v, "ab")), 4);  // keys are decoded
}

TEST(JsonTest, KeysCompareAfterDecodingIncludingNul) {
  Result<boost::json::value> v = ParseJson(R"({"a\u0000b": true})");
  ASSERT_TRUE(v.ok());
  const boost::json::value* found = JsonFind(&*v, std::string_view("a\0b", 3));
  ASSERT_NE(found, nullptr);
  EXPECT_TRUE(found->as_bool());
  EXPECT_EQ(JsonFind(&*v, "a"), nullptr);
}

TEST(JsonTest, ValuesOutliveTheirCopies) {
  boost::json::value inner;
  {
    Result<boost::json::value> v = ParseJson(R"({"list": ["first", "second"]})");
    ASSERT_TRUE(v.ok());
    inner = v->get_object().at("list");
  }
  EXPECT_EQ(inner.get_array()[1].get_string(), "second");
}

// --- limits ---

std::string Nested(int depth, char open, char close) {
  return std::string(depth, open) + std::string(depth, close);
}

TEST(JsonTest, DepthLimit) {
  EXPECT_TRUE(ParseJson(Nested(32, '[', ']')).ok());
  Result<boost::json::value> deep = ParseJson(Nested(33, '[', ']'));
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.status().message().find("at offset 32"), std::string::npos)
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
  Result<boost::json::value> big = ParseJson(doc + " ", {.max_bytes = 100});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().message(), "JSON: document larger than 100 bytes");
  // The default limit is 1 MiB.
  std::string mib(1 << 20, 'x');
  mib.front() = mib.back() = '"';
  EXPECT_TRUE(ParseJson(mib).ok());
  EXPECT_FALSE(ParseJson(mib + " ").ok());
}

// --- writing: boost::json::serialize, with SanitizeUtf8 for free text ---

struct EscapeCase {
  std::string name;
  std::string raw;
  std::string escaped;  // the serialized string without its quotes
};
// gtest prints the case name instead of the bytes of the struct.
void PrintTo(const EscapeCase& c, std::ostream* os) { *os << c.name; }

class JsonEscapeTest : public ::testing::TestWithParam<EscapeCase> {};

TEST_P(JsonEscapeTest, EscapesAndRoundTrips) {
  const EscapeCase& c = GetParam();
  const std::string text = SanitizeUtf8(c.raw);
  const std::string quoted = boost::json::serialize(boost::json::value(text));
  EXPECT_EQ(quoted, "\"" + c.escaped + "\"");
  Result<boost::json::value> back = ParseJson(quoted);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(JsonString(&*back), text);
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
        {"DelKept", "\x7F", "\x7F"},
        {"Utf8Kept", "\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
        {"InvalidByteReplaced", "caf\xE9!", "caf\xEF\xBF\xBD!"},
        {"TruncatedSequenceReplaced", "a\xE2\x82", "a\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"EncodedSurrogateReplaced", "\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
    }),
    [](const auto& info) { return info.param.name; });

TEST(JsonTest, ObjectsSerializeInInsertionOrder) {
  boost::json::object o;
  o["reference"] = "K7P2QX";
  o["state"] = "approved";
  o["changed"] = false;
  o["amount_minor"] = int64_t{1000000};
  EXPECT_EQ(boost::json::serialize(o),
            R"({"reference":"K7P2QX","state":"approved","changed":false,"amount_minor":1000000})");
}

}  // namespace
}  // namespace shg::channels
