// Phone numbers: parsing to E.164 and masking for logs. Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "domain/result.h"

namespace shg {

// Parses a number as typed or as sent by a provider into E.164 ("+2547...").
// Accepts "+2547xxxxxxxx", "2547xxxxxxxx", "07xxxxxxxx" (national, using
// `default_country`: KE, UG, TZ, RW or IN), with spaces or dashes. Checks the
// country code and the national number length for those five countries.
// InvalidArgument otherwise.
Result<std::string> ParsePhone(std::string_view raw, std::string_view default_country);

// The ISO 3166 alpha-2 country ("KE") of an E.164 number as ParsePhone
// returns it, by its calling code; "" for any other input.
std::string_view PhoneCountry(std::string_view e164);

// "+254700000001" -> "+2547****0001": keeps the country code and first
// national digit, and the last four digits. Short or odd input is masked whole.
std::string MaskPhone(std::string_view e164);

}  // namespace shg
