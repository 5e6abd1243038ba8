#include "domain/refcode.h"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace shg {
namespace {

constexpr size_t kReferenceLength = 6;
// 256 is a multiple of the alphabet size, so `byte % 32` is unbiased.
static_assert(kReferenceAlphabet.size() == 32);

}  // namespace

std::string NewReferenceCode() {
  unsigned char bytes[kReferenceLength];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    // A predictable reference would let receipts be guessed; no fallback.
    std::fputs("shg: RAND_bytes failed; refusing to continue without a CSPRNG\n", stderr);
    std::abort();
  }
  std::string code(kReferenceLength, '\0');
  for (size_t i = 0; i < kReferenceLength; ++i) {
    code[i] = kReferenceAlphabet[bytes[i] % kReferenceAlphabet.size()];
  }
  return code;
}

bool IsReferenceCode(std::string_view s) {
  if (s.size() != kReferenceLength) return false;
  for (char c : s) {
    if (kReferenceAlphabet.find(c) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace shg
