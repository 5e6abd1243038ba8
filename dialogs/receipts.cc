#include "dialogs/receipts.h"

#include "dialogs/screens.h"
#include "domain/money.h"

namespace shg::dialogs {
namespace {

// For the functions without a Services view: one on the connection of
// `messages` (the caller's transaction). The shared-phone count reads no
// DomainContext.
Result<SmsTo> ToOn(Messages& messages, const Member& m, const Group& g) {
  static const DomainContext kNoContext;
  Services services(messages.connection(), kNoContext);
  return SmsToMember(services, m, g);
}

std::string Money(int64_t minor, const std::string& currency) {
  auto c = FindCurrency(currency);
  return c.ok() ? FormatMoney(minor, *c) : std::to_string(minor) + " " + currency;
}

// Calendar words of the language her SMS goes out in (Notifier::Send's rule).
ScreenContext Words(const Notifier& notifier, const Member& m) {
  ScreenContext c;
  c.catalogue = &notifier.catalogue();
  c.lang = notifier.catalogue().HasLanguage(m.language) ? m.language : notifier.default_language();
  return c;
}

}  // namespace

Result<int64_t> SendSavingLoggedReceipt(const Notifier& notifier, Messages& messages,
                                        Services& services, std::string_view cause_channel,
                                        const Member& member, const Group& group,
                                        const Saving& saving, int64_t confirmed_savings) {
  // No store reads for a receipt nobody can send.
  if (notifier.routing().For(cause_channel, group.country).empty()) return int64_t{0};
  auto to = SmsToMember(services, member, group);
  if (!to.ok()) return to.status();
  return notifier.Send(messages, cause_channel, *to, "receipt_saving",
                       "sms_saving_logged",
                       {{"amount", Money(saving.amount, saving.currency)},
                        {"date", LongDayMonth(Words(notifier, member), saving.created_at)},
                        {"ref", saving.reference},
                        {"savings", Money(confirmed_savings, group.currency)}},
                       "saving:" + std::to_string(saving.id) + ":logged");
}

Result<int64_t> SendSavingDecidedReceipt(const Notifier& notifier, Messages& messages,
                                         Services& services, std::string_view cause_channel,
                                         int64_t saving_id, bool confirmed) {
  auto saving = services.GetSaving(saving_id);
  if (!saving.ok()) return saving.status();
  auto member = services.GetMember(saving->member_id);
  if (!member.ok()) return member.status();
  auto group = services.GetGroup(member->group_id);
  if (!group.ok()) return group.status();
  if (notifier.routing().For(cause_channel, group->country).empty()) return int64_t{0};
  auto balances = services.BalancesFor(member->id);
  if (!balances.ok()) return balances.status();
  auto to = SmsToMember(services, *member, *group);
  if (!to.ok()) return to.status();
  const char* outcome = confirmed ? "confirmed" : "rejected";
  // To the saver only, on either outcome: the deciding officer sees the
  // result on her screen and gets no SMS.
  return notifier.Send(messages, cause_channel, *to,
                       confirmed ? "saving_confirmed" : "saving_rejected",
                       confirmed ? "sms_saving_confirmed" : "sms_saving_rejected",
                       {{"amount", Money(saving->amount, saving->currency)},
                        {"ref", saving->reference},
                        {"savings", Money(balances->savings_confirmed, group->currency)}},
                       "saving:" + std::to_string(saving_id) + ":" + outcome);
}

Result<int64_t> SendPinLocked(const Notifier& notifier, Messages& messages,
                              std::string_view cause_channel, const Member& member,
                              const Group& group, int64_t now) {
  if (notifier.routing().For(cause_channel, group.country).empty()) return int64_t{0};
  auto to = ToOn(messages, member, group);
  if (!to.ok()) return to.status();
  return notifier.Send(messages, cause_channel, *to, "pin_locked", "sms_pin_locked", {},
                       "pin_locked:" + std::to_string(member.id) + ":" + std::to_string(now));
}

Result<int64_t> SendPinReset(const Notifier& notifier, Messages& messages,
                             std::string_view cause_channel, const Member& member,
                             const Group& group, std::string_view one_time_pin,
                             std::string_view service_code) {
  if (notifier.routing().For(cause_channel, group.country).empty()) return int64_t{0};
  auto to = ToOn(messages, member, group);
  if (!to.ok()) return to.status();
  return notifier.Send(messages, cause_channel, *to, "pin_reset", "sms_pin_reset",
                       {{"pin", one_time_pin}, {"code", service_code}}, "", /*sensitive=*/true);
}

Result<int64_t> SendPinChanged(const Notifier& notifier, Messages& messages,
                               std::string_view cause_channel, const Member& member,
                               const Group& group, int64_t now) {
  if (notifier.routing().For(cause_channel, group.country).empty()) return int64_t{0};
  auto to = ToOn(messages, member, group);
  if (!to.ok()) return to.status();
  return notifier.Send(messages, cause_channel, *to, "pin_changed", "sms_pin_changed", {},
                       "pin_changed:" + std::to_string(member.id) + ":" + std::to_string(now));
}

// --- the group's own money (issue 11) ---

namespace {

// Her and her group, and whether any channel can send to her (no further
// reads for a receipt nobody can send).
struct Recipient {
  Member member;
  Group group;
  bool routable = false;
};

Result<Recipient> RecipientOf(const Notifier& notifier, Services& services,
                              std::string_view cause_channel, int64_t member_id) {
  Recipient r;
  auto member = services.GetMember(member_id);
  if (!member.ok()) return member.status();
  r.member = std::move(*member);
  auto group = services.GetGroup(r.member.group_id);
  if (!group.ok()) return group.status();
  r.group = std::move(*group);
  r.routable = !notifier.routing().For(cause_channel, r.group.country).empty();
  return r;
}

}  // namespace

Result<int64_t> SendFineRecordedReceipt(const Notifier& notifier, Messages& messages,
                                        Services& services, std::string_view cause_channel,
                                        const Fine& fine) {
  auto r = RecipientOf(notifier, services, cause_channel, fine.member_id);
  if (!r.ok()) return r.status();
  if (!r->routable) return int64_t{0};
  auto to = SmsToMember(services, r->member, r->group);
  if (!to.ok()) return to.status();
  const ScreenContext words = Words(notifier, r->member);
  return notifier.Send(messages, cause_channel, *to, "receipt_fine", "sms_fine_recorded",
                       {{"kind", FineKindLabel(words, fine.kind)},
                        {"amount", Money(fine.amount, fine.currency)},
                        {"date", LongDayMonth(words, fine.created_at)},
                        {"ref", fine.reference}},
                       "fine:" + std::to_string(fine.id) + ":recorded");
}

Result<int64_t> SendFineDecidedReceipt(const Notifier& notifier, Messages& messages,
                                       Services& services, std::string_view cause_channel,
                                       const Fine& fine, bool confirmed) {
  auto r = RecipientOf(notifier, services, cause_channel, fine.member_id);
  if (!r.ok()) return r.status();
  if (!r->routable) return int64_t{0};
  auto to = SmsToMember(services, r->member, r->group);
  if (!to.ok()) return to.status();
  const ScreenContext words = Words(notifier, r->member);
  const char* outcome = confirmed ? "confirmed" : "waived";
  return notifier.Send(messages, cause_channel, *to, confirmed ? "fine_confirmed" : "fine_waived",
                       confirmed ? "sms_fine_confirmed" : "sms_fine_waived",
                       {{"kind", FineKindLabel(words, fine.kind)},
                        {"amount", Money(fine.amount, fine.currency)},
                        {"ref", fine.reference}},
                       "fine:" + std::to_string(fine.id) + ":" + outcome);
}

Result<int64_t> SendContributionReceipt(const Notifier& notifier, Messages& messages,
                                        Services& services, std::string_view cause_channel,
                                        const SocialFundEntry& entry) {
  auto r = RecipientOf(notifier, services, cause_channel, entry.member_id);
  if (!r.ok()) return r.status();
  if (!r->routable) return int64_t{0};
  auto to = SmsToMember(services, r->member, r->group);
  if (!to.ok()) return to.status();
  return notifier.Send(messages, cause_channel, *to, "receipt_social", "sms_social_recorded",
                       {{"amount", Money(entry.amount, entry.currency)},
                        {"date", LongDayMonth(Words(notifier, r->member), entry.created_at)},
                        {"ref", entry.reference}},
                       "social:" + std::to_string(entry.id) + ":recorded");
}

}  // namespace shg::dialogs
