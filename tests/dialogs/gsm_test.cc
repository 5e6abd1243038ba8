// GSM text facts (providers.md section 6): alphabet choice, lengths, SMS part
// counts and wire encodings; and the shipped catalogues stay in GSM-7.
#include "dialogs/gsm.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <toml++/toml.h>

namespace shg::dialogs {
namespace {

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

std::string Hex(std::string_view s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    std::snprintf(buf, sizeof(buf), "%02X ", c);
    out += buf;
  }
  return out;
}

const char* const kEuro = "\u20AC";
const char* const kEmoji = "\U0001F600";  // grinning face, outside the BMP

// ---------------------------------------------------------------------------
// MeasureSms / IsGsm7 / Gsm7Septets

struct MeasureCase {
  std::string name;
  std::string text;
  SmsEncoding encoding;
  size_t units;
  size_t segments;
};

void PrintTo(const MeasureCase& c, std::ostream* os) { *os << c.name; }

std::vector<MeasureCase> MeasureCases() {
  const auto kG = SmsEncoding::kGsm7;
  const auto kU = SmsEncoding::kUcs2;
  return {
      {"Empty", "", kG, 0, 0},
      {"PlainAscii", "Hello, World!", kG, 13, 1},
      {"AsciiSymbolsInBasicTable", "@$_!\"#%&'()*+,-./:;<=>?", kG, 23, 1},
      {"Kiswahili", "Habari Mama Wanjiku! Umeweka KES 1,000 kwenye akiba. Asante sana.", kG, 65, 1},
      {"KiswahiliWithNewlines", "Salio: KES 12,500\nMkopo: hakuna", kG, 31, 1},
      {"CarriageReturnAndLineFeed", "a\r\nb", kG, 4, 1},
      {"AccentedLatinInTable", "\u00E8\u00E9\u00F9\u00EC\u00F2\u00C7\u00C4\u00D6\u00D1\u00DC\u00E4\u00F6\u00F1\u00FC\u00E0\u00DF", kG, 16, 1},
      {"GreekCapitalsInTable", "\u0394\u03A6\u0393\u039B\u03A9\u03A0\u03A8\u03A3\u0398\u039E", kG, 10, 1},
      {"CurrencySymbolsInTable", "\u00A3\u00A5\u00A4", kG, 3, 1},
      {"EveryExtensionCharCountsTwo", "\f^{}\\[~]|\u20AC", kG, 20, 1},
      {"Euro", kEuro, kG, 2, 1},
      {"PriceInEuro", "Bei: 100\u20AC", kG, 10, 1},
      {"PlaceholderBraces", "Karibu {name}", kG, 15, 1},
      {"BacktickIsUcs2", "a`b", kU, 3, 1},
      {"LowercaseCCedillaIsUcs2", "gar\u00E7on", kU, 6, 1},
      {"CapitalCCedillaIsGsm", "GAR\u00C7ON", kG, 6, 1},
      {"TabIsUcs2", "a\tb", kU, 3, 1},
      {"NoBreakSpaceIsUcs2", "KES\u00A0500", kU, 7, 1},
      {"LowercaseGreekIsUcs2", "\u03B1", kU, 1, 1},
      {"CurlyDoubleQuotesAreUcs2", "\u201CAsante\u201D", kU, 8, 1},
      {"CurlyApostropheIsUcs2", "Don\u2019t", kU, 5, 1},
      {"Devanagari", "\u0928\u092E\u0938\u094D\u0924\u0947", kU, 6, 1},
      {"EmojiCountsTwoUnits", std::string("Hi ") + kEmoji, kU, 5, 1},
      {"LoneEmoji", kEmoji, kU, 2, 1},
      // GSM-7 boundaries: 160 single, 153 per part.
      {"Gsm160IsOnePart", Repeat("a", 160), kG, 160, 1},
      {"Gsm161IsTwoParts", Repeat("a", 161), kG, 161, 2},
      {"Gsm306IsTwoParts", Repeat("a", 153 * 2), kG, 306, 2},
      {"Gsm307IsThreeParts", Repeat("a", 153 * 2 + 1), kG, 307, 3},
      {"Gsm158PlusEuroFitsOnePart", Repeat("a", 158) + kEuro, kG, 160, 1},
      {"Gsm159PlusEuroStraddles160", Repeat("a", 159) + kEuro, kG, 161, 2},
      {"Gsm80ExtensionCharsIsOnePart", Repeat("[", 80), kG, 160, 1},
      {"Gsm81ExtensionCharsIsTwoParts", Repeat("[", 81), kG, 162, 2},
      // UCS-2 boundaries: 70 single, 67 per part.
      {"Ucs70IsOnePart", Repeat("\u00E7", 70), kU, 70, 1},
      {"Ucs71IsTwoParts", Repeat("\u00E7", 71), kU, 71, 2},
      {"Ucs134IsTwoParts", Repeat("\u00E7", 67 * 2), kU, 134, 2},
      {"Ucs135IsThreeParts", Repeat("\u00E7", 67 * 2 + 1), kU, 135, 3},
      {"OneCurlyQuoteMakes160CharsUcs2", Repeat("a", 159) + "\u2019", kU, 160, 3},
      {"Emoji35IsOnePart", Repeat(kEmoji, 35), kU, 70, 1},
      {"Emoji36IsTwoParts", Repeat(kEmoji, 36), kU, 72, 2},
      {"Devanagari67TimesTwo", Repeat("\u0928", 134), kU, 134, 2},
      // Invalid UTF-8: each bad byte is one UCS-2 unit.
      {"InvalidByteFF", "\xFF", kU, 1, 1},
      {"InvalidStrayContinuation", "ab\x80", kU, 3, 1},
      {"InvalidTruncatedTwoByte", "ab\xC3", kU, 3, 1},
      {"InvalidTruncatedThreeByte", "\xE2\x82", kU, 2, 1},
      {"InvalidOverlongSlash", "\xC0\xAF", kU, 2, 1},
      {"InvalidEncodedSurrogate", "\xED\xA0\x80", kU, 3, 1},
      {"InvalidAboveMaxCodePoint", "\xF4\x90\x80\x80", kU, 4, 1},
      {"InvalidMixedWithValid", "ok\xFF\u00E9\xFE", kU, 5, 1},
      {"InvalidManyBytes", Repeat("\xFF", 71), kU, 71, 2},
  };
}

class MeasureSmsTest : public testing::TestWithParam<MeasureCase> {};

TEST_P(MeasureSmsTest, EncodingUnitsAndSegments) {
  const MeasureCase& c = GetParam();
  const SmsLength got = MeasureSms(c.text);
  EXPECT_EQ(got.encoding, c.encoding);
  EXPECT_EQ(got.units, c.units);
  EXPECT_EQ(got.segments, c.segments);
  EXPECT_EQ(IsGsm7(c.text), c.encoding == SmsEncoding::kGsm7);
  if (c.encoding == SmsEncoding::kGsm7) {
    EXPECT_EQ(Gsm7Septets(c.text), c.units);
    Result<std::string> packed = EncodeGsm7(c.text);
    ASSERT_TRUE(packed.ok()) << packed.status().ToString();
    EXPECT_EQ(packed->size(), c.units) << "one byte per septet";
  } else {
    EXPECT_EQ(EncodeUcs2(c.text).size(), 2 * c.units) << "two bytes per UCS-2 unit";
    Result<std::string> packed = EncodeGsm7(c.text);
    ASSERT_FALSE(packed.ok());
    EXPECT_EQ(packed.status().code(), Status::Code::kInvalidArgument);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, MeasureSmsTest, testing::ValuesIn(MeasureCases()),
                         [](const testing::TestParamInfo<MeasureCase>& p) { return p.param.name; });

TEST(GsmTest, PrintableAsciiIsGsm7ExceptBacktickAndExtensionCharsCostTwo) {
  const std::string kExtension = "^{}\\[~]|";
  for (char c = 0x20; c < 0x7F; ++c) {
    const std::string s(1, c);
    SCOPED_TRACE("char '" + s + "'");
    if (c == '`') {
      EXPECT_FALSE(IsGsm7(s));
      EXPECT_EQ(MeasureSms(s).encoding, SmsEncoding::kUcs2);
      continue;
    }
    EXPECT_TRUE(IsGsm7(s));
    const size_t expected = kExtension.find(c) == std::string::npos ? 1 : 2;
    EXPECT_EQ(Gsm7Septets(s), expected);
    EXPECT_EQ(MeasureSms(s).units, expected);
  }
}

TEST(GsmTest, Gsm7SeptetsCountsNonGsmCharactersAsOne) {
  EXPECT_EQ(Gsm7Septets("a`\u20AC"), 4u);  // 1 + 1 + 2
  EXPECT_EQ(Gsm7Septets(kEmoji), 1u);
  EXPECT_EQ(Gsm7Septets("\xFF\xFE"), 2u);
}

// ---------------------------------------------------------------------------
// EncodeGsm7

struct Gsm7EncodeCase {
  std::string name;
  std::string text;
  std::string bytes;
};

void PrintTo(const Gsm7EncodeCase& c, std::ostream* os) { *os << c.name; }

std::vector<Gsm7EncodeCase> Gsm7EncodeCases() {
  return {
      {"Empty", "", ""},
      {"AtPoundDollar", "@\u00A3$", Bytes({0x00, 0x01, 0x02})},
      {"Euro", kEuro, Bytes({0x1B, 0x65})},
      {"YenGraveAcute", "\u00A5\u00E8\u00E9", Bytes({0x03, 0x04, 0x05})},
      {"CapitalCCedilla", "\u00C7", Bytes({0x09})},
      {"LineFeedCarriageReturn", "\n\r", Bytes({0x0A, 0x0D})},
      {"DeltaUnderscore", "\u0394_", Bytes({0x10, 0x11})},
      {"InvertedMarks", "\u00A1\u00BF", Bytes({0x40, 0x60})},
      {"SectionAndAGrave", "\u00A7\u00E0", Bytes({0x5F, 0x7F})},
      {"AsciiLettersDigits", "Az09", Bytes({0x41, 0x7A, 0x30, 0x39})},
      {"FormFeed", "\f", Bytes({0x1B, 0x0A})},
      {"Caret", "^", Bytes({0x1B, 0x14})},
      {"Braces", "{}", Bytes({0x1B, 0x28, 0x1B, 0x29})},
      {"Backslash", "\\", Bytes({0x1B, 0x2F})},
      {"BracketsTilde", "[~]", Bytes({0x1B, 0x3C, 0x1B, 0x3D, 0x1B, 0x3E})},
      {"Pipe", "|", Bytes({0x1B, 0x40})},
      {"MixedSentence", "KES 5\u20AC@", Bytes({0x4B, 0x45, 0x53, 0x20, 0x35, 0x1B, 0x65, 0x00})},
  };
}

class EncodeGsm7Test : public testing::TestWithParam<Gsm7EncodeCase> {};

TEST_P(EncodeGsm7Test, Bytes) {
  const Gsm7EncodeCase& c = GetParam();
  Result<std::string> got = EncodeGsm7(c.text);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(Hex(*got), Hex(c.bytes));
}

INSTANTIATE_TEST_SUITE_P(Table, EncodeGsm7Test, testing::ValuesIn(Gsm7EncodeCases()),
                         [](const testing::TestParamInfo<Gsm7EncodeCase>& p) { return p.param.name; });

// The whole default alphabet, transcribed from providers.md 6.1 column by
// column (0x1B is ESC and has no character), encodes to codes 0x00..0x7F.
TEST(GsmTest, WholeDefaultAlphabetEncodesToItsCodes) {
  const std::vector<std::vector<std::string>> kColumns = {
      {"@", "\u00A3", "$", "\u00A5", "\u00E8", "\u00E9", "\u00F9", "\u00EC", "\u00F2", "\u00C7", "\n",
       "\u00D8", "\u00F8", "\r", "\u00C5", "\u00E5"},
      {"\u0394", "_", "\u03A6", "\u0393", "\u039B", "\u03A9", "\u03A0", "\u03A8", "\u03A3", "\u0398",
       "\u039E", "", "\u00C6", "\u00E6", "\u00DF", "\u00C9"},
      {" ", "!", "\"", "#", "\u00A4", "%", "&", "'", "(", ")", "*", "+", ",", "-", ".", "/"},
      {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ":", ";", "<", "=", ">", "?"},
      {"\u00A1", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O"},
      {"P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "\u00C4", "\u00D6", "\u00D1", "\u00DC",
       "\u00A7"},
      {"\u00BF", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o"},
      {"p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "\u00E4", "\u00F6", "\u00F1", "\u00FC",
       "\u00E0"},
  };
  std::string all;
  std::string expected;
  for (int col = 0; col < 8; ++col) {
    for (int row = 0; row < 16; ++row) {
      const std::string& ch = kColumns[col][row];
      const int code = col * 16 + row;
      if (code == 0x1B) continue;
      SCOPED_TRACE("code " + std::to_string(code));
      Result<std::string> one = EncodeGsm7(ch);
      ASSERT_TRUE(one.ok()) << one.status().ToString();
      EXPECT_EQ(*one, Bytes({code}));
      EXPECT_EQ(Gsm7Septets(ch), 1u);
      all += ch;
      expected.push_back(static_cast<char>(code));
    }
  }
  EXPECT_EQ(MeasureSms(all).encoding, SmsEncoding::kGsm7);
  EXPECT_EQ(MeasureSms(all).units, 127u);
  Result<std::string> packed = EncodeGsm7(all);
  ASSERT_TRUE(packed.ok());
  EXPECT_EQ(*packed, expected);
}

struct Gsm7RejectCase {
  std::string name;
  std::string text;
  std::string message_part;  // expected in the error message
};

TEST(GsmTest, EncodeGsm7RejectsNonGsmTextNamingTheCharacter) {
  const std::vector<Gsm7RejectCase> kCases = {
      {"Backtick", "ab`", "U+0060 at byte 2"},
      {"LowercaseCCedilla", "\u00E7", "U+00E7 at byte 0"},
      {"CurlyQuote", "x\u201C", "U+201C at byte 1"},
      {"Emoji", kEmoji, "U+1F600 at byte 0"},
      {"Escape", "\x1B", "U+001B"},
      {"NoBreakSpace", "\u00A0", "U+00A0"},
      {"InvalidUtf8", "ok\xFF", "invalid UTF-8 at byte 2"},
  };
  for (const Gsm7RejectCase& c : kCases) {
    SCOPED_TRACE(c.name);
    Result<std::string> got = EncodeGsm7(c.text);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(got.status().message().find(c.message_part), std::string::npos) << got.status().message();
  }
}

// ---------------------------------------------------------------------------
// EncodeUcs2

TEST(GsmTest, EncodeUcs2IsUtf16BigEndian) {
  struct Case {
    std::string name;
    std::string text;
    std::string bytes;
  };
  const std::vector<Case> kCases = {
      {"Empty", "", ""},
      {"Ascii", "A", Bytes({0x00, 0x41})},
      {"EAcute", "\u00E9", Bytes({0x00, 0xE9})},
      {"Euro", kEuro, Bytes({0x20, 0xAC})},
      {"CurlyQuote", "\u201C", Bytes({0x20, 0x1C})},
      {"Devanagari", "\u0928\u092E", Bytes({0x09, 0x28, 0x09, 0x2E})},
      {"EmojiSurrogatePair", kEmoji, Bytes({0xD8, 0x3D, 0xDE, 0x00})},
      {"LastCodePoint", "\U0010FFFF", Bytes({0xDB, 0xFF, 0xDF, 0xFF})},
      {"InvalidByteIsReplacementChar", "a\xFF", Bytes({0x00, 0x61, 0xFF, 0xFD})},
      {"TruncatedSequenceIsOneReplacementPerByte", "\xE2\x82", Bytes({0xFF, 0xFD, 0xFF, 0xFD})},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(Hex(EncodeUcs2(c.text)), Hex(c.bytes));
  }
}

// ---------------------------------------------------------------------------
// Shipped catalogues: AT warns that special characters are not rendered by
// telcos, so every template must be GSM-7.

TEST(GsmTest, ShippedCataloguesAreGsm7) {
  for (const std::string lang : {"en", "sw"}) {
    const std::string path = std::string(SHG_SOURCE_DIR) + "/config/lang/" + lang + ".toml";
    SCOPED_TRACE(path);
    toml::table doc;
    try {
      doc = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      FAIL() << "cannot parse: " << e.description();
    }
    const toml::table* text = doc["text"].as_table();
    ASSERT_NE(text, nullptr) << "no [text] table";
    EXPECT_GT(text->size(), 0u);
    for (const auto& [key, node] : *text) {
      const std::optional<std::string> value = node.value<std::string>();
      if (!value) {
        ADD_FAILURE() << lang << ": [text]." << key.str() << " is not a string";
        continue;
      }
      EXPECT_TRUE(IsGsm7(*value)) << lang << ": [text]." << key.str()
                                  << " is not GSM 7-bit (would be sent as UCS-2): \"" << *value << "\"";
    }
  }
}

}  // namespace
}  // namespace shg::dialogs
