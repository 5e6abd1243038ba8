// The contract every provider adapter implements (one folder per provider
// under gateway/channels/). An adapter is pure: it maps a provider's HTTP
// callback to normalised events and an outgoing message to an HTTP request
// description, and classifies the HTTP outcome of a send. It does no I/O:
// the gateway performs the requests (gateway/outbound, libcurl) and owns the
// store.
//
// Secrets (API keys, tokens, passwords) appear only in the HttpCall an
// adapter builds; no Status message, reason or event field ever carries one,
// nor a message text.
//
// Thread-safety: adapters are immutable after construction; every method may
// run concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/settings.h"
#include "dialogs/events.h"
#include "domain/result.h"
#include "gateway/http/server.h"

namespace shg::channels {

// --- outgoing HTTP, described by the adapter and performed by the core ---

struct HttpCall {
  std::string method = "POST";  // "GET" or "POST"
  std::string url;              // absolute, query already encoded
  // Extra request headers ("Accept", "apiKey"...), sent as given.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type;  // Content-Type of `body` ("" = none)
  std::string body;
  // HTTP Basic credentials; empty user = none.
  std::string basic_user;
  std::string basic_password;
};

// What came back from performing an HttpCall.
enum class TransportFailure {
  kNone,     // an HTTP response arrived (any status)
  kConnect,  // DNS, refused, unreachable: nothing reached the provider
  kTimeout,  // connect or whole-request timeout: the provider may have it
  kTls,      // certificate or handshake failure (a configuration problem)
  kOther,    // anything else below HTTP
};
const char* TransportFailureName(TransportFailure f);

struct HttpOutcome {
  TransportFailure failure = TransportFailure::kNone;
  long status = 0;  // HTTP status when failure == kNone
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string error;  // transport error text (no secrets) when failure != kNone
  // First header named `name` (lower-case), or "".
  std::string Header(std::string_view name) const;
};

// --- sending ---

struct OutboundSms {
  int64_t message_id = 0;  // our outbox id; carried where the provider lets us
  std::string to;          // E.164, "+2547..."
  std::string text;        // UTF-8
};

// A send's outcome, classified once (providers.md "Our contract").
enum class SendClass {
  kAccepted,   // the provider took it (provider_message_id when it gave one)
  kPermanent,  // bad number, auth or configuration error: never retry
  kRetryable,  // timeout, connection error, 5xx: retry with backoff
  kThrottled,  // 429 or the provider's equivalent: back off the channel
};
const char* SendClassName(SendClass c);

struct SendResult {
  SendClass cls = SendClass::kRetryable;
  std::string provider_message_id;  // kAccepted: the provider's id ("" if none)
  std::string reason;               // short, for the outbox row and logs; no secrets
  int retry_after_s = 0;            // kThrottled/kRetryable: provider's Retry-After, 0 = none
};

// The classification shared by all providers for what is not provider
// specific: transport failures (connect/timeout: retryable, TLS: permanent),
// 429 (throttled, Retry-After honoured), 5xx and 408 (retryable), 401/403
// (permanent: credentials). Returns true and fills *out when it decided;
// false when the adapter must decide from the body (2xx and other 4xx).
bool ClassifyCommon(const HttpOutcome& outcome, SendResult* out);

// --- inbound events ---

struct InboundSms {
  std::string channel;
  std::string provider_id;  // the provider's message id (dedupe key); required
  std::string from;         // sender as sent (the core parses it with the channel's country)
  std::string to;           // our number / short code ("" if not given)
  std::string text;         // UTF-8
  int64_t received_at = 0;  // Unix seconds from the provider, 0 = unknown
};

// Normalised delivery states. A report moves a message forward only
// (sent -> delivered | failed); kSent/kBuffered are intermediate.
enum class DeliveryState { kSent, kBuffered, kDelivered, kFailed };
const char* DeliveryStateName(DeliveryState s);

struct DeliveryReport {
  std::string channel;
  std::string provider_message_id;  // the id the send returned ("" if the provider has none)
  int64_t message_id = 0;           // our outbox id when the callback carries it (Kannel), else 0
  DeliveryState state = DeliveryState::kSent;
  std::string provider_status;  // raw status value, <= 32 printable chars
  std::string reason;           // failure reason/code if given, <= 64 printable chars
};

// A USSD callback: a dialog step, or the provider telling us a session ended.
struct UssdCallback {
  enum class Kind { kStep, kEnded };
  Kind kind = Kind::kStep;
  UssdRequest request;     // kStep: the normalised step (request_id unset)
  std::string session_id;  // kEnded
  std::string end_status;  // kEnded: provider's word, normalised to lower case
                           // ("success", "incomplete", "failed", "release", "timeout")
};

// --- the adapter ---

class Adapter {
 public:
  explicit Adapter(config::ChannelSettings settings) : settings_(std::move(settings)) {}
  virtual ~Adapter() = default;
  const config::ChannelSettings& settings() const { return settings_; }
  const std::string& id() const { return settings_.id; }

  // Authenticates a callback on any route (403 with no side effect when
  // false). Default: the ?key= secret (CheckCallbackKey).
  virtual bool Authenticate(const http::Request& request) const;

  // USSD: POST /channels/{id}/ussd (and, for providers with a separate
  // end-of-session callback, /channels/{id}/ussd-end, passed with
  // `end_route` true). InvalidArgument (-> 400, message names the field,
  // never a value) for a malformed callback; NotFound (-> 404) when this
  // provider has no USSD.
  virtual Result<UssdCallback> ParseUssd(const http::Request& request, bool end_route) const;
  // The HTTP answer to a USSD step (for kEnded callbacks `reply` is empty
  // and the answer is an acknowledgement).
  virtual http::Response FormatUssd(const UssdCallback& callback, const UssdReply& reply) const;

  // Inbound SMS: POST (or GET for Kannel) /channels/{id}/sms.
  virtual Result<InboundSms> ParseInboundSms(const http::Request& request) const;
  // The answer to an inbound SMS callback. Replies go out through the
  // outbox, so this answer never carries a reply text (Twilio: empty TwiML;
  // Kannel: empty body).
  virtual http::Response InboundSmsAck() const;

  // Delivery reports: /channels/{id}/status. One callback may carry
  // several reports. InvalidArgument for a malformed callback; a status
  // value the adapter does not know is InvalidArgument naming the field.
  virtual Result<std::vector<DeliveryReport>> ParseStatus(const http::Request& request) const;

  // Sending (only called when settings().sends()).
  virtual HttpCall BuildSend(const OutboundSms& sms) const = 0;
  virtual SendResult ClassifySend(const HttpOutcome& outcome) const = 0;

 protected:
  config::ChannelSettings settings_;
};

// The adapter for a channel's type (africastalking, twilio, kannel, hubtel).
// InvalidArgument for an unknown type.
Result<std::unique_ptr<Adapter>> MakeAdapter(const config::ChannelSettings& settings);

// Helpers for adapters.
// Percent-encodes for a URL query or form body (RFC 3986 unreserved kept,
// space as %20).
std::string UrlEncode(std::string_view s);
// "a=1&b=2" from pairs, each name and value UrlEncode'd.
std::string EncodeForm(const std::vector<std::pair<std::string, std::string>>& pairs);
// Whether every byte is printable ASCII (0x20..0x7e) and the size is <= max.
bool IsPrintableAscii(std::string_view s, size_t max = std::string_view::npos);
// Whether every byte is one of "+0123456789 " (a phone number as a provider
// sends it; a raw '+' in a form decodes to a space).
bool IsPhoneChars(std::string_view s);

}  // namespace shg::channels
