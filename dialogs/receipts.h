// SMS receipts and notifications to members, shared by every place that
// causes them (the USSD engine, SMS commands, staff actions), so a saving
// logged by USSD and one logged by SMS get the same receipt.
//
// Each function renders one catalogue template in the member's language
// (dialogs/notify.h) and queues it in the outbox inside the caller's
// transaction (REQUIRES the writer connection behind `messages` and
// `services`). Each returns the outbox message id, or 0 when no channel can
// send to the member (the caller counts it). The dedupe keys make a repeat
// of the same event queue nothing:
//   saving logged      "saving:<id>:logged"
//   saving decided     "saving:<id>:confirmed" | "saving:<id>:rejected"
//   PIN locked         "pin_locked:<member id>:<now>"
//   PIN reset          none (each reset is a new one-time PIN)
//   fine recorded      "fine:<id>:recorded"
//   fine decided       "fine:<id>:confirmed" | "fine:<id>:waived"
//   contribution       "social:<id>:recorded"
// `cause_channel` is the channel of the request that caused the message
// ("" for staff actions); `now` is Unix seconds. On a shared phone each
// starts with her first name (notify.h); SendPinLocked and SendPinReset
// count the members on her phone on the connection behind `messages`.
//
// Thread-safety: stateless functions; the objects passed in are borrowed.
#pragma once

#include <cstdint>
#include <string_view>

#include "dialogs/notify.h"
#include "domain/cycles.h"
#include "domain/messages.h"
#include "domain/model.h"
#include "domain/result.h"
#include "domain/services.h"

namespace shg::dialogs {

// sms_saving_logged: amount, date logged ("27 November", LongDayMonth in
// her language), reference and her confirmed savings (which the pending
// saving does not change yet: `confirmed_savings`, Balances::
// savings_confirmed, read once by the caller, which shows it too). Sent when
// a pending saving is logged (USSD or SMS).
Result<int64_t> SendSavingLoggedReceipt(const Notifier& notifier, Messages& messages,
                                        Services& services, std::string_view cause_channel,
                                        const Member& member, const Group& group,
                                        const Saving& saving, int64_t confirmed_savings);

// sms_saving_confirmed / sms_saving_rejected to the saver only, never the
// deciding officer (she sees the outcome on screen), after an officer's
// decision; both show her confirmed savings after it (after the posting when
// confirmed, unchanged when rejected).
Result<int64_t> SendSavingDecidedReceipt(const Notifier& notifier, Messages& messages,
                                         Services& services, std::string_view cause_channel,
                                         int64_t saving_id, bool confirmed);

// sms_pin_locked, once per lock (the lock time is part of the dedupe key).
Result<int64_t> SendPinLocked(const Notifier& notifier, Messages& messages,
                              std::string_view cause_channel, const Member& member,
                              const Group& group, int64_t now);

// sms_pin_reset with the one-time PIN and the USSD code to dial. Queued as
// sensitive: the body is redacted once sent or final.
Result<int64_t> SendPinReset(const Notifier& notifier, Messages& messages,
                             std::string_view cause_channel, const Member& member,
                             const Group& group, std::string_view one_time_pin,
                             std::string_view service_code);

// sms_pin_changed: her PIN was changed (by her, or set after a reset), so
// a change she did not make does not go unnoticed. Never carries the PIN.
Result<int64_t> SendPinChanged(const Notifier& notifier, Messages& messages,
                               std::string_view cause_channel, const Member& member,
                               const Group& group, int64_t now);

// --- the group's own money (issue 11): to the fined / contributing member
// only (the officer sees the outcome on her screen). The fine's kind is
// its label in her language (FineKindLabel); dates are LongDayMonth.

// sms_fine_recorded: a pending fine (Cycles::RecordFine), what it is for
// and that she pays it to the treasurer.
Result<int64_t> SendFineRecordedReceipt(const Notifier& notifier, Messages& messages,
                                        Services& services, std::string_view cause_channel,
                                        const Fine& fine);
// sms_fine_confirmed (paid into the fund) / sms_fine_waived after an
// officer's decision (Cycles::DecideFine).
Result<int64_t> SendFineDecidedReceipt(const Notifier& notifier, Messages& messages,
                                       Services& services, std::string_view cause_channel,
                                       const Fine& fine, bool confirmed);
// sms_social_recorded: her social fund contribution (Cycles::
// RecordContribution).
Result<int64_t> SendContributionReceipt(const Notifier& notifier, Messages& messages,
                                        Services& services, std::string_view cause_channel,
                                        const SocialFundEntry& entry);

}  // namespace shg::dialogs
