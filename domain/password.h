// Staff passwords: PBKDF2-HMAC-SHA256 (OpenSSL) with a 16-byte random salt,
// encoded as "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>" so that the
// work factor can be raised later without breaking stored hashes.
// Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>

namespace shg {

// OWASP's 2023 figure for PBKDF2-HMAC-SHA256.
inline constexpr int kPasswordIterations = 600000;

std::string HashPassword(std::string_view password, int iterations = kPasswordIterations);
// Constant-time check of `password` against an encoded hash; false for a
// malformed encoding.
bool VerifyPassword(std::string_view password, std::string_view encoded);

}  // namespace shg
