// Group tasks, "Reset a member's PIN": a treasurer or chair picks a member of
// her group whose PIN is locked (never herself), confirms, and the member
// gets a one-time PIN by SMS that she must change at her next login.
// Handlers of StepRunner (dialogs/step_runner.h); stages and transitions:
// dialogs/dialog_machine.h.
#include "dialogs/step_runner.h"

#include "dialogs/receipts.h"
#include "domain/pin.h"

namespace shg::dialogs {

Result<UssdReply> StepRunner::ResetPinMembers(std::string_view note) {
  st_.stage = Stage::kResetPinMembers;
  st_.selected = 0;
  auto page = svc_.LockedMembers(member_.group_id, kTasksPerPage + 1, st_.page * kTasksPerPage);
  if (!page.ok()) return page.status();
  if (page->empty() && st_.page > 0) {  // the last one of this page was just reset
    st_.page = 0;
    page = svc_.LockedMembers(member_.group_id, kTasksPerPage + 1, 0);
    if (!page.ok()) return page.status();
  }
  const bool more = page->size() > static_cast<size_t>(kTasksPerPage);
  if (more) page->pop_back();
  st_.items.clear();
  for (const Member& m : *page) st_.items.push_back(m.id);
  return ResetPinMembersScreen(ctx_, *page, more, note);
}

Result<UssdReply> StepRunner::OnResetPinMembers(std::string_view in) {
  if (in == kKeyBack) {
    if (st_.page > 0) {
      --st_.page;
      return ResetPinMembers("");
    }
    return Tasks("");
  }
  if (in == kKeyMore) {
    if (st_.items.size() < static_cast<size_t>(kTasksPerPage)) {
      return ResetPinMembers(T("err_option"));
    }
    ++st_.page;
    return ResetPinMembers("");
  }
  const int n = Choice(in, static_cast<int>(st_.items.size()));
  if (n == 0) return ResetPinMembers(T("err_option"));
  st_.selected = st_.items[n - 1];
  return ResetPinConfirm("");
}

Result<UssdReply> StepRunner::ResetPinConfirm(std::string_view note) {
  auto m = svc_.GetMember(st_.selected);
  if (!m.ok()) return m.status();
  st_.stage = Stage::kResetPinConfirm;
  return ResetPinConfirmScreen(ctx_, m->name, note);
}

Result<UssdReply> StepRunner::OnResetPinConfirm(std::string_view in) {
  if (in == kKeyBack) return ResetPinMembers("");
  if (in != "1") return ResetPinConfirm(T("err_option"));
  auto target = svc_.GetMember(st_.selected);
  if (!target.ok()) return target.status();
  if (!target->pin_locked) return ResetPinMembers(T("saving_already"));  // reset meanwhile
  // The one-time PIN reaches her only by SMS: without a channel that can
  // send to her, nothing is reset (staff can reset and hand it over).
  auto group = svc_.GetGroup(target->group_id);
  if (!group.ok()) return group.status();
  if (e_.notifier_ == nullptr || messages_ == nullptr ||
      e_.notifier_->routing().For(req_.channel, group->country).empty()) {
    return ResetPinMembers(T("reset_pin_no_sms"));
  }
  const std::string otp = NewOneTimePin();
  Status reset = svc_.ResetPinByOfficer(target->id, member_.id, otp);
  if (reset.code() == Status::Code::kPermissionDenied) return ResetPinMembers(T("err_option"));
  if (reset.code() == Status::Code::kFailedPrecondition) {
    return ResetPinMembers(T("saving_already"));
  }
  SHG_RETURN_IF_ERROR(reset);
  auto sent = SendPinReset(*e_.notifier_, *messages_, req_.channel, *target, *group, otp,
                           ServiceCode());
  if (!sent.ok()) return sent.status();
  // Routing was checked above; should it still queue nothing, the whole
  // step (the reset included) is rolled back rather than lose the PIN.
  if (*sent == 0) return Status::Unavailable("no SMS channel for the one-time PIN");
  result_.sms_queued = true;
  SHG_RETURN_IF_ERROR(Audit("pin.reset", "member:" + std::to_string(target->id),
                            "by=officer:" + std::to_string(member_.id)));
  st_.page = 0;
  return ResetPinMembers(Format(T("reset_pin_done"), {{"name", ShortName(target->name)}}));
}

}  // namespace shg::dialogs
