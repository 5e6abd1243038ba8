// Services: savings (log, decide, reverse), balances, statement and the
// group summary.
#include <array>
#include <string>

#include "domain/ledger.h"
#include "domain/paging.h"
#include "domain/officers.h"
#include "domain/refcode.h"
#include "domain/services.h"

namespace shg {
namespace {

using store::Statement;

constexpr char kMemberBook[] =
    "SELECT m.group_id, g.currency, m.status, m.name,"
    " (SELECT c.id FROM cycles c WHERE c.group_id = m.group_id"
    "   AND c.state IN ('active', 'closing'))"
    " FROM members m JOIN groups g ON g.id = m.group_id"
    " WHERE m.id = ?";
// A confirmed saving may be reversed only while its cycle is open: a
// shared-out cycle's savings were paid out.
constexpr char kSavingCycleOpen[] =
    "SELECT 1 FROM savings s JOIN cycles c ON c.id = s.cycle_id"
    " WHERE s.id = ? AND c.state IN ('active', 'closing')";
// DO NOTHING on any uniqueness conflict: the caller then tells an
// idempotency-key replay from a reference collision (see LogSaving).
constexpr char kInsertSaving[] =
    "INSERT INTO savings (member_id, group_id, amount, currency, reference, idempotency_key,"
    " channel, created_at, cycle_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id";
// The three saving queries share their column order (see ReadSaving).
constexpr char kSavingById[] =
    "SELECT s.id, s.member_id, s.group_id, s.amount, s.currency, s.status, s.reference,"
    " s.created_at, m.name FROM savings s JOIN members m ON m.id = s.member_id"
    " WHERE s.id = ?";
constexpr char kSavingByKey[] =
    "SELECT s.id, s.member_id, s.group_id, s.amount, s.currency, s.status, s.reference,"
    " s.created_at, m.name FROM savings s JOIN members m ON m.id = s.member_id"
    " WHERE s.idempotency_key = ?";
constexpr char kPendingSavings[] =
    "SELECT s.id, s.member_id, s.group_id, s.amount, s.currency, s.status, s.reference,"
    " s.created_at, m.name FROM savings s JOIN members m ON m.id = s.member_id"
    " WHERE s.group_id = ? AND s.status = 'pending' ORDER BY s.created_at, s.id LIMIT ? OFFSET ?";
constexpr char kSavingForDecision[] =
    "SELECT member_id, group_id, amount, currency, status, reference, journal_id,"
    " reversal_journal_id FROM savings WHERE id = ?";
constexpr char kConfirmSaving[] =
    "UPDATE savings SET status = 'confirmed', decided_by = ?, decided_at = ?, journal_id = ?"
    " WHERE id = ? AND status = 'pending'";
constexpr char kRejectSaving[] =
    "UPDATE savings SET status = 'rejected', decided_by = ?, decided_at = ?"
    " WHERE id = ? AND status = 'pending'";
constexpr char kMarkReversed[] =
    "UPDATE savings SET reversal_journal_id = ?"
    " WHERE id = ? AND status = 'confirmed' AND reversal_journal_id IS NULL";
// Displayed balances: balance * normal (credit-normal savings show positive).
constexpr char kBalances[] =
    "SELECT g.currency,"
    " (SELECT balance * normal FROM accounts WHERE member_id = m.id AND kind = 'member_savings'),"
    " (SELECT COALESCE(SUM(amount), 0) FROM savings"
    "   WHERE member_id = m.id AND status = 'pending'),"
    " (SELECT balance * normal FROM accounts WHERE group_id = m.group_id"
    "   AND kind = 'group_loan_fund' AND member_id IS NULL AND partner_id IS NULL),"
    " (SELECT balance * normal FROM accounts WHERE group_id = m.group_id"
    "   AND kind = 'group_social_fund' AND member_id IS NULL AND partner_id IS NULL),"
    " (SELECT balance * normal FROM accounts WHERE member_id = m.id AND kind = 'member_loan')"
    " FROM members m JOIN groups g ON g.id = m.group_id WHERE m.id = ?";
// A reversed saving shows twice: the saving as confirmed, and the reversal
// (negative, at the reversal's time) so the statement adds up to her balance.
// The running balance sums the posted lines (a confirmed saving, and its
// reversal, which keeps the saving's status) over all her lines, oldest
// first: the window runs before LIMIT/OFFSET, so every page is exact.
constexpr char kStatement[] =
    "SELECT at, kind, amount, status, reference,"
    " SUM(CASE WHEN status = 'confirmed' THEN amount ELSE 0 END)"
    "  OVER (ORDER BY at, ord, sub ROWS UNBOUNDED PRECEDING) FROM ("
    " SELECT s.created_at AS at, 'saving' AS kind, s.amount AS amount, s.status AS status,"
    "  s.reference AS reference, s.id AS ord, 0 AS sub FROM savings s WHERE s.member_id = ?1"
    " UNION ALL"
    " SELECT j.created_at, 'reversal', -s.amount, s.status, s.reference, s.id, 1"
    "  FROM savings s JOIN journals j ON j.id = s.reversal_journal_id WHERE s.member_id = ?1) AS lines"
    " ORDER BY at DESC, ord DESC, sub DESC LIMIT ?2 OFFSET ?3";
constexpr char kMemberExists[] = "SELECT 1 FROM members WHERE id = ?";
constexpr char kGroupCounts[] =
    "SELECT (SELECT COUNT(*) FROM members WHERE group_id = ?1 AND status = 'active'),"
    " (SELECT COALESCE(SUM(balance * normal), 0) FROM accounts"
    "   WHERE group_id = ?1 AND kind = 'member_savings'),"
    // Loans out: disbursed and not yet repaid (domain/loans.h).
    " (SELECT COUNT(*) FROM loans WHERE group_id = ?1 AND state IN ('disbursed', 'in_arrears'))";

Result<SavingStatus> ParseSavingStatus(std::string_view s) {
  if (s == "pending") return SavingStatus::kPending;
  if (s == "confirmed") return SavingStatus::kConfirmed;
  if (s == "rejected") return SavingStatus::kRejected;
  return Status::Internal("unknown saving status '" + std::string(s) + "'");
}

Result<Saving> ReadSaving(const Statement& st) {
  Saving s;
  s.id = st.Int(0);
  s.member_id = st.Int(1);
  s.group_id = st.Int(2);
  s.amount = st.Int(3);
  s.currency = st.Text(4);
  Result<SavingStatus> status = ParseSavingStatus(st.Text(5));
  if (!status.ok()) return status.status();
  s.status = *status;
  s.reference = st.Text(6);
  s.created_at = st.Int(7);
  s.member_name = st.Text(8);
  return s;
}

// Runs a query expected to return at most one saving.
Result<std::optional<Saving>> OneSaving(Statement& st) {
  return store::QueryOptional(st, ReadSaving);
}


// What deciding or reversing a saving needs to know about it.
struct SavingForDecision {
  int64_t member_id = 0;
  int64_t group_id = 0;
  int64_t amount = 0;
  std::string currency;
  std::string status;
  std::string reference;
  int64_t journal_id = 0;  // 0 until confirmed
  bool reversed = false;
};

Result<SavingForDecision> LoadSavingForDecision(store::Connection& db, int64_t saving_id) {
  Statement& st = db.Prepare(kSavingForDecision);
  st.Bind(1, saving_id);
  return store::QueryOne(
      st,
      [](const Statement& row) {
        SavingForDecision s;
        s.member_id = row.Int(0);
        s.group_id = row.Int(1);
        s.amount = row.Int(2);
        s.currency = row.Text(3);
        s.status = row.Text(4);
        s.reference = row.Text(5);
        s.journal_id = row.IsNull(6) ? 0 : row.Int(6);
        s.reversed = !row.IsNull(7);
        return s;
      },
      Status::NotFound("saving " + std::to_string(saving_id)));
}

}  // namespace

// ------------------------------------------------------------------ savings

Result<Saving> Services::LogSaving(int64_t member_id, int64_t amount, const std::string& channel,
                                   const std::string& idempotency_key) {
  if (amount <= 0) return Status::InvalidArgument("amount must be more than zero");
  int64_t group_id = 0;
  std::string currency;
  std::string name;
  int64_t cycle_id = 0;
  {
    Statement& st = db_.Prepare(kMemberBook);
    st.Bind(1, member_id);
    Result<bool> read = store::QueryOne(
        st,
        [&](const Statement& row) -> Result<bool> {
          if (row.Text(2) != "active") {
            return Status::FailedPrecondition("member " + std::to_string(member_id) +
                                              " is not active");
          }
          group_id = row.Int(0);
          currency = row.Text(1);
          name = row.Text(3);
          if (row.IsNull(4)) {
            return Status::FailedPrecondition("cycle: the group has no active cycle");
          }
          cycle_id = row.Int(4);
          return true;
        },
        Status::NotFound("member " + std::to_string(member_id)));
    if (!read.ok()) return read.status();
  }

  return WithFreshReference<Saving>([&](const std::string& reference)
                                         -> Result<std::optional<Saving>> {
    Statement& ins = db_.Prepare(kInsertSaving);
    ins.Bind(1, member_id).Bind(2, group_id).Bind(3, amount).Bind(4, currency).Bind(5, reference);
    if (idempotency_key.empty()) {
      ins.BindNull(6);
    } else {
      ins.Bind(6, idempotency_key);
    }
    SHG_RETURN_IF_ERROR(ins.Bind(7, channel).Bind(8, ctx_.now).Bind(9, cycle_id).Run());
    if (db_.Changes() == 1) {
      Saving s;
      s.id = db_.ReturnedId();
      s.member_id = member_id;
      s.group_id = group_id;
      s.amount = amount;
      s.currency = currency;
      s.status = SavingStatus::kPending;
      s.reference = reference;
      s.created_at = ctx_.now;
      s.member_name = std::move(name);
      return std::optional<Saving>(std::move(s));
    }
    // Nothing inserted: either this key was used before (a retried request)
    // or the reference collided (an empty answer: try another).
    if (!idempotency_key.empty()) {
      Statement& st = db_.Prepare(kSavingByKey);
      st.Bind(1, idempotency_key);
      Result<std::optional<Saving>> prior = OneSaving(st);
      if (!prior.ok()) return prior.status();
      if (prior->has_value()) {
        if ((*prior)->member_id != member_id) {
          return Status::AlreadyExists("idempotency key already used for another member");
        }
        return prior;
      }
    }
    return std::optional<Saving>();
  });
}

Result<std::vector<Saving>> Services::PendingSavings(int64_t group_id, int limit, int offset) {
  SHG_RETURN_IF_ERROR(CheckPage(limit, offset));
  Statement& st = db_.Prepare(kPendingSavings);
  st.Bind(1, group_id).Bind(2, static_cast<int64_t>(limit)).Bind(3, static_cast<int64_t>(offset));
  return store::CollectRows(st, ReadSaving);
}

Result<Saving> Services::GetSaving(int64_t saving_id) {
  Statement& st = db_.Prepare(kSavingById);
  st.Bind(1, saving_id);
  Result<std::optional<Saving>> s = OneSaving(st);
  if (!s.ok()) return s.status();
  if (!s->has_value()) return Status::NotFound("saving " + std::to_string(saving_id));
  return std::move(**s);
}

Status Services::DecideSaving(int64_t saving_id, int64_t decider_member_id, bool confirm) {
  Result<SavingForDecision> saving = LoadSavingForDecision(db_, saving_id);
  if (!saving.ok()) return saving.status();
  const int64_t member_id = saving->member_id;
  const int64_t group_id = saving->group_id;
  const int64_t amount = saving->amount;
  const std::string& currency = saving->currency;
  const std::string& status = saving->status;
  const std::string& reference = saving->reference;
  SHG_RETURN_IF_ERROR(officers::CheckDecider(db_, decider_member_id, group_id, member_id,
                                             "savings", "saving"));
  if (status != "pending") {
    return Status::FailedPrecondition("saving " + reference + " is already " + status);
  }

  if (!confirm) {
    SHG_RETURN_IF_ERROR(db_.Prepare(kRejectSaving)
                            .Bind(1, decider_member_id)
                            .Bind(2, ctx_.now)
                            .Bind(3, saving_id)
                            .Run());
    if (db_.Changes() != 1) return Status::FailedPrecondition("saving is no longer pending");
    return Status::Ok();
  }

  return store::InSavepoint(db_, [&]() -> Status {
    Result<int64_t> fund = ledger::GroupAccount(db_, group_id, ledger::AccountKind::kGroupLoanFund);
    if (!fund.ok()) return fund.status();
    Result<int64_t> savings =
        ledger::MemberAccount(db_, member_id, ledger::AccountKind::kMemberSavings);
    if (!savings.ok()) return savings.status();
    // Dr group loan fund (cash in) / Cr her savings (owed to her).
    const std::array<ledger::PostingLine, 2> lines = {{{*fund, amount}, {*savings, -amount}}};
    ledger::JournalEntry e;
    e.group_id = group_id;
    e.kind = "saving";
    e.currency = currency;
    e.reference = reference;
    e.at = ctx_.now;
    e.postings = lines;
    Result<int64_t> journal = ledger::Post(db_, e);
    if (!journal.ok()) return journal.status();
    SHG_RETURN_IF_ERROR(db_.Prepare(kConfirmSaving)
                            .Bind(1, decider_member_id)
                            .Bind(2, ctx_.now)
                            .Bind(3, *journal)
                            .Bind(4, saving_id)
                            .Run());
    if (db_.Changes() != 1) return Status::FailedPrecondition("saving is no longer pending");
    return Status::Ok();
  });
}

Status Services::ReverseSaving(int64_t saving_id, const std::string& reason) {
  if (reason.empty()) return Status::InvalidArgument("a reversal needs a reason");
  Result<SavingForDecision> saving = LoadSavingForDecision(db_, saving_id);
  if (!saving.ok()) return saving.status();
  if (saving->status != "confirmed") {
    return Status::FailedPrecondition("saving " + saving->reference + " is not confirmed");
  }
  if (saving->reversed) {
    return Status::FailedPrecondition("saving " + saving->reference + " is already reversed");
  }
  {
    Statement& st = db_.Prepare(kSavingCycleOpen);
    st.Bind(1, saving_id);
    Result<bool> open = store::HasRow(st);
    if (!open.ok()) return open.status();
    if (!*open) {
      return Status::FailedPrecondition("saving " + saving->reference +
                                        " belongs to a cycle already shared out");
    }
  }
  const int64_t journal_id = saving->journal_id;
  return store::InSavepoint(db_, [&]() -> Status {
    Result<int64_t> reversal = ledger::Reverse(db_, journal_id, reason, ctx_.now);
    if (!reversal.ok()) return reversal.status();
    SHG_RETURN_IF_ERROR(db_.Prepare(kMarkReversed).Bind(1, *reversal).Bind(2, saving_id).Run());
    if (db_.Changes() != 1) return Status::FailedPrecondition("saving is already reversed");
    return Status::Ok();
  });
}

// ---------------------------------------------------- balances and statement

Result<Balances> Services::BalancesFor(int64_t member_id) {
  Statement& st = db_.Prepare(kBalances);
  st.Bind(1, member_id);
  return store::QueryOne(
      st,
      [](const Statement& row) {
        Balances b;
        b.currency = row.Text(0);
        b.savings_confirmed = row.Int(1);
        b.savings_pending = row.Int(2);
        b.group_fund = row.Int(3);
        b.social_fund = row.Int(4);
        b.loan_outstanding = row.Int(5);
        return b;
      },
      Status::NotFound("member " + std::to_string(member_id)));
}

Result<std::vector<StatementLine>> Services::StatementFor(int64_t member_id, int limit,
                                                          int offset) {
  SHG_RETURN_IF_ERROR(CheckPage(limit, offset));
  {
    Statement& st = db_.Prepare(kMemberExists);
    st.Bind(1, member_id);
    Result<bool> exists = store::HasRow(st);
    if (!exists.ok()) return exists.status();
    if (!*exists) return Status::NotFound("member " + std::to_string(member_id));
  }
  Statement& st = db_.Prepare(kStatement);
  st.Bind(1, member_id).Bind(2, static_cast<int64_t>(limit)).Bind(3, static_cast<int64_t>(offset));
  return store::CollectRows(st, [](const Statement& row) -> Result<StatementLine> {
    StatementLine line;
    line.at = row.Int(0);
    line.kind = row.Text(1);
    line.amount = row.Int(2);
    Result<SavingStatus> status = ParseSavingStatus(row.Text(3));
    if (!status.ok()) return status.status();
    line.status = *status;
    line.reference = row.Text(4);
    line.balance_after = row.Int(5);
    return line;
  });
}

Result<GroupSummary> Services::GroupSummaryFor(int64_t group_id) {
  Result<Group> group = GetGroup(group_id);
  if (!group.ok()) return group.status();
  Statement& st = db_.Prepare(kGroupCounts);
  st.Bind(1, group_id);
  return store::QueryOne(
      st,
      [&group](const Statement& row) {
        GroupSummary out;
        out.group = std::move(*group);
        out.members = static_cast<int>(row.Int(0));
        out.group_savings = row.Int(1);
        out.loans_out = static_cast<int>(row.Int(2));
        return out;
      },
      Status::Internal("group summary query returned no row"));
}

}  // namespace shg
