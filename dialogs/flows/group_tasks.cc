// Group tasks (treasurer / chair): the task menu and savings to decide.
// Handlers of StepRunner (dialogs/step_runner.h); stages and transitions:
// dialogs/dialog_machine.h.
#include "dialogs/step_runner.h"

#include "dialogs/receipts.h"

namespace shg::dialogs {

Result<UssdReply> StepRunner::Tasks(std::string_view note) {
  st_.stage = Stage::kTasks;
  st_.selected = 0;
  TaskCounts counts;
  auto pending = svc_.PendingSavings(member_.group_id, 99, 0);
  if (!pending.ok()) return pending.status();
  counts.savings = static_cast<int>(pending->size());
  auto locked = svc_.LockedMembers(member_.group_id, 99, 0);
  if (!locked.ok()) return locked.status();
  counts.locked_pins = static_cast<int>(locked->size());
  if (LoansOn()) {
    Loans loans = LoanBook();
    auto requests = loans.PendingRequests(member_.group_id, 99, 0);
    if (!requests.ok()) return requests.status();
    auto repayments = loans.PendingRepayments(member_.group_id, 99, 0);
    if (!repayments.ok()) return repayments.status();
    counts.loans = true;
    counts.loan_requests = static_cast<int>(requests->size());
    counts.repayments = static_cast<int>(repayments->size());
  }
  // Fines and the social fund (issue 11): the menu's second page.
  auto fines = CycleBook().PendingFines(member_.group_id, 99, 0);
  if (!fines.ok()) return fines.status();
  counts.fines = static_cast<int>(fines->size());
  return TasksScreen(ctx_, counts, st_.page > 0 ? 1 : 0, note);
}

Result<UssdReply> StepRunner::OnTasks(std::string_view in) {
  // The menu's two pages (issue 11): 98 to the second, 0 back to the first.
  if (in == kKeyMore && st_.page == 0) {
    st_.page = 1;
    return Tasks("");
  }
  if (in == kKeyBack && st_.page > 0) {
    st_.page = 0;
    return Tasks("");
  }
  const int menu_page = st_.page;
  st_.page = 0;
  if (in == "5") return PendingFineList("");
  if (in == "6") return FineMembers("");
  if (in == "7") return SocialMembers("");
  if (in == "1") return PendingList("");
  if (in == "2" && LoansOn()) return PendingLoans("");
  if (in == "3" && LoansOn()) return PendingRepaymentList("");
  if (in == "4") return ResetPinMembers("");
  if (in == kKeyBack) return MainMenu("");
  st_.page = menu_page;
  return Tasks(T("err_option"));
}

Result<UssdReply> StepRunner::PendingList(std::string_view note) {
  st_.stage = Stage::kPendingSavings;
  auto page = svc_.PendingSavings(member_.group_id, kTasksPerPage + 1, st_.page * kTasksPerPage);
  if (!page.ok()) return page.status();
  if (page->empty() && st_.page > 0) {  // the last item of this page was just handled
    st_.page = 0;
    page = svc_.PendingSavings(member_.group_id, kTasksPerPage + 1, 0);
    if (!page.ok()) return page.status();
  }
  bool more = page->size() > static_cast<size_t>(kTasksPerPage);
  if (more) page->pop_back();
  st_.items.clear();
  for (const Saving& s : *page) st_.items.push_back(s.id);
  return PendingSavingsScreen(ctx_, *page, st_.page, more, note, member_.id);
}

Result<UssdReply> StepRunner::OnPendingSavings(std::string_view in) {
  if (in == kKeyBack) {
    if (st_.page > 0) {
      --st_.page;
      return PendingList("");
    }
    return Tasks("");
  }
  if (in == kKeyMore) {
    ++st_.page;
    return PendingList("");
  }
  int n = Choice(in, static_cast<int>(st_.items.size()));
  if (n == 0) return PendingList(T("err_option"));
  auto saving = svc_.GetSaving(st_.items[n - 1]);
  if (!saving.ok()) return saving.status();
  if (saving->status != SavingStatus::kPending) return PendingList(T("saving_already"));
  st_.selected = saving->id;
  st_.stage = Stage::kDecideSaving;
  return DecideSavingScreen(ctx_, *saving, "");
}

Result<UssdReply> StepRunner::OnDecideSaving(std::string_view in) {
  if (in == kKeyBack) return PendingList("");
  if (in != "1" && in != "2") {
    auto saving = svc_.GetSaving(st_.selected);
    if (!saving.ok()) return saving.status();
    return DecideSavingScreen(ctx_, *saving, T("err_option"));
  }
  const bool confirm = in == "1";
  auto saving = svc_.GetSaving(st_.selected);
  if (!saving.ok()) return saving.status();
  Status decided = svc_.DecideSaving(st_.selected, member_.id, confirm);
  if (decided.code() == Status::Code::kFailedPrecondition) return PendingList(T("saving_already"));
  if (decided.code() == Status::Code::kPermissionDenied) return PendingList(T("err_own_saving"));
  SHG_RETURN_IF_ERROR(decided);
  SHG_RETURN_IF_ERROR(Audit(confirm ? "saving.confirmed" : "saving.rejected", "saving:" + std::to_string(st_.selected),
        "ref=" + saving->reference));
  SHG_RETURN_IF_ERROR(Notify([&](const Notifier& n, Messages& m) {
    return SendSavingDecidedReceipt(n, m, svc_, req_.channel, st_.selected, confirm);
  }));
  st_.selected = 0;
  return PendingList(Format(T(confirm ? "saving_confirmed" : "saving_rejected"),
                            {{"amount", ctx_.Money(saving->amount)}, {"ref", saving->reference}}));
}

}  // namespace shg::dialogs
