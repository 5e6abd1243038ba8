// Two gateway instances on one PostgreSQL database, as behind a load
// balancer (issue 12): a session's steps may reach either; concurrent
// requests for the same thing take effect once; counters add up across
// instances; work that must run once across them (the loan scheduler) runs
// on one. Runs in the "pg/" pass (SHG_TEST_BACKEND=postgresql); on SQLite,
// one process owns the file and these tests are skipped.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "domain/demo.h"
#include "domain/loans.h"
#include "domain/services.h"
#include "domain/pin.h"
#include "domain/store/store.h"
#include "domain/messages.h"
#include "gateway/app.h"
#include "gateway/fake/fake_provider.h"
#include "gateway/loan_jobs.h"
#include "tests/support/count_rows.h"
#include "tests/support/http_client.h"
#include "tests/support/test_db.h"
#include "tests/support/net.h"

namespace shg {
namespace {

using testing::HttpClient;
using testing::HttpResult;

const std::string kPepper = "two-instances-test-pepper-0123456789";
constexpr char kAmina[] = "+254700000001";  // demo: PIN 2580, KES 4,250 saved
constexpr char kWanjiru[] = "+254700000002";  // demo treasurer, six savings
constexpr char kGrace[] = "+254700000003";    // demo chair, six savings

class TwoInstancesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test_db_.postgres()) GTEST_SKIP() << "two instances share a PostgreSQL database only";
    gateway::FakeProviderOptions fo;
    fo.print = false;
    fake_ = std::make_unique<gateway::FakeProvider>(fo);
    ASSERT_TRUE(fake_->Start().ok());
    test_db_.Configure(settings_);
    settings_.listen_host = "127.0.0.1";
    settings_.listen_port = 0;
    settings_.catalogue_dir = std::string(SHG_SOURCE_DIR) + "/config/lang";
    settings_.loans.scheduler_interval_s = 1;
    config::ChannelSettings at;
    at.id = "at-ke";
    at.type = "africastalking";
    at.service_code = "*384*7#";
    at.country = "KE";
    at.api_base_url = "http://127.0.0.1:" + std::to_string(fake_->port()) + "/at-ke";
    at.username = "sandbox";
    at.secret = "at-key";
    at.sender = "22384";
    at.send_rate_per_s = kRate;
    settings_.channels = {at};
    settings_.outbox.poll_ms = 20;
    config::MfiPartnerSettings imara;  // no API: referred loans wait for its callbacks
    imara.id = "imara";
    imara.name = "Imara Microfinance";
    imara.currency = "KES";
    imara.min_amount_units = 1000;
    imara.max_amount_units = 100000;
    imara.terms_months = {3, 6, 12};
    imara.interest_rule = "declining";
    imara.annual_rate_bp = 1800;
    settings_.mfi_partners = {imara};
    {
      auto store = store::Store::Open(test_db_.Options());
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      PinHasher pins(kPepper);
      ASSERT_TRUE(LoadDemo(**store, pins, 30, gateway::SystemNow() - 86400).ok());
    }
    for (auto& app : apps_) {
      auto created = gateway::App::Create(settings_, kPepper,
                                          [this] { return gateway::SystemNow() + clock_offset_s_.load(); });
      ASSERT_TRUE(created.ok()) << created.status().ToString();
      app = std::move(*created);
      ASSERT_TRUE(app->Start().ok());
    }
  }
  void TearDown() override {
    for (auto& app : apps_) app.reset();
    fake_.reset();
  }
  static constexpr double kRate = 250;  // at-ke's sends per second

  std::string Base(int instance) const {
    return "http://127.0.0.1:" + std::to_string(apps_[static_cast<size_t>(instance)]->port());
  }
  // One USSD request (Africa's Talking format) to `instance`.
  HttpResult Ussd(int instance, const std::string& session, const std::string& text,
                  const std::string& phone = kAmina) {
    return HttpClient().PostForm(Base(instance) + "/channels/at-ke/ussd",
                                 {{"sessionId", session},
                                  {"serviceCode", "*384*7#"},
                                  {"phoneNumber", phone},
                                  {"networkCode", "63902"},
                                  {"text", text}});
  }
  // The screens of `inputs` in one session, step i sent to instance
  // `route(i)`.
  std::vector<std::string> Play(const std::string& session, const std::vector<std::string>& inputs,
                                int (*route)(size_t)) {
    std::vector<std::string> screens;
    std::string text;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (i > 0) text += (i > 1 ? "*" : "") + inputs[i];
      HttpResult r = Ussd(route(i), session, text);
      EXPECT_EQ(r.status, 200) << r.body;
      screens.push_back(r.body);
    }
    return screens;
  }
  int64_t Count(const std::string& sql) {
    return testing::CountRows(apps_[0]->store().Reader(), sql);
  }
  double Metric(int instance, const std::string& series) {
    HttpResult r = HttpClient().Get(Base(instance) + "/metrics");
    const size_t at = r.body.find("\n" + series + " ");
    if (at == std::string::npos) return 0;
    return std::stod(r.body.substr(at + series.size() + 2));
  }

  // A KES 5,000 loan over 6 months (the demo's eligible savers: Amina, Wanjiru, Grace) to the member at `phone`, referred to
  // imara and disbursed by it now: returns its first instalment's due time.
  Result<int64_t> DisbursedLoan(const std::string& phone) {
    const int64_t now = gateway::SystemNow();
    int64_t first_due = 0;
    Status s = apps_[0]->store().Run([&](store::Connection& conn) -> Status {
      PinHasher pins(kPepper);
      DomainContext ctx{&pins, 3, now};
      Services services(conn, ctx);
      auto member = services.MembersByPhone(phone);
      // Grace (chair) decides, or Wanjiru (treasurer) for Grace's own loan.
      auto chair = services.MembersByPhone(phone == kGrace ? kWanjiru : kGrace);
      if (!member.ok() || member->empty() || !chair.ok() || chair->empty()) {
        return Status::NotFound("demo member " + phone);
      }
      Loans loans(conn, ctx, apps_[0]->programme());
      auto asked = loans.Request(
          LoanRequest{member->front().id, 500000, "bakery", 6, true, "at-ke", ""},
          Actor{"member", phone, "at-ke", ""});
      if (!asked.ok()) return asked.status();
      if (!asked->loan) return Status::FailedPrecondition("refused: " + asked->refusal);
      const Loan& loan = *asked->loan;
      SHG_RETURN_IF_ERROR(
          loans.GroupDecide(loan.id, chair->front().id, true, "", Actor{"member", "chair", "at-ke", ""})
              .status());
      const Actor partner{"partner", "imara", "partner-api", ""};
      SHG_RETURN_IF_ERROR(loans
                              .RecordPartnerDecision("imara", loan.reference,
                                                     {true, 500000, 6, InterestRule::kDeclining, 1800, ""},
                                                     partner)
                              .status());
      SHG_RETURN_IF_ERROR(
          loans.RecordDisbursement("imara", loan.reference, 500000, now, "IMR-" + loan.reference, partner)
              .status());
      auto schedule = loans.Schedule(loan.id);
      if (!schedule.ok()) return schedule.status();
      if (schedule->empty()) return Status::Internal("no schedule");
      first_due = schedule->front().due_at;
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return first_due;
  }

  testing::TestDatabase test_db_;
  // Added to both instances' clocks (seconds): a test moves them on together.
  std::atomic<int64_t> clock_offset_s_{0};
  std::unique_ptr<gateway::FakeProvider> fake_;
  config::Settings settings_;
  std::array<std::unique_ptr<gateway::App>, 2> apps_;
};

TEST_F(TwoInstancesTest, ASessionWhoseStepsAlternateShowsTheScreensOfOneInstance) {
  // Dial, PIN, 1 My balance, 00 back, 6 My group: reads only, so both
  // sessions see the same programme.
  const std::vector<std::string> inputs = {"", "2580", "1", "00", "6"};
  const auto one = Play("ATUid_one", inputs, [](size_t) { return 0; });
  const auto alternating = Play("ATUid_alt", inputs, [](size_t i) { return static_cast<int>(i % 2); });
  ASSERT_EQ(one.size(), inputs.size());
  EXPECT_EQ(alternating, one);
  EXPECT_NE(one[2].find("4,250"), std::string::npos) << one[2];
}

TEST_F(TwoInstancesTest, TheSameConfirmPostedToBothAtOnceSavesOnce) {
  const int64_t before = Count(
      "SELECT COUNT(*) FROM savings s JOIN members m ON m.id = s.member_id"
      " WHERE m.phone = '+254700000001'");
  Play("ATUid_confirm", {"", "2580", "2", "400"}, [](size_t i) { return static_cast<int>(i % 2); });
  // The operator retries the confirm on the other instance while the first
  // is still answering.
  std::array<HttpResult, 2> answers;
  std::thread first([&] { answers[0] = Ussd(0, "ATUid_confirm", "2580*2*400*1"); });
  std::thread second([&] { answers[1] = Ussd(1, "ATUid_confirm", "2580*2*400*1"); });
  first.join();
  second.join();
  for (const HttpResult& a : answers) {
    EXPECT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.body.rfind("END Saved KES 400", 0), 0u) << a.body;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM savings s JOIN members m ON m.id = s.member_id"
                  " WHERE m.phone = '+254700000001'"),
            before + 1);
}

TEST_F(TwoInstancesTest, WrongPinsSplitAcrossInstancesLockAtThree) {
  // Three sessions open, then three wrong PINs at once, on both instances.
  const std::array<std::string, 3> sessions = {"ATUid_w1", "ATUid_w2", "ATUid_w3"};
  for (size_t i = 0; i < sessions.size(); ++i) {
    EXPECT_EQ(Ussd(static_cast<int>(i % 2), sessions[i], "").status, 200);
  }
  std::vector<std::thread> wrong;
  for (size_t i = 0; i < sessions.size(); ++i) {
    wrong.emplace_back([&, i] { Ussd(static_cast<int>(i % 2), sessions[i], "1357"); });
  }
  for (std::thread& t : wrong) t.join();
  EXPECT_EQ(Count("SELECT pin_failed FROM members WHERE phone = '+254700000001'"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM members WHERE phone = '+254700000001'"
                  " AND pin_locked_at IS NOT NULL"),
            1);
  // Locked: a new session on either instance is told so at once.
  for (int instance : {0, 1}) {
    HttpResult r = Ussd(instance, "ATUid_after" + std::to_string(instance), "");
    EXPECT_EQ(r.body.rfind("END ", 0), 0u) << r.body;
    EXPECT_NE(r.body.find("locked"), std::string::npos) << r.body;
  }
}

TEST_F(TwoInstancesTest, TheLoanSchedulerRunsOnOneInstanceAndMovesWhenItStops) {
  const std::string runs = "shg_loan_scheduler_runs_total{outcome=\"ok\"}";
  // Ticks every second on whichever instance holds the role.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (Metric(0, runs) + Metric(1, runs) < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const double on0 = Metric(0, runs), on1 = Metric(1, runs);
  ASSERT_GE(on0 + on1, 3);
  EXPECT_TRUE(on0 == 0 || on1 == 0) << "both instances ran the scheduler: " << on0 << " and " << on1;
  const int holder = on0 > 0 ? 0 : 1;
  const int other = 1 - holder;
  apps_[static_cast<size_t>(holder)].reset();  // its session ends: the lock goes
  const auto takeover = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (Metric(other, runs) < 1 && std::chrono::steady_clock::now() < takeover) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GE(Metric(other, runs), 1) << "no instance took the scheduler over";
}

// Three instalments fall due tomorrow. The holder's scheduler ticks each
// second, and both instances also run a tick at the same moment, five
// times over: each instalment gets one reminder, sent once.
TEST_F(TwoInstancesTest, SchedulerTicksOnBothInstancesAtOnceQueueOneSetOfReminders) {
  const std::vector<std::string> borrowers = {kAmina, kWanjiru, kGrace};
  int64_t first_due = 0;
  for (const std::string& phone : borrowers) {
    Result<int64_t> due = DisbursedLoan(phone);
    ASSERT_TRUE(due.ok()) << phone << ": " << due.status().ToString();
    first_due = *due;
  }
  const std::string reminders = "SELECT COUNT(*) FROM messages WHERE kind = 'loan_reminder'";
  ASSERT_EQ(Count(reminders), 0) << "nothing is due within a day yet";
  clock_offset_s_ = first_due - 12 * 3600 - gateway::SystemNow();  // due in 12 h
  for (int round = 0; round < 5; ++round) {
    std::atomic<bool> go{false};
    std::array<Result<gateway::LoanSchedulerSummary>, 2> runs{Status::Internal("not run"),
                                                              Status::Internal("not run")};
    std::array<std::thread, 2> ticks;
    for (size_t i = 0; i < 2; ++i) {
      ticks[i] = std::thread([&, i] {
        while (!go) std::this_thread::yield();
        runs[i] = apps_[i]->RunLoanScheduler();
      });
    }
    go = true;
    for (auto& t : ticks) t.join();
    for (const auto& run : runs) {
      ASSERT_TRUE(run.ok()) << run.status().ToString();
      EXPECT_EQ(run->reminders, 3) << "each tick lists the three due instalments";
    }
  }
  const std::string scheduled = "shg_loan_scheduler_runs_total{outcome=\"ok\"}";
  const double before = Metric(0, scheduled) + Metric(1, scheduled);
  ASSERT_TRUE(testing::WaitFor(
      [&] { return Metric(0, scheduled) + Metric(1, scheduled) >= before + 2; },
      std::chrono::seconds(20), std::chrono::milliseconds(100)))
      << "the background scheduler ticked too";
  EXPECT_EQ(Count(reminders), 3);
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT dedupe_key) FROM messages WHERE kind = 'loan_reminder'"), 3);
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        return Count("SELECT COUNT(*) FROM messages WHERE kind = 'loan_reminder'"
                     " AND status IN ('sent', 'delivered')") == 3;
      },
      std::chrono::seconds(20), std::chrono::milliseconds(50)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // nothing more may come
  std::multiset<std::string> reminded;
  for (const gateway::FakeMessage& m : fake_->Messages()) reminded.insert(m.to);
  for (const std::string& phone : borrowers) EXPECT_EQ(reminded.count(phone), 1u) << phone;
}

TEST_F(TwoInstancesTest, AThousandQueuedSmsReachTheProviderOnceEachWithinTheChannelsRate) {
  constexpr int kMessages = 1000;
  const auto started = std::chrono::steady_clock::now();
  Status queued = apps_[0]->store().Run([&](store::Connection& conn) -> Status {
    Messages outbox(conn, gateway::SystemNow() * 1000);
    for (int i = 0; i < kMessages; ++i) {
      NewMessage m;
      m.channel = "at-ke";
      m.phone = "+2547110" + std::to_string(10000 + i);  // one phone each: no per-phone order
      m.kind = "test";
      m.language = "en";
      m.body = "message " + std::to_string(i);
      m.encoding = "gsm7";
      Result<int64_t> id = outbox.Enqueue(m);
      if (!id.ok()) return id.status();
    }
    return Status::Ok();
  });
  ASSERT_TRUE(queued.ok()) << queued.ToString();
  ASSERT_TRUE(fake_->WaitForMessages(kMessages, std::chrono::seconds(60)))
      << fake_->Messages().size() << " reached the provider; messages by status: "
      << Count("SELECT COUNT(*) FROM messages WHERE kind = 'test' AND status = 'queued'") << " queued, "
      << Count("SELECT COUNT(*) FROM messages WHERE kind = 'test' AND status = 'sending'") << " sending, "
      << Count("SELECT COUNT(*) FROM messages WHERE kind = 'test' AND status = 'failed'") << " failed; "
      << Count("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") << " advisory locks; next due "
      << Count("SELECT MIN(next_attempt_ms) FROM messages WHERE kind = 'test' AND status = 'queued'") - gateway::SystemNow() * 1000 << " ms from now";
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // nothing more may come
  const std::vector<gateway::FakeMessage> got = fake_->Messages();
  ASSERT_EQ(got.size(), static_cast<size_t>(kMessages));
  std::set<std::string> texts;
  for (const gateway::FakeMessage& m : got) texts.insert(m.text);
  EXPECT_EQ(texts.size(), static_cast<size_t>(kMessages)) << "a message reached the provider twice";
  // One channel rate across both instances: both sending at full rate
  // would take half as long.
  // (A full bucket, one second's worth, goes at once.)
  EXPECT_GE(seconds, 0.9 * (kMessages - kRate) / kRate) << "sent faster than the channel's rate";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages WHERE kind = 'test' AND status IN ('sent', 'delivered')"),
            kMessages);
}

}  // namespace
}  // namespace shg
