// SMS notices of a member's loan, shared by every place that changes a loan
// (the USSD engine, partner callbacks in the gateway, staff CLI commands,
// the scheduler), so each change is told the same way whoever caused it.
//
// Like receipts.h: each function renders catalogue templates in the
// member's language (member and group come from services.GetMember /
// GetGroup) and queues them in the outbox inside the caller's transaction
// (REQUIRES the writer connection behind `messages` and `services`).
// Nothing is queued when no channel can send to the member. The dedupe keys
// make a repeat of the same event queue nothing:
//   loan state entered   "loan:<loan id>:<state>"
//   repayment            "repayment:<repayment id>:logged|confirmed|rejected"
//   due reminder         "loan_reminder:<loan id>:<instalment number>"
// `cause_channel` is the channel of the request that caused the message
// ("" for staff, partner and scheduler actions: the member's country
// routing decides). Amounts are shown in the loan's currency.
//
// Every text fits one GSM-7 SMS part, also after her name prefix on a
// shared phone (notify.h); a free-text decline reason is cut to what is
// left of the part (tests/dialogs/loan_notices_test.cc).
//
// Thread-safety: stateless functions; the objects passed in are borrowed.
#pragma once

#include <cstdint>
#include <string_view>

#include "dialogs/notify.h"
#include "domain/loans.h"
#include "domain/messages.h"
#include "domain/result.h"
#include "domain/services.h"

namespace shg::dialogs {

// One SMS per state in change.entered, in order (sms_loan_<state>):
//   requested        amount, term, the monthly instalment, total to repay
//                    and rate of the request's quote (RequestQuote: the
//                    figures of her confirmation screen) and reference; without a
//                    product in `programme` for the loan's partner and
//                    currency: amount, purpose, term and reference
//                    (sms_loan_requested_plain)
//   group_approved   amount
//   referred_to_mfi  the partner's name (from `programme`, else its id)
//   approved         amount, term and the first instalment (when the terms
//                    give a schedule); when the lender changed the amount or
//                    the term: the new amount and term, what she asked, the
//                    instalment and the total (sms_loan_approved_changed)
//   declined         the reason (sms_loan_declined_plain without one)
//   disbursed        amount, outstanding, first instalment and its due date;
//                    a loan from the group fund (source group): amount, the
//                    instalment, the total and the first due date
//                    (sms_loan_fund_approved), its group_approved and
//                    approved notices of the same change left out
//   in_arrears       outstanding
//   repaid, cancelled, expired, written_off
// Nothing when !change.changed (an idempotent replay). Returns how many
// notices she has for these states: 0 when no channel can send to her; a
// state already told (same dedupe key) counts but is not queued again.
// `programme` (may be null: the partner's id is shown) names the partners.
Result<int> SendLoanNotices(const Notifier& notifier, Messages& messages, Services& services,
                            std::string_view cause_channel, const LoanChange& change,
                            const LoanProgramme* programme = nullptr);

// The repayment's own notice by its status: pending -> sms_repayment_logged,
// confirmed -> sms_repayment_confirmed (with the loan's outstanding after
// it, change.loan.loan), rejected -> sms_repayment_rejected. The loan's
// state changes (repaid, catch-up) are SendLoanNotices(change.loan).
// Returns the message id, or 0 when nothing can send to her.
Result<int64_t> SendRepaymentNotice(const Notifier& notifier, Messages& messages,
                                    Services& services, std::string_view cause_channel,
                                    const RepaymentChange& change);

// sms_loan_reminder: what is still owed on the instalment and its due date.
// Returns the message id, or 0 when nothing can send to her.
Result<int64_t> SendDueReminder(const Notifier& notifier, Messages& messages, Services& services,
                                std::string_view cause_channel, const DueReminder& reminder);

}  // namespace shg::dialogs
