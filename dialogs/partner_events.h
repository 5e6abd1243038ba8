// What an MFI partner reports on one of its loans - a decision, the
// disbursement, a repayment - recorded the same way however it arrives: the
// partner API's signed callback (gateway/routes/partner_routes.cc) or staff
// typing what a partner without an API told them (gateway/cli/loans_cli.cc).
//
// RecordPartnerEvent records the event in the domain (Loans::
// RecordPartnerDecision / RecordDisbursement / RecordPartnerRepayment, as
// `actor`) and queues the member's SMS about it (loan_notices.h: the
// repayment's own notice when a repayment was recorded, then one notice per
// loan state entered), all inside the caller's unit of work (REQUIRES the
// writer connection behind `loans`, `services` and `messages`; the caller
// commits). An idempotent replay changes nothing and queues nothing.
//
// Errors are the domain's Status, nothing written by this call: NotFound (no
// such loan of this partner), InvalidArgument (a stated currency that is not
// the loan's: "currency is not the loan's"; terms or amounts the domain
// refuses), FailedPrecondition / AlreadyExists (the event does not fit the
// loan's state), or a store error.
//
// Thread-safety: a stateless function; the objects passed in are borrowed.
#pragma once

#include <cstdint>
#include <string>

#include "dialogs/notify.h"
#include "domain/loans.h"
#include "domain/messages.h"
#include "domain/result.h"
#include "domain/services.h"

namespace shg::dialogs {

enum class PartnerEventKind { kDecision, kDisbursement, kRepayment };

struct PartnerEvent {
  PartnerEventKind kind = PartnerEventKind::kDecision;
  std::string partner_id;  // the loan's partner
  std::string reference;   // the loan's reference, any case
  // The currency the partner stated, "" when it stated none; when stated it
  // must be the loan's.
  std::string currency;
  PartnerDecision decision;  // kDecision
  // kDisbursement, kRepayment: the money moved, in minor units of the
  // loan's currency, when (Unix seconds) and the partner's id of it (the
  // transaction id, the payment id).
  int64_t amount = 0;
  int64_t at = 0;
  std::string external_id;
  // kRepayment: the reference of the member's own log of this payment when
  // the partner knows it, "" otherwise.
  std::string claim_reference;
};

struct PartnerEventResult {
  LoanChange change;    // the loan after the event; changed false for a replay
  Repayment repayment;  // kRepayment: the repayment recorded (or replayed)
  bool posted = false;  // kRepayment: a repayment journal was posted (RepaymentChange::posted)
  // SMS notices for this event (a state already told counts without being
  // queued again, see SendLoanNotices); 0 without a notifier.
  int sms = 0;
};

// Records `event` and queues her SMS (see above). `notifier` may be null
// (no channel sends: the event is recorded, nothing is queued);
// `programme` (may be null) names the partner in the notices.
Result<PartnerEventResult> RecordPartnerEvent(const PartnerEvent& event, const Actor& actor,
                                              Loans& loans, Services& services,
                                              Messages& messages, const Notifier* notifier,
                                              const LoanProgramme* programme);

}  // namespace shg::dialogs
