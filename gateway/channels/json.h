// Reading JSON from providers and partners, over Boost.JSON (compiled once
// in shg_domain, domain/boost_json.cc): a strict parse with limits, and the
// few field readers every adapter needs. Documents are built with
// boost::json::object and boost::json::serialize directly (compact output:
// '"' '\\' and control bytes escaped, \u00XX in lower-case hex; other bytes
// as they are, so callers pass free text through SanitizeUtf8 first,
// domain/utf8.h).
//
// ParseJson() accepts exactly RFC 8259: one value, optionally surrounded by
// whitespace (a leading UTF-8 byte-order mark is skipped); no comments, no
// trailing commas, no single quotes, no NaN/Infinity literals, no leading
// zeros or '+'. Strings must be valid UTF-8 with no raw control byte; escapes
// are decoded (\u0000 gives a NUL byte); a lone or mismatched \u surrogate
// is an error. A repeated object key keeps the last value. Numbers keep
// Boost.JSON's kinds: an integer literal is int64 (uint64 above INT64_MAX),
// anything with a fraction or an exponent, or beyond 64 bits, is a double.
//
// Limits (JsonLimits): the input size, checked first, and the nesting depth
// of arrays and objects (a scalar at the top is depth 0, `[1]` depth 1).
// Exceeding either is an error, so a hostile body cannot exhaust the stack
// or memory.
//
// Errors are InvalidArgument naming the problem and the byte offset, never
// content of the document (bodies carry phone numbers and message texts):
// "JSON: syntax error at offset 17", "JSON: trailing characters at offset
// 3", "JSON: document larger than 1048576 bytes".
//
// Money and counts are integers: JsonInt64() reads only an integer literal
// (never a double, so "1000000.0" and "1e6" are not integers), JsonInteger()
// also a string of digits.
//
// Thread-safety: pure functions; a parsed value owns its memory (a
// monotonic resource shared with its copies), const access from several
// threads is safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/json.hpp>

#include "domain/result.h"
#include "domain/utf8.h"

namespace shg::channels {

struct JsonLimits {
  size_t max_bytes = 1 << 20;  // input size
  size_t max_depth = 32;       // nesting of arrays/objects
};

// Parses a whole JSON document (see the grammar and limits above).
Result<boost::json::value> ParseJson(std::string_view text, const JsonLimits& limits = {});

// Member `key` of `*v` when `v` is an object that has it; nullptr when `v`
// is null, not an object, or has no such member. Chains:
// JsonFind(JsonFind(&root, "a"), "b").
const boost::json::value* JsonFind(const boost::json::value* v, std::string_view key);

// The string of `*v`; "" when `v` is null or not a string.
std::string_view JsonString(const boost::json::value* v);

// The integer of a number written as an integer literal within int64 range;
// nullopt for anything else (a fraction or exponent, a string, null).
std::optional<int64_t> JsonInt64(const boost::json::value* v);

// An integer sent either as an integer literal (JsonInt64) or as a string of
// 1 to `max_digits` ASCII digits (providers do both); nullopt otherwise.
// REQUIRES: max_digits <= 18 (no overflow).
std::optional<int64_t> JsonInteger(const boost::json::value* v, size_t max_digits);

}  // namespace shg::channels
