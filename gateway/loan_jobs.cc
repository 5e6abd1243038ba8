#include "gateway/loan_jobs.h"

#include <chrono>

#include "dialogs/loan_notices.h"
#include "domain/messages.h"
#include "domain/services.h"

namespace shg::gateway {
namespace {

// The outbox is timed by the wall clock, like every other queued SMS: its
// rows must be due for the dispatcher now, whatever `now` the domain uses.
int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<LoanSchedulerSummary> RunLoanScheduler(store::Store& store, const LoanProgramme& programme,
                                              const dialogs::Notifier* notifier, int64_t now) {
  LoanSchedulerSummary summary;
  Status s = store.Run([&](store::Connection& conn) -> Status {
    // The scheduler never checks a PIN: no hasher is needed.
    DomainContext ctx{nullptr, 0, now};
    Loans loans(conn, ctx, programme);
    const Actor actor{"system", "scheduler", "", ""};
    auto run = loans.RunScheduler(actor);
    if (!run.ok()) return run.status();
    for (const LoanChange& change : run->changes) {
      for (LoanState entered : change.entered) {
        if (entered == LoanState::kExpired) ++summary.expired;
        if (entered == LoanState::kInArrears) ++summary.in_arrears;
      }
    }
    summary.reminders = static_cast<int>(run->reminders.size());
    if (notifier == nullptr) return Status::Ok();
    Services services(conn, ctx);
    Messages messages(conn, WallClockMs());
    for (const LoanChange& change : run->changes) {
      auto queued = dialogs::SendLoanNotices(*notifier, messages, services, "", change, &programme);
      if (!queued.ok()) return queued.status();
      summary.notices += *queued;
    }
    for (const DueReminder& reminder : run->reminders) {
      auto id = dialogs::SendDueReminder(*notifier, messages, services, "", reminder);
      if (!id.ok()) return id.status();
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return summary;
}

}  // namespace shg::gateway
