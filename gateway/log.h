// Structured key=value logging to stderr, one line per event.
// Callers pass masked phones only (MaskPhone) and never PINs or secrets.
// Thread-safe (one write(2) per line, or one sink call per line).
#pragma once

#include <unistd.h>

#include <atomic>
#include <ctime>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace shg::gateway {

// Receives one whole line, '\n' included.
using LogSink = std::function<void(std::string_view line)>;

namespace log_internal {

struct SinkSlot {
  std::atomic<bool> set{false};  // fast path: no lock while no sink is set
  std::mutex mu;
  LogSink sink;  // guarded by mu
};

// Never destroyed: a thread may still log during static destruction.
inline SinkSlot& Slot() {
  static SinkSlot* slot = new SinkSlot;
  return *slot;
}

}  // namespace log_internal

// Test seam: sends every later line to `sink` instead of stderr; an empty
// sink restores stderr. Lines are handed to the sink one at a time under a
// lock (it need not be thread-safe itself, and must not call Log). Returns
// once no line is being handed to the previous sink, so the previous sink
// may be destroyed then. Thread-safe.
inline void SetLogSinkForTesting(LogSink sink) {
  log_internal::SinkSlot& slot = log_internal::Slot();
  std::lock_guard<std::mutex> lock(slot.mu);
  slot.set.store(static_cast<bool>(sink), std::memory_order_release);
  slot.sink = std::move(sink);
}

inline void Log(std::string_view level, std::string_view event,
                std::initializer_list<std::pair<std::string_view, std::string_view>> fields = {}) {
  char ts[32];
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string line = "ts=";
  line += ts;
  line += " level=";
  line += level;
  line += " event=";
  line += event;
  for (const auto& [k, v] : fields) {
    line += ' ';
    line += k;
    line += '=';
    bool quote = v.find_first_of(" \"=") != std::string_view::npos || v.empty();
    if (quote) line += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') line += '\\';
      line += (c == '\n') ? ' ' : c;
    }
    if (quote) line += '"';
  }
  line += '\n';
  log_internal::SinkSlot& slot = log_internal::Slot();
  if (slot.set.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(slot.mu);
    if (slot.sink) {
      slot.sink(line);
      return;
    }
  }
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace shg::gateway
