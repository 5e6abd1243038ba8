// UTF-8 checks (domain/utf8.h): what is well-formed, and replacement of
// every invalid byte.
#include "domain/utf8.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace shg {
namespace {

TEST(Utf8Test, Validity) {
  struct Case {
    std::string text;
    bool valid;
  };
  for (const Case& c : std::vector<Case>{
           {"", true},
           {"ascii", true},
           {"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", true},
           {"\xF4\x8F\xBF\xBF", true},    // U+10FFFF
           {"\xC3", false},                // truncated
           {"\xC3\x28", false},            // bad continuation
           {"\xF8\x88\x80\x80\x80", false},  // 5-byte form
           {"\xC1\xBF", false},            // overlong
           {"\xE0\x80\xAF", false},        // overlong three bytes
           {"\xED\xA0\x80", false},        // encoded surrogate
           {"\xF4\x90\x80\x80", false},    // above U+10FFFF
           {"caf\xE9", false},             // Latin-1
       }) {
    EXPECT_EQ(IsValidUtf8(c.text), c.valid) << testing::PrintToString(c.text);
  }
}

TEST(Utf8Test, SanitizeReplacesEachInvalidByte) {
  EXPECT_EQ(SanitizeUtf8("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(SanitizeUtf8("\xFF" "a"), "\xEF\xBF\xBD" "a");
  EXPECT_EQ(SanitizeUtf8("caf\xE9!"), "caf\xEF\xBF\xBD!");
  EXPECT_EQ(SanitizeUtf8("a\xE2\x82"), "a\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_TRUE(IsValidUtf8(SanitizeUtf8("\xC0\xAF\xF8 x \xF0\x9F\x98")));
}

}  // namespace
}  // namespace shg
