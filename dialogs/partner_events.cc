#include "dialogs/partner_events.h"

#include <utility>

#include "dialogs/loan_notices.h"

namespace shg::dialogs {

Result<PartnerEventResult> RecordPartnerEvent(const PartnerEvent& event, const Actor& actor,
                                              Loans& loans, Services& services,
                                              Messages& messages, const Notifier* notifier,
                                              const LoanProgramme* programme) {
  if (!event.currency.empty()) {
    auto loan = loans.PartnerLoan(event.partner_id, event.reference);
    if (!loan.ok()) return loan.status();
    if (loan->currency != event.currency) {
      return Status::InvalidArgument("currency is not the loan's");
    }
  }
  PartnerEventResult out;
  switch (event.kind) {
    case PartnerEventKind::kDecision: {
      auto c = loans.RecordPartnerDecision(event.partner_id, event.reference, event.decision,
                                           actor);
      if (!c.ok()) return c.status();
      out.change = std::move(*c);
      break;
    }
    case PartnerEventKind::kDisbursement: {
      auto c = loans.RecordDisbursement(event.partner_id, event.reference, event.amount, event.at,
                                        event.external_id, actor);
      if (!c.ok()) return c.status();
      out.change = std::move(*c);
      break;
    }
    case PartnerEventKind::kRepayment: {
      auto c = loans.RecordPartnerRepayment(event.partner_id, event.reference,
                                            event.external_id, event.amount, event.at, actor,
                                            event.claim_reference);
      if (!c.ok()) return c.status();
      if (notifier != nullptr && c->loan.changed) {
        auto id = SendRepaymentNotice(*notifier, messages, services, "", *c);
        if (!id.ok()) return id.status();
        if (*id != 0) ++out.sms;
      }
      out.repayment = std::move(c->repayment);
      out.posted = c->posted;
      out.change = std::move(c->loan);
      break;
    }
  }
  if (notifier != nullptr) {
    auto queued = SendLoanNotices(*notifier, messages, services, "", out.change, programme);
    if (!queued.ok()) return queued.status();
    out.sms += *queued;
  }
  return out;
}

}  // namespace shg::dialogs
