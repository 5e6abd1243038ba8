#include "tests/support/log_capture.h"

#include "gateway/log.h"

namespace shg::testing {

LogCapture::LogCapture() {
  gateway::SetLogSinkForTesting([this](std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    std::lock_guard<std::mutex> lock(mu_);
    lines_.emplace_back(line);
  });
}

LogCapture::~LogCapture() { gateway::SetLogSinkForTesting(nullptr); }

std::string LogCapture::Text() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string text;
  for (const std::string& line : lines_) {
    text += line;
    text += '\n';
  }
  return text;
}

std::vector<std::string> LogCapture::Events(std::string_view event) const {
  const std::string key = " event=" + std::string(event);
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> found;
  for (const std::string& line : lines_) {
    size_t at = line.find(key);
    if (at == std::string::npos) continue;
    size_t end = at + key.size();
    if (end == line.size() || line[end] == ' ') found.push_back(line);
  }
  return found;
}

}  // namespace shg::testing
