// The JSON reader and escaper live in domain/json.h (the referral document
// is built in the domain); the channel adapters use them under this name.
#pragma once

#include "domain/json.h"

namespace shg::channels {
using shg::IsValidUtf8;
using shg::JsonEscape;
using shg::JsonInteger;
using shg::JsonLimits;
using shg::JsonMember;
using shg::JsonQuote;
using shg::JsonValue;
using shg::ParseJson;
using shg::SanitizeUtf8;
}  // namespace shg::channels
