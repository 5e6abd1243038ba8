// Money actions dropped for good: a save or a loan request cut at its
// confirmation whose resume window passed without her coming back. Nothing
// of it was committed (ussd.md, resume after a drop); she is told by SMS
// that it was not saved, so it does not disappear without a word.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "dialogs/notify.h"
#include "domain/messages.h"
#include "domain/services.h"

namespace shg::dialogs {

// For each session that PurgeExpiredSessions(keep_s) is about to delete,
// that was not ended by the dialog and that stopped at a resumable stage
// (dialog_machine.h: IsResumableSave / IsResumableLoanRequest), queues
// sms_save_dropped or sms_loan_dropped to its member, with the USSD code of
// the session's channel (`service_codes`: channel id -> "*384*7#"; a
// channel missing there gets "the USSD code"). Dedupe key per session, so a
// repeat of the same purge queues nothing twice. Runs in the caller's
// transaction (before the purge); returns how many SMS were queued.
Result<int> NotifyDroppedActions(const Notifier& notifier, Services& services,
                                 Messages& messages,
                                 const std::map<std::string, std::string>& service_codes,
                                 int64_t keep_s);

}  // namespace shg::dialogs
