#include "gateway/channels/kannel/adapter.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialogs/gsm.h"
#include "domain/utf8.h"
#include "gateway/channels/form.h"

namespace shg::channels {
namespace {

constexpr size_t kMaxIdLength = 64;
constexpr size_t kMaxAddressLength = 32;
constexpr size_t kMaxTimeDigits = 12;
constexpr size_t kMaxMessageIdDigits = 18;  // fits int64 without overflow checks

bool IsAllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int64_t DigitsValue(std::string_view s) {
  int64_t v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' ||
                        s.front() == '\n')) {
    s.remove_prefix(1);
  }
  return s;
}

std::string WithoutTrailingSlashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// Reads query parameter `name` (decoded). Absent: *present = false (or
// InvalidArgument when required). Never puts the value into a message.
Status ReadParam(std::string_view query, std::string_view name, bool required,
                 std::string* out, bool* present = nullptr) {
  Result<std::string> v = QueryParam(query, name);
  if (!v.ok()) {
    if (v.status().code() == Status::Code::kNotFound) {
      if (required) return Status::InvalidArgument("missing field: " + std::string(name));
      out->clear();
      if (present) *present = false;
      return Status::Ok();
    }
    return Status::InvalidArgument("malformed %-escape in field: " + std::string(name));
  }
  *out = std::move(v).value();
  if (present) *present = true;
  return Status::Ok();
}

// A short printable ASCII parameter (an id or an address).
Status ReadShortParam(std::string_view query, std::string_view name, bool required,
                      size_t max_length, std::string* out) {
  SHG_RETURN_IF_ERROR(ReadParam(query, name, required, out));
  if (required && out->empty()) return Status::InvalidArgument("empty field: " + std::string(name));
  if (out->size() > max_length) {
    return Status::InvalidArgument("field too long: " + std::string(name));
  }
  if (!IsPrintableAscii(*out)) {
    return Status::InvalidArgument("invalid characters in field: " + std::string(name));
  }
  return Status::Ok();
}

// WINDOWS-1252 (ISO-8859-1 when `latin1`) to UTF-8. The five bytes
// WINDOWS-1252 leaves undefined become U+FFFD.
std::string DecodeSingleByte(std::string_view bytes, bool latin1) {
  static constexpr uint16_t kCp1252High[32] = {
      0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
      0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
      0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
      0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    uint32_t cp = b;
    if (!latin1 && b >= 0x80 && b <= 0x9F) cp = kCp1252High[b - 0x80];
    dialogs::AppendUtf8(cp, &out);
  }
  return out;
}

// The message bytes (%b) to UTF-8, by charset (%C), else by coding (%c).
Result<std::string> DecodeText(std::string raw, std::string_view charset, int coding) {
  enum class Form { kUtf8, kUtf16Be, kCp1252, kLatin1 } form;
  if (charset.empty()) {
    if (coding == 2) {
      form = Form::kUtf16Be;
    } else if (coding == 1) {
      return Status::InvalidArgument("unsupported value of field: coding");
    } else {
      form = Form::kUtf8;
    }
  } else if (EqualsIgnoreCase(charset, "UTF-16BE") || EqualsIgnoreCase(charset, "UTF-16") ||
             EqualsIgnoreCase(charset, "UCS-2") || EqualsIgnoreCase(charset, "UCS-2BE")) {
    form = Form::kUtf16Be;
  } else if (EqualsIgnoreCase(charset, "UTF-8") || EqualsIgnoreCase(charset, "UTF8")) {
    form = Form::kUtf8;
  } else if (EqualsIgnoreCase(charset, "WINDOWS-1252") || EqualsIgnoreCase(charset, "CP1252")) {
    form = Form::kCp1252;
  } else if (EqualsIgnoreCase(charset, "ISO-8859-1") || EqualsIgnoreCase(charset, "LATIN1") ||
             EqualsIgnoreCase(charset, "ISO8859-1")) {
    form = Form::kLatin1;
  } else {
    return Status::InvalidArgument("unsupported value of field: charset");
  }
  switch (form) {
    case Form::kUtf8:
      if (!IsValidUtf8(raw)) return Status::InvalidArgument("invalid UTF-8 in field: text");
      return raw;
    case Form::kUtf16Be: {
      auto decoded = dialogs::DecodeUcs2(raw);
      if (!decoded.ok()) return Status::InvalidArgument("malformed UTF-16 in field: text");
      return decoded;
    }
    case Form::kCp1252: return DecodeSingleByte(raw, false);
    case Form::kLatin1: return DecodeSingleByte(raw, true);
  }
  return Status::InvalidArgument("unsupported value of field: charset");
}

// Fixed reasons for the refusals smsbox sends (the body is never echoed).
std::string RefusalReason(long status, std::string_view body) {
  struct Known {
    std::string_view prefix;
    std::string_view reason;
  };
  static constexpr Known kKnown[] = {
      {"Not routable", "not routable"},
      {"Authorization failed", "authorization failed (check username/password)"},
      {"Missing receiver", "missing receiver number"},
      {"Number(s) has/have been denied", "receiver denied by white/black list"},
      {"Sender missing", "sender missing and no global sender"},
      {"Charset or body misformed", "charset or body misformed"},
      {"Coding field misformed", "coding rejected"},
  };
  std::string code = "HTTP " + std::to_string(status);
  body = TrimLeft(body);
  for (const Known& k : kKnown) {
    if (StartsWith(body, k.prefix)) return code + " " + std::string(k.reason);
  }
  return code + " rejected";
}

class KannelAdapter final : public Adapter {
 public:
  explicit KannelAdapter(config::ChannelSettings settings) : Adapter(std::move(settings)) {}

  Result<InboundSms> ParseInboundSms(const http::Request& request) const override {
    const std::string_view q = request.query;
    if (!IsWellFormedFormEncoding(q)) {
      return Status::InvalidArgument("malformed %-escape in the query");
    }
    InboundSms sms;
    SHG_RETURN_IF_ERROR(ReadShortParam(q, "id", true, kMaxIdLength, &sms.provider_id));
    SHG_RETURN_IF_ERROR(ReadShortParam(q, "from", true, kMaxAddressLength, &sms.from));
    SHG_RETURN_IF_ERROR(ReadShortParam(q, "to", false, kMaxAddressLength, &sms.to));

    std::string time;
    SHG_RETURN_IF_ERROR(ReadParam(q, "time", false, &time));
    if (!time.empty()) {
      if (!IsAllDigits(time) || time.size() > kMaxTimeDigits) {
        return Status::InvalidArgument("invalid value of field: time");
      }
      sms.received_at = DigitsValue(time);
    }

    std::string coding_text;
    SHG_RETURN_IF_ERROR(ReadParam(q, "coding", false, &coding_text));
    int coding = 0;
    if (!coding_text.empty()) {
      if (coding_text != "0" && coding_text != "1" && coding_text != "2") {
        return Status::InvalidArgument("invalid value of field: coding");
      }
      coding = coding_text[0] - '0';
    }
    std::string charset;
    SHG_RETURN_IF_ERROR(ReadParam(q, "charset", false, &charset));

    std::string raw;
    SHG_RETURN_IF_ERROR(ReadParam(q, "text", true, &raw));
    // Bound the work before decoding (UTF-16 and single-byte text grow by at
    // most 3/2 and 3 times).
    if (raw.size() > 2 * kKannelMaxTextBytes) {
      return Status::InvalidArgument("field too long: text");
    }
    Result<std::string> text = DecodeText(std::move(raw), charset, coding);
    if (!text.ok()) return text.status();
    if (text->size() > kKannelMaxTextBytes) {
      return Status::InvalidArgument("field too long: text");
    }
    sms.text = std::move(text).value();
    sms.channel = id();
    return sms;
  }

  Result<std::vector<DeliveryReport>> ParseStatus(const http::Request& request) const override {
    const std::string_view q = request.query;
    if (!IsWellFormedFormEncoding(q)) {
      return Status::InvalidArgument("malformed %-escape in the query");
    }
    std::string id_text;
    SHG_RETURN_IF_ERROR(ReadParam(q, "id", true, &id_text));
    if (!IsAllDigits(id_text) || id_text.size() > kMaxMessageIdDigits) {
      return Status::InvalidArgument("invalid value of field: id");
    }
    DeliveryReport report;
    report.message_id = DigitsValue(id_text);
    if (report.message_id <= 0) return Status::InvalidArgument("invalid value of field: id");

    std::string type_text;
    SHG_RETURN_IF_ERROR(ReadParam(q, "type", true, &type_text));
    if (!IsAllDigits(type_text) || type_text.size() > 6) {
      return Status::InvalidArgument("invalid value of field: type");
    }
    const int type = static_cast<int>(DigitsValue(type_text));
    switch (type) {
      case 1: report.state = DeliveryState::kDelivered; break;
      case 2: report.state = DeliveryState::kFailed; break;
      case 4: report.state = DeliveryState::kBuffered; break;
      case 8: report.state = DeliveryState::kSent; break;
      case 16:
        report.state = DeliveryState::kFailed;
        report.reason = "rejected by the SMSC";
        break;
      default: return Status::InvalidArgument("unknown value of field: type");
    }
    if (type == 2) report.reason = "not delivered to the phone";
    report.channel = id();
    report.provider_status = "kannel type " + std::to_string(type);
    return std::vector<DeliveryReport>{std::move(report)};
  }

  HttpCall BuildSend(const OutboundSms& sms) const override {
    std::vector<std::pair<std::string, std::string>> params = {
        {"username", settings_.username},
        {"password", settings_.secret},
        {"to", sms.to},
    };
    if (!settings_.sender.empty()) params.emplace_back("from", settings_.sender);
    if (dialogs::IsGsm7(sms.text)) {
      params.emplace_back("text", sms.text);
    } else {
      // Pre-encoded UTF-16BE and no charset: see the header.
      params.emplace_back("text", dialogs::EncodeUcs2(sms.text));
      params.emplace_back("coding", "2");
    }
    if (!settings_.public_base_url.empty()) {
      params.emplace_back("dlr-mask", std::to_string(kKannelDlrMask));
      params.emplace_back("dlr-url", DlrUrl(sms.message_id));
    }
    HttpCall call;
    call.method = "GET";
    call.url = WithoutTrailingSlashes(settings_.api_base_url) + "/cgi-bin/sendsms?" +
               EncodeForm(params);
    return call;
  }

  SendResult ClassifySend(const HttpOutcome& o) const override {
    SendResult r;
    if (o.failure == TransportFailure::kNone && o.status == 403 &&
        StartsWith(TrimLeft(o.body), "Not routable")) {
      return {SendClass::kPermanent, "", RefusalReason(o.status, o.body), 0};
    }
    if (ClassifyCommon(o, &r)) return r;
    if (o.status >= 200 && o.status < 300) {
      std::string_view body = TrimLeft(o.body);
      if (StartsWith(body, "0: Accepted") || StartsWith(body, "Sent.")) {
        return {SendClass::kAccepted, "", "accepted", 0};
      }
      if (StartsWith(body, "3: Queued")) {
        return {SendClass::kAccepted, "", "queued by Kannel (no SMSC connected)", 0};
      }
      return {SendClass::kPermanent, "",
              "HTTP " + std::to_string(o.status) + " unexpected reply (is api_base_url Kannel?)",
              0};
    }
    return {SendClass::kPermanent, "", RefusalReason(o.status, o.body), 0};
  }

 private:
  std::string DlrUrl(int64_t message_id) const {
    std::string url = WithoutTrailingSlashes(settings_.public_base_url) + "/channels/" +
                      UrlEncode(settings_.id) + "/status?";
    if (!settings_.callback_key.empty()) {
      url += "key=" + UrlEncode(settings_.callback_key) + "&";
    }
    url += "id=" + std::to_string(message_id) + "&type=%d";
    return url;
  }
};

}  // namespace

std::unique_ptr<Adapter> MakeKannelAdapter(const config::ChannelSettings& settings) {
  return std::make_unique<KannelAdapter>(settings);
}

}  // namespace shg::channels
