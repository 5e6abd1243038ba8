// Internal group loans (issue 11 part 2) over a real SQLite file: when the
// fund may lend (table of the pure rule, then the stored offer), a loan
// approved from the fund and handed out (postings, schedule, ledger check),
// its repayments into the fund until repaid, the cap re-checked at the
// decision, partner callbacks refused on a group loan, and her own request.
#include <gtest/gtest.h>

#include <string>
#include <vector>

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
using TempDb = shg::testing::TestDatabase;

constexpr int64_t kDay = 24 * 60 * 60;
constexpr int64_t kNow = 1717200000;  // 2024-06-01 00:00 UTC

template <typename T>
T Must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : T{};
}

// ------------------------------------------------------------- pure rule

TEST(InternalLoanAppliesTest, WhenTheFundMayLend) {
  GroupFundFacts base;
  base.programme_allows = true;
  base.has_cycle = true;
  base.cycle_state = CycleState::kActive;
  base.rules.lends = true;
  base.rules.loan_savings_multiple = 3;
  base.rules.max_term_months = 3;
  base.rules.flat_rate_bp_per_month = 1000;
  base.her_savings = 100000;     // KES 1,000 -> cap KES 3,000
  base.fund_available = 500000;  // KES 5,000
  struct Case {
    const char* name;
    void (*edit)(GroupFundFacts&);
    int64_t amount;
    int term;
    bool applies;
  };
  const Case cases[] = {
      {"within cap and term", [](GroupFundFacts&) {}, 300000, 2, true},
      {"one month", [](GroupFundFacts&) {}, 100, 1, true},
      {"lends off", [](GroupFundFacts& f) { f.rules.lends = false; }, 300000, 2, false},
      {"cycle closing", [](GroupFundFacts& f) { f.cycle_state = CycleState::kClosing; }, 300000,
       2, false},
      {"cycle planned", [](GroupFundFacts& f) { f.cycle_state = CycleState::kPlanned; }, 300000,
       2, false},
      {"no cycle", [](GroupFundFacts& f) { f.has_cycle = false; }, 300000, 2, false},
      {"amount above cap", [](GroupFundFacts&) {}, 300001, 2, false},
      {"amount above fund", [](GroupFundFacts& f) { f.fund_available = 200000; }, 250000, 2,
       false},
      {"term 4 months", [](GroupFundFacts&) {}, 300000, 4, false},
      {"term 0", [](GroupFundFacts&) {}, 300000, 0, false},
      {"group loans off", [](GroupFundFacts& f) { f.programme_allows = false; }, 300000, 2,
       false},
      {"no savings", [](GroupFundFacts& f) { f.her_savings = 0; }, 100, 1, false},
      {"zero amount", [](GroupFundFacts&) {}, 0, 1, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    GroupFundFacts f = base;
    c.edit(f);
    EXPECT_EQ(InternalLoanApplies(f, c.amount, c.term), c.applies);
    // Terms are offered exactly when something may be lent.
    EXPECT_EQ(InternalLoanTerms(f).empty(), InternalLoanLimit(f) == 0);
  }
  EXPECT_EQ(InternalLoanLimit(base), 300000);
  EXPECT_EQ(InternalLoanTerms(base), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(InternalAnnualRateBp(base.rules), 12000);
}

TEST(GroupLoanScheduleTest, FlatUpTo24000BpOnlyForGroupLoans) {
  LoanTerms t{300000, 2, 12000, InterestRule::kFlat, Currency{"KES", 2}, kNow};
  EXPECT_FALSE(BuildSchedule(t).ok());  // an MFI loan stays within 100% a year
  t.group_loan = true;
  auto s = BuildSchedule(t);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].total, 180000);
  EXPECT_EQ((*s)[1].total, 180000);
  EXPECT_EQ((*s)[0].interest + (*s)[1].interest, 60000);
  t.annual_rate_bp = 24001;
  EXPECT_FALSE(BuildSchedule(t).ok());
  t.annual_rate_bp = 12000;
  t.rule = InterestRule::kDeclining;
  EXPECT_FALSE(BuildSchedule(t).ok());  // a group loan is flat
}

// ---------------------------------------------------------- stored side

// Upendo (KES, product imara 3/6/12 months from KES 5,000): Wanjiru
// treasurer, Grace chair, Amina member; cycle 2 active and lending
// (3x savings, 3 months, 10%/month). Savings: 6 x KES 500 each -> her
// savings KES 3,000, the fund KES 9,000.
class GroupLoansTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::ConnectionOptions o;
    o.synchronous = "OFF";
    auto db = tmp_.Connect();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(store::MigrateTo(*db_, store::LatestSchemaVersion()).ok());
    ctx_.pins = &pins_;
    ctx_.now = kNow;
    programme_.group_loans = true;
    programme_.purposes = {"bakery"};
    LoanProduct imara;
    imara.partner_id = "imara";
    imara.partner_name = "Imara Microfinance";
    imara.currency = "KES";
    imara.min_amount = 500000;
    imara.max_amount = 5000000;
    imara.terms_months = {3, 6, 12};
    imara.rule = InterestRule::kFlat;
    imara.annual_rate_bp = 1800;
    programme_.products = {imara};
    ASSERT_TRUE(svc().UpsertTrainingModule("s1", 1, "Groups").ok());
    ASSERT_TRUE(svc().UpsertTrainingModule("s2", 2, "Business").ok());
    Group g;
    g.name = "Upendo";
    g.country = "KE";
    g.currency = "KES";
    group_ = Must(svc().AddGroup(g));
    LendingCycle(group_, 1, "active");
    wanjiru_ = AddMember("+254700000002", "Wanjiru", Role::kTreasurer);
    grace_ = AddMember("+254700000003", "Grace", Role::kChair);
    amina_ = AddMember("+254700000001", "Amina Achieng", Role::kMember);
    Save(amina_, wanjiru_);
    Save(wanjiru_, grace_);
    Save(grace_, wanjiru_);
    ctx_.now = kNow;
  }

  // TEST-ONLY SHORTCUT: a group's cycle 1 is created not lending and its
  // rules are fixed by trigger, so cycle 1 is marked closed by SQL (no
  // share-out) and a cycle 2 with these rules is inserted in `state`.
  // Real groups get a lending cycle through Cycles::Plan + Start.
  void LendingCycle(int64_t group, int lends, const std::string& state) {
    ASSERT_TRUE(db_->Exec("UPDATE cycles SET state = 'closed' WHERE group_id = " +
                          std::to_string(group) + " AND state IN ('active', 'closing')")
                    .ok());
    Statement& st = db_->Prepare(
        "INSERT INTO cycles (group_id, number, state, lends, loan_savings_multiple,"
        " max_term_months, flat_rate_bp_per_month, social_fund_per_meeting, share_out_unit,"
        " length_months, starts_at, ends_at, created_by, created_at, updated_at)"
        " VALUES (?, (SELECT MAX(number) + 1 FROM cycles WHERE group_id = ?), ?, ?, 3, 3, 1000,"
        " 0, 100, 12, ?, ?, 'test', ?, ?) RETURNING id");
    ASSERT_TRUE(st.Bind(1, group)
                    .Bind(2, group)
                    .Bind(3, state)
                    .Bind(4, static_cast<int64_t>(lends))
                    .Bind(5, kNow - 300 * kDay)
                    .Bind(6, kNow + 65 * kDay)
                    .Bind(7, kNow - 300 * kDay)
                    .Bind(8, kNow - 300 * kDay)
                    .Run()
                    .ok());
    cycle_ = db_->ReturnedId();
  }

  Services svc() { return Services(*db_, ctx_); }
  Loans loans() { return Loans(*db_, ctx_, programme_); }
  Actor ActorOf(int64_t id) { return Actor{"member", std::to_string(id), "ussd", "r"}; }

  int64_t AddMember(const std::string& phone, const std::string& name, Role role) {
    Member m;
    m.group_id = group_;
    m.phone = phone;
    m.name = name;
    m.role = role;
    m.active = true;
    m.joined_at = kNow - 240 * kDay;
    const int64_t id = Must(svc().AddMember(m));
    EXPECT_TRUE(svc().RecordTraining(id, "s1", "staff").ok());
    EXPECT_TRUE(svc().RecordTraining(id, "s2", "staff").ok());
    return id;
  }

  void Save(int64_t member, int64_t decider) {
    for (int i = 0; i < 6; ++i) {
      ctx_.now = kNow - (6 - i) * 20 * kDay;
      Saving s = Must(svc().LogSaving(member, 50000, "ussd", ""));
      ASSERT_TRUE(svc().DecideSaving(s.id, decider, true).ok());
    }
  }

  int64_t GroupBalance(const char* kind) {
    Statement& st = db_->Prepare(
        "SELECT balance * normal FROM accounts WHERE group_id = ? AND kind = ?"
        " AND member_id IS NULL AND partner_id IS NULL");
    ScopedReset reset(st);
    st.Bind(1, group_).Bind(2, std::string(kind));
    auto row = st.Step();
    EXPECT_TRUE(row.ok() && *row);
    return st.Int(0);
  }

  Loan Request(int64_t member, int64_t amount, int term) {
    LoanRequest r{member, amount, "bakery", term, true, "ussd", ""};
    RequestOutcome out = Must(loans().Request(r, ActorOf(member)));
    EXPECT_EQ(out.refusal, "");
    return out.loan.value_or(Loan{});
  }

  TempDb tmp_;
  std::unique_ptr<Connection> db_;
  PinHasher pins_{"group-loans-test-pepper-0123456789"};
  DomainContext ctx_;
  LoanProgramme programme_;
  int64_t group_ = 0, cycle_ = 0, wanjiru_ = 0, grace_ = 0, amina_ = 0;
};

TEST_F(GroupLoansTest, OfferMergesTheFundsTermsAndLimit) {
  LoanOffer offer = Must(loans().OfferFor(amina_));
  EXPECT_EQ(offer.refusal, "");
  EXPECT_EQ(offer.group_max_amount, 900000);  // 3 x KES 3,000 (fund KES 9,000)
  EXPECT_EQ(offer.mfi_max_amount, 900000);
  EXPECT_EQ(offer.max_amount, 900000);
  EXPECT_EQ(offer.min_amount, 100);  // one shilling: the MFI's minimum is not the group's
  EXPECT_EQ(offer.terms_months, (std::vector<int>{1, 2, 3, 6, 12}));
  EXPECT_EQ(offer.group_annual_rate_bp, 12000);

  programme_.group_loans = false;  // whatever the cycle says
  LoanOffer off = Must(loans().OfferFor(amina_));
  EXPECT_EQ(off.group_max_amount, 0);
  EXPECT_EQ(off.min_amount, 500000);
  EXPECT_EQ(off.terms_months, (std::vector<int>{3, 6, 12}));
  LoanRequest r{amina_, 300000, "bakery", 2, true, "ussd", ""};
  EXPECT_EQ(Must(loans().Request(r, ActorOf(amina_))).refusal, "amount_below_minimum");
}

TEST_F(GroupLoansTest, RequestRecordsItsCycleAndRefusesATermNeitherOffers) {
  LoanRequest r{amina_, 950000, "bakery", 2, true, "ussd", ""};  // above both limits
  EXPECT_EQ(Must(loans().Request(r, ActorOf(amina_))).refusal, "amount_above_limit");
  r.amount = 300000;
  r.term_months = 6;  // the product's term, but below its minimum; not the fund's term
  EXPECT_EQ(Must(loans().Request(r, ActorOf(amina_))).refusal, "term_not_allowed");
  Loan loan = Request(amina_, 300000, 2);
  EXPECT_EQ(loan.cycle_id, cycle_);
  EXPECT_EQ(loan.cycle_flat_rate_bp_per_month, 1000);
  EXPECT_EQ(loan.source, LoanSource::kMfi);  // decided at group approval
}

TEST_F(GroupLoansTest, ApprovedFromTheFundIsDisbursedAtOnceAndPostsBalancedJournals) {
  Loan asked = Request(amina_, 300000, 2);  // KES 3,000 over 2 months
  GroupDecisionOptions options = Must(loans().DecisionOptions(asked.id));
  EXPECT_TRUE(options.from_fund);
  EXPECT_TRUE(options.refer);
  EXPECT_EQ(options.partner_name, "Imara Microfinance");
  EXPECT_EQ(options.fund_quote.instalment, 180000);
  const int64_t fund_before = GroupBalance("group_loan_fund");
  const int64_t income_before = GroupBalance("group_income");

  LoanChange change = Must(loans().GroupApproveFromFund(asked.id, wanjiru_, ActorOf(wanjiru_)));
  EXPECT_TRUE(change.changed);
  EXPECT_EQ(change.entered, (std::vector<LoanState>{LoanState::kGroupApproved,
                                                    LoanState::kApproved,
                                                    LoanState::kDisbursed}));
  const Loan& loan = change.loan;
  EXPECT_EQ(loan.state, LoanState::kDisbursed);
  EXPECT_EQ(loan.source, LoanSource::kGroup);
  EXPECT_EQ(loan.approved_amount, 300000);
  EXPECT_EQ(loan.approved_term_months, 2);
  EXPECT_EQ(loan.rule, InterestRule::kFlat);
  EXPECT_EQ(loan.annual_rate_bp, 12000);
  EXPECT_EQ(loan.outstanding, 360000);  // KES 3,000 + KES 600
  EXPECT_EQ(GroupBalance("group_loan_fund"), fund_before - 300000);
  EXPECT_EQ(GroupBalance("group_income"), income_before + 60000);
  std::vector<Instalment> schedule = Must(loans().Schedule(loan.id));
  ASSERT_EQ(schedule.size(), 2u);
  EXPECT_EQ(schedule[0].total, 180000);
  EXPECT_EQ(schedule[1].total, 180000);
  {
    Statement& st = db_->Prepare("SELECT disbursement_tx_id FROM loans WHERE id = ?");
    ScopedReset reset(st);
    st.Bind(1, loan.id);
    ASSERT_TRUE(*st.Step());
    EXPECT_EQ(st.Text(0), loan.reference);
  }
  EXPECT_TRUE(ledger::Check(*db_).ok());
  // Decided once.
  EXPECT_EQ(loans().GroupApproveFromFund(asked.id, grace_, ActorOf(grace_)).status().code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(loans().GroupDecide(asked.id, grace_, true, "", ActorOf(grace_)).status().code(),
            Status::Code::kFailedPrecondition);

  // Repayments she logs go into the fund once the treasurer confirms them.
  for (int i = 0; i < 2; ++i) {
    Repayment rep = Must(loans().LogRepayment(amina_, 180000, "ussd", "", ActorOf(amina_)));
    RepaymentChange done = Must(loans().DecideRepayment(rep.id, wanjiru_, true, ActorOf(wanjiru_)));
    EXPECT_TRUE(done.posted);
    EXPECT_EQ(GroupBalance("group_loan_fund"), fund_before - 300000 + 180000 * (i + 1));
    EXPECT_EQ(done.loan.loan.state, i == 0 ? LoanState::kDisbursed : LoanState::kRepaid);
  }
  EXPECT_EQ(Must(loans().Get(loan.id)).outstanding, 0);
  EXPECT_TRUE(ledger::Check(*db_).ok());
}

TEST_F(GroupLoansTest, PartnerCallbacksNeverSeeAGroupLoan) {
  Loan asked = Request(amina_, 300000, 2);
  Loan loan = Must(loans().GroupApproveFromFund(asked.id, wanjiru_, ActorOf(wanjiru_))).loan;
  const Actor partner{"partner", "imara", "partner-api", ""};
  EXPECT_EQ(loans().PartnerLoan("imara", loan.reference).status().code(),
            Status::Code::kNotFound);
  PartnerDecision d{true, 300000, 3, InterestRule::kFlat, 1800, ""};
  EXPECT_EQ(loans().RecordPartnerDecision("imara", loan.reference, d, partner).status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(loans()
                .RecordDisbursement("imara", loan.reference, 300000, kNow, "tx-1", partner)
                .status()
                .code(),
            Status::Code::kNotFound);
  EXPECT_EQ(loans()
                .RecordPartnerRepayment("imara", loan.reference, "pay-1", 180000, 0, partner)
                .status()
                .code(),
            Status::Code::kNotFound);
  EXPECT_EQ(Must(loans().Get(loan.id)).outstanding, 360000);
}

TEST_F(GroupLoansTest, RefusalsAtTheDecision) {
  // Her own request.
  Loan own = Request(wanjiru_, 300000, 2);
  EXPECT_EQ(loans().GroupApproveFromFund(own.id, wanjiru_, ActorOf(wanjiru_)).status().code(),
            Status::Code::kPermissionDenied);
  // Not an officer.
  Loan asked = Request(grace_, 800000, 2);
  EXPECT_EQ(loans().GroupApproveFromFund(asked.id, amina_, ActorOf(amina_)).status().code(),
            Status::Code::kPermissionDenied);
  EXPECT_EQ(loans().GroupApproveFromFund(99999, wanjiru_, ActorOf(wanjiru_)).status().code(),
            Status::Code::kNotFound);
  // Wanjiru's KES 3,000 is lent first: the fund (KES 9,000 -> 6,000) can no
  // longer cover Grace's KES 8,000; the cap is checked at the decision.
  ASSERT_TRUE(loans().GroupApproveFromFund(own.id, grace_, ActorOf(grace_)).ok());
  EXPECT_FALSE(Must(loans().DecisionOptions(asked.id)).from_fund);
  EXPECT_TRUE(Must(loans().DecisionOptions(asked.id)).refer);
  Result<LoanChange> late = loans().GroupApproveFromFund(asked.id, wanjiru_, ActorOf(wanjiru_));
  EXPECT_EQ(late.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(late.status().message().rfind("fund:", 0), 0u) << late.status().ToString();
  EXPECT_EQ(Must(loans().Get(asked.id)).state, LoanState::kRequested);
  // A larger request still goes to the MFI.
  LoanChange referred = Must(loans().GroupDecide(asked.id, wanjiru_, true, "", ActorOf(wanjiru_)));
  EXPECT_EQ(referred.loan.state, LoanState::kReferredToMfi);
  EXPECT_EQ(referred.loan.source, LoanSource::kMfi);
  // Programme off: never from the fund.
  Loan amina = Request(amina_, 300000, 2);
  programme_.group_loans = false;
  EXPECT_FALSE(Must(loans().DecisionOptions(amina.id)).from_fund);
  EXPECT_EQ(loans().GroupApproveFromFund(amina.id, wanjiru_, ActorOf(wanjiru_)).status().code(),
            Status::Code::kFailedPrecondition);
  EXPECT_TRUE(ledger::Check(*db_).ok());
}

TEST_F(GroupLoansTest, ScheduleRemindsAndPutsAGroupLoanInArrears) {
  Loan asked = Request(amina_, 300000, 2);
  Loan loan = Must(loans().GroupApproveFromFund(asked.id, wanjiru_, ActorOf(wanjiru_))).loan;
  const std::vector<Instalment> schedule = Must(loans().Schedule(loan.id));
  const Actor scheduler{"system", "scheduler", "", ""};
  ctx_.now = schedule[0].due_at - 3600;
  SchedulerRun soon = Must(loans().RunScheduler(scheduler));
  ASSERT_EQ(soon.reminders.size(), 1u);
  EXPECT_EQ(soon.reminders[0].loan.id, loan.id);
  ctx_.now = schedule[0].due_at + (programme_.grace_days + 1) * kDay;
  SchedulerRun late = Must(loans().RunScheduler(scheduler));
  ASSERT_EQ(late.changes.size(), 1u);
  EXPECT_EQ(late.changes[0].loan.state, LoanState::kInArrears);
}

}  // namespace
}  // namespace shg
