// Resume after a drop: a money action cut at its confirmation is offered again.
// Handlers of StepRunner (dialogs/step_runner.h); stages and transitions:
// dialogs/dialog_machine.h.
#include "dialogs/step_runner.h"

#include "dialogs/dialog_machine.h"

namespace shg::dialogs {

// Right after her PIN: offers to continue a money action of a session cut
// within the resume window, else the main menu. The old session is ended
// either way so it is offered once; nothing of it is committed.
Result<UssdReply> StepRunner::AfterLogin() {
  const int window = e_.options_.resume_window_s;
  if (window > 0) {
    auto prev = svc_.LatestOtherSession(member_.id, req_.channel, req_.session_id, now_ - window);
    if (!prev.ok()) return prev.status();
    if (prev->has_value()) {
      const SessionRecord& old = **prev;
      auto state = ParseState(old.state);
      SHG_RETURN_IF_ERROR(svc_.EndSession(old.channel, old.session_id));
      if (state.ok() && state->member_id == member_.id && IsResumableSave(*state)) {
        st_.amount = state->amount;
        st_.stage = Stage::kResumeSave;
        result_.resumed = true;
        return ResumeSaveScreen(ctx_, st_.amount, "");
      }
      if (state.ok() && state->member_id == member_.id && LoansOn() && IsResumableLoanRequest(*state)) {
        st_.amount = state->amount;
        st_.purpose = state->purpose;
        st_.term = state->term;
        st_.stage = Stage::kResumeLoan;
        result_.resumed = true;
        return ResumeLoanScreen(ctx_, st_.amount, "");
      }
    }
  }
  return MainMenu("");
}

Result<UssdReply> StepRunner::OnResumeSave(std::string_view in) {
  if (in == "1") {
    st_.stage = Stage::kSaveConfirm;
    return SaveConfirmScreen(ctx_, st_.amount, "");
  }
  if (in == "2" || in == kKeyMain || in == kKeyBack) return MainMenu("");
  return ResumeSaveScreen(ctx_, st_.amount, T("err_option"));
}

Result<UssdReply> StepRunner::OnResumeLoan(std::string_view in) {
  if (in == "1") return LoanConfirm("");
  if (in == "2" || in == kKeyMain || in == kKeyBack) return MainMenu("");
  return ResumeLoanScreen(ctx_, st_.amount, T("err_option"));
}

}  // namespace shg::dialogs
