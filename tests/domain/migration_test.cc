// Migrations of populated databases written by earlier builds: SQL dumps
// (sqlite3 .dump) of files the released code wrote, kept under
// tests/domain/data/, loaded into a fresh file and migrated with this build.
//   loans_v3.sql      migration 3: a disbursed MFI loan with repayments in
//                     every status (written by the migration-3 code)
//   populated_v7.sql  migration 7: three groups (KES, TZS, UGX) with members,
//                     confirmed, pending and reversed savings, an MFI loan
//                     disbursed with a partner report, a confirmed claim and a
//                     pending one (written by the issue-10 build, 7beb3bd)
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "domain/cycles.h"
#include "domain/ledger.h"
#include "domain/loans.h"
#include "domain/store/store.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

using store::Connection;
using store::SqliteConnection;
using store::ScopedReset;
using store::Statement;
using TempDb = shg::testing::TempSqliteFile;

constexpr int64_t kDay = 86400;

constexpr char kIntegrityCheck[] = "PRAGMA integrity_check";
constexpr char kForeignKeyCheck[] = "PRAGMA foreign_key_check";
constexpr char kForeignKeysOn[] = "PRAGMA foreign_keys=ON";
constexpr char kSchemaNames[] =
    "SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger')"
    " AND name NOT LIKE 'sqlite_%' ORDER BY 1";

std::string ReadDump(const std::string& name) {
  std::ifstream in(std::string(SHG_SOURCE_DIR) + "/tests/domain/data/" + name);
  EXPECT_TRUE(in.good()) << name;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

template <typename T>
T Must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : T{};
}

// A database file loaded from a dump, foreign keys enforced as the gateway
// runs them.
class MigrationTest : public ::testing::Test {
 protected:
  void Load(const std::string& dump) {
    store::ConnectionOptions o;
    o.synchronous = "OFF";
    auto db = SqliteConnection::Open(tmp_.path(), o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Exec(ReadDump(dump)).ok());
    ASSERT_TRUE(db_->Exec(kForeignKeysOn).ok());  // the dump turns them off
    ctx_.pins = &pins_;
    programme_.claim_match_window_days = 7;
    LoanProduct imara;
    imara.partner_id = "imara";
    imara.partner_name = "Imara Microfinance";
    imara.currency = "KES";
    imara.min_amount = 500000;
    imara.max_amount = 5000000;
    imara.terms_months = {3, 6, 12};
    imara.rule = InterestRule::kFlat;
    imara.annual_rate_bp = 1800;
    imara.has_api = true;
    programme_.products = {imara};
  }

  // Every row of `sql`, its columns joined by '|'.
  std::vector<std::string> Rows(const char* sql, int columns) {
    Statement& st = db_->Prepare(sql);
    ScopedReset reset(st);
    std::vector<std::string> out;
    for (;;) {
      Result<bool> row = st.Step();
      EXPECT_TRUE(row.ok()) << row.status().ToString();
      if (!row.ok() || !*row) break;
      std::string line;
      for (int i = 0; i < columns; ++i) line += st.Text(i) + "|";
      out.push_back(line);
    }
    return out;
  }
  int64_t Int(const char* sql) {
    Statement& st = db_->Prepare(sql);
    ScopedReset reset(st);
    Result<bool> row = st.Step();
    EXPECT_TRUE(row.ok() && *row);
    return st.Int(0);
  }
  void ExpectSound() {
    EXPECT_EQ(Rows(kIntegrityCheck, 1), std::vector<std::string>{"ok|"});
    EXPECT_TRUE(Rows(kForeignKeyCheck, 4).empty());
    Status s = ledger::Check(*db_);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  Services svc() { return Services(*db_, ctx_); }
  Loans loans() { return Loans(*db_, ctx_, programme_); }
  Cycles cycles() { return Cycles(*db_, ctx_, programme_); }

  TempDb tmp_;
  std::unique_ptr<Connection> db_;
  PinHasher pins_{"0123456789abcdef-test-pepper"};
  DomainContext ctx_;
  LoanProgramme programme_;
};

// ----------------------------------------------- migration 5 from a v3 file

constexpr char kRepaymentRows[] =
    "SELECT id, loan_id, member_id, group_id, amount, currency, reference, status, source,"
    " COALESCE(external_id, '-'), COALESCE(paid_at, -1), COALESCE(idempotency_key, '-'), channel,"
    " created_at, COALESCE(decided_by, -1), COALESCE(decided_at, -1), COALESCE(journal_id, -1)"
    " FROM loan_repayments ORDER BY id";
constexpr char kRepaymentObject[] =
    "SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = 'loan_repayments' AND name = ?";
constexpr char kCountSettledBy[] =
    "SELECT COUNT(*) FROM loan_repayments WHERE settled_by IS NOT NULL";
constexpr char kUnconfirm[] = "UPDATE loan_repayments SET status = 'pending' WHERE id = ?";
constexpr char kDeleteRepayments[] = "DELETE FROM loan_repayments";
constexpr char kSettleBy[] =
    "UPDATE loan_repayments SET status = 'settled', settled_by = ?2, decided_at = 1 WHERE id = ?1";
constexpr char kRepoint[] = "UPDATE loan_repayments SET settled_by = ? WHERE id = ?";
constexpr char kDuplicatePayment[] =
    "INSERT INTO loan_repayments (loan_id, member_id, group_id, amount, currency, reference,"
    " status, source, external_id, created_at, decided_at, journal_id)"
    " SELECT loan_id, member_id, group_id, amount, currency, 'DUP222', 'rejected', source,"
    " external_id, created_at, decided_at, NULL FROM loan_repayments WHERE id = ?";

// Members and rows of loans_v3.sql.
constexpr int64_t kV3Now = 1717200000;  // 2024-06-01, the time the dump was written at
constexpr int64_t kWanjiru = 1;  // treasurer of Upendo
constexpr int64_t kV3Loan = 1;
constexpr int64_t kInstalment = 181667;  // as the migration-3 test posted it
constexpr int64_t kCharged = 1090000;    // KES 10,000 + 900 interest

TEST_F(MigrationTest, Migration5KeepsEveryRepaymentAndTrigger) {
  ASSERT_NO_FATAL_FAILURE(Load("loans_v3.sql"));
  ASSERT_EQ(Int("SELECT MAX(version) FROM schema_migrations"), 3);
  const std::vector<std::string> before = Rows(kRepaymentRows, 17);
  ASSERT_EQ(before.size(), 5u);

  Result<int> version = store::Migrate(*db_);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, store::LatestSchemaVersion());
  EXPECT_EQ(Rows(kRepaymentRows, 17), before);
  EXPECT_EQ(Int(kCountSettledBy), 0);
  ExpectSound();
  for (const char* name :
       {"loan_repayments_external", "loan_repayments_loan", "loan_repayments_group_pending",
        "loan_repayments_settled_by", "loan_repayments_decided_once", "loan_repayments_no_delete",
        "loan_repayments_settled_fixed", "loan_repayments_settled_insert",
        "loan_repayments_settled_update"}) {
    Statement& st = db_->Prepare(kRepaymentObject);
    ScopedReset reset(st);
    st.Bind(1, std::string_view(name));
    ASSERT_TRUE(*st.Step());
    EXPECT_EQ(st.Int(0), 1) << name;
  }
  ctx_.now = kV3Now;
  const int64_t outstanding = Must(loans().Get(kV3Loan)).outstanding;
  EXPECT_EQ(outstanding, kCharged - 2 * kInstalment - 2000);

  // The old guards still hold.
  const std::vector<Repayment> stored = Must(loans().RepaymentsOf(kV3Loan));
  ASSERT_EQ(stored.size(), 5u);
  EXPECT_FALSE(db_->Prepare(kUnconfirm).Bind(1, stored[2].id).Run().ok());  // decided once
  EXPECT_FALSE(db_->Prepare(kDeleteRepayments).Run().ok());
  EXPECT_EQ(db_->Prepare(kDuplicatePayment).Bind(1, stored[3].id).Run().code(),
            Status::Code::kAlreadyExists);
  // The new ones: settled only by a posted record of the same payment of
  // the other kind, once.
  const auto settle = [&](const Repayment& r, const Repayment& by) {
    return db_->Prepare(kSettleBy).Bind(1, r.id).Bind(2, by.id).Run();
  };
  EXPECT_FALSE(settle(stored[0], stored[4]).ok());  // another amount
  EXPECT_FALSE(settle(stored[0], stored[1]).ok());  // not posted
  EXPECT_FALSE(settle(stored[0], stored[2]).ok());  // a claim by a claim
  EXPECT_EQ(Rows(kRepaymentRows, 17), before);

  // The claim and report that both predate the migration are one payment:
  // confirming the claim settles it instead of posting it twice.
  EXPECT_EQ(stored[0].status, RepaymentStatus::kPending);
  ctx_.now = kV3Now + 2 * kDay;
  const Actor wanjiru{"member", std::to_string(kWanjiru), "ussd", "req-1"};
  RepaymentChange c = Must(loans().DecideRepayment(stored[0].id, kWanjiru, true, wanjiru));
  EXPECT_FALSE(c.posted);
  EXPECT_EQ(c.repayment.status, RepaymentStatus::kSettled);
  EXPECT_EQ(c.repayment.matched_payment_id, "PAY-0");
  EXPECT_EQ(Must(loans().Get(kV3Loan)).outstanding, outstanding);
  EXPECT_FALSE(db_->Prepare(kRepoint).Bind(1, stored[4].id).Bind(2, stored[0].id).Run().ok());
  EXPECT_EQ(Must(loans().RepaymentsOf(kV3Loan))[0].matched_id, stored[3].id);
  ExpectSound();
}

// ----------------------------------------------- migration 8 from a v7 file

constexpr char kAccountRows[] =
    "SELECT id, group_id, COALESCE(member_id, '-'), COALESCE(partner_id, '-'), kind, type,"
    " normal, currency, balance, created_at FROM accounts ORDER BY id";
constexpr char kLoanRows[] =
    "SELECT id, reference, member_id, group_id, currency, amount, purpose, term_months, state,"
    " partner_id, consent_at, COALESCE(group_decided_by, '-'), COALESCE(group_decided_at, '-'),"
    " COALESCE(referred_at, '-'), COALESCE(approved_amount, '-'),"
    " COALESCE(approved_term_months, '-'), COALESCE(interest_rule, '-'),"
    " COALESCE(annual_rate_bp, '-'), decline_reason, COALESCE(disbursed_at, '-'),"
    " COALESCE(disbursement_tx_id, '-'), COALESCE(disbursement_journal_id, '-'),"
    " COALESCE(interest_journal_id, '-'), COALESCE(idempotency_key, '-'), channel, created_at,"
    " updated_at FROM loans ORDER BY id";
constexpr char kLedgerRows[] =
    "SELECT j.id, j.group_id, j.kind, j.currency, j.reference,"
    " COALESCE(j.reverses_journal_id, '-'), j.memo, j.created_at, p.id, p.account_id, p.amount"
    " FROM journals j JOIN postings p ON p.journal_id = j.id ORDER BY p.id";
constexpr char kSavingRows[] =
    "SELECT id, member_id, group_id, amount, currency, status, reference,"
    " COALESCE(idempotency_key, '-'), channel, created_at, COALESCE(decided_by, '-'),"
    " COALESCE(decided_at, '-'), COALESCE(journal_id, '-'), COALESCE(reversal_journal_id, '-')"
    " FROM savings ORDER BY id";
constexpr char kOtherCounts[] =
    "SELECT (SELECT COUNT(*) FROM members), (SELECT COUNT(*) FROM loan_events),"
    " (SELECT COUNT(*) FROM loan_instalments), (SELECT COUNT(*) FROM loan_repayments),"
    " (SELECT COUNT(*) FROM messages), (SELECT COUNT(*) FROM audit_log),"
    " (SELECT COUNT(*) FROM training_records)";
constexpr char kNewColumns[] =
    "SELECT (SELECT COUNT(*) FROM loans WHERE source = 'mfi' AND cycle_id IS NULL),"
    " (SELECT COUNT(*) FROM loans)";
constexpr char kCycleRows[] =
    "SELECT c.group_id, c.number, c.state, c.lends, c.share_out_unit, g.currency FROM cycles c"
    " JOIN groups g ON g.id = c.group_id ORDER BY c.group_id";
constexpr char kSavingsOutsideCycle[] =
    "SELECT COUNT(*) FROM savings s JOIN cycles c ON c.id = s.cycle_id"
    " WHERE c.group_id <> s.group_id OR s.cycle_id IS NULL";
constexpr char kNewAccounts[] =
    "SELECT group_id, kind, type, normal, balance FROM accounts"
    " WHERE kind IN ('group_income', 'group_social_equity', 'group_carried')"
    " ORDER BY group_id, kind";
// Writes the append-only triggers must still refuse.
constexpr const char* kRefusedWrites[] = {
    "UPDATE postings SET amount = amount + 1",
    "DELETE FROM postings",
    "UPDATE journals SET memo = 'x'",
    "DELETE FROM journals",
    "DELETE FROM accounts",
    "UPDATE accounts SET kind = 'member_loan' WHERE kind = 'member_savings'",
    "DELETE FROM loans",
    "UPDATE loans SET amount = amount + 1",
    "UPDATE loans SET approved_amount = 1 WHERE disbursed_at IS NOT NULL",
    "UPDATE savings SET status = 'rejected' WHERE status = 'confirmed'",
    "DELETE FROM savings",
    "UPDATE savings SET cycle_id = NULL",
    "UPDATE loans SET source = 'group' WHERE state = 'disbursed'",
    "INSERT INTO postings (journal_id, account_id, amount) VALUES (1, 99999, 5)",
};

TEST_F(MigrationTest, Migration8KeepsTheLedgerLoansAndSavingsOfAPopulatedFile) {
  ASSERT_NO_FATAL_FAILURE(Load("populated_v7.sql"));
  ASSERT_EQ(Int("SELECT MAX(version) FROM schema_migrations"), 7);
  ExpectSound();
  const std::vector<std::string> accounts = Rows(kAccountRows, 10);
  const std::vector<std::string> loan_rows = Rows(kLoanRows, 27);
  const std::vector<std::string> ledger = Rows(kLedgerRows, 11);
  const std::vector<std::string> savings = Rows(kSavingRows, 14);
  const std::vector<std::string> others = Rows(kOtherCounts, 7);
  const std::vector<std::string> schema = Rows(kSchemaNames, 1);
  ASSERT_GT(accounts.size(), 30u);
  ASSERT_GE(loan_rows.size(), 1u);
  ASSERT_GT(ledger.size(), 40u);
  ctx_.now = Int("SELECT MAX(created_at) FROM journals") + kDay;
  // Read as the v7 code did (the loan queries of today name v8 columns:
  // source, cycle): outstanding = charged - repaid on her loan account.
  Loan loan_before;
  loan_before.outstanding = Int(
      "SELECT (SELECT COALESCE(SUM(p.amount), 0) FROM postings p"
      " JOIN accounts a ON a.id = p.account_id"
      " WHERE p.journal_id IN (l.disbursement_journal_id, l.interest_journal_id)"
      " AND a.member_id = l.member_id AND a.kind = 'member_loan')"
      " - (SELECT COALESCE(-SUM(p.amount), 0) FROM loan_repayments r"
      " JOIN postings p ON p.journal_id = r.journal_id JOIN accounts a ON a.id = p.account_id"
      " WHERE r.loan_id = l.id AND r.status = 'confirmed'"
      " AND a.member_id = l.member_id AND a.kind = 'member_loan') FROM loans l WHERE l.id = 1");
  const std::vector<std::string> state_before = Rows("SELECT state FROM loans WHERE id = 1", 1);
  ASSERT_EQ(state_before.size(), 1u);
  loan_before.state =
      ParseLoanState(state_before[0].substr(0, state_before[0].size() - 1)).value_or(
          LoanState::kCancelled);
  ASSERT_GT(loan_before.outstanding, 0);

  Result<int> version = store::Migrate(*db_);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, 8);
  ExpectSound();

  // Every row that was there is there unchanged.
  const std::vector<std::string> accounts_after = Rows(kAccountRows, 10);
  ASSERT_EQ(accounts_after.size(), accounts.size() + 3 * 3);  // three groups
  EXPECT_EQ(std::vector<std::string>(accounts_after.begin(),
                                     accounts_after.begin() + static_cast<long>(accounts.size())),
            accounts);
  EXPECT_EQ(Rows(kLoanRows, 27), loan_rows);
  EXPECT_EQ(Rows(kLedgerRows, 11), ledger);
  EXPECT_EQ(Rows(kSavingRows, 14), savings);
  EXPECT_EQ(Rows(kOtherCounts, 7), others);
  const std::vector<std::string> new_columns = Rows(kNewColumns, 2);
  ASSERT_EQ(new_columns.size(), 1u);
  EXPECT_EQ(new_columns[0], std::to_string(loan_rows.size()) + "|" +
                                std::to_string(loan_rows.size()) + "|");

  // Every table, index and trigger of v7 is still there, by name.
  const std::vector<std::string> schema_after = Rows(kSchemaNames, 1);
  for (const std::string& object : schema) {
    EXPECT_NE(std::find(schema_after.begin(), schema_after.end(), object), schema_after.end())
        << object;
  }
  for (const char* object : {"table cycles|", "table fines|", "table social_fund_entries|",
                             "table share_out_lines|", "index cycles_one_open|",
                             "trigger cycles_rules_fixed|", "trigger loans_source_fixed|",
                             "trigger savings_cycle_fixed|"}) {
    EXPECT_NE(std::find(schema_after.begin(), schema_after.end(), object), schema_after.end())
        << object;
  }

  // Each group got cycle 1, active, not lending, holding its savings; and
  // its three new accounts, empty.
  EXPECT_EQ(Rows(kCycleRows, 6), (std::vector<std::string>{"1|1|active|0|100|KES|",
                                                           "2|1|active|0|100|TZS|",
                                                           "3|1|active|0|1|UGX|"}));
  EXPECT_EQ(Int(kSavingsOutsideCycle), 0);
  const std::vector<std::string> added = Rows(kNewAccounts, 5);
  ASSERT_EQ(added.size(), 9u);
  EXPECT_EQ(added[0], "1|group_carried|equity|-1|0|");
  EXPECT_EQ(added[1], "1|group_income|income|-1|0|");
  EXPECT_EQ(added[2], "1|group_social_equity|equity|-1|0|");

  // The append-only rules still hold on the rebuilt tables.
  for (const char* sql : kRefusedWrites) {
    EXPECT_FALSE(db_->Exec(sql).ok()) << sql;
  }
  ExpectSound();

  // The migrated programme carries on: her loan is the same, a saving goes
  // into cycle 1, and the cycle can be shared out.
  const Loan loan_after = Must(loans().Get(1));
  EXPECT_EQ(loan_after.outstanding, loan_before.outstanding);
  EXPECT_EQ(loan_after.state, loan_before.state);
  Saving s = Must(svc().LogSaving(3, 10000, "ussd", ""));
  EXPECT_EQ(s.status, SavingStatus::kPending);
  const CycleFigures figures = Must(cycles().Figures(1));
  EXPECT_EQ(figures.cycle.number, 1);
  EXPECT_GT(figures.savings, 0);
  EXPECT_EQ(figures.loans_out, 0);  // MFI loans are not the group's
}

TEST_F(MigrationTest, AFailedMigration8LeavesTheV7FileAsItWas) {
  ASSERT_NO_FATAL_FAILURE(Load("populated_v7.sql"));
  // A v7 row the v8 schema refuses: an account kind v8 does not know would
  // have been refused by v7 too, so break a foreign key instead (a posting
  // to an account that does not exist, written with the keys off).
  ASSERT_TRUE(db_->Exec("PRAGMA foreign_keys=OFF").ok());
  ASSERT_TRUE(db_->Exec("INSERT INTO postings (journal_id, account_id, amount)"
                        " VALUES (1, 99999, 1), (1, 99999, -1)")
                  .ok());
  ASSERT_TRUE(db_->Exec(kForeignKeysOn).ok());
  const std::vector<std::string> schema = Rows(kSchemaNames, 1);
  Result<int> version = store::Migrate(*db_);
  EXPECT_EQ(version.status().code(), Status::Code::kInternal);
  EXPECT_NE(version.status().message().find("migration 8"), std::string::npos)
      << version.status().message();
  EXPECT_EQ(Int("SELECT MAX(version) FROM schema_migrations"), 7);
  EXPECT_EQ(Rows(kSchemaNames, 1), schema);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM accounts WHERE kind = 'group_income'"), 0);
}

}  // namespace
}  // namespace shg
