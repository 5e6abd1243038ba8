#include "gateway/channels/form.h"

namespace shg::channels {
namespace {

// Splits the next '&'-separated pair off `rest`.
std::string_view NextPair(std::string_view& rest) {
  size_t amp = rest.find('&');
  std::string_view pair = rest.substr(0, amp);
  rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
  return pair;
}

// Splits a pair into its encoded name and value.
std::pair<std::string_view, std::string_view> SplitPair(std::string_view pair) {
  size_t eq = pair.find('=');
  if (eq == std::string_view::npos) return {pair, std::string_view()};
  return {pair.substr(0, eq), pair.substr(eq + 1)};
}

// Whether the encoded component decodes to exactly `want`.
bool DecodesTo(std::string_view encoded, std::string_view want) {
  if (encoded.find_first_of("%+") == std::string_view::npos) return encoded == want;
  size_t k = 0;
  bool same = true;
  bool ok = ForEachDecodedByte(encoded, [&](char c, size_t) {
    if (k >= want.size() || want[k] != c) same = false;
    ++k;
  });
  return ok && same && k == want.size();
}

Result<std::string> DecodedValue(std::string_view form, std::string_view name,
                                 const char* what) {
  std::optional<std::string_view> raw = FindFormField(form, name);
  if (!raw) return Status::NotFound(std::string(what) + " has no parameter " + std::string(name));
  Result<std::string> value = FormDecode(*raw);
  if (!value.ok()) {
    return Status::InvalidArgument("malformed %-escape in " + std::string(what) + " parameter " +
                                   std::string(name));
  }
  return value;
}

}  // namespace

bool IsWellFormedFormEncoding(std::string_view encoded) {
  for (size_t i = encoded.find('%'); i != std::string_view::npos; i = encoded.find('%', i + 3)) {
    if (encoded.size() - i < 3 || form_internal::HexValue(encoded[i + 1]) < 0 ||
        form_internal::HexValue(encoded[i + 2]) < 0) {
      return false;
    }
  }
  return true;
}

Result<std::string> FormDecode(std::string_view encoded) {
  std::string out;
  out.reserve(encoded.size());
  if (!ForEachDecodedByte(encoded, [&out](char c, size_t) { out.push_back(c); })) {
    return Status::InvalidArgument("malformed %-escape");
  }
  return out;
}

std::optional<std::string_view> FindFormField(std::string_view form, std::string_view name) {
  std::string_view rest = form;
  while (!rest.empty()) {
    std::string_view pair = NextPair(rest);
    if (pair.empty()) continue;
    auto [encoded_name, encoded_value] = SplitPair(pair);
    if (DecodesTo(encoded_name, name)) return encoded_value;
  }
  return std::nullopt;
}

Result<std::string> FormValue(std::string_view form, std::string_view name) {
  return DecodedValue(form, name, "form");
}

Result<std::string> QueryParam(std::string_view query, std::string_view name) {
  return DecodedValue(query, name, "query");
}

const std::string* Form::Get(std::string_view name) const {
  for (const auto& [n, v] : pairs_) {
    if (n == name) return &v;
  }
  return nullptr;
}

Result<Form> ParseForm(std::string_view body) {
  Form form;
  std::string_view rest = body;
  while (!rest.empty()) {
    std::string_view pair = NextPair(rest);
    if (pair.empty()) continue;
    auto [encoded_name, encoded_value] = SplitPair(pair);
    Result<std::string> name = FormDecode(encoded_name);
    if (!name.ok()) return Status::InvalidArgument("malformed %-escape in a form field name");
    // Validate a repeated pair too: a malformed body is malformed anywhere.
    Result<std::string> value = FormDecode(encoded_value);
    if (!value.ok()) {
      return Status::InvalidArgument("malformed %-escape in form field " + *name);
    }
    if (form.Get(*name) == nullptr) {
      form.pairs_.emplace_back(std::move(name).value(), std::move(value).value());
    }
  }
  return form;
}

}  // namespace shg::channels
