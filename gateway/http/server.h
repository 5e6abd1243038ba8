// Asynchronous HTTP/1.1 server on Boost.Beast (the only unit that includes
// Beast, to keep builds fast). Requests are handed to a Handler as plain
// values; the handler answers through a Reply callback, from any thread and
// possibly later (e.g. after a durable commit).
//
// Per connection: keep-alive, a fresh parser per request with a body limit
// (413 when exceeded), a read deadline and a write deadline. Stop() closes the
// listener, lets in-flight requests finish (bounded by the write deadline) and
// joins the threads. Thread-safety: Start/Stop/Wait from one controlling
// thread; the handler runs concurrently on the server's threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "domain/result.h"

namespace shg::http {

struct Request {
  std::string method;  // "GET", "POST"...
  std::string target;  // raw target: "/channels/at-ke/ussd?key=x"
  std::string path;    // target before '?', not decoded
  std::string query;   // target after '?', not decoded ("" if none)
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_address;
  // First header named `name` (lower-case), or "".
  std::string Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers

  static Response Text(int status, std::string body);
};

// Called once per request. `reply` must be called exactly once.
using Reply = std::function<void(Response)>;
using Handler = std::function<void(Request&&, Reply)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port (see Server::port())
  int threads = 2;
  size_t body_limit = 64 * 1024;
  std::chrono::milliseconds read_timeout{30000};   // idle keep-alive / slow client
  std::chrono::milliseconds write_timeout{10000};
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();  // Stop()s if running
  // Binds and starts the threads. InvalidArgument/Unavailable on bind errors.
  Status Start();
  uint16_t port() const;  // the bound port, after Start
  // Graceful: stop accepting, finish in-flight requests, join threads.
  void Stop();
  // Blocks until SIGINT or SIGTERM, then Stop()s.
  void WaitForSignal();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shg::http
