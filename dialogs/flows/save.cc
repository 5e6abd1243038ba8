// Save: amount, confirmation, the pending saving and its receipt.
// Handlers of StepRunner (dialogs/step_runner.h); stages and transitions:
// dialogs/dialog_machine.h.
#include "dialogs/step_runner.h"

#include "dialogs/receipts.h"
#include "domain/money.h"

namespace shg::dialogs {

Result<UssdReply> StepRunner::OnSaveAmount(std::string_view in) {
  if (in == kKeyBack) return MainMenu("");
  const int64_t max_minor = ToMinor(e_.options_.max_amount_units, ctx_.currency);
  auto amount = ParseAmountInput(in, ctx_.currency, INT64_MAX / 4);
  if (!amount.ok()) {
    return SaveAmountScreen(ctx_, Format(T("err_amount"), {{"currency", ctx_.currency.code}}));
  }
  if (*amount > max_minor) {
    return SaveAmountScreen(ctx_, Format(T("err_amount_max"), {{"max", ctx_.Money(max_minor)}}));
  }
  st_.amount = *amount;
  st_.stage = Stage::kSaveConfirm;
  return SaveConfirmScreen(ctx_, st_.amount, "");
}

Result<UssdReply> StepRunner::OnSaveConfirm(std::string_view in) {
  if (in == "1") {
    auto saving = svc_.LogSaving(member_.id, st_.amount, req_.channel, StepKey());
    // The cycle may have been shared out since she chose Save (or a cut
    // save is resumed after it).
    if (IsNoCycle(saving.status())) return SaveNoCycleScreen(ctx_);
    if (!saving.ok()) return saving.status();
    SHG_RETURN_IF_ERROR(Audit("saving.logged", "saving:" + std::to_string(saving->id),
          "amount=" + std::to_string(saving->amount) + " ref=" + saving->reference));
    // Read once for both the screen and the receipt.
    auto balances = svc_.BalancesFor(member_.id);
    if (!balances.ok()) return balances.status();
    SHG_RETURN_IF_ERROR(Notify([&](const Notifier& n, Messages& m) {
      return SendSavingLoggedReceipt(n, m, svc_, req_.channel, member_, group_, *saving,
                                     balances->savings_confirmed);
    }));
    return SavedScreen(ctx_, saving->amount, saving->reference, balances->savings_confirmed);
  }
  if (in == "2") return MainMenu(T("save_cancelled"));
  if (in == kKeyBack) {
    st_.stage = Stage::kSaveAmount;
    return SaveAmountScreen(ctx_, "");
  }
  return SaveConfirmScreen(ctx_, st_.amount, T("err_option"));
}

}  // namespace shg::dialogs
