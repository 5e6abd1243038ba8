// Internal loans netted against a member's share-out (loans_internal.h).
#include <array>
#include <string>
#include <vector>

#include "domain/ledger.h"
#include "domain/loans_internal.h"

namespace shg::loans_internal {
namespace {

using store::Connection;
using store::Statement;

constexpr char kOpenGroupLoans[] = SHG_LOAN_SELECT
    " WHERE l.group_id = ? AND l.source = 'group' AND l.state IN ('disbursed', 'in_arrears')"
    " ORDER BY l.id";
constexpr char kRepaymentReferenceTaken[] = "SELECT 1 FROM loan_repayments WHERE reference = ?";
constexpr char kInsertNetted[] =
    "INSERT INTO loan_repayments (loan_id, member_id, group_id, amount, currency, reference,"
    " status, source, channel, created_at, decided_at, journal_id)"
    " VALUES (?, ?, ?, ?, ?, ?, 'confirmed', 'staff', 'share-out', ?, ?, ?)";

}  // namespace

Result<std::vector<Loan>> OpenGroupLoans(Connection& db, int64_t group_id) {
  Statement& st = db.Prepare(kOpenGroupLoans);
  st.Bind(1, group_id);
  return ReadLoans(st);
}

Status RepayFromShareOut(Connection& db, const DomainContext& ctx, const LoanProgramme& programme,
                         const Loan& loan, int64_t amount, const Actor& actor) {
  if (amount <= 0 || amount > loan.outstanding) {
    return Status::InvalidArgument("amount: 1.." + std::to_string(loan.outstanding) +
                                   " may be netted from loan " + loan.reference);
  }
  Result<std::string> reference = NewUniqueReference(db, kRepaymentReferenceTaken);
  if (!reference.ok()) return reference.status();
  Result<int64_t> savings =
      ledger::MemberAccount(db, loan.member_id, ledger::AccountKind::kMemberSavings);
  if (!savings.ok()) return savings.status();
  Result<int64_t> account =
      ledger::MemberAccount(db, loan.member_id, ledger::AccountKind::kMemberLoan);
  if (!account.ok()) return account.status();
  // Dr her savings (what the group owed her pays what she owes it) / Cr her loan.
  const std::array<ledger::PostingLine, 2> lines = {{{*savings, amount}, {*account, -amount}}};
  const std::string memo = "share-out repays loan " + loan.reference;
  ledger::JournalEntry e;
  e.group_id = loan.group_id;
  e.kind = "loan_repayment";
  e.currency = loan.currency;
  e.reference = *reference;
  e.memo = memo;
  e.at = ctx.now;
  e.postings = lines;
  Result<int64_t> journal = ledger::Post(db, e);
  if (!journal.ok()) return journal.status();
  SHG_RETURN_IF_ERROR(db.Prepare(kInsertNetted)
                          .Bind(1, loan.id)
                          .Bind(2, loan.member_id)
                          .Bind(3, loan.group_id)
                          .Bind(4, amount)
                          .Bind(5, loan.currency)
                          .Bind(6, *reference)
                          .Bind(7, ctx.now)
                          .Bind(8, ctx.now)
                          .Bind(9, *journal)
                          .Run());
  SHG_RETURN_IF_ERROR(AuditLoan(db, ctx, loan.id, "repayment_share_out", actor,
                                "ref=" + *reference + " amount=" + std::to_string(amount)));
  Loan fresh = loan;
  std::vector<LoanState> entered;
  return SettleAfterRepayment(db, ctx, programme, fresh, actor, entered);
}

}  // namespace shg::loans_internal
