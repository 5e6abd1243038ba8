// Twilio SMS adapter (spec: providers.md section 3): inbound SMS webhooks,
// message status callbacks and the Messages send API. Twilio has no USSD
// (ParseUssd stays the base NotFound).
//
// Settings (config::ChannelSettings):
//   username        Account SID ("AC..."): the send URL and the Basic user
//   secret          Auth Token: the Basic password and the key that signs
//                   every callback (X-Twilio-Signature)
//   sender          From number/short code/alphanumeric id; a Messaging
//                   Service SID ("MG" + 32 hex digits) is sent as
//                   MessagingServiceSid instead of From; "" = neither
//   public_base_url the base URL Twilio calls, "https://gw.example.org"
//                   (a trailing '/' is ignored). Proxies change the scheme,
//                   host and port we see, so the URL a signature covers is
//                   public_base_url + request.target. Required for callbacks:
//                   with it empty no callback authenticates
//   api_base_url    "" = "https://api.twilio.com"
//   callback_key    when set, callbacks must also carry ?key= (the base
//                   check) and StatusCallback URLs carry it
//
// Routes (the core's): POST /channels/{id}/sms, POST /channels/{id}/status.
// Replies to inbound SMS go through the outbox, never as TwiML.
//
// Thread-safety: immutable after construction; every method may run
// concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "config/settings.h"
#include "gateway/channels/channel.h"

namespace shg::channels {

inline constexpr std::string_view kTwilioDefaultApiBaseUrl = "https://api.twilio.com";
// Limits applied by the callback parsers (decoded bytes).
inline constexpr size_t kTwilioMaxSidLength = 64;
inline constexpr size_t kTwilioMaxAddressLength = 64;  // From/To ("whatsapp:+..." too)
inline constexpr size_t kTwilioMaxBodyBytes = 4800;    // 1600 characters of up to 3 bytes
inline constexpr size_t kTwilioMaxStatusLength = 32;
inline constexpr size_t kTwilioMaxErrorCodeLength = 16;

// The empty TwiML answer to an inbound SMS: no reply message.
inline constexpr std::string_view kTwilioEmptyTwiml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

// A TwiML document replying with one message:
// <?xml ...?><Response><Message>text</Message></Response>, with & < > " '
// escaped, and the characters XML 1.0 cannot carry (C0 controls other than
// tab, LF, CR) dropped. Unused by the gateway (replies go through the
// outbox); kept for completeness and tested.
std::string TwimlMessage(std::string_view text);

class TwilioAdapter : public Adapter {
 public:
  explicit TwilioAdapter(config::ChannelSettings settings);

  // X-Twilio-Signature over public_base_url + request.target and, for a
  // POST, every decoded form parameter of the body (TwilioSignature /
  // ValidateTwilioSignature, with the port variants); plus the ?key= check
  // when callback_key is set. False when the header is missing, the body is
  // malformed, or secret or public_base_url is empty.
  bool Authenticate(const http::Request& request) const override;

  // The inbound SMS webhook (form body of a POST; the query for a GET):
  //   provider_id = MessageSid, or SmsSid when MessageSid is absent:
  //                 required, 1..64 printable ASCII
  //   from        = From: required, 1..64 printable ASCII
  //   to          = To: optional, <= 64 printable ASCII
  //   text        = Body: optional ("" when absent), <= 4800 bytes of valid
  //                 UTF-8
  //   received_at = 0 (Twilio sends no timestamp)
  // Unknown parameters are ignored; a repeated one keeps its first value.
  // InvalidArgument naming the field (never a value) otherwise.
  Result<InboundSms> ParseInboundSms(const http::Request& request) const override;
  // 200 text/xml kTwilioEmptyTwiml.
  http::Response InboundSmsAck() const override;

  // One status callback (form body) -> one report:
  //   provider_message_id = MessageSid (required, 1..64 printable)
  //   provider_status     = MessageStatus as sent (required, <= 32 printable)
  //   state: queued/accepted/scheduled/sending -> kBuffered, sent -> kSent,
  //          delivered/read/partially_delivered -> kDelivered,
  //          undelivered/failed/canceled -> kFailed (matched ignoring case);
  //          anything else -> InvalidArgument "unknown value of field:
  //          MessageStatus"
  //   reason = "Twilio " + ErrorCode when ErrorCode is present and non-empty
  //            (<= 16 printable), else ""
  //   message_id = 0 (Twilio echoes none of ours)
  Result<std::vector<DeliveryReport>> ParseStatus(const http::Request& request) const override;

  // POST {api_base_url}/2010-04-01/Accounts/{sid}/Messages.json, Basic
  // (sid, token), Accept: application/json, form body To, From (or
  // MessagingServiceSid), Body, StatusCallback (public_base_url +
  // "/channels/{id}/status" [+ "?key=" + callback_key]; omitted when
  // public_base_url is empty). The token is only in basic_password.
  HttpCall BuildSend(const OutboundSms& sms) const override;

  // ClassifyCommon first (transport, 429, 5xx/408, 401/403). Then:
  //   2xx with a JSON string `sid` -> kAccepted(sid)
  //   2xx without one -> kPermanent "HTTP <n> without sid": Twilio may or may
  //     not have taken it, and retrying could send the member the same SMS
  //     again; the operator sees the reason (usually a wrong api_base_url)
  //   4xx with JSON `code` 20429 (rate limit) -> kThrottled "Twilio 20429"
  //   other 4xx with a JSON integer `code` -> kPermanent "Twilio <code>"
  //     (21211 invalid To, 21610 unsubscribed, 21614 not mobile, 21408 region
  //     not enabled, 21606 From not valid, ...)
  //   other 4xx -> kPermanent "HTTP <n>"
  SendResult ClassifySend(const HttpOutcome& outcome) const override;

 private:
  std::string SignedUrl(const http::Request& request) const;
  std::string api_base_url_;     // no trailing '/'
  std::string public_base_url_;  // no trailing '/'
};

std::unique_ptr<Adapter> MakeTwilioAdapter(const config::ChannelSettings& settings);

}  // namespace shg::channels
