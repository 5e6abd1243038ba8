// Amounts typed by staff on the command line or in the fake partner's
// control URL: whole currency units with an optional fraction of at most the
// currency's minor-unit digits ("10000", "1816.67", "1816.5" = 1816.50 for
// KES; "250000" for UGX, which has no minor unit). Parsed exactly, without
// floating point. Thread-safe (pure).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/money.h"
#include "domain/result.h"

namespace shg::cli {

// The amount in minor units of `currency`. InvalidArgument (naming the
// problem, echoing the input) for: empty, a sign, anything but digits and
// one '.', a fraction longer than the currency's exponent (or any fraction
// for a currency without minor units), zero, or more than `max_minor`.
Result<int64_t> ParseUnits(std::string_view text, const Currency& currency, int64_t max_minor);

// The inverse: "1816.67", "10000" (no trailing ".00"), "-5.50"; what
// ParseUnits accepts back for positive amounts.
std::string UnitsText(int64_t minor, const Currency& currency);

// For display by staff tools: FormatMoney in `currency_code` ("KES 1,816.67"),
// or "<code> <minor> (minor units)" for a currency not in the table.
std::string MoneyText(int64_t minor, const std::string& currency_code);

}  // namespace shg::cli
