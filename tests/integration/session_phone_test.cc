// A USSD session belongs to the phone that opened it (ussd.md, Sessions):
// the issue's reproduction over real loopback HTTP, in the Africa's Talking
// path format and the Hubtel session format, operator retries included.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "domain/demo.h"
#include "domain/store/store.h"
#include "gateway/app.h"
#include "tests/support/count_rows.h"
#include "tests/support/http_client.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

using testing::HttpClient;
using testing::HttpResult;

const std::string kPepper = "session-phone-test-pepper-0123456789";
const std::string kKey = "cb-key-phone-test";
constexpr char kOtherPhone[] = "This session belongs to another phone. Please dial";

class SessionPhoneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = ::testing::TempDir() + "/sp_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
    std::filesystem::create_directories(dir_);
    test_db_.Configure(settings_);
    settings_.listen_host = "127.0.0.1";
    settings_.listen_port = 0;
    settings_.catalogue_dir = std::string(SHG_SOURCE_DIR) + "/config/lang";
    config::ChannelSettings at;
    at.id = "at-ke";
    at.type = "africastalking";
    at.service_code = "*384*7#";
    at.country = "KE";
    config::ChannelSettings hb;
    hb.id = "hb";
    hb.type = "hubtel";
    hb.service_code = "*713*7#";
    hb.country = "KE";
    hb.callback_key = kKey;
    settings_.channels = {at, hb};
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
    base_ = "http://127.0.0.1:" + std::to_string(app_->port());
  }
  void TearDown() override {
    app_.reset();
    std::filesystem::remove_all(dir_);
  }

  HttpResult At(const std::string& phone, const std::string& text) {
    return client_.PostForm(base_ + "/channels/at-ke/ussd",
                            {{"sessionId", "mixsess"}, {"serviceCode", "*384*7#"},
                             {"phoneNumber", phone}, {"networkCode", "63902"}, {"text", text}});
  }
  HttpResult Hubtel(const std::string& mobile, const std::string& type, const std::string& message,
                    int sequence) {
    const std::string body = "{\"Type\":\"" + type +
                             "\",\"SessionId\":\"hb-mix\",\"Mobile\":\"" + mobile +
                             "\",\"ServiceCode\":\"713*7\",\"Message\":\"" + message +
                             "\",\"Operator\":\"safaricom\",\"Sequence\":" +
                             std::to_string(sequence) + "}";
    return client_.PostRaw(base_ + "/channels/hb/ussd?key=" + kKey, body, "application/json");
  }
  int64_t Count(const std::string& sql) {
    return testing::CountRows(app_->store().Reader(), sql);
  }
  std::string Metrics() { return client_.Get(base_ + "/metrics").body; }

  std::string dir_;

  shg::testing::TestDatabase test_db_;
  config::Settings settings_;
  std::unique_ptr<gateway::App> app_;
  std::string base_;
  HttpClient client_;
};

TEST_F(SessionPhoneTest, AfricasTalkingStepFromAnotherPhoneChangesNothingAndEnds) {
  EXPECT_EQ(At("+254700000011", "").body.rfind("CON Welcome", 0), 0u);
  EXPECT_EQ(At("+254700000011", "2580").body.rfind("CON 1. My balance", 0), 0u);
  const int64_t savings = Count("SELECT COUNT(*) FROM savings");
  const int64_t audit = Count("SELECT COUNT(*) FROM audit_log");
  const int64_t messages = Count("SELECT COUNT(*) FROM messages");
  // The reproduction: her balance must not be shown to 012; a retry of that
  // request (same text) gets the same refusal; a save through the session
  // posts nothing.
  for (const std::string text : {"2580*1", "2580*1", "2580*2", "2580*2*500", "2580*2*500*1", ""}) {
    SCOPED_TRACE("text=" + text);
    HttpResult r = At("+254700000012", text);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.rfind(std::string("END ") + kOtherPhone, 0), 0u) << r.body;
    EXPECT_EQ(r.body.find("Savings"), std::string::npos) << r.body;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM savings"), savings);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log"), audit);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages"), messages);
  EXPECT_NE(Metrics().find("shg_ussd_steps_total{channel=\"at-ke\",kind=\"phone_mismatch\"} 6"),
            std::string::npos);
  // Her own session carries on: her balance is hers to see.
  HttpResult mine = At("+254700000011", "2580*1");
  EXPECT_NE(mine.body.find("Savings: KES"), std::string::npos) << mine.body;
}

TEST_F(SessionPhoneTest, HubtelStepWhoseMobileChangedChangesNothingAndEnds) {
  EXPECT_NE(Hubtel("254700000011", "Initiation", "*713*7#", 1).body.find("Enter PIN"),
            std::string::npos);
  EXPECT_NE(Hubtel("254700000011", "Response", "2580", 2).body.find("1. My balance"),
            std::string::npos);
  const int64_t savings = Count("SELECT COUNT(*) FROM savings");
  struct Step {
    std::string message;
    int sequence;
  };
  // A new step, its retry, and a retry of her earlier PIN step, all from 012.
  for (const Step& s : {Step{"2", 3}, Step{"2", 3}, Step{"2580", 2}, Step{"500", 4}, Step{"1", 5}}) {
    SCOPED_TRACE(s.message + " #" + std::to_string(s.sequence));
    HttpResult r = Hubtel("254700000012", "Response", s.message, s.sequence);
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("\"Type\":\"Release\""), std::string::npos) << r.body;
    EXPECT_NE(r.body.find(kOtherPhone), std::string::npos) << r.body;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM savings"), savings);
  EXPECT_NE(Metrics().find("shg_ussd_steps_total{channel=\"hb\",kind=\"phone_mismatch\"} 5"),
            std::string::npos);
  HttpResult mine = Hubtel("254700000011", "Response", "1", 3);
  EXPECT_NE(mine.body.find("Savings: KES"), std::string::npos) << mine.body;
}

}  // namespace
}  // namespace shg
