// Group tasks for loans: requests to approve or decline, repayments to confirm.
// Handlers of StepRunner (dialogs/step_runner.h); stages and transitions:
// dialogs/dialog_machine.h.
#include "dialogs/step_runner.h"

#include "dialogs/loan_notices.h"

namespace shg::dialogs {

Result<UssdReply> StepRunner::PendingLoans(std::string_view note) {
  st_.stage = Stage::kPendingLoans;
  Loans loans = LoanBook();
  auto page =
      loans.PendingRequests(member_.group_id, kTasksPerPage + 1, st_.page * kTasksPerPage);
  if (!page.ok()) return page.status();
  if (page->empty() && st_.page > 0) {  // the last item of this page was just handled
    st_.page = 0;
    page = loans.PendingRequests(member_.group_id, kTasksPerPage + 1, 0);
    if (!page.ok()) return page.status();
  }
  bool more = page->size() > static_cast<size_t>(kTasksPerPage);
  if (more) page->pop_back();
  st_.items.clear();
  for (const Loan& l : *page) st_.items.push_back(l.id);
  return PendingLoansScreen(ctx_, *page, st_.page, more, note, member_.id);
}

Result<UssdReply> StepRunner::OnPendingLoans(std::string_view in) {
  if (in == kKeyBack) {
    if (st_.page > 0) {
      --st_.page;
      return PendingLoans("");
    }
    return Tasks("");
  }
  if (in == kKeyMore) {
    ++st_.page;
    return PendingLoans("");
  }
  int n = Choice(in, static_cast<int>(st_.items.size()));
  if (n == 0) return PendingLoans(T("err_option"));
  auto loan = LoanBook().Get(st_.items[n - 1]);
  if (!loan.ok()) return loan.status();
  if (loan->state != LoanState::kRequested) return PendingLoans(T("saving_already"));
  st_.selected = loan->id;
  st_.stage = Stage::kDecideLoan;
  return DecideLoan(*loan, "");
}

Result<UssdReply> StepRunner::DecideLoan(const Loan& loan, std::string_view note) {
  auto balances = svc_.BalancesFor(loan.member_id);
  if (!balances.ok()) return balances.status();
  auto trained = svc_.CompletedTraining(loan.member_id);
  if (!trained.ok()) return trained.status();
  if (Programme().group_loans) {
    // The group's own fund: 1 from the fund, 2 referral, 3 decline (only
    // those that apply, numbers fixed).
    auto options = LoanBook().DecisionOptions(loan.id);
    if (!options.ok()) return options.status();
    return DecideLoanScreen(ctx_, loan, balances->savings_confirmed, *trained, *options, note);
  }
  return DecideLoanScreen(ctx_, loan, balances->savings_confirmed, *trained, note);
}

Result<UssdReply> StepRunner::OnDecideLoan(std::string_view in) {
  if (in == kKeyBack) return PendingLoans("");
  Loans loans = LoanBook();
  auto loan = loans.Get(st_.selected);
  if (!loan.ok()) return loan.status();
  if (Programme().group_loans) return OnDecideLoanWithFund(*loan, in);
  if (in != "1" && in != "2") return DecideLoan(*loan, T("err_option"));
  const bool approve = in == "1";
  auto change = loans.GroupDecide(st_.selected, member_.id, approve, "", MemberActor());
  if (change.status().code() == Status::Code::kPermissionDenied)
    return PendingLoans(T("err_own_loan"));
  if (change.status().code() == Status::Code::kFailedPrecondition ||
      change.status().code() == Status::Code::kNotFound) {
    return PendingLoans(T("saving_already"));
  }
  if (!change.ok()) return change.status();
  SHG_RETURN_IF_ERROR(NotifyLoanChange(*change));
  st_.selected = 0;
  return PendingLoans(Format(T(approve ? "loan_approved_note" : "loan_declined_note"),
                             {{"ref", loan->reference}}));
}

// --- internal group loans (issue 11): the decision with the group's fund ---
Result<UssdReply> StepRunner::OnDecideLoanWithFund(const Loan& loan, std::string_view in) {
  Loans loans = LoanBook();
  auto options = loans.DecisionOptions(loan.id);
  if (!options.ok()) return options.status();
  const bool from_fund = in == kKeyFromFund && options->from_fund;
  const bool refer = in == kKeyRefer && options->refer;
  const bool decline = in == kKeyDeclineLoan;
  if (!from_fund && !refer && !decline) {
    // Chosen from a screen that offered the fund a moment ago: say why it went.
    if (in == kKeyFromFund && loan.state == LoanState::kRequested) {
      return DecideLoan(loan, T("loan_fund_cannot_note"));
    }
    return DecideLoan(loan, T("err_option"));
  }
  Result<LoanChange> change =
      from_fund ? loans.GroupApproveFromFund(loan.id, member_.id, MemberActor())
                : loans.GroupDecide(loan.id, member_.id, refer, "", MemberActor());
  if (change.status().code() == Status::Code::kPermissionDenied)
    return PendingLoans(T("err_own_loan"));
  if (from_fund && change.status().code() == Status::Code::kFailedPrecondition &&
      change.status().message().rfind("fund:", 0) == 0) {
    return DecideLoan(loan, T("loan_fund_cannot_note"));
  }
  if (change.status().code() == Status::Code::kFailedPrecondition ||
      change.status().code() == Status::Code::kNotFound) {
    return PendingLoans(T("saving_already"));
  }
  if (!change.ok()) return change.status();
  SHG_RETURN_IF_ERROR(NotifyLoanChange(*change));
  st_.selected = 0;
  if (from_fund) {
    return PendingLoans(Format(T("loan_fund_lent_note"), {{"amount", ctx_.Money(loan.amount)},
                                                          {"ref", loan.reference}}));
  }
  if (refer) {
    return PendingLoans(Format(T("loan_referred_note"),
                               {{"partner", CutChars(options->partner_name, kMaxPartnerChars)},
                                {"ref", loan.reference}}));
  }
  return PendingLoans(Format(T("loan_declined_note"), {{"ref", loan.reference}}));
}

Result<UssdReply> StepRunner::PendingRepaymentList(std::string_view note) {
  st_.stage = Stage::kPendingRepayments;
  Loans loans = LoanBook();
  auto page =
      loans.PendingRepayments(member_.group_id, kTasksPerPage + 1, st_.page * kTasksPerPage);
  if (!page.ok()) return page.status();
  if (page->empty() && st_.page > 0) {
    st_.page = 0;
    page = loans.PendingRepayments(member_.group_id, kTasksPerPage + 1, 0);
    if (!page.ok()) return page.status();
  }
  bool more = page->size() > static_cast<size_t>(kTasksPerPage);
  if (more) page->pop_back();
  st_.items.clear();
  for (const Repayment& r : *page) st_.items.push_back(r.id);
  return PendingRepaymentsScreen(ctx_, *page, st_.page, more, note, member_.id);
}

// The pending repayment `id` (listed on this page), or nullopt.
Result<std::optional<Repayment>> StepRunner::PendingRepayment(int64_t id) {
  auto page = LoanBook().PendingRepayments(member_.group_id, 1000, 0);
  if (!page.ok()) return page.status();
  for (Repayment& r : *page) {
    if (r.id == id) return std::optional<Repayment>(std::move(r));
  }
  return std::optional<Repayment>();
}

Result<UssdReply> StepRunner::OnPendingRepayments(std::string_view in) {
  if (in == kKeyBack) {
    if (st_.page > 0) {
      --st_.page;
      return PendingRepaymentList("");
    }
    return Tasks("");
  }
  if (in == kKeyMore) {
    ++st_.page;
    return PendingRepaymentList("");
  }
  int n = Choice(in, static_cast<int>(st_.items.size()));
  if (n == 0) return PendingRepaymentList(T("err_option"));
  auto rep = PendingRepayment(st_.items[n - 1]);
  if (!rep.ok()) return rep.status();
  if (!rep->has_value()) return PendingRepaymentList(T("saving_already"));
  st_.selected = (*rep)->id;
  st_.stage = Stage::kDecideRepayment;
  return DecideRepaymentScreen(ctx_, **rep, "");
}

Result<UssdReply> StepRunner::OnDecideRepayment(std::string_view in) {
  if (in == kKeyBack) return PendingRepaymentList("");
  auto rep = PendingRepayment(st_.selected);
  if (!rep.ok()) return rep.status();
  if (!rep->has_value()) return PendingRepaymentList(T("saving_already"));
  if (in != "1" && in != "2") return DecideRepaymentScreen(ctx_, **rep, T("err_option"));
  const bool confirm = in == "1";
  auto change = LoanBook().DecideRepayment(st_.selected, member_.id, confirm, MemberActor());
  if (change.status().code() == Status::Code::kPermissionDenied) {
    return PendingRepaymentList(T("err_own_saving"));
  }
  if (change.status().code() == Status::Code::kFailedPrecondition ||
      change.status().code() == Status::Code::kNotFound) {
    return PendingRepaymentList(T("saving_already"));
  }
  if (!change.ok()) return change.status();
  SHG_RETURN_IF_ERROR(Notify([&](const Notifier& n, Messages& m) {
    return SendRepaymentNotice(n, m, svc_, req_.channel, *change);
  }));
  SHG_RETURN_IF_ERROR(NotifyLoanChange(change->loan));
  st_.selected = 0;
  if (confirm && !change->posted) {  // settled by the partner's report of it
    return PendingRepaymentList(Format(T("repay_settled_note"), {{"ref", (*rep)->reference}}));
  }
  return PendingRepaymentList(
      Format(T(confirm ? "saving_confirmed" : "saving_rejected"), {{"ref", (*rep)->reference}}));
}

}  // namespace shg::dialogs
