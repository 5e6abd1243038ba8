// The main menu and the information screens reached from it.
// Handlers of StepRunner (dialogs/step_runner.h); stages and transitions:
// dialogs/dialog_machine.h.
#include "dialogs/step_runner.h"

namespace shg::dialogs {

Result<UssdReply> StepRunner::MainMenu(std::string_view note) {
  st_.stage = Stage::kMainMenu;
  st_.page = 0;
  st_.items.clear();
  st_.amount = 0;
  st_.selected = 0;
  st_.purpose.clear();
  st_.term = 0;
  return MainMenuScreen(ctx_, Manager(), note);
}

Result<UssdReply> StepRunner::OnMainMenu(std::string_view in) {
  int n = Choice(in, 9);
  switch (static_cast<MainItem>(n)) {
    case MainItem::kBalance:
      return Balance();
    case MainItem::kLoanRequest:
      return StartLoanRequest();
    case MainItem::kMyLoan:
      return MyLoan("");
    case MainItem::kSave:
      st_.stage = Stage::kSaveAmount;
      return SaveAmountScreen(ctx_, "");
    case MainItem::kStatement:
      st_.stage = Stage::kStatement;
      st_.page = 0;
      return Statement("");
    case MainItem::kGroup:
      return GroupInfo();
    case MainItem::kSettings:
      return Settings("");
    case MainItem::kTasks:
      if (Manager()) return Tasks("");
      break;
  }
  if (in == kKeyBack) return GoodbyeScreen(ctx_);
  return MainMenuScreen(ctx_, Manager(), T("err_option"));
}

Result<UssdReply> StepRunner::Balance() {
  st_.stage = Stage::kBalance;
  auto b = svc_.BalancesFor(member_.id);
  if (!b.ok()) return b.status();
  auto next = NextInstalment();
  if (!next.ok()) return next.status();
  return BalanceScreen(ctx_, *b, *next);
}

Result<UssdReply> StepRunner::GroupInfo() {
  st_.stage = Stage::kGroupInfo;
  auto g = svc_.GroupSummaryFor(member_.group_id);
  if (!g.ok()) return g.status();
  return GroupScreen(ctx_, *g);
}

// An information screen stays open: 0 (and 00, taken by Dispatch) go back
// to the main menu; anything else shows the screen again, up to date.
Result<UssdReply> StepRunner::OnInfo(std::string_view in) {
  if (in == kKeyBack) return MainMenu("");
  return st_.stage == Stage::kBalance ? Balance() : GroupInfo();
}

}  // namespace shg::dialogs
