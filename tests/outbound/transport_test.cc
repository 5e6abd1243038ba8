// shg::outbound::Transport against real loopback HTTP peers: the scripted
// server (tests/support/scripted_server.h) for what arrives and what comes
// back, and a tiny raw-socket server that counts TCP connections for
// keep-alive (http::Request does not record the peer's port).
#include "gateway/outbound/transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/net.h"
#include "tests/support/scripted_server.h"

namespace shg::outbound {
namespace {

using channels::HttpCall;
using channels::HttpOutcome;
using channels::TransportFailure;
using testing::ScriptedResponse;
using testing::ScriptedServer;
using namespace std::chrono_literals;

std::string HeaderOf(const http::Request& r, const std::string& name) { return r.Header(name); }

bool HasHeader(const http::Request& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return true;
  }
  return false;
}

TransportOptions Fast() {
  TransportOptions o;
  o.connect_timeout_ms = 2000;
  o.total_timeout_ms = 5000;
  return o;
}

TEST(TransportTest, GetArrivesAsSentAndResponseComesBack) {
  ScriptedServer server;
  server.Push({200, "0: Accepted for delivery", "text/plain",
               {{"X-Request-Id", "abc-1"}, {"Retry-After", "7"}}, 0});
  HttpCall call;
  call.method = "GET";
  call.url = server.base_url() + "/cgi-bin/sendsms?username=u&to=%2B254700000001&text=Hi%20there";
  call.headers = {{"Accept", "text/plain"}, {"X-Custom", "v1"}};

  Transport transport;
  HttpOutcome out = transport.Perform(call, Fast());

  ASSERT_EQ(out.failure, TransportFailure::kNone) << out.error;
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(out.body, "0: Accepted for delivery");
  // Names come back lower-cased, values as sent.
  EXPECT_EQ(out.Header("x-request-id"), "abc-1");
  EXPECT_EQ(out.Header("retry-after"), "7");
  EXPECT_EQ(out.Header("content-type"), "text/plain");
  EXPECT_EQ(out.Header("X-Request-Id"), "");

  ASSERT_EQ(server.RequestCount(), 1u);
  http::Request got = server.Requests()[0];
  EXPECT_EQ(got.method, "GET");
  EXPECT_EQ(got.path, "/cgi-bin/sendsms");
  EXPECT_EQ(got.query, "username=u&to=%2B254700000001&text=Hi%20there");
  EXPECT_EQ(got.body, "");
  EXPECT_EQ(HeaderOf(got, "accept"), "text/plain");
  EXPECT_EQ(HeaderOf(got, "x-custom"), "v1");
  EXPECT_EQ(HeaderOf(got, "user-agent"), "shg-gateway/1");
  EXPECT_FALSE(HasHeader(got, "authorization"));
  EXPECT_FALSE(HasHeader(got, "expect"));
}

TEST(TransportTest, PostWithBodyContentTypeHeadersAndBasicAuth) {
  ScriptedServer server;
  server.Push({201, R"({"sid":"SM1","status":"queued"})", "application/json", {}, 0});
  HttpCall call;
  call.method = "POST";
  call.url = server.base_url() + "/2010-04-01/Accounts/ACsid/Messages.json";
  call.content_type = "application/x-www-form-urlencoded";
  call.body = "To=%2B15005550006&From=%2B15005550001&Body=Saved%20KES%20200";
  call.headers = {{"Accept", "application/json"}};
  call.basic_user = "ACsid";
  call.basic_password = "t0ken/x";

  Transport transport;
  HttpOutcome out = transport.Perform(call, Fast());

  ASSERT_EQ(out.failure, TransportFailure::kNone) << out.error;
  EXPECT_EQ(out.status, 201);
  EXPECT_EQ(out.body, R"({"sid":"SM1","status":"queued"})");
  EXPECT_EQ(out.Header("content-type"), "application/json");

  ASSERT_EQ(server.RequestCount(), 1u);
  http::Request got = server.Requests()[0];
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.target, "/2010-04-01/Accounts/ACsid/Messages.json");
  EXPECT_EQ(got.body, call.body);
  EXPECT_EQ(HeaderOf(got, "content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(HeaderOf(got, "content-length"), std::to_string(call.body.size()));
  EXPECT_EQ(HeaderOf(got, "accept"), "application/json");
  // base64("ACsid:t0ken/x"), sent up front (no 401 challenge round trip).
  EXPECT_EQ(HeaderOf(got, "authorization"), "Basic QUNzaWQ6dDBrZW4veA==");
  EXPECT_FALSE(HasHeader(got, "expect"));
}

TEST(TransportTest, JsonPostKeepsItsContentType) {
  ScriptedServer server;
  HttpCall call;
  call.url = server.base_url() + "/v1/messages/send";
  call.content_type = "application/json";
  call.body = R"({"From":"SHG","To":"233200000001","Content":"hi"})";
  Transport transport;
  HttpOutcome out = transport.Perform(call, Fast());
  ASSERT_EQ(out.failure, TransportFailure::kNone) << out.error;
  ASSERT_EQ(server.RequestCount(), 1u);
  http::Request got = server.Requests()[0];
  EXPECT_EQ(HeaderOf(got, "content-type"), "application/json");
  EXPECT_EQ(got.body, call.body);
}

// HttpCall: content_type "" = none. libcurl would otherwise label every POST
// as a form.
TEST(TransportTest, PostWithoutContentTypeSendsNone) {
  ScriptedServer server;
  HttpCall call;
  call.url = server.base_url() + "/raw";
  call.body = "plain bytes";
  Transport transport;
  HttpOutcome out = transport.Perform(call, Fast());
  ASSERT_EQ(out.failure, TransportFailure::kNone) << out.error;
  ASSERT_EQ(server.RequestCount(), 1u);
  http::Request got = server.Requests()[0];
  EXPECT_EQ(got.body, "plain bytes");
  EXPECT_FALSE(HasHeader(got, "content-type")) << HeaderOf(got, "content-type");
}

// Options of one request must not leak into the next on the same handle.
TEST(TransportTest, GetAfterPostOnOneTransportIsAPlainGet) {
  ScriptedServer server;
  Transport transport;
  HttpCall post;
  post.url = server.base_url() + "/first";
  post.content_type = "application/x-www-form-urlencoded";
  post.body = "a=1";
  post.headers = {{"apiKey", "k"}};
  post.basic_user = "u";
  post.basic_password = "p";
  ASSERT_EQ(transport.Perform(post, Fast()).failure, TransportFailure::kNone);
  HttpCall get;
  get.method = "GET";
  get.url = server.base_url() + "/second";
  ASSERT_EQ(transport.Perform(get, Fast()).failure, TransportFailure::kNone);

  ASSERT_EQ(server.RequestCount(), 2u);
  http::Request got = server.Requests()[1];
  EXPECT_EQ(got.method, "GET");
  EXPECT_EQ(got.path, "/second");
  EXPECT_EQ(got.body, "");
  EXPECT_FALSE(HasHeader(got, "apikey"));
  EXPECT_FALSE(HasHeader(got, "authorization"));
  EXPECT_FALSE(HasHeader(got, "content-type"));
}

struct StatusCase {
  int status;
  std::string body;
};

void PrintTo(const StatusCase& c, std::ostream* os) { *os << "HTTP " << c.status; }

class TransportStatusTest : public ::testing::TestWithParam<StatusCase> {};

// Any HTTP answer is an HTTP outcome: classifying it is the adapter's job.
TEST_P(TransportStatusTest, StatusIsReturnedAsHttpOutcome) {
  const StatusCase& c = GetParam();
  ScriptedServer server;
  server.Push({c.status, c.body, "application/json", {{"Retry-After", "30"}}, 0});
  HttpCall call;
  call.url = server.base_url() + "/send";
  call.content_type = "application/x-www-form-urlencoded";
  call.body = "x=1";
  Transport transport;
  HttpOutcome out = transport.Perform(call, Fast());
  EXPECT_EQ(out.failure, TransportFailure::kNone) << out.error;
  EXPECT_EQ(out.status, c.status);
  EXPECT_EQ(out.body, c.body);
  EXPECT_EQ(out.Header("retry-after"), "30");
  EXPECT_EQ(out.error, "");
}

INSTANTIATE_TEST_SUITE_P(Statuses, TransportStatusTest,
                         ::testing::Values(StatusCase{201, R"({"ok":true})"},
                                           StatusCase{400, "Missing receiver number, rejected"},
                                           StatusCase{401, "unauthorized"},
                                           StatusCase{429, "slow down"},
                                           StatusCase{500, "internal"},
                                           StatusCase{503, "Temporal failure, try again later."}),
                         [](const auto& info) { return "Http" + std::to_string(info.param.status); });

TEST(TransportTest, DelayBeyondTotalTimeoutIsTimeout) {
  ScriptedServer server;
  server.Push({200, "late", "text/plain", {}, 1000});
  HttpCall call;
  call.url = server.base_url() + "/slow";
  call.body = "x=1";
  TransportOptions options = Fast();
  options.total_timeout_ms = 200;
  Transport transport;
  auto start = std::chrono::steady_clock::now();
  HttpOutcome out = transport.Perform(call, options);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out.failure, TransportFailure::kTimeout) << out.error;
  EXPECT_EQ(out.status, 0);
  EXPECT_NE(out.error, "");
  EXPECT_LT(elapsed, 900ms);
  EXPECT_EQ(server.RequestCount(), 1u);  // it did reach the peer

  // The handle is usable again after a timeout (the cut connection is not
  // reused).
  HttpCall again;
  again.method = "GET";
  again.url = server.base_url() + "/again";
  HttpOutcome next = transport.Perform(again, Fast());
  EXPECT_EQ(next.failure, TransportFailure::kNone) << next.error;
  EXPECT_EQ(next.status, 200);
}

TEST(TransportTest, ClosedPortIsConnectFailure) {
  HttpCall call;
  // A port that nothing listens on: bound, then closed.
  call.url = "http://127.0.0.1:" + std::to_string(testing::FreePort()) + "/send?password=s3cr3t";
  call.basic_user = "user";
  call.basic_password = "pa55";
  Transport transport;
  HttpOutcome out = transport.Perform(call, Fast());
  EXPECT_EQ(out.failure, TransportFailure::kConnect) << out.error;
  EXPECT_EQ(out.status, 0);
  EXPECT_NE(out.error, "");
  // The error text never carries the URL's secrets.
  EXPECT_EQ(out.error.find("s3cr3t"), std::string::npos) << out.error;
  EXPECT_EQ(out.error.find("pa55"), std::string::npos) << out.error;
}

TEST(TransportTest, ResponseOverLimitIsOther) {
  ScriptedServer server;
  server.Push({200, std::string(5000, 'x'), "text/plain", {}, 0});
  server.Push({200, std::string(100, 'y'), "text/plain", {}, 0});
  HttpCall call;
  call.method = "GET";
  call.url = server.base_url() + "/big";
  TransportOptions options = Fast();
  options.max_response_bytes = 100;
  Transport transport;
  HttpOutcome out = transport.Perform(call, options);
  EXPECT_EQ(out.failure, TransportFailure::kOther);
  EXPECT_EQ(out.status, 0);
  EXPECT_NE(out.error.find("larger than 100 bytes"), std::string::npos) << out.error;

  // Exactly at the limit is fine.
  HttpOutcome at_limit = transport.Perform(call, options);
  EXPECT_EQ(at_limit.failure, TransportFailure::kNone) << at_limit.error;
  EXPECT_EQ(at_limit.body, std::string(100, 'y'));
}

TEST(TransportTest, HttpsToPlainHttpPortFails) {
  ScriptedServer server;
  HttpCall call;
  call.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/send";
  call.body = "x=1";
  Transport transport;
  HttpOutcome out = transport.Perform(call, Fast());
  EXPECT_NE(out.failure, TransportFailure::kNone) << out.status;
  EXPECT_TRUE(out.failure == TransportFailure::kTls || out.failure == TransportFailure::kOther)
      << channels::TransportFailureName(out.failure) << ": " << out.error;
  EXPECT_EQ(out.status, 0);
}

TEST(TransportTest, OtherSchemesAreRefused) {
  HttpCall call;
  call.method = "GET";
  call.url = "file:///etc/hostname";
  Transport transport;
  HttpOutcome out = transport.Perform(call, Fast());
  EXPECT_NE(out.failure, TransportFailure::kNone);
  EXPECT_EQ(out.body, "");
}

TEST(TransportTest, RedirectsAreNotFollowed) {
  ScriptedServer server;
  server.Push({302, "", "text/plain", {{"Location", "/elsewhere"}}, 0});
  HttpCall call;
  call.url = server.base_url() + "/send";
  call.body = "x=1";
  Transport transport;
  HttpOutcome out = transport.Perform(call, Fast());
  EXPECT_EQ(out.failure, TransportFailure::kNone) << out.error;
  EXPECT_EQ(out.status, 302);
  EXPECT_EQ(out.Header("location"), "/elsewhere");
  EXPECT_EQ(server.RequestCount(), 1u);
}

// A raw HTTP/1.1 server on 127.0.0.1 that answers every request with 200
// "ok" (keep-alive) and counts the TCP connections it accepted.
class CountingServer {
 public:
  CountingServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(listen_fd_, 16), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~CountingServer() {
    stop_ = true;
    acceptor_.join();
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& t : conns_) t.join();
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }
  int connections() const { return connections_.load(); }
  int requests() const { return requests_.load(); }

 private:
  // Waits up to 50 ms for fd to be readable.
  bool Readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 50) > 0;
  }
  void AcceptLoop() {
    while (!stop_) {
      if (!Readable(listen_fd_)) continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      ++connections_;
      std::lock_guard<std::mutex> lock(mu_);
      conns_.emplace_back([this, fd] { Serve(fd); });
    }
  }
  void Serve(int fd) {
    std::string buffer;
    char chunk[4096];
    while (!stop_) {
      size_t end = buffer.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t length = 0;
        size_t cl = buffer.find("Content-Length: ");
        if (cl != std::string::npos && cl < end) length = std::stoul(buffer.substr(cl + 16));
        if (buffer.size() >= end + 4 + length) {
          buffer.erase(0, end + 4 + length);
          ++requests_;
          static constexpr char kOk[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
          ::send(fd, kOk, sizeof(kOk) - 1, MSG_NOSIGNAL);
          continue;
        }
      }
      if (!Readable(fd)) continue;
      ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    ::close(fd);
  }

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::vector<std::thread> conns_;  // guarded by mu_
  std::thread acceptor_;
};

TEST(TransportTest, SendsThroughOneTransportReuseTheConnection) {
  CountingServer server;
  Transport transport;
  for (int i = 0; i < 3; ++i) {
    HttpCall call;
    call.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/send";
    call.content_type = "application/x-www-form-urlencoded";
    call.body = "n=" + std::to_string(i);
    HttpOutcome out = transport.Perform(call, Fast());
    ASSERT_EQ(out.failure, TransportFailure::kNone) << out.error;
    EXPECT_EQ(out.body, "ok");
  }
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(server.connections(), 1);

  // A second Transport has its own connection.
  Transport other;
  HttpCall call;
  call.method = "GET";
  call.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/send";
  ASSERT_EQ(other.Perform(call, Fast()).failure, TransportFailure::kNone);
  EXPECT_EQ(server.connections(), 2);
}

}  // namespace
}  // namespace shg::outbound
