// The dispatcher's leader leases for a worker as soon as it goes idle, not
// at the next poll: with every worker busy the leader waits, and the worker
// that finishes must wake it (bench/outbox.sh measured the lost wake-up at
// about half the send throughput with the default 200 ms poll).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "domain/messages.h"
#include "domain/store/store.h"
#include "gateway/channels/channel.h"
#include "gateway/outbound/dispatcher.h"
#include "tests/support/test_db.h"
#include "tests/support/scripted_server.h"

namespace shg::outbound {
namespace {

using std::chrono::milliseconds;

TEST(DispatcherWakeupTest, IdleWorkerGetsTheNextMessageWithoutWaitingForThePoll) {
  shg::testing::TestDatabase db;
  testing::ScriptedServer server;
  // Each send takes 30 ms, so the leader always finds the one worker busy
  // right after leasing, and then waits for the poll or a wake-up.
  server.SetDefault({201,
                     "{\"SMSMessageData\":{\"Message\":\"Sent to 1/1\",\"Recipients\":[{"
                     "\"statusCode\":101,\"number\":\"+254700000001\",\"status\":\"Success\","
                     "\"cost\":\"KES 0.8000\",\"messageId\":\"ATXid_1\"}]}}",
                     "application/json",
                     {},
                     30});
  store::StoreOptions so;
  so = db.Options();
  so.synchronous = "NORMAL";
  auto store = store::Store::Open(so);
  ASSERT_TRUE(store.ok()) << store.status().ToString();

  constexpr int kMessages = 5;
  Status queued = (*store)->Run([&](store::Connection& conn) -> Status {
    Messages messages(conn, SystemNowMs());
    for (int i = 0; i < kMessages; ++i) {
      NewMessage m;
      m.channel = "at-ke";
      m.phone = "+254700000001";
      m.kind = "test";
      m.body = "message " + std::to_string(i);
      m.encoding = "gsm7";
      auto id = messages.Enqueue(m);
      if (!id.ok()) return id.status();
    }
    return Status::Ok();
  });
  ASSERT_TRUE(queued.ok()) << queued.ToString();

  config::ChannelSettings channel;
  channel.id = "at-ke";
  channel.type = "africastalking";
  channel.username = "sandbox";
  channel.secret = "k";
  channel.api_base_url = server.base_url();
  channel.send_rate_per_s = 1000;
  auto adapter = channels::MakeAdapter(channel);
  ASSERT_TRUE(adapter.ok());
  config::OutboxSettings options;
  options.workers = 1;
  options.poll_ms = 10000;  // a lost wake-up costs 10 s per message
  Dispatcher dispatcher(**store, {adapter->get()}, options);

  const auto started = std::chrono::steady_clock::now();
  dispatcher.Start();
  // 5 sends of 30 ms each: well under a second unless the leader sleeps a
  // poll interval between them.
  EXPECT_TRUE(server.WaitForRequests(kMessages, milliseconds(3000)))
      << server.RequestCount() << " of " << kMessages << " sends after 3 s";
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_LT(elapsed, milliseconds(3000));
  dispatcher.Stop();
  EXPECT_EQ(server.RequestCount(), static_cast<size_t>(kMessages));
}

}  // namespace
}  // namespace shg::outbound
