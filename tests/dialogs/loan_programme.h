// The loan programme of the dialog tests: one product, "Imara
// Microfinance", KES 1,000 to 100,000 over 3, 6 or 12 months at 18% a year
// on the declining balance, with an API; the eight default purposes; the
// default policy (3 months, 6 confirmed savings, 3 x savings).
#pragma once

#include "domain/loans.h"

namespace shg::dialogs {

inline LoanProgramme TestLoanProgramme() {
  LoanProgramme p;
  p.purposes = {"vegetable_farming", "bakery",    "tailoring",   "beauty_salon",
                "bicycle_repair",    "livestock", "retail_shop", "other_business"};
  LoanProduct imara;
  imara.partner_id = "imara";
  imara.partner_name = "Imara Microfinance";
  imara.currency = "KES";
  imara.min_amount = 1'000'00;
  imara.max_amount = 100'000'00;
  imara.terms_months = {3, 6, 12};
  imara.rule = InterestRule::kDeclining;
  imara.annual_rate_bp = 1800;
  imara.has_api = true;
  p.products.push_back(imara);
  return p;
}

}  // namespace shg::dialogs
