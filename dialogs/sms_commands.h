// SMS commands (ussd.md "SMS commands"): a member texts a keyword to the
// group's number and gets the answer by SMS through the outbox.
//
//   BAL / SALIO              her balances (sms_balance), with her loan's
//                            outstanding and next instalment while she repays,
//                            then while it fits one part her pending fines,
//                            the social fund and her share-out estimate
//                            (BalanceSmsText, screens.h: the estimate gives
//                            way first)
//   SAVE 200 / AKIBA 1,000   logs a pending saving exactly like USSD, then
//                            the same receipt (sms_saving_logged); while the
//                            group has no active cycle sms_save_no_cycle
//   HELP / MSAADA            the command list (sms_help)
//   LOAN / MKOPO             her loan's state in words, and while she repays
//                            its outstanding and next instalment
//                            (sms_loan_status_repaying, else sms_loan_status);
//                            sms_loan_none when she never asked, and
//                            sms_loan_unavailable without a loan programme
//   anything else            sms_unknown
// Keywords are the catalogue's kw_* texts of EVERY language, matched without
// regard to case or extra spaces ("  bal ", "save  200", "Save200",
// "SAVE KES 200", "SAVE 200." all work). Words after BAL, HELP or LOAN are
// ignored. The reply is in the member's language whatever the keyword's.
//
// Who gets an answer: replies go only to the sending number. An unknown
// number (or one of exited members only) gets at most one
// sms_not_registered per UTC day, in the default language. A phone shared
// by several active members gets sms_shared_phone for BAL, SAVE and (with a
// loan programme) LOAN (which member is meant is ambiguous: USSD asks);
// HELP and unknown texts are answered in the first member's language. A sender that is not a phone
// number gets nothing.
//
// Every inbound SMS is recorded once per (channel, provider id) in the
// inbound log; a repeat (the provider retrying its callback) does nothing
// else. The save is idempotent on "<channel>:sms:<provider id>" as well.
// Statuses never carry the SMS text or the phone.
//
// Thread-safety: an SmsCommands object is immutable after construction;
// Handle may run concurrently on different connections.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "dialogs/catalogue.h"
#include "dialogs/notify.h"
#include "domain/loans.h"
#include "domain/messages.h"
#include "domain/result.h"
#include "domain/services.h"

namespace shg::dialogs {

// An inbound SMS as the channel adapter normalised it.
struct InboundSmsEvent {
  std::string channel;      // configured channel id it came in on
  std::string provider_id;  // the provider's id of the SMS (deduplication)
  std::string from;         // sender as the provider sent it (parsed here)
  std::string text;         // UTF-8
  std::string request_id;   // for audit and logs
};

struct SmsCommandOptions {
  std::map<std::string, std::string> channel_country;  // channel id -> "KE"...
  // USSD code named in replies ("Or dial *384*7#"), by the channel the SMS
  // came in on; when missing, that of another channel of the same country.
  std::map<std::string, std::string> channel_service_code;
  int64_t max_amount_units = 1000000;  // whole units per SAVE
  std::string default_language = "en";
  // The loan programme (not owned; must outlive the SmsCommands). null:
  // LOAN answers sms_loan_unavailable.
  const LoanProgramme* loans = nullptr;
};

// What happened, for metrics and logs (no personal data).
enum class SmsOutcome {
  kDuplicate,          // provider id already recorded: nothing done
  kBadPhone,           // sender is not a phone number: recorded, no reply
  kUnregistered,       // unknown number: sms_not_registered queued
  kUnregisteredQuiet,  // unknown number already told today: no reply
  kBalance,
  kSave,  // pending saving logged and receipt queued
  kHelp,
  kLoan,
  kUnknown,      // not a command: sms_unknown
  kSharedPhone,  // BAL/SAVE from a phone shared by several members
  kBadAmount,    // SAVE without a valid amount or above the maximum
  kNoCycle,      // SAVE while the group has no active cycle: sms_save_no_cycle
};
const char* SmsOutcomeName(SmsOutcome outcome);

// A keyword command as typed.
enum class SmsCommand { kNone, kBalance, kSave, kHelp, kLoan };
struct ParsedSms {
  SmsCommand command = SmsCommand::kNone;
  std::string argument;  // what follows the keyword, spaces collapsed ("1,000")
};
// Pure: matches the first word (or the letters of "SAVE200") against the
// kw_balance, kw_save, kw_help and kw_loan texts of every catalogue language.
ParsedSms ParseSmsCommand(const Catalogue& catalogue, std::string_view text);

class SmsCommands {
 public:
  // REQUIRES: catalogue and notifier outlive this object.
  SmsCommands(const Catalogue& catalogue, const Notifier& notifier, SmsCommandOptions options);

  // Handles one inbound SMS at the time `services` carries (its context's
  // `now`). Runs inside the caller's writer transaction (like
  // Engine::Step): `services` and `messages` are views over that connection.
  // Records the SMS, then answers through the outbox on the channel it came
  // in on (Notifier routing). InvalidArgument for an event without channel
  // or provider id; other errors are store failures: the caller rolls back
  // (nothing recorded) and lets the provider retry.
  Result<SmsOutcome> Handle(Services& services, Messages& messages,
                            const InboundSmsEvent& event) const;

 private:
  std::string CountryOf(const std::string& channel) const;
  std::string ServiceCodeFor(const std::string& channel) const;

  const Catalogue& catalogue_;
  const Notifier& notifier_;
  SmsCommandOptions options_;
};

}  // namespace shg::dialogs
