#include "domain/pin.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace shg {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kPinDigits = 4;

// There is no safe fallback when the OS CSPRNG fails (salts, one-time PINs and
// peppers would be predictable), so the process stops.
void RandomBytesOrDie(unsigned char* out, size_t n) {
  if (n == 0) return;
  if (RAND_bytes(out, static_cast<int>(n)) != 1) {
    std::fputs("shg: RAND_bytes failed; refusing to continue without a CSPRNG\n", stderr);
    std::abort();
  }
}

}  // namespace

std::string PinHasher::Hash(std::string_view pin, std::string_view salt) const {
  std::string message;
  message.reserve(salt.size() + pin.size());
  message.append(salt);
  message.append(pin);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (HMAC(EVP_sha256(), pepper_.data(), static_cast<int>(pepper_.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest,
           &digest_len) == nullptr) {
    // Only on allocation failure inside OpenSSL; an empty digest never verifies.
    return std::string();
  }
  OPENSSL_cleanse(message.data(), message.size());
  return std::string(reinterpret_cast<const char*>(digest), digest_len);
}

bool PinHasher::Verify(std::string_view pin, std::string_view salt,
                       std::string_view expected) const {
  std::string actual = Hash(pin, salt);
  if (actual.empty()) return false;
  return ConstantTimeEquals(actual, expected);
}

Status ValidateNewPin(std::string_view pin) {
  if (pin.size() != kPinDigits) return Status::InvalidArgument("PIN must be 4 digits");
  for (char c : pin) {
    if (c < '0' || c > '9') return Status::InvalidArgument("PIN must be 4 digits");
  }
  bool all_same = true;
  bool ascending = true;
  bool descending = true;
  for (size_t i = 1; i < pin.size(); ++i) {
    int step = pin[i] - pin[i - 1];
    all_same = all_same && step == 0;
    ascending = ascending && step == 1;
    descending = descending && step == -1;
  }
  if (all_same) return Status::InvalidArgument("PIN must not be the same digit four times");
  if (ascending || descending) {
    return Status::InvalidArgument("PIN must not be a sequence like 1234 or 4321");
  }
  return Status::Ok();
}

std::string NewSalt() {
  std::string salt(kSaltBytes, '\0');
  RandomBytesOrDie(reinterpret_cast<unsigned char*>(salt.data()), salt.size());
  return salt;
}

std::string NewOneTimePin() {
  for (;;) {
    unsigned char b[2];
    RandomBytesOrDie(b, sizeof b);
    unsigned value = (static_cast<unsigned>(b[0]) << 8) | b[1];
    // Rejection sampling: 60000 is the largest multiple of 10000 <= 65536, so
    // every PIN is equally likely.
    if (value >= 60000) continue;
    value %= 10000;
    std::string pin(kPinDigits, '0');
    for (size_t i = kPinDigits; i-- > 0;) {
      pin[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    if (ValidateNewPin(pin).ok()) return pin;
  }
}

std::string RandomHex(size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string raw(bytes, '\0');
  RandomBytesOrDie(reinterpret_cast<unsigned char*>(raw.data()), raw.size());
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0x0f]);
  }
  OPENSSL_cleanse(raw.data(), raw.size());
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // The length is not secret (digests and tokens have fixed sizes); the
  // contents are compared without an early exit.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace shg
