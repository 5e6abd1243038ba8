#include "dialogs/loan_notices.h"

#include <algorithm>
#include <optional>
#include <string>

#include "dialogs/gsm.h"
#include "dialogs/screens.h"
#include "domain/loan_schedule.h"
#include "domain/money.h"

namespace shg::dialogs {
namespace {

// Who a loan notice goes to, and the words and money format of her language.
struct Recipient {
  Member member;
  Group group;
  ScreenContext ctx;
  SmsTo to;
};

Result<Recipient> RecipientOf(const Notifier& notifier, Services& services, int64_t member_id,
                              const std::string& currency) {
  auto member = services.GetMember(member_id);
  if (!member.ok()) return member.status();
  auto group = services.GetGroup(member->group_id);
  if (!group.ok()) return group.status();
  Recipient r;
  r.member = std::move(*member);
  r.group = std::move(*group);
  r.ctx.catalogue = &notifier.catalogue();
  r.ctx.lang = notifier.catalogue().HasLanguage(r.member.language) ? r.member.language
                                                                   : notifier.default_language();
  auto cur = FindCurrency(currency.empty() ? r.group.currency : currency);
  if (cur.ok()) r.ctx.currency = *cur;
  auto to = SmsToMember(services, r.member, r.group);
  if (!to.ok()) return to.status();
  r.to = std::move(*to);
  return r;
}

std::string Months(const ScreenContext& c, int months) {
  return Format(c.T("loan_term_option"), {{"n", std::to_string(months)}});
}

std::string PartnerName(const LoanProgramme* programme, const std::string& partner_id) {
  if (programme != nullptr) {
    for (const LoanProduct& p : programme->products) {
      if (p.partner_id == partner_id) return CutChars(p.partner_name, kMaxPartnerChars);
    }
  }
  return CutChars(partner_id, kMaxPartnerChars);
}

// The schedule the lender's terms give from `start` (empty when the loan has
// no approved terms yet or they do not make a schedule).
std::vector<Instalment> ScheduleOf(const Loan& loan, const Currency& currency, int64_t start) {
  if (loan.approved_amount <= 0 || loan.approved_term_months <= 0) return {};
  LoanTerms terms;
  terms.principal = loan.approved_amount;
  terms.term_months = loan.approved_term_months;
  terms.annual_rate_bp = loan.annual_rate_bp;
  terms.rule = loan.rule;
  terms.currency = currency;
  terms.disbursed_at = start;
  terms.group_loan = loan.source == LoanSource::kGroup;
  auto schedule = BuildSchedule(terms);
  return schedule.ok() ? std::move(*schedule) : std::vector<Instalment>{};
}

// A free-text reason cut (by code points) until the notice, with her name
// prefix if any, fits one part.
std::string FitReason(const Notifier& notifier, const SmsTo& to, std::string_view ref,
                      const std::string& reason) {
  std::string cut = reason;
  for (char& ch : cut) {
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  }
  while (!cut.empty()) {
    const std::string text =
        notifier.RenderTo(to, "sms_loan_declined", {{"ref", ref}, {"reason", cut}});
    if (MeasureSms(text).segments <= 1) break;
    cut = CutChars(cut, ScreenLength(cut) - 1);
  }
  return cut;
}

std::string LoanKey(const Loan& loan, LoanState s) {
  return "loan:" + std::to_string(loan.id) + ":" + LoanStateName(s);
}

// The notice of one entered state; the message id or 0.
Result<int64_t> SendStateNotice(const Notifier& notifier, Messages& messages,
                                std::string_view cause_channel, const Recipient& r,
                                const Loan& loan, LoanState s, const LoanProgramme* programme) {
  const ScreenContext& c = r.ctx;
  const std::string kind = std::string("loan_") + LoanStateName(s);
  const std::string key = "sms_" + kind;
  const std::string dedupe = LoanKey(loan, s);
  const std::string amount = c.Money(loan.approved_amount > 0 ? loan.approved_amount : loan.amount);
  const std::string outstanding = c.Money(loan.outstanding);
  auto send = [&](std::string_view tmpl,
                  std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
    return notifier.Send(messages, cause_channel, r.to, kind, tmpl, fields, dedupe);
  };
  switch (s) {
    case LoanState::kRequested: {
      // The figures she saw before consenting: the product's rule and rate,
      // or the group fund's flat rate for a term only the fund offers.
      const std::optional<LoanQuote> quote = RequestQuote(loan, programme, c.currency);
      if (!quote.has_value()) {
        return send("sms_loan_requested_plain", {{"amount", c.Money(loan.amount)},
                                                 {"purpose", PurposeLabel(c, loan.purpose)},
                                                 {"term", Months(c, loan.term_months)},
                                                 {"ref", loan.reference}});
      }
      return send(key, {{"amount", c.Money(loan.amount)},
                        {"term", Months(c, loan.term_months)},
                        {"instalment", c.Money(quote->instalment)},
                        {"total", c.Money(quote->total_repay)},
                        {"rate", QuoteRateText(c, *quote)},
                        {"ref", loan.reference}});
    }
    case LoanState::kGroupApproved:
      return send(key, {{"amount", c.Money(loan.amount)}, {"ref", loan.reference}});
    case LoanState::kReferredToMfi:
      return send(key,
                  {{"ref", loan.reference}, {"partner", PartnerName(programme, loan.partner_id)}});
    case LoanState::kApproved: {
      const std::string term = Months(c, loan.approved_term_months);
      std::vector<Instalment> schedule = ScheduleOf(loan, c.currency, loan.updated_at);
      if (schedule.empty()) {
        return send("sms_loan_approved_plain",
                    {{"ref", loan.reference}, {"amount", amount}, {"term", term}});
      }
      if (loan.approved_amount != loan.amount || loan.approved_term_months != loan.term_months) {
        // Other terms than she asked: what changed and what she will pay.
        int64_t total = 0;
        for (const Instalment& i : schedule) total += i.total;
        return send("sms_loan_approved_changed",
                    {{"ref", loan.reference},
                     {"amount", amount},
                     {"term", term},
                     {"asked", c.Money(loan.amount)},
                     {"asked_term", Months(c, loan.term_months)},
                     {"instalment", c.Money(schedule.front().total)},
                     {"total", c.Money(total)}});
      }
      return send(key, {{"ref", loan.reference},
                        {"amount", amount},
                        {"term", term},
                        {"first", c.Money(schedule.front().total)}});
    }
    case LoanState::kDeclined: {
      if (loan.decline_reason.empty()) {
        return send("sms_loan_declined_plain", {{"ref", loan.reference}});
      }
      const std::string reason = FitReason(notifier, r.to, loan.reference, loan.decline_reason);
      return send(key, {{"ref", loan.reference}, {"reason", reason}});
    }
    case LoanState::kDisbursed: {
      std::vector<Instalment> schedule = ScheduleOf(loan, c.currency, loan.disbursed_at);
      if (loan.source == LoanSource::kGroup && !schedule.empty()) {
        // Lent from the group fund at the meeting: one notice of the terms.
        int64_t total = 0;
        for (const Instalment& i : schedule) total += i.total;
        return send("sms_loan_fund_approved", {{"ref", loan.reference},
                                               {"amount", amount},
                                               {"instalment", c.Money(schedule.front().total)},
                                               {"total", c.Money(total)},
                                               {"date", ShortDate(schedule.front().due_at)}});
      }
      const std::string first = schedule.empty() ? "" : c.Money(schedule.front().total);
      const std::string date = schedule.empty() ? "" : ShortDate(schedule.front().due_at);
      return send(key, {{"ref", loan.reference},
                        {"amount", amount},
                        {"outstanding", outstanding},
                        {"first", first},
                        {"date", date}});
    }
    case LoanState::kInArrears:
      return send(key, {{"ref", loan.reference}, {"outstanding", outstanding}});
    case LoanState::kRepaid:
    case LoanState::kCancelled:
    case LoanState::kExpired:
    case LoanState::kWrittenOff:
      return send(key, {{"ref", loan.reference}});
  }
  return int64_t{0};
}

}  // namespace

Result<int> SendLoanNotices(const Notifier& notifier, Messages& messages, Services& services,
                            std::string_view cause_channel, const LoanChange& change,
                            const LoanProgramme* programme) {
  if (!change.changed || change.entered.empty()) return 0;
  const Loan& loan = change.loan;
  auto r = RecipientOf(notifier, services, loan.member_id, loan.currency);
  if (!r.ok()) return r.status();
  if (notifier.routing().For(cause_channel, r->group.country).empty()) return 0;
  int queued = 0;
  // A loan from the group's fund is approved and handed out in one step:
  // its disbursed notice tells it all.
  const bool fund_lent =
      loan.source == LoanSource::kGroup &&
      std::find(change.entered.begin(), change.entered.end(), LoanState::kDisbursed) !=
          change.entered.end();
  for (LoanState s : change.entered) {
    if (fund_lent && (s == LoanState::kGroupApproved || s == LoanState::kApproved)) continue;
    auto id = SendStateNotice(notifier, messages, cause_channel, *r, loan, s, programme);
    if (!id.ok()) return id.status();
    if (*id != 0) ++queued;
  }
  return queued;
}

Result<int64_t> SendRepaymentNotice(const Notifier& notifier, Messages& messages,
                                    Services& services, std::string_view cause_channel,
                                    const RepaymentChange& change) {
  const Repayment& rep = change.repayment;
  auto r = RecipientOf(notifier, services, rep.member_id, rep.currency);
  if (!r.ok()) return r.status();
  const ScreenContext& c = r->ctx;
  const std::string amount = c.Money(rep.amount);
  const std::string dedupe = "repayment:" + std::to_string(rep.id) + ":";
  switch (rep.status) {
    case RepaymentStatus::kPending:
      return notifier.Send(
          messages, cause_channel, r->to, "repayment_logged", "sms_repayment_logged",
          {{"amount", amount}, {"loan_ref", rep.loan_reference}, {"ref", rep.reference}},
          dedupe + "logged");
    case RepaymentStatus::kConfirmed:
      return notifier.Send(messages, cause_channel, r->to, "repayment_confirmed",
                           "sms_repayment_confirmed",
                           {{"amount", amount},
                            {"ref", rep.reference},
                            {"outstanding", c.Money(change.loan.loan.outstanding)}},
                           dedupe + "confirmed");
    case RepaymentStatus::kRejected:
      return notifier.Send(messages, cause_channel, r->to, "repayment_rejected",
                           "sms_repayment_rejected", {{"amount", amount}, {"ref", rep.reference}},
                           dedupe + "rejected");
    case RepaymentStatus::kSettled:
      // Counted through the partner's report (or her confirmed claim): no
      // notice of its own yet (see domain/loans.h "Matching").
      return int64_t{0};
  }
  return int64_t{0};
}

Result<int64_t> SendDueReminder(const Notifier& notifier, Messages& messages, Services& services,
                                std::string_view cause_channel, const DueReminder& reminder) {
  const Loan& loan = reminder.loan;
  auto r = RecipientOf(notifier, services, loan.member_id, loan.currency);
  if (!r.ok()) return r.status();
  const ScreenContext& c = r->ctx;
  return notifier.Send(messages, cause_channel, r->to, "loan_reminder", "sms_loan_reminder",
                       {{"amount", c.Money(reminder.instalment.total)},
                        {"date", ShortDate(reminder.instalment.due_at)},
                        {"ref", loan.reference}},
                       "loan_reminder:" + std::to_string(loan.id) + ":" +
                           std::to_string(reminder.instalment.number));
}

}  // namespace shg::dialogs
