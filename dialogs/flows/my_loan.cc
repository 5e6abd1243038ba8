// Menu 4, My loan: status, logging a repayment, cancelling a request.
// Handlers of StepRunner (dialogs/step_runner.h); stages and transitions:
// dialogs/dialog_machine.h.
#include "dialogs/step_runner.h"

#include <algorithm>

#include "dialogs/loan_notices.h"
#include "domain/money.h"

namespace shg::dialogs {

// Her next instalment while she repays, for the balance screen.
Result<std::optional<Instalment>> StepRunner::NextInstalment() {
  if (!LoansOn()) return std::optional<Instalment>();
  auto view = LoanBook().CurrentLoan(member_.id);
  if (!view.ok()) return view.status();
  if (!view->has_value() || !CanLogRepayment((*view)->loan.state)) {
    return std::optional<Instalment>();
  }
  return (*view)->status.next_due;
}

Result<UssdReply> StepRunner::MyLoan(std::string_view note) {
  if (!LoansOn()) return LoanUnavailableScreen(ctx_);
  auto view = CurrentLoan();
  if (!view.ok()) return view.status();
  if (!view->has_value()) return NoLoanScreen(ctx_);
  st_.stage = Stage::kMyLoan;
  st_.selected = (*view)->loan.id;
  st_.amount = 0;
  return MyLoanScreen(ctx_, **view, note);
}

// What she may still log: outstanding minus her pending repayments, and
// no more than one money action.
int64_t StepRunner::RepayMax(const LoanView& v) const {
  const int64_t left = std::max<int64_t>(0, v.loan.outstanding - v.pending_repayments);
  return std::min(left, ToMinor(e_.options_.max_amount_units, ctx_.currency));
}

Result<UssdReply> StepRunner::OnMyLoan(std::string_view in) {
  if (in == kKeyBack) return MainMenu("");
  auto view = CurrentLoan();
  if (!view.ok()) return view.status();
  if (!view->has_value()) return NoLoanScreen(ctx_);
  const LoanView& v = **view;
  if (in == "1" && CanLogRepayment(v.loan.state)) {
    st_.selected = v.loan.id;
    st_.stage = Stage::kRepayAmount;
    return RepayAmountScreen(ctx_, RepayMax(v), "");
  }
  if (in == "2" && CanCancelLoan(v.loan.state)) {
    st_.selected = v.loan.id;
    st_.stage = Stage::kCancelLoanConfirm;
    return CancelLoanConfirmScreen(ctx_, v.loan, "");
  }
  return MyLoan(T("err_option"));
}

Result<UssdReply> StepRunner::OnRepayAmount(std::string_view in) {
  if (in == kKeyBack) return MyLoan("");
  auto view = CurrentLoan();
  if (!view.ok()) return view.status();
  if (!view->has_value() || !CanLogRepayment((*view)->loan.state)) {
    return LoanNotRepayingScreen(ctx_);
  }
  const int64_t max = RepayMax(**view);
  auto amount = ParseAmountInput(in, ctx_.currency, INT64_MAX / 4);
  if (!amount.ok()) {
    return RepayAmountScreen(ctx_, max,
                             Format(T("err_amount"), {{"currency", ctx_.currency.code}}));
  }
  // Amounts are typed in whole units: what is left rounded up to the next
  // unit logs exactly what is left (the last cents of a loan).
  if (*amount > max && *amount - max < ToMinor(1, ctx_.currency)) *amount = max;
  if (*amount > max || *amount <= 0) {
    return RepayAmountScreen(ctx_, max,
                             Format(T("loan_err_repay_max"), {{"max", ctx_.Money(max)}}));
  }
  st_.amount = *amount;
  st_.stage = Stage::kRepayConfirm;
  return RepayConfirmScreen(ctx_, st_.amount, (*view)->loan.reference, "");
}

Result<UssdReply> StepRunner::OnRepayConfirm(std::string_view in) {
  auto view = CurrentLoan();
  if (!view.ok()) return view.status();
  if (!view->has_value() || !CanLogRepayment((*view)->loan.state)) {
    return LoanNotRepayingScreen(ctx_);
  }
  const LoanView& v = **view;
  if (in == "1") {
    auto logged =
        LoanBook().LogRepayment(member_.id, st_.amount, req_.channel, StepKey(), MemberActor());
    if (logged.status().code() == Status::Code::kInvalidArgument) {
      st_.stage = Stage::kRepayAmount;
      return RepayAmountScreen(
          ctx_, RepayMax(v), Format(T("loan_err_repay_max"), {{"max", ctx_.Money(RepayMax(v))}}));
    }
    if (logged.status().code() == Status::Code::kFailedPrecondition)
      return LoanNotRepayingScreen(ctx_);
    if (!logged.ok()) return logged.status();
    RepaymentChange change;
    change.repayment = *logged;
    change.loan.loan = v.loan;
    SHG_RETURN_IF_ERROR(Notify([&](const Notifier& n, Messages& m) {
      return SendRepaymentNotice(n, m, svc_, req_.channel, change);
    }));
    // The partner had already reported this payment: her claim is settled
    // by that report (counted once), not left for the treasurer.
    if (logged->status == RepaymentStatus::kSettled) {
      return RepaymentAlreadyReportedScreen(ctx_, logged->amount, logged->matched_reference);
    }
    return RepaymentLoggedScreen(ctx_, logged->amount, logged->reference);
  }
  if (in == "2") return MainMenu(T("repay_cancelled"));
  if (in == kKeyBack) {
    st_.stage = Stage::kRepayAmount;
    return RepayAmountScreen(ctx_, RepayMax(v), "");
  }
  return RepayConfirmScreen(ctx_, st_.amount, v.loan.reference, T("err_option"));
}

Result<UssdReply> StepRunner::OnCancelLoanConfirm(std::string_view in) {
  if (in == "1") {
    Loans loans = LoanBook();
    auto change = loans.Cancel(st_.selected, member_.id, MemberActor());
    if (change.status().code() == Status::Code::kFailedPrecondition) {
      auto loan = loans.Get(st_.selected);
      if (!loan.ok()) return loan.status();
      return LoanCancelTooLateScreen(ctx_, loan->state);
    }
    if (!change.ok()) return change.status();
    SHG_RETURN_IF_ERROR(NotifyLoanChange(*change));
    return LoanCancelledScreen(ctx_, change->loan.reference);
  }
  if (in == "2" || in == kKeyBack) return MyLoan("");
  auto loan = LoanBook().Get(st_.selected);
  if (!loan.ok()) return loan.status();
  return CancelLoanConfirmScreen(ctx_, *loan, T("err_option"));
}

}  // namespace shg::dialogs
