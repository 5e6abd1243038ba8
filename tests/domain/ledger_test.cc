// The double-entry ledger: journal validation, cached balances, reversals
// and the ledger check (which must catch what it claims to catch).
#include "domain/ledger.h"

#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "domain/services.h"
#include "domain/store/store.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

using ledger::AccountKind;
using ledger::JournalEntry;
using ledger::PostingLine;
using store::Connection;
using store::SqliteConnection;
using store::ScopedReset;
using store::Statement;
using TempDb = shg::testing::TestDatabase;

constexpr int64_t kNow = 1700000000;
constexpr char kCountJournals[] = "SELECT COUNT(*) FROM journals";
constexpr char kCountPostings[] = "SELECT COUNT(*) FROM postings";
constexpr char kBalanceOf[] = "SELECT balance FROM accounts WHERE id = ?";
constexpr char kUnbalancedJournals[] =
    "SELECT COUNT(*) FROM (SELECT journal_id FROM postings GROUP BY journal_id"
    " HAVING SUM(amount) <> 0) AS unbalanced";
constexpr char kStaleBalances[] =
    "SELECT COUNT(*) FROM accounts a WHERE a.balance <>"
    " (SELECT COALESCE(SUM(p.amount), 0) FROM postings p WHERE p.account_id = a.id)";
constexpr char kCorruptBalance[] = "UPDATE accounts SET balance = balance + 1 WHERE id = ?";
constexpr char kRawJournal[] =
    "INSERT INTO journals (group_id, kind, currency, created_at) VALUES (?, 'manual', 'KES', 0) RETURNING id";
constexpr char kRawPosting[] =
    "INSERT INTO postings (journal_id, account_id, amount) VALUES (?, ?, ?)";
constexpr char kRawReversal[] =
    "INSERT INTO journals (group_id, kind, currency, reverses_journal_id, created_at)"
    " VALUES (?, 'reversal', 'KES', ?, 0) RETURNING id";
constexpr char kAddToBalance[] = "UPDATE accounts SET balance = balance + ? WHERE id = ?";

template <typename T>
T Must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : T{};
}

int64_t QueryInt(Connection& db, const char* sql, int64_t arg = 0) {
  Statement& st = db.Prepare(sql);
  ScopedReset reset(st);
  if (arg != 0) st.Bind(1, arg);
  Result<bool> row = st.Step();
  EXPECT_TRUE(row.ok() && *row);
  return st.Int(0);
}

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::ConnectionOptions o;
    o.synchronous = "OFF";
    db_ = Must(tmp_.Connect());
    ASSERT_TRUE(store::Migrate(*db_).ok());
    ctx_.pins = &pins_;
    ctx_.now = kNow;
    Services svc(*db_, ctx_);
    Group g;
    g.name = "Upendo";
    g.country = "KE";
    g.currency = "KES";
    kes_ = Must(svc.AddGroup(g));
    g.name = "Tumaini";
    g.country = "UG";
    g.currency = "UGX";
    ugx_ = Must(svc.AddGroup(g));
    const char* const kNames[] = {"Wanjiru", "Grace", "Amina", "Halima", "Rose"};
    for (int i = 0; i < 5; ++i) {
      Member m;
      m.group_id = kes_;
      m.phone = "+25470000000" + std::to_string(i + 1);
      m.name = kNames[i];
      m.role = i == 0 ? Role::kTreasurer : i == 1 ? Role::kChair : Role::kMember;
      members_.push_back(Must(svc.AddMember(m)));
    }
    Member joan;
    joan.group_id = ugx_;
    joan.phone = "+256700000002";
    joan.name = "Joan";
    ugx_member_ = Must(svc.AddMember(joan));
    fund_ = Must(ledger::GroupAccount(*db_, kes_, AccountKind::kGroupLoanFund));
    social_ = Must(ledger::GroupAccount(*db_, kes_, AccountKind::kGroupSocialFund));
    amina_savings_ = Must(ledger::MemberAccount(*db_, members_[2], AccountKind::kMemberSavings));
    halima_savings_ = Must(ledger::MemberAccount(*db_, members_[3], AccountKind::kMemberSavings));
    ugx_savings_ = Must(ledger::MemberAccount(*db_, ugx_member_, AccountKind::kMemberSavings));
  }

  int64_t Balance(int64_t account) { return QueryInt(*db_, kBalanceOf, account); }

  Result<int64_t> PostKes(std::vector<PostingLine> lines) {
    JournalEntry e;
    e.group_id = kes_;
    e.kind = "manual";
    e.currency = "KES";
    e.reference = "TEST01";
    e.at = kNow;
    e.postings = lines;
    return ledger::Post(*db_, e);
  }

  TempDb tmp_;
  std::unique_ptr<Connection> db_;
  PinHasher pins_{"0123456789abcdef-test-pepper"};
  DomainContext ctx_;
  int64_t kes_ = 0, ugx_ = 0, ugx_member_ = 0;
  std::vector<int64_t> members_;  // treasurer, chair, Amina, Halima, Rose
  int64_t fund_ = 0, social_ = 0, amina_savings_ = 0, halima_savings_ = 0, ugx_savings_ = 0;
};

TEST_F(LedgerTest, EveryGroupAndMemberHasItsAccounts) {
  for (AccountKind k : {AccountKind::kGroupLoanFund, AccountKind::kGroupSocialFund}) {
    EXPECT_TRUE(ledger::GroupAccount(*db_, kes_, k).ok());
    EXPECT_TRUE(ledger::GroupAccount(*db_, ugx_, k).ok());
  }
  for (int64_t m : members_) {
    for (AccountKind k : {AccountKind::kMemberSavings, AccountKind::kMemberLoan}) {
      EXPECT_TRUE(ledger::MemberAccount(*db_, m, k).ok());
    }
  }
  EXPECT_EQ(ledger::GroupAccount(*db_, kes_, AccountKind::kMemberSavings).status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(ledger::MemberAccount(*db_, 9999, AccountKind::kMemberSavings).status().code(),
            Status::Code::kNotFound);
}

TEST_F(LedgerTest, InvalidJournalsAreRefusedAndLeaveNothingBehind) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  struct Case {
    const char* name;
    std::vector<PostingLine> lines;
  };
  const std::vector<Case> kCases = {
      {"no postings", {}},
      {"one posting", {{fund_, 100}}},
      {"zero amount", {{fund_, 0}, {amina_savings_, 0}}},
      {"unbalanced", {{fund_, 100}, {amina_savings_, -99}}},
      {"overflow", {{fund_, kMax}, {social_, kMax}, {amina_savings_, 2}}},
      {"other currency", {{fund_, 100}, {ugx_savings_, -100}}},
      // Valid first posting, bad second: the savepoint undoes the first.
      {"unknown account", {{fund_, 100}, {999999, -100}}},
  };
  for (const Case& c : kCases) {
    Result<int64_t> j = PostKes(c.lines);
    EXPECT_EQ(j.status().code(), Status::Code::kInvalidArgument) << c.name << ": "
                                                                 << j.status().ToString();
  }
  EXPECT_EQ(QueryInt(*db_, kCountJournals), 0);
  EXPECT_EQ(QueryInt(*db_, kCountPostings), 0);
  EXPECT_EQ(Balance(fund_), 0);
  EXPECT_EQ(Balance(amina_savings_), 0);
  EXPECT_TRUE(ledger::Check(*db_).ok());
}

TEST_F(LedgerTest, PostingUpdatesCachedBalances) {
  // A three-way journal: cash in to the loan fund and the social fund,
  // credited to one member's savings.
  const int64_t j = Must(PostKes({{fund_, 40000}, {social_, 10000}, {amina_savings_, -50000}}));
  EXPECT_GT(j, 0);
  EXPECT_EQ(Balance(fund_), 40000);
  EXPECT_EQ(Balance(social_), 10000);
  EXPECT_EQ(Balance(amina_savings_), -50000);  // credit-normal: negative raw sum
  Services svc(*db_, ctx_);
  Balances b = Must(svc.BalancesFor(members_[2]));
  EXPECT_EQ(b.savings_confirmed, 50000);  // shown positive
  EXPECT_EQ(b.group_fund, 40000);
  EXPECT_EQ(b.social_fund, 10000);
  EXPECT_TRUE(ledger::Check(*db_).ok());
}

TEST_F(LedgerTest, ReversalNegatesOnceAndOnlyOnce) {
  const int64_t j = Must(PostKes({{fund_, 70000}, {amina_savings_, -50000}, {halima_savings_, -20000}}));
  const int64_t r = Must(ledger::Reverse(*db_, j, "typed twice", kNow + 60));
  EXPECT_NE(r, j);
  for (int64_t account : {fund_, amina_savings_, halima_savings_}) EXPECT_EQ(Balance(account), 0);
  EXPECT_EQ(QueryInt(*db_, kCountPostings), 6);

  struct Case {
    const char* name;
    int64_t journal;
    Status::Code want;
  };
  const Case kCases[] = {
      {"again", j, Status::Code::kFailedPrecondition},
      {"a reversal", r, Status::Code::kFailedPrecondition},
      {"unknown", 999999, Status::Code::kNotFound},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(ledger::Reverse(*db_, c.journal, "x", kNow).status().code(), c.want) << c.name;
  }
  EXPECT_EQ(QueryInt(*db_, kCountJournals), 2);
  EXPECT_TRUE(ledger::Check(*db_).ok());
}

TEST_F(LedgerTest, ReverseSavingThroughServices) {
  Services svc(*db_, ctx_);
  Saving s = Must(svc.LogSaving(members_[2], 50000, "ussd", ""));
  EXPECT_EQ(svc.ReverseSaving(s.id, "mistake").code(), Status::Code::kFailedPrecondition);  // pending
  ASSERT_TRUE(svc.DecideSaving(s.id, members_[0], true).ok());
  EXPECT_EQ(svc.ReverseSaving(s.id, "").code(), Status::Code::kInvalidArgument);
  ctx_.now = kNow + 3600;
  ASSERT_TRUE(svc.ReverseSaving(s.id, "cash was counterfeit").ok());
  EXPECT_EQ(svc.ReverseSaving(s.id, "again").code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(svc.ReverseSaving(999999, "x").code(), Status::Code::kNotFound);

  Balances b = Must(svc.BalancesFor(members_[2]));
  EXPECT_EQ(b.savings_confirmed, 0);
  EXPECT_EQ(b.group_fund, 0);
  EXPECT_EQ(Must(svc.GroupSummaryFor(kes_)).group_savings, 0);
  // Her statement tells the whole story and adds up to her balance.
  std::vector<StatementLine> lines = Must(svc.StatementFor(members_[2], 10, 0));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].kind, "reversal");
  EXPECT_EQ(lines[0].amount, -50000);
  EXPECT_EQ(lines[0].at, kNow + 3600);
  EXPECT_EQ(lines[0].reference, s.reference);
  EXPECT_EQ(lines[1].kind, "saving");
  EXPECT_EQ(lines[1].amount, 50000);
  EXPECT_EQ(lines[1].status, SavingStatus::kConfirmed);
  EXPECT_TRUE(svc.CheckLedger().ok());
}

TEST_F(LedgerTest, CheckPassesAfterAMixOfOperations) {
  Services svc(*db_, ctx_);
  std::mt19937 rng(20240607);  // fixed seed: reproducible
  std::vector<int64_t> confirmed;
  int64_t expected_fund = 0;
  for (int i = 0; i < 300; ++i) {
    ctx_.now = kNow + i;
    const int64_t member = members_[rng() % members_.size()];
    const int64_t amount = 100 * static_cast<int64_t>(1 + rng() % 1000);
    Saving s = Must(svc.LogSaving(member, amount, "ussd", "k" + std::to_string(i)));
    const int64_t decider = member == members_[0] ? members_[1] : members_[0];
    switch (rng() % 4) {
      case 0:
        break;  // left pending
      case 1:
        ASSERT_TRUE(svc.DecideSaving(s.id, decider, false).ok());
        break;
      default:
        ASSERT_TRUE(svc.DecideSaving(s.id, decider, true).ok());
        confirmed.push_back(s.id);
        expected_fund += amount;
    }
    if (!confirmed.empty() && rng() % 10 == 0) {
      const size_t k = rng() % confirmed.size();
      ASSERT_TRUE(svc.ReverseSaving(confirmed[k], "correction").ok());
      expected_fund -= Must(svc.GetSaving(confirmed[k])).amount;
      confirmed.erase(confirmed.begin() + static_cast<std::ptrdiff_t>(k));
    }
  }
  EXPECT_TRUE(svc.CheckLedger().ok()) << svc.CheckLedger().ToString();
  EXPECT_EQ(QueryInt(*db_, kUnbalancedJournals), 0);
  EXPECT_EQ(QueryInt(*db_, kStaleBalances), 0);
  EXPECT_EQ(Balance(fund_), expected_fund);
  // The group fund equals the sum of the members' savings.
  int64_t savings = 0;
  for (int64_t m : members_) savings += Must(svc.BalancesFor(m)).savings_confirmed;
  EXPECT_EQ(savings, expected_fund);
  EXPECT_EQ(Must(svc.GroupSummaryFor(kes_)).group_savings, expected_fund);
}

TEST_F(LedgerTest, CheckNamesTheFirstViolation) {
  const int64_t amina_saved = Must(PostKes({{fund_, 500}, {amina_savings_, -500}}));
  Must(PostKes({{fund_, 300}, {halima_savings_, -300}}));
  ASSERT_TRUE(ledger::Check(*db_).ok());
  // A balanced reversal of Amina's saving with `lines`, cached balances kept
  // in step (as Post would): only the mirror check can see it is wrong.
  auto raw_reversal = [&](std::vector<PostingLine> lines) {
    ASSERT_TRUE(db_->Prepare(kRawReversal).Bind(1, kes_).Bind(2, amina_saved).Run().ok());
    const int64_t r = db_->ReturnedId();
    for (const PostingLine& p : lines) {
      ASSERT_TRUE(
          db_->Prepare(kRawPosting).Bind(1, r).Bind(2, p.account_id).Bind(3, p.amount).Run().ok());
      ASSERT_TRUE(db_->Prepare(kAddToBalance).Bind(1, p.amount).Bind(2, p.account_id).Run().ok());
    }
  };

  struct Case {
    const char* name;
    std::function<void()> corrupt;
    const char* message;
  };
  const Case kCases[] = {
      {"stale cached balance",
       [&] { ASSERT_TRUE(db_->Prepare(kCorruptBalance).Bind(1, social_).Run().ok()); },
       "caches balance"},
      {"unbalanced journal",
       [&] {
         ASSERT_TRUE(db_->Prepare(kRawJournal).Bind(1, kes_).Run().ok());
         const int64_t j = db_->ReturnedId();
         ASSERT_TRUE(db_->Prepare(kRawPosting).Bind(1, j).Bind(2, fund_).Bind(3, 7).Run().ok());
         ASSERT_TRUE(db_->Prepare(kRawPosting).Bind(1, j).Bind(2, amina_savings_).Bind(3, -5).Run().ok());
       },
       "sums to 2"},
      {"journal with one posting",
       [&] { ASSERT_TRUE(db_->Prepare(kRawJournal).Bind(1, kes_).Run().ok()); },
       "0 posting"},
      {"posting to another currency",
       [&] {
         ASSERT_TRUE(db_->Prepare(kRawJournal).Bind(1, kes_).Run().ok());
         const int64_t j = db_->ReturnedId();
         ASSERT_TRUE(db_->Prepare(kRawPosting).Bind(1, j).Bind(2, fund_).Bind(3, 5).Run().ok());
         ASSERT_TRUE(db_->Prepare(kRawPosting).Bind(1, j).Bind(2, ugx_savings_).Bind(3, -5).Run().ok());
       },
       "another group or currency"},
      {"reversal crediting back someone else",
       [&] { raw_reversal({{fund_, -500}, {halima_savings_, 500}}); },
       "does not negate its original"},
      {"reversal mirroring another journal",
       [&] { raw_reversal({{fund_, -300}, {halima_savings_, 300}}); },
       "does not negate its original"},
      {"reversal of part of the amount",
       [&] { raw_reversal({{fund_, -400}, {amina_savings_, 400}}); },
       "does not negate its original"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    // Each case on a fresh copy of the clean state: undo with a savepoint.
    ASSERT_TRUE(db_->Exec("BEGIN").ok());
    c.corrupt();
    Status s = ledger::Check(*db_);
    EXPECT_EQ(s.code(), Status::Code::kInternal);
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.ToString();
    ASSERT_TRUE(db_->Exec("ROLLBACK").ok());
    EXPECT_TRUE(ledger::Check(*db_).ok());
  }
}

}  // namespace
}  // namespace shg
