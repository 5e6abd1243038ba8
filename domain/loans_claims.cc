// Loans: matching a member's claim of a repayment with the partner's report
// of the same payment, so that one payment is posted once (rules in loans.h,
// "Matching"). The callers (LogRepayment, DecideRepayment,
// RecordPartnerRepayment) decide which record posts; this file finds the
// other record and links them.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "domain/loans.h"
#include "domain/loans_internal.h"

namespace shg::loans_internal {
namespace {

using store::Connection;
using store::Statement;

// "Unmatched": no other record names it as the one that posted the payment
// (a pending claim never does; a confirmed one may).
#define SHG_UNMATCHED(r) \
  " NOT EXISTS (SELECT 1 FROM loan_repayments s WHERE s.settled_by = " r ".id)"

constexpr char kClaimByReference[] =
    "SELECT r.id FROM loan_repayments r WHERE r.loan_id = ? AND r.reference = ?"
    " AND r.amount = ? AND r.external_id IS NULL AND r.status IN ('pending', 'confirmed')"
    " AND" SHG_UNMATCHED("r");
constexpr char kClaimInWindow[] =
    "SELECT r.id FROM loan_repayments r WHERE r.loan_id = ?1 AND r.amount = ?2"
    " AND r.external_id IS NULL AND r.status IN ('pending', 'confirmed')"
    " AND r.created_at BETWEEN ?3 - ?4 AND ?3 + ?4 AND" SHG_UNMATCHED("r")
    " ORDER BY r.created_at, r.id LIMIT 1";
// A report's time is when the partner received the money, or when we
// recorded it if the partner did not say.
constexpr char kReportInWindow[] =
    "SELECT r.id FROM loan_repayments r WHERE r.loan_id = ?1 AND r.amount = ?2"
    " AND r.external_id IS NOT NULL AND r.status = 'confirmed'"
    " AND COALESCE(r.paid_at, r.created_at) BETWEEN ?3 - ?4 AND ?3 + ?4 AND" SHG_UNMATCHED("r")
    " ORDER BY COALESCE(r.paid_at, r.created_at), r.id LIMIT 1";
constexpr char kReportsNear[] =
    "SELECT r.id, r.reference, r.external_id, r.amount, COALESCE(r.paid_at, r.created_at),"
    " COALESCE(o.reference, '') FROM loan_repayments r"
    " LEFT JOIN loan_repayments o ON o.id = " SHG_REPAYMENT_OTHER("r")
    " WHERE r.loan_id = ?1 AND r.external_id IS NOT NULL"
    " AND COALESCE(r.paid_at, r.created_at) BETWEEN ?2 - ?3 AND ?2 + ?3"
    " ORDER BY COALESCE(r.paid_at, r.created_at), r.id";
constexpr char kSettleClaim[] =
    "UPDATE loan_repayments SET status = 'settled', settled_by = ?, decided_by = ?,"
    " decided_at = ? WHERE id = ? AND status = 'pending' AND external_id IS NULL";

#undef SHG_UNMATCHED

int64_t WindowSeconds(const LoanProgramme& programme) {
  return std::max(0, programme.claim_match_window_days) * kDaySeconds;
}

// The repayment of the first id a bound query returns, or nullopt.
Result<std::optional<RepaymentRow>> FirstRepayment(Connection& db, Statement& st) {
  Result<std::optional<int64_t>> id =
      store::QueryOptional(st, [](const Statement& row) { return row.Int(0); });
  if (!id.ok()) return id.status();
  if (!id->has_value()) return std::optional<RepaymentRow>();
  Result<RepaymentRow> r = LoadRepayment(db, **id);
  if (!r.ok()) return r.status();
  return std::optional<RepaymentRow>(std::move(*r));
}

}  // namespace

std::string NormalizeReference(const std::string& reference) {
  std::string out = reference;
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

Result<std::optional<RepaymentRow>> FindClaimFor(Connection& db, const LoanProgramme& programme,
                                                 int64_t loan_id, int64_t amount,
                                                 int64_t paid_at,
                                                 const std::string& claim_reference) {
  if (!claim_reference.empty()) {
    Statement& st = db.Prepare(kClaimByReference);
    st.Bind(1, loan_id).Bind(2, claim_reference).Bind(3, amount);
    Result<std::optional<RepaymentRow>> named = FirstRepayment(db, st);
    if (!named.ok() || named->has_value()) return named;
    // A reference that names no matchable claim of this amount is only a
    // hint: the window rule still keeps the payment from being posted twice.
  }
  if (programme.claim_match_window_days <= 0) return std::optional<RepaymentRow>();
  Statement& st = db.Prepare(kClaimInWindow);
  st.Bind(1, loan_id).Bind(2, amount).Bind(3, paid_at).Bind(4, WindowSeconds(programme));
  return FirstRepayment(db, st);
}

Result<std::optional<RepaymentRow>> FindReportFor(Connection& db, const LoanProgramme& programme,
                                                  int64_t loan_id, int64_t amount,
                                                  int64_t created_at) {
  if (programme.claim_match_window_days <= 0) return std::optional<RepaymentRow>();
  Statement& st = db.Prepare(kReportInWindow);
  st.Bind(1, loan_id).Bind(2, amount).Bind(3, created_at).Bind(4, WindowSeconds(programme));
  return FirstRepayment(db, st);
}

Status SettleClaim(Connection& db, const DomainContext& ctx, int64_t claim_id, int64_t by_id,
                   std::optional<int64_t> decided_by) {
  Statement& st = db.Prepare(kSettleClaim);
  st.Bind(1, by_id);
  if (decided_by) {
    st.Bind(2, *decided_by);
  } else {
    st.BindNull(2);
  }
  SHG_RETURN_IF_ERROR(st.Bind(3, ctx.now).Bind(4, claim_id).Run());
  if (db.Changes() != 1) return Status::FailedPrecondition("repayment is no longer pending");
  return Status::Ok();
}

Result<std::vector<PartnerReport>> ReportsNear(Connection& db, const LoanProgramme& programme,
                                               const Repayment& claim) {
  std::vector<PartnerReport> out;
  if (!claim.external_id.empty()) return out;
  Statement& st = db.Prepare(kReportsNear);
  st.Bind(1, claim.loan_id).Bind(2, claim.created_at).Bind(3, WindowSeconds(programme));
  return store::CollectRows(st, [](const Statement& row) {
    PartnerReport p;
    p.repayment_id = row.Int(0);
    p.reference = row.Text(1);
    p.payment_id = row.Text(2);
    p.amount = row.Int(3);
    p.paid_at = row.Int(4);
    p.matched_reference = row.Text(5);
    return p;
  });
}

}  // namespace shg::loans_internal

namespace shg {

Result<std::vector<PartnerReport>> Loans::PartnerReportsNear(int64_t repayment_id) {
  Result<loans_internal::RepaymentRow> row = loans_internal::LoadRepayment(db_, repayment_id);
  if (!row.ok()) return row.status();
  return loans_internal::ReportsNear(db_, programme_, row->repayment);
}

}  // namespace shg
