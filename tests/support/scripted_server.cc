#include "tests/support/scripted_server.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>

namespace shg::testing {
namespace {

http::Response ToResponse(const ScriptedResponse& r) {
  http::Response out;
  out.status = r.status;
  out.body = r.body;
  out.content_type = r.content_type;
  out.headers = r.headers;
  return out;
}

}  // namespace

ScriptedServer::ScriptedServer() {
  http::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  options.body_limit = 1 << 20;
  // Bounds how long the destructor waits for a client still writing.
  options.write_timeout = std::chrono::milliseconds(2000);
  server_ = std::make_unique<http::Server>(
      options, [this](http::Request&& request, http::Reply reply) {
        OnRequest(std::move(request), std::move(reply));
      });
  Status status = server_->Start();
  if (!status.ok()) {
    // No test can run without its peer; a constructor cannot ASSERT.
    std::fprintf(stderr, "ScriptedServer: cannot start: %s\n", status.ToString().c_str());
    std::fflush(stdout);
    std::abort();
  }
  port_ = server_->port();
  timer_ = std::thread([this] { TimerLoop(); });
}

ScriptedServer::~ScriptedServer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  // The timer thread answers what is still pending before it exits, so the
  // server's Stop() does not wait for sessions that expect a reply.
  timer_.join();
  server_->Stop();
}

std::string ScriptedServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

uint16_t ScriptedServer::port() const { return port_; }

void ScriptedServer::Push(ScriptedResponse r) {
  std::lock_guard<std::mutex> lock(mu_);
  script_.push_back(std::move(r));
}

void ScriptedServer::SetDefault(ScriptedResponse r) {
  std::lock_guard<std::mutex> lock(mu_);
  default_ = std::move(r);
}

std::vector<http::Request> ScriptedServer::Requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

size_t ScriptedServer::RequestCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

bool ScriptedServer::WaitForRequests(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return requests_cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

void ScriptedServer::OnRequest(http::Request&& request, http::Reply reply) {
  ScriptedResponse scripted;
  bool now = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(std::move(request));
    if (script_.empty()) {
      scripted = default_;
    } else {
      scripted = std::move(script_.front());
      script_.pop_front();
    }
    if (scripted.delay_ms > 0 && !stopping_) {
      now = false;
      pending_.push_back({std::chrono::steady_clock::now() +
                              std::chrono::milliseconds(scripted.delay_ms),
                          ToResponse(scripted), std::move(reply)});
    }
  }
  requests_cv_.notify_all();
  if (now) {
    reply(ToResponse(scripted));
  } else {
    timer_cv_.notify_all();
  }
}

void ScriptedServer::TimerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    std::vector<Pending> due;
    auto not_due = [&](const Pending& p) { return !stopping_ && p.due > now; };
    auto split = std::stable_partition(pending_.begin(), pending_.end(), not_due);
    std::move(split, pending_.end(), std::back_inserter(due));
    pending_.erase(split, pending_.end());
    if (!due.empty()) {
      // Replies post to the server's strands; call them without our lock.
      lock.unlock();
      for (auto& p : due) p.reply(std::move(p.response));
      due.clear();
      lock.lock();
      continue;
    }
    if (stopping_) return;
    if (pending_.empty()) {
      timer_cv_.wait(lock);
    } else {
      // A copy: pending_ may grow (and move) while we wait.
      const auto next = std::min_element(pending_.begin(), pending_.end(),
                                         [](const Pending& a, const Pending& b) {
                                           return a.due < b.due;
                                         })->due;
      timer_cv_.wait_until(lock, next);
    }
  }
}

}  // namespace shg::testing
