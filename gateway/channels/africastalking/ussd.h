// Africa's Talking USSD callback adapter (spec: providers.md section 1).
//
// AT POSTs an application/x-www-form-urlencoded body on the dial and after
// every answer, with fields sessionId, serviceCode, phoneNumber, networkCode
// and text, where text is the whole input path of the session joined by '*'
// ("" on the dial, then "2580", "2580*2", ...). We answer 200 text/plain
// "CON <screen>" (wait for input) or "END <screen>" (close the session).
//
// The path repeats the member's PIN in every later callback, so the parser
// copies nothing of `text` but its last token.
//
// Thread-safety: all functions are pure.
#pragma once

#include <string>
#include <string_view>

#include "dialogs/events.h"
#include "domain/result.h"

namespace shg::channels {

// Limits applied by ParseAfricasTalkingUssd (decoded bytes).
inline constexpr size_t kAtMaxSessionIdLength = 128;
inline constexpr size_t kAtMaxServiceCodeLength = 64;
inline constexpr size_t kAtMaxPhoneLength = 32;
inline constexpr size_t kAtMaxNetworkCodeLength = 16;
inline constexpr size_t kAtMaxTextLength = 1024;

// Maps one USSD callback body to the normalised request:
//   channel      = channel_id
//   session_id   = sessionId: required, 1..128 printable ASCII characters
//   service_code = serviceCode: required, 1..64 printable ASCII characters
//   phone        = phoneNumber: required, 1..32 of "+0123456789 " (as decoded;
//                  AT sends '+' as %2B, a raw '+' decodes to a space)
//   network      = networkCode: optional ("" when absent), <= 16 printable
//   step         = number of '*'-separated tokens of text (0 when text is "")
//   input        = the last token of text ("" on the dial or after a
//                  trailing '*')
//   request_id   = "" (the caller assigns it)
// text is required (it may be empty) and at most 1024 bytes decoded; tokens
// may be empty ("1**2" is step 3, input "2"). A repeated field keeps its first
// value; unknown fields are ignored.
// On failure returns InvalidArgument whose message names the field but never
// carries a value, e.g. "missing field: sessionId", "field too long: text",
// "malformed %-escape in the form body".
Result<UssdRequest> ParseAfricasTalkingUssd(std::string_view channel_id,
                                            std::string_view form_body);

// The response body for `reply`: "CON " + text, or "END " + text when
// reply.end. Send it as 200 text/plain.
std::string FormatAfricasTalkingUssd(const UssdReply& reply);

// Callback authentication by a per-channel secret in the callback URL
// (`?key=...`). `query` is the raw query string (after '?'). True when
// `expected_key` is empty (no key configured); otherwise true only when the
// first `key` parameter, decoded, equals expected_key. The comparison takes
// time independent of where the values differ.
bool CheckCallbackKey(std::string_view query, std::string_view expected_key);

}  // namespace shg::channels
