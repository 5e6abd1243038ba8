// Structured key=value logging to stderr, one line per event.
// Callers pass masked phones only (MaskPhone) and never PINs or secrets.
// Thread-safe (one write(2) per line).
#pragma once

#include <unistd.h>

#include <ctime>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace shg::gateway {

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
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace shg::gateway
