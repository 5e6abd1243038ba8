// Africa's Talking SMS and USSD end-of-session: the pure parsers, the send
// request builder and the send-outcome classifier behind
// AfricasTalkingAdapter (spec: providers.md sections 1.3 and 2).
//
// Callbacks are POSTed application/x-www-form-urlencoded. Every parser:
//   - first checks that the whole body is well-formed form encoding
//     ("malformed %-escape in the form body" otherwise);
//   - reads only the fields it needs (FindFormField), so fields it ignores
//     (the end-of-session `input` carries the whole USSD input path, PIN
//     included) are never copied;
//   - keeps the first value of a repeated field and ignores unknown fields;
//   - returns InvalidArgument whose message names the field but never its
//     value: "missing field: id", "empty field: from", "field too long: text",
//     "invalid characters in field: id", "unknown value of field: status".
//
// Thread-safety: all functions are pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/settings.h"
#include "domain/result.h"
#include "gateway/channels/channel.h"

namespace shg::channels {

// Limits (decoded bytes).
inline constexpr size_t kAtMaxMessageIdLength = 128;  // id (inbound and DLR)
inline constexpr size_t kAtMaxSmsFromLength = 32;
inline constexpr size_t kAtMaxSmsToLength = 64;
inline constexpr size_t kAtMaxSmsTextBytes = 1600;
inline constexpr size_t kAtMaxDateLength = 64;
inline constexpr size_t kAtMaxStatusLength = 32;
inline constexpr size_t kAtMaxFailureReasonLength = 64;

// Incoming message callback (providers.md 2.4):
//   channel     = channel_id
//   provider_id = id: required, 1..128 printable ASCII
//   from        = from: required, 1..32 of "+0123456789 " (as decoded; AT
//                 sends '+' as %2B, a raw '+' decodes to a space)
//   to          = to: optional ("" when absent), <= 64 printable ASCII
//   text        = text: required but may be empty, <= 1600 bytes; invalid
//                 UTF-8 is replaced by U+FFFD (the message is kept: a 4xx
//                 would only make AT re-post it every minute for 12 hours)
//   received_at = date parsed by ParseIso8601Utc, 0 when absent, longer
//                 than 64 bytes or malformed (never an error)
// linkId, networkCode and cost are not used and not read.
Result<InboundSms> ParseAfricasTalkingInboundSms(std::string_view channel_id,
                                                 std::string_view form_body);

// Delivery-report callback (providers.md 2.5), one report per callback:
//   channel             = channel_id
//   provider_message_id = id: required, 1..128 printable ASCII (the
//                         messageId the send returned)
//   message_id          = 0 (AT does not carry ours)
//   provider_status     = status as sent: required, <= 32 printable ASCII
//   state               = from status, compared case-insensitively:
//                           Sent, Submitted                   -> kSent
//                           Buffered                          -> kBuffered
//                           Success                           -> kDelivered
//                           Rejected, Failed, AbsentSubscriber,
//                           Expired                           -> kFailed
//                         anything else: "unknown value of field: status"
//   reason              = failureReason: optional ("" when absent), <= 64
//                         printable ASCII; AT's misspelling
//                         "NotNetworkSubcriber" is normalised to
//                         "NotNetworkSubscriber"
// phoneNumber, networkCode and retryCount are not read.
Result<DeliveryReport> ParseAfricasTalkingDeliveryReport(std::string_view channel_id,
                                                         std::string_view form_body);

// USSD end-of-session notification (providers.md 1.3), a kEnded callback:
//   session_id = sessionId: required, 1..128 printable ASCII
//   end_status = status: required, one of Success, Incomplete, Failed
//                (case-insensitive), returned lower-case ("success",
//                "incomplete", "failed"); anything else is
//                "unknown value of field: status"
// All other fields (date, serviceCode, networkCode, phoneNumber, cost,
// durationInMillis, hopsCount, input, lastAppResponse, errorMessage) are
// optional and never read.
Result<UssdCallback> ParseAfricasTalkingUssdEnd(std::string_view form_body);

// Unix seconds of an ISO 8601 / RFC 3339 date-time as AT sends it
// ("2018-03-19T08:34:18.445Z"): YYYY-MM-DD, then 'T', 't' or ' ', then
// hh:mm[:ss[.fraction]], then optionally 'Z'/'z' or an offset +hh:mm,
// +hhmm or +hh (also '-'). Without a zone the time is taken as UTC. The
// fraction is dropped; second 60 (leap) is accepted. Years 1970..9999;
// fields are range-checked (February 29 only in leap years). nullopt when
// malformed.
std::optional<int64_t> ParseIso8601Utc(std::string_view s);

// The send URL: settings.api_base_url (trailing '/' dropped) when set, else
// https://api.sandbox.africastalking.com when settings.sandbox, else
// https://api.africastalking.com; followed by "/version1/messaging".
std::string AfricasTalkingSendUrl(const config::ChannelSettings& settings);

// POST AfricasTalkingSendUrl(settings), application/x-www-form-urlencoded
// body username=settings.username, to=sms.to, message=sms.text,
// from=settings.sender (only when non-empty), bulkSMSMode=1, enqueue=1 (in
// that order); headers "apiKey: settings.secret" (the only place the key
// appears) and "Accept: application/json".
HttpCall BuildAfricasTalkingSend(const config::ChannelSettings& settings,
                                 const OutboundSms& sms);

// Classifies the outcome of a BuildAfricasTalkingSend request:
//   1. ClassifyCommon (transport failures, 429, 5xx, 408, 401/403, 1xx/3xx);
//   2. another non-2xx status: kPermanent, reason "HTTP <status>";
//   3. a 2xx (AT answers 201) with the send-response JSON: the first entry
//      of SMSMessageData.Recipients (we send to one number) decides by its
//      statusCode (a number, or a string of digits):
//        100 Processed, 101 Sent, 102 Queued       -> kAccepted, with
//                                                     provider_message_id =
//                                                     its messageId
//        401 RiskHold, 402 InvalidSenderId, 403 InvalidPhoneNumber,
//        404 UnsupportedNumberType, 405 InsufficientBalance,
//        406 UserInBlacklist, 407 CouldNotRoute,
//        409 DoNotDisturbRejection                 -> kPermanent
//        500 InternalServerError, 501 GatewayError,
//        502 RejectedByGateway                     -> kRetryable
//      other codes by range (1xx accepted, 4xx permanent, 5xx retryable);
//      reason "AT statusCode 403 InvalidPhoneNumber" (the name only for
//      known codes). An empty Recipients array is kPermanent, reason
//      "no recipient accepted".
//   4. a 2xx we cannot read (not JSON, no Recipients array, or a first
//      recipient without a usable statusCode): kAccepted when a messageId
//      can still be found in the first recipient (AT took the message; a
//      retry would send it twice), otherwise kRetryable, reason
//      "unreadable AT response (HTTP <status>)". Retrying risks a duplicate
//      receipt but never loses one, and such a body is most likely a proxy
//      or outage page that never reached AT's send logic; kPermanent would
//      lose the message for good.
// A messageId is used only when it is 1..128 printable ASCII and not "None"
// (AT's placeholder for failed recipients). Reasons never carry the number,
// the text or the key.
SendResult ClassifyAfricasTalkingSend(const HttpOutcome& outcome);

}  // namespace shg::channels
