#include "dialogs/notify.h"

#include "dialogs/gsm.h"
#include "dialogs/screens.h"

namespace shg::dialogs {

std::string SmsRouting::For(std::string_view channel, std::string_view country) const {
  if (!channel.empty()) {
    auto it = via.find(std::string(channel));
    if (it != via.end()) return it->second;
  }
  auto it = by_country.find(std::string(country));
  return it != by_country.end() ? it->second : "";
}

Result<SmsTo> SmsToMember(Services& services, const Member& member, const Group& group) {
  auto on_phone = services.ActiveMembersOnPhone(member.phone);
  if (!on_phone.ok()) return on_phone.status();
  SmsTo to;
  to.member_id = member.id;
  to.phone = member.phone;
  to.language = member.language;
  to.country = group.country;
  to.first_name = ShortName(member.name);
  to.shared_phone = *on_phone > 1;
  return to;
}

Notifier::Notifier(const Catalogue& catalogue, SmsRouting routing, std::string default_language)
    : catalogue_(catalogue),
      routing_(std::move(routing)),
      default_language_(std::move(default_language)) {}

std::string Notifier::Render(
    std::string_view lang, std::string_view key,
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields) const {
  std::string_view use = catalogue_.HasLanguage(lang) ? lang : std::string_view(default_language_);
  return Format(catalogue_.Template(use, key), fields);
}

std::string Notifier::RenderTo(
    const SmsTo& to, std::string_view key,
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields) const {
  std::string_view lang =
      catalogue_.HasLanguage(to.language) ? std::string_view(to.language) : default_language_;
  std::string body = Format(catalogue_.Template(lang, key), fields);
  if (!to.shared_phone || to.first_name.empty()) return body;
  return Format(catalogue_.Template(lang, "sms_name_prefix"), {{"name", to.first_name}}) + body;
}

Result<int64_t> Notifier::Send(
    Messages& messages, std::string_view cause_channel, const SmsTo& to, std::string_view kind,
    std::string_view key, std::initializer_list<std::pair<std::string_view, std::string_view>> fields,
    std::string dedupe_key, bool sensitive) const {
  std::string_view lang =
      catalogue_.HasLanguage(to.language) ? std::string_view(to.language) : default_language_;
  return SendText(messages, cause_channel, to, kind, Format(catalogue_.Template(lang, key), fields),
                  std::move(dedupe_key), sensitive);
}

Result<int64_t> Notifier::SendText(Messages& messages, std::string_view cause_channel,
                                   const SmsTo& to, std::string_view kind, std::string_view text,
                                   std::string dedupe_key, bool sensitive) const {
  std::string channel = routing_.For(cause_channel, to.country);
  if (channel.empty()) return int64_t{0};
  NewMessage m;
  m.channel = std::move(channel);
  m.member_id = to.member_id;
  m.phone = to.phone;
  m.kind = std::string(kind);
  m.language = catalogue_.HasLanguage(to.language) ? to.language : default_language_;
  m.body = std::string(text);
  if (to.shared_phone && !to.first_name.empty()) {
    m.body = Format(catalogue_.Template(m.language, "sms_name_prefix"), {{"name", to.first_name}}) +
             m.body;
  }
  SmsLength len = MeasureSms(m.body);
  m.encoding = len.encoding == SmsEncoding::kGsm7 ? "gsm7" : "ucs2";
  m.segments = static_cast<int>(len.segments == 0 ? 1 : len.segments);
  m.sensitive = sensitive;
  m.dedupe_key = std::move(dedupe_key);
  return messages.Enqueue(m);
}

}  // namespace shg::dialogs
