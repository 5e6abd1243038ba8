// The log sink seam of gateway/log.h, through tests/support/log_capture.h:
// while a capture lives it gets every line, whole, from any thread; after
// it ends, lines go to stderr again.
#include "gateway/log.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/support/log_capture.h"

namespace shg::gateway {
namespace {

TEST(LogTest, CaptureGetsTheFormattedLine) {
  testing::LogCapture log;
  Log("warn", "sms_send_failed", {{"channel", "at-ke"}, {"reason", "HTTP 503 \"busy\""}, {"to", ""}});
  std::vector<std::string> lines = log.Events("sms_send_failed");
  ASSERT_EQ(lines.size(), 1u) << log.Text();
  // The timestamp varies; the rest is exact.
  const std::string& line = lines[0];
  ASSERT_EQ(line.rfind("ts=", 0), 0u) << line;
  EXPECT_EQ(line.substr(line.find(" level=")),
            " level=warn event=sms_send_failed channel=at-ke reason=\"HTTP 503 \\\"busy\\\"\" to=\"\"");
  EXPECT_EQ(log.Text(), line + "\n");
  EXPECT_TRUE(log.Events("sms_send").empty()) << "a prefix of the event is not the event";
}

TEST(LogTest, ConcurrentLinesArriveWholeAndTheCaptureEnds) {
  constexpr int kThreads = 4;
  constexpr int kLines = 200;
  {
    testing::LogCapture log;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([t] {
        for (int i = 0; i < kLines; ++i) {
          Log("info", "concurrent", {{"thread", std::to_string(t)}, {"i", std::to_string(i)}});
        }
      });
    }
    for (auto& th : threads) th.join();
    std::vector<std::string> lines = log.Events("concurrent");
    ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLines));
    for (const std::string& line : lines) {
      EXPECT_EQ(line.find('\n'), std::string::npos);
      EXPECT_NE(line.find(" event=concurrent thread="), std::string::npos) << line;
    }
  }
  // The capture ended: stderr again.
  ::testing::internal::CaptureStderr();
  Log("info", "after_capture");
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find(" level=info event=after_capture\n"), std::string::npos) << err;
}

}  // namespace
}  // namespace shg::gateway
