// UTF-8 checks for text that crosses the gateway's edges (SMS texts, names,
// provider fields): well-formed means no overlong forms, no encoded
// surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated
// sequence. The same rules Boost.JSON applies to JSON strings.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace shg {

// Whether `s` is well-formed UTF-8.
bool IsValidUtf8(std::string_view s);

// `s` with every invalid UTF-8 sequence replaced by U+FFFD (EF BF BD), one
// replacement per byte that starts no valid sequence; valid input is
// returned unchanged.
std::string SanitizeUtf8(std::string_view s);

}  // namespace shg
