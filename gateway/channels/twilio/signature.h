// Twilio request signatures (X-Twilio-Signature; spec: providers.md 3.2).
//
// Twilio signs every webhook with HMAC-SHA1 keyed by the account's Auth
// Token over the string
//   url + name1 + value1 + name2 + value2 + ...
// where url is the full URL Twilio requested (scheme, host, port, path and
// raw query, exactly as configured) and the pairs are the decoded POST form
// parameters, names sorted byte-wise; a repeated name contributes every
// distinct value, values sorted (what twilio-python `compute_signature` and
// twilio-node `toFormUrlEncodedParam` do). GET requests sign the URL alone
// (pass no params). The header carries the standard base64 of the 20-byte
// digest.
//
// Thread-safety: all functions are pure.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/result.h"

namespace shg::channels {

using FormPairs = std::vector<std::pair<std::string, std::string>>;

// The base64 signature of `url` and `params` (decoded pairs in any order;
// repeated names allowed). Duplicate (name, value) pairs count once.
std::string TwilioSignature(std::string_view auth_token, std::string_view url,
                            const FormPairs& params);

// Whether `header_value` is a valid signature of the request. Accepts, like
// twilio-python's RequestValidator.validate, the signature over the URL with
// the scheme's default port added (":443" for https, ":80" for http, when the
// URL names no port) or with any port removed, because Twilio's own signing is
// inconsistent about ports. When a repeated name carries the same value more
// than once, the signature that appends every copy is accepted too. An empty
// header or an empty token is never valid. Comparisons take time independent
// of where the strings differ.
bool ValidateTwilioSignature(std::string_view auth_token, std::string_view url,
                             const FormPairs& params, std::string_view header_value);

// The two port variants of `url` used above: {with the default port,
// without any port}. A URL without "://" or with a scheme other than http(s)
// yields {url, url-without-port} (no default port is known). Exposed for tests.
std::pair<std::string, std::string> TwilioUrlPortVariants(std::string_view url);

// Every pair of an application/x-www-form-urlencoded body, decoded, in order,
// repeated names kept (form.h's Form keeps only the first). Same rules as
// form.h: '&' separates pairs, empty pairs are skipped, a pair without '='
// has an empty value, '+' is a space. InvalidArgument (naming no value) on a
// malformed %-escape.
Result<FormPairs> DecodeFormPairs(std::string_view body);

}  // namespace shg::channels
