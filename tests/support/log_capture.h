// Captures the gateway's log lines (gateway/log.h) for tests: while a
// LogCapture lives, every Log() line of the process goes to it instead of
// stderr. One capture at a time (the sink is process-wide).
//
// Thread-safety: every method may be called from any thread, concurrently
// with lines being logged.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace shg::testing {

class LogCapture {
 public:
  LogCapture();   // installs the sink
  ~LogCapture();  // restores stderr; returns once no line is being captured
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Every line captured so far, in order, each ending in '\n'.
  std::string Text() const;
  // The captured lines whose event is `event` (" event=<event>" with nothing
  // after it but a space or the end), without their '\n'.
  std::vector<std::string> Events(std::string_view event) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;  // guarded by mu_, '\n' stripped
};

}  // namespace shg::testing
