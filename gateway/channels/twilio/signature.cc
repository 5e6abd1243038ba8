#include "gateway/channels/twilio/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>

#include "gateway/channels/form.h"

namespace shg::channels {
namespace {

std::string Base64HmacSha1(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  // HMAC() accepts a zero-length key only with a non-null pointer.
  static const unsigned char kEmpty = 0;
  const void* key_ptr = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  if (HMAC(EVP_sha1(), key_ptr, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest,
           &digest_length) == nullptr) {
    return "";
  }
  unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(digest_length));
  return std::string(reinterpret_cast<const char*>(encoded), n > 0 ? static_cast<size_t>(n) : 0);
}

// url + name + value ... over `sorted` pairs (already in signing order).
std::string SignedString(std::string_view url, const FormPairs& sorted) {
  size_t size = url.size();
  for (const auto& [k, v] : sorted) size += k.size() + v.size();
  std::string s;
  s.reserve(size);
  s.append(url);
  for (const auto& [k, v] : sorted) {
    s.append(k);
    s.append(v);
  }
  return s;
}

// std::string's operator< compares as unsigned bytes (char_traits<char>),
// i.e. code point order for UTF-8, which is what the reference libraries use.
FormPairs Sorted(const FormPairs& params) {
  FormPairs sorted = params;
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

FormPairs Unique(FormPairs sorted) {
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  return sorted;
}

bool SameSignature(std::string_view computed, std::string_view given) {
  // The length of a valid signature (28) is public; only the bytes are not.
  if (computed.empty() || computed.size() != given.size()) return false;
  return CRYPTO_memcmp(computed.data(), given.data(), computed.size()) == 0;
}

}  // namespace

std::string TwilioSignature(std::string_view auth_token, std::string_view url,
                            const FormPairs& params) {
  return Base64HmacSha1(auth_token, SignedString(url, Unique(Sorted(params))));
}

std::pair<std::string, std::string> TwilioUrlPortVariants(std::string_view url) {
  std::string u(url);
  size_t scheme_end = u.find("://");
  if (scheme_end == std::string::npos) return {u, u};
  std::string scheme = u.substr(0, scheme_end);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t authority_start = scheme_end + 3;
  size_t authority_end = u.find_first_of("/?#", authority_start);
  if (authority_end == std::string::npos) authority_end = u.size();
  // Skip userinfo ("user:pass@host"), whose ':' is not a port separator.
  size_t host_start = authority_start;
  size_t at = u.rfind('@', authority_end - 1);
  if (at != std::string::npos && at >= authority_start) host_start = at + 1;
  size_t colon = std::string::npos;
  if (host_start < authority_end && u[host_start] == '[') {  // IPv6 literal
    size_t close = u.find(']', host_start);
    if (close != std::string::npos && close + 1 < authority_end && u[close + 1] == ':') {
      colon = close + 1;
    }
  } else {
    size_t c = u.find(':', host_start);
    if (c != std::string::npos && c < authority_end) colon = c;
  }
  if (colon != std::string::npos) {
    std::string without = u;
    without.erase(colon, authority_end - colon);
    return {u, without};
  }
  std::string default_port = scheme == "https" ? ":443" : scheme == "http" ? ":80" : "";
  std::string with = u;
  with.insert(authority_end, default_port);
  return {with, u};
}

bool ValidateTwilioSignature(std::string_view auth_token, std::string_view url,
                             const FormPairs& params, std::string_view header_value) {
  if (auth_token.empty() || header_value.empty()) return false;
  FormPairs all = Sorted(params);
  FormPairs distinct = Unique(all);
  const bool has_duplicates = distinct.size() != all.size();
  auto [with_port, without_port] = TwilioUrlPortVariants(url);
  // Every candidate is computed and compared, so the time taken does not
  // show which one matched.
  bool valid = false;
  for (const std::string* u : {&with_port, &without_port}) {
    valid |= SameSignature(Base64HmacSha1(auth_token, SignedString(*u, distinct)), header_value);
    if (has_duplicates) {
      valid |= SameSignature(Base64HmacSha1(auth_token, SignedString(*u, all)), header_value);
    }
  }
  return valid;
}

Result<FormPairs> DecodeFormPairs(std::string_view body) {
  FormPairs pairs;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view pair = body.substr(start, end - start);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string_view name = pair.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      Result<std::string> n = FormDecode(name);
      Result<std::string> v = FormDecode(value);
      if (!n.ok() || !v.ok()) return Status::InvalidArgument("malformed %-escape in the form body");
      pairs.emplace_back(std::move(n).value(), std::move(v).value());
    }
    start = end + 1;
  }
  return pairs;
}

}  // namespace shg::channels
