// The outbox across a crash and a restart of the REAL binary: the
// shg-gateway built beside this test runs as a child process (`serve` on a
// temporary TOML config, SQLite file with the demo data, synchronous FULL),
// members save over loopback HTTP in the Africa's Talking format, and the
// receipts go to an in-process FakeProvider. The gateway is killed
// (SIGKILL) while the provider refuses every send, or stopped (SIGTERM)
// while a send is in flight, then started again: every receipt reaches the
// provider exactly once. Killed (SIGKILL) with a send in flight (a scripted
// provider received it and holds its answer), the receipt is sent again
// once the dead process's lease expires: at least once, at most twice.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "domain/store/sqlite.h"
#include "gateway/channels/form.h"
#include "gateway/fake/fake_provider.h"
#include "gateway/outbound/dispatcher.h"
#include "tests/support/http_client.h"
#include "tests/support/net.h"
#include "tests/support/scripted_server.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

using std::chrono::milliseconds;
using testing::FreePort;
using testing::HttpClient;
using testing::HttpResult;
using testing::ScriptedResponse;
using testing::ScriptedServer;
using testing::WaitFor;

constexpr int kSaves = 10;  // members who save, one receipt each
// Generated demo members (domain/demo.h): "Demo Group 1" holds consecutive
// phones from +254700000021, every PIN 2580, one member per phone.
constexpr int kFirstPhone = 21;
constexpr int kDemoMembers = 50;

std::string Phone(int i) {
  std::string digits = std::to_string(kFirstPhone + i);
  return "+254700000" + std::string(3 - digits.size(), '0') + digits;
}

// One child process of the gateway binary, its stdout and stderr appended to
// a log file. Killed (SIGKILL) and reaped by the destructor if still running.
class Child {
 public:
  Child() = default;
  ~Child() { Kill(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Starts `SHG_GATEWAY_BINARY args...`; false when fork fails.
  bool Start(const std::vector<std::string>& args, const std::string& log_path) {
    std::vector<std::string> all = {SHG_GATEWAY_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Everything the child needs is prepared before fork: this process has
    // threads, so the child may only make async-signal-safe calls.
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) return false;
    sigset_t none;
    sigemptyset(&none);
    pid_t pid = ::fork();
    if (pid < 0) {
      ::close(log);
      return false;
    }
    if (pid == 0) {
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(log);
    pid_ = pid;
    return true;
  }

  bool running() const { return pid_ > 0; }
  void Signal(int sig) const {
    if (pid_ > 0) ::kill(pid_, sig);
  }

  // The raw wait status once the child exited within `timeout`, else nullopt
  // (still running).
  std::optional<int> Wait(milliseconds timeout) {
    if (pid_ <= 0) return std::nullopt;
    std::optional<int> result;
    WaitFor(
        [&] {
          int status = 0;
          pid_t r = ::waitpid(pid_, &status, WNOHANG);
          if (r == pid_) result = status;
          return r != 0;  // exited, or an error (no such child)
        },
        timeout, milliseconds(10));
    if (result) pid_ = -1;
    return result;
  }

  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// Runs the binary to completion (e.g. `demo`); its exit code, or -1.
int RunToEnd(const std::vector<std::string>& args, const std::string& log_path) {
  Child child;
  if (!child.Start(args, log_path)) return -1;
  std::optional<int> status = child.Wait(milliseconds(30000));
  if (!status || !WIFEXITED(*status)) return -1;
  return WEXITSTATUS(*status);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Row {
  int64_t id;
  std::string status;
  std::string body;
  int attempts;
};

class OutboxRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = ::testing::TempDir() + "/outbox_restart_" + std::to_string(::getpid()) + "_" +
           std::to_string(n++);
    std::filesystem::create_directories(dir_);
    log_path_ = dir_ + "/gateway.log";
    port_ = FreePort();
    base_ = "http://127.0.0.1:" + std::to_string(port_);
  }

  void TearDown() override {
    gateway_.Kill();
    second_.Kill();
    if (fake_) fake_->Stop();
    if (HasFailure()) {
      std::cerr << "--- gateway log (" << log_path_ << ") ---\n" << ReadFile(log_path_);
    }
    std::filesystem::remove_all(dir_);
  }

  // Starts the fake provider (delivery reports to the gateway's port), writes
  // the config and loads the demo data with the binary's `demo` command.
  // The channel sends to `provider_url` when given, else to the fake.
  void Prepare(double send_rate_per_s, const std::string& provider_url = "", int lease_s = 2) {
    gateway::FakeProviderOptions fo;
    fo.gateway_url = base_;
    fo.dlr_delay_ms = 50;
    fo.print = false;
    fake_ = std::make_unique<gateway::FakeProvider>(fo);
    ASSERT_TRUE(fake_->Start().ok());

    {
      std::ofstream pepper(dir_ + "/pepper");
      pepper << "outbox-restart-test-pepper-0123456789\n";
    }
    config_path_ = dir_ + "/gateway.toml";
    std::ofstream config(config_path_);
    config << "[server]\n"
           << "listen = \"127.0.0.1:" << port_ << "\"\n"
           << "threads = 2\n"
           << test_db_.StoreSection(dir_)
           << "[security]\n"
           << "pepper_file = \"" << dir_ << "/pepper\"\n"
           << "[dialogs]\n"
           << "catalogue_dir = \"" << SHG_SOURCE_DIR << "/config/lang\"\n"
           << "[outbox]\n"
           << "workers = 4\n"
           // Enough attempts that no receipt gives up while the provider fails.
           << "max_attempts = 100\n"
           << "retry_base_ms = 100\n"
           << "retry_max_ms = 400\n"
           // A lease left by the killed process expires soon after the restart.
           << "lease_s = " << lease_s << "\n"
           << "poll_ms = 50\n"
           << "[[channels]]\n"
           << "id = \"at-ke\"\n"
           << "type = \"africastalking\"\n"
           << "service_code = \"*384*7#\"\n"
           << "country = \"KE\"\n"
           << "username = \"sandbox\"\n"
           << "secret = \"k\"\n"
           << "api_base_url = \""
           << (provider_url.empty() ? "http://127.0.0.1:" + std::to_string(fake_->port()) + "/at-ke"
                                    : provider_url)
           << "\"\n"
           << "send_rate_per_s = " << send_rate_per_s << "\n";
    config.close();
    ASSERT_EQ(RunToEnd({"demo", "--config", config_path_, "--members",
                        std::to_string(kDemoMembers)},
                       log_path_),
              0);
  }

  // Starts `serve` and waits for /healthz.
  void Serve() {
    ASSERT_FALSE(gateway_.running());
    ASSERT_TRUE(gateway_.Start({"serve", "--config", config_path_}, log_path_));
    HttpClient client;
    bool up = WaitFor(
        [&] {
          if (auto exited = gateway_.Wait(milliseconds(0))) return true;
          return client.Get(base_ + "/healthz").status == 200;
        },
        milliseconds(10000), milliseconds(50));
    ASSERT_TRUE(up && gateway_.running()) << "the gateway did not come up";
  }

  // SIGTERM, then the exit code of a clean stop (-1 when it did not exit
  // within 10 s or was killed by a signal).
  int Terminate() {
    gateway_.Signal(SIGTERM);
    std::optional<int> status = gateway_.Wait(milliseconds(10000));
    if (!status) return -1;
    return WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
  }

  // Member i saves KES 500 over USSD (a whole session: dial, PIN, Save,
  // amount, confirm); the receipt is queued in the same commit.
  void Save(int i) {
    HttpClient client;
    const std::string session = "ATUid_restart_" + std::to_string(i);
    std::string last;
    for (const char* text : {"", "2580", "2580*2", "2580*2*500", "2580*2*500*1"}) {
      HttpResult r = client.PostForm(base_ + "/channels/at-ke/ussd",
                                     {{"sessionId", session},
                                      {"serviceCode", "*384*7#"},
                                      {"phoneNumber", Phone(i)},
                                      {"networkCode", "63902"},
                                      {"text", text}});
      ASSERT_EQ(r.status, 200) << r.error << " " << r.body;
      last = r.body;
    }
    ASSERT_EQ(last.rfind("END Saved KES 500", 0), 0u) << last;
  }

  // The receipt rows, read on a fresh read-only connection (a consistent
  // snapshot; the gateway may be running).
  std::vector<Row> Receipts() {
    auto conn = test_db_.Connect();
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    if (!conn.ok()) return {};
    static constexpr char kSql[] =
        "SELECT id, status, body, attempts FROM messages WHERE kind = 'receipt_saving' "
        "ORDER BY id";
    store::Statement& st = (*conn)->Prepare(kSql);
    store::ScopedReset reset(st);
    std::vector<Row> rows;
    for (;;) {
      Result<bool> more = st.Step();
      EXPECT_TRUE(more.ok()) << more.status().ToString();
      if (!more.ok() || !*more) break;
      rows.push_back({st.Int(0), st.Text(1), st.Text(2), static_cast<int>(st.Int(3))});
    }
    return rows;
  }

  // One integer from `sql` on a fresh read-only connection; -1 on failure.
  int64_t Count(const char* sql) {
    auto conn = test_db_.Connect();
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    if (!conn.ok()) return -1;
    store::Statement& st = (*conn)->Prepare(sql);
    store::ScopedReset reset(st);
    Result<bool> row = st.Step();
    EXPECT_TRUE(row.ok() && *row) << sql;
    if (!row.ok() || !*row) return -1;
    return st.Int(0);
  }

  int CountStatus(const std::vector<Row>& rows, std::initializer_list<const char*> statuses) {
    int n = 0;
    for (const Row& r : rows) {
      for (const char* s : statuses) n += r.status == s ? 1 : 0;
    }
    return n;
  }

  // Every receipt reached the provider exactly once: as many messages as
  // receipts, one per member phone, with exactly the receipts' texts.
  void ExpectEachReceiptSentOnce(const std::vector<Row>& rows) {
    std::vector<gateway::FakeMessage> sent = fake_->Messages();
    EXPECT_EQ(sent.size(), static_cast<size_t>(kSaves));
    std::multiset<std::string> texts, phones;
    for (const auto& m : sent) {
      texts.insert(m.text);
      phones.insert(m.to);
      EXPECT_EQ(m.channel, "at-ke");
    }
    std::multiset<std::string> bodies;
    for (const Row& r : rows) bodies.insert(r.body);
    EXPECT_EQ(std::set<std::string>(texts.begin(), texts.end()).size(), texts.size())
        << "a receipt was sent twice";
    EXPECT_EQ(texts, bodies);
    std::multiset<std::string> expected_phones;
    for (int i = 0; i < kSaves; ++i) expected_phones.insert(Phone(i));
    EXPECT_EQ(phones, expected_phones);
  }

  testing::TestDatabase test_db_;
  Child second_;  // TwoInstances: another gateway on the same database
  std::string dir_, log_path_, config_path_, base_;
  uint16_t port_ = 0;
  std::unique_ptr<gateway::FakeProvider> fake_;
  Child gateway_;
};

// Crash while the provider refuses every send: the receipts wait in the
// outbox (queued, or leased by the dead process) and after the restart each
// is sent once.
TEST_F(OutboxRestartTest, KilledWhileProviderFailsLosesNothingAndSendsNothingTwice) {
  ASSERT_NO_FATAL_FAILURE(Prepare(1000.0));
  fake_->FailNext(1000000, 503);
  ASSERT_NO_FATAL_FAILURE(Serve());
  for (int i = 0; i < kSaves; ++i) ASSERT_NO_FATAL_FAILURE(Save(i));
  // Every receipt tried (and refused) at least once, some retried.
  ASSERT_TRUE(WaitFor([&] { return fake_->RequestCount() >= 2 * kSaves; }, milliseconds(10000)))
      << fake_->RequestCount() << " send requests";
  gateway_.Signal(SIGKILL);
  std::optional<int> killed = gateway_.Wait(milliseconds(5000));
  ASSERT_TRUE(killed && WIFSIGNALED(*killed) && WTERMSIG(*killed) == SIGKILL);

  std::vector<Row> rows = Receipts();
  ASSERT_EQ(rows.size(), static_cast<size_t>(kSaves));
  EXPECT_EQ(CountStatus(rows, {"queued", "sending"}), kSaves);
  int attempts = 0;
  for (const Row& r : rows) attempts += r.attempts;
  EXPECT_GE(attempts, kSaves);
  EXPECT_TRUE(fake_->Messages().empty());

  fake_->FailNext(0, 503);  // the provider accepts again
  ASSERT_NO_FATAL_FAILURE(Serve());
  ASSERT_TRUE(fake_->WaitForMessages(kSaves, milliseconds(10000)))
      << fake_->Messages().size() << " of " << kSaves << " receipts sent after the restart";
  // Nothing more comes, even once every lease of the dead process expired.
  std::this_thread::sleep_for(milliseconds(2500));
  ASSERT_TRUE(WaitFor([&] { return CountStatus(Receipts(), {"sent", "delivered"}) == kSaves; },
                      milliseconds(5000)));
  ExpectEachReceiptSentOnce(Receipts());

  EXPECT_EQ(Terminate(), 0);
  rows = Receipts();
  EXPECT_EQ(CountStatus(rows, {"sent", "delivered"}), kSaves);
  EXPECT_EQ(fake_->Messages().size(), static_cast<size_t>(kSaves));
}

// A graceful stop while sends are in flight: they finish and are recorded
// before the process exits, so the restart sends only the rest.
TEST_F(OutboxRestartTest, TerminatedWhileSendingSendsEachReceiptOnce) {
  // Slow sends (200 ms, two at a time) at 5 per second: sending all the
  // receipts takes a few seconds, so the stop falls in the middle.
  ASSERT_NO_FATAL_FAILURE(Prepare(5.0));
  // The receipts are held until every member saved, however slow the saves.
  fake_->FailNext(1000000, 503);
  ASSERT_NO_FATAL_FAILURE(Serve());
  for (int i = 0; i < kSaves; ++i) ASSERT_NO_FATAL_FAILURE(Save(i));
  fake_->FailNext(0, 503);
  fake_->set_send_delay_ms(200);
  // Stop once one receipt was accepted, while the provider holds more.
  ASSERT_TRUE(WaitFor([&] { return !fake_->Messages().empty() && fake_->InFlight() > 0; },
                      milliseconds(10000), milliseconds(1)));
  EXPECT_EQ(Terminate(), 0);
  EXPECT_EQ(fake_->InFlight(), 0u);
  const size_t before = fake_->Messages().size();
  EXPECT_GE(before, 1u);
  EXPECT_LT(before, static_cast<size_t>(kSaves)) << "the stop came after every send";
  // Every accepted send was recorded before the exit, and none was left leased.
  std::vector<Row> rows = Receipts();
  ASSERT_EQ(rows.size(), static_cast<size_t>(kSaves));
  EXPECT_EQ(CountStatus(rows, {"sent", "delivered"}), static_cast<int>(before));
  EXPECT_EQ(CountStatus(rows, {"queued"}), kSaves - static_cast<int>(before));
  EXPECT_EQ(CountStatus(rows, {"sending"}), 0);

  fake_->set_send_delay_ms(0);
  ASSERT_NO_FATAL_FAILURE(Serve());
  ASSERT_TRUE(fake_->WaitForMessages(kSaves, milliseconds(10000)))
      << fake_->Messages().size() << " of " << kSaves << " receipts sent after the restart";
  std::this_thread::sleep_for(milliseconds(1000));
  // The receipts sent after the restart are delivered (their reports reach
  // the running gateway); reports sent while it was down are lost (the fake
  // does not retry them) and those receipts stay "sent".
  ASSERT_TRUE(WaitFor(
      [&] {
        std::vector<Row> now = Receipts();
        return CountStatus(now, {"sent", "delivered"}) == kSaves &&
               CountStatus(now, {"delivered"}) >= kSaves - static_cast<int>(before);
      },
      milliseconds(5000)));
  ExpectEachReceiptSentOnce(Receipts());
  EXPECT_EQ(Terminate(), 0);
}

// Africa's Talking's answer to an accepted send (201, statusCode 101).
ScriptedResponse AtAccepted(const std::string& message_id) {
  ScriptedResponse r;
  r.status = 201;
  r.body = R"({"SMSMessageData":{"Message":"Sent to 1/1 Total Cost: KES 0.8000","Recipients":[)"
           R"({"statusCode":101,"number":"+254700000000","status":"Success","cost":"KES 0.8000",)"
           R"("messageId":")" + message_id + R"("}]}})";
  return r;
}

constexpr char kSavings[] = "SELECT count(*) FROM savings";
constexpr char kReceiptRows[] = "SELECT count(*) FROM messages WHERE kind = 'receipt_saving'";
// The lease of the last receipt (0 when it has none).
constexpr char kLeaseOfLast[] =
    "SELECT COALESCE(lease_until_ms, 0) FROM messages WHERE kind = 'receipt_saving'"
    " ORDER BY id DESC LIMIT 1";

// SIGKILL with a send in flight: the provider received the last receipt and
// holds its answer until the gateway is dead, so the send was made but never
// recorded (the row stays `sending`, leased by the dead process). After the
// restart nothing happens to it until that lease expires; then it is sent
// again and recorded `sent`.
//
// The delivery guarantee of the outbox is AT LEAST ONCE: a receipt is never
// lost. A send the provider took but the gateway did not record is repeated,
// so for one crash during one send the member gets that receipt AT MOST
// TWICE (once per attempt; this crash made one extra). Here the provider did
// receive the first attempt, so it gets exactly two copies of the held
// receipt, and exactly one of each receipt whose send was recorded before
// the crash; nothing else is written twice (savings, outbox rows).
TEST_F(OutboxRestartTest, KilledWithASendInFlightSendsItAgainAfterTheLease) {
  ScriptedServer provider;
  // Anything unexpected is accepted too, so that a duplicate shows in the counts.
  provider.SetDefault(AtAccepted("ATXid_unexpected"));
  // A lease longer than a restart takes, so that the restart comes before
  // it expires and the wait for it is seen.
  constexpr int kLeaseS = 6;
  ASSERT_NO_FATAL_FAILURE(Prepare(1000.0, provider.base_url() + "/at-ke", kLeaseS));
  const int64_t demo_savings = Count(kSavings);
  ASSERT_NO_FATAL_FAILURE(Serve());
  constexpr int kRecorded = 2;  // receipts sent and recorded before the crash
  for (int i = 0; i < kRecorded; ++i) {
    provider.Push(AtAccepted("ATXid_" + std::to_string(i)));
    ASSERT_NO_FATAL_FAILURE(Save(i));
    ASSERT_TRUE(provider.WaitForRequests(i + 1, milliseconds(10000)));
    ASSERT_TRUE(WaitFor([&] { return CountStatus(Receipts(), {"sent"}) == i + 1; },
                        milliseconds(10000)));
  }
  // The next send is received and held: its answer is due in a minute.
  ScriptedResponse held = AtAccepted("ATXid_held");
  held.delay_ms = 60000;
  provider.Push(held);
  provider.Push(AtAccepted("ATXid_resent"));
  ASSERT_NO_FATAL_FAILURE(Save(kRecorded));
  ASSERT_TRUE(provider.WaitForRequests(kRecorded + 1, milliseconds(10000)));
  gateway_.Signal(SIGKILL);
  std::optional<int> killed = gateway_.Wait(milliseconds(5000));
  ASSERT_TRUE(killed && WIFSIGNALED(*killed) && WTERMSIG(*killed) == SIGKILL);

  // The crash left the held receipt leased and unrecorded.
  std::vector<Row> rows = Receipts();
  ASSERT_EQ(rows.size(), static_cast<size_t>(kRecorded + 1));
  for (int i = 0; i < kRecorded; ++i) EXPECT_EQ(rows[i].status, "sent") << i;
  EXPECT_EQ(rows[kRecorded].status, "sending");
  EXPECT_EQ(rows[kRecorded].attempts, 1);
  const int64_t lease_until_ms = Count(kLeaseOfLast);
  EXPECT_GT(lease_until_ms, 0);

  ASSERT_NO_FATAL_FAILURE(Serve());
  EXPECT_LT(outbound::SystemNowMs(), lease_until_ms)
      << "the restart took longer than the lease: the wait for it is not tested";
  ASSERT_TRUE(provider.WaitForRequests(kRecorded + 2, milliseconds(3000 + kLeaseS * 1000)))
      << provider.RequestCount() << " send requests: the held receipt was not sent again";
  ASSERT_TRUE(WaitFor([&] { return CountStatus(Receipts(), {"sent"}) == kRecorded + 1; },
                      milliseconds(5000)));
  // Nothing more comes: no further send of any receipt.
  std::this_thread::sleep_for(milliseconds(2500));
  EXPECT_EQ(Terminate(), 0);

  rows = Receipts();
  ASSERT_EQ(rows.size(), static_cast<size_t>(kRecorded + 1));
  EXPECT_EQ(CountStatus(rows, {"sent"}), kRecorded + 1);
  for (int i = 0; i < kRecorded; ++i) EXPECT_EQ(rows[i].attempts, 1) << i;
  EXPECT_EQ(rows[kRecorded].attempts, 2);
  // Sent again only once the dead process's lease had expired.
  {
    auto conn = test_db_.Connect();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    static constexpr char kSentMs[] =
        "SELECT COALESCE(sent_ms, 0), COALESCE(provider_message_id, '') FROM messages"
        " WHERE kind = 'receipt_saving' ORDER BY id DESC LIMIT 1";
    store::Statement& st = (*conn)->Prepare(kSentMs);
    store::ScopedReset reset(st);
    Result<bool> row = st.Step();
    ASSERT_TRUE(row.ok() && *row);
    EXPECT_GE(st.Int(0), lease_until_ms) << "sent again before the lease expired";
    EXPECT_EQ(st.Text(1), "ATXid_resent");
  }

  // What the provider received, by recipient: the held receipt twice with
  // the same text, every other one once.
  std::vector<http::Request> sends = provider.Requests();
  ASSERT_EQ(sends.size(), static_cast<size_t>(kRecorded + 2));
  std::map<std::string, std::vector<std::string>> texts_by_phone;
  for (const http::Request& r : sends) {
    auto form = channels::ParseForm(r.body);
    ASSERT_TRUE(form.ok()) << r.body;
    const std::string* to = form->Get("to");
    const std::string* text = form->Get("message");
    ASSERT_TRUE(to != nullptr && text != nullptr) << r.body;
    texts_by_phone[*to].push_back(*text);
  }
  ASSERT_EQ(texts_by_phone.size(), static_cast<size_t>(kRecorded + 1));
  for (int i = 0; i <= kRecorded; ++i) {
    const std::vector<std::string>& texts = texts_by_phone[Phone(i)];
    for (const std::string& t : texts) EXPECT_EQ(t, rows[i].body) << Phone(i);
    if (i < kRecorded) {
      EXPECT_EQ(texts.size(), 1u) << Phone(i) << ": recorded before the crash, sent once";
    } else {
      EXPECT_GE(texts.size(), 1u) << "at least once: the receipt in flight was lost";
      EXPECT_LE(texts.size(), 2u) << "at most twice for one crash during one send";
      EXPECT_EQ(texts.size(), 2u) << "the provider took the first attempt: one repeat";
    }
  }
  // One saving and one outbox row per member: nothing else was repeated.
  EXPECT_EQ(Count(kSavings), demo_savings + kRecorded + 1);
  EXPECT_EQ(Count(kReceiptRows), kRecorded + 1);
}

// Two instances on one PostgreSQL database: the one sending for the channel
// is killed with a send in flight; the other takes the channel over and,
// once the dead one's lease has expired (not before), sends the receipt.
TEST_F(OutboxRestartTest, TwoInstancesTheOtherSendsAfterTheKilledOnesLease) {
  if (!test_db_.postgres()) GTEST_SKIP() << "two instances share a PostgreSQL database only";
  ScriptedServer provider;
  provider.SetDefault(AtAccepted("ATXid_unexpected"));
  constexpr int kLeaseS = 4;
  ASSERT_NO_FATAL_FAILURE(Prepare(1000.0, provider.base_url() + "/at-ke", kLeaseS));
  ASSERT_NO_FATAL_FAILURE(Serve());  // A: alone, it holds the channel
  provider.Push(AtAccepted("ATXid_0"));
  ASSERT_NO_FATAL_FAILURE(Save(0));
  ASSERT_TRUE(provider.WaitForRequests(1, milliseconds(10000)));
  ASSERT_TRUE(WaitFor([&] { return CountStatus(Receipts(), {"sent"}) == 1; }, milliseconds(10000)));

  const uint16_t port_b = FreePort();
  const std::string log_b = dir_ + "/gateway-b.log";
  ASSERT_TRUE(second_.Start({"serve", "--config", config_path_, "--listen",
                             "127.0.0.1:" + std::to_string(port_b)},
                            log_b));
  HttpClient client;
  ASSERT_TRUE(WaitFor(
      [&] { return client.Get("http://127.0.0.1:" + std::to_string(port_b) + "/healthz").status == 200; },
      milliseconds(10000), milliseconds(50)));

  ScriptedResponse held = AtAccepted("ATXid_held");
  held.delay_ms = 60000;
  provider.Push(held);
  provider.Push(AtAccepted("ATXid_resent"));
  ASSERT_NO_FATAL_FAILURE(Save(1));  // on A, which sends it and is held
  ASSERT_TRUE(provider.WaitForRequests(2, milliseconds(10000)));
  gateway_.Signal(SIGKILL);
  std::optional<int> killed = gateway_.Wait(milliseconds(5000));
  ASSERT_TRUE(killed && WIFSIGNALED(*killed) && WTERMSIG(*killed) == SIGKILL);
  const int64_t lease_until_ms = Count(kLeaseOfLast);
  ASSERT_GT(lease_until_ms, outbound::SystemNowMs()) << "the lease expired before B could wait for it";

  ASSERT_TRUE(provider.WaitForRequests(3, milliseconds(5000 + kLeaseS * 1000)))
      << provider.RequestCount() << " send requests: B did not send the held receipt";
  ASSERT_TRUE(WaitFor([&] { return CountStatus(Receipts(), {"sent"}) == 2; }, milliseconds(5000)));
  std::this_thread::sleep_for(milliseconds(1500));  // nothing more comes
  EXPECT_EQ(provider.RequestCount(), 3u);
  std::vector<Row> rows = Receipts();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].attempts, 2);
  auto conn = test_db_.Connect();
  ASSERT_TRUE(conn.ok());
  auto st = (*conn)->PrepareUncached(
      "SELECT COALESCE(sent_ms, 0), COALESCE(provider_message_id, '') FROM messages"
      " WHERE kind = 'receipt_saving' ORDER BY id DESC LIMIT 1");
  Result<bool> row = st->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_GE(st->Int(0), lease_until_ms) << "sent again before the lease expired";
  EXPECT_EQ(st->Text(1), "ATXid_resent");
  second_.Signal(SIGTERM);
  std::optional<int> stopped = second_.Wait(milliseconds(10000));
  ASSERT_TRUE(stopped && WIFEXITED(*stopped));
  EXPECT_EQ(WEXITSTATUS(*stopped), 0);
}

}  // namespace
}  // namespace shg
