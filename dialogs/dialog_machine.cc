#include "dialogs/dialog_machine.h"

#include <string>

#include "dialogs/screens.h"

namespace shg::dialogs {

const char* StageName(Stage stage) {
  switch (stage) {
    case Stage::kChooseMember: return "ChooseMember";
    case Stage::kEnterPin: return "EnterPin";
    case Stage::kCreatePin: return "CreatePin";
    case Stage::kRepeatPin: return "RepeatPin";
    case Stage::kMainMenu: return "MainMenu";
    case Stage::kSaveAmount: return "SaveAmount";
    case Stage::kSaveConfirm: return "SaveConfirm";
    case Stage::kStatement: return "Statement";
    case Stage::kSettings: return "Settings";
    case Stage::kLanguage: return "Language";
    case Stage::kCurrentPin: return "CurrentPin";
    case Stage::kNewPin: return "NewPin";
    case Stage::kRepeatNewPin: return "RepeatNewPin";
    case Stage::kTasks: return "Tasks";
    case Stage::kPendingSavings: return "PendingSavings";
    case Stage::kDecideSaving: return "DecideSaving";
    case Stage::kDone: return "Done";
    case Stage::kResumeSave: return "ResumeSave";
    case Stage::kLoanAmount: return "LoanAmount";
    case Stage::kLoanPurpose: return "LoanPurpose";
    case Stage::kLoanTerm: return "LoanTerm";
    case Stage::kLoanConfirm: return "LoanConfirm";
    case Stage::kResumeLoan: return "ResumeLoan";
    case Stage::kMyLoan: return "MyLoan";
    case Stage::kRepayAmount: return "RepayAmount";
    case Stage::kRepayConfirm: return "RepayConfirm";
    case Stage::kCancelLoanConfirm: return "CancelLoanConfirm";
    case Stage::kPendingLoans: return "PendingLoans";
    case Stage::kDecideLoan: return "DecideLoan";
    case Stage::kPendingRepayments: return "PendingRepayments";
    case Stage::kDecideRepayment: return "DecideRepayment";
    case Stage::kBalance: return "Balance";
    case Stage::kGroupInfo: return "GroupInfo";
    case Stage::kResetPinMembers: return "ResetPinMembers";
    case Stage::kResetPinConfirm: return "ResetPinConfirm";
    case Stage::kLoanConsent: return "LoanConsent";
    // --- fines and the social fund (issue 11) ---
    case Stage::kPendingFines: return "PendingFines";
    case Stage::kDecideFine: return "DecideFine";
    case Stage::kFineMember: return "FineMember";
    case Stage::kFineKind: return "FineKind";
    case Stage::kFineConfirm: return "FineConfirm";
    case Stage::kFineAmount: return "FineAmount";
    case Stage::kSocialMember: return "SocialMember";
    case Stage::kSocialConfirm: return "SocialConfirm";
  }
  return "Unknown";
}

bool IsResumableSave(const DialogState& s) {
  return (s.stage == Stage::kSaveConfirm || s.stage == Stage::kResumeSave) && s.amount > 0;
}

bool IsResumableLoanRequest(const DialogState& s) {
  return (s.stage == Stage::kLoanConfirm || s.stage == Stage::kLoanConsent ||
          s.stage == Stage::kResumeLoan) &&
         s.amount > 0 &&
         !s.purpose.empty() && s.term > 0;
}

namespace {

bool In(Stage s, std::initializer_list<Stage> set) {
  for (Stage x : set) {
    if (s == x) return true;
  }
  return false;
}

}  // namespace

Status CheckDialogState(const DialogState& st) {
  const Stage s = st.stage;
  auto violated = [&](const char* what) {
    return Status::Internal(std::string("dialog state at ") + StageName(s) + ": " + what);
  };
  if (s == Stage::kDone) return Status::Ok();
  // Every stage.
  if (st.page < 0) return violated("page < 0");
  if (st.items.size() > static_cast<size_t>(kTasksPerPage)) return violated("too many items");
  for (int64_t id : st.items) {
    if (id <= 0) return violated("an item id <= 0");
  }
  if (st.amount < 0) return violated("amount < 0");
  if (st.term < 0) return violated("term < 0");
  if (!st.pin_digest.empty() && !In(s, {Stage::kRepeatPin, Stage::kRepeatNewPin})) {
    return violated("a PIN digest outside the repeat stages");
  }
  if (st.after_reset && !In(s, {Stage::kCreatePin, Stage::kRepeatPin})) {
    return violated("after_reset outside PIN creation");
  }
  if (!st.candidates.empty() && s != Stage::kChooseMember) {
    return violated("candidates outside ChooseMember");
  }
  // Identification.
  if (s == Stage::kChooseMember) {
    if (st.member_id != 0) return violated("member chosen already");
    if (st.candidates.size() < 2 || st.candidates.size() > static_cast<size_t>(kMembersPerPhone)) {
      return violated("candidates not 2..kMembersPerPhone");
    }
    if (st.authenticated) return violated("authenticated before a member is chosen");
    return Status::Ok();
  }
  if (st.member_id <= 0) return violated("no member");
  if (In(s, {Stage::kEnterPin, Stage::kCreatePin, Stage::kRepeatPin})) {
    if (st.authenticated) return violated("authenticated before her PIN");
    if (s == Stage::kRepeatPin && st.pin_digest.empty()) return violated("no first PIN entry");
    return Status::Ok();
  }
  if (!st.authenticated) return violated("not authenticated");
  // The stages' own fields.
  if (s == Stage::kSaveAmount && st.amount != 0) return violated("an amount before it is asked");
  if (In(s, {Stage::kSaveConfirm, Stage::kResumeSave, Stage::kRepayConfirm, Stage::kLoanPurpose,
             Stage::kLoanTerm, Stage::kLoanConfirm, Stage::kLoanConsent, Stage::kResumeLoan}) &&
      st.amount <= 0) {
    return violated("no amount");
  }
  if (In(s, {Stage::kLoanTerm, Stage::kLoanConfirm, Stage::kLoanConsent, Stage::kResumeLoan}) &&
      st.purpose.empty()) {
    return violated("no purpose");
  }
  if (In(s, {Stage::kLoanConfirm, Stage::kLoanConsent, Stage::kResumeLoan}) && st.term <= 0) {
    return violated("no term");
  }
  if (In(s, {Stage::kMyLoan, Stage::kRepayAmount, Stage::kRepayConfirm, Stage::kCancelLoanConfirm,
             Stage::kDecideSaving, Stage::kDecideLoan, Stage::kDecideRepayment,
             Stage::kResetPinConfirm}) &&
      st.selected <= 0) {
    return violated("nothing selected");
  }
  if (s == Stage::kRepeatNewPin && st.pin_digest.empty()) return violated("no first PIN entry");
  // Fines and the social fund (issue 11).
  if (!st.fine_kind.empty() && !In(s, {Stage::kFineConfirm, Stage::kFineAmount})) {
    return violated("a fine kind outside Record fine");
  }
  if (In(s, {Stage::kDecideFine, Stage::kFineKind, Stage::kFineConfirm, Stage::kFineAmount,
             Stage::kSocialConfirm}) &&
      st.selected <= 0) {
    return violated("nothing selected");
  }
  if (In(s, {Stage::kFineConfirm, Stage::kFineAmount}) && st.fine_kind.empty()) {
    return violated("no fine kind");
  }
  if (In(s, {Stage::kFineConfirm, Stage::kSocialConfirm}) && st.amount <= 0) {
    return violated("no amount");
  }
  return Status::Ok();
}

}  // namespace shg::dialogs
