#include "gateway/channels/twilio/adapter.h"

#include <cctype>
#include <optional>
#include <utility>

#include "domain/utf8.h"
#include "gateway/channels/africastalking/ussd.h"
#include "gateway/channels/form.h"
#include "gateway/channels/json.h"
#include "gateway/channels/twilio/signature.h"

namespace shg::channels {
namespace {

std::string WithoutTrailingSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

enum class Check { kPrintable, kUtf8 };

// Reads field `name` of a decoded form into *out. Messages name the field,
// never its value.
Status ReadField(const Form& form, std::string_view name, bool required, size_t max_length,
                 Check check, std::string* out) {
  const std::string* value = form.Get(name);
  if (value == nullptr) {
    if (required) return Status::InvalidArgument("missing field: " + std::string(name));
    out->clear();
    return Status::Ok();
  }
  if (required && value->empty()) return Status::InvalidArgument("empty field: " + std::string(name));
  if (value->size() > max_length) return Status::InvalidArgument("field too long: " + std::string(name));
  bool valid = check == Check::kUtf8 ? IsValidUtf8(*value) : IsPrintableAscii(*value, max_length);
  if (!valid) return Status::InvalidArgument("invalid characters in field: " + std::string(name));
  *out = *value;
  return Status::Ok();
}

// The callback's parameters: the form body of a POST, the query of a GET.
Result<Form> CallbackForm(const http::Request& request) {
  return ParseForm(request.method == "GET" ? std::string_view(request.query)
                                           : std::string_view(request.body));
}

// Whether `s` is a Messaging Service SID: "MG" + 32 hex digits.
bool IsMessagingServiceSid(std::string_view s) {
  if (s.size() != 34 || s.substr(0, 2) != "MG") return false;
  for (char c : s.substr(2)) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

std::string TwimlMessage(std::string_view text) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>";
  out.reserve(out.size() + text.size() + 32);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 has no representation for other C0 controls.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        out += c;
    }
  }
  out += "</Message></Response>";
  return out;
}

TwilioAdapter::TwilioAdapter(config::ChannelSettings settings)
    : Adapter(std::move(settings)),
      api_base_url_(WithoutTrailingSlash(settings_.api_base_url.empty()
                                             ? std::string(kTwilioDefaultApiBaseUrl)
                                             : settings_.api_base_url)),
      public_base_url_(WithoutTrailingSlash(settings_.public_base_url)) {}

std::string TwilioAdapter::SignedUrl(const http::Request& request) const {
  return public_base_url_ + request.target;
}

bool TwilioAdapter::Authenticate(const http::Request& request) const {
  if (settings_.secret.empty() || public_base_url_.empty()) return false;
  std::string signature = request.Header("x-twilio-signature");
  if (signature.empty()) return false;
  FormPairs params;
  if (request.method == "POST") {
    Result<FormPairs> pairs = DecodeFormPairs(request.body);
    if (!pairs.ok()) return false;
    params = std::move(pairs).value();
  }
  // Both checks always run, so timing does not tell which one failed.
  bool signed_ok = ValidateTwilioSignature(settings_.secret, SignedUrl(request), params, signature);
  bool key_ok = CheckCallbackKey(request.query, settings_.callback_key);
  return signed_ok && key_ok;
}

Result<InboundSms> TwilioAdapter::ParseInboundSms(const http::Request& request) const {
  Result<Form> form = CallbackForm(request);
  if (!form.ok()) return form.status();
  InboundSms sms;
  sms.channel = id();
  const char* id_field = form->Has("MessageSid") ? "MessageSid" : form->Has("SmsSid") ? "SmsSid"
                                                                                       : "MessageSid";
  SHG_RETURN_IF_ERROR(
      ReadField(*form, id_field, true, kTwilioMaxSidLength, Check::kPrintable, &sms.provider_id));
  SHG_RETURN_IF_ERROR(
      ReadField(*form, "From", true, kTwilioMaxAddressLength, Check::kPrintable, &sms.from));
  SHG_RETURN_IF_ERROR(
      ReadField(*form, "To", false, kTwilioMaxAddressLength, Check::kPrintable, &sms.to));
  SHG_RETURN_IF_ERROR(ReadField(*form, "Body", false, kTwilioMaxBodyBytes, Check::kUtf8, &sms.text));
  return sms;
}

http::Response TwilioAdapter::InboundSmsAck() const {
  http::Response r;
  r.status = 200;
  r.content_type = "text/xml";
  r.body = std::string(kTwilioEmptyTwiml);
  return r;
}

Result<std::vector<DeliveryReport>> TwilioAdapter::ParseStatus(const http::Request& request) const {
  Result<Form> form = CallbackForm(request);
  if (!form.ok()) return form.status();
  DeliveryReport report;
  report.channel = id();
  SHG_RETURN_IF_ERROR(ReadField(*form, "MessageSid", true, kTwilioMaxSidLength, Check::kPrintable,
                                &report.provider_message_id));
  SHG_RETURN_IF_ERROR(ReadField(*form, "MessageStatus", true, kTwilioMaxStatusLength,
                                Check::kPrintable, &report.provider_status));
  const std::string status = Lower(report.provider_status);
  if (status == "queued" || status == "accepted" || status == "scheduled" || status == "sending") {
    report.state = DeliveryState::kBuffered;
  } else if (status == "sent") {
    report.state = DeliveryState::kSent;
  } else if (status == "delivered" || status == "read" || status == "partially_delivered") {
    // partially_delivered: the recipient got part of it; neither a resend
    // nor "failed" would help the member.
    report.state = DeliveryState::kDelivered;
  } else if (status == "undelivered" || status == "failed" || status == "canceled") {
    report.state = DeliveryState::kFailed;
  } else {
    // Includes receiving/received, which belong to inbound messages.
    return Status::InvalidArgument("unknown value of field: MessageStatus");
  }
  std::string error_code;
  SHG_RETURN_IF_ERROR(ReadField(*form, "ErrorCode", false, kTwilioMaxErrorCodeLength,
                                Check::kPrintable, &error_code));
  if (!error_code.empty()) report.reason = "Twilio " + error_code;
  std::vector<DeliveryReport> reports;
  reports.push_back(std::move(report));
  return reports;
}

HttpCall TwilioAdapter::BuildSend(const OutboundSms& sms) const {
  HttpCall call;
  call.method = "POST";
  call.url = api_base_url_ + "/2010-04-01/Accounts/" + UrlEncode(settings_.username) +
             "/Messages.json";
  call.headers.emplace_back("Accept", "application/json");
  call.content_type = "application/x-www-form-urlencoded";
  call.basic_user = settings_.username;
  call.basic_password = settings_.secret;
  std::vector<std::pair<std::string, std::string>> form;
  form.emplace_back("To", sms.to);
  if (IsMessagingServiceSid(settings_.sender)) {
    form.emplace_back("MessagingServiceSid", settings_.sender);
  } else if (!settings_.sender.empty()) {
    form.emplace_back("From", settings_.sender);
  }
  form.emplace_back("Body", sms.text);
  if (!public_base_url_.empty()) {
    std::string callback = public_base_url_ + "/channels/" + settings_.id + "/status";
    if (!settings_.callback_key.empty()) callback += "?key=" + UrlEncode(settings_.callback_key);
    form.emplace_back("StatusCallback", std::move(callback));
  }
  call.body = EncodeForm(form);
  return call;
}

SendResult TwilioAdapter::ClassifySend(const HttpOutcome& outcome) const {
  SendResult result;
  if (ClassifyCommon(outcome, &result)) return result;
  const std::string http_code = "HTTP " + std::to_string(outcome.status);
  Result<boost::json::value> json = ParseJson(outcome.body);
  const boost::json::value* root = json.ok() ? &*json : nullptr;
  if (outcome.status >= 200 && outcome.status < 300) {
    const std::string_view sid = JsonString(JsonFind(root, "sid"));
    if (!sid.empty() && IsPrintableAscii(sid, kTwilioMaxSidLength)) {
      return {SendClass::kAccepted, std::string(sid), http_code, 0};
    }
    return {SendClass::kPermanent, "", http_code + " without sid", 0};
  }
  // 4xx other than those ClassifyCommon decided (400, 404, 409...).
  std::optional<int64_t> code = JsonInt64(JsonFind(root, "code"));
  if (code && *code == 20429) {
    return {SendClass::kThrottled, "", "Twilio 20429", 0};
  }
  if (code && *code > 0) {
    return {SendClass::kPermanent, "", "Twilio " + std::to_string(*code), 0};
  }
  return {SendClass::kPermanent, "", http_code, 0};
}

std::unique_ptr<Adapter> MakeTwilioAdapter(const config::ChannelSettings& settings) {
  return std::make_unique<TwilioAdapter>(settings);
}

}  // namespace shg::channels
