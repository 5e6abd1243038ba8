#include "domain/password.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "domain/pin.h"

namespace shg {
namespace {

constexpr char kScheme[] = "pbkdf2-sha256";
constexpr size_t kHashBytes = 32;

std::string Hex(const unsigned char* data, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

bool FromHex(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

std::string Derive(std::string_view password, std::string_view salt, int iterations) {
  unsigned char out[kHashBytes];
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(), kHashBytes, out);
  return std::string(reinterpret_cast<char*>(out), kHashBytes);
}

}  // namespace

std::string HashPassword(std::string_view password, int iterations) {
  const std::string salt = NewSalt();
  const std::string hash = Derive(password, salt, iterations);
  return std::string(kScheme) + "$" + std::to_string(iterations) + "$" +
         Hex(reinterpret_cast<const unsigned char*>(salt.data()), salt.size()) + "$" +
         Hex(reinterpret_cast<const unsigned char*>(hash.data()), hash.size());
}

bool VerifyPassword(std::string_view password, std::string_view encoded) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= encoded.size(); ++i) {
    if (i == encoded.size() || encoded[i] == '$') {
      parts.push_back(encoded.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() != 4 || parts[0] != kScheme) return false;
  const std::string iterations_text(parts[1]);
  char* end = nullptr;
  const long iterations = std::strtol(iterations_text.c_str(), &end, 10);
  if (end == iterations_text.c_str() || *end != '\0' || iterations < 1 || iterations > 10000000) {
    return false;
  }
  std::string salt, expected;
  if (!FromHex(parts[2], &salt) || !FromHex(parts[3], &expected)) return false;
  return ConstantTimeEquals(Derive(password, salt, static_cast<int>(iterations)), expected);
}

}  // namespace shg
