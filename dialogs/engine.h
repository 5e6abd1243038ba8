// The USSD dialog engine: one step of a member's session.
//
// Input is the normalised request (session id + step number + latest input,
// see events.h); output is the screen to answer with. The session's state is
// kept in the store (ussd_sessions), keyed by (channel, session id), with an
// idle timeout, and bound to the phone that opened it (a keyed digest of the
// number): a step from another phone changes nothing and ends. It holds what
// the dialog needs (stage, member, amount...) and never a PIN (a PIN typed to
// be repeated is kept as a keyed digest).
//
// Loans (main menu 3 "Request loan", 4 "My loan", the loan items of 8
// "Group tasks") go through domain/loans.h on the same connection; their
// SMS are queued with dialogs/loan_notices.h in the same transaction.
//
// Step() runs inside the caller's store transaction (on the writer
// connection, see Store::Submit) so that the session update and any money
// action it triggers commit together or not at all. A request whose step
// number the session has already answered (an operator retry) gets the
// stored answer and applies nothing.
//
// Thread-safety: an Engine is immutable after construction; Step may run
// concurrently on different connections (the store serialises writers).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dialogs/catalogue.h"
#include "dialogs/events.h"
#include "dialogs/notify.h"
#include "domain/loans.h"
#include "domain/messages.h"
#include "domain/pin.h"
#include "domain/result.h"
#include "domain/services.h"

namespace shg::dialogs {

// A kind of fine Record fine offers (Group tasks), with the amount it
// proposes in whole units of the group's currency; its label is the
// catalogue key fine_kind_<id>.
struct FineKindOption {
  std::string id;  // a-z 0-9 '_' (config validates it)
  int64_t amount_units = 0;
};

struct EngineOptions {
  int session_timeout_s = 180;                 // idle time before a session is gone
  int resume_window_s = 300;                   // a cut money action is offered again within this
  int64_t max_amount_units = 1000000;          // whole units per money action
  std::string default_language = "en";
  std::map<std::string, std::string> channel_country;  // channel id -> "KE"...
  // The loan programme (not owned; must outlive the engine). null: menus 3
  // and 4 answer that loans are not available and group tasks list savings
  // only.
  const LoanProgramme* loans = nullptr;
  // --- the group's own money (issue 11) ---
  // Record fine's kinds in display order; empty: it says none is configured.
  std::vector<FineKindOption> fine_kinds;
};

// What happened, for metrics and logs (no personal data).
// kPhoneMismatch: a step whose phone is not the one that opened the session
// (answered with an END that asks to dial again; nothing changed).
enum class StepKind {
  kNew,
  kContinued,
  kDuplicate,
  kExpired,
  kUnknownPhone,
  kBadPhone,
  kPhoneMismatch,
};
const char* StepKindName(StepKind k);

struct StepResult {
  UssdReply reply;
  StepKind kind = StepKind::kContinued;
  bool pin_failed = false;   // a wrong PIN was entered
  bool pin_locked = false;   // ... and it locked the account
  bool screen_cut = false;   // a screen exceeded the limit (a defect)
  bool resumed = false;      // a cut money action was offered again
  bool sms_queued = false;   // an SMS (receipt, notification) was queued
};

class Engine {
 public:
  // REQUIRES: catalogue, pins and notifier (may be null: no SMS) outlive
  // the engine.
  Engine(const Catalogue& catalogue, const PinHasher& pins, EngineOptions options,
         const Notifier* notifier = nullptr);

  // One step. `messages` (may be null: no SMS) is the outbox on the same
  // connection: receipts and notifications a step causes (saving logged or
  // decided, PIN locked) are queued there in the same transaction. Errors
  // are store failures (Internal/Unavailable): the caller rolls back and
  // answers with TechnicalError().
  Result<StepResult> Step(Services& services, Messages* messages, const UssdRequest& request,
                          int64_t now) const;

  // The END screen for a failed step, in the default language.
  UssdReply TechnicalError() const;

 private:
  friend class StepRunner;
  const Catalogue& catalogue_;
  const PinHasher& pins_;
  EngineOptions options_;
  const Notifier* notifier_;
};

}  // namespace shg::dialogs
