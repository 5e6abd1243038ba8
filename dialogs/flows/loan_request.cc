// Menu 3, Request loan: eligibility, amount, purpose, term, consent.
// Handlers of StepRunner (dialogs/step_runner.h); stages and transitions:
// dialogs/dialog_machine.h.
#include "dialogs/step_runner.h"

#include <algorithm>

#include "dialogs/loan_notices.h"
#include "domain/money.h"

namespace shg::dialogs {

// The most she may ask: her limit, and no more than one money action.
int64_t StepRunner::MaxLoan(const LoanOffer& offer) const {
  return std::min(offer.max_amount, ToMinor(e_.options_.max_amount_units, ctx_.currency));
}

// Her offer now; a refusal (or a limit below the product's minimum) is
// returned as the END screen to show instead.
Result<LoanOffer> StepRunner::Offer(std::optional<UssdReply>* refused) {
  auto offer = LoanBook().OfferFor(member_.id);
  if (!offer.ok()) return offer.status();
  if (offer->refusal.empty() && MaxLoan(*offer) < offer->min_amount) {
    offer->refusal = IneligibleName(Ineligible::kAmountBelowMinimum);
  }
  if (!offer->refusal.empty()) {
    *refused = LoanRefusedScreen(ctx_, offer->refusal, Programme().policy);
  }
  return offer;
}

Result<UssdReply> StepRunner::StartLoanRequest() {
  if (!LoansOn()) return LoanUnavailableScreen(ctx_);
  st_.amount = 0;
  st_.purpose.clear();
  st_.term = 0;
  return LoanAmount("");
}

Result<UssdReply> StepRunner::LoanAmount(std::string_view note) {
  std::optional<UssdReply> refused;
  auto offer = Offer(&refused);
  if (!offer.ok()) return offer.status();
  if (refused) return *refused;
  st_.stage = Stage::kLoanAmount;
  return LoanAmountScreen(ctx_, offer->min_amount, MaxLoan(*offer), note);
}

Result<UssdReply> StepRunner::OnLoanAmount(std::string_view in) {
  if (in == kKeyBack) return MainMenu("");
  std::optional<UssdReply> refused;
  auto offer = Offer(&refused);
  if (!offer.ok()) return offer.status();
  if (refused) return *refused;
  const int64_t max = MaxLoan(*offer);
  auto amount = ParseAmountInput(in, ctx_.currency, INT64_MAX / 4);
  if (!amount.ok()) {
    return LoanAmountScreen(ctx_, offer->min_amount, max,
                            Format(T("err_amount"), {{"currency", ctx_.currency.code}}));
  }
  if (*amount > max) {
    return LoanAmountScreen(ctx_, offer->min_amount, max,
                            Format(T("loan_err_amount_max"), {{"max", ctx_.Money(max)}}));
  }
  if (*amount < offer->min_amount) {
    return LoanAmountScreen(
        ctx_, offer->min_amount, max,
        Format(T("loan_err_amount_min"), {{"min", ctx_.Money(offer->min_amount)}}));
  }
  st_.amount = *amount;
  st_.page = 0;
  return Purposes("");
}

Result<UssdReply> StepRunner::Purposes(std::string_view note) {
  st_.stage = Stage::kLoanPurpose;
  return LoanPurposeScreen(ctx_, Programme().purposes, st_.page, note);
}

Result<UssdReply> StepRunner::OnLoanPurpose(std::string_view in) {
  const std::vector<std::string>& all = Programme().purposes;
  const size_t first = static_cast<size_t>(st_.page) * kPurposesPerPage;
  if (in == kKeyBack) {
    if (st_.page > 0) {
      --st_.page;
      return Purposes("");
    }
    return LoanAmount("");
  }
  if (in == kKeyMore) {
    if (first + kPurposesPerPage >= all.size()) return Purposes(T("err_option"));
    ++st_.page;
    return Purposes("");
  }
  // Numbered on across pages (page 2 starts at kPurposesPerPage + 1).
  const size_t on_page =
      first < all.size() ? std::min<size_t>(kPurposesPerPage, all.size() - first) : 0;
  const int n = Choice(in, static_cast<int>(first + on_page));
  if (n == 0 || static_cast<size_t>(n) <= first) return Purposes(T("err_option"));
  st_.purpose = all[n - 1];
  st_.page = 0;  // the term pages start again
  return Terms("");
}

// The product's terms and, when her group's fund may lend to her, the
// fund's (each quoted at the rate she would pay: OfferQuote).
std::vector<LoanQuote> StepRunner::Quotes(const LoanOffer& offer) const {
  const LoanProduct* product = ProductOf(e_.options_.loans, offer.partner_id, offer.currency);
  return OfferQuotes(offer, product, st_.amount, ctx_.currency);
}

Result<UssdReply> StepRunner::Terms(std::string_view note) {
  std::optional<UssdReply> refused;
  auto offer = Offer(&refused);
  if (!offer.ok()) return offer.status();
  if (refused) return *refused;
  st_.stage = Stage::kLoanTerm;
  const std::vector<LoanQuote> quotes = Quotes(*offer);
  if (quotes.empty()) return LoanRefusedScreen(ctx_, "no_product", Programme().policy);
  if (static_cast<size_t>(st_.page) * kTermsPerPage >= quotes.size()) st_.page = 0;
  return LoanTermScreen(ctx_, quotes, st_.page, note);
}

Result<UssdReply> StepRunner::OnLoanTerm(std::string_view in) {
  std::optional<UssdReply> refused;
  auto offer = Offer(&refused);
  if (!offer.ok()) return offer.status();
  if (refused) return *refused;
  const std::vector<LoanQuote> quotes = Quotes(*offer);
  const size_t first = static_cast<size_t>(st_.page) * kTermsPerPage;
  if (in == kKeyBack) {
    if (st_.page > 0) {
      --st_.page;
      return Terms("");
    }
    st_.page = static_cast<int>((std::find(Programme().purposes.begin(),
                                           Programme().purposes.end(), st_.purpose) -
                                 Programme().purposes.begin()) /
                                kPurposesPerPage);
    return Purposes("");
  }
  if (in == kKeyMore) {
    if (first + kTermsPerPage >= quotes.size()) return Terms(T("err_option"));
    ++st_.page;
    return Terms("");
  }
  const size_t on_page =
      first < quotes.size() ? std::min<size_t>(kTermsPerPage, quotes.size() - first) : 0;
  const int n = Choice(in, static_cast<int>(on_page));
  if (n == 0) return Terms(T("err_option"));
  st_.term = quotes[first + n - 1].term_months;
  return LoanConfirm("");
}

// The cost before any consent: instalment, total, rate, computed by the
// schedule code the disbursement uses (QuoteFor -> QuoteLoan).
Result<UssdReply> StepRunner::LoanConfirm(std::string_view note) {
  std::optional<UssdReply> refused;
  auto offer = Offer(&refused);
  if (!offer.ok()) return offer.status();
  if (refused) return *refused;
  const LoanProduct* product = ProductOf(e_.options_.loans, offer->partner_id, offer->currency);
  if (product == nullptr && offer->group_max_amount <= 0) {
    return LoanRefusedScreen(ctx_, "no_product", Programme().policy);
  }
  auto quote = OfferQuote(*offer, product, st_.amount, st_.term, ctx_.currency);
  if (!quote.ok()) return Terms(T("err_option"));  // the term no longer fits the amount
  st_.stage = Stage::kLoanConfirm;
  return LoanConfirmScreen(ctx_, *quote, note);
}

Result<UssdReply> StepRunner::OnLoanConfirm(std::string_view in) {
  if (in == "1") return LoanConsent("");
  if (in == "2") return MainMenu(T("loan_request_cancelled"));
  if (in == kKeyBack) return Terms("");
  return LoanConfirm(T("err_option"));
}

Result<UssdReply> StepRunner::LoanConsent(std::string_view note) {
  std::optional<UssdReply> refused;
  auto offer = Offer(&refused);
  if (!offer.ok()) return offer.status();
  if (refused) return *refused;
  st_.stage = Stage::kLoanConsent;
  return LoanConsentScreen(ctx_, st_.amount, st_.purpose, offer->partner_name, note);
}

Result<UssdReply> StepRunner::OnLoanConsent(std::string_view in) {
  if (in == "1") {
    LoanRequest request;
    request.member_id = member_.id;
    request.amount = st_.amount;
    request.purpose = st_.purpose;
    request.term_months = st_.term;
    request.consent = true;  // she chose "Confirm, share my record"
    request.channel = req_.channel;
    request.idempotency_key = StepKey();
    auto outcome = LoanBook().Request(request, MemberActor());
    if (!outcome.ok()) return outcome.status();
    if (!outcome->refusal.empty() || !outcome->loan.has_value()) {
      return LoanRefusedScreen(ctx_, outcome->refusal, Programme().policy);
    }
    const Loan& loan = *outcome->loan;
    SHG_RETURN_IF_ERROR(NotifyLoanChange(LoanChange{loan, {LoanState::kRequested}, true}));
    return LoanRequestedScreen(ctx_, loan.amount, loan.reference);
  }
  if (in == "2") return MainMenu(T("loan_request_cancelled"));
  if (in == kKeyBack) return LoanConfirm("");
  return LoanConsent(T("err_option"));
}

}  // namespace shg::dialogs
