// StepRunner: one step of one USSD session (internal to the dialog engine).
//
// The state machine it runs is written down in dialogs/dialog_machine.h: the
// stages, the transitions with the handler that performs each, and the
// invariants of each stage. Run() loads the session, dispatches the input to
// the handler of the session's stage through one stage-to-handler table
// (engine.cc), saves the session and returns the screen. Each flow's handlers
// live in their own file under dialogs/flows/ (named in the sections below).
//
// A handler consumes the latest input at its stage and returns the next
// screen, moving st_.stage; an invalid input re-shows the same stage's screen
// with a one-line reason. Handlers run inside the caller's store transaction
// and change data only through domain services on that connection.
//
// Thread-safety: a StepRunner is used by one thread for one step.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialogs/engine.h"
#include "dialogs/screens.h"
#include "dialogs/session_state.h"
#include "domain/cycles.h"
#include "domain/loans.h"


namespace shg::dialogs {

class StepRunner {
 public:
  StepRunner(const Engine& engine, Services& svc, Messages* messages, const UssdRequest& req,
             int64_t now)
      : e_(engine), svc_(svc), messages_(messages), req_(req), now_(now) {
    ctx_.catalogue = &e_.catalogue_;
    ctx_.lang = e_.options_.default_language;
  }

  Result<StepResult> Run();

  // A stage's handler: consumes the latest input at that stage.
  using Handler = Result<UssdReply> (StepRunner::*)(std::string_view in);

 private:
  friend class StageHandlers;  // the stage-to-handler table (engine.cc)

  // --- engine.cc: the step itself, shared helpers ---
  Result<UssdReply> Dispatch(std::string_view in);
  Result<StepResult> Expired();
  Result<StepResult> PhoneMismatch();
  // A keyed digest of the phone as the provider sent it (parsed to E.164
  // when it parses): what a session is bound to, never the number itself.
  std::string PhoneKey() const;
  std::string ServiceCode() const {
    return req_.service_code.empty() ? "the code" : req_.service_code;
  }
  // Parses "1".."n"; 0 when the input is not such a choice.
  static int Choice(std::string_view in, int n);
  std::string T(std::string_view key) const { return ctx_.T(key); }
  Status Audit(const std::string& action, const std::string& subject,
               const std::string& detail = "");
  bool Manager() const { return CanManageGroup(member_.role); }
  // The key makes a money action idempotent even if a retry slipped past the
  // session's step check (e.g. a second gateway instance).
  std::string StepKey() const {
    return req_.channel + ":" + req_.session_id + ":" + std::to_string(req_.step);
  }
  // Queues an SMS when this engine sends them; `send` returns the message
  // id (0 when no channel can send to her).
  template <typename Send>
  Status Notify(Send&& send) {
    if (e_.notifier_ == nullptr || messages_ == nullptr) return Status::Ok();
    Result<int64_t> id = send(*e_.notifier_, *messages_);
    if (!id.ok()) return id.status();
    if (*id != 0) result_.sms_queued = true;
    return Status::Ok();
  }

  // --- flows/identify.cc: dial, shared phone, who she is ---
  Result<UssdReply> Start();
  Result<UssdReply> ChooseMember(std::string_view note);
  Status LoadMember(int64_t id);
  Result<UssdReply> Select(const Member& m);
  Result<UssdReply> OnChooseMember(std::string_view in);

  // --- flows/pin.cc: enter, create and change a PIN ---
  static bool FourDigits(std::string_view in);
  Result<UssdReply> RePin(bool changing, std::string_view note);
  // Full names of the officers who can reset her PIN (herself left out);
  // empty when none (or when they cannot be read: the lock screen then
  // names the role).
  std::vector<std::string> OfficerNames();
  Result<UssdReply> OnPin(std::string_view in, bool changing);
  Result<UssdReply> OnEnterPin(std::string_view in) { return OnPin(in, false); }
  Result<UssdReply> OnCurrentPin(std::string_view in) { return OnPin(in, true); }
  std::string Digest(std::string_view pin) const;
  Result<UssdReply> ReNewPin(Stage stage, std::string_view note);
  // At kCreatePin / kNewPin: `next` is the repeat stage.
  Result<UssdReply> OnNewPin(std::string_view in, Stage next);
  Result<UssdReply> OnCreatePin(std::string_view in) { return OnNewPin(in, Stage::kRepeatPin); }
  Result<UssdReply> OnChangePin(std::string_view in) { return OnNewPin(in, Stage::kRepeatNewPin); }
  Result<UssdReply> OnRepeatPin(std::string_view in, bool changing);
  Result<UssdReply> OnRepeatCreatedPin(std::string_view in) { return OnRepeatPin(in, false); }
  Result<UssdReply> OnRepeatChangedPin(std::string_view in) { return OnRepeatPin(in, true); }

  // --- flows/resume.cc: resume after a drop ---
  // Right after her PIN: offers to continue a money action of a session cut
  // within the resume window, else the main menu. The old session is ended
  // either way so it is offered once; nothing of it is committed.
  Result<UssdReply> AfterLogin();
  Result<UssdReply> OnResumeSave(std::string_view in);
  Result<UssdReply> OnResumeLoan(std::string_view in);

  // --- flows/main_menu.cc: the main menu and its information screens ---
  Result<UssdReply> MainMenu(std::string_view note);
  Result<UssdReply> OnMainMenu(std::string_view in);
  Result<UssdReply> Balance();
  Result<UssdReply> GroupInfo();
  Result<UssdReply> OnInfo(std::string_view in);

  // --- flows/save.cc ---
  Result<UssdReply> OnSaveAmount(std::string_view in);
  Result<UssdReply> OnSaveConfirm(std::string_view in);

  // --- flows/statement.cc ---
  Result<UssdReply> Statement(std::string_view note);
  Result<UssdReply> OnStatement(std::string_view in);

  // --- flows/settings.cc: language ---
  Result<UssdReply> Settings(std::string_view note);
  Result<UssdReply> OnSettings(std::string_view in);
  Result<UssdReply> OnLanguage(std::string_view in);

  // --- flows/group_tasks.cc: the officer's task menu and savings ---
  Result<UssdReply> Tasks(std::string_view note);
  Result<UssdReply> OnTasks(std::string_view in);
  Result<UssdReply> PendingList(std::string_view note);
  Result<UssdReply> OnPendingSavings(std::string_view in);
  Result<UssdReply> OnDecideSaving(std::string_view in);

  // --- flows/pin_reset.cc: group tasks, reset a member's locked PIN ---
  Result<UssdReply> ResetPinMembers(std::string_view note);
  Result<UssdReply> OnResetPinMembers(std::string_view in);
  Result<UssdReply> ResetPinConfirm(std::string_view note);
  Result<UssdReply> OnResetPinConfirm(std::string_view in);

  // --- flows/loan_request.cc: menu 3 ---
  bool LoansOn() const { return e_.options_.loans != nullptr; }
  const LoanProgramme& Programme() const { return *e_.options_.loans; }
  Loans LoanBook() { return Loans(svc_.connection(), svc_.context(), Programme()); }
  Actor MemberActor() const {
    return Actor{"member", std::to_string(member_.id), req_.channel, req_.request_id};
  }
  template <typename Send>
  Status NotifyLoan(Send&& send) {
    return Notify([&](const Notifier& n, Messages& m) -> Result<int64_t> {
      auto count = send(n, m);
      if (!count.ok()) return count.status();
      return static_cast<int64_t>(*count);
    });
  }
  Status NotifyLoanChange(const LoanChange& change);
  // The most she may ask: her limit, and no more than one money action.
  int64_t MaxLoan(const LoanOffer& offer) const;
  // Her offer now; a refusal (or a limit below the product's minimum) is
  // returned as the END screen to show instead.
  Result<LoanOffer> Offer(std::optional<UssdReply>* refused);
  Result<UssdReply> StartLoanRequest();
  Result<UssdReply> LoanAmount(std::string_view note);
  Result<UssdReply> OnLoanAmount(std::string_view in);
  Result<UssdReply> Purposes(std::string_view note);
  Result<UssdReply> OnLoanPurpose(std::string_view in);
  Result<UssdReply> Terms(std::string_view note);
  Result<UssdReply> OnLoanTerm(std::string_view in);
  // Her product's terms with their quotes for st_.amount (display order).
  std::vector<LoanQuote> Quotes(const LoanOffer& offer) const;
  Result<UssdReply> LoanConfirm(std::string_view note);
  Result<UssdReply> OnLoanConfirm(std::string_view in);
  Result<UssdReply> LoanConsent(std::string_view note);
  Result<UssdReply> OnLoanConsent(std::string_view in);

  // --- flows/my_loan.cc: menu 4 ---
  // Her next instalment while she repays, for the balance screen.
  Result<std::optional<Instalment>> NextInstalment();
  Result<std::optional<LoanView>> CurrentLoan() { return LoanBook().CurrentLoan(member_.id); }
  Result<UssdReply> MyLoan(std::string_view note);
  // What she may still log: outstanding minus her pending repayments, and
  // no more than one money action.
  int64_t RepayMax(const LoanView& v) const;
  Result<UssdReply> OnMyLoan(std::string_view in);
  Result<UssdReply> OnRepayAmount(std::string_view in);
  Result<UssdReply> OnRepayConfirm(std::string_view in);
  Result<UssdReply> OnCancelLoanConfirm(std::string_view in);

  // --- flows/loan_tasks.cc: group tasks for loans ---
  Result<UssdReply> PendingLoans(std::string_view note);
  Result<UssdReply> OnPendingLoans(std::string_view in);
  // The request with what the officers weigh: her savings and training.
  Result<UssdReply> DecideLoan(const Loan& loan, std::string_view note);
  Result<UssdReply> OnDecideLoan(std::string_view in);
  // --- internal group loans (issue 11, loan_tasks.cc): the decision when
  // the programme lets groups lend from their own fund ---
  Result<UssdReply> OnDecideLoanWithFund(const Loan& loan, std::string_view in);
  Result<UssdReply> PendingRepaymentList(std::string_view note);
  // The pending repayment `id` (listed on this page), or nullopt.
  Result<std::optional<Repayment>> PendingRepayment(int64_t id);
  Result<UssdReply> OnPendingRepayments(std::string_view in);
  Result<UssdReply> OnDecideRepayment(std::string_view in);

  // --- the group's own money (issue 11) ---
  // flows/fine_tasks.cc: a Cycles view on this step's connection (with the
  // loan programme when there is one, an empty one otherwise).
  Cycles CycleBook();
  // flows/main_menu.cc: Save (menu 2) answers this END while the group has
  // no active or closing cycle.
  Result<UssdReply> StartSave();
  // flows/fine_tasks.cc: group tasks 5 (fines to confirm), 6 (record a
  // fine) and 7 (social fund contribution).
  Result<UssdReply> PendingFineList(std::string_view note);
  Result<UssdReply> OnPendingFines(std::string_view in);
  Result<UssdReply> DecideFine(std::string_view note);
  Result<UssdReply> OnDecideFine(std::string_view in);
  // The group's members of page st_.page (kTasksPerPage, by id) into
  // st_.items; `more` when another page follows.
  Result<std::vector<Member>> MemberPage(bool* more);
  Result<UssdReply> FineMembers(std::string_view note);
  Result<UssdReply> OnFineMember(std::string_view in);
  Result<UssdReply> FineKinds(std::string_view note);
  Result<UssdReply> OnFineKind(std::string_view in);
  // The configured kind `id`, or nullptr.
  const FineKindOption* FineKindById(std::string_view id) const;
  Result<UssdReply> FineConfirm(std::string_view note);
  Result<UssdReply> OnFineConfirm(std::string_view in);
  Result<UssdReply> OnFineAmount(std::string_view in);
  Result<UssdReply> SocialMembers(std::string_view note);
  Result<UssdReply> OnSocialMember(std::string_view in);
  Result<UssdReply> SocialConfirm(std::string_view note);
  Result<UssdReply> OnSocialConfirm(std::string_view in);
  // Back to the second page of group tasks (where items 5-7 are listed).
  Result<UssdReply> CycleTasks(std::string_view note);

  const Engine& e_;
  Services& svc_;
  Messages* messages_;
  const UssdRequest& req_;
  int64_t now_;
  DialogState st_;
  Member member_;
  Group group_;
  ScreenContext ctx_;
  StepResult result_;
  std::string phone_;      // masked: the session row is not a phone book
  std::string phone_key_;  // PhoneKey() of the phone that opened the session
  std::optional<int64_t> stored_member_id_;  // of a session loaded from the store
};

}  // namespace shg::dialogs
