// Kannel adapter (spec: providers.md section 5 and the Kannel pitfalls of
// section 7): inbound SMS through an sms-service get-url, sending through the
// smsbox sendsms interface, delivery reports through the dlr-url.
//
// --- Inbound SMS (the contract with the Kannel configuration) ---
// The sms-service group must call us with exactly these parameters (GET):
//
//   group = sms-service
//   keyword = default
//   catch-all = true
//   max-messages = 0
//   get-url = "https://GATEWAY/channels/ID/sms?key=SECRET&id=%I&from=%p&to=%P&text=%b&time=%T&coding=%c&charset=%C"
//
// (kKannelGetUrlQuery is the part after key=SECRET&.) `%b` is the original
// message, URL-encoded byte for byte (`%a` would squeeze blanks); `%c`/`%C`
// say how to read those bytes. `max-messages = 0` makes Kannel send no reply
// SMS from our (empty) answer body: replies go through the outbox.
// ParseInboundSms reads request.query (the body is ignored):
//   provider_id = id: required, 1..64 printable ASCII (Kannel's message UUID)
//   from        = from: required, 1..32 printable ASCII (passed through; the
//                 core parses it with the channel's country)
//   to          = to: optional ("" when absent), <= 32 printable ASCII
//   text        = text: required, may be empty, decoded to UTF-8:
//                 charset UTF-16BE (or UCS-2), or no charset with coding=2:
//                 UTF-16BE bytes (an even count; a lone surrogate becomes
//                 U+FFFD); charset UTF-8, or none with coding 0 or absent:
//                 must be valid UTF-8; WINDOWS-1252 / ISO-8859-1 (what
//                 smsbox `mo-recode` may produce): transcoded. Any other
//                 charset, and 8-bit binary (coding=1 without a text
//                 charset), are rejected. At most kKannelMaxTextBytes once
//                 decoded to UTF-8.
//   received_at = time: optional Unix seconds (digits only; "" or absent = 0)
// A repeated parameter keeps its first value; unknown ones are ignored.
// Errors are InvalidArgument naming the field, never a value.
// InboundSmsAck: 200 with an empty body.
//
// --- Sending (sendsms) ---
// GET {api_base_url}/cgi-bin/sendsms?username=&password=&to=&from=&text=
//     [&coding=2][&dlr-mask=27&dlr-url=...]
// - `from` only when the channel has a sender.
// - GSM-7 text (dialogs::IsGsm7) goes as UTF-8 with no coding and no charset
//   (Kannel's 7-bit default). Anything else goes as coding=2 with the text
//   pre-encoded to UTF-16BE (dialogs::EncodeUcs2) and NO charset parameter:
//   UTF-16BE is Kannel's default for coding=2, and a charset makes Kannel
//   recode server-side (rejected as "Charset or body misformed" or failing
//   on builds without iconv; providers.md section 7).
// - dlr-mask kKannelDlrMask = 27 = 1 (delivered) + 2 (not delivered)
//   + 8 (accepted by the SMSC) + 16 (rejected by the SMSC). The buffered
//   bit (4) is left out: it is an intermediate state with nothing to act
//   on, and it would double the callbacks on a congested SMSC.
// - dlr-url = public_base_url + "/channels/ID/status?key=KEY&id=MESSAGE_ID&type=%d"
//   (URL-encoded once as the parameter value; Kannel replaces %d with the
//   event's bit). Kannel fills escape codes in the dlr-url, so it must hold
//   no '%' but %d and percent-escapes of ASCII bytes (which start with a
//   digit and pass through): the callback key must be ASCII. No
//   public_base_url: no dlr-mask and no dlr-url (no reports).
// The password appears only as the value of the password parameter.
//
// ClassifySend: 403 "Not routable..." -> permanent; then ClassifyCommon;
// 2xx whose body starts "0: Accepted", "3: Queued" (or old Kannel's "Sent.")
// -> accepted with no provider id (the DLR carries our id); any other 2xx
// body -> permanent (something other than Kannel answered); other 4xx ->
// permanent. Reasons name Kannel's known refusals, never echo the body.
//
// --- Delivery reports (dlr-url, GET) ---
// ParseStatus reads request.query: id (our outbox id, a positive integer)
// and type (the DLR bit): 1 delivered, 2 failed, 4 buffered, 8 sent,
// 16 failed (SMSC reject); any other type is InvalidArgument "unknown value
// of field: type". One report per callback, provider_message_id "",
// provider_status "kannel type N".
//
// Authenticate: the ?key= secret (Adapter's default).
// Thread-safety: the adapter is immutable; every method may run concurrently.
#pragma once

#include <cstddef>
#include <memory>

#include "config/settings.h"
#include "gateway/channels/channel.h"

namespace shg::channels {

// The delivery-report bits asked of Kannel (see above).
inline constexpr int kKannelDlrMask = 27;
// Longest inbound text accepted, in UTF-8 bytes after decoding.
inline constexpr size_t kKannelMaxTextBytes = 4096;
// The get-url parameters after `key=SECRET&` (the README quotes this).
inline constexpr char kKannelGetUrlQuery[] =
    "id=%I&from=%p&to=%P&text=%b&time=%T&coding=%c&charset=%C";

// The adapter for a `type = "kannel"` channel. api_base_url is the smsbox
// sendsms base, e.g. "http://127.0.0.1:13013" (required to send).
std::unique_ptr<Adapter> MakeKannelAdapter(const config::ChannelSettings& settings);

}  // namespace shg::channels
