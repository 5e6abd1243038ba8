#include "gateway/channels/africastalking/sms.h"

#include <utility>
#include <vector>

#include "domain/civil_date.h"
#include "domain/utf8.h"
#include "gateway/channels/africastalking/ussd.h"
#include "gateway/channels/form.h"
#include "gateway/channels/json.h"

namespace shg::channels {
namespace {

enum class Check {
  kPrintable,  // printable ASCII
  kPhone,      // "+0123456789 "
  kAnyBytes,   // no character check (free text)
};

struct FieldSpec {
  std::string_view name;
  bool required;
  bool allow_empty;  // only meaningful when required
  size_t max_length;
  Check check;
};

std::string Named(const char* what, std::string_view name) {
  std::string m = what;
  m += name;
  return m;
}

// Reads one field of an already well-formed form body into *out ("" when an
// optional field is absent). Never puts the value into a message.
Status ReadField(std::string_view form, const FieldSpec& spec, std::string* out) {
  std::optional<std::string_view> raw = FindFormField(form, spec.name);
  if (!raw) {
    if (spec.required) return Status::InvalidArgument(Named("missing field: ", spec.name));
    out->clear();
    return Status::Ok();
  }
  Result<std::string> value = FormDecode(*raw);
  if (!value.ok()) return Status::InvalidArgument(Named("malformed %-escape in field: ", spec.name));
  if (spec.required && !spec.allow_empty && value->empty()) {
    return Status::InvalidArgument(Named("empty field: ", spec.name));
  }
  if (value->size() > spec.max_length) {
    return Status::InvalidArgument(Named("field too long: ", spec.name));
  }
  bool valid = true;
  switch (spec.check) {
    case Check::kPrintable: valid = IsPrintableAscii(*value, spec.max_length); break;
    case Check::kPhone: valid = IsPhoneChars(*value); break;
    case Check::kAnyBytes: break;
  }
  if (!valid) return Status::InvalidArgument(Named("invalid characters in field: ", spec.name));
  *out = std::move(value).value();
  return Status::Ok();
}

Status CheckBody(std::string_view form_body) {
  if (!IsWellFormedFormEncoding(form_body)) {
    return Status::InvalidArgument("malformed %-escape in the form body");
  }
  return Status::Ok();
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// --- dates ---

// Parses exactly `n` digits at s[*i].
bool Digits(std::string_view s, size_t* i, int n, int* out) {
  if (s.size() - *i < static_cast<size_t>(n)) return false;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    char c = s[*i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *i += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* i, char c) {
  if (*i >= s.size() || s[*i] != c) return false;
  ++*i;
  return true;
}

// --- sending ---

const char* AtStatusCodeName(int64_t code) {
  switch (code) {
    case 100: return "Processed";
    case 101: return "Sent";
    case 102: return "Queued";
    case 401: return "RiskHold";
    case 402: return "InvalidSenderId";
    case 403: return "InvalidPhoneNumber";
    case 404: return "UnsupportedNumberType";
    case 405: return "InsufficientBalance";
    case 406: return "UserInBlacklist";
    case 407: return "CouldNotRoute";
    case 409: return "DoNotDisturbRejection";
    case 500: return "InternalServerError";
    case 501: return "GatewayError";
    case 502: return "RejectedByGateway";
    default: return nullptr;
  }
}

// The recipient's messageId when usable ("" otherwise).
std::string MessageIdOf(const boost::json::value& recipient) {
  std::string id(JsonString(JsonFind(&recipient, "messageId")));
  if (id.empty() || id == "None" || !IsPrintableAscii(id, kAtMaxMessageIdLength)) return "";
  return id;
}

}  // namespace

Result<InboundSms> ParseAfricasTalkingInboundSms(std::string_view channel_id,
                                                 std::string_view form_body) {
  SHG_RETURN_IF_ERROR(CheckBody(form_body));
  InboundSms sms;
  SHG_RETURN_IF_ERROR(ReadField(
      form_body, {"id", true, false, kAtMaxMessageIdLength, Check::kPrintable}, &sms.provider_id));
  SHG_RETURN_IF_ERROR(ReadField(
      form_body, {"from", true, false, kAtMaxSmsFromLength, Check::kPhone}, &sms.from));
  SHG_RETURN_IF_ERROR(ReadField(
      form_body, {"to", false, true, kAtMaxSmsToLength, Check::kPrintable}, &sms.to));
  std::string text;
  SHG_RETURN_IF_ERROR(ReadField(
      form_body, {"text", true, true, kAtMaxSmsTextBytes, Check::kAnyBytes}, &text));
  sms.text = IsValidUtf8(text) ? std::move(text) : SanitizeUtf8(text);

  // A date we cannot read is not worth a 4xx (AT would re-post for hours).
  std::string date;
  Status date_status = ReadField(
      form_body, {"date", false, true, kAtMaxDateLength, Check::kPrintable}, &date);
  if (date_status.ok() && !date.empty()) {
    sms.received_at = ParseIso8601Utc(date).value_or(0);
  }
  sms.channel = std::string(channel_id);
  return sms;
}

Result<DeliveryReport> ParseAfricasTalkingDeliveryReport(std::string_view channel_id,
                                                         std::string_view form_body) {
  SHG_RETURN_IF_ERROR(CheckBody(form_body));
  DeliveryReport report;
  SHG_RETURN_IF_ERROR(ReadField(form_body,
                                {"id", true, false, kAtMaxMessageIdLength, Check::kPrintable},
                                &report.provider_message_id));
  SHG_RETURN_IF_ERROR(ReadField(form_body,
                                {"status", true, false, kAtMaxStatusLength, Check::kPrintable},
                                &report.provider_status));
  struct Mapping {
    std::string_view status;
    DeliveryState state;
  };
  static constexpr Mapping kStates[] = {
      {"Sent", DeliveryState::kSent},
      {"Submitted", DeliveryState::kSent},
      {"Buffered", DeliveryState::kBuffered},
      {"Success", DeliveryState::kDelivered},
      {"Rejected", DeliveryState::kFailed},
      {"Failed", DeliveryState::kFailed},
      {"AbsentSubscriber", DeliveryState::kFailed},
      {"Expired", DeliveryState::kFailed},
  };
  bool known = false;
  for (const Mapping& m : kStates) {
    if (EqualsIgnoreCase(report.provider_status, m.status)) {
      report.state = m.state;
      known = true;
      break;
    }
  }
  if (!known) return Status::InvalidArgument("unknown value of field: status");
  SHG_RETURN_IF_ERROR(ReadField(
      form_body, {"failureReason", false, true, kAtMaxFailureReasonLength, Check::kPrintable},
      &report.reason));
  // AT's newer docs spell this value without the second 's'.
  if (report.reason == "NotNetworkSubcriber") report.reason = "NotNetworkSubscriber";
  report.channel = std::string(channel_id);
  return report;
}

Result<UssdCallback> ParseAfricasTalkingUssdEnd(std::string_view form_body) {
  SHG_RETURN_IF_ERROR(CheckBody(form_body));
  UssdCallback callback;
  callback.kind = UssdCallback::Kind::kEnded;
  SHG_RETURN_IF_ERROR(ReadField(
      form_body, {"sessionId", true, false, kAtMaxSessionIdLength, Check::kPrintable},
      &callback.session_id));
  std::string status;
  SHG_RETURN_IF_ERROR(ReadField(
      form_body, {"status", true, false, kAtMaxStatusLength, Check::kPrintable}, &status));
  for (std::string_view known : {"success", "incomplete", "failed"}) {
    if (EqualsIgnoreCase(status, known)) {
      callback.end_status = std::string(known);
      return callback;
    }
  }
  return Status::InvalidArgument("unknown value of field: status");
}

std::optional<int64_t> ParseIso8601Utc(std::string_view s) {
  size_t i = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(s, &i, 4, &year) || !Expect(s, &i, '-') || !Digits(s, &i, 2, &month) ||
      !Expect(s, &i, '-') || !Digits(s, &i, 2, &day)) {
    return std::nullopt;
  }
  if (i >= s.size() || (s[i] != 'T' && s[i] != 't' && s[i] != ' ')) return std::nullopt;
  ++i;
  if (!Digits(s, &i, 2, &hour) || !Expect(s, &i, ':') || !Digits(s, &i, 2, &minute)) {
    return std::nullopt;
  }
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!Digits(s, &i, 2, &second)) return std::nullopt;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      ++i;
      size_t start = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == start) return std::nullopt;
    }
  }
  int offset_s = 0;
  if (i < s.size()) {
    if (s[i] == 'Z' || s[i] == 'z') {
      ++i;
    } else if (s[i] == '+' || s[i] == '-') {
      int sign = s[i] == '+' ? 1 : -1;
      ++i;
      int oh = 0, om = 0;
      if (!Digits(s, &i, 2, &oh)) return std::nullopt;
      if (i < s.size()) {
        if (s[i] == ':') ++i;
        if (!Digits(s, &i, 2, &om)) return std::nullopt;
      }
      if (oh > 23 || om > 59) return std::nullopt;
      offset_s = sign * (oh * 3600 + om * 60);
    } else {
      return std::nullopt;
    }
  }
  if (i != s.size()) return std::nullopt;
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) ||
      hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  int64_t t = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
              offset_s;
  if (t < 0) return std::nullopt;
  return t;
}

std::string AfricasTalkingSendUrl(const config::ChannelSettings& settings) {
  std::string base;
  if (!settings.api_base_url.empty()) {
    base = settings.api_base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
  } else if (settings.sandbox) {
    base = "https://api.sandbox.africastalking.com";
  } else {
    base = "https://api.africastalking.com";
  }
  return base + "/version1/messaging";
}

HttpCall BuildAfricasTalkingSend(const config::ChannelSettings& settings,
                                 const OutboundSms& sms) {
  std::vector<std::pair<std::string, std::string>> fields;
  fields.reserve(6);
  fields.emplace_back("username", settings.username);
  fields.emplace_back("to", sms.to);
  fields.emplace_back("message", sms.text);
  if (!settings.sender.empty()) fields.emplace_back("from", settings.sender);
  fields.emplace_back("bulkSMSMode", "1");
  fields.emplace_back("enqueue", "1");

  HttpCall call;
  call.method = "POST";
  call.url = AfricasTalkingSendUrl(settings);
  call.headers = {{"apiKey", settings.secret}, {"Accept", "application/json"}};
  call.content_type = "application/x-www-form-urlencoded";
  call.body = EncodeForm(fields);
  return call;
}

SendResult ClassifyAfricasTalkingSend(const HttpOutcome& outcome) {
  SendResult result;
  if (ClassifyCommon(outcome, &result)) return result;
  const std::string http = "HTTP " + std::to_string(outcome.status);
  if (outcome.status < 200 || outcome.status >= 300) {
    return {SendClass::kPermanent, "", http, 0};
  }
  const SendResult unreadable = {SendClass::kRetryable, "", "unreadable AT response (" + http + ")",
                                 0};
  Result<boost::json::value> root = ParseJson(outcome.body);
  if (!root.ok()) return unreadable;
  const boost::json::value* recipients_value =
      JsonFind(JsonFind(&*root, "SMSMessageData"), "Recipients");
  const boost::json::array* recipients =
      recipients_value != nullptr ? recipients_value->if_array() : nullptr;
  if (recipients == nullptr) return unreadable;
  if (recipients->empty()) return {SendClass::kPermanent, "", "no recipient accepted", 0};

  const boost::json::value& first = recipients->front();
  std::string message_id = MessageIdOf(first);
  std::optional<int64_t> code = JsonInteger(JsonFind(&first, "statusCode"), 6);
  SendClass cls;
  if (code && *code >= 100 && *code <= 199) {
    cls = SendClass::kAccepted;
  } else if (code && *code >= 400 && *code <= 499) {
    cls = SendClass::kPermanent;
  } else if (code && *code >= 500 && *code <= 599) {
    cls = SendClass::kRetryable;
  } else {
    // No usable statusCode: a messageId still proves AT took it.
    if (message_id.empty()) return unreadable;
    return {SendClass::kAccepted, std::move(message_id), "AT statusCode missing (" + http + ")", 0};
  }
  std::string reason = "AT statusCode " + std::to_string(*code);
  if (const char* name = AtStatusCodeName(*code)) {
    reason += ' ';
    reason += name;
  }
  if (cls != SendClass::kAccepted) message_id.clear();
  return {cls, std::move(message_id), std::move(reason), 0};
}

}  // namespace shg::channels
