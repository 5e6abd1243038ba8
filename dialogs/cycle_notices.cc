#include "dialogs/cycle_notices.h"

#include "dialogs/catalogue.h"

namespace shg::dialogs {
namespace {

// The figures of one line as her language shows them.
struct ShareOutFields {
  bool netted = false;
  std::string key, savings, profit, share, loan, payout;
};

ShareOutFields FieldsOf(const Notifier& notifier, const SmsTo& to, const Currency& currency,
                        const ShareOutLine& l) {
  const std::string_view lang = notifier.catalogue().HasLanguage(to.language)
                                    ? std::string_view(to.language)
                                    : std::string_view(notifier.default_language());
  const bool loss = l.profit < 0;
  ShareOutFields f;
  f.netted = l.netted > 0;
  f.key = f.netted ? "sms_share_out_netted" : "sms_share_out";
  f.savings = FormatMoney(l.savings, currency);
  f.profit =
      Format(notifier.catalogue().Template(lang, loss ? "share_out_loss" : "share_out_profit"),
             {{"amount", FormatMoney(loss ? -l.profit : l.profit, currency)}});
  f.share = FormatMoney(l.share, currency);
  f.loan = FormatMoney(l.netted, currency);
  f.payout = FormatMoney(l.payout, currency);
  return f;
}

}  // namespace

std::string ShareOutText(const Notifier& notifier, const SmsTo& to, const Currency& currency,
                         const ShareOutRow& row) {
  const ShareOutFields f = FieldsOf(notifier, to, currency, row.line);
  return notifier.RenderTo(to, f.key,
                           {{"savings", f.savings},
                            {"profit", f.profit},
                            {"share", f.share},
                            {"netted", f.loan},
                            {"payout", f.payout},
                            {"ref", row.reference}});
}

Result<int> SendShareOutNotices(const Notifier& notifier, Messages& messages, Services& services,
                                std::string_view cause_channel,
                                const ShareOutPreview& confirmed) {
  auto group = services.GetGroup(confirmed.cycle.group_id);
  if (!group.ok()) return group.status();
  if (notifier.routing().For(cause_channel, group->country).empty()) return 0;
  auto currency = FindCurrency(confirmed.cycle.currency.empty() ? group->currency
                                                                : confirmed.cycle.currency);
  if (!currency.ok()) return currency.status();
  int queued = 0;
  for (const ShareOutRow& row : confirmed.rows) {
    if (row.line.share <= 0 && row.line.netted <= 0) continue;
    auto member = services.GetMember(row.line.member_id);
    if (!member.ok()) return member.status();
    auto to = SmsToMember(services, *member, *group);
    if (!to.ok()) return to.status();
    const ShareOutFields f = FieldsOf(notifier, *to, *currency, row.line);
    auto id = notifier.Send(messages, cause_channel, *to, f.netted ? "share_out_netted" : "share_out",
                            f.key,
                            {{"savings", f.savings},
                             {"profit", f.profit},
                             {"share", f.share},
                             {"netted", f.loan},
                             {"payout", f.payout},
                             {"ref", row.reference}},
                            "share_out:" + std::to_string(confirmed.cycle.id) + ":" +
                                std::to_string(row.line.member_id));
    if (!id.ok()) return id.status();
    if (*id != 0) ++queued;
  }
  return queued;
}

}  // namespace shg::dialogs
