// End-to-end messaging: the real gateway (port 0, temporary SQLite file with
// the demo data, durable commits, the outbox dispatcher running) against a
// real loopback fake provider that speaks the Africa's Talking, Twilio,
// Kannel and Hubtel send APIs and sends delivery reports back over HTTP.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "domain/demo.h"
#include "domain/messages.h"
#include "domain/store/store.h"
#include "gateway/app.h"
#include "gateway/channels/twilio/signature.h"
#include "gateway/fake/fake_provider.h"
#include "tests/support/count_rows.h"
#include "tests/support/http_client.h"
#include "tests/support/net.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

using testing::FreePort;
using testing::HttpClient;
using testing::HttpResult;
using testing::WaitFor;

const std::string kPepper = "messaging-test-pepper-0123456789";
const std::string kAtKey = "at-api-key-SECRET-1";
const std::string kTwilioToken = "twilio-token-SECRET-2";
const std::string kKannelPassword = "kannel-pass-SECRET-3";
const std::string kHubtelSecret = "hubtel-secret-SECRET-4";
const std::string kCallbackKey = "cbkey-SECRET-5";

class MessagingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = ::testing::TempDir() + "/msg_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
    std::filesystem::create_directories(dir_);
    // Everything the gateway logs goes to this file for the secrets check.
    log_path_ = dir_ + "/stderr.log";
    fflush(stderr);
    saved_stderr_ = ::dup(STDERR_FILENO);
    FILE* log = std::fopen(log_path_.c_str(), "w");
    ::dup2(::fileno(log), STDERR_FILENO);
    std::fclose(log);

    const uint16_t port = FreePort();
    base_ = "http://127.0.0.1:" + std::to_string(port);
    gateway::FakeProviderOptions fo;
    fo.gateway_url = base_;
    fo.callback_keys["at-ke"] = kCallbackKey;
    fo.dlr_delay_ms = 50;
    fo.print = false;
    fake_ = std::make_unique<gateway::FakeProvider>(fo);
    ASSERT_TRUE(fake_->Start().ok());
    const std::string fake = "http://127.0.0.1:" + std::to_string(fake_->port());

    test_db_.Configure(settings_);
    settings_.listen_host = "127.0.0.1";
    settings_.listen_port = port;
    settings_.catalogue_dir = std::string(SHG_SOURCE_DIR) + "/config/lang";
    settings_.outbox.retry_base_ms = 50;
    settings_.outbox.retry_max_ms = 200;
    settings_.outbox.poll_ms = 20;
    auto channel = [&](std::string id, std::string type) {
      config::ChannelSettings c;
      c.id = id;
      c.type = std::move(type);
      c.country = "KE";
      c.callback_key = kCallbackKey;
      c.api_base_url = fake + "/" + id;
      c.public_base_url = base_;
      return c;
    };
    config::ChannelSettings at = channel("at-ke", "africastalking");
    at.service_code = "*384*7#";
    at.username = "sandbox";
    at.secret = kAtKey;
    at.sender = "22384";
    config::ChannelSettings tw = channel("tw", "twilio");
    tw.callback_key = "";  // Twilio signs its callbacks
    tw.username = "AC00000000000000000000000000000001";
    tw.secret = kTwilioToken;
    tw.sender = "+15005550006";
    config::ChannelSettings kn = channel("kn", "kannel");
    kn.username = "shg";
    kn.secret = kKannelPassword;
    config::ChannelSettings hb = channel("hb", "hubtel");
    hb.service_code = "*713*7#";
    hb.username = "hubtel-client";
    hb.secret = kHubtelSecret;
    hb.sender = "SHG";
    settings_.channels = {at, tw, kn, hb};
    {
      store::StoreOptions so = test_db_.Options();
      auto store = store::Store::Open(so);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      PinHasher pins(kPepper);
      ASSERT_TRUE(LoadDemo(**store, pins, 30, gateway::SystemNow() - 86400).ok());
    }
    auto app = gateway::App::Create(settings_, kPepper);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    ASSERT_TRUE(app_->Start().ok());
  }

  void TearDown() override {
    app_.reset();
    fake_.reset();
    fflush(stderr);
    ::dup2(saved_stderr_, STDERR_FILENO);
    ::close(saved_stderr_);
    std::filesystem::remove_all(dir_);
  }

  std::string Logs() const {
    fflush(stderr);
    std::ifstream in(log_path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // One Africa's Talking USSD session played with the whole input path.
  std::string SaveByUssd(const std::string& phone, const std::string& amount) {
    static std::atomic<int> sessions{0};
    const std::string id = "ATUid_msg_" + std::to_string(++sessions);
    HttpClient c;
    std::string last;
    for (const std::string& path : {std::string(""), std::string("2580"), std::string("2580*2"),
                                    "2580*2*" + amount, "2580*2*" + amount + "*1"}) {
      HttpResult r = c.PostForm(base_ + "/channels/at-ke/ussd?key=" + kCallbackKey,
                                {{"sessionId", id}, {"serviceCode", "*384*7#"},
                                 {"phoneNumber", phone}, {"networkCode", "63902"}, {"text", path}});
      EXPECT_EQ(r.status, 200) << r.body;
      last = r.body;
    }
    return last;
  }

  // One integer from a query on a fresh statement (tests/support/count_rows.h
  // says why not Connection::Prepare).
  int64_t Count(const std::string& sql) {
    return testing::CountRows(app_->store().Reader(), sql);
  }

  std::string Status(int64_t id) {
    Messages m(app_->store().Reader(), 0);
    auto msg = m.Get(id);
    return msg.ok() ? msg->status : "missing";
  }

  std::vector<gateway::FakeMessage> MessagesTo(const std::string& phone) {
    std::vector<gateway::FakeMessage> out;
    for (auto& m : fake_->Messages()) {
      if (m.to == phone) out.push_back(m);
    }
    return out;
  }

  std::string Metrics() { return HttpClient().Get(base_ + "/metrics").body; }

  std::string dir_, log_path_, base_;

  shg::testing::TestDatabase test_db_;
  int saved_stderr_ = -1;
  config::Settings settings_;
  std::unique_ptr<gateway::FakeProvider> fake_;
  std::unique_ptr<gateway::App> app_;
};

const std::string kAmina = "+254700000001";
const std::string kHalima = "+254700000006";

TEST_F(MessagingTest, UssdSaveSendsOneReceiptThatItsDeliveryReportMarksDelivered) {
  std::string end = SaveByUssd(kAmina, "500");
  ASSERT_EQ(end.rfind("END Saved KES 500", 0), 0u) << end;
  const std::string ref = end.substr(end.rfind(' ') + 1);
  ASSERT_TRUE(fake_->WaitForMessages(1, std::chrono::seconds(10)));
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT count(*) FROM messages WHERE status = 'delivered'") == 1; },
                      std::chrono::seconds(10)))
      << "the AT delivery report did not mark the receipt delivered";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // nothing more may come
  auto sent = MessagesTo(kAmina);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].provider, "africastalking");
  EXPECT_EQ(sent[0].channel, "at-ke");
  EXPECT_NE(sent[0].text.find("Saved KES 500"), std::string::npos) << sent[0].text;
  EXPECT_NE(sent[0].text.find("Ref " + ref), std::string::npos) << sent[0].text;
  EXPECT_EQ(Count("SELECT count(*) FROM messages"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE kind = 'receipt_saving' AND attempts = 1"), 1);
  const std::string metrics = Metrics();
  EXPECT_NE(metrics.find("shg_sms_sends_total{channel=\"at-ke\",outcome=\"accepted\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("shg_delivery_reports_total{channel=\"at-ke\",state=\"delivered\",match=\"applied\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("shg_outbox_queued{channel=\"at-ke\"} 0"), std::string::npos) << metrics;
}

TEST_F(MessagingTest, ReceiptIsDeliveredOnceAfterTheProviderAnswered503FiveTimes) {
  fake_->FailNext(5, 503);
  std::string end = SaveByUssd(kAmina, "700");
  ASSERT_EQ(end.rfind("END Saved KES 700", 0), 0u) << end;
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT count(*) FROM messages WHERE status = 'delivered'") == 1; },
                      std::chrono::seconds(15)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(MessagesTo(kAmina).size(), 1u);
  EXPECT_EQ(fake_->RequestCount(), 6u) << "five 503s, then the accepted send";
  EXPECT_EQ(Count("SELECT attempts FROM messages"), 6);
  const std::string metrics = Metrics();
  EXPECT_NE(metrics.find("shg_sms_sends_total{channel=\"at-ke\",outcome=\"retryable\"} 5"),
            std::string::npos)
      << metrics;
}

TEST_F(MessagingTest, PermanentRejectionFailsAtOnceAndTheOperatorCanRetry) {
  fake_->FailNext(1, 401);
  SaveByUssd(kAmina, "300");
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT count(*) FROM messages WHERE status = 'failed'") == 1; },
                      std::chrono::seconds(10)));
  EXPECT_EQ(fake_->RequestCount(), 1u) << "a permanent failure is not retried";
  Messages m(app_->store().Reader(), 0);
  auto failed = m.List("failed", 10);
  ASSERT_TRUE(failed.ok());
  ASSERT_EQ(failed->size(), 1u);
  ASSERT_TRUE(app_->store().Run([&](store::Connection& conn) -> shg::Status {
    return Messages(conn, outbound::SystemNowMs()).Retry(failed->front().id);
  }).ok());
  app_->dispatcher()->Wake();
  ASSERT_TRUE(WaitFor([&] { return Status(failed->front().id) == "delivered"; }, std::chrono::seconds(10)));
  EXPECT_EQ(MessagesTo(kAmina).size(), 1u);
}

TEST_F(MessagingTest, SalioFromHalimaGetsAKiswahiliBalanceOnceEvenIfReposted) {
  HttpClient c;
  const std::vector<std::pair<std::string, std::string>> sms = {
      {"from", kHalima}, {"to", "22384"}, {"text", " salio "}, {"date", "2026-11-27T08:00:00.000Z"},
      {"id", "ATXid_in_1"}, {"linkId", "x"}, {"networkCode", "63902"}};
  for (int i = 0; i < 3; ++i) {  // AT re-posts until it gets a 200
    HttpResult r = c.PostForm(base_ + "/channels/at-ke/sms?key=" + kCallbackKey, sms);
    EXPECT_EQ(r.status, 200) << r.body;
  }
  ASSERT_TRUE(fake_->WaitForMessages(1, std::chrono::seconds(10)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto replies = MessagesTo(kHalima);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].text.rfind("Halima: akiba KES ", 0), 0u) << replies[0].text;
  EXPECT_NE(replies[0].text.find("Mkopo:"), std::string::npos) << replies[0].text;
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages"), 1);
  EXPECT_NE(Metrics().find("shg_sms_inbound_total{channel=\"at-ke\",outcome=\"duplicate\"} 2"),
            std::string::npos);
}

TEST_F(MessagingTest, SaveBySmsCreatesAPendingSavingAndAReceipt) {
  HttpResult r = HttpClient().PostForm(base_ + "/channels/at-ke/sms?key=" + kCallbackKey,
                                       {{"from", kAmina}, {"to", "22384"}, {"text", "SAVE 250"},
                                        {"id", "ATXid_in_2"}});
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(fake_->WaitForMessages(1, std::chrono::seconds(10)));
  EXPECT_NE(MessagesTo(kAmina).at(0).text.find("Saved KES 250"), std::string::npos);
  EXPECT_EQ(Count("SELECT count(*) FROM savings WHERE status = 'pending' AND amount = 25000"), 1);
}

TEST_F(MessagingTest, UnknownNumberIsToldOnceADay) {
  HttpClient c;
  for (int i = 0; i < 3; ++i) {
    HttpResult r = c.PostForm(base_ + "/channels/at-ke/sms?key=" + kCallbackKey,
                              {{"from", "+254799999999"}, {"text", "BAL"},
                               {"id", "ATXid_unknown_" + std::to_string(i)}});
    EXPECT_EQ(r.status, 200);
  }
  ASSERT_TRUE(fake_->WaitForMessages(1, std::chrono::seconds(10)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto replies = MessagesTo("+254799999999");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].text, "This number is not registered. Ask your group facilitator.");
}

TEST_F(MessagingTest, TwilioCallbackWithAWrongSignatureChangesNothingAndGets403) {
  const std::vector<std::pair<std::string, std::string>> params = {
      {"MessageSid", "SM00000000000000000000000000000001"},
      {"AccountSid", "AC00000000000000000000000000000001"},
      {"From", kAmina},
      {"To", "+15005550006"},
      {"Body", "BAL"},
      {"NumMedia", "0"}};
  const std::string url = base_ + "/channels/tw/sms";
  HttpClient c;
  for (const std::string& bad :
       {std::string("X-Twilio-Signature: ") + channels::TwilioSignature("wrong-token", url, params),
        std::string("X-Twilio-Signature: ") +
            channels::TwilioSignature(kTwilioToken, url + "?extra=1", params),
        std::string("X-Twilio-Nothing: 1")}) {
    HttpResult r = c.PostForm(url, params, {bad});
    EXPECT_EQ(r.status, 403) << bad;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM messages"), 0);
  EXPECT_NE(Metrics().find("shg_http_requests_total{channel=\"tw\",route=\"sms\",outcome=\"forbidden\"} 3"),
            std::string::npos);

  // Correctly signed: an empty TwiML answer, and the reply goes out through
  // the outbox on the Twilio channel; Twilio's signed status callback marks
  // it delivered.
  HttpResult ok = c.PostForm(
      url, params, {"X-Twilio-Signature: " + channels::TwilioSignature(kTwilioToken, url, params)});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.content_type.rfind("text/xml", 0), 0u);
  EXPECT_NE(ok.body.find("<Response></Response>"), std::string::npos) << ok.body;
  ASSERT_TRUE(fake_->WaitForMessages(1, std::chrono::seconds(10)));
  EXPECT_EQ(MessagesTo(kAmina).at(0).provider, "twilio");
  EXPECT_EQ(MessagesTo(kAmina).at(0).text.rfind("Amina: savings KES 4,250", 0), 0u);
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT count(*) FROM messages WHERE status = 'delivered'") == 1; },
                      std::chrono::seconds(10)));
}

TEST_F(MessagingTest, KannelInboundGetsAReplyWhoseDeliveryReportCarriesOurId) {
  HttpClient c;
  HttpResult r = c.Get(base_ + "/channels/kn/sms?key=" + kCallbackKey +
                       "&id=6a1f-0001&from=%2B254700000001&to=22384&text=BAL&time=1795737600"
                       "&coding=0&charset=UTF-8");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "") << "Kannel must not send the body as a reply";
  ASSERT_TRUE(fake_->WaitForMessages(1, std::chrono::seconds(10)));
  auto sent = MessagesTo(kAmina);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].provider, "kannel");
  EXPECT_GT(sent[0].our_message_id, 0);
  ASSERT_TRUE(WaitFor([&] { return Status(sent[0].our_message_id) == "delivered"; },
                      std::chrono::seconds(10)));
  // A report for a message the gateway does not know: 200, counted.
  HttpResult unknown = c.Get(base_ + "/channels/kn/status?key=" + kCallbackKey + "&id=999999&type=1");
  EXPECT_EQ(unknown.status, 200);
  EXPECT_NE(Metrics().find("shg_delivery_reports_total{channel=\"kn\",state=\"delivered\",match=\"unknown\"} 1"),
            std::string::npos);
  HttpResult wrong_key = c.Get(base_ + "/channels/kn/status?key=nope&id=1&type=1");
  EXPECT_EQ(wrong_key.status, 403);
}

TEST_F(MessagingTest, HubtelSessionRunsTheSameDialogsAndSendsTheReceiptThroughHubtel) {
  HttpClient c;
  auto step = [&](const std::string& type, const std::string& message, int sequence) {
    std::string body = "{\"Type\":\"" + type +
                       "\",\"SessionId\":\"hb-sess-1\",\"Mobile\":\"254700000001\","
                       "\"ServiceCode\":\"713*7\",\"Message\":\"" +
                       message + "\",\"Operator\":\"safaricom\",\"Sequence\":" +
                       std::to_string(sequence) + ",\"ClientState\":\"\"}";
    return c.PostRaw(base_ + "/channels/hb/ussd?key=" + kCallbackKey, body, "application/json");
  };
  HttpResult r = step("Initiation", "*713*7#", 1);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"Type\":\"Response\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Welcome Amina (Upendo Women Group). Enter PIN:"), std::string::npos) << r.body;
  EXPECT_NE(step("Response", "2580", 2).body.find("1. My balance"), std::string::npos);
  EXPECT_NE(step("Response", "2", 3).body.find("Enter amount to save"), std::string::npos);
  // A retried step (same Sequence) gets the same answer and applies nothing.
  HttpResult amount = step("Response", "150", 4);
  EXPECT_EQ(step("Response", "150", 4).body, amount.body);
  HttpResult done = step("Response", "1", 5);
  EXPECT_NE(done.body.find("\"Type\":\"Release\""), std::string::npos) << done.body;
  EXPECT_NE(done.body.find("Saved KES 150"), std::string::npos) << done.body;
  HttpResult again = step("Response", "1", 5);
  EXPECT_EQ(again.body, done.body);
  EXPECT_EQ(Count("SELECT count(*) FROM savings WHERE amount = 15000"), 1);
  ASSERT_TRUE(fake_->WaitForMessages(1, std::chrono::seconds(10)));
  EXPECT_EQ(MessagesTo(kAmina).at(0).provider, "hubtel");
  HttpResult release = step("Release", "", 6);
  EXPECT_EQ(release.status, 200);
  EXPECT_NE(Metrics().find("shg_ussd_session_end_total{channel=\"hb\",status=\"release\"} 1"),
            std::string::npos);
}

TEST_F(MessagingTest, AfricasTalkingEndOfSessionNotificationIsAcknowledged) {
  HttpResult r = HttpClient().PostForm(
      base_ + "/channels/at-ke/ussd-end?key=" + kCallbackKey,
      {{"sessionId", "ATUid_x"}, {"serviceCode", "*384*7#"}, {"networkCode", "63902"},
       {"phoneNumber", kAmina}, {"status", "Incomplete"}, {"input", "2580*2"}, {"cost", "KES 0.0"},
       {"durationInMillis", "30000"}, {"hopsCount", "3"}, {"date", "2026-11-27 08:00:00"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(Metrics().find("shg_ussd_session_end_total{channel=\"at-ke\",status=\"incomplete\"} 1"),
            std::string::npos);
  HttpResult bad = HttpClient().PostForm(base_ + "/channels/at-ke/ussd-end?key=" + kCallbackKey,
                                         {{"status", "Incomplete"}});
  EXPECT_EQ(bad.status, 400);
}

TEST_F(MessagingTest, SecretsAndPinsNeverReachTheLogs) {
  // Failures make the dispatcher log: a permanent rejection and retries.
  fake_->FailNext(2, 503);
  SaveByUssd(kAmina, "400");
  HttpClient().PostForm(base_ + "/channels/at-ke/sms?key=" + kCallbackKey,
                        {{"from", kAmina}, {"text", "BAL"}, {"id", "ATXid_log"}});
  HttpClient().Get(base_ + "/channels/kn/sms?key=" + kCallbackKey +
                   "&id=k-1&from=%2B254700000006&text=SALIO");
  ASSERT_TRUE(WaitFor([&] { return fake_->Messages().size() >= 3; }, std::chrono::seconds(15)));
  fake_->FailNext(1, 401);
  SaveByUssd(kAmina, "100");
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT count(*) FROM messages WHERE status = 'failed'") == 1; },
                      std::chrono::seconds(10)));
  app_->Stop();
  const std::string logs = Logs();
  EXPECT_NE(logs.find("sms_send_failed"), std::string::npos) << "the failures were logged:\n" << logs;
  for (const std::string& secret :
       {kAtKey, kTwilioToken, kKannelPassword, kHubtelSecret, kCallbackKey, std::string("2580"),
        std::string("+254700000001"), std::string("Saved KES")}) {
    EXPECT_EQ(logs.find(secret), std::string::npos) << "'" << secret << "' in logs:\n" << logs;
  }
}

}  // namespace
}  // namespace shg

namespace shg {
namespace {

// One Africa's Talking USSD session, whole input path each time; returns
// every answer in order.
std::vector<std::string> PlayUssd(const std::string& base, const std::string& phone,
                                  const std::vector<std::string>& keys) {
  static std::atomic<int> sessions{0};
  const std::string id = "ATUid_flow_" + std::to_string(++sessions);
  HttpClient c;
  std::vector<std::string> answers;
  std::string path;
  for (size_t i = 0; i <= keys.size(); ++i) {
    if (i > 0) path += (i > 1 ? "*" : "") + keys[i - 1];
    HttpResult r = c.PostForm(base + "/channels/at-ke/ussd?key=" + kCallbackKey,
                              {{"sessionId", id}, {"serviceCode", "*384*7#"},
                               {"phoneNumber", phone}, {"networkCode", "63902"}, {"text", path}});
    EXPECT_EQ(r.status, 200) << r.body;
    answers.push_back(r.body);
  }
  return answers;
}

// Done means: Wanjiru resets a locked member's PIN from Group tasks on her
// phone; the one-time PIN reaches the member by SMS (through the provider);
// she logs in with it, must change it, and is told of the change by SMS.
TEST_F(MessagingTest, TreasurerResetsALockedPinAndTheMemberMustChangeIt) {
  const std::string mary = "+254700000005";
  std::vector<std::string> lock = PlayUssd(base_, mary, {"1111", "1112", "1113"});
  EXPECT_EQ(lock.back(),
            "END Wrong PIN. Your PIN is now locked. Ask Wanjiru or Grace to reset it in Group "
            "tasks.");
  std::vector<std::string> reset = PlayUssd(base_, "+254700000002", {"2580", "8", "4", "1", "1"});
  EXPECT_NE(reset[2].find("4. Reset a PIN (1)"), std::string::npos) << reset[2];
  EXPECT_EQ(reset[3], "CON Locked PINs:\n1. Mary O.\n0. Back");
  EXPECT_EQ(reset[5], "CON PIN of Mary reset: one-time PIN sent by SMS.\nNo locked PIN.\n0. Back");
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'pin.reset' AND detail LIKE "
                  "'by=officer:%'"),
            1);
  std::string otp;
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& m : MessagesTo(mary)) {
          const size_t at = m.text.find("Your one-time PIN is ");
          if (at != std::string::npos) otp = m.text.substr(at + 21, 4);
        }
        return !otp.empty();
      },
      std::chrono::seconds(10)));
  std::vector<std::string> login = PlayUssd(base_, mary, {otp, otp, otp, "4826", "4826"});
  EXPECT_EQ(login[1], "CON Your PIN was reset. Create a new 4-digit PIN:");
  EXPECT_EQ(login[3].rfind("CON Choose a PIN different from your current one.", 0), 0u) << login[3];
  EXPECT_EQ(login[5].rfind("CON 1. My balance", 0), 0u) << login[5];
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& m : MessagesTo(mary)) {
          if (m.text.rfind("Your PIN was changed.", 0) == 0) return true;
        }
        return false;
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(PlayUssd(base_, mary, {"4826"}).back().rfind("CON 1. My balance", 0), 0u);
  for (const auto& m : MessagesTo(mary)) EXPECT_EQ(m.text.find("4826"), std::string::npos);
}

// Done means: on the phone Rose and Joy share, each SMS starts with the
// first name of the member it is for.
TEST_F(MessagingTest, SharedPhoneSmsCarryTheMembersFirstName) {
  const std::string shared = "+254700000007";
  std::vector<std::string> rose = PlayUssd(base_, shared, {"1", "2580", "2", "300", "1"});
  EXPECT_EQ(rose.back().rfind("END Saved KES 300", 0), 0u) << rose.back();
  std::vector<std::string> joy = PlayUssd(base_, shared, {"2", "2580", "2", "400", "1"});
  EXPECT_EQ(joy.back().rfind("END Saved KES 400", 0), 0u) << joy.back();
  ASSERT_TRUE(fake_->WaitForMessages(2, std::chrono::seconds(10)));
  std::vector<gateway::FakeMessage> sms = MessagesTo(shared);
  ASSERT_EQ(sms.size(), 2u);
  // In the order they were written (one recipient).
  EXPECT_EQ(sms[0].text.rfind("Rose: Saved KES 300", 0), 0u) << sms[0].text;
  EXPECT_EQ(sms[1].text.rfind("Joy: Saved KES 400", 0), 0u) << sms[1].text;
  // A phone of her own: no name.
  SaveByUssd("+254700000001", "150");
  ASSERT_TRUE(fake_->WaitForMessages(3, std::chrono::seconds(10)));
  EXPECT_EQ(MessagesTo("+254700000001").at(0).text.rfind("Saved KES 150", 0), 0u);
}

}  // namespace
}  // namespace shg
