// Signing of the partner API (gateway <-> MFI partner), both directions
// (spec: the partner API contract; issue 4 "MFI referral").
//
// A request is signed over its timestamp and its raw body:
//   X-SHG-Timestamp: <Unix seconds, decimal>
//   X-SHG-Signature: sha256=<lower-case hex of HMAC-SHA256(secret, timestamp + "." + body)>
// The receiver refuses a timestamp more than a window away from its clock
// (either direction), so a captured request cannot be replayed later.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/result.h"

namespace shg::partners {

inline constexpr char kTimestampHeader[] = "X-SHG-Timestamp";  // Unix seconds, decimal
inline constexpr char kSignatureHeader[] = "X-SHG-Signature";
inline constexpr char kIdempotencyHeader[] = "Idempotency-Key";

// "sha256=" + lower-case hex of HMAC-SHA256(key = secret, msg = timestamp + "." + body).
std::string Sign(std::string_view secret, std::string_view timestamp, std::string_view body);

// Ok, or Status::Unauthenticated with exactly one of these messages, checked
// in this order:
//   "missing signature"  the timestamp or the signature is empty (header absent)
//   "bad timestamp"      not 1..15 ASCII digits
//   "stale timestamp"    |now - timestamp| > window_s (seconds)
//   "bad signature"      not Sign(secret, timestamp, body) (constant-time
//                        compare); an empty secret never verifies
// The messages carry nothing from the request, so they may be answered as is.
Status Verify(std::string_view secret, std::string_view timestamp, std::string_view signature,
              std::string_view body, int64_t now, int window_s);

}  // namespace shg::partners
