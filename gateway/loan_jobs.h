// Scheduled loan work: one run of the loan scheduler (domain/loans.h
// Loans::RunScheduler) with the member SMS it causes. The App runs it every
// [loans] scheduler_interval_s (and once at start); the CLI runs it on
// demand.
//
// One run is ONE store unit of work (Store::Run, durable when it returns):
// requests nobody acted on expire, loans overdue past grace go into
// arrears, and every change and due-date reminder queues its SMS
// (dialogs/loan_notices.h) in the same transaction, so a member is told
// exactly what committed. The domain's idempotency and the notices' dedupe
// keys make a second run at the same time change and queue nothing.
//
// Thread-safety: may be called from any thread (the store serialises
// writers); the arguments are borrowed for the call.
#pragma once

#include <cstdint>

#include "dialogs/notify.h"
#include "domain/loans.h"
#include "domain/result.h"
#include "domain/store/store.h"

namespace shg::gateway {

struct LoanSchedulerSummary {
  int expired = 0;     // loans that entered expired
  int in_arrears = 0;  // loans that entered in_arrears
  // Instalments due within a day and not yet paid. Every run within that
  // day lists them again; the reminder's dedupe key sends one SMS each.
  int reminders = 0;
  int notices = 0;  // SMS queued for the changes (expired, in arrears)
};

// `now`: Unix seconds the domain treats as the present (the App's clock).
// `notifier` may be null: the changes are made and no SMS is queued.
// Errors are the store's (the whole run is rolled back).
Result<LoanSchedulerSummary> RunLoanScheduler(store::Store& store, const LoanProgramme& programme,
                                              const dialogs::Notifier* notifier, int64_t now);

}  // namespace shg::gateway
