// The admin commands staff use until the staff API exists, run through the
// real command-line entry point against a temporary database file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/programme.h"
#include "config/settings.h"
#include "domain/loans.h"
#include "domain/messages.h"
#include "domain/services.h"
#include "domain/store/sqlite.h"
#include "domain/store/store.h"
#include "gateway/cli/amounts.h"
#include "gateway/cli/commands.h"
#include "gateway/fake/fake_provider.h"
#include "gateway/outbound/transport.h"
#include "gateway/partners/signature.h"
#include "tests/support/scripted_server.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

struct CliRun {
  int rc = 0;
  std::string out;
  std::string err;
};

// Each test gets an empty database (SQLite file or PostgreSQL database, see
// TestDatabase) and a working directory; every command is given
// --config `config_`, whose [store] section names that database.
class CliTest : public ::testing::Test {
 protected:
  CliTest() : test_db_(/*migrated=*/false) {}
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = ::testing::TempDir() + "/cli_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(std::filesystem::create_directories(dir_));
    config_ = dir_ + "/gateway.toml";
    WriteConfig("");
    ::setenv("SHG_PIN_PEPPER", "cli-test-pepper-0123456789abcdef", 1);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // config_ becomes the database's [store] section followed by `rest`.
  void WriteConfig(const std::string& rest) {
    std::ofstream(config_) << test_db_.StoreSection(dir_) << rest;
  }

  // shg-gateway <args> --config <config_>, capturing its output.
  CliRun Cli(std::vector<std::string> args) {
    args.insert(args.begin(), "shg-gateway");
    args.insert(args.end(), {"--config", config_});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    CliRun run;
    run.rc = cli::Main(static_cast<int>(argv.size()), argv.data());
    run.out = ::testing::internal::GetCapturedStdout();
    run.err = ::testing::internal::GetCapturedStderr();
    return run;
  }
  int Run(const std::vector<std::string>& args) { return Cli(args).rc; }

  Result<std::unique_ptr<store::Store>> OpenStore() const {
    return store::Store::Open(test_db_.Options());
  }

  testing::TestDatabase test_db_;
  std::string dir_, config_;
};

TEST_F(CliTest, StaffRegisterAGroupAndTrainAMember) {
  EXPECT_EQ(Run({"migrate"}), 0);
  EXPECT_EQ(Run({"add-group", "--name", "Baraka Group", "--country", "KE", "--currency", "KES"}), 0);
  EXPECT_EQ(Run({"add-member", "--group", "1", "--phone", "0711222333", "--name", "Esther Wairimu",
                 "--role", "treasurer", "--language", "sw"}),
            0);
  EXPECT_EQ(Run({"add-training-module", "--id", "s1-a", "--step", "1", "--title", "Group dynamics"}), 0);
  EXPECT_EQ(Run({"add-training-module", "--id", "s2-a", "--step", "2", "--title", "Business"}), 0);
  EXPECT_EQ(Run({"record-training", "--member", "1", "--module", "s1-a"}), 0);
  EXPECT_EQ(Run({"record-training", "--member", "1", "--module", "s2-a"}), 0);
  EXPECT_EQ(Run({"reset-pin", "--member", "1"}), 0);
  EXPECT_EQ(Run({"check-ledger"}), 0);

  auto store = OpenStore();
  ASSERT_TRUE(store.ok());
  PinHasher pins("cli-test-pepper-0123456789abcdef");
  DomainContext ctx{&pins, 3, 0};
  Services svc((*store)->Reader(), ctx);
  auto members = svc.MembersByPhone("+254711222333");
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 1u);
  const Member& m = members->front();
  EXPECT_EQ(m.name, "Esther Wairimu");
  EXPECT_EQ(m.role, Role::kTreasurer);
  EXPECT_EQ(m.language, "sw");
  EXPECT_TRUE(m.pin_must_change);
  EXPECT_TRUE(*svc.CompletedTraining(m.id));
}

TEST_F(CliTest, BadInputIsAUsageErrorAndChangesNothing) {
  EXPECT_EQ(Run({"migrate"}), 0);
  EXPECT_EQ(Run({"add-group", "--name", "Baraka Group"}), 2);  // no country/currency
  EXPECT_EQ(Run({"add-group", "--name", "B", "--country", "KE", "--currency", "KES"}), 0);
  EXPECT_EQ(Run({"add-member", "--group", "1", "--phone", "12", "--name", "X"}), 2);
  EXPECT_EQ(Run({"add-member", "--group", "1", "--phone", "0711222333", "--name", "X", "--role", "boss"}), 2);
  EXPECT_EQ(Run({"add-training-module", "--id", "m", "--step", "9", "--title", "t"}), 2);
  EXPECT_EQ(Run({"frobnicate"}), 2);
  EXPECT_NE(Run({"add-member", "--group", "42", "--phone", "0711222333", "--name", "X"}), 0);

  auto store = OpenStore();
  ASSERT_TRUE(store.ok());
  auto& st = (*store)->Reader().Prepare("SELECT count(*) FROM members");
  ASSERT_TRUE(*st.Step());
  EXPECT_EQ(st.Int(0), 0);
}

// reset-pin sends the one-time PIN by SMS through the outbox (never shown
// to staff when a channel can send), and the outbox commands let staff see,
// cancel and retry what is queued.
TEST_F(CliTest, ResetPinQueuesTheOneTimePinBySmsAndOutboxCommandsManageIt) {
  WriteConfig(
      "[dialogs]\ncatalogue_dir = \"" SHG_SOURCE_DIR "/config/lang\"\n"
      "[[channels]]\nid = \"at-ke\"\ntype = \"africastalking\"\nservice_code = \"*384*7#\"\n"
      "username = \"sandbox\"\nsecret = \"k\"\napi_base_url = \"http://127.0.0.1:9\"\n");
  auto run = [&](const std::vector<std::string>& args) {
    CliRun r = Cli(args);
    return std::make_pair(r.rc, r.out);
  };
  ASSERT_EQ(run({"migrate"}).first, 0);  // only migrate, demo and serve create the database
  ASSERT_EQ(run({"add-group", "--name", "B", "--country", "KE", "--currency", "KES"}).first, 0);
  ASSERT_EQ(run({"add-member", "--group", "1", "--phone", "0711222333", "--name", "Esther",
                 "--language", "sw"}).first, 0);
  auto [rc, out] = run({"reset-pin", "--member", "1"});
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("sent by SMS to +2547****2333"), std::string::npos) << out;

  std::string otp;
  {
    auto store = OpenStore();
    ASSERT_TRUE(store.ok());
    Messages m((*store)->Reader(), 0);
    auto queued = m.List("queued", 10);
    ASSERT_TRUE(queued.ok());
    ASSERT_EQ(queued->size(), 1u);
    const OutboundMessage& msg = queued->front();
    EXPECT_EQ(msg.kind, "pin_reset");
    EXPECT_TRUE(msg.sensitive);
    EXPECT_EQ(msg.phone, "+254711222333");
    EXPECT_EQ(msg.body.rfind("PIN yako ya muda ni ", 0), 0u) << msg.body;  // her language
    otp = msg.body.substr(20, 4);
  }
  EXPECT_EQ(out.find(otp), std::string::npos) << "staff never see the one-time PIN";

  auto list = run({"outbox", "list", "--status", "queued"});
  EXPECT_EQ(list.first, 0);
  EXPECT_NE(list.second.find("at-ke\t+2547****2333\tpin_reset\tqueued"), std::string::npos)
      << list.second;
  EXPECT_EQ(list.second.find(otp), std::string::npos);
  EXPECT_EQ(run({"outbox", "cancel", "--id", "1"}).first, 0);
  auto show = run({"outbox", "show", "--id", "1"});
  EXPECT_NE(show.second.find("cancelled"), std::string::npos) << show.second;
  EXPECT_EQ(show.second.find(otp), std::string::npos) << "a cancelled one-time PIN is redacted";
  EXPECT_NE(run({"outbox", "retry", "--id", "1"}).first, 0) << "a redacted PIN is never re-sent";
  EXPECT_EQ(run({"outbox", "cancel", "--id", "1"}).first, 1);  // already cancelled
  EXPECT_EQ(run({"outbox", "frob"}).first, 2);
}

// --- loans: staff record a partner without an API, and inspect loans ---

// The demo data, a channel that queues SMS, and a partner without an API
// ("Tujenge Microfinance": staff record its decisions with the CLI).
class LoansCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    WriteConfig(
        "[dialogs]\ncatalogue_dir = \"" SHG_SOURCE_DIR "/config/lang\"\n"
        "[[channels]]\nid = \"at-ke\"\ntype = \"africastalking\"\nservice_code = \"*384*7#\"\n"
        "username = \"sandbox\"\nsecret = \"k\"\napi_base_url = \"http://127.0.0.1:9\"\n"
        "[[mfi_partners]]\nid = \"tujenge\"\nname = \"Tujenge Microfinance\"\n"
        "currency = \"KES\"\nmin_amount_units = 1000\nmax_amount_units = 100000\n"
        "terms_months = [3, 6, 12]\ninterest_rule = \"declining\"\nannual_rate_bp = 1800\n");
    ASSERT_EQ(Cli({"demo"}).rc, 0);
  }
  // Runs `fn(loans, services)` on the database, in one transaction.
  template <typename Fn>
  void WithLoans(Fn fn) {
    auto settings = config::LoadSettings(config_);
    ASSERT_TRUE(settings.ok()) << settings.status().ToString();
    const LoanProgramme programme = config::LoanProgrammeFrom(*settings);
    auto store = OpenStore();
    ASSERT_TRUE(store.ok());
    PinHasher pins("cli-test-pepper-0123456789abcdef");
    Status s = (*store)->Run([&](store::Connection& conn) -> Status {
      DomainContext ctx{&pins, 3, static_cast<int64_t>(std::time(nullptr))};
      Services services(conn, ctx);
      shg::Loans loans(conn, ctx, programme);
      fn(loans, services);
      return Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  int64_t MemberId(Services& services, const std::string& phone, const std::string& name) {
    auto members = services.MembersByPhone(phone);
    EXPECT_TRUE(members.ok());
    for (const Member& m : *members) {
      if (m.name == name) return m.id;
    }
    ADD_FAILURE() << "no demo member " << name;
    return 0;
  }

  // A request of `amount` minor units by the member on `phone`, approved by
  // Grace (the chair): referred to Tujenge, which has no API. Returns its
  // reference.
  std::string Referred(const std::string& phone, const std::string& name, int64_t amount) {
    std::string reference;
    WithLoans([&](shg::Loans& loans, Services& services) {
      const int64_t member = MemberId(services, phone, name);
      const int64_t grace = MemberId(services, "+254700000003", "Grace Achieng");
      LoanRequest request;
      request.member_id = member;
      request.amount = amount;
      request.purpose = "bakery";
      request.term_months = 6;
      request.consent = true;
      request.channel = "at-ke";
      auto outcome = loans.Request(request, Actor{"member", std::to_string(member), "at-ke", ""});
      ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
      ASSERT_EQ(outcome->refusal, "");
      auto approved = loans.GroupDecide(outcome->loan->id, grace, true, "",
                                        Actor{"member", std::to_string(grace), "at-ke", ""});
      ASSERT_TRUE(approved.ok()) << approved.status().ToString();
      ASSERT_EQ(approved->loan.state, LoanState::kReferredToMfi);
      reference = approved->loan.reference;
    });
    return reference;
  }

  Loan Get(const std::string& reference) {
    Loan loan;
    WithLoans([&](shg::Loans& loans, Services&) {
      auto l = loans.GetByReference(reference);
      ASSERT_TRUE(l.ok());
      loan = *l;
    });
    return loan;
  }

  // Kinds of the SMS queued so far, oldest first.
  std::vector<std::string> SmsKinds() {
    auto store = OpenStore();
    EXPECT_TRUE(store.ok());
    Messages messages((*store)->Reader(), 0);
    auto rows = messages.List("", 1000);
    EXPECT_TRUE(rows.ok());
    std::vector<std::string> kinds;
    for (auto it = rows->rbegin(); it != rows->rend(); ++it) kinds.push_back(it->kind);
    return kinds;
  }

};

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(LoansCliTest, StaffWalkALoanOfAPartnerWithoutApiFromApprovalToRepaid) {
  const std::string ref = Referred("+254700000001", "Amina Wekesa", 1000000);
  // Staff are named by $USER (restored after the test).
  struct ScopedUser {
    std::string old;
    bool had = false;
    ScopedUser() {
      if (const char* u = std::getenv("USER")) old = u, had = true;
      ::setenv("USER", "esther", 1);
    }
    ~ScopedUser() { had ? ::setenv("USER", old.c_str(), 1) : ::unsetenv("USER"); }
  } user;

  CliRun list = Cli({"loans", "list", "--state", "referred_to_mfi"});
  ASSERT_EQ(list.rc, 0) << list.err;
  EXPECT_TRUE(Has(list.out, ref + "\treferred_to_mfi\tAmina Wekesa\t+2547****0001\t")) << list.out;
  EXPECT_TRUE(Has(list.out, "KES 10,000\t6m\ttujenge\t")) << list.out;
  EXPECT_TRUE(Has(list.out, "1 loan(s)")) << list.out;
  EXPECT_TRUE(Has(Cli({"loans", "list", "--state", "approved"}).out, "0 loan(s)"));

  CliRun approved = Cli({"loans", "decide", ref, "approve", "--amount", "10000", "--term", "6"});
  ASSERT_EQ(approved.rc, 0) << approved.err;
  EXPECT_EQ(approved.out, "loan " + ref + " approved: KES 10,000 over 6 months, declining 1800 bp "
                          "a year; 1 SMS queued\n");
  // The same decision again is a replay; other terms do not fit the state.
  CliRun again = Cli({"loans", "decide", ref, "approve", "--amount", "10000", "--term", "6"});
  EXPECT_EQ(again.rc, 0) << again.err;
  EXPECT_TRUE(Has(again.out, "nothing changed")) << again.out;
  CliRun other = Cli({"loans", "decide", ref, "approve", "--amount", "9000", "--term", "6"});
  EXPECT_EQ(other.rc, 1);
  EXPECT_TRUE(Has(other.err, "loan " + ref + " is approved; nothing was changed")) << other.err;

  EXPECT_EQ(Cli({"loans", "disburse", ref, "--amount", "9000", "--tx", "TJ-1"}).rc, 2)
      << "not the approved amount";
  CliRun disbursed = Cli({"loans", "disburse", ref, "--amount", "10000", "--tx", "TJ-1"});
  ASSERT_EQ(disbursed.rc, 0) << disbursed.err;
  Loan loan = Get(ref);
  EXPECT_EQ(loan.state, LoanState::kDisbursed);
  EXPECT_GT(loan.outstanding, 1000000);  // principal and interest
  EXPECT_TRUE(Has(disbursed.out, "(transaction TJ-1); outstanding " +
                                     FormatMoney(loan.outstanding, Currency{"KES", 2})))
      << disbursed.out;
  EXPECT_TRUE(Has(Cli({"loans", "disburse", ref, "--amount", "10000", "--tx", "TJ-1"}).out,
                  "nothing changed"));

  CliRun show = Cli({"loans", "show", ref});
  ASSERT_EQ(show.rc, 0) << show.err;
  for (const std::string& part :
       {"loan " + ref + ": disbursed", std::string("Amina Wekesa (+2547****0001)"),
        std::string("KES 10,000 for bakery over 6 months"),
        std::string("tujenge (Tujenge Microfinance, no API: staff record)"),
        std::string("terms        KES 10,000 over 6 months, declining 1800 bp a year"),
        "outstanding " + FormatMoney(loan.outstanding, Currency{"KES", 2}),
        std::string("schedule (0 of 6 paid)"), std::string("  6\t"), std::string("repayments (0)"),
        std::string("history"), std::string("staff:esther")}) {
    EXPECT_TRUE(Has(show.out, part)) << part << "\n" << show.out;
  }
  EXPECT_FALSE(Has(show.out, "+254700000001")) << "phones are masked";

  // Repayments the partner received, recorded by staff, until nothing is owed.
  std::vector<Instalment> schedule;
  WithLoans([&](shg::Loans& loans, Services&) { schedule = *loans.Schedule(loan.id); });
  ASSERT_EQ(schedule.size(), 6u);
  const Currency kes{"KES", 2};
  CliRun first = Cli({"loans", "repay", ref, "--payment-id", "TJ-PAY-1", "--amount",
                        cli::UnitsText(schedule[0].total, kes)});
  ASSERT_EQ(first.rc, 0) << first.err;
  EXPECT_TRUE(Has(first.out, "recorded on loan " + ref + " (payment TJ-PAY-1); outstanding " +
                                 FormatMoney(loan.outstanding - schedule[0].total, kes) +
                                 ", loan disbursed; 1 SMS queued"))
      << first.out;
  EXPECT_TRUE(Has(Cli({"loans", "repay", ref, "--payment-id", "TJ-PAY-1", "--amount",
                         cli::UnitsText(schedule[0].total, kes)})
                      .out,
                  "nothing changed"));
  EXPECT_EQ(Cli({"loans", "repay", ref, "--payment-id", "TJ-PAY-2", "--amount", "99999"}).rc, 2)
      << "above the outstanding";
  const int64_t rest = loan.outstanding - schedule[0].total;
  CliRun last = Cli({"loans", "repay", ref, "--payment-id", "TJ-PAY-2", "--amount",
                       cli::UnitsText(rest, kes)});
  ASSERT_EQ(last.rc, 0) << last.err;
  EXPECT_TRUE(Has(last.out, "outstanding KES 0, loan repaid; 2 SMS queued")) << last.out;
  EXPECT_EQ(Get(ref).state, LoanState::kRepaid);
  EXPECT_EQ(Cli({"check-ledger"}).rc, 0);

  std::vector<std::string> kinds = SmsKinds();
  std::vector<std::string> loan_kinds;
  for (const std::string& k : kinds) {
    if (k.rfind("loan_", 0) == 0 || k.rfind("repayment_", 0) == 0) loan_kinds.push_back(k);
  }
  EXPECT_EQ(loan_kinds,
            (std::vector<std::string>{"loan_approved", "loan_disbursed", "repayment_confirmed",
                                      "repayment_confirmed", "loan_repaid"}));
}

TEST_F(LoansCliTest, StaffRecordADeclineWithItsReason) {
  const std::string ref = Referred("+254700000002", "Wanjiru Kamau", 500000);
  EXPECT_EQ(Cli({"loans", "decide", ref, "decline"}).rc, 2) << "a reason is required";
  CliRun declined =
      Cli({"loans", "decide", ref, "decline", "--reason", "No business history yet"});
  ASSERT_EQ(declined.rc, 0) << declined.err;
  EXPECT_EQ(declined.out, "loan " + ref + " declined; 1 SMS queued\n");
  Loan loan = Get(ref);
  EXPECT_EQ(loan.state, LoanState::kDeclined);
  EXPECT_EQ(loan.decline_reason, "No business history yet");
  EXPECT_TRUE(Has(Cli({"loans", "show", ref}).out, "reason       No business history yet"));
  EXPECT_EQ(SmsKinds().back(), "loan_declined");
  CliRun late = Cli({"loans", "disburse", ref, "--amount", "5000", "--tx", "TJ-9"});
  EXPECT_EQ(late.rc, 1);
  EXPECT_TRUE(Has(late.err, "FAILED_PRECONDITION: state declined")) << late.err;
  EXPECT_TRUE(Has(late.err, "loan " + ref + " is declined")) << late.err;
}

TEST_F(LoansCliTest, MistakesAreUsageErrorsAndFailuresAreNonZero) {
  const std::string ref = Referred("+254700000001", "Amina Wekesa", 1000000);
  struct Case {
    std::vector<std::string> args;
    int rc;
  } cases[] = {
      {{"loans"}, 2},
      {{"loans", "frobnicate"}, 2},
      {{"loans", "show"}, 2},
      {{"loans", "show", ref, "extra"}, 2},
      {{"loans", "list", "--state", "bogus"}, 2},
      {{"loans", "list", "--limit", "0"}, 2},
      {{"loans", "list", "--frob", "x"}, 2},
      {{"loans", "show", "NOPE22"}, 1},
      {{"loans", "decide", "NOPE22", "approve", "--amount", "1000", "--term", "6"}, 1},
      {{"loans", "decide", ref, "maybe"}, 2},
      {{"loans", "decide", ref, "approve", "--term", "6"}, 2},
      {{"loans", "decide", ref, "approve", "--amount", "10000"}, 2},
      {{"loans", "decide", ref, "approve", "--amount", "100.001", "--term", "6"}, 2},
      {{"loans", "decide", ref, "approve", "--amount", "-5", "--term", "6"}, 2},
      {{"loans", "decide", ref, "approve", "--amount", "10000", "--term", "6", "--rule", "x"}, 2},
      {{"loans", "decide", ref, "approve", "--amount", "10000", "--term", "7"}, 2},  // not offered
      {{"loans", "disburse", ref, "--amount", "10000"}, 2},
      {{"loans", "disburse", ref, "--amount", "10000", "--tx", "T", "--at", "soon"}, 2},
      {{"loans", "disburse", ref, "--amount", "10000", "--tx", "T"}, 1},  // not approved yet
      {{"loans", "repay", ref, "--amount", "100"}, 2},
      {{"loans", "repay", ref, "--amount", "100", "--payment-id", "P"}, 1},  // not disbursed
  };
  for (const Case& c : cases) {
    std::string shown;
    for (const std::string& a : c.args) shown += a + " ";
    CliRun run = Cli(c.args);
    EXPECT_EQ(run.rc, c.rc) << shown << "\n" << run.err;
    EXPECT_TRUE(Has(run.err, "error: ")) << shown;
  }
  EXPECT_EQ(Get(ref).state, LoanState::kReferredToMfi) << "nothing changed";
  CliRun scheduler = Cli({"loans", "run-scheduler"});
  EXPECT_EQ(scheduler.rc, 0) << scheduler.err;
  EXPECT_TRUE(Has(scheduler.out, "loan scheduler: 0 expired, 0 in arrears")) << scheduler.out;
}

// partner-demo drives the fake partner, which calls the gateway (here a
// scripted server) as the MFI would.
TEST_F(CliTest, PartnerDemoDrivesTheFakePartner) {
  constexpr char kSecret[] = "imara-demo-secret-0123456789";
  testing::ScriptedServer gateway;
  gateway::FakeProviderOptions o;
  o.print = false;
  o.gateway_url = gateway.base_url();
  gateway::FakeMfiPartnerOptions imara;
  imara.id = "imara";
  imara.name = "Imara Microfinance";
  imara.secret = kSecret;
  o.mfi_partners.push_back(imara);
  auto fake = std::make_unique<gateway::FakeProvider>(o);
  ASSERT_TRUE(fake->Start().ok());
  const std::string fake_url = "http://127.0.0.1:" + std::to_string(fake->port());
  WriteConfig("[[mfi_partners]]\nid = \"imara\"\nname = \"Imara Microfinance\"\napi_base_url = \"" +
              fake_url + "/mfi/imara\"\nsecret = \"" + kSecret + "\"\n");
  // A referral, as the gateway's sender would post it.
  {
    const std::string body =
        R"({"reference":"K7P2QX","loan":{"amount_minor":1000000,"currency":"KES",)"
        R"("term_months":6,"purpose":"bakery"},"member":{"name":"Amina Wekesa"}})";
    const std::string ts = std::to_string(std::time(nullptr));
    channels::HttpCall call;
    call.url = fake_url + "/mfi/imara/referrals";
    call.content_type = "application/json";
    call.body = body;
    call.headers = {{"X-SHG-Timestamp", ts},
                    {"X-SHG-Signature", partners::Sign(kSecret, ts, body)},
                    {"Idempotency-Key", "K7P2QX"}};
    outbound::Transport transport;
    ASSERT_EQ(transport.Perform(call, {}).status, 201);
  }
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "partner-demo");
    return Cli(args);
  };
  testing::ScriptedResponse ok;
  ok.body = R"({"reference":"K7P2QX","state":"approved","changed":true})";
  gateway.Push(ok);
  CliRun approved = run({"approve", "K7P2QX"});
  EXPECT_EQ(approved.rc, 0) << approved.err;
  EXPECT_EQ(approved.out, "imara approve K7P2QX: gateway answered 200 " + ok.body + "\n");
  ASSERT_TRUE(gateway.WaitForRequests(1, std::chrono::milliseconds(5000)));
  EXPECT_EQ(gateway.Requests()[0].path, "/partners/imara/loans/K7P2QX/decision");

  EXPECT_EQ(run({"repay", "K7P2QX", "--amount", "1816.67"}).rc, 0);
  ASSERT_TRUE(gateway.WaitForRequests(2, std::chrono::milliseconds(5000)));
  EXPECT_NE(gateway.Requests()[1].body.find(R"("amount_minor":181667,)"), std::string::npos);

  testing::ScriptedResponse conflict;
  conflict.status = 409;
  conflict.body = R"({"error":"event does not fit","state":"repaying"})";
  gateway.Push(conflict);
  CliRun refused = run({"disburse", "K7P2QX"});
  EXPECT_EQ(refused.rc, 1);
  EXPECT_TRUE(Has(refused.err, "gateway answered 409 " + conflict.body)) << refused.err;

  CliRun unknown = run({"approve", "NOPE22"});
  EXPECT_EQ(unknown.rc, 1);
  EXPECT_TRUE(Has(unknown.err, "the fake partner answered 404")) << unknown.err;
  EXPECT_EQ(run({"frobnicate", "K7P2QX"}).rc, 2);
  EXPECT_EQ(run({"approve"}).rc, 2);

  fake.reset();
  CliRun down = run({"approve", "K7P2QX"});
  EXPECT_EQ(down.rc, 1);
  EXPECT_TRUE(Has(down.err, "is `shg-gateway fake-provider` running?")) << down.err;
  EXPECT_EQ(gateway.RequestCount(), 3u);
}

// --- the real binary ---

// One run of the shg-gateway binary built beside this test.
struct BinaryRun {
  int rc = -1;  // exit code; -1 if it did not exit normally
  std::string out;
  std::string err;
};

std::string ReadWhole(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// Runs `SHG_GATEWAY_BINARY args...` in `dir` (which holds no
// config/gateway.toml, so only the flags name a database) and waits for it.
BinaryRun RunBinary(const std::vector<std::string>& args, const std::string& dir) {
  std::vector<std::string> all = {SHG_GATEWAY_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out_path = dir + "/.stdout";
  const std::string err_path = dir + "/.stderr";
  // Prepared before fork: the child of a threaded process may only make
  // async-signal-safe calls.
  int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  BinaryRun run;
  if (out < 0 || err < 0) {
    ADD_FAILURE() << "cannot create the output files in " << dir;
    return run;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out);
  ::close(err);
  if (pid < 0) {
    ADD_FAILURE() << "fork failed";
    return run;
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) run.rc = WEXITSTATUS(status);
  run.out = ReadWhole(out_path);
  run.err = ReadWhole(err_path);
  return run;
}

std::string Shown(const std::vector<std::string>& args) {
  std::string shown = "shg-gateway";
  for (const std::string& a : args) shown += " " + a;
  return shown;
}

// Each test gets its own working directory, removed afterwards.
class CliBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = ::testing::TempDir() + "/cli_bin_" + std::to_string(::getpid()) + "_" +
           std::to_string(n++);
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(std::filesystem::create_directories(dir_));
    ::setenv("SHG_PIN_PEPPER", "cli-test-pepper-0123456789abcdef", 1);  // inherited
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  BinaryRun Bin(const std::vector<std::string>& args) { return RunBinary(args, dir_); }

  std::string dir_;
};

// What only a SQLite file can show: the file a command looks for, and a file
// corrupted behind the gateway's back (its triggers dropped).
class CliSqliteFileTest : public CliBinaryTest {};

// A command that reads or changes data never creates a database: without a
// --db/--config naming an existing one it stops (exit 2, "invalid value")
// and names the path it looked at. Only migrate (and demo, serve) create it.
TEST_F(CliSqliteFileTest, CommandsThatNeedTheDatabaseRefuseAMissingOne) {
  const std::string config = dir_ + "/gateway.toml";
  std::ofstream(config) << "[store]\npath = \"" << dir_ << "/from-config.db\"\n";
  std::ofstream(dir_ + "/empty.db").close();
  const std::vector<std::vector<std::string>> commands = {
      {"outbox", "list"},
      {"outbox", "show", "--id", "1"},
      {"outbox", "retry", "--id", "1"},
      {"check-ledger"},
      {"loans", "list"},
      {"loans", "show", "K7P2QX"},
      {"loans", "run-scheduler"},
      {"add-group", "--name", "B", "--country", "KE", "--currency", "KES"},
      {"add-member", "--group", "1", "--phone", "0711222333", "--name", "Esther"},
      {"add-training-module", "--id", "m", "--step", "1", "--title", "t"},
      {"record-training", "--member", "1", "--module", "m"},
      {"reset-pin", "--member", "1"},
  };
  struct Source {
    std::vector<std::string> flags;
    std::string path;  // as the message names it
    std::string problem;
  };
  const Source sources[] = {
      {{}, "shg-gateway.db", "does not exist"},  // the default, in the working directory
      {{"--db", dir_ + "/missing.db"}, dir_ + "/missing.db", "does not exist"},
      {{"--config", config}, dir_ + "/from-config.db", "does not exist"},
      {{"--db", dir_ + "/empty.db"}, dir_ + "/empty.db", "is an empty file"},
      {{"--db", dir_}, dir_, "is not a file"},
  };
  for (const Source& source : sources) {
    for (const std::vector<std::string>& command : commands) {
      std::vector<std::string> args = command;
      args.insert(args.end(), source.flags.begin(), source.flags.end());
      SCOPED_TRACE(Shown(args));
      BinaryRun run = Bin(args);
      EXPECT_EQ(run.rc, 2) << run.err;
      EXPECT_TRUE(Has(run.err, "error: INVALID_ARGUMENT: database " + source.path + " " +
                                   source.problem + ": pass --db PATH or --config FILE"))
          << run.err;
      EXPECT_EQ(run.out, "");
    }
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/shg-gateway.db"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/missing.db"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/from-config.db"));
  EXPECT_EQ(std::filesystem::file_size(dir_ + "/empty.db"), 0u);

  // migrate creates it; then the same commands work on it.
  BinaryRun migrate = Bin({"migrate"});
  ASSERT_EQ(migrate.rc, 0) << migrate.err;
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/shg-gateway.db"));
  BinaryRun list = Bin({"outbox", "list"});
  EXPECT_EQ(list.rc, 0) << list.err;
  EXPECT_TRUE(Has(list.out, "0 message(s)")) << list.out;
  EXPECT_EQ(Bin({"check-ledger"}).rc, 0);
}

TEST_F(CliBinaryTest, PhoneHelpPrintsItsUsageAndSucceeds) {
  for (const char* help : {"--help", "-h"}) {
    BinaryRun run = Bin({"phone", help});
    EXPECT_EQ(run.rc, 0) << help << ": " << run.err;
    EXPECT_EQ(run.out.rfind("usage: shg-gateway phone --phone MSISDN", 0), 0u) << run.out;
    EXPECT_EQ(run.err, "");
  }
  BinaryRun bare = Bin({"phone"});
  EXPECT_EQ(bare.rc, 2);
  EXPECT_TRUE(Has(bare.err, "--phone is required")) << bare.err;
}

// A duplicate registration (same phone, same name, same group) is refused;
// a shared phone (another name) is not; a number of another country than
// the group's needs --allow-foreign-phone.
TEST_F(CliBinaryTest, AddMemberRefusesDuplicatesAndForeignNumbers) {
  testing::TestDatabase db(/*migrated=*/false);
  const std::string config = dir_ + "/gateway.toml";
  std::ofstream(config) << db.StoreSection(dir_);
  ASSERT_EQ(Bin({"migrate", "--config", config}).rc, 0);
  ASSERT_EQ(Bin({"add-group", "--name", "Baraka", "--country", "KE", "--currency", "KES",
                 "--config", config}).rc, 0);
  ASSERT_EQ(Bin({"add-group", "--name", "Tumaini", "--country", "UG", "--currency", "UGX",
                 "--config", config}).rc, 0);
  struct Case {
    std::vector<std::string> args;
    int rc;
    std::string err;  // a fragment of stderr ("" = empty)
  };
  const Case cases[] = {
      {{"--group", "1", "--phone", "0711222333", "--name", "Esther Wairimu"}, 0, ""},
      {{"--group", "1", "--phone", "+254 711 222333", "--name", "Esther Wairimu"}, 1,
       "error: ALREADY_EXISTS: phone: +2547****2333 is already registered in group 1 to Esther "
       "Wairimu (member 1): a duplicate registration (a shared phone needs another name)"},
      {{"--group", "1", "--phone", "0711222333", "--name", " esther  WAIRIMU"}, 1,
       "a duplicate registration"},
      {{"--group", "1", "--phone", "0711222333", "--name", "Joy Wairimu"}, 0, ""},  // shared
      {{"--group", "1", "--phone", "+256700000001", "--name", "Sarah"}, 2,
       "error: INVALID_ARGUMENT: --phone: +2567****0001 is a UG number but group 1 is in KE "
       "(--allow-foreign-phone registers it anyway)"},
      {{"--group", "1", "--phone", "+256700000001", "--name", "Sarah", "--allow-foreign-phone"}, 0,
       ""},
      {{"--group", "2", "--phone", "+254711222333", "--name", "Esther Wairimu"}, 2,
       "--phone: +2547****2333 is a KE number but group 2 is in UG"},
      {{"--group", "2", "--allow-foreign-phone", "--phone", "+254711222333", "--name",
        "Esther Wairimu"},
       0, ""},  // another group: not a duplicate
      {{"--group", "1", "--phone", "12", "--name", "X"}, 2, "error: INVALID_ARGUMENT: --phone: "},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"add-member"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    args.insert(args.end(), {"--config", config});
    SCOPED_TRACE(Shown(args));
    BinaryRun run = Bin(args);
    EXPECT_EQ(run.rc, c.rc) << run.err;
    if (c.err.empty()) {
      EXPECT_EQ(run.err, "");
    } else {
      EXPECT_TRUE(Has(run.err, c.err)) << run.err;
    }
  }
  auto conn = db.Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto& st = (*conn)->Prepare("SELECT group_id || ':' || phone || ':' || name FROM members"
                              " ORDER BY id");
  std::vector<std::string> members;
  while (*st.Step()) members.push_back(st.Text(0));
  EXPECT_EQ(members, (std::vector<std::string>{"1:+254711222333:Esther Wairimu",
                                               "1:+254711222333:Joy Wairimu",
                                               "1:+256700000001:Sarah",
                                               "2:+254711222333:Esther Wairimu"}));
}

// check-ledger on a real store file corrupted the way a bug (or someone with
// the sqlite3 shell) would: one case per violation ledger::Check claims to
// detect. The append-only triggers are dropped first where they would stop
// the corruption.
TEST_F(CliSqliteFileTest, CheckLedgerFailsOnACorruptedDatabase) {
  const std::string clean = dir_ + "/clean.db";
  BinaryRun demo = Bin({"demo", "--db", clean});
  ASSERT_EQ(demo.rc, 0) << demo.err;
  BinaryRun ok = Bin({"check-ledger", "--db", clean});
  ASSERT_EQ(ok.rc, 0) << ok.err;
  EXPECT_EQ(ok.out, "ledger ok: every journal balances and cached balances match postings\n");

  // The first saving journal of the demo: Dr the group fund, Cr her savings.
  constexpr char kFirstSaving[] = "(SELECT MIN(id) FROM journals WHERE kind = 'saving')";
  constexpr char kLast[] = "(SELECT MAX(id) FROM journals)";
  struct Case {
    const char* name;
    std::string sql;
    std::string message;  // the first violation, as Check names it
  };
  const Case cases[] = {
      {"a posting changed: its journal no longer sums to zero",
       std::string("DROP TRIGGER postings_no_update;"
                   "UPDATE postings SET amount = amount + 1 WHERE id = (SELECT MIN(id) FROM postings"
                   " WHERE journal_id = ") + kFirstSaving + ");",
       " sums to 1, not zero"},
      {"a journal without postings",
       "INSERT INTO journals (group_id, kind, currency, reference, created_at)"
       " SELECT id, 'saving', currency, 'BUG001', 0 FROM groups ORDER BY id LIMIT 1;",
       " has 0 posting(s)"},
      {"its postings deleted",
       std::string("DROP TRIGGER postings_no_delete;"
                   "DELETE FROM postings WHERE journal_id = ") + kFirstSaving + ";",
       " has 0 posting(s)"},
      {"a posting moved to another group's account in another currency",
       std::string("DROP TRIGGER postings_no_update;"
                   "UPDATE postings SET account_id = (SELECT id FROM accounts WHERE currency = 'UGX'"
                   " AND kind = 'member_savings' ORDER BY id LIMIT 1)"
                   " WHERE journal_id = ") + kFirstSaving + " AND amount < 0;",
       " of another group or currency"},
      {"a reversal that credits back someone else",
       std::string("INSERT INTO journals (group_id, kind, currency, reference, reverses_journal_id,"
                   " memo, created_at) SELECT group_id, 'reversal', currency, reference, id, 'bug',"
                   " created_at FROM journals WHERE id = ") + kFirstSaving + ";" +
           // The fund line negated as it should be...
           "INSERT INTO postings (journal_id, account_id, amount) SELECT " + kLast +
           ", account_id, -amount FROM postings WHERE journal_id = " + kFirstSaving +
           " AND amount > 0;"
           // ...but the savings line goes back to another member's account.
           "INSERT INTO postings (journal_id, account_id, amount) SELECT " + kLast +
           ", (SELECT a.id FROM accounts a WHERE a.group_id = a2.group_id AND a.kind ="
           " 'member_savings' AND a.id <> a2.id ORDER BY a.id LIMIT 1), -p.amount"
           " FROM postings p JOIN accounts a2 ON a2.id = p.account_id WHERE p.journal_id = " +
           kFirstSaving + " AND p.amount < 0;"
           // Cached balances kept in step, as ledger::Post does.
           "UPDATE accounts SET balance = balance + (SELECT SUM(amount) FROM postings"
           " WHERE journal_id = " + kLast + " AND account_id = accounts.id)"
           " WHERE id IN (SELECT account_id FROM postings WHERE journal_id = " + kLast + ");",
       " does not negate its original"},
      {"a cached balance that disagrees with the postings",
       "UPDATE accounts SET balance = balance + 100 WHERE id = (SELECT MIN(account_id) FROM"
       " postings);",
       " caches balance "},
      {"a journal posted without updating the cached balances",
       std::string("INSERT INTO journals (group_id, kind, currency, reference, created_at)"
                   " SELECT group_id, 'saving', currency, 'BUG002', 0 FROM journals WHERE id = ") +
           kFirstSaving + ";" +
           "INSERT INTO postings (journal_id, account_id, amount) SELECT " + kLast +
           ", account_id, amount FROM postings WHERE journal_id = " + kFirstSaving + ";",
       " caches balance "},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(c.name);
    const std::string db = dir_ + "/case" + std::to_string(i) + ".db";
    for (const char* suffix : {"", "-wal"}) {
      if (std::filesystem::exists(clean + suffix)) {
        std::filesystem::copy_file(clean + suffix, db + suffix);
      }
    }
    {
      auto conn = store::SqliteConnection::Open(db, store::ConnectionOptions{});
      ASSERT_TRUE(conn.ok()) << conn.status().ToString();
      Status corrupted = (*conn)->Exec(c.sql);
      ASSERT_TRUE(corrupted.ok()) << corrupted.ToString();
      ASSERT_GT((*conn)->Changes(), 0) << "the corruption changed nothing";
    }
    BinaryRun run = Bin({"check-ledger", "--db", db});
    EXPECT_EQ(run.rc, 1) << run.out << run.err;
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(run.err.rfind("error: INTERNAL: ", 0), 0u) << run.err;
    EXPECT_TRUE(Has(run.err, c.message)) << run.err;
  }
}

}  // namespace
}  // namespace shg
