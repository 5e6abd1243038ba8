// The USSD dialog state machine, written down (ussd.md's menu tree as the
// engine runs it). The stages are `Stage` (session_state.h); the engine
// dispatches each step to its stage's handler through one table
// (dialogs/engine.cc, StageHandlers::kTable) and the handlers live in one file per
// flow under dialogs/flows/.
//
// Diagram (-> a transition; "END" a screen that ends the session, after
// which the stage is kDone; every authenticated stage also takes 00 -> main
// menu, and 0 goes back one screen where there is one):
//
//   dial ─┬─ unknown / bad phone ───────────────────────────────> END not registered
//         ├─ one member ─┬─ PIN locked ─────────────────────────> END locked (names who resets)
//         │              ├─ no PIN ──> CreatePin ──> RepeatPin ──> MainMenu
//         │              └─────────> EnterPin
//         └─ shared phone ──> ChooseMember ──n──> (as "one member")
//   EnterPin ─┬─ wrong (1st, 2nd) ──> EnterPin "n tries left"
//             ├─ wrong (3rd) ──────────────────────────────────> END locked now (+SMS)
//             ├─ one-time PIN ──> CreatePin(after_reset) ──> RepeatPin ──> MainMenu
//             ├─ ok, a save cut in the resume window ──> ResumeSave ─1─> SaveConfirm
//             ├─ ok, a loan request cut likewise ──> ResumeLoan ─1─> LoanConfirm (the cost again)
//             └─ ok ──> MainMenu
//   MainMenu ─1─> Balance (info, 0/00 -> MainMenu)
//            ─2─> SaveAmount ──> SaveConfirm ─1─> END saved (+SMS)   ─2─> MainMenu
//            ─3─> LoanAmount ──> LoanPurpose ──> LoanTerm (each with its instalment)
//                 ──> LoanConfirm (instalment, total, rate) ─1─> LoanConsent ─1─> END requested
//                 (not eligible: END with the reason)
//            ─4─> MyLoan ─1─> RepayAmount ──> RepayConfirm ─1─> END logged (+SMS)
//                        ─2─> CancelLoanConfirm ─1─> END cancelled
//            ─5─> Statement (98 more, 0 back)
//            ─6─> GroupInfo (info, 0/00 -> MainMenu)
//            ─7─> Settings ─1─> Language ─n─> MainMenu
//                          ─2─> CurrentPin ──> NewPin ──> RepeatNewPin ─match─> END changed (+SMS)
//            ─8─> Tasks (treasurer / chair only)
//                   ─1─> PendingSavings ─n─> DecideSaving ─1/2─> PendingSavings
//                   ─2─> PendingLoans ─n─> DecideLoan ─1/2─> PendingLoans
//                   ─3─> PendingRepayments ─n─> DecideRepayment ─1/2─> PendingRepayments
//                   ─4─> ResetPinMembers ─n─> ResetPinConfirm ─1─> Tasks (+SMS one-time PIN)
//                   (98 -> the second page of tasks, 0 back to the first; 5-7 work on both)
//                   ─5─> PendingFines ─n─> DecideFine ─1 confirm / 2 waive─> PendingFines (+SMS)
//                   ─6─> FineMember ─n─> FineKind ─n─> FineConfirm ─1─> FineMember (+SMS)
//                                                      FineConfirm ─2─> FineAmount ──> FineConfirm
//                   ─7─> SocialMember ─n─> SocialConfirm ─1─> SocialMember (+SMS)
//            ─0─> END goodbye
//
// Transitions and the handler that performs each (StepRunner, step_runner.h):
//   (dial)             Start / Select                  flows/identify.cc
//   ChooseMember       OnChooseMember                  flows/identify.cc
//   EnterPin           OnEnterPin -> OnPin, AfterLogin flows/pin.cc, flows/resume.cc
//   CreatePin          OnCreatePin -> OnNewPin         flows/pin.cc
//   RepeatPin          OnRepeatCreatedPin              flows/pin.cc
//   CurrentPin         OnCurrentPin -> OnPin           flows/pin.cc
//   NewPin             OnChangePin -> OnNewPin         flows/pin.cc
//   RepeatNewPin       OnRepeatChangedPin              flows/pin.cc
//   ResumeSave         OnResumeSave                    flows/resume.cc
//   ResumeLoan         OnResumeLoan                    flows/resume.cc
//   MainMenu           OnMainMenu                      flows/main_menu.cc
//   Balance, GroupInfo OnInfo                          flows/main_menu.cc
//   SaveAmount         OnSaveAmount                    flows/save.cc
//   SaveConfirm        OnSaveConfirm                   flows/save.cc
//   Statement          OnStatement                     flows/statement.cc
//   Settings           OnSettings                      flows/settings.cc
//   Language           OnLanguage                      flows/settings.cc
//   Tasks              OnTasks                         flows/group_tasks.cc
//   PendingSavings     OnPendingSavings                flows/group_tasks.cc
//   DecideSaving       OnDecideSaving                  flows/group_tasks.cc
//   ResetPinMembers    OnResetPinMembers               flows/pin_reset.cc
//   ResetPinConfirm    OnResetPinConfirm               flows/pin_reset.cc
//   LoanAmount         OnLoanAmount                    flows/loan_request.cc
//   LoanPurpose        OnLoanPurpose                   flows/loan_request.cc
//   LoanTerm           OnLoanTerm                      flows/loan_request.cc
//   LoanConfirm        OnLoanConfirm                   flows/loan_request.cc
//   LoanConsent        OnLoanConsent                   flows/loan_request.cc
//   MyLoan             OnMyLoan                        flows/my_loan.cc
//   RepayAmount        OnRepayAmount                   flows/my_loan.cc
//   RepayConfirm       OnRepayConfirm                  flows/my_loan.cc
//   CancelLoanConfirm  OnCancelLoanConfirm             flows/my_loan.cc
//   PendingLoans       OnPendingLoans                  flows/loan_tasks.cc
//   DecideLoan         OnDecideLoan                    flows/loan_tasks.cc
//   PendingRepayments  OnPendingRepayments             flows/loan_tasks.cc
//   DecideRepayment    OnDecideRepayment               flows/loan_tasks.cc
//   PendingFines       OnPendingFines                  flows/fine_tasks.cc
//   DecideFine         OnDecideFine                    flows/fine_tasks.cc
//   FineMember         OnFineMember                    flows/fine_tasks.cc
//   FineKind           OnFineKind                      flows/fine_tasks.cc
//   FineConfirm        OnFineConfirm                   flows/fine_tasks.cc
//   FineAmount         OnFineAmount                    flows/fine_tasks.cc
//   SocialMember       OnSocialMember                  flows/fine_tasks.cc
//   SocialConfirm      OnSocialConfirm                 flows/fine_tasks.cc
//   Done               (none: a step is answered "session ended")
//
// Invariants (which fields of DialogState each stage sets; checked by
// CheckDialogState, which the engine tests run after every step):
//   every stage     page >= 0; items <= kTasksPerPage ids, all > 0; amount >= 0;
//                   term >= 0; pin_digest only in RepeatPin / RepeatNewPin;
//                   after_reset only in CreatePin / RepeatPin; candidates only
//                   in ChooseMember.
//   ChooseMember    member_id == 0, 2..kMembersPerPhone candidates, not authenticated
//   EnterPin, CreatePin, RepeatPin
//                   member_id set, not authenticated; RepeatPin: pin_digest set
//   any later stage (MainMenu ... DecideRepayment) member_id set, authenticated
//   SaveAmount      amount == 0
//   SaveConfirm, ResumeSave, RepayConfirm   amount > 0
//   LoanPurpose     amount > 0
//   LoanTerm        amount > 0, purpose set
//   LoanConfirm, LoanConsent, ResumeLoan    amount > 0, purpose set, term > 0
//   MyLoan, RepayAmount, RepayConfirm, CancelLoanConfirm   selected (the loan) > 0
//   DecideSaving, DecideLoan, DecideRepayment, ResetPinConfirm   selected > 0
//   RepeatNewPin    pin_digest set
//   DecideFine, FineKind, SocialConfirm   selected > 0 (the fine; the member)
//   FineConfirm, FineAmount   selected (the member) > 0, fine_kind set; FineConfirm amount > 0
//   SocialConfirm   amount > 0 (the cycle's contribution)
//   fine_kind only in FineConfirm / FineAmount
//   Done            nothing required (the session is over)
#pragma once

#include "dialogs/session_state.h"
#include "domain/result.h"

namespace shg::dialogs {

// A save cut at its confirmation (amount chosen, nothing committed): offered
// again after her PIN within the resume window, else told by SMS when
// dropped for good (dropped_actions.h).
bool IsResumableSave(const DialogState& state);
// A loan request cut at its confirmation with every choice made.
bool IsResumableLoanRequest(const DialogState& state);

// The stage's name as written above ("EnterPin"), for messages and tests.
const char* StageName(Stage stage);

// Ok when `state` satisfies the invariants of its stage (above); otherwise
// Internal naming the stage and the first invariant violated.
Status CheckDialogState(const DialogState& state);

}  // namespace shg::dialogs
