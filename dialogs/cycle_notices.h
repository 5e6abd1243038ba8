// SMS notices of a savings cycle's share-out (issue 11), queued by whoever
// confirms it (the staff API, the dashboard) in the same transaction as
// Cycles::ConfirmShareOut, so a member is told exactly when her line
// committed.
//
// Like loan_notices.h: rendered in the member's language (her first name
// before it on a shared phone, notify.h), queued in the outbox through the
// Notifier inside the caller's transaction (REQUIRES the writer connection
// behind `messages` and `services`). Nothing is queued when no channel can
// send to her. Dedupe key "share_out:<cycle id>:<member id>": a repeat
// queues nothing.
//
//   sms_share_out         "Share-out: savings KES 4,250 + profit KES 612 =
//                          KES 4,862. Ref K7P2QX"
//   sms_share_out_netted  the same, then ", less loan KES 3,600 = paid
//                          KES 1,262": her internal loan repaid from her share
// A loss shows "- loss KES 120" in place of the profit (share_out_loss).
// Every text fits one GSM-7 part with the largest figures and the longest
// name prefix (tests/dialogs/cycle_notices_test.cc).
//
// Thread-safety: stateless functions; the objects passed in are borrowed.
#pragma once

#include <string>
#include <string_view>

#include "dialogs/notify.h"
#include "domain/cycles.h"
#include "domain/messages.h"
#include "domain/money.h"
#include "domain/result.h"
#include "domain/services.h"

namespace shg::dialogs {

// The text of one member's line as it would be sent to `to` (with her name
// prefix on a shared phone), amounts in `currency`.
std::string ShareOutText(const Notifier& notifier, const SmsTo& to, const Currency& currency,
                         const ShareOutRow& row);

// One SMS per row of the confirmed share-out with a share or a netted loan
// (rows with neither get none). Returns how many were queued (0 for a
// member no channel sends to, or one told before).
Result<int> SendShareOutNotices(const Notifier& notifier, Messages& messages, Services& services,
                                std::string_view cause_channel,
                                const ShareOutPreview& confirmed);

}  // namespace shg::dialogs
