// The loan programme the domain runs with (domain/loans.h LoanProgramme),
// built from the validated settings ([loans], [[loan_purposes]],
// [[mfi_partners]]). The composition roots (gateway App, CLI) build it once.
//
// Conversion: policy, days and the group_loans switch copied; purposes in configuration order;
// one product per partner, in configuration order (a member's request goes
// to the first product in her group's currency), with its amounts turned
// from whole units into minor units of the partner's currency
// (domain/money.h ToMinor), its terms sorted ascending without duplicates,
// its interest rule, and has_api when the partner has an api_base_url.
// A partner whose currency is not in the built-in table (settings
// validation refuses it) gets no product.
//
// Thread-safety: pure.
#pragma once

#include "config/settings.h"
#include "domain/loans.h"

namespace shg::config {

LoanProgramme LoanProgrammeFrom(const Settings& settings);

}  // namespace shg::config
