#include "dialogs/dropped_actions.h"

#include "dialogs/dialog_machine.h"
#include "dialogs/session_state.h"
#include "domain/money.h"

namespace shg::dialogs {

Result<int> NotifyDroppedActions(const Notifier& notifier, Services& services,
                                 Messages& messages,
                                 const std::map<std::string, std::string>& service_codes,
                                 int64_t keep_s) {
  auto sessions = services.UnendedSessionsToPurge(keep_s);
  if (!sessions.ok()) return sessions.status();
  int queued = 0;
  for (const SessionRecord& rec : *sessions) {
    auto state = ParseState(rec.state);
    if (!state.ok() || state->member_id == 0) continue;  // nothing she was doing
    const bool save = IsResumableSave(*state);
    const bool loan = IsResumableLoanRequest(*state);
    if (!save && !loan) continue;
    auto member = services.GetMember(state->member_id);
    if (!member.ok()) return member.status();
    if (!member->active) continue;
    auto group = services.GetGroup(member->group_id);
    if (!group.ok()) return group.status();
    auto currency = FindCurrency(group->currency);
    const std::string amount = currency.ok()
                                   ? FormatMoney(state->amount, *currency)
                                   : std::to_string(state->amount) + " " + group->currency;
    auto code = service_codes.find(rec.channel);
    const std::string dial = code != service_codes.end() && !code->second.empty()
                                 ? code->second
                                 : notifier.Render(member->language, "the_ussd_code", {});
    auto to = SmsToMember(services, *member, *group);
    if (!to.ok()) return to.status();
    auto sent = notifier.Send(messages, rec.channel, *to,
                              save ? "save_dropped" : "loan_dropped",
                              save ? "sms_save_dropped" : "sms_loan_dropped",
                              {{"amount", amount}, {"code", dial}},
                              "dropped:" + rec.channel + ":" + rec.session_id);
    if (!sent.ok()) return sent.status();
    if (*sent != 0) ++queued;
  }
  return queued;
}

}  // namespace shg::dialogs
