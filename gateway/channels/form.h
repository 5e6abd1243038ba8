// application/x-www-form-urlencoded decoding, shared by the channel adapters
// (form bodies of provider callbacks and URL query strings).
//
// Encoding rules: pairs are separated by '&'; a pair is `name=value` (a pair
// without '=' has an empty value; empty pairs are skipped); in names and
// values '+' is a space and %XX is the byte 0xXX (hex digits of either case).
// A '%' not followed by two hex digits is malformed. No charset check is made:
// decoded values are raw bytes (normally UTF-8). A repeated name keeps its
// first value.
//
// Secrets: FindFormField() and FormValue() touch only the field asked for, so
// a body carrying a PIN (Africa's Talking's USSD `text`) can be read without
// copying that field. ParseForm() copies every value: never use it on such a
// body.
//
// Thread-safety: all functions are pure; Form is a plain value.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/result.h"

namespace shg::channels {

namespace form_internal {
// Value of a hex digit, or -1.
constexpr int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace form_internal

// Calls fn(byte, next) for every decoded byte of the encoded component
// `encoded`, where `next` is the offset in `encoded` just past the byte's
// encoding. Returns false on the first malformed %-escape (fn has then been
// called for the bytes before it), true otherwise. Does not allocate.
template <typename Fn>
bool ForEachDecodedByte(std::string_view encoded, Fn&& fn) {
  size_t i = 0;
  while (i < encoded.size()) {
    char c = encoded[i];
    if (c == '%') {
      if (encoded.size() - i < 3) return false;
      int hi = form_internal::HexValue(encoded[i + 1]);
      int lo = form_internal::HexValue(encoded[i + 2]);
      if (hi < 0 || lo < 0) return false;
      i += 3;
      fn(static_cast<char>(hi * 16 + lo), i);
    } else {
      ++i;
      fn(c == '+' ? ' ' : c, i);
    }
  }
  return true;
}

// Whether every '%' in `encoded` starts a valid %XX escape.
bool IsWellFormedFormEncoding(std::string_view encoded);

// The decoded form of one component (a name or a value). InvalidArgument on a
// malformed %-escape.
Result<std::string> FormDecode(std::string_view encoded);

// The first pair of `form` whose decoded name equals `name`: its value still
// encoded (a view into `form`), or nullopt when no pair has that name. A name
// with a malformed escape matches nothing. Does not allocate.
std::optional<std::string_view> FindFormField(std::string_view form, std::string_view name);

// The decoded value of the first `name` in a form body. NotFound when absent;
// InvalidArgument when that value has a malformed %-escape.
Result<std::string> FormValue(std::string_view form, std::string_view name);

// The decoded value of the first parameter `name` of a URL query string (the
// part after '?', without it), decoded with the form rules above. NotFound
// when absent; InvalidArgument when malformed.
Result<std::string> QueryParam(std::string_view query, std::string_view name);

// A fully decoded form, pairs in the order of their first appearance.
class Form {
 public:
  // The value of `name`, or nullptr when absent. The pointer stays valid
  // until the Form is modified or destroyed.
  const std::string* Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name) != nullptr; }
  const std::vector<std::pair<std::string, std::string>>& pairs() const { return pairs_; }

 private:
  friend Result<Form> ParseForm(std::string_view body);
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// Decodes a whole form body. InvalidArgument (naming no value) when any name
// or value has a malformed %-escape. Copies every value (see "Secrets").
Result<Form> ParseForm(std::string_view body);

}  // namespace shg::channels
