// PINs: keyed hash (HMAC-SHA256 with a server-side pepper and a per-member
// salt), constant-time verification, rules for member-chosen PINs, and
// random one-time PINs / salts from the OS CSPRNG (OpenSSL RAND_bytes).
//
// Thread-safety: a PinHasher is immutable after construction; all methods are
// safe to call concurrently.
#pragma once

#include <string>
#include <string_view>

#include "domain/result.h"

namespace shg {

class PinHasher {
 public:
  // REQUIRES: pepper is non-empty (at least 16 bytes recommended).
  explicit PinHasher(std::string pepper) : pepper_(std::move(pepper)) {}
  // 32-byte raw digest of HMAC-SHA256(pepper, salt || pin).
  std::string Hash(std::string_view pin, std::string_view salt) const;
  // Constant-time comparison of Hash(pin, salt) with `expected`.
  bool Verify(std::string_view pin, std::string_view salt, std::string_view expected) const;

 private:
  std::string pepper_;
};

// Rules for a PIN the member chooses: exactly 4 digits, not all the same,
// not an ascending or descending run (1234, 4321, 0123, 9876...).
// InvalidArgument with the reason otherwise.
Status ValidateNewPin(std::string_view pin);

// 16 random bytes.
std::string NewSalt();
// A random 4-digit PIN that itself passes ValidateNewPin.
std::string NewOneTimePin();
// n random bytes as lowercase hex (for peppers and secrets).
std::string RandomHex(size_t bytes);
// Constant-time equality for secrets of possibly different lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace shg
