// GSM text facts for SMS and USSD: which alphabet a text needs, how long it
// is in that alphabet, how many SMS parts it takes, and its wire encoding.
//
// Contract (docs: /work/shared/spec/providers.md section 6):
// - Input is UTF-8. Invalid UTF-8 (stray or truncated sequences, overlong
//   forms, encoded surrogates, code points above U+10FFFF) never crashes: each
//   bad byte counts as one UCS-2 unit, makes the text UCS-2, and is encoded by
//   EncodeUcs2 as U+FFFD.
// - A text is GSM-7 when every code point is in the GSM 03.38 default alphabet
//   (1 septet) or its extension table (ESC + code, 2 septets): form feed, ^ { }
//   \ [ ~ ] | and the euro sign. Backtick, lower-case c-cedilla, tab and NBSP
//   are not GSM-7. One non-GSM character makes the whole text UCS-2.
// - UCS-2 length is counted in UTF-16 code units: a code point outside the BMP
//   (emoji) takes 2.
// - Segments: 0 for empty text; 1 if the length fits one SMS (160 septets /
//   70 units); otherwise ceil(length / 153) / ceil(length / 67), the
//   concatenated part sizes. This is the budget estimate; a sender that never
//   splits an ESC pair or a surrogate pair across parts may in rare cases need
//   one more part.
// The SMS sender and the USSD screen renderer both count with this code, so
// there is one answer to "how long is this text".
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "domain/result.h"

namespace shg::dialogs {

enum class SmsEncoding { kGsm7, kUcs2 };

// Single-part and per-part limits (GSM 03.40 payload of 140 octets, a 6-octet
// concatenation header for multi-part messages).
inline constexpr size_t kGsm7SingleLimit = 160;
inline constexpr size_t kGsm7PartLimit = 153;
inline constexpr size_t kUcs2SingleLimit = 70;
inline constexpr size_t kUcs2PartLimit = 67;

struct SmsLength {
  SmsEncoding encoding;
  // GSM-7: septets (extension chars count 2); UCS-2: 16-bit code units
  // (non-BMP count 2, each invalid UTF-8 byte counts 1).
  size_t units;
  // 1 if units <= 160 (GSM-7) / 70 (UCS-2), else ceil(units / 153) /
  // ceil(units / 67); 0 for empty text.
  size_t segments;
};

// True when every code point is in the default alphabet or the extension
// table (the empty text is GSM-7). False for any invalid UTF-8.
bool IsGsm7(std::string_view utf8);

// Encoding, length in that encoding's units, and SMS part count.
SmsLength MeasureSms(std::string_view utf8);

// Septets for GSM-7 text (extension characters count 2); only meaningful when
// IsGsm7. A code point or bad byte outside GSM-7 counts 1 (as if it were
// replaced by one character); use MeasureSms for the true length of such text.
size_t Gsm7Septets(std::string_view utf8);

// Packs GSM-7 text into the 7-bit default alphabet codes, one byte per septet
// (values 0x00-0x7F), with ESC 0x1B before each extension character: what an
// SMSC expects with coding=0. InvalidArgument naming the first offending
// character and its byte offset if the text is not GSM-7 (or not valid UTF-8).
Result<std::string> EncodeGsm7(std::string_view utf8);

// UTF-16BE bytes of the text (surrogate pairs for non-BMP, U+FFFD for each
// invalid byte): what Kannel's sendsms expects with coding=2 and no charset.
// The result is always 2 * MeasureSms(utf8).units bytes when the text is not
// GSM-7.
std::string EncodeUcs2(std::string_view utf8);

// The inverse: UTF-16BE bytes (as Kannel delivers coding=2 text) to UTF-8.
// Surrogate pairs are joined; a lone surrogate becomes U+FFFD so the rest
// stays readable. InvalidArgument for an odd byte count.
Result<std::string> DecodeUcs2(std::string_view utf16be);

// Appends the UTF-8 encoding of code point `cp` (<= 0x10FFFF) to `out`.
void AppendUtf8(char32_t cp, std::string* out);

}  // namespace shg::dialogs
