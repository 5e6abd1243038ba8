// SMS to members: which channel sends them and how they are rendered.
//
// The Notifier renders a catalogue template in the member's language,
// measures it with the code that sends (gsm.h: GSM-7 or UCS-2, parts) and
// queues it in the outbox (domain/messages.h) inside the caller's
// transaction, so a receipt exists exactly when the change it reports
// committed. Nothing here does network I/O.
//
// Whose it is: on a phone shared by several active members (a household)
// every SMS to one of them starts with her first name, sms_name_prefix
// ("Amina: Saved KES 200 ..."), so the right person reads it. On a phone of
// her own, and to a non-member, there is no prefix: it would only take
// characters from the one part. The prefix is part of the text that is
// measured (encoding, parts) and stored.
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
#include "domain/model.h"
#include "domain/result.h"
#include "domain/services.h"

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
  std::string first_name;     // ShortName of hers; "" = not a member
  bool shared_phone = false;  // several active members on `phone`: prefix
};

// The SmsTo of `member` (of `group`), with her first name and whether her
// phone is shared (Services::ActiveMembersOnPhone > 1, one indexed count).
// REQUIRES a connection behind `services` that sees her (any).
Result<SmsTo> SmsToMember(Services& services, const Member& member, const Group& group);

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

  // Like Send, for a text already composed from rendered templates (in
  // to.language, e.g. the BAL reply whose parts give way to fit one SMS):
  // queued after sms_name_prefix when to.shared_phone, as Send does.
  Result<int64_t> SendText(Messages& messages, std::string_view cause_channel, const SmsTo& to,
                           std::string_view kind, std::string_view text, std::string dedupe_key,
                           bool sensitive = false) const;

  // The rendered template only, without a name prefix.
  std::string Render(std::string_view lang, std::string_view key,
                     std::initializer_list<std::pair<std::string_view, std::string_view>> fields)
      const;
  // The text Send queues to `to`: the template in her language, after
  // sms_name_prefix with her first name when to.shared_phone (and she has
  // a name). Length checks of a text that must fit one part use this.
  std::string RenderTo(const SmsTo& to, std::string_view key,
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
