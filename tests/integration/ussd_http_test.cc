// End-to-end: the real gateway (Beast server on 127.0.0.1 port 0, a
// temporary SQLite file with the demo data, durable commits) played over
// real loopback HTTP in the Africa's Talking format, as the operator would.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <sstream>
#include <string_view>
#include <thread>
#include <vector>

#include "domain/demo.h"
#include "domain/store/store.h"
#include "gateway/app.h"
#include "gateway/cli/phone.h"
#include "tests/support/count_rows.h"
#include "tests/support/http_client.h"
#include "tests/support/log_capture.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

using testing::HttpClient;
using testing::HttpResult;

const std::string kPepper = "integration-test-pepper-0123456789";

constexpr std::string_view kInjectedFault = "injected fault";
constexpr char kBreakSessionWrites[] =
    "CREATE TRIGGER test_fault_insert BEFORE INSERT ON ussd_sessions"
    " BEGIN SELECT RAISE(ABORT, 'injected fault'); END;"
    "CREATE TRIGGER test_fault_update BEFORE UPDATE ON ussd_sessions"
    " BEGIN SELECT RAISE(ABORT, 'injected fault'); END;";
constexpr char kRepairSessionWrites[] =
    "DROP TRIGGER test_fault_insert; DROP TRIGGER test_fault_update;";
// The same fault on PostgreSQL: one trigger function for both events.
constexpr char kPgBreakSessionWrites[] =
    "CREATE FUNCTION test_fault() RETURNS trigger LANGUAGE plpgsql AS"
    " $$ BEGIN RAISE EXCEPTION 'injected fault' USING ERRCODE = 'integrity_constraint_violation';"
    " END $$;"
    "CREATE TRIGGER test_fault_insert BEFORE INSERT OR UPDATE ON ussd_sessions"
    " FOR EACH ROW EXECUTE FUNCTION test_fault();";
constexpr char kPgRepairSessionWrites[] =
    "DROP TRIGGER test_fault_insert ON ussd_sessions; DROP FUNCTION test_fault();";
const std::string kTechnicalError =
    "END Sorry, something went wrong. Nothing was changed. Please try again.";

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = ::testing::TempDir() + "/gw_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
    std::filesystem::create_directories(dir_);
    test_db_.Configure(settings_);
    settings_.listen_host = "127.0.0.1";
    settings_.listen_port = 0;
    settings_.catalogue_dir = std::string(SHG_SOURCE_DIR) + "/config/lang";
    auto channel = [](std::string id, std::string code, std::string key) {
      config::ChannelSettings c;
      c.id = std::move(id);
      c.type = "africastalking";
      c.service_code = std::move(code);
      c.country = "KE";
      c.callback_key = std::move(key);
      return c;
    };
    settings_.channels = {channel("at-ke", "*384*7#", ""),
                          channel("at-locked", "*384*8#", "s3cret-key")};
    {
      store::StoreOptions so = test_db_.Options();
      auto store = store::Store::Open(so);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      PinHasher pins(kPepper);
      ASSERT_TRUE(LoadDemo(**store, pins, 30, gateway::SystemNow() - 86400).ok());
    }
    auto app = gateway::App::Create(settings_, kPepper, [this] { return gateway::SystemNow() + offset_.load(); });
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    ASSERT_TRUE(app_->Start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(app_->port());
  }
  void TearDown() override {
    app_.reset();
    std::filesystem::remove_all(dir_);
  }

  // One feature phone session in the Africa's Talking path format.
  class Session {
   public:
    Session(GatewayTest* t, std::string phone, std::string channel = "at-ke", std::string query = "")
        : t_(t), phone_(std::move(phone)), channel_(std::move(channel)), query_(std::move(query)),
          id_("ATUid_" + std::to_string(++counter_)) {}
    // Sends the next input ("" dials) and returns the raw HTTP result.
    HttpResult Send(const std::string& input, bool dial = false) {
      if (!dial) path_ += (path_.empty() && inputs_ == 0 ? "" : "*") + input;
      if (!dial) ++inputs_;
      return Repeat();
    }
    HttpResult Dial() { return Send("", true); }
    const std::string& id() const { return id_; }
    // Re-sends the last request exactly (an operator retry).
    HttpResult Repeat() {
      return client_.PostForm(t_->base_ + "/channels/" + channel_ + "/ussd" + query_,
                              {{"sessionId", id_}, {"serviceCode", "*384*7#"}, {"phoneNumber", phone_},
                               {"networkCode", "63902"}, {"text", path_}});
    }

   private:
    GatewayTest* t_;
    std::string phone_, channel_, query_, id_, path_;
    int inputs_ = 0;
    HttpClient client_;
    static inline std::atomic<int> counter_{0};
  };

  // One integer from a query on a fresh statement (tests/support/count_rows.h
  // says why not Connection::Prepare).
  int64_t Count(const std::string& sql) {
    return testing::CountRows(app_->store().Reader(), sql);
  }


  // A store fault for the steps that follow: every write of a USSD session
  // aborts (a trigger), so the step's unit of work fails and rolls back.
  void BreakSessionWrites() {
    Status s = app_->store().Run([](store::Connection& c) { 
      return c.Exec(c.dialect() == store::Dialect::kSqlite ? kBreakSessionWrites : kPgBreakSessionWrites);
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void RepairSessionWrites() {
    Status s = app_->store().Run([](store::Connection& c) { 
      return c.Exec(c.dialect() == store::Dialect::kSqlite ? kRepairSessionWrites : kPgRepairSessionWrites);
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::string dir_;

  shg::testing::TestDatabase test_db_;
  config::Settings settings_;
  std::unique_ptr<gateway::App> app_;
  std::string base_;
  std::atomic<int64_t> offset_{0};
};

TEST_F(GatewayTest, BalanceSession) {
  Session s(this, "+254700000001");
  HttpResult r = s.Dial();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type.rfind("text/plain", 0), 0u) << r.content_type;
  EXPECT_EQ(r.body, "CON Welcome Amina (Upendo Women Group). Enter PIN:");
  EXPECT_EQ(s.Send("2580").body.rfind("CON 1. My balance\n2. Save", 0), 0u);
  r = s.Send("1");
  EXPECT_EQ(r.body.rfind("CON Savings: KES 4,250\nPending: KES 0\n", 0), 0u) << r.body;
}

TEST_F(GatewayTest, SaveThenTreasurerConfirmsThenBalanceShowsIt) {
  Session amina(this, "+254700000001");
  amina.Dial();
  amina.Send("2580");
  EXPECT_EQ(amina.Send("2").body, "CON Enter amount to save (KES):\n0. Back");
  EXPECT_EQ(amina.Send("200").body, "CON Save KES 200 to your savings?\n1. Confirm\n2. Cancel");
  HttpResult saved = amina.Send("1");
  EXPECT_EQ(saved.body.rfind("END Saved KES 200, pending confirmation. Confirmed savings: KES 4,250. Ref ", 0), 0u)
      << saved.body;

  Session check(this, "+254700000001");
  check.Dial();
  check.Send("2580");
  EXPECT_NE(check.Send("1").body.find("Savings: KES 4,250\nPending: KES 200"), std::string::npos);

  Session wanjiru(this, "+254700000002");
  wanjiru.Dial();
  wanjiru.Send("2580");
  wanjiru.Send("8");
  EXPECT_EQ(wanjiru.Send("1").body, "CON Savings to confirm p1\n1. Amina KES 200\n0. Back");
  wanjiru.Send("1");
  EXPECT_EQ(wanjiru.Send("1").body.rfind("CON Confirmed. Ref ", 0), 0u);

  Session after(this, "+254700000001");
  after.Dial();
  after.Send("2580");
  EXPECT_NE(after.Send("1").body.find("Savings: KES 4,450\nPending: KES 0"), std::string::npos);
  EXPECT_EQ(Count("SELECT count(*) FROM savings WHERE status='confirmed' AND amount=20000"), 1);
  // Audited, with the channel and the request that did it.
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action='saving.logged' AND channel='at-ke'"
                  " AND request_id <> ''"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action='saving.confirmed' AND request_id <> ''"), 1);
  EXPECT_EQ(Count("SELECT count(DISTINCT request_id) FROM audit_log"), Count("SELECT count(*) FROM audit_log"));
}

TEST_F(GatewayTest, ReplayedRequestGetsSameAnswerAndAppliesOnce) {
  Session s(this, "+254700000001");
  s.Dial();
  s.Send("2580");
  s.Send("2");
  s.Send("350");
  HttpResult first = s.Send("1");
  HttpResult retry = s.Repeat();
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(Count("SELECT count(*) FROM savings WHERE amount=35000"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM savings WHERE status='pending'"), 1);
}

// An operator that retries before the first answer arrived: the copies race
// through the reader and the writer, and still one saving is made and every
// copy gets the same answer.
TEST_F(GatewayTest, ConcurrentRetriesApplyOnce) {
  for (int round = 0; round < 5; ++round) {
    Session s(this, "+254700000001");
    s.Dial();
    s.Send("2580");
    s.Send("2");
    s.Send("123");
    std::string path = "2580*2*123*1";
    std::vector<std::string> bodies(4);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < bodies.size(); ++i) {
      threads.emplace_back([&, i] {
        HttpClient c;
        bodies[i] = c.PostForm(base_ + "/channels/at-ke/ussd",
                               {{"sessionId", s.id()}, {"serviceCode", "*384*7#"},
                                {"phoneNumber", "+254700000001"}, {"networkCode", "63902"},
                                {"text", path}})
                        .body;
      });
    }
    for (auto& t : threads) t.join();
    for (const auto& b : bodies) EXPECT_EQ(b, bodies[0]);
    EXPECT_EQ(bodies[0].rfind("END Saved KES 123", 0), 0u) << bodies[0];
  }
  EXPECT_EQ(Count("SELECT count(*) FROM savings WHERE amount=12300"), 5);
}

TEST_F(GatewayTest, WrongPinThreeTimesLocks) {
  Session s(this, "+254700000001");
  s.Dial();
  EXPECT_EQ(s.Send("1111").body, "CON Wrong PIN. 2 tries left.\nEnter PIN:");
  EXPECT_EQ(s.Send("2222").body, "CON Wrong PIN. 1 try left.\nEnter PIN:");
  EXPECT_EQ(s.Send("3333").body,
            "END Wrong PIN. Your PIN is now locked. Ask Wanjiru or Grace to reset it in Group tasks.");
  Session again(this, "+254700000001");
  EXPECT_EQ(again.Dial().body, "END Your PIN is locked. Ask Wanjiru or Grace to reset it in Group tasks.");
  HttpResult metrics = HttpClient().Get(base_ + "/metrics");
  EXPECT_NE(metrics.body.find("shg_pin_failures_total{channel=\"at-ke\",locked=\"true\"} 1"),
            std::string::npos);
}

TEST_F(GatewayTest, UnknownPhone) {
  Session s(this, "+254799999999");
  EXPECT_EQ(s.Dial().body, "END This number is not registered. Ask your group facilitator.");
}

TEST_F(GatewayTest, InvalidInputReasksTheSameScreen) {
  Session s(this, "+254700000001");
  s.Dial();
  s.Send("2580");
  EXPECT_EQ(s.Send("42").body.rfind("CON Enter a number from the menu.\n1. My balance", 0), 0u);
  s.Send("2");
  EXPECT_EQ(s.Send("12x").body, "CON Enter an amount in whole KES.\nEnter amount to save (KES):\n0. Back");
}

TEST_F(GatewayTest, ExpiredSessionEndsAndNothingIsApplied) {
  Session s(this, "+254700000001");
  s.Dial();
  s.Send("2580");
  s.Send("2");
  s.Send("500");
  offset_ = 181;  // idle past the 180 s session timeout
  EXPECT_EQ(s.Send("1").body, "END Your session has ended. Please dial *384*7# again.");
  EXPECT_EQ(Count("SELECT count(*) FROM savings WHERE status='pending'"), 0);
  // She dials again, as the screen asks, within the resume window (and a
  // session purge runs meanwhile): the save is offered again, not lost.
  offset_ = 200;
  ASSERT_TRUE(app_->PurgeSessions().ok());
  Session again(this, "+254700000001");
  again.Dial();
  EXPECT_EQ(again.Send("2580").body, "CON Continue saving KES 500?\n1. Yes\n2. Start again");
  EXPECT_EQ(again.Send("1").body, "CON Save KES 500 to your savings?\n1. Confirm\n2. Cancel");
  EXPECT_EQ(again.Send("1").body.rfind("END Saved KES 500", 0), 0u);
  EXPECT_EQ(Count("SELECT count(*) FROM savings WHERE status='pending'"), 1);
}

TEST_F(GatewayTest, TimedOutSessionsAreCountedByNetworkAndPurged) {
  Session waiting(this, "+254700000001");
  waiting.Dial();
  waiting.Send("2580");
  Session done(this, "+254700000002");
  done.Dial();
  done.Send("2580");
  done.Send("1");  // her balance stays open (00 / 0 back to the menu)...
  done.Send("0");
  done.Send("0");  // ...and Exit ends it by the dialog: not a time-out
  // Expired sessions are kept for the resume window (300 s by default).
  // (Margins of a few seconds: the steps above may straddle a second.)
  offset_ = 185;
  ASSERT_TRUE(app_->PurgeSessions().ok());
  EXPECT_EQ(Count("SELECT count(*) FROM ussd_sessions"), 2);
  offset_ = 185 + 300;
  ASSERT_TRUE(app_->PurgeSessions().ok());
  EXPECT_EQ(Count("SELECT count(*) FROM ussd_sessions"), 0);
  HttpResult m = HttpClient().Get(base_ + "/metrics");
  EXPECT_NE(m.body.find("shg_ussd_sessions_timed_out_total{channel=\"at-ke\",network=\"63902\"} 1"),
            std::string::npos)
      << m.body;
}

TEST_F(GatewayTest, SharedPhoneAsksWhichMember) {
  Session s(this, "+254700000007");
  EXPECT_EQ(s.Dial().body, "CON Which member?\n1. Rose\n2. Joy");
  EXPECT_EQ(s.Send("1").body, "CON Welcome Rose (Upendo Women Group). Enter PIN:");
  EXPECT_EQ(s.Send("2580").body.rfind("CON 1. My balance", 0), 0u);
}

TEST_F(GatewayTest, KiswahiliAndPinCreation) {
  Session halima(this, "+254700000006");
  EXPECT_EQ(halima.Dial().body, "CON Karibu Halima (Upendo Women Group). Ingiza PIN:");
  Session faith(this, "+254700000004");
  EXPECT_EQ(faith.Dial().body, "CON Welcome Faith. Create a 4-digit PIN:");
}

struct BadRequest {
  const char* name;
  std::string body;
  std::string reason;
};

TEST_F(GatewayTest, MalformedCallbacksGet400WithAReason) {
  const std::vector<BadRequest> cases = {
      {"no_session", "serviceCode=*384*7%23&phoneNumber=%2B254700000001&text=", "sessionId"},
      {"no_phone", "sessionId=a&serviceCode=*384*7%23&text=", "phoneNumber"},
      {"no_text", "sessionId=a&serviceCode=*384*7%23&phoneNumber=%2B254700000001", "text"},
      {"bad_escape", "sessionId=a%ZZ&serviceCode=x&phoneNumber=%2B254700000001&text=", ""},
      {"empty", "", ""},
  };
  HttpClient client;
  for (const auto& c : cases) {
    HttpResult r = client.PostRaw(base_ + "/channels/at-ke/ussd", c.body, "application/x-www-form-urlencoded");
    EXPECT_EQ(r.status, 400) << c.name << ": " << r.body;
    EXPECT_FALSE(r.body.empty()) << c.name;
    if (!c.reason.empty()) {
      EXPECT_NE(r.body.find(c.reason), std::string::npos) << c.name << ": " << r.body;
    }
  }
  EXPECT_EQ(client.PostRaw(base_ + "/channels/nope/ussd", "", "text/plain").status, 404);
  EXPECT_EQ(client.Get(base_ + "/channels/at-ke/ussd").status, 405);
  EXPECT_EQ(client.Get(base_ + "/nowhere").status, 404);
  EXPECT_EQ(Count("SELECT count(*) FROM ussd_sessions"), 0);
}

TEST_F(GatewayTest, CallbackKeyIsRequiredWhereConfigured) {
  Session none(this, "+254700000001", "at-locked");
  EXPECT_EQ(none.Dial().status, 403);
  Session wrong(this, "+254700000001", "at-locked", "?key=guess");
  EXPECT_EQ(wrong.Dial().status, 403);
  EXPECT_EQ(Count("SELECT count(*) FROM ussd_sessions"), 0);
  Session right(this, "+254700000001", "at-locked", "?key=s3cret-key");
  HttpResult r = right.Dial();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.rfind("CON Welcome Amina", 0), 0u);
}

TEST_F(GatewayTest, HealthAndMetrics) {
  HttpClient client;
  EXPECT_EQ(client.Get(base_ + "/healthz").body, "ok\n");
  Session s(this, "+254700000001");
  s.Dial();
  s.Send("2580");
  s.Repeat();  // a duplicate absorbed
  HttpResult m = client.Get(base_ + "/metrics");
  EXPECT_EQ(m.status, 200);
  for (const char* want :
       {"# TYPE shg_http_requests_total counter",
        "shg_http_requests_total{channel=\"at-ke\",route=\"ussd\",outcome=\"ok\"} 3",
        "shg_ussd_steps_total{channel=\"at-ke\",kind=\"duplicate\"} 1",
        "shg_ussd_steps_total{channel=\"at-ke\",kind=\"new\"} 1",
        "# TYPE shg_ussd_answer_seconds histogram", "shg_ussd_answer_seconds_count{channel=\"at-ke\"} 3",
        "# TYPE shg_store_commit_seconds histogram", "shg_ussd_sessions_active 1"}) {
    EXPECT_NE(m.body.find(want), std::string::npos) << want << "\n" << m.body;
  }
}

// The PIN, repeated by the provider in every later `text`, must not reach a
// log line, a stored session, an audit row or a metric label. The log is
// the gateway's own (every Log() line of the process, through the sink of
// gateway/log.h) while the steps run. A step that succeeds writes no log
// line, so the traffic also includes a step that fails (a store fault): the
// one line the USSD path writes.
TEST_F(GatewayTest, PinNeverLeavesTheRequest) {
  testing::LogCapture log;
  {
    Session s(this, "+254700000001");
    s.Dial();
    s.Send("2580");
    s.Send("2");
    s.Send("400");
    EXPECT_EQ(s.Send("1").body.rfind("END Saved KES 400", 0), 0u);
    s.Repeat();  // an operator retry: the whole path again
    Session bad(this, "+254700000002");
    bad.Dial();
    bad.Send("2580");
    bad.Send("9");
    // The end-of-session notification repeats the whole path in `input`.
    HttpResult end = HttpClient().PostForm(
        base_ + "/channels/at-ke/ussd-end",
        {{"sessionId", bad.id()}, {"serviceCode", "*384*7#"}, {"phoneNumber", "+254700000002"},
         {"status", "Incomplete"}, {"input", "2580*9"}});
    EXPECT_EQ(end.status, 200) << end.body;
    Session failing(this, "+254700000001");
    failing.Dial();
    failing.Send("2580");
    ASSERT_NO_FATAL_FAILURE(BreakSessionWrites());
    EXPECT_EQ(failing.Send("1").body, kTechnicalError);  // text "2580*1"
    ASSERT_NO_FATAL_FAILURE(RepairSessionWrites());
  }
  const std::string logs = log.Text();
  EXPECT_FALSE(logs.empty()) << "nothing was captured";
  std::vector<std::string> failed = log.Events("ussd_step_failed");
  ASSERT_EQ(failed.size(), 1u) << logs;
  EXPECT_NE(failed[0].find(" level=error "), std::string::npos) << failed[0];
  EXPECT_NE(failed[0].find(" channel=at-ke "), std::string::npos) << failed[0];
  EXPECT_NE(failed[0].find(std::string(kInjectedFault)), std::string::npos) << failed[0];
  EXPECT_EQ(logs.find("2580"), std::string::npos) << logs;
  // SQLite 3.40 has no string_agg, PostgreSQL no group_concat.
  const std::string concat = shg::testing::OnPostgres() ? "string_agg" : "group_concat";
  for (const std::string& sql :
       {"SELECT " + concat + "(state || answer || phone, '|') FROM ussd_sessions",
        "SELECT " + concat + "(coalesce(actor,'') || coalesce(action,'') || "
        "coalesce(subject,'') || coalesce(detail,'') || coalesce(request_id,''), '|') "
        "FROM audit_log"}) {
    auto st = app_->store().Reader().PrepareUncached(sql);
    Result<bool> row = st->Step();
    ASSERT_TRUE(row.ok() && *row) << sql;
    EXPECT_EQ(st->Text(0).find("2580"), std::string::npos) << st->Text(0);
  }
  HttpResult m = HttpClient().Get(base_ + "/metrics");
  EXPECT_EQ(m.body.find("2580"), std::string::npos);
}

struct FailedStepCase {
  const char* name;
  std::vector<std::string> before;  // inputs that succeed (after the dial)
  std::string failing;              // the input whose step fails
  std::string path;                 // the `text` of the failing request
};

// A step that fails in the store is logged (ussd_step_failed, with the
// channel and the store's status) and rolled back; the request carried the
// PIN in its `text`, the log line does not.
TEST_F(GatewayTest, FailedStepIsLoggedWithoutThePin) {
  const std::vector<FailedStepCase> cases = {
      {"pin_entry", {}, "2580", "2580"},
      {"menu_after_pin", {"2580"}, "1", "2580*1"},
      {"confirm_save", {"2580", "2", "700"}, "1", "2580*2*700*1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Session s(this, "+254700000001");
    s.Dial();
    for (const auto& input : c.before) s.Send(input);
    testing::LogCapture log;
    ASSERT_NO_FATAL_FAILURE(BreakSessionWrites());
    HttpResult r = s.Send(c.failing);
    ASSERT_NO_FATAL_FAILURE(RepairSessionWrites());
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, kTechnicalError);
    const std::string logs = log.Text();
    std::vector<std::string> failed = log.Events("ussd_step_failed");
    ASSERT_EQ(failed.size(), 1u) << logs;
    EXPECT_NE(failed[0].find(" channel=at-ke "), std::string::npos) << failed[0];
    EXPECT_NE(failed[0].find(std::string(kInjectedFault)), std::string::npos) << failed[0];
    EXPECT_EQ(logs.find("2580"), std::string::npos) << logs;
    EXPECT_EQ(logs.find(c.path), std::string::npos) << logs;
  }
  // Rolled back: the confirmed save was not applied, and the failures counted.
  EXPECT_EQ(Count("SELECT count(*) FROM savings WHERE amount=70000"), 0);
  HttpResult m = HttpClient().Get(base_ + "/metrics");
  EXPECT_NE(m.body.find("shg_http_requests_total{channel=\"at-ke\",route=\"ussd\",outcome=\"error\"} " +
                        std::to_string(cases.size())),
            std::string::npos)
      << m.body;
}

TEST_F(GatewayTest, PhoneSimulatorPlaysASession) {
  cli::PhoneOptions o;
  o.url = base_;
  o.channel = "at-ke";
  o.phone = "+254700000001";
  std::istringstream in("2580\n1\nn\n");
  std::ostringstream out;
  EXPECT_EQ(cli::RunPhone(o, in, out), 0);
  EXPECT_NE(out.str().find("Welcome Amina (Upendo Women"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("Savings: KES 4,250"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace shg
