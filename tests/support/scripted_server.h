// A real loopback HTTP server for tests that answers from a script: each
// request consumes the next pushed ScriptedResponse (FIFO), or the default
// response when none is queued, and is recorded for later inspection.
//
// It runs shg::http::Server on 127.0.0.1, a free port, 2 threads. A response
// with delay_ms > 0 is answered later from a timer thread, so a slow answer
// never blocks the server's threads (other requests are served meanwhile).
//
// Thread-safety: every method may be called from any thread, concurrently
// with requests being served.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gateway/http/server.h"

namespace shg::testing {

struct ScriptedResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra response headers
  int delay_ms = 0;  // answer this long after the request arrived
};

class ScriptedServer {
 public:
  // Starts listening; a failure to start is a test failure (ADD_FAILURE) and
  // aborts the process, since no test can run without the peer.
  ScriptedServer();
  // Stops the server. Delayed replies still pending are dropped (their
  // clients see the connection close).
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  std::string base_url() const;  // "http://127.0.0.1:PORT", no trailing slash
  uint16_t port() const;

  // Queues the answer to a future request (FIFO).
  void Push(ScriptedResponse r);
  // The answer used when the queue is empty (initially 200 with an empty body).
  void SetDefault(ScriptedResponse r);

  // Copies of every request received so far, in arrival order.
  std::vector<http::Request> Requests() const;
  size_t RequestCount() const;
  // Waits until at least `n` requests have arrived or `timeout` passed;
  // returns whether they arrived.
  bool WaitForRequests(size_t n, std::chrono::milliseconds timeout);

 private:
  struct Pending {
    std::chrono::steady_clock::time_point due;
    http::Response response;
    http::Reply reply;
  };

  void OnRequest(http::Request&& request, http::Reply reply);
  void TimerLoop();

  mutable std::mutex mu_;
  std::condition_variable requests_cv_;  // a request was recorded
  std::condition_variable timer_cv_;     // pending_ changed or stopping_
  std::deque<ScriptedResponse> script_;  // guarded by mu_
  ScriptedResponse default_;             // guarded by mu_
  std::vector<http::Request> requests_;  // guarded by mu_
  std::vector<Pending> pending_;         // guarded by mu_
  bool stopping_ = false;                // guarded by mu_

  std::unique_ptr<http::Server> server_;
  std::thread timer_;
  uint16_t port_ = 0;
};

}  // namespace shg::testing
