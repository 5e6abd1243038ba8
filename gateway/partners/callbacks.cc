#include "gateway/partners/callbacks.h"

#include <optional>

#include "gateway/channels/json.h"

namespace shg::partners {
namespace {

constexpr size_t kMaxIdBytes = 64;
constexpr size_t kMaxReasonBytes = 160;
constexpr int64_t kMaxTime = 253402300799;  // 9999-12-31T23:59:59Z
// Callback bodies are small; anything larger is not a callback.
constexpr channels::JsonLimits kLimits{16 * 1024, 8};

using Object = boost::json::object;

Status Missing(std::string_view field) {
  return Status::InvalidArgument("missing field: " + std::string(field));
}
Status Invalid(std::string_view field) {
  return Status::InvalidArgument("invalid field: " + std::string(field));
}

Result<Object> ParseObject(std::string_view body) {
  auto doc = channels::ParseJson(body, kLimits);
  if (!doc.ok()) return Status::InvalidArgument("malformed JSON");
  if (!doc->is_object()) return Status::InvalidArgument("body must be a JSON object");
  return std::move(doc->get_object());
}

// A required integer literal in [min, max] (never a fraction or a double:
// these are money and times).
Status RequiredInt(const Object& doc, std::string_view field, int64_t min, int64_t max,
                   int64_t* out) {
  const boost::json::value* v = doc.if_contains(field);
  if (v == nullptr || v->is_null()) return Missing(field);
  std::optional<int64_t> n = channels::JsonInt64(v);
  if (!n.has_value() || *n < min || *n > max) return Invalid(field);
  *out = *n;
  return Status::Ok();
}

// An optional integer in [min, max]; `*out` keeps its value when absent.
Status OptionalInt(const Object& doc, std::string_view field, int64_t min, int64_t max,
                   int64_t* out) {
  const boost::json::value* v = doc.if_contains(field);
  if (v == nullptr || v->is_null()) return Status::Ok();
  return RequiredInt(doc, field, min, max, out);
}

bool IsPrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

Status RequiredId(const Object& doc, std::string_view field, std::string* out) {
  const boost::json::value* v = doc.if_contains(field);
  if (v == nullptr || v->is_null()) return Missing(field);
  if (!v->is_string()) return Invalid(field);
  const std::string_view s = v->get_string();
  if (s.empty() || s.size() > kMaxIdBytes || !IsPrintableAscii(s)) return Invalid(field);
  *out = std::string(s);
  return Status::Ok();
}

// An optional id; `*out` keeps its value when absent or null.
Status OptionalId(const Object& doc, std::string_view field, std::string* out) {
  const boost::json::value* v = doc.if_contains(field);
  if (v == nullptr || v->is_null()) return Status::Ok();
  return RequiredId(doc, field, out);
}

Status OptionalCurrency(const Object& doc, std::string* out) {
  const boost::json::value* v = doc.if_contains("currency");
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (!v->is_string()) return Invalid("currency");
  const std::string_view s = v->get_string();
  if (s.size() != 3) return Invalid("currency");
  for (char c : s) {
    if (c < 'A' || c > 'Z') return Invalid("currency");
  }
  *out = std::string(s);
  return Status::Ok();
}

// Decoded strings are valid UTF-8 (channels/json.h); control characters are
// refused because the reason goes into an SMS.
bool IsShowableText(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

Result<DecisionCallback> ParseDecision(std::string_view body) {
  auto doc = ParseObject(body);
  if (!doc.ok()) return doc.status();
  DecisionCallback out;
  const boost::json::value* decision = doc->if_contains("decision");
  if (decision == nullptr || decision->is_null()) return Missing("decision");
  const std::string_view word = channels::JsonString(decision);
  if (!decision->is_string() || (word != "approved" && word != "declined")) {
    return Invalid("decision");
  }
  SHG_RETURN_IF_ERROR(OptionalCurrency(*doc, &out.currency));
  PartnerDecision& d = out.decision;
  d.approved = word == "approved";
  if (!d.approved) {
    const boost::json::value* reason = doc->if_contains("reason");
    if (reason == nullptr || reason->is_null()) return Missing("reason");
    if (!reason->is_string()) return Invalid("reason");
    const std::string_view text = reason->get_string();
    if (text.empty() || text.size() > kMaxReasonBytes || !IsShowableText(text)) {
      return Invalid("reason");
    }
    d.reason = std::string(text);
    return out;
  }
  SHG_RETURN_IF_ERROR(RequiredInt(*doc, "amount_minor", 1, kMaxLoanPrincipal, &d.amount));
  int64_t term = 0;
  SHG_RETURN_IF_ERROR(RequiredInt(*doc, "term_months", 1, kMaxLoanTermMonths, &term));
  d.term_months = static_cast<int>(term);
  const boost::json::value* rule = doc->if_contains("interest_rule");
  if (rule == nullptr || rule->is_null()) return Missing("interest_rule");
  if (rule->is_string() && rule->get_string() == "flat") {
    d.rule = InterestRule::kFlat;
  } else if (rule->is_string() && rule->get_string() == "declining") {
    d.rule = InterestRule::kDeclining;
  } else {
    return Invalid("interest_rule");
  }
  SHG_RETURN_IF_ERROR(
      RequiredInt(*doc, "annual_rate_bp", 0, kMaxLoanRateBp, &d.annual_rate_bp));
  return out;
}

Result<DisbursementCallback> ParseDisbursement(std::string_view body, int64_t now) {
  auto doc = ParseObject(body);
  if (!doc.ok()) return doc.status();
  DisbursementCallback out;
  SHG_RETURN_IF_ERROR(RequiredInt(*doc, "amount_minor", 1, kMaxLoanPrincipal, &out.amount));
  SHG_RETURN_IF_ERROR(OptionalCurrency(*doc, &out.currency));
  out.disbursed_at = now;
  SHG_RETURN_IF_ERROR(OptionalInt(*doc, "disbursed_at", 0, kMaxTime, &out.disbursed_at));
  SHG_RETURN_IF_ERROR(RequiredId(*doc, "transaction_id", &out.transaction_id));
  return out;
}

Result<RepaymentCallback> ParseRepayment(std::string_view body, int64_t now) {
  auto doc = ParseObject(body);
  if (!doc.ok()) return doc.status();
  RepaymentCallback out;
  SHG_RETURN_IF_ERROR(RequiredId(*doc, "payment_id", &out.payment_id));
  // A repayment can include interest: bounded by principal plus the largest
  // interest a schedule can carry, which kMaxLoanPrincipal x 6 covers.
  SHG_RETURN_IF_ERROR(RequiredInt(*doc, "amount_minor", 1, 6 * kMaxLoanPrincipal, &out.amount));
  SHG_RETURN_IF_ERROR(OptionalCurrency(*doc, &out.currency));
  out.paid_at = now;
  SHG_RETURN_IF_ERROR(OptionalInt(*doc, "paid_at", 0, kMaxTime, &out.paid_at));
  SHG_RETURN_IF_ERROR(OptionalId(*doc, "claim_reference", &out.claim_reference));
  return out;
}

}  // namespace shg::partners
