#include "domain/ledger.h"

#include <string>
#include <vector>

namespace shg::ledger {
namespace {

using store::Connection;
using store::Statement;

constexpr char kInsertAccount[] =
    "INSERT INTO accounts (group_id, member_id, kind, type, normal, currency, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr char kGroupAccount[] =
    "SELECT id FROM accounts"
    " WHERE group_id = ? AND kind = ? AND member_id IS NULL AND partner_id IS NULL";
constexpr char kMemberAccount[] = "SELECT id FROM accounts WHERE member_id = ? AND kind = ?";
constexpr char kPartnerAccount[] =
    "SELECT id, currency FROM accounts"
    " WHERE group_id = ? AND partner_id = ? AND kind = 'mfi_clearing'";
constexpr char kGroupExists[] = "SELECT 1 FROM groups WHERE id = ?";
constexpr char kInsertPartnerAccount[] =
    "INSERT INTO accounts (group_id, partner_id, kind, type, normal, currency, created_at)"
    " VALUES (?, ?, 'mfi_clearing', 'liability', -1, ?, ?) RETURNING id";
constexpr char kInsertJournal[] =
    "INSERT INTO journals (group_id, kind, currency, reference, reverses_journal_id, memo,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr char kInsertPosting[] =
    "INSERT INTO postings (journal_id, account_id, amount) VALUES (?, ?, ?)";
// The WHERE clause is the currency/book check: a posting to an account of
// another group or currency changes no row and the journal is refused.
constexpr char kApplyToBalance[] =
    "UPDATE accounts SET balance = balance + ?"
    " WHERE id = ? AND group_id = ? AND currency = ?";
constexpr char kSelectJournal[] =
    "SELECT group_id, currency, reference, reverses_journal_id FROM journals WHERE id = ?";
constexpr char kReversalOf[] = "SELECT id FROM journals WHERE reverses_journal_id = ?";
constexpr char kJournalPostings[] =
    "SELECT account_id, amount FROM postings WHERE journal_id = ? ORDER BY id";

// --- checks (each returns the first offending row, if any) ---
constexpr char kCheckUnbalanced[] =
    "SELECT journal_id, SUM(amount) FROM postings GROUP BY journal_id"
    " HAVING SUM(amount) <> 0 LIMIT 1";
constexpr char kCheckTooFewPostings[] =
    "SELECT j.id, COUNT(p.id) FROM journals j LEFT JOIN postings p ON p.journal_id = j.id"
    " GROUP BY j.id HAVING COUNT(p.id) < 2 LIMIT 1";
constexpr char kCheckForeignAccount[] =
    "SELECT p.journal_id, p.account_id FROM postings p"
    " JOIN journals j ON j.id = p.journal_id JOIN accounts a ON a.id = p.account_id"
    " WHERE a.currency <> j.currency OR a.group_id <> j.group_id LIMIT 1";
constexpr char kCheckReversals[] =
    "SELECT r.id FROM journals r WHERE r.reverses_journal_id IS NOT NULL AND EXISTS ("
    "  SELECT 1 FROM postings p WHERE p.journal_id IN (r.id, r.reverses_journal_id)"
    "  GROUP BY p.account_id HAVING SUM(p.amount) <> 0) LIMIT 1";
constexpr char kCheckBalances[] =
    "SELECT a.id, a.balance, COALESCE(SUM(p.amount), 0) FROM accounts a"
    " LEFT JOIN postings p ON p.account_id = a.id GROUP BY a.id, a.balance"
    " HAVING a.balance <> COALESCE(SUM(p.amount), 0) LIMIT 1";

struct KindRow {
  AccountKind kind;
  const char* name;
  const char* type;
  int normal;  // +1 debit-normal, -1 credit-normal
};

constexpr KindRow kKinds[] = {
    {AccountKind::kGroupLoanFund, "group_loan_fund", "asset", 1},
    {AccountKind::kGroupSocialFund, "group_social_fund", "asset", 1},
    {AccountKind::kMemberSavings, "member_savings", "liability", -1},
    {AccountKind::kMemberLoan, "member_loan", "asset", 1},
    {AccountKind::kGroupIncome, "group_income", "income", -1},
    {AccountKind::kGroupSocialEquity, "group_social_equity", "equity", -1},
    {AccountKind::kGroupCarried, "group_carried", "equity", -1},
};

const KindRow& Row(AccountKind kind) {
  for (const KindRow& r : kKinds) {
    if (r.kind == kind) return r;
  }
  return kKinds[0];  // unreachable: every enumerator has a row
}

Status InsertAccount(Connection& db, int64_t group_id, int64_t member_id, AccountKind kind,
                     std::string_view currency, int64_t now) {
  const KindRow& row = Row(kind);
  Statement& st = db.Prepare(kInsertAccount);
  st.Bind(1, group_id);
  if (member_id != 0) {
    st.Bind(2, member_id);
  } else {
    st.BindNull(2);
  }
  return st.Bind(3, std::string_view(row.name))
      .Bind(4, std::string_view(row.type))
      .Bind(5, static_cast<int64_t>(row.normal))
      .Bind(6, currency)
      .Bind(7, now)
      .Run();
}

Result<int64_t> SingleId(Statement& st, std::string_view what) {
  return store::QueryOne(st, [](const Statement& row) { return row.Int(0); },
                         Status::NotFound(std::string(what)));
}

// OK when `st` has no row; else Internal with the message `describe(row)`
// makes of its first row (a check that found a broken invariant).
template <typename F>
Status FailOnRow(Statement& st, F&& describe) {
  Result<std::optional<std::string>> found = store::QueryOptional(st, describe);
  if (!found.ok()) return found.status();
  if (found->has_value()) return Status::Internal(**found);
  return Status::Ok();
}

// Writes a validated journal; runs inside Post's savepoint.
Result<int64_t> Write(Connection& db, const JournalEntry& e, int64_t reverses) {
  Statement& j = db.Prepare(kInsertJournal);
  j.Bind(1, e.group_id).Bind(2, e.kind).Bind(3, e.currency).Bind(4, e.reference);
  if (reverses != 0) {
    j.Bind(5, reverses);
  } else {
    j.BindNull(5);
  }
  j.Bind(6, e.memo).Bind(7, e.at);
  SHG_RETURN_IF_ERROR(j.Run());
  const int64_t journal_id = db.ReturnedId();

  for (const PostingLine& p : e.postings) {
    // Balance first: its WHERE clause refuses a foreign or unknown account
    // as InvalidArgument before the posting's foreign key would.
    SHG_RETURN_IF_ERROR(db.Prepare(kApplyToBalance)
                            .Bind(1, p.amount)
                            .Bind(2, p.account_id)
                            .Bind(3, e.group_id)
                            .Bind(4, e.currency)
                            .Run());
    if (db.Changes() != 1) {
      return Status::InvalidArgument("account " + std::to_string(p.account_id) +
                                     " is not in the " + std::string(e.currency) +
                                     " book of group " + std::to_string(e.group_id));
    }
    SHG_RETURN_IF_ERROR(
        db.Prepare(kInsertPosting).Bind(1, journal_id).Bind(2, p.account_id).Bind(3, p.amount).Run());
  }
  return journal_id;
}

Status Validate(const JournalEntry& e) {
  if (e.postings.size() < 2) return Status::InvalidArgument("a journal needs two or more postings");
  if (e.kind.empty() || e.currency.empty()) {
    return Status::InvalidArgument("a journal needs a kind and a currency");
  }
  int64_t sum = 0;
  for (const PostingLine& p : e.postings) {
    if (p.amount == 0) return Status::InvalidArgument("a posting amount is zero");
    if (__builtin_add_overflow(sum, p.amount, &sum)) {
      return Status::InvalidArgument("posting amounts overflow");
    }
  }
  if (sum != 0) {
    return Status::InvalidArgument("postings sum to " + std::to_string(sum) + ", not zero");
  }
  return Status::Ok();
}

Result<int64_t> PostImpl(Connection& db, const JournalEntry& e, int64_t reverses) {
  SHG_RETURN_IF_ERROR(Validate(e));
  return store::InSavepoint(db, [&] { return Write(db, e, reverses); });
}

}  // namespace

Status CreateGroupAccounts(Connection& db, int64_t group_id, std::string_view currency,
                           int64_t now) {
  for (AccountKind kind : {AccountKind::kGroupLoanFund, AccountKind::kGroupSocialFund,
                           AccountKind::kGroupIncome, AccountKind::kGroupSocialEquity,
                           AccountKind::kGroupCarried}) {
    SHG_RETURN_IF_ERROR(InsertAccount(db, group_id, 0, kind, currency, now));
  }
  return Status::Ok();
}

Status CreateMemberAccounts(Connection& db, int64_t group_id, int64_t member_id,
                            std::string_view currency, int64_t now) {
  SHG_RETURN_IF_ERROR(
      InsertAccount(db, group_id, member_id, AccountKind::kMemberSavings, currency, now));
  return InsertAccount(db, group_id, member_id, AccountKind::kMemberLoan, currency, now);
}

Result<int64_t> GroupAccount(Connection& db, int64_t group_id, AccountKind kind) {
  Statement& st = db.Prepare(kGroupAccount);
  st.Bind(1, group_id).Bind(2, std::string_view(Row(kind).name));
  return SingleId(st, std::string(Row(kind).name) + " account of group " +
                          std::to_string(group_id));
}

Result<int64_t> MemberAccount(Connection& db, int64_t member_id, AccountKind kind) {
  Statement& st = db.Prepare(kMemberAccount);
  st.Bind(1, member_id).Bind(2, std::string_view(Row(kind).name));
  return SingleId(st, std::string(Row(kind).name) + " account of member " +
                          std::to_string(member_id));
}

Result<int64_t> PartnerClearingAccount(Connection& db, int64_t group_id,
                                       std::string_view partner_id, std::string_view currency,
                                       int64_t now) {
  if (partner_id.empty()) return Status::InvalidArgument("a clearing account needs a partner");
  {
    Statement& st = db.Prepare(kPartnerAccount);
    st.Bind(1, group_id).Bind(2, partner_id);
    Result<std::optional<int64_t>> existing =
        store::QueryOptional(st, [&](const Statement& row) -> Result<int64_t> {
          if (row.Text(1) != currency) {
            return Status::Internal("clearing account of group " + std::to_string(group_id) +
                                    " with " + std::string(partner_id) + " is in " + row.Text(1));
          }
          return row.Int(0);
        });
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) return **existing;
  }
  {
    Statement& st = db.Prepare(kGroupExists);
    st.Bind(1, group_id);
    SHG_RETURN_IF_ERROR(SingleId(st, "group " + std::to_string(group_id)).status());
  }
  SHG_RETURN_IF_ERROR(db.Prepare(kInsertPartnerAccount)
                          .Bind(1, group_id)
                          .Bind(2, partner_id)
                          .Bind(3, currency)
                          .Bind(4, now)
                          .Run());
  return db.ReturnedId();
}

Result<int64_t> Post(Connection& db, const JournalEntry& entry) { return PostImpl(db, entry, 0); }

Result<int64_t> Reverse(Connection& db, int64_t journal_id, std::string_view memo, int64_t at) {
  int64_t group_id = 0;
  std::string currency;
  std::string reference;
  {
    Statement& st = db.Prepare(kSelectJournal);
    st.Bind(1, journal_id);
    Result<bool> read = store::QueryOne(
        st,
        [&](const Statement& row) -> Result<bool> {
          if (!row.IsNull(3)) {
            return Status::FailedPrecondition("journal " + std::to_string(journal_id) +
                                              " is a reversal; post a new entry instead");
          }
          group_id = row.Int(0);
          currency = row.Text(1);
          reference = row.Text(2);
          return true;
        },
        Status::NotFound("journal " + std::to_string(journal_id)));
    if (!read.ok()) return read.status();
  }
  {
    Statement& st = db.Prepare(kReversalOf);
    st.Bind(1, journal_id);
    Result<std::optional<int64_t>> reversal =
        store::QueryOptional(st, [](const Statement& row) { return row.Int(0); });
    if (!reversal.ok()) return reversal.status();
    if (reversal->has_value()) {
      return Status::FailedPrecondition("journal " + std::to_string(journal_id) +
                                        " is already reversed by journal " +
                                        std::to_string(**reversal));
    }
  }
  std::vector<PostingLine> lines;
  {
    Statement& st = db.Prepare(kJournalPostings);
    st.Bind(1, journal_id);
    SHG_RETURN_IF_ERROR(store::ForEachRow(st, [&lines](const Statement& row) {
      lines.push_back(PostingLine{row.Int(0), -row.Int(1)});
    }));
  }
  JournalEntry e;
  e.group_id = group_id;
  e.kind = "reversal";
  e.currency = currency;
  e.reference = reference;
  e.memo = memo;
  e.at = at;
  e.postings = lines;
  return PostImpl(db, e, journal_id);
}

Status Check(Connection& db) {
  SHG_RETURN_IF_ERROR(FailOnRow(db.Prepare(kCheckUnbalanced), [](const Statement& row) {
    return "journal " + std::to_string(row.Int(0)) + " sums to " +
           std::to_string(row.Int(1)) + ", not zero";
  }));
  SHG_RETURN_IF_ERROR(FailOnRow(db.Prepare(kCheckTooFewPostings), [](const Statement& row) {
    return "journal " + std::to_string(row.Int(0)) + " has " +
           std::to_string(row.Int(1)) + " posting(s)";
  }));
  SHG_RETURN_IF_ERROR(FailOnRow(db.Prepare(kCheckForeignAccount), [](const Statement& row) {
    return "journal " + std::to_string(row.Int(0)) + " posts to account " +
           std::to_string(row.Int(1)) + " of another group or currency";
  }));
  SHG_RETURN_IF_ERROR(FailOnRow(db.Prepare(kCheckReversals), [](const Statement& row) {
    return "reversal journal " + std::to_string(row.Int(0)) +
           " does not negate its original";
  }));
  SHG_RETURN_IF_ERROR(FailOnRow(db.Prepare(kCheckBalances), [](const Statement& row) {
    return "account " + std::to_string(row.Int(0)) + " caches balance " +
           std::to_string(row.Int(1)) + " but its postings sum to " +
           std::to_string(row.Int(2));
  }));
  return Status::Ok();
}

}  // namespace shg::ledger
