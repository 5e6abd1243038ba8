#include "gateway/channels/africastalking/ussd.h"

#include <optional>

#include "gateway/channels/channel.h"
#include "gateway/channels/form.h"

namespace shg::channels {
namespace {

// Equal in time that depends only on the length of `expected` (the loop never
// exits early; `given` is the caller's own input, so its length may show).
bool ConstantTimeEquals(std::string_view given, std::string_view expected) {
  size_t diff = given.size() ^ expected.size();
  for (size_t i = 0; i < expected.size(); ++i) {
    unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= g ^ static_cast<unsigned char>(expected[i]);
  }
  return diff == 0;
}

enum class Check { kPrintable, kPhone };

// Decodes the required or optional field `name` of the (already validated)
// form and checks it. Never puts the value into a message.
Status ReadField(std::string_view form, std::string_view name, bool required, size_t max_length,
                 Check check, std::string* out) {
  std::optional<std::string_view> raw = FindFormField(form, name);
  if (!raw) {
    if (required) return Status::InvalidArgument("missing field: " + std::string(name));
    out->clear();
    return Status::Ok();
  }
  Result<std::string> value = FormDecode(*raw);
  if (!value.ok()) return Status::InvalidArgument("malformed %-escape in field: " + std::string(name));
  if (required && value->empty()) return Status::InvalidArgument("empty field: " + std::string(name));
  if (value->size() > max_length) return Status::InvalidArgument("field too long: " + std::string(name));
  bool valid = check == Check::kPhone ? IsPhoneChars(*value) : IsPrintableAscii(*value);
  if (!valid) return Status::InvalidArgument("invalid characters in field: " + std::string(name));
  *out = std::move(value).value();
  return Status::Ok();
}

}  // namespace

Result<UssdRequest> ParseAfricasTalkingUssd(std::string_view channel_id,
                                            std::string_view form_body) {
  // One pass over the body first, so that no field (and no error message)
  // depends on which escape is broken.
  if (!IsWellFormedFormEncoding(form_body)) {
    return Status::InvalidArgument("malformed %-escape in the form body");
  }
  UssdRequest request;
  SHG_RETURN_IF_ERROR(ReadField(form_body, "sessionId", true, kAtMaxSessionIdLength,
                                Check::kPrintable, &request.session_id));
  SHG_RETURN_IF_ERROR(ReadField(form_body, "serviceCode", true, kAtMaxServiceCodeLength,
                                Check::kPrintable, &request.service_code));
  SHG_RETURN_IF_ERROR(ReadField(form_body, "phoneNumber", true, kAtMaxPhoneLength, Check::kPhone,
                                &request.phone));
  SHG_RETURN_IF_ERROR(ReadField(form_body, "networkCode", false, kAtMaxNetworkCodeLength,
                                Check::kPrintable, &request.network));

  // text: scanned in place; only its last token is ever decoded into memory.
  std::optional<std::string_view> text = FindFormField(form_body, "text");
  if (!text) return Status::InvalidArgument("missing field: text");
  size_t decoded_length = 0;
  int separators = 0;
  size_t last_token_start = 0;  // offset in the encoded text
  bool well_formed = ForEachDecodedByte(*text, [&](char c, size_t next) {
    ++decoded_length;
    if (c == '*') {
      ++separators;
      last_token_start = next;
    }
  });
  if (!well_formed) return Status::InvalidArgument("malformed %-escape in field: text");
  if (decoded_length > kAtMaxTextLength) return Status::InvalidArgument("field too long: text");
  request.step = decoded_length == 0 ? 0 : separators + 1;
  Result<std::string> input = FormDecode(text->substr(last_token_start));
  if (!input.ok()) return Status::InvalidArgument("malformed %-escape in field: text");
  request.input = std::move(input).value();

  request.channel = std::string(channel_id);
  return request;
}

std::string FormatAfricasTalkingUssd(const UssdReply& reply) {
  std::string body;
  body.reserve(4 + reply.text.size());
  body.append(reply.end ? "END " : "CON ");
  body.append(reply.text);
  return body;
}

bool CheckCallbackKey(std::string_view query, std::string_view expected_key) {
  if (expected_key.empty()) return true;
  Result<std::string> key = QueryParam(query, "key");
  if (!key.ok()) return false;
  return ConstantTimeEquals(*key, expected_key);
}

}  // namespace shg::channels
