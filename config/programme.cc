#include "config/programme.h"

#include <algorithm>

#include "domain/money.h"

namespace shg::config {

LoanProgramme LoanProgrammeFrom(const Settings& settings) {
  const LoanPolicySettings& l = settings.loans;
  LoanProgramme p;
  p.policy.min_months = l.min_months;
  p.policy.min_confirmed_savings = l.min_confirmed_savings;
  p.policy.savings_multiple = l.savings_multiple;
  p.policy.allow_topup = l.allow_topup;
  p.grace_days = l.grace_days;
  p.request_expiry_days = l.request_expiry_days;
  p.claim_match_window_days = l.claim_match_window_days;
  p.group_loans = l.group_loans;
  p.purposes = settings.loan_purposes;
  for (const MfiPartnerSettings& partner : settings.mfi_partners) {
    auto currency = FindCurrency(partner.currency);
    if (!currency.ok()) continue;
    LoanProduct product;
    product.partner_id = partner.id;
    product.partner_name = partner.name;
    product.currency = currency->code;
    product.min_amount = ToMinor(partner.min_amount_units, *currency);
    product.max_amount = ToMinor(partner.max_amount_units, *currency);
    product.terms_months = partner.terms_months;
    std::sort(product.terms_months.begin(), product.terms_months.end());
    product.terms_months.erase(
        std::unique(product.terms_months.begin(), product.terms_months.end()),
        product.terms_months.end());
    product.rule = partner.interest_rule == "flat" ? InterestRule::kFlat : InterestRule::kDeclining;
    product.annual_rate_bp = partner.annual_rate_bp;
    product.has_api = !partner.api_base_url.empty();
    p.products.push_back(std::move(product));
  }
  return p;
}

}  // namespace shg::config
