// SMS to members: which channel sends them and how they are rendered.
//
// The Notifier renders a catalogue template in the member's language,
// measures it with the code that sends (gsm.h: GSM-7 or UCS-2, parts) and
// queues it in the outbox (domain/messages.h) inside the caller's
// transaction, so a receipt exists exactly when the change it reports
// committed. Nothing here does network I/O.
//
// Routing: a member's SMS goes out on the channel her request came in on
// when that channel sends, else on that channel's `sms_via`, else on the
// first sending channel of the member's country; when there is none the
// message is not queued (Send returns 0) and the caller counts it.
//
// Thread-safety: immutable after construction.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "dialogs/catalogue.h"
#include "domain/messages.h"
#include "domain/result.h"

namespace shg::dialogs {

struct SmsRouting {
  std::map<std::string, std::string> via;         // channel id -> sending channel id
  std::map<std::string, std::string> by_country;  // "KE" -> first sending channel id
  // The sending channel for a message caused on `channel` ("" = none known)
  // to a member of `country`, or "" when nothing can send.
  std::string For(std::string_view channel, std::string_view country) const;
};

struct SmsTo {
  int64_t member_id = 0;  // 0 = not a member
  std::string phone;      // E.164
  std::string language;   // catalogue code; unknown -> the default language
  std::string country;    // for routing ("KE"...)
};

class Notifier {
 public:
  // REQUIRES: catalogue outlives the notifier.
  Notifier(const Catalogue& catalogue, SmsRouting routing, std::string default_language);

  // Queues template `key` filled with `fields` to `to`. `cause_channel` is
  // the channel of the request that caused it ("" for staff actions).
  // `dedupe_key` makes a repeat a no-op (Messages::Enqueue). Returns the
  // message id, or 0 when no channel can send to this member.
  Result<int64_t> Send(Messages& messages, std::string_view cause_channel, const SmsTo& to,
                       std::string_view kind, std::string_view key,
                       std::initializer_list<std::pair<std::string_view, std::string_view>> fields,
                       std::string dedupe_key, bool sensitive = false) const;

  // The rendered text only (tests and the worst-case length check).
  std::string Render(std::string_view lang, std::string_view key,
                     std::initializer_list<std::pair<std::string_view, std::string_view>> fields)
      const;

  const Catalogue& catalogue() const { return catalogue_; }
  const SmsRouting& routing() const { return routing_; }
  const std::string& default_language() const { return default_language_; }

 private:
  const Catalogue& catalogue_;
  SmsRouting routing_;
  std::string default_language_;
};

}  // namespace shg::dialogs
