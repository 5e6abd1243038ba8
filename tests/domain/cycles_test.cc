// Cycles over a real SQLite file: the cycle's states, fines, the social
// fund, the share-out journal and reinvestment into the next cycle.
#include "domain/cycles.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/ledger.h"
#include "domain/store/store.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

using store::Connection;
using store::SqliteConnection;
using store::ScopedReset;
using store::Statement;
using TempDb = shg::testing::TestDatabase;

constexpr int64_t kNow = 1700000000;
constexpr int64_t kDay = 86400;
constexpr int64_t kKes = 100;  // minor units per shilling

constexpr char kAccountBalance[] =
    "SELECT balance FROM accounts WHERE group_id = ? AND kind = ? AND member_id IS NULL"
    " AND partner_id IS NULL";
constexpr char kMemberSavingsBalance[] =
    "SELECT -balance FROM accounts WHERE member_id = ? AND kind = 'member_savings'";
constexpr char kJournalsOfKind[] = "SELECT COUNT(*) FROM journals WHERE kind = ?";
constexpr char kAuditCount[] = "SELECT COUNT(*) FROM audit_log WHERE action = ?";
constexpr char kSavingCycle[] = "SELECT cycle_id, channel, status FROM savings WHERE id = ?";
constexpr char kChangeRules[] = "UPDATE cycles SET lends = 1 WHERE id = ?";
constexpr char kDeleteCycle[] = "DELETE FROM cycles WHERE id = ?";
constexpr char kChangeLine[] = "UPDATE share_out_lines SET payout = payout + 1";

template <typename T>
T Must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : T{};
}

const Actor kStaff{"staff", "officer1", "api", "req-1"};

class CyclesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::ConnectionOptions o;
    o.synchronous = "OFF";
    auto db = tmp_.Connect();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(store::Migrate(*db_).ok());
    ctx_.pins = &pins_;
    ctx_.now = kNow;
    Group g;
    g.name = "Upendo";
    g.country = "KE";
    g.currency = "KES";
    group_ = Must(svc().AddGroup(g));
    treasurer_ = AddMember("Wanjiru Kamau", Role::kTreasurer, "+254700000010");
    chair_ = AddMember("Grace Otieno", Role::kChair, "+254700000011");
    amina_ = AddMember("Amina Achieng", Role::kMember, "+254700000001");
    halima_ = AddMember("Halima Said", Role::kMember, "+254700000002");
  }

  Services svc() { return Services(*db_, ctx_); }
  Cycles cycles() { return Cycles(*db_, ctx_, programme_); }

  int64_t AddMember(const std::string& name, Role role, const std::string& phone) {
    Member m;
    m.group_id = group_;
    m.name = name;
    m.role = role;
    m.phone = phone;
    return Must(svc().AddMember(m));
  }

  // A saving of `shillings` confirmed by the treasurer (the chair for hers).
  void Save(int64_t member, int64_t shillings) {
    Saving s = Must(svc().LogSaving(member, shillings * kKes, "ussd", ""));
    const int64_t decider = member == treasurer_ ? chair_ : treasurer_;
    ASSERT_TRUE(svc().DecideSaving(s.id, decider, true).ok());
  }

  int64_t GroupBalance(const char* kind) {
    Statement& st = db_->Prepare(kAccountBalance);
    ScopedReset reset(st);
    st.Bind(1, group_).Bind(2, std::string_view(kind));
    EXPECT_TRUE(*st.Step());
    return st.Int(0);
  }
  int64_t SavingsOf(int64_t member) {
    Statement& st = db_->Prepare(kMemberSavingsBalance);
    ScopedReset reset(st);
    st.Bind(1, member);
    EXPECT_TRUE(*st.Step());
    return st.Int(0);
  }
  int64_t Count(const char* sql, std::string_view arg) {
    Statement& st = db_->Prepare(sql);
    ScopedReset reset(st);
    st.Bind(1, arg);
    EXPECT_TRUE(*st.Step());
    return st.Int(0);
  }
  void ExpectLedgerBalanced() {
    Status s = ledger::Check(*db_);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  Cycle Open() {
    std::optional<Cycle> c = Must(cycles().OpenCycle(group_));
    EXPECT_TRUE(c.has_value());
    return c.value_or(Cycle{});
  }

  TempDb tmp_;
  std::unique_ptr<Connection> db_;
  PinHasher pins_{"pepper-for-tests-only-0123456789"};
  DomainContext ctx_;
  LoanProgramme programme_;
  int64_t group_ = 0, treasurer_ = 0, chair_ = 0, amina_ = 0, halima_ = 0;
};

TEST_F(CyclesTest, ANewGroupHasCycleOneActiveAndNotLending) {
  const Cycle c = Open();
  EXPECT_EQ(c.number, 1);
  EXPECT_EQ(c.state, CycleState::kActive);
  EXPECT_FALSE(c.rules.lends);
  EXPECT_EQ(c.rules.share_out_unit, kKes);
  EXPECT_EQ(c.currency, "KES");
  EXPECT_EQ(c.starts_at, kNow);
  EXPECT_GT(c.ends_at, kNow + 364 * kDay);
  Save(amina_, 200);
  Statement& st = db_->Prepare(kSavingCycle);
  ScopedReset reset(st);
  st.Bind(1, static_cast<int64_t>(1));
  ASSERT_TRUE(*st.Step());
  EXPECT_EQ(st.Int(0), c.id);
}

TEST_F(CyclesTest, RulesAreFixedAndCyclesNeverDeleted) {
  const Cycle c = Open();
  EXPECT_FALSE(db_->Prepare(kChangeRules).Bind(1, c.id).Run().ok());
  EXPECT_FALSE(db_->Prepare(kDeleteCycle).Bind(1, c.id).Run().ok());
}

TEST_F(CyclesTest, StateEventsFollowTheMachine) {
  const Cycle c = Open();
  // Only one open cycle: planning another is refused while this one is open.
  EXPECT_EQ(cycles().Plan(group_, CycleRules{}, 0, kStaff).status().code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(cycles().Reopen(c.id, kStaff).status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(cycles().Start(c.id, {}, kStaff).status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(Must(cycles().BeginClose(c.id, kStaff)).state, CycleState::kClosing);
  EXPECT_EQ(Must(cycles().Reopen(c.id, kStaff)).state, CycleState::kActive);
  EXPECT_EQ(Count(kAuditCount, "cycle.begin_close"), 1);
  EXPECT_EQ(Count(kAuditCount, "cycle.reopen"), 1);
  EXPECT_EQ(cycles().Get(999).status().code(), Status::Code::kNotFound);
}

TEST_F(CyclesTest, AClosingCycleStillTakesSavingsAndFines) {
  const Cycle c = Open();
  ASSERT_TRUE(cycles().BeginClose(c.id, kStaff).ok());
  Save(amina_, 100);
  EXPECT_TRUE(cycles().RecordFine(amina_, "late", 50 * kKes, "", kStaff).ok());
  EXPECT_EQ(Must(cycles().CurrentCycle(group_)).id, c.id);
}

TEST_F(CyclesTest, FinesArePendingUntilTheTreasurerConfirmsOrWaives) {
  const Fine late = Must(cycles().RecordFine(amina_, "late", 50 * kKes, "came at 10", kStaff));
  EXPECT_EQ(late.status, FineStatus::kPending);
  EXPECT_EQ(late.reference.size(), 6u);
  EXPECT_EQ(GroupBalance("group_income"), 0);
  const Fine absent = Must(cycles().RecordFine(halima_, "absent", 100 * kKes, "", kStaff));
  EXPECT_EQ(Must(cycles().PendingFines(group_, 10, 0)).size(), 2u);

  // Not a member's own decision, and only officers decide.
  const Fine own = Must(cycles().RecordFine(treasurer_, "late", 50 * kKes, "", kStaff));
  EXPECT_EQ(cycles().DecideFine(own.id, treasurer_, true, kStaff).status().code(),
            Status::Code::kPermissionDenied);
  EXPECT_EQ(cycles().DecideFine(late.id, halima_, true, kStaff).status().code(),
            Status::Code::kPermissionDenied);
  EXPECT_EQ(cycles().DecideFine(999, treasurer_, true, kStaff).status().code(),
            Status::Code::kNotFound);

  EXPECT_EQ(Must(cycles().DecideFine(late.id, treasurer_, true, kStaff)).status,
            FineStatus::kConfirmed);
  EXPECT_EQ(Must(cycles().DecideFine(absent.id, chair_, false, kStaff)).status,
            FineStatus::kWaived);
  EXPECT_EQ(cycles().DecideFine(late.id, treasurer_, false, kStaff).status().code(),
            Status::Code::kFailedPrecondition);
  // Confirmed: paid into the fund as the cycle's income; waived: nothing moves.
  EXPECT_EQ(GroupBalance("group_income"), -50 * kKes);
  EXPECT_EQ(GroupBalance("group_loan_fund"), 50 * kKes);
  EXPECT_EQ(Must(cycles().Figures(group_)).income, 50 * kKes);
  EXPECT_EQ(Count(kAuditCount, "fine.confirm"), 1);
  EXPECT_EQ(Count(kAuditCount, "fine.waive"), 1);
  ExpectLedgerBalanced();
}

struct BadFine {
  const char* kind;
  int64_t amount;
  const char* note;
  const char* field;
};

TEST_F(CyclesTest, BadFinesNameTheirField) {
  const BadFine cases[] = {
      {"", 100, "", "kind"},          {"Late", 100, "", "kind"},
      {"late fee", 100, "", "kind"},  {"late", 0, "", "amount"},
      {"late", -5, "", "amount"},     {"late", 100, "bad\x01note", "note"},
  };
  for (const BadFine& c : cases) {
    Result<Fine> r = cycles().RecordFine(amina_, c.kind, c.amount, c.note, kStaff);
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << c.kind << " " << c.amount;
    EXPECT_EQ(r.status().message().rfind(std::string(c.field) + ":", 0), 0u)
        << r.status().message();
  }
  EXPECT_EQ(Must(cycles().PendingFines(group_, 10, 0)).size(), 0u);
}

TEST_F(CyclesTest, SocialFundContributionsAndPayoutsNeedAReasonAndAnOfficer) {
  ASSERT_TRUE(cycles().RecordContribution(amina_, 20 * kKes, kStaff).ok());
  ASSERT_TRUE(cycles().RecordContribution(halima_, 20 * kKes, kStaff).ok());
  EXPECT_EQ(GroupBalance("group_social_fund"), 40 * kKes);
  EXPECT_EQ(GroupBalance("group_social_equity"), -40 * kKes);

  EXPECT_EQ(cycles().RecordSocialPayout(amina_, 30 * kKes, "", treasurer_, kStaff).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(cycles().RecordSocialPayout(amina_, 30 * kKes, "hospital", halima_, kStaff)
                .status()
                .code(),
            Status::Code::kPermissionDenied);
  EXPECT_EQ(cycles()
                .RecordSocialPayout(treasurer_, 30 * kKes, "hospital", treasurer_, kStaff)
                .status()
                .code(),
            Status::Code::kPermissionDenied);
  EXPECT_EQ(cycles().RecordSocialPayout(amina_, 41 * kKes, "hospital", chair_, kStaff)
                .status()
                .code(),
            Status::Code::kFailedPrecondition);
  const SocialFundEntry payout =
      Must(cycles().RecordSocialPayout(amina_, 30 * kKes, "hospital", chair_, kStaff));
  EXPECT_TRUE(payout.payout);
  EXPECT_EQ(payout.approved_by, chair_);
  EXPECT_EQ(GroupBalance("group_social_fund"), 10 * kKes);
  const std::vector<SocialFundEntry> entries = Must(cycles().SocialFundEntries(group_, 10, 0));
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].reason, "hospital");  // newest first
  EXPECT_EQ(Must(cycles().MemberView(amina_)).social_contributed, 20 * kKes);
  ExpectLedgerBalanced();
}

TEST_F(CyclesTest, PreviewSumsExactlyAndNamesWhatBlocksConfirmation) {
  Save(amina_, 4250);
  Save(halima_, 3000);
  Save(treasurer_, 1001);
  const Fine fine = Must(cycles().RecordFine(halima_, "late", 3333, "", kStaff));  // KES 33.33
  ASSERT_TRUE(cycles().DecideFine(fine.id, treasurer_, true, kStaff).ok());
  ASSERT_TRUE(cycles().RecordContribution(amina_, 20 * kKes, kStaff).ok());
  Must(svc().LogSaving(amina_, 5 * kKes, "ussd", ""));  // pending
  const Cycle c = Open();

  ShareOutPreview p = Must(cycles().PreviewShareOut(c.id));
  EXPECT_EQ(p.savings, (4250 + 3000 + 1001) * kKes);
  EXPECT_EQ(p.income, 3333);
  EXPECT_EQ(p.fund, p.savings + 3333);
  int64_t shares = 0;
  for (const ShareOutRow& r : p.rows) {
    shares += r.line.share;
    EXPECT_EQ(r.line.share % kKes, 0) << r.name;
  }
  EXPECT_EQ(shares, p.distributed);
  EXPECT_EQ(p.distributed + p.carried, p.fund);
  EXPECT_LT(p.carried, kKes);
  EXPECT_EQ(p.social_fund, 20 * kKes);  // shown, not shared
  ASSERT_EQ(p.blockers.size(), 2u);
  EXPECT_EQ(p.blockers[0], "state active: close the cycle first");
  EXPECT_EQ(p.blockers[1], "1 pending saving");
  EXPECT_EQ(cycles().ConfirmShareOut(c.id, kStaff).status().code(),
            Status::Code::kFailedPrecondition);
  ASSERT_TRUE(cycles().BeginClose(c.id, kStaff).ok());
  Result<ShareOutPreview> refused = cycles().ConfirmShareOut(c.id, kStaff);
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("1 pending saving"), std::string::npos);
  EXPECT_EQ(Open().state, CycleState::kClosing);  // nothing written
}

TEST_F(CyclesTest, ConfirmedShareOutZeroesSavingsAndIncomeAndKeepsTheSocialFund) {
  Save(amina_, 4250);
  Save(halima_, 3000);
  Save(treasurer_, 1001);
  const Fine fine = Must(cycles().RecordFine(halima_, "late", 3333, "", kStaff));
  ASSERT_TRUE(cycles().DecideFine(fine.id, treasurer_, true, kStaff).ok());
  ASSERT_TRUE(cycles().RecordContribution(amina_, 20 * kKes, kStaff).ok());
  const Cycle c = Open();
  ASSERT_TRUE(cycles().BeginClose(c.id, kStaff).ok());
  const ShareOutPreview preview = Must(cycles().PreviewShareOut(c.id));
  ASSERT_TRUE(preview.blockers.empty()) << preview.blockers[0];
  const int64_t fund_before = GroupBalance("group_loan_fund");

  const ShareOutPreview done = Must(cycles().ConfirmShareOut(c.id, kStaff));
  EXPECT_EQ(done.cycle.state, CycleState::kSharedOut);
  ASSERT_EQ(done.rows.size(), preview.rows.size());
  for (size_t i = 0; i < done.rows.size(); ++i) {
    EXPECT_EQ(done.rows[i].line.share, preview.rows[i].line.share);
    EXPECT_EQ(done.rows[i].line.payout, preview.rows[i].line.payout);
    EXPECT_EQ(done.rows[i].reference.size(), 6u);
  }
  EXPECT_EQ(done.distributed, preview.distributed);
  EXPECT_EQ(done.carried, preview.carried);
  for (int64_t m : {amina_, halima_, treasurer_, chair_}) EXPECT_EQ(SavingsOf(m), 0);
  EXPECT_EQ(GroupBalance("group_income"), 0);
  EXPECT_EQ(GroupBalance("group_carried"), -preview.carried);
  EXPECT_EQ(GroupBalance("group_loan_fund"), fund_before - preview.total_payout);
  EXPECT_EQ(GroupBalance("group_loan_fund"), preview.carried);  // the residual stays in the box
  EXPECT_EQ(GroupBalance("group_social_fund"), 20 * kKes);
  EXPECT_EQ(GroupBalance("group_social_equity"), -20 * kKes);
  EXPECT_EQ(Count(kJournalsOfKind, "share_out"), 1);
  EXPECT_EQ(Count(kAuditCount, "share_out.confirm"), 1);
  ExpectLedgerBalanced();

  // Final: lines fixed, no second share-out, no saving into a shared-out cycle.
  EXPECT_FALSE(db_->Prepare(kChangeLine).Run().ok());
  EXPECT_EQ(cycles().ConfirmShareOut(c.id, kStaff).status().code(),
            Status::Code::kFailedPrecondition);
  Result<Saving> late = svc().LogSaving(amina_, 100, "ussd", "");
  EXPECT_EQ(late.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(late.status().message().rfind("cycle: ", 0), 0u);
  EXPECT_FALSE(Must(cycles().MemberView(amina_)).open);
}

TEST_F(CyclesTest, TheNextCycleTakesTheResidualAndReinvestedPayouts) {
  Save(amina_, 4250);
  Save(halima_, 3000);
  const Fine fine = Must(cycles().RecordFine(halima_, "late", 3350, "", kStaff));  // 33.50
  ASSERT_TRUE(cycles().DecideFine(fine.id, treasurer_, true, kStaff).ok());
  const Cycle first = Open();
  ASSERT_TRUE(cycles().BeginClose(first.id, kStaff).ok());
  const ShareOutPreview done = Must(cycles().ConfirmShareOut(first.id, kStaff));
  EXPECT_EQ(done.carried, 50);  // 33.50 of income leaves 0.50 below a shilling
  int64_t amina_payout = 0;
  for (const ShareOutRow& r : done.rows) {
    if (r.line.member_id == amina_) amina_payout = r.line.payout;
  }
  ASSERT_GT(amina_payout, 4250 * kKes);

  CycleRules rules;
  rules.lends = true;
  rules.social_fund_per_meeting = 20 * kKes;
  rules.share_out_unit = kKes;
  Cycle second = Must(cycles().Plan(group_, rules, kNow + 7 * kDay, kStaff));
  EXPECT_EQ(second.number, 2);
  EXPECT_EQ(second.state, CycleState::kPlanned);
  EXPECT_EQ(second.carried_in, 50);
  EXPECT_EQ(Must(cycles().Get(first.id)).state, CycleState::kClosed);
  // A planned cycle takes no savings yet.
  EXPECT_EQ(svc().LogSaving(amina_, 100, "ussd", "").status().code(),
            Status::Code::kFailedPrecondition);

  Reinvestment bad;
  bad.member_ids = {chair_};
  EXPECT_EQ(cycles().Start(second.id, bad, kStaff).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(Must(cycles().Get(second.id)).state, CycleState::kPlanned);  // nothing written

  ctx_.now = kNow + 8 * kDay;
  Reinvestment amina_only;
  amina_only.member_ids = {amina_};
  second = Must(cycles().Start(second.id, amina_only, kStaff));
  EXPECT_EQ(second.state, CycleState::kActive);
  EXPECT_EQ(second.starts_at, kNow + 8 * kDay);
  EXPECT_TRUE(second.rules.lends);
  EXPECT_EQ(SavingsOf(amina_), amina_payout);
  EXPECT_EQ(SavingsOf(halima_), 0);
  EXPECT_EQ(GroupBalance("group_loan_fund"), 50 + amina_payout);
  // Her reinvestment is a confirmed saving of the new cycle.
  const std::vector<Cycle> all = Must(cycles().OfGroup(group_));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, second.id);
  // The residual is shared at the next share-out.
  const ShareOutPreview next = Must(cycles().PreviewShareOut(second.id));
  EXPECT_EQ(next.income, 50);
  ExpectLedgerBalanced();
}

TEST_F(CyclesTest, HerViewShowsHerSavingsEstimateAndPendingFines) {
  Save(amina_, 4250);
  Save(halima_, 4250);
  const Fine fine = Must(cycles().RecordFine(halima_, "late", 100 * kKes, "", kStaff));
  ASSERT_TRUE(cycles().DecideFine(fine.id, treasurer_, true, kStaff).ok());
  ASSERT_TRUE(cycles().RecordFine(amina_, "absent", 50 * kKes, "", kStaff).ok());
  const MemberCycleView v = Must(cycles().MemberView(amina_));
  EXPECT_TRUE(v.open);
  EXPECT_EQ(v.savings, 4250 * kKes);
  EXPECT_EQ(v.fines_pending, 50 * kKes);
  ASSERT_TRUE(v.estimate.has_value());
  EXPECT_EQ(v.estimate->share, 4300 * kKes);  // half of 8,600
  EXPECT_FALSE(Must(cycles().MemberView(chair_)).estimate.has_value());  // no savings
  EXPECT_EQ(cycles().MemberView(999).status().code(), Status::Code::kNotFound);
}

TEST_F(CyclesTest, PlanRefusesBadRulesNamingTheField) {
  const Cycle c = Open();
  ASSERT_TRUE(cycles().BeginClose(c.id, kStaff).ok());
  Save(amina_, 100);
  ASSERT_TRUE(cycles().ConfirmShareOut(c.id, kStaff).ok());
  CycleRules bad;
  bad.max_term_months = 4;
  Result<Cycle> r = cycles().Plan(group_, bad, 0, kStaff);
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("max_term_months:", 0), 0u) << r.status().message();
  EXPECT_EQ(cycles().Plan(999, CycleRules{}, 0, kStaff).status().code(), Status::Code::kNotFound);
  // Cancelled before it starts: closed, and the group may plan again.
  const Cycle planned = Must(cycles().Plan(group_, CycleRules{}, 0, kStaff));
  EXPECT_EQ(Must(cycles().Cancel(planned.id, kStaff)).state, CycleState::kClosed);
  EXPECT_EQ(Must(cycles().Plan(group_, CycleRules{}, 0, kStaff)).number, 3);
}

}  // namespace
}  // namespace shg
