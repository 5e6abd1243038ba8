#include "gateway/channels/json.h"

#include <limits>
#include <string>

namespace shg::channels {

Result<boost::json::value> ParseJson(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Status::InvalidArgument("JSON: document larger than " +
                                   std::to_string(limits.max_bytes) + " bytes");
  }
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  const size_t start = text.substr(0, kBom.size()) == kBom ? kBom.size() : 0;
  boost::json::parse_options options;  // standard JSON only, invalid UTF-8 refused
  options.max_depth = limits.max_depth;
  // The parser's working stack starts in this buffer (most bodies fit); the
  // value is built in one monotonic arena freed with the last copy.
  unsigned char scratch[1024];
  boost::json::parser parser(boost::json::storage_ptr(), options, scratch);
  parser.reset(boost::json::make_shared_resource<boost::json::monotonic_resource>());
  boost::system::error_code ec;
  const size_t used = parser.write_some(text.data() + start, text.size() - start, ec);
  if (ec) {
    return Status::InvalidArgument("JSON: " + ec.message() + " at offset " +
                                   std::to_string(start + used));
  }
  if (start + used != text.size()) {
    return Status::InvalidArgument("JSON: trailing characters at offset " +
                                   std::to_string(start + used));
  }
  return parser.release();
}

const boost::json::value* JsonFind(const boost::json::value* v, std::string_view key) {
  if (v == nullptr) return nullptr;
  const boost::json::object* object = v->if_object();
  return object != nullptr ? object->if_contains(key) : nullptr;
}

std::string_view JsonString(const boost::json::value* v) {
  const boost::json::string* s = v != nullptr ? v->if_string() : nullptr;
  return s != nullptr ? std::string_view(*s) : std::string_view();
}

std::optional<int64_t> JsonInt64(const boost::json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (const int64_t* n = v->if_int64()) return *n;
  // Boost.JSON makes an integer literal above INT64_MAX a uint64.
  if (const uint64_t* n = v->if_uint64();
      n != nullptr && *n <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return static_cast<int64_t>(*n);
  }
  return std::nullopt;
}

std::optional<int64_t> JsonInteger(const boost::json::value* v, size_t max_digits) {
  if (v == nullptr) return std::nullopt;
  if (v->is_number()) return JsonInt64(v);
  if (!v->is_string()) return std::nullopt;
  std::string_view s = v->get_string();
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  int64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace shg::channels
