// The demo data set: the facts the USSD walkthroughs and the README rely on.
#include "domain/demo.h"

#include <gtest/gtest.h>

#include <string>

#include "domain/services.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

using store::Connection;
using store::SqliteConnection;
using store::ScopedReset;
using store::Statement;
using TempDb = shg::testing::TestDatabase;

constexpr int64_t kNow = 1717200000;  // 2024-06-01
constexpr char kCountGroups[] = "SELECT COUNT(*) FROM groups";
constexpr char kCountMembers[] = "SELECT COUNT(*) FROM members";
constexpr char kGroupByName[] = "SELECT id FROM groups WHERE name = ?";
constexpr char kMaxPhone[] = "SELECT MAX(phone) FROM members WHERE phone LIKE '+254%'";
constexpr char kGroupSizes[] =
    "SELECT g.name, COUNT(m.id) FROM groups g JOIN members m ON m.group_id = g.id"
    " GROUP BY g.id ORDER BY g.id";
constexpr char kCountModules[] = "SELECT COUNT(*) FROM training_modules";

template <typename T>
T Must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : T{};
}

int64_t QueryInt(Connection& db, const char* sql, std::string_view arg = {}) {
  Statement& st = db.Prepare(sql);
  ScopedReset reset(st);
  if (!arg.empty()) st.Bind(1, arg);
  Result<bool> row = st.Step();
  EXPECT_TRUE(row.ok() && *row);
  return st.Int(0);
}

class DemoTest : public ::testing::Test {
 protected:
  void Load(int total) {
    store::StoreOptions o;
    o = tmp_.Options();
    o.synchronous = "OFF";
    store_ = Must(store::Store::Open(o));
    ASSERT_NE(store_, nullptr);
    ctx_.pins = &pins_;
    ctx_.now = kNow;
    Status s = LoadDemo(*store_, pins_, total, kNow);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  Services svc() { return Services(store_->Reader(), ctx_); }
  Member Only(const std::string& phone) {
    std::vector<Member> ms = Must(svc().MembersByPhone(phone));
    EXPECT_EQ(ms.size(), 1u) << phone;
    return ms.empty() ? Member{} : ms[0];
  }

  TempDb tmp_;
  PinHasher pins_{"0123456789abcdef-test-pepper"};
  std::unique_ptr<store::Store> store_;
  DomainContext ctx_;
};

TEST_F(DemoTest, FixedGroupsHoldTheDocumentedMembers) {
  Load(kDemoFixedMembers);
  Connection& r = store_->Reader();
  EXPECT_EQ(QueryInt(r, kCountGroups), 2);
  EXPECT_EQ(QueryInt(r, kCountMembers), 30);
  EXPECT_EQ(QueryInt(r, kCountModules), 5);

  struct Case {
    const char* phone;
    const char* name;
    Role role;
    const char* language;
    bool has_pin;
    bool trained;
  };
  const Case kCases[] = {
      {"+254700000001", "Amina Wekesa", Role::kMember, "en", true, true},
      {"+254700000002", "Wanjiru Kamau", Role::kTreasurer, "en", true, true},
      {"+254700000003", "Grace Achieng", Role::kChair, "en", true, true},
      {"+254700000004", "Faith Njeri", Role::kMember, "en", false, false},
      {"+254700000005", "Mary Otieno", Role::kMember, "en", true, false},
      {"+254700000006", "Halima Hassan", Role::kMember, "sw", true, true},
      {"+256700000001", "Sarah Nakato", Role::kChair, "en", true, true},
      {"+256700000002", "Joan Namubiru", Role::kTreasurer, "en", true, true},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.phone);
    Member m = Only(c.phone);
    EXPECT_EQ(m.name, c.name);
    EXPECT_EQ(m.role, c.role);
    EXPECT_EQ(m.language, c.language);
    EXPECT_EQ(m.has_pin, c.has_pin);
    EXPECT_EQ(Must(svc().CompletedTraining(m.id)), c.trained);
  }

  std::vector<Member> shared = Must(svc().MembersByPhone("+254700000007"));
  ASSERT_EQ(shared.size(), 2u);
  EXPECT_EQ(shared[0].name, "Rose Mwangi");
  EXPECT_EQ(shared[1].name, "Joy Mwangi");
  EXPECT_EQ(shared[0].group_id, shared[1].group_id);
  EXPECT_TRUE(Must(svc().MembersByPhone("+254700000020")).empty());
  EXPECT_EQ(Only("+254700000019").group_id, shared[0].group_id);
  EXPECT_TRUE(Must(svc().MembersByPhone("+254700000021")).empty());

  GroupSummary upendo = Must(svc().GroupSummaryFor(shared[0].group_id));
  EXPECT_EQ(upendo.group.name, "Upendo Women Group");
  EXPECT_EQ(upendo.group.country, "KE");
  EXPECT_EQ(upendo.group.currency, "KES");
  EXPECT_EQ(upendo.group.meeting_day, "Tuesday");
  EXPECT_EQ(upendo.group.meeting_place, "Kibera social hall");
  EXPECT_EQ(upendo.members, 20);
}

TEST_F(DemoTest, AminaHasEightConfirmedSavingsOfKes4250) {
  Load(kDemoFixedMembers);
  Member amina = Only("+254700000001");
  Balances b = Must(svc().BalancesFor(amina.id));
  EXPECT_EQ(b.currency, "KES");
  EXPECT_EQ(b.savings_confirmed, 425000);
  EXPECT_EQ(b.savings_pending, 0);
  EXPECT_EQ(amina.joined_at, kNow - 240 * 86400);

  std::vector<StatementLine> lines = Must(svc().StatementFor(amina.id, 20, 0));
  ASSERT_EQ(lines.size(), 8u);
  int64_t total = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].status, SavingStatus::kConfirmed);
    EXPECT_LT(lines[i].at, kNow);
    if (i > 0) {
      EXPECT_LT(lines[i].at, lines[i - 1].at);  // spread over months
    }
    total += lines[i].amount;
  }
  EXPECT_EQ(total, 425000);
  EXPECT_EQ(lines[0].amount, 75000);  // the latest

  // Her PIN is the demo PIN.
  Status s = store_->Run([&](Connection& db) -> Status {
    Result<PinOutcome> out = Services(db, ctx_).VerifyPin(amina.id, kDemoPin);
    if (!out.ok()) return out.status();
    return out->check == PinCheck::kOk ? Status::Ok() : Status::Internal("PIN rejected");
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(DemoTest, BooksAddUp) {
  Load(kDemoFixedMembers);
  EXPECT_TRUE(svc().CheckLedger().ok());
  Member rose = Must(svc().MembersByPhone("+254700000007"))[0];
  Balances b = Must(svc().BalancesFor(rose.id));
  EXPECT_EQ(b.savings_confirmed, 200000);
  EXPECT_EQ(b.savings_pending, 0);  // nothing pending: Amina's first saving is the one to confirm
  // The loan fund holds every confirmed Upendo saving:
  // Amina 4250 + Wanjiru/Grace 2x3000 + Mary 900 + Halima 2000 + Rose 2000 +
  // Joy 1000 + 12 x 2000.
  EXPECT_EQ(b.group_fund, (4250 + 6000 + 900 + 2000 + 2000 + 1000 + 24000) * 100);
  EXPECT_EQ(Must(svc().GroupSummaryFor(rose.group_id)).group_savings, b.group_fund);

  Member joan = Only("+256700000002");
  Balances ug = Must(svc().BalancesFor(joan.id));
  EXPECT_EQ(ug.currency, "UGX");
  EXPECT_EQ(ug.savings_confirmed, 20000);
  EXPECT_EQ(ug.group_fund, 10 * 20000);
}

TEST_F(DemoTest, TotalMembersAddsDemoGroupsOfTwenty) {
  Load(200);
  Connection& r = store_->Reader();
  EXPECT_EQ(QueryInt(r, kCountMembers), 200);
  EXPECT_EQ(QueryInt(r, kCountGroups), 2 + 9);  // 8 x 20 + 10
  Statement& sizes = r.Prepare(kGroupSizes);
  ScopedReset reset(sizes);
  std::vector<std::pair<std::string, int64_t>> got;
  while (*sizes.Step()) got.emplace_back(sizes.Text(0), sizes.Int(1));
  ASSERT_EQ(got.size(), 11u);
  EXPECT_EQ(got[0], std::make_pair(std::string("Upendo Women Group"), int64_t{20}));
  EXPECT_EQ(got[1], std::make_pair(std::string("Tumaini Group"), int64_t{10}));
  for (int n = 1; n <= 8; ++n) {
    EXPECT_EQ(got[static_cast<size_t>(n + 1)],
              std::make_pair("Demo Group " + std::to_string(n), int64_t{20}));
  }
  EXPECT_EQ(got[10], std::make_pair(std::string("Demo Group 9"), int64_t{10}));

  // Consecutive phones from +254700000021: 170 demo members end at ...190.
  Statement& max_phone = r.Prepare(kMaxPhone);
  ScopedReset reset_phone(max_phone);
  ASSERT_TRUE(*max_phone.Step());
  EXPECT_EQ(max_phone.Text(0), "+254700000190");
  Member first = Only("+254700000021");
  EXPECT_EQ(first.role, Role::kChair);
  EXPECT_EQ(Only("+254700000022").role, Role::kTreasurer);
  for (const char* phone : {"+254700000021", "+254700000022", "+254700000190"}) {
    Member m = Only(phone);
    EXPECT_TRUE(m.has_pin);
    EXPECT_TRUE(Must(svc().CompletedTraining(m.id)));
    EXPECT_EQ(Must(svc().BalancesFor(m.id)).savings_confirmed, 150000) << phone;
  }
  EXPECT_EQ(Must(svc().GroupSummaryFor(first.group_id)).group_savings, 20 * 150000);
  EXPECT_TRUE(svc().CheckLedger().ok());
}

TEST_F(DemoTest, RefusesANonEmptyDatabase) {
  Load(kDemoFixedMembers);
  Status again = LoadDemo(*store_, pins_, kDemoFixedMembers, kNow);
  EXPECT_EQ(again.code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(QueryInt(store_->Reader(), kCountMembers), 30);
}

}  // namespace
}  // namespace shg
