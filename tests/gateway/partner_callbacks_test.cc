// MFI partner callbacks through the real gateway: App over loopback HTTP,
// a temporary SQLite file with the demo data, and a scripted loopback MFI
// that receives the referral. Amina (demo member 001) asks for KES 10,000
// for her bakery over 6 months and Grace (chair) approves, so the loan is
// referred_to_mfi to "imara" before each test's callbacks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "domain/demo.h"
#include "domain/loans.h"
#include "domain/services.h"
#include "domain/store/store.h"
#include "gateway/app.h"
#include "gateway/partners/signature.h"
#include "tests/support/count_rows.h"
#include "tests/support/http_client.h"
#include "tests/support/scripted_server.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

using testing::HttpClient;
using testing::HttpResult;

const std::string kPepper = "partner-callbacks-test-pepper-0123";
const std::string kSecret = "imara-shared-secret-0123456789";
const std::string kCallbackKey = "cbkey-partner-test";

class PartnerCallbacksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = ::testing::TempDir() + "/partner_cb_" + std::to_string(::getpid()) + "_" +
           std::to_string(n++);
    std::filesystem::create_directories(dir_);
    now_ = gateway::SystemNow();

    test_db_.Configure(settings_);
    settings_.listen_host = "127.0.0.1";
    settings_.listen_port = 0;
    settings_.catalogue_dir = std::string(SHG_SOURCE_DIR) + "/config/lang";
    settings_.outbox.poll_ms = 20;
    config::ChannelSettings at;
    at.id = "at-ke";
    at.type = "africastalking";
    at.country = "KE";
    at.service_code = "*384*7#";
    at.callback_key = kCallbackKey;
    at.api_base_url = mfi_.base_url() + "/sms";
    at.username = "sandbox";
    at.secret = "at-api-key-0123456789";
    settings_.channels = {at};
    config::MfiPartnerSettings imara;
    imara.id = "imara";
    imara.name = "Imara Microfinance";
    imara.api_base_url = mfi_.base_url() + "/imara";
    imara.secret = kSecret;
    config::MfiPartnerSettings paper;  // no API and no secret: staff record its events
    paper.id = "paper";
    paper.name = "Paper MFI";
    settings_.mfi_partners = {imara, paper};
    {
      store::StoreOptions so = test_db_.Options();
      auto store = store::Store::Open(so);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      PinHasher pins(kPepper);
      ASSERT_TRUE(LoadDemo(**store, pins, 30, now_ - 86400).ok());
    }
    auto app = gateway::App::Create(settings_, kPepper, [this] { return now_.load(); });
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    ASSERT_TRUE(app_->Start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(app_->port());
    ASSERT_NO_FATAL_FAILURE(ReferAminasLoan());
  }

  void TearDown() override {
    app_.reset();
    std::filesystem::remove_all(dir_);
  }

  int64_t MemberByPhone(const std::string& phone) {
    DomainContext ctx{&app_->pins(), 3, now_};
    Services svc(app_->store().Reader(), ctx);
    auto members = svc.MembersByPhone(phone);
    EXPECT_TRUE(members.ok() && !members->empty()) << phone;
    return members.ok() && !members->empty() ? members->front().id : 0;
  }

  void ReferAminasLoan() {
    amina_ = MemberByPhone("+254700000001");
    const int64_t grace = MemberByPhone("+254700000003");
    Status s = app_->store().Run([&](store::Connection& conn) -> Status {
      DomainContext ctx{&app_->pins(), 3, now_};
      Loans loans(conn, ctx, app_->programme());
      LoanRequest req;
      req.member_id = amina_;
      req.amount = 1000000;
      req.purpose = "bakery";
      req.term_months = 6;
      req.consent = true;
      req.channel = "at-ke";
      auto out = loans.Request(req, Actor{"member", std::to_string(amina_), "at-ke", ""});
      if (!out.ok()) return out.status();
      if (!out->refusal.empty()) return Status::Internal("refused: " + out->refusal);
      loan_id_ = out->loan->id;
      reference_ = out->loan->reference;
      auto decided = loans.GroupDecide(loan_id_, grace, true, "",
                                       Actor{"member", std::to_string(grace), "at-ke", ""});
      return decided.status();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(LoanNow().state, LoanState::kReferredToMfi);
  }

  Loan LoanNow() {
    DomainContext ctx{&app_->pins(), 3, now_};
    Loans loans(app_->store().Reader(), ctx, app_->programme());
    auto loan = loans.Get(loan_id_);
    EXPECT_TRUE(loan.ok()) << loan.status().ToString();
    return loan.ok() ? *loan : Loan{};
  }

  // One integer from a query on a fresh statement (tests/support/count_rows.h
  // says why not Connection::Prepare).
  int64_t Count(const std::string& sql) {
    return testing::CountRows(app_->store().Reader(), sql);
  }

  // What a change leaves behind: its events, audit rows, journals and SMS.
  struct Footprint {
    int64_t events, audits, journals, sms;
    bool operator==(const Footprint&) const = default;
  };
  Footprint Trace() {
    return {Count("SELECT count(*) FROM loan_events WHERE loan_id = " + std::to_string(loan_id_)),
            Count("SELECT count(*) FROM audit_log"), Count("SELECT count(*) FROM journals"),
            Count("SELECT count(*) FROM messages WHERE member_id = " + std::to_string(amina_) +
                  " AND channel NOT LIKE 'partner:%'")};
  }

  HttpResult Post(const std::string& path, const std::string& body,
                  const std::string& secret = kSecret, int64_t ts = -1) {
    const std::string timestamp = std::to_string(ts < 0 ? now_.load() : ts);
    HttpClient c;
    return c.PostRaw(base_ + path, body, "application/json",
                     {"X-SHG-Timestamp: " + timestamp,
                      "X-SHG-Signature: " + partners::Sign(secret, timestamp, body)});
  }
  std::string LoanPath(const std::string& event, const std::string& partner = "imara") {
    return "/partners/" + partner + "/loans/" + reference_ + "/" + event;
  }
  HttpResult Decide(const std::string& body, const std::string& secret = kSecret,
                    int64_t ts = -1) {
    return Post(LoanPath("decision"), body, secret, ts);
  }

  std::string Metrics() {
    HttpClient c;
    return c.Get(base_ + "/metrics").body;
  }

  static constexpr char kApprove[] =
      R"({"decision":"approved","amount_minor":1000000,"currency":"KES","term_months":6,)"
      R"("interest_rule":"declining","annual_rate_bp":1800})";

  testing::ScriptedServer mfi_;  // the partner's API (and the SMS provider)
  std::string dir_;
  shg::testing::TestDatabase test_db_;
  std::atomic<int64_t> now_{0};
  config::Settings settings_;
  std::unique_ptr<gateway::App> app_;
  std::string base_;
  int64_t amina_ = 0;
  int64_t loan_id_ = 0;
  std::string reference_;
};

TEST_F(PartnerCallbacksTest, ReferralReachesThePartnerSigned) {
  // The outbox also sends Amina's SMS to the same server: wait for the referral.
  std::vector<http::Request> referrals;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (referrals.empty() && std::chrono::steady_clock::now() < deadline) {
    mfi_.WaitForRequests(mfi_.RequestCount() + 1, std::chrono::milliseconds(200));
    for (auto& r : mfi_.Requests()) {
      if (r.path == "/imara/referrals") referrals.push_back(r);
    }
  }
  ASSERT_EQ(referrals.size(), 1u);
  const http::Request& r = referrals.front();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.Header("idempotency-key"), reference_);
  EXPECT_NE(r.body.find("\"reference\":\"" + reference_ + "\""), std::string::npos);
  EXPECT_TRUE(partners::Verify(kSecret, r.Header("x-shg-timestamp"), r.Header("x-shg-signature"),
                               r.body, now_, 300)
                  .ok());
}

TEST_F(PartnerCallbacksTest, ApprovalIsRecordedOnceAndReplayChangesNothing) {
  const Footprint before = Trace();
  HttpResult first = Decide(kApprove);
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.content_type, "application/json");
  EXPECT_EQ(first.body, R"({"reference":")" + reference_ +
                            R"(","state":"approved","changed":true})" "\n");
  Loan loan = LoanNow();
  EXPECT_EQ(loan.state, LoanState::kApproved);
  EXPECT_EQ(loan.approved_amount, 1000000);
  EXPECT_EQ(loan.approved_term_months, 6);
  EXPECT_EQ(loan.annual_rate_bp, 1800);
  const Footprint after = Trace();
  EXPECT_GT(after.events, before.events);
  EXPECT_GT(after.sms, before.sms) << "Amina is told";

  HttpResult replay = Decide(kApprove);
  EXPECT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(replay.body, R"({"reference":")" + reference_ +
                             R"(","state":"approved","changed":false})" "\n");
  EXPECT_EQ(Trace(), after) << "a duplicate decision writes nothing";
  const std::string metrics = Metrics();
  const std::string series = R"(shg_partner_callbacks_total{partner="imara",event="decision",)";
  EXPECT_NE(metrics.find(series + R"(outcome="ok"} 1)"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find(series + R"(outcome="replay"} 1)"), std::string::npos) << metrics;
}

TEST_F(PartnerCallbacksTest, BadSignatureIs401AndNothingChanges) {
  const Footprint before = Trace();
  HttpResult r = Decide(kApprove, "not-the-shared-secret-012345");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, "{\"error\":\"bad signature\"}\n");
  EXPECT_EQ(LoanNow().state, LoanState::kReferredToMfi);
  EXPECT_EQ(Trace(), before);

  // The right signature over another body.
  const std::string timestamp = std::to_string(now_.load());
  HttpClient c;
  HttpResult tampered = c.PostRaw(
      base_ + LoanPath("decision"), R"({"decision":"declined","reason":"x"})", "application/json",
      {"X-SHG-Timestamp: " + timestamp,
       "X-SHG-Signature: " + partners::Sign(kSecret, timestamp, kApprove)});
  EXPECT_EQ(tampered.status, 401);
  HttpResult unsigned_request = c.PostRaw(base_ + LoanPath("decision"), kApprove,
                                          "application/json");
  EXPECT_EQ(unsigned_request.status, 401);
  EXPECT_EQ(unsigned_request.body, "{\"error\":\"missing signature\"}\n");
  EXPECT_EQ(LoanNow().state, LoanState::kReferredToMfi);
  EXPECT_EQ(Trace(), before);
  EXPECT_NE(Metrics().find(R"(shg_partner_callbacks_total{partner="imara",event="decision",)"
                           R"(outcome="unauthenticated"} 3)"),
            std::string::npos);
}

TEST_F(PartnerCallbacksTest, StaleTimestampIs401BothWays) {
  const Footprint before = Trace();
  for (int64_t ts : {now_ - 301, now_ + 301}) {
    HttpResult r = Decide(kApprove, kSecret, ts);
    EXPECT_EQ(r.status, 401) << ts;
    EXPECT_EQ(r.body, "{\"error\":\"stale timestamp\"}\n");
  }
  EXPECT_EQ(Trace(), before);
  // Inside the window it is accepted.
  EXPECT_EQ(Decide(kApprove, kSecret, now_ - 300).status, 200);
}

TEST_F(PartnerCallbacksTest, UnknownPartnerIs404) {
  HttpResult r = Post(LoanPath("decision", "nobody"), kApprove);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "{\"error\":\"unknown partner\"}\n");
  // A partner without an API has no secret: nobody can sign for it.
  HttpResult paper = Post(LoanPath("decision", "paper"), kApprove, "");
  EXPECT_EQ(paper.status, 404);
  EXPECT_EQ(paper.body, "{\"error\":\"unknown partner\"}\n");
  EXPECT_EQ(LoanNow().state, LoanState::kReferredToMfi);
  EXPECT_NE(Metrics().find(R"(shg_partner_callbacks_total{partner="unknown",event="decision",)"
                           R"(outcome="unknown_partner"} 1)"),
            std::string::npos);
}

TEST_F(PartnerCallbacksTest, UnknownLoanIs404) {
  HttpResult r = Post("/partners/imara/loans/ZZZZZZ/decision", kApprove);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "{\"error\":\"unknown loan\"}\n");
  HttpResult odd = Post("/partners/imara/loans/%27or%201/decision", kApprove);
  EXPECT_EQ(odd.status, 404);
  EXPECT_EQ(odd.body, "{\"error\":\"unknown loan\"}\n");
}

TEST_F(PartnerCallbacksTest, EventOutOfOrderIs409WithTheState) {
  const Footprint before = Trace();
  HttpResult r = Post(LoanPath("disbursement"),
                      R"({"amount_minor":1000000,"transaction_id":"IMR-TX-1"})");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find(R"("state":"referred_to_mfi")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("error":)"), std::string::npos) << r.body;
  EXPECT_EQ(Trace(), before);

  // A decline after an approval is another decision: 409 with the state.
  ASSERT_EQ(Decide(kApprove).status, 200);
  HttpResult decline =
      Decide(R"({"decision":"declined","reason":"Insufficient business history"})");
  EXPECT_EQ(decline.status, 409) << decline.body;
  EXPECT_NE(decline.body.find(R"("state":"approved")"), std::string::npos) << decline.body;
  EXPECT_EQ(LoanNow().state, LoanState::kApproved);
}

TEST_F(PartnerCallbacksTest, MalformedBodiesAre400) {
  const Footprint before = Trace();
  struct Case {
    std::string event, body, error;
  };
  const std::vector<Case> cases = {
      {"decision", "{", "malformed JSON"},
      {"decision", R"({"decision":"maybe"})", "invalid field: decision"},
      {"disbursement", R"({"amount_minor":1000000})", "missing field: transaction_id"},
      {"repayments", R"({"payment_id":"P1","amount_minor":-1})", "invalid field: amount_minor"},
      {"decision",
       R"({"decision":"approved","amount_minor":1000000,"currency":"UGX","term_months":6,)"
       R"("interest_rule":"declining","annual_rate_bp":1800})",
       "currency is not the loan's"},
  };
  for (const Case& c : cases) {
    HttpResult r = Post(LoanPath(c.event), c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(r.body, "{\"error\":\"" + c.error + "\"}\n") << c.body;
  }
  EXPECT_EQ(LoanNow().state, LoanState::kReferredToMfi);
  EXPECT_EQ(Trace(), before);
}

TEST_F(PartnerCallbacksTest, RoutesAndMethods) {
  HttpClient c;
  HttpResult get = c.Get(base_ + LoanPath("decision"));
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(Post("/partners/imara/loans/" + reference_ + "/refund", "{}").status, 404);
  EXPECT_EQ(Post("/partners/imara/loan/" + reference_ + "/decision", "{}").status, 404);
  EXPECT_EQ(Post("/partners/imara/loans/" + reference_ + "/decision/x", "{}").status, 404);
  EXPECT_EQ(Post("/partners/", "{}").status, 404);
}

TEST_F(PartnerCallbacksTest, DisbursementAndRepaymentsThenReplays) {
  ASSERT_EQ(Decide(kApprove).status, 200);
  const std::string disburse =
      R"({"amount_minor":1000000,"currency":"KES","transaction_id":"IMR-TX-1"})";
  HttpResult d = Post(LoanPath("disbursement"), disburse);
  EXPECT_EQ(d.status, 200) << d.body;
  EXPECT_NE(d.body.find(R"("state":"disbursed","changed":true)"), std::string::npos) << d.body;
  Loan loan = LoanNow();
  EXPECT_EQ(loan.disbursed_at, now_.load()) << "disbursed_at defaults to now";
  const int64_t outstanding = loan.outstanding;
  EXPECT_GT(outstanding, 1000000) << "principal plus interest";

  HttpResult again = Post(LoanPath("disbursement"), disburse);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_NE(again.body.find(R"("changed":false)"), std::string::npos) << again.body;

  const Footprint before = Trace();
  const std::string pay = R"({"payment_id":"IMR-PAY-1","amount_minor":181667,"currency":"KES"})";
  HttpResult p = Post(LoanPath("repayments"), pay);
  EXPECT_EQ(p.status, 200) << p.body;
  EXPECT_NE(p.body.find(R"("state":"disbursed","changed":true)"), std::string::npos) << p.body;
  EXPECT_EQ(LoanNow().outstanding, outstanding - 181667);
  const Footprint after = Trace();
  EXPECT_GT(after.journals, before.journals);
  EXPECT_GT(after.sms, before.sms) << "the repayment notice";

  HttpResult replay = Post(LoanPath("repayments"), pay);
  EXPECT_EQ(replay.status, 200) << replay.body;
  EXPECT_NE(replay.body.find(R"("changed":false)"), std::string::npos) << replay.body;
  EXPECT_EQ(LoanNow().outstanding, outstanding - 181667);
  EXPECT_EQ(Trace(), after);

  // The same payment id with another amount is a conflict.
  HttpResult clash =
      Post(LoanPath("repayments"), R"({"payment_id":"IMR-PAY-1","amount_minor":100})");
  EXPECT_EQ(clash.status, 409) << clash.body;
  EXPECT_NE(clash.body.find(R"("state":"disbursed")"), std::string::npos) << clash.body;
}

// Amina logs her repayment by USSD; Imara's report names her claim (and the
// loan) in lower case: posted once, her claim settled, nothing left for the
// treasurer to confirm.
TEST_F(PartnerCallbacksTest, ReportNamingHerClaimSettlesIt) {
  ASSERT_EQ(Decide(kApprove).status, 200);
  ASSERT_EQ(Post(LoanPath("disbursement"),
                 R"({"amount_minor":1000000,"currency":"KES","transaction_id":"IMR-TX-1"})")
                .status,
            200);
  const int64_t outstanding = LoanNow().outstanding;
  Repayment claim;
  Status s = app_->store().Run([&](store::Connection& conn) -> Status {
    DomainContext ctx{&app_->pins(), 3, now_};
    Loans loans(conn, ctx, app_->programme());
    auto logged = loans.LogRepayment(amina_, 181667, "at-ke", "",
                                     Actor{"member", std::to_string(amina_), "at-ke", ""});
    if (!logged.ok()) return logged.status();
    claim = *logged;
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(claim.status, RepaymentStatus::kPending);
  const auto lower = [](std::string v) {
    for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return v;
  };
  const Footprint before = Trace();
  // Paid a month after her claim: only the reference can match it.
  const std::string pay = R"({"payment_id":"IMR-PAY-1","amount_minor":181667,"paid_at":)" +
                          std::to_string(now_.load() + 30 * 86400) +
                          R"(,"claim_reference":")" + lower(claim.reference) + "\"}";
  HttpResult p = Post("/partners/imara/loans/" + lower(reference_) + "/repayments", pay);
  EXPECT_EQ(p.status, 200) << p.body;
  EXPECT_NE(p.body.find(R"("reference":")" + reference_ + "\""), std::string::npos) << p.body;
  EXPECT_NE(p.body.find(R"("changed":true)"), std::string::npos) << p.body;
  EXPECT_EQ(LoanNow().outstanding, outstanding - 181667);
  EXPECT_EQ(Trace().journals, before.journals + 1);

  DomainContext ctx{&app_->pins(), 3, now_};
  Loans loans(app_->store().Reader(), ctx, app_->programme());
  auto stored = loans.RepaymentsOf(loan_id_);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[0].id, claim.id);
  EXPECT_EQ((*stored)[0].status, RepaymentStatus::kSettled);
  EXPECT_EQ((*stored)[0].matched_payment_id, "IMR-PAY-1");
  auto pending = loans.PendingRepayments(LoanNow().group_id, 10, 0);
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
}

TEST_F(PartnerCallbacksTest, SchedulerExpiresAForgottenReferral) {
  auto quiet = app_->RunLoanScheduler();
  ASSERT_TRUE(quiet.ok()) << quiet.status().ToString();
  EXPECT_EQ(quiet->expired, 0);
  EXPECT_EQ(LoanNow().state, LoanState::kReferredToMfi);

  now_ += 15 * 86400;  // past request_expiry_days (14) with no answer
  const Footprint before = Trace();
  auto run = app_->RunLoanScheduler();
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->expired, 1);
  EXPECT_EQ(run->in_arrears, 0);
  EXPECT_GE(run->notices, 1);
  EXPECT_EQ(LoanNow().state, LoanState::kExpired);
  EXPECT_GT(Trace().sms, before.sms);

  auto second = app_->RunLoanScheduler();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->expired, 0) << "idempotent";
  EXPECT_EQ(second->notices, 0);

  // A late decision on an expired loan: 409 with its state.
  HttpResult late = Decide(kApprove);
  EXPECT_EQ(late.status, 409);
  EXPECT_NE(late.body.find(R"("state":"expired")"), std::string::npos) << late.body;
}

// A configured purpose needs a label in the catalogue, or the member would
// see its bare id: the gateway refuses to start and names it.
TEST_F(PartnerCallbacksTest, PurposeWithoutACatalogueLabelStopsStartUp) {
  config::Settings settings = settings_;
  settings.db_path = dir_ + "/other.db";
  settings.loan_purposes = {"bakery", "fish_pond"};
  auto app = gateway::App::Create(settings, kPepper);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(app.status().message().find("'fish_pond' has no label purpose_fish_pond"),
            std::string::npos)
      << app.status().ToString();
}

}  // namespace
}  // namespace shg
