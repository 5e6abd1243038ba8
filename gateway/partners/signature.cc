#include "gateway/partners/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace shg::partners {
namespace {

constexpr char kPrefix[] = "sha256=";
constexpr size_t kMaxTimestampDigits = 15;  // far inside int64, far beyond year 9999

}  // namespace

std::string Sign(std::string_view secret, std::string_view timestamp, std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp);
  message += '.';
  message.append(body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  // HMAC() accepts a zero-length key only with a non-null pointer.
  static const unsigned char kEmpty = 0;
  const void* key = secret.empty() ? static_cast<const void*>(&kEmpty) : secret.data();
  if (HMAC(EVP_sha256(), key, static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest,
           &digest_len) == nullptr) {
    return "";  // allocation failure inside OpenSSL; an empty signature never verifies
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = kPrefix;
  out.reserve(sizeof kPrefix - 1 + 2 * digest_len);
  for (unsigned int i = 0; i < digest_len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

Status Verify(std::string_view secret, std::string_view timestamp, std::string_view signature,
              std::string_view body, int64_t now, int window_s) {
  if (timestamp.empty() || signature.empty()) {
    return Status::Unauthenticated("missing signature");
  }
  if (timestamp.size() > kMaxTimestampDigits) return Status::Unauthenticated("bad timestamp");
  int64_t ts = 0;
  for (char c : timestamp) {
    if (c < '0' || c > '9') return Status::Unauthenticated("bad timestamp");
    ts = ts * 10 + (c - '0');
  }
  const int64_t skew = now >= ts ? now - ts : ts - now;
  if (skew > window_s) return Status::Unauthenticated("stale timestamp");
  if (secret.empty()) return Status::Unauthenticated("bad signature");
  const std::string expected = Sign(secret, timestamp, body);
  // The length of a valid signature is public; only its bytes are not.
  if (expected.empty() || expected.size() != signature.size() ||
      CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) != 0) {
    return Status::Unauthenticated("bad signature");
  }
  return Status::Ok();
}

}  // namespace shg::partners
