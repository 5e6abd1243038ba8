// The outbox dispatcher against a real SQLite store and a real loopback
// provider (ScriptedServer) answering in the Africa's Talking format:
// retries and giving up, throttling, the rate limit, expired leases, a
// graceful stop, and the order of the SMS to one phone.
#include "gateway/outbound/dispatcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "domain/messages.h"
#include "domain/store/store.h"
#include "gateway/channels/channel.h"
#include "gateway/channels/form.h"
#include "tests/support/test_db.h"
#include "tests/support/net.h"
#include "tests/support/scripted_server.h"

namespace shg::outbound {
namespace {

using testing::ScriptedResponse;
using testing::ScriptedServer;

ScriptedResponse Reply(int status, std::string body, std::string content_type = "text/plain") {
  ScriptedResponse r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

ScriptedResponse Accepted(int n) {
  return Reply(201,
               "{\"SMSMessageData\":{\"Message\":\"Sent to 1/1\",\"Recipients\":[{\"statusCode\":101,"
               "\"number\":\"+254700000001\",\"status\":\"Success\",\"cost\":\"KES 0.8000\","
               "\"messageId\":\"ATXid_" + std::to_string(n) + "\"}]}}",
               "application/json");
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions so;
    so = db_.Options();
    so.synchronous = "NORMAL";
    auto st = store::Store::Open(so);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    channel_.id = "at-ke";
    channel_.type = "africastalking";
    channel_.username = "sandbox";
    channel_.secret = "k";
    channel_.api_base_url = server_.base_url();
    channel_.send_rate_per_s = 1000;
    channel_.send_timeout_ms = 2000;
    options_.retry_base_ms = 20;
    options_.retry_max_ms = 40;
    options_.poll_ms = 10;
  }
  void TearDown() override {
    if (dispatcher_) dispatcher_->Stop();
    dispatcher_.reset();
    adapter_.reset();
    store_.reset();
  }

  void StartDispatcher() {
    auto adapter = channels::MakeAdapter(channel_);
    ASSERT_TRUE(adapter.ok());
    adapter_ = std::move(*adapter);
    dispatcher_ = std::make_unique<Dispatcher>(
        *store_, std::vector<const channels::Adapter*>{adapter_.get()}, options_,
        DispatcherClocks{[this] { return SystemNowMs() + instance_skew_ms_; },
                         [this] { return offset_ms_.load(); }});
    dispatcher_->Start();
  }

  // "message <n>" to `phone`; by default to a phone of its own per n, so
  // that messages of one test do not wait for each other (order per phone).
  int64_t Enqueue(int n, std::string phone = "") {
    if (phone.empty()) {
      char own[20];
      std::snprintf(own, sizeof own, "+25471%07d", n);
      phone = own;
    }
    int64_t id = 0;
    Status s = store_->Run([&](store::Connection& conn) -> Status {
      NewMessage m;
      m.channel = "at-ke";
      m.phone = phone;
      m.kind = "test";
      m.body = "message " + std::to_string(n);
      m.encoding = "gsm7";
      auto r = Messages(conn, SystemNowMs()).Enqueue(m);
      if (!r.ok()) return r.status();
      id = *r;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return id;
  }

  OutboundMessage Get(int64_t id) {
    auto m = Messages(store_->Reader(), 0).Get(id);
    EXPECT_TRUE(m.ok());
    return m.ok() ? *m : OutboundMessage{};
  }

  bool WaitForStatus(int64_t id, const std::string& status, std::chrono::milliseconds timeout) {
    return testing::WaitFor([&] { return Get(id).status == status; }, timeout,
                            std::chrono::milliseconds(10));
  }

  // The texts the provider got, in the order the requests arrived.
  std::vector<std::string> SentTexts() {
    std::vector<std::string> texts;
    for (const http::Request& r : server_.Requests()) {
      auto text = channels::FormValue(r.body, "message");
      texts.push_back(text.ok() ? *text : "?");
    }
    return texts;
  }

  shg::testing::TestDatabase db_;
  ScriptedServer server_;
  std::unique_ptr<store::Store> store_;
  config::ChannelSettings channel_;
  config::OutboxSettings options_;
  std::unique_ptr<channels::Adapter> adapter_;
  std::unique_ptr<Dispatcher> dispatcher_;
  // Added to the dispatcher's clocks: a test moves time on past a backoff
  // or a lease instead of waiting for it.
  std::atomic<int64_t> offset_ms_{0};
  // How far this instance's clock is from the database's (set before start).
  int64_t instance_skew_ms_ = 0;
};

TEST_F(DispatcherTest, RetryableFailuresBackOffThenGiveUpAfterMaxAttempts) {
  options_.max_attempts = 3;
  server_.SetDefault(Reply(503, "Service Unavailable"));
  const int64_t id = Enqueue(1);
  StartDispatcher();
  ASSERT_TRUE(WaitForStatus(id, "failed", std::chrono::seconds(5)));
  OutboundMessage m = Get(id);
  EXPECT_EQ(m.attempts, 3);
  EXPECT_NE(m.last_error.find("gave up after 3 attempts"), std::string::npos) << m.last_error;
  EXPECT_EQ(server_.RequestCount(), 3u);
}

TEST_F(DispatcherTest, PermanentFailureIsNotRetried) {
  server_.SetDefault(Reply(401, "The supplied authentication is invalid"));
  const int64_t id = Enqueue(1);
  StartDispatcher();
  ASSERT_TRUE(WaitForStatus(id, "failed", std::chrono::seconds(5)));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(server_.RequestCount(), 1u);
  EXPECT_EQ(Get(id).attempts, 1);
}

TEST_F(DispatcherTest, ThrottledSendWaitsForRetryAfterWithoutCountingTheAttempt) {
  ScriptedResponse throttled{429, "Too Many Requests", "text/plain", {{"Retry-After", "1"}}};
  server_.Push(throttled);
  server_.SetDefault(Accepted(1));
  const int64_t id = Enqueue(1);
  const auto started = std::chrono::steady_clock::now();
  StartDispatcher();
  ASSERT_TRUE(WaitForStatus(id, "sent", std::chrono::seconds(5)));
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, std::chrono::milliseconds(900)) << "Retry-After: 1 was not honoured";
  OutboundMessage m = Get(id);
  EXPECT_EQ(m.attempts, 1) << "a throttled attempt is not counted";
  EXPECT_EQ(m.provider_message_id, "ATXid_1");
  EXPECT_EQ(server_.RequestCount(), 2u);
}

TEST_F(DispatcherTest, RateLimitSpacesSendsOfAChannel) {
  channel_.send_rate_per_s = 10;
  server_.SetDefault(Accepted(1));
  std::vector<int64_t> ids;
  for (int i = 0; i < 15; ++i) ids.push_back(Enqueue(i));
  const auto started = std::chrono::steady_clock::now();
  StartDispatcher();
  for (int64_t id : ids) ASSERT_TRUE(WaitForStatus(id, "sent", std::chrono::seconds(10)));
  // A burst of at most one second's worth (10), then 10 per second.
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(400));
  EXPECT_EQ(server_.RequestCount(), 15u);
}

TEST_F(DispatcherTest, AnExpiredLeaseIsSentAgainAndAnUnexpiredOneIsNot) {
  server_.SetDefault(Accepted(7));
  // Another process leased both and died: one lease has expired, one not.
  auto lease = [&](int64_t lease_ms) {
    ASSERT_TRUE(store_->Run([&](store::Connection& conn) -> Status {
      return Messages(conn, SystemNowMs()).LeaseDue("at-ke", 1, lease_ms).status();
    }).ok());
  };
  const int64_t in_flight = Enqueue(2);
  lease(60000);
  const int64_t crashed = Enqueue(1);
  lease(-1);
  ASSERT_EQ(Get(crashed).status, "sending");
  StartDispatcher();
  ASSERT_TRUE(WaitForStatus(crashed, "sent", std::chrono::seconds(5)));
  EXPECT_EQ(Get(crashed).attempts, 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Get(in_flight).status, "sending");
  EXPECT_EQ(server_.RequestCount(), 1u);
}

// Leases and due times are on the database's clock: an instance whose own
// clock is ten minutes off neither takes another's unexpired lease (ahead)
// nor holds back what is due (behind).
class DispatcherClockSkewTest : public DispatcherTest,
                                public ::testing::WithParamInterface<int64_t> {};

TEST_P(DispatcherClockSkewTest, LeasesAndDueTimesFollowTheDatabasesClock) {
  server_.SetDefault(Accepted(7));
  const int64_t in_flight = Enqueue(1);
  ASSERT_TRUE(store_->Run([&](store::Connection& conn) -> Status {
    auto now = conn.ClockMs();
    if (!now.ok()) return now.status();
    return Messages(conn, *now).LeaseDue("at-ke", 1, 60'000).status();
  }).ok());
  ASSERT_EQ(Get(in_flight).status, "sending");
  instance_skew_ms_ = GetParam();
  StartDispatcher();
  const int64_t due = Enqueue(2);
  dispatcher_->Wake();
  ASSERT_TRUE(WaitForStatus(due, "sent", std::chrono::seconds(5))) << Get(due).status;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Get(in_flight).status, "sending") << "another instance's lease has not expired";
  EXPECT_EQ(SentTexts(), (std::vector<std::string>{"message 2"}));
}

INSTANTIATE_TEST_SUITE_P(TenMinutes, DispatcherClockSkewTest,
                         ::testing::Values(int64_t{600'000}, int64_t{-600'000}),
                         [](const ::testing::TestParamInfo<int64_t>& info) {
                           return info.param > 0 ? std::string("Ahead") : std::string("Behind");
                         });

TEST_F(DispatcherTest, StopLetsSendsInFlightFinishAndRecordsThem) {
  ScriptedResponse slow = Accepted(3);
  slow.delay_ms = 300;
  server_.SetDefault(slow);
  const int64_t id = Enqueue(1);
  StartDispatcher();
  ASSERT_TRUE(server_.WaitForRequests(1, std::chrono::seconds(5)));
  dispatcher_->Stop();
  EXPECT_EQ(Get(id).status, "sent") << "the answer that arrived during Stop was recorded";
  EXPECT_EQ(dispatcher_->sends_completed(), 1u);
}

// ------------------------------------------------------------- order per phone

constexpr char kPhone[] = "+254700000001";

// Three SMS to one phone, the first failing retryably: the second is not
// sent until the first is, the third not before the second, while other
// phones' SMS go out in the meantime.
TEST_F(DispatcherTest, TheSmsToOnePhoneGoOutInTheOrderTheyWereWritten) {
  options_.workers = 4;
  options_.retry_base_ms = 60'000;  // the test moves the clock on instead
  options_.retry_max_ms = 60'000;
  server_.Push(Reply(503, "Service Unavailable"));
  server_.SetDefault(Accepted(1));
  const int64_t first = Enqueue(1, kPhone);
  StartDispatcher();
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        OutboundMessage m = Get(first);
        return m.status == "queued" && m.attempts == 1;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(10)));
  const int64_t second = Enqueue(2, kPhone);
  const int64_t third = Enqueue(3, kPhone);
  const int64_t other = Enqueue(4);
  const int64_t another = Enqueue(5);
  dispatcher_->Wake();
  ASSERT_TRUE(WaitForStatus(other, "sent", std::chrono::seconds(5)));
  ASSERT_TRUE(WaitForStatus(another, "sent", std::chrono::seconds(5)));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (int64_t id : {second, third}) {
    EXPECT_EQ(Get(id).status, "queued") << id;
    EXPECT_EQ(Get(id).attempts, 0) << id;
  }
  EXPECT_EQ(server_.RequestCount(), 3u);

  offset_ms_ += 120'000;  // the first's retry is due
  ASSERT_TRUE(WaitForStatus(third, "sent", std::chrono::seconds(5)));
  EXPECT_EQ(Get(first).status, "sent");
  EXPECT_EQ(Get(second).status, "sent");
  std::vector<std::string> texts = SentTexts();
  ASSERT_EQ(texts.size(), 6u);
  EXPECT_EQ(texts[0], "message 1");
  std::vector<std::string> meanwhile(texts.begin() + 1, texts.begin() + 3);
  std::sort(meanwhile.begin(), meanwhile.end());
  EXPECT_EQ(meanwhile, (std::vector<std::string>{"message 4", "message 5"}));
  EXPECT_EQ(std::vector<std::string>(texts.begin() + 3, texts.end()),
            (std::vector<std::string>{"message 1", "message 2", "message 3"}));
}

// A permanently failed first SMS ends, so the next one to the phone goes.
TEST_F(DispatcherTest, APermanentlyFailedFirstUnblocksTheSecond) {
  server_.Push(Reply(401, "The supplied authentication is invalid"));
  server_.SetDefault(Accepted(2));
  const int64_t first = Enqueue(1, kPhone);
  const int64_t second = Enqueue(2, kPhone);
  StartDispatcher();
  ASSERT_TRUE(WaitForStatus(second, "sent", std::chrono::seconds(5)));
  EXPECT_EQ(Get(first).status, "failed");
  EXPECT_EQ(SentTexts(), (std::vector<std::string>{"message 1", "message 2"}));
}

// The process died while the first was in flight: the second waits for the
// first's lease to expire and the first to be sent again.
TEST_F(DispatcherTest, AnExpiredLeaseOfTheFirstKeepsTheSecondWaiting) {
  server_.SetDefault(Accepted(3));
  const int64_t first = Enqueue(1, kPhone);
  const int64_t second = Enqueue(2, kPhone);
  ASSERT_TRUE(store_->Run([&](store::Connection& conn) -> Status {
    auto leased = Messages(conn, SystemNowMs()).LeaseDue("at-ke", 10, 60'000);
    if (!leased.ok()) return leased.status();
    EXPECT_EQ(leased->size(), 1u) << "the second waits behind the first";
    return Status::Ok();
  }).ok());
  StartDispatcher();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(server_.RequestCount(), 0u);
  EXPECT_EQ(Get(second).status, "queued");

  offset_ms_ += 120'000;  // the first's lease has expired
  ASSERT_TRUE(WaitForStatus(second, "sent", std::chrono::seconds(5)));
  EXPECT_EQ(Get(first).status, "sent");
  EXPECT_EQ(Get(first).attempts, 2);
  EXPECT_EQ(SentTexts(), (std::vector<std::string>{"message 1", "message 2"}));
}

}  // namespace
}  // namespace shg::outbound
