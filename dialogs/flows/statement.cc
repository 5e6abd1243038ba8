// Statement: her last transactions, paged.
// Handlers of StepRunner (dialogs/step_runner.h); stages and transitions:
// dialogs/dialog_machine.h.
#include "dialogs/step_runner.h"

namespace shg::dialogs {

Result<UssdReply> StepRunner::Statement(std::string_view note) {
  auto lines = svc_.StatementFor(member_.id, kStatementPerPage + 1, st_.page * kStatementPerPage);
  if (!lines.ok()) return lines.status();
  bool more = lines->size() > static_cast<size_t>(kStatementPerPage);
  if (more) lines->pop_back();
  return StatementScreen(ctx_, *lines, st_.page, more, note);
}

Result<UssdReply> StepRunner::OnStatement(std::string_view in) {
  if (in == kKeyBack) {
    if (st_.page == 0) return MainMenu("");
    --st_.page;
    return Statement("");
  }
  if (in == kKeyMore) {
    auto next = svc_.StatementFor(member_.id, 1, (st_.page + 1) * kStatementPerPage);
    if (!next.ok()) return next.status();
    if (next->empty()) return Statement(T("err_option"));  // already the last page
    ++st_.page;
    return Statement("");
  }
  return Statement(T("err_option"));
}

}  // namespace shg::dialogs
