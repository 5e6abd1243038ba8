// RunLoanScheduler: one unit of work that expires forgotten requests, puts
// overdue loans in arrears, lists due instalments and queues the SMS, on a
// temporary SQLite file with the demo data.
#include "gateway/loan_jobs.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "dialogs/catalogue.h"
#include "dialogs/notify.h"
#include "domain/demo.h"
#include "domain/services.h"
#include "tests/support/test_db.h"
#include "tests/support/count_rows.h"

namespace shg::gateway {
namespace {

constexpr int64_t kDay = 86400;
// 2025-11-27 09:00 UTC: the demo's "today".
constexpr int64_t kToday = 1764234000;

class LoanJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions so;
    so = db_.Options();
    so.synchronous = "OFF";
    auto store = store::Store::Open(so);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    ASSERT_TRUE(LoadDemo(*store_, pins_, 30, kToday).ok());
    auto catalogue = dialogs::Catalogue::Load(std::string(SHG_SOURCE_DIR) + "/config/lang",
                                              {"en", "sw"});
    ASSERT_TRUE(catalogue.ok()) << catalogue.status().ToString();
    catalogue_ = std::make_unique<dialogs::Catalogue>(std::move(*catalogue));
    dialogs::SmsRouting routing;
    routing.by_country["KE"] = "at-ke";
    notifier_ = std::make_unique<dialogs::Notifier>(*catalogue_, routing, "en");

    LoanProduct imara;
    imara.partner_id = "imara";
    imara.partner_name = "Imara Microfinance";
    imara.currency = "KES";
    imara.min_amount = 100000;
    imara.max_amount = 10000000;
    imara.terms_months = {3, 6, 12};
    imara.annual_rate_bp = 1800;
    imara.has_api = true;
    programme_.purposes = {"bakery"};
    programme_.products = {imara};
  }

  int64_t Member(const std::string& phone) {
    DomainContext ctx{&pins_, 3, kToday};
    Services svc(store_->Reader(), ctx);
    auto members = svc.MembersByPhone(phone);
    EXPECT_TRUE(members.ok() && !members->empty());
    return members.ok() && !members->empty() ? members->front().id : 0;
  }

  // Amina's KES 10,000 request, approved by Grace (referred to imara) at `at`.
  int64_t ReferredLoan(int64_t at) {
    const int64_t amina = Member("+254700000001");
    const int64_t grace = Member("+254700000003");
    int64_t id = 0;
    Status s = store_->Run([&](store::Connection& conn) -> Status {
      DomainContext ctx{&pins_, 3, at};
      Loans loans(conn, ctx, programme_);
      LoanRequest req{amina, 1000000, "bakery", 6, true, "at-ke", ""};
      auto out = loans.Request(req, Actor{"member", "amina", "at-ke", ""});
      if (!out.ok()) return out.status();
      if (!out->loan) return Status::Internal("refused: " + out->refusal);
      id = out->loan->id;
      return loans.GroupDecide(id, grace, true, "", Actor{"member", "grace", "at-ke", ""})
          .status();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return id;
  }

  Status Disburse(int64_t loan_id, int64_t at) {
    return store_->Run([&](store::Connection& conn) -> Status {
      DomainContext ctx{&pins_, 3, at};
      Loans loans(conn, ctx, programme_);
      auto loan = loans.Get(loan_id);
      if (!loan.ok()) return loan.status();
      const Actor partner{"partner", "imara", "partner-api", ""};
      PartnerDecision d{true, 1000000, 6, InterestRule::kDeclining, 1800, ""};
      auto approved = loans.RecordPartnerDecision("imara", loan->reference, d, partner);
      if (!approved.ok()) return approved.status();
      return loans.RecordDisbursement("imara", loan->reference, 1000000, at, "IMR-TX-1", partner)
          .status();
    });
  }

  LoanState StateOf(int64_t loan_id) {
    DomainContext ctx{&pins_, 3, kToday};
    Loans loans(store_->Reader(), ctx, programme_);
    auto loan = loans.Get(loan_id);
    EXPECT_TRUE(loan.ok());
    return loan.ok() ? loan->state : LoanState::kRequested;
  }

  int64_t Sms(const std::string& kind_like) {
    return shg::testing::CountRows(
        store_->Reader(),
        "SELECT count(*) FROM messages WHERE kind LIKE '" + kind_like + "' AND channel = 'at-ke'");
  }

  shg::testing::TestDatabase db_;
  PinHasher pins_{"loan-jobs-test-pepper-0123456789"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<dialogs::Catalogue> catalogue_;
  std::unique_ptr<dialogs::Notifier> notifier_;
  LoanProgramme programme_;
};

TEST_F(LoanJobsTest, NothingToDo) {
  auto run = RunLoanScheduler(*store_, programme_, notifier_.get(), kToday);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->expired, 0);
  EXPECT_EQ(run->in_arrears, 0);
  EXPECT_EQ(run->reminders, 0);
  EXPECT_EQ(run->notices, 0);
}

TEST_F(LoanJobsTest, ExpiresAndTellsHerOnce) {
  const int64_t loan = ReferredLoan(kToday);
  const int64_t sms_before = Sms("%");
  auto early = RunLoanScheduler(*store_, programme_, notifier_.get(), kToday + 13 * kDay);
  ASSERT_TRUE(early.ok()) << early.status().ToString();
  EXPECT_EQ(early->expired, 0);
  EXPECT_EQ(StateOf(loan), LoanState::kReferredToMfi);

  auto run = RunLoanScheduler(*store_, programme_, notifier_.get(), kToday + 15 * kDay);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->expired, 1);
  EXPECT_EQ(run->notices, 1);
  EXPECT_EQ(StateOf(loan), LoanState::kExpired);
  EXPECT_EQ(Sms("%"), sms_before + 1);

  auto again = RunLoanScheduler(*store_, programme_, notifier_.get(), kToday + 15 * kDay);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->expired, 0);
  EXPECT_EQ(again->notices, 0);
  EXPECT_EQ(Sms("%"), sms_before + 1);
}

TEST_F(LoanJobsTest, WithoutNotifierChangesButSendsNothing) {
  const int64_t loan = ReferredLoan(kToday);
  const int64_t sms_before = Sms("%");
  auto run = RunLoanScheduler(*store_, programme_, nullptr, kToday + 15 * kDay);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->expired, 1);
  EXPECT_EQ(run->notices, 0);
  EXPECT_EQ(StateOf(loan), LoanState::kExpired);
  EXPECT_EQ(Sms("%"), sms_before);
}

TEST_F(LoanJobsTest, RemindsBeforeTheDueDateThenArrearsAfterGrace) {
  const int64_t loan = ReferredLoan(kToday);
  ASSERT_TRUE(Disburse(loan, kToday + kDay).ok());
  // The first instalment is due one calendar month after disbursement
  // (28 Dec 2025 09:00): remind within the last day before it.
  const int64_t due = 1766912400;
  auto before = RunLoanScheduler(*store_, programme_, notifier_.get(), due - 2 * kDay);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(before->reminders, 0);

  const int64_t reminders_before = Sms("%");
  auto remind = RunLoanScheduler(*store_, programme_, notifier_.get(), due - kDay / 2);
  ASSERT_TRUE(remind.ok()) << remind.status().ToString();
  EXPECT_EQ(remind->reminders, 1);
  EXPECT_EQ(Sms("%"), reminders_before + 1);
  auto remind_again = RunLoanScheduler(*store_, programme_, notifier_.get(), due - kDay / 4);
  ASSERT_TRUE(remind_again.ok());
  EXPECT_EQ(Sms("%"), reminders_before + 1) << "one reminder per instalment";

  auto in_grace = RunLoanScheduler(*store_, programme_, notifier_.get(), due + 6 * kDay);
  ASSERT_TRUE(in_grace.ok());
  EXPECT_EQ(in_grace->in_arrears, 0);
  EXPECT_EQ(StateOf(loan), LoanState::kDisbursed);

  auto late = RunLoanScheduler(*store_, programme_, notifier_.get(), due + 8 * kDay);
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  EXPECT_EQ(late->in_arrears, 1);
  EXPECT_EQ(late->notices, 1);
  EXPECT_EQ(StateOf(loan), LoanState::kInArrears);
}

}  // namespace
}  // namespace shg::gateway
