// A small JSON reader (RFC 8259) and string escaper: enough to read
// providers' and partners' responses and callbacks, and to build small JSON
// request bodies (the MFI referral document). No dependency.
//
// Reading: ParseJson() builds a tree of JsonValue (null, bool, number,
// string, array, object). Strict grammar: one value, optionally surrounded
// by whitespace (space, tab, CR, LF; a leading UTF-8 byte-order mark is
// skipped); no comments, no trailing commas, no single quotes, no NaN or
// Infinity, no leading zeros or '+'. Strings:
//   - raw bytes must be valid UTF-8 (no overlong forms, no encoded
//     surrogates, nothing above U+10FFFF) and no control byte < 0x20;
//   - escapes \" \\ \/ \b \f \n \r \t and \uXXXX (either hex case); a
//     \uD8xx\uDCxx surrogate pair decodes to one code point; a lone or
//     mismatched surrogate decodes to U+FFFD (so a provider's odd escape in
//     a field we do not read cannot make the whole response unreadable);
//   - \u0000 is allowed and decodes to a NUL byte inside the std::string.
// Decoded strings are therefore always valid UTF-8.
// Numbers keep their literal text and a double; AsInt64() gives the exact
// integer for an integral literal (see there).
// Objects keep their members in document order; a repeated key keeps every
// member, and Find()/Get() return the first.
//
// Limits (JsonLimits): the input size and the nesting depth of arrays and
// objects (a scalar at the top is depth 0, `[1]` depth 1). Exceeding either
// is an error, so a hostile body cannot exhaust the stack or memory.
//
// Errors are InvalidArgument with a message naming the problem and the byte
// offset, never any content of the document (bodies may carry phone numbers
// or message texts), e.g. "JSON: unexpected character at offset 17".
//
// Thread-safety: ParseJson and JsonEscape are pure; a JsonValue is a plain
// value (const access from several threads is safe).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.h"

namespace shg {

struct JsonMember;

class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  JsonValue() = default;  // null

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // Scalars. Each returns its default for a value of another type.
  bool bool_value() const { return type_ == Type::kBool && bool_; }
  // The number as a double (+-inf when its magnitude exceeds double's range,
  // 0 on underflow); 0 for a non-number.
  double number() const { return type_ == Type::kNumber ? number_ : 0; }
  // The decoded string; "" for a non-string.
  const std::string& string_value() const;
  // The number's literal text as it appeared ("101", "-2.5e3"); "" for a
  // non-number.
  const std::string& number_literal() const;
  // The exact integer of a number whose literal is an integer ("101", "-7")
  // within int64 range, or whose value is integral and at most 2^53 in
  // magnitude ("101.0", "1e3"); nullopt otherwise (also for non-numbers).
  std::optional<int64_t> AsInt64() const;

  // Containers. Empty for values of another type.
  const std::vector<JsonValue>& array() const;
  const std::vector<JsonMember>& members() const;
  // Number of array elements or object members; 0 for scalars.
  size_t size() const;

  // The first member named `key` (compared byte for byte after decoding),
  // or nullptr when absent or when this is not an object.
  const JsonValue* Find(std::string_view key) const;
  // Like Find, but a missing member (or a non-object) yields a shared null
  // value, so lookups chain: root.Get("a").Get("b").At(0).Get("c").
  const JsonValue& Get(std::string_view key) const;
  // Array element `index`, or the shared null value when out of range or
  // not an array.
  const JsonValue& At(size_t index) const;

  // Construction (used by the parser; handy in tests).
  static JsonValue Bool(bool b);
  static JsonValue Number(double value, std::string literal);
  static JsonValue String(std::string s);
  static JsonValue Array(std::vector<JsonValue> elements);
  static JsonValue Object(std::vector<JsonMember> members);

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string text_;  // kString: the decoded string; kNumber: the literal
  std::vector<JsonValue> array_;
  std::vector<JsonMember> members_;
};

struct JsonMember {
  std::string key;
  JsonValue value;
};

struct JsonLimits {
  size_t max_bytes = 1 << 20;  // input size
  int max_depth = 32;          // nesting of arrays/objects
};

// Parses a whole JSON document (see the grammar and limits above).
Result<JsonValue> ParseJson(std::string_view text, const JsonLimits& limits = {});

// An integer sent either as a JSON number (AsInt64) or as a string of 1 to
// `max_digits` ASCII digits (providers do both); nullopt otherwise.
// REQUIRES: max_digits <= 18 (no overflow).
std::optional<int64_t> JsonInteger(const JsonValue& v, size_t max_digits);

// The JSON string literal content for `s` (no surrounding quotes): '"' and
// '\\' escaped, control bytes < 0x20 as \b \f \n \r \t or \u00XX, DEL as
// \u007f; other bytes kept as they are. Invalid UTF-8 sequences in `s` are
// replaced by U+FFFD, so the result is always valid inside a JSON string.
std::string JsonEscape(std::string_view s);
// '"' + JsonEscape(s) + '"'.
std::string JsonQuote(std::string_view s);

// Whether `s` is well-formed UTF-8 (the same rules as the parser's strings).
bool IsValidUtf8(std::string_view s);
// `s` with every invalid UTF-8 sequence replaced by U+FFFD (EF BF BD); valid
// input is returned unchanged.
std::string SanitizeUtf8(std::string_view s);

}  // namespace shg
