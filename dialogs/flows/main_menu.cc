// The main menu and the information screens reached from it.
// Handlers of StepRunner (dialogs/step_runner.h); stages and transitions:
// dialogs/dialog_machine.h.
#include "dialogs/step_runner.h"

#include <optional>

namespace shg::dialogs {

Result<UssdReply> StepRunner::MainMenu(std::string_view note) {
  st_.stage = Stage::kMainMenu;
  st_.page = 0;
  st_.items.clear();
  st_.amount = 0;
  st_.selected = 0;
  st_.purpose.clear();
  st_.term = 0;
  st_.fine_kind.clear();
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
      return StartSave();
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

// Asked before the amount: while the group has no cycle taking savings
// she is told so at once rather than after typing it.
Result<UssdReply> StepRunner::StartSave() {
  auto current = CycleBook().CurrentCycle(member_.group_id);
  if (current.status().code() == Status::Code::kFailedPrecondition) {
    return SaveNoCycleScreen(ctx_);
  }
  if (!current.ok()) return current.status();
  st_.stage = Stage::kSaveAmount;
  return SaveAmountScreen(ctx_, "");
}

Result<UssdReply> StepRunner::Balance() {
  st_.stage = Stage::kBalance;
  auto b = svc_.BalancesFor(member_.id);
  if (!b.ok()) return b.status();
  auto next = NextInstalment();
  if (!next.ok()) return next.status();
  auto cycle = CycleBook().MemberView(member_.id);
  if (!cycle.ok()) return cycle.status();
  return BalanceScreen(ctx_, *b, *next, *cycle);
}

// Page st_.page (0 or 1) of My group. The share-out estimate of the whole
// group is for its officers (secretary included: she keeps the books).
Result<UssdReply> StepRunner::GroupInfo() {
  st_.stage = Stage::kGroupInfo;
  auto g = svc_.GroupSummaryFor(member_.group_id);
  if (!g.ok()) return g.status();
  Cycles cycles = CycleBook();
  auto f = cycles.Figures(member_.group_id);
  if (!f.ok()) return f.status();
  std::optional<int64_t> total;
  const bool officer = Manager() || member_.role == Role::kSecretary;
  const CycleState state = f->cycle.state;
  if (st_.page > 0 && officer && (state == CycleState::kActive || state == CycleState::kClosing)) {
    auto preview = cycles.PreviewShareOut(f->cycle.id);
    if (!preview.ok()) return preview.status();
    total = preview->distributed;
  }
  return GroupScreen(ctx_, *g, *f, st_.page, total);
}

// An information screen stays open: 0 (and 00, taken by Dispatch) go back
// (My group's second page: to its first; else to the main menu); 98 on My
// group's first page shows the second; anything else shows the screen
// again, up to date.
Result<UssdReply> StepRunner::OnInfo(std::string_view in) {
  if (st_.stage == Stage::kGroupInfo) {
    if (in == kKeyBack && st_.page > 0) {
      st_.page = 0;
      return GroupInfo();
    }
    if (in == kKeyMore) st_.page = 1;
  }
  if (in == kKeyBack) return MainMenu("");
  return st_.stage == Stage::kBalance ? Balance() : GroupInfo();
}

}  // namespace shg::dialogs
