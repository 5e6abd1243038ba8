// Money: int64 minor units of a currency from the currency table. Never
// floating point. Thread-safe (pure functions over immutable tables).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/result.h"

namespace shg {

struct Currency {
  std::string code;   // ISO 4217, e.g. "KES"
  int exponent = 2;   // minor-unit digits: KES 2, UGX 0, TZS 2, RWF 0, INR 2
};

// The built-in table (KES, UGX, TZS, RWF, INR); NotFound for others.
Result<Currency> FindCurrency(std::string_view code);

// Parses an amount typed on a phone into minor units: digits only, optional
// thousands separators (",") in the right places, optional ".00"-style
// trailing zero fraction ("200", "1,500", "200.00"). Rejects empty, zero,
// negative, fractions of a unit, non-digits and amounts above
// `max_minor` (InvalidArgument, with a message naming the problem).
Result<int64_t> ParseAmountInput(std::string_view input, const Currency& currency,
                                 int64_t max_minor);

// "KES 12,500" (whole units with thousands separators); a non-zero fraction
// is shown: "KES 12,500.50". Negative amounts as "-KES 200".
std::string FormatMoney(int64_t minor, const Currency& currency);

// Whole units to minor units (e.g. 200 KES -> 20000). REQUIRES no overflow.
int64_t ToMinor(int64_t whole_units, const Currency& currency);

}  // namespace shg
