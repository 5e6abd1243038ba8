#include "gateway/channels/channel.h"

#include <cctype>
#include <cstdlib>

#include "gateway/channels/africastalking/ussd.h"

namespace shg::channels {

const char* TransportFailureName(TransportFailure f) {
  switch (f) {
    case TransportFailure::kNone: return "none";
    case TransportFailure::kConnect: return "connect";
    case TransportFailure::kTimeout: return "timeout";
    case TransportFailure::kTls: return "tls";
    case TransportFailure::kOther: return "other";
  }
  return "other";
}

const char* SendClassName(SendClass c) {
  switch (c) {
    case SendClass::kAccepted: return "accepted";
    case SendClass::kPermanent: return "permanent";
    case SendClass::kRetryable: return "retryable";
    case SendClass::kThrottled: return "throttled";
  }
  return "retryable";
}

const char* DeliveryStateName(DeliveryState s) {
  switch (s) {
    case DeliveryState::kSent: return "sent";
    case DeliveryState::kBuffered: return "buffered";
    case DeliveryState::kDelivered: return "delivered";
    case DeliveryState::kFailed: return "failed";
  }
  return "sent";
}

std::string HttpOutcome::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "";
}

namespace {

// Retry-After in seconds (the delta-seconds form; an HTTP date is ignored).
int RetryAfterSeconds(const HttpOutcome& o) {
  std::string v = o.Header("retry-after");
  if (v.empty() || v.size() > 6) return 0;
  for (char c : v) {
    if (c < '0' || c > '9') return 0;
  }
  return std::atoi(v.c_str());
}

}  // namespace

bool ClassifyCommon(const HttpOutcome& o, SendResult* out) {
  switch (o.failure) {
    case TransportFailure::kNone: break;
    case TransportFailure::kConnect:
      *out = {SendClass::kRetryable, "", "connect failed", 0};
      return true;
    case TransportFailure::kTimeout:
      *out = {SendClass::kRetryable, "", "timeout", 0};
      return true;
    case TransportFailure::kTls:
      *out = {SendClass::kPermanent, "", "TLS failure (check certificates/base URL)", 0};
      return true;
    case TransportFailure::kOther:
      *out = {SendClass::kRetryable, "", "transport error", 0};
      return true;
  }
  const std::string code = "HTTP " + std::to_string(o.status);
  if (o.status == 429) {
    *out = {SendClass::kThrottled, "", code + " throttled", RetryAfterSeconds(o)};
    return true;
  }
  if (o.status >= 500 || o.status == 408) {
    *out = {SendClass::kRetryable, "", code, RetryAfterSeconds(o)};
    return true;
  }
  if (o.status == 401 || o.status == 403) {
    *out = {SendClass::kPermanent, "", code + " (credentials rejected)", 0};
    return true;
  }
  if (o.status < 200 || (o.status >= 300 && o.status < 400)) {
    *out = {SendClass::kPermanent, "", code + " unexpected", 0};
    return true;
  }
  return false;
}

bool Adapter::Authenticate(const http::Request& request) const {
  return CheckCallbackKey(request.query, settings_.callback_key);
}

Result<UssdCallback> Adapter::ParseUssd(const http::Request&, bool) const {
  return Status::NotFound("channel type " + settings_.type + " has no USSD");
}

http::Response Adapter::FormatUssd(const UssdCallback&, const UssdReply&) const {
  return http::Response::Text(404, "no USSD on this channel\n");
}

Result<InboundSms> Adapter::ParseInboundSms(const http::Request&) const {
  return Status::NotFound("channel type " + settings_.type + " has no inbound SMS");
}

http::Response Adapter::InboundSmsAck() const { return http::Response::Text(200, ""); }

Result<std::vector<DeliveryReport>> Adapter::ParseStatus(const http::Request&) const {
  return Status::NotFound("channel type " + settings_.type + " has no delivery reports");
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string EncodeForm(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out += '&';
    out += UrlEncode(k);
    out += '=';
    out += UrlEncode(v);
  }
  return out;
}

bool IsPhoneChars(std::string_view s) {
  for (char c : s) {
    if (!(c == '+' || c == ' ' || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool IsPrintableAscii(std::string_view s, size_t max) {
  if (s.size() > max) return false;
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace shg::channels
