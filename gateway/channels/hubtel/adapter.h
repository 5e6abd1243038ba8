// Hubtel adapter (Ghana; spec: providers.md section 4.1, ussd.md
// "Sessions"): session-style USSD (only the latest input, an explicit Type)
// and sending SMS through Hubtel's SMS API. Hubtel has no inbound-SMS or
// delivery-report route here (the base's NotFound).
//
// --- USSD: POST /channels/ID/ussd?key=SECRET, JSON body ---
// Member names are matched case-insensitively (Hubtel's own SDK binds them
// so), the first of a repeated name wins, unknown members are ignored.
//   Type        required string, case-insensitive:
//                 Initiation, Response -> kStep
//                 Release (the user hung up), Timeout (we answered too
//                 slowly) -> kEnded with end_status "release" / "timeout"
//               anything else -> "unknown value of field: Type"
//   SessionId   required, 1..128 printable ASCII (a string, or an integer
//               number taken as its literal) -> session_id
// kStep only:
//   Mobile      required, 1..32 of "+0123456789 " (a string or an integer
//               number), passed through as sent, e.g. "233246912184"; the
//               engine parses it with the channel's country -> phone
//   ServiceCode required, 1..64 printable ASCII -> service_code
//   Sequence    required integer >= 1 (number or digit string) ->
//               step = Sequence - 1 (not checked against Type: a duplicate
//               or re-sent Initiation keeps its own Sequence)
//   Message     Response: required string, <= 1024 bytes (may be empty),
//               the member's latest input -> input. Initiation: ignored
//               (it is the dialled string) and input = "".
//   Operator    optional; -> network when 1..16 printable ASCII, else
//               dropped ("" ; app channels send longer names)
// Errors are InvalidArgument naming the field, never a value: "missing
// field: SessionId", "invalid value of field: Sequence", "malformed JSON
// body", ... `end_route` (/ussd-end) is NotFound: Hubtel ends sessions on
// the /ussd route.
// FormatUssd: 200 application/json
//   {"SessionId":..,"Type":"Response","Message":..,"Label":..,
//    "DataType":"input","FieldType":"text"}
//   or with "Type":"Release","DataType":"display" when reply.end;
//   Label is the first line of the screen (app channels show it as a title).
//   For a kEnded callback: {"SessionId":..,"Type":"Release","Message":""}.
//
// --- Sending SMS ---
// POST {api_base_url or kHubtelDefaultApiBase}/v1/messages/send, HTTP Basic
// (username = client id, secret = client secret), Accept application/json,
// JSON {"From":sender,"To":to,"Content":text,"RegisteredDelivery":true,
// "ClientReference":"<message_id>"} ("From" omitted when the channel has no
// sender: Hubtel then refuses, a visible configuration error). `To` is our
// E.164 number as is.
// ClassifySend: ClassifyCommon first; a 2xx JSON object whose Status (a
// number or digit string; looked up at the top level, then under Data) is
// 0 -> accepted with MessageId; another Status -> permanent "Hubtel status
// N"; a 2xx we cannot read -> permanent "unexpected reply"; other 4xx ->
// permanent (with Hubtel's Status when the body has one). The list of
// Hubtel status codes is not confirmed (providers.md has no Hubtel SMS
// section), so only 0 is trusted as success.
//
// Authenticate: the ?key= secret (Adapter's default).
// Thread-safety: the adapter is immutable; every method may run concurrently.
#pragma once

#include <cstddef>
#include <memory>

#include "config/settings.h"
#include "gateway/channels/channel.h"

namespace shg::channels {

inline constexpr char kHubtelDefaultApiBase[] = "https://smsc.hubtel.com";
inline constexpr size_t kHubtelMaxBodyBytes = 16 * 1024;
inline constexpr size_t kHubtelMaxSessionIdLength = 128;
inline constexpr size_t kHubtelMaxMobileLength = 32;
inline constexpr size_t kHubtelMaxServiceCodeLength = 64;
inline constexpr size_t kHubtelMaxOperatorLength = 16;
inline constexpr size_t kHubtelMaxMessageBytes = 1024;

// The adapter for a `type = "hubtel"` channel.
std::unique_ptr<Adapter> MakeHubtelAdapter(const config::ChannelSettings& settings);

}  // namespace shg::channels
