// The bodies of the partner callbacks (partner API contract), parsed into
// the domain's values. Pure: no store, no clock (the caller passes `now`
// for the optional times).
//
//   POST /partners/{partner_id}/loans/{reference}/decision
//     {"decision":"approved","amount_minor":1000000,"currency":"KES","term_months":6,
//      "interest_rule":"declining","annual_rate_bp":1800}
//     {"decision":"declined","reason":"Insufficient business history"}
//   POST .../disbursement
//     {"amount_minor":1000000,"currency":"KES","disbursed_at":1764230400,
//      "transaction_id":"IMR-TX-1"}
//   POST .../repayments
//     {"payment_id":"IMR-PAY-1","amount_minor":181667,"currency":"KES","paid_at":1766822400,
//      "claim_reference":"R7K2PX"}
//     claim_reference (optional): the reference of the member's own log of
//     this repayment, when the partner knows it (any case; the domain
//     matches it, see Loans::RecordPartnerRepayment).
//
// Rules: the body is one JSON object (members not listed are ignored, so a
// partner may send more); a repeated member counts once, the last;
// integers are JSON integer literals (no strings, no fractions, no
// exponents: 1000000.0 and 1e6 are refused, money never goes through a
// double); "currency" is optional (3 capital letters;
// the caller checks it against the loan's); disbursed_at / paid_at are
// optional (default `now`) and 0..253402300799 (year 9999) when present;
// ids (claim_reference too, when present) are 1..64 printable ASCII
// characters; a decline reason is 1..160 bytes of UTF-8 without control
// characters. Fields of the other decision are ignored ("reason" on an
// approval). Ranges the domain owns (the product's terms, amounts against
// the loan) are left to it.
//
// Errors are InvalidArgument with a short reason naming the field, never a
// value from the body: "malformed JSON", "body must be a JSON object",
// "missing field: amount_minor", "invalid field: decision"...
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/loans.h"
#include "domain/result.h"

namespace shg::partners {

struct DecisionCallback {
  PartnerDecision decision;
  std::string currency;  // "" = not given
};

struct DisbursementCallback {
  int64_t amount = 0;    // minor units, > 0
  std::string currency;  // "" = not given
  int64_t disbursed_at = 0;
  std::string transaction_id;
};

struct RepaymentCallback {
  std::string payment_id;
  int64_t amount = 0;    // minor units, > 0
  std::string currency;  // "" = not given
  int64_t paid_at = 0;
  std::string claim_reference;  // "" = not given
};

Result<DecisionCallback> ParseDecision(std::string_view body);
Result<DisbursementCallback> ParseDisbursement(std::string_view body, int64_t now);
Result<RepaymentCallback> ParseRepayment(std::string_view body, int64_t now);

}  // namespace shg::partners
