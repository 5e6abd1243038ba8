// shg::http::Server over real loopback TCP: a blocking POSIX-socket client
// (no Beast here, to keep this unit quick to build) talks to a server on
// 127.0.0.1, port 0.
#include "gateway/http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace shg::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string Get(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One blocking TCP connection with a receive timeout, so a broken server
// fails a test instead of hanging it.
class Client {
 public:
  explicit Client(uint16_t port, std::chrono::milliseconds timeout = 5000ms) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{};
    tv.tv_sec = timeout.count() / 1000;
    tv.tv_usec = (timeout.count() % 1000) * 1000;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // One response (Content-Length framed, or its head only); nullopt on EOF,
  // error or timeout.
  std::optional<RawResponse> Read(bool with_body = true) {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    RawResponse r;
    std::string head = buf_.substr(0, end + 2);
    buf_.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) return std::nullopt;
    r.status = std::stoi(status_line.substr(9, 3));
    for (size_t pos = line_end + 2; pos < head.size();) {
      size_t eol = head.find("\r\n", pos);
      std::string line = head.substr(pos, eol - pos);
      pos = eol + 2;
      size_t colon = line.find(':');
      if (colon == std::string::npos) return std::nullopt;
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      r.headers[Lower(line.substr(0, colon))] = value;
    }
    size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    if (!with_body) return r;
    while (buf_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    r.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return r;
  }

  // True when the peer closes (EOF or reset) before the timeout, with no
  // further bytes.
  bool ReadsEof() {
    if (!buf_.empty()) return false;
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

  std::optional<RawResponse> RoundTrip(std::string_view request) {
    if (!Send(request)) return std::nullopt;
    return Read();
  }

 private:
  bool Fill() {
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

std::string Post(std::string_view target, std::string_view body, std::string_view extra = "") {
  return "POST " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" +
         "Content-Type: application/x-www-form-urlencoded\r\n" + std::string(extra) +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

std::string Get(std::string_view target, std::string_view extra = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra) +
         "\r\n";
}

// Runs closures on its own thread, each after its delay (a stand-in for a
// database writer answering after a commit).
class Worker {
 public:
  Worker() : thread_([this] { Run(); }) {}
  ~Worker() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void After(std::chrono::milliseconds delay, std::function<void()> fn) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      jobs_.push_back({Clock::now() + delay, std::move(fn)});
    }
    cv_.notify_all();
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (jobs_.empty()) {
        if (done_) return;
        cv_.wait(lock);
        continue;
      }
      auto due = jobs_.front().first;
      if (Clock::now() < due) {
        cv_.wait_until(lock, due);
        continue;
      }
      auto fn = std::move(jobs_.front().second);
      jobs_.pop_front();
      lock.unlock();
      fn();
      lock.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<Clock::time_point, std::function<void()>>> jobs_;
  bool done_ = false;
  std::thread thread_;
};

ServerOptions TestOptions() {
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.threads = 2;
  o.body_limit = 1024;
  o.read_timeout = 5000ms;
  o.write_timeout = 2000ms;
  return o;
}

// Echo handler: "METHOD path query|content-type|x-test|remote|body".
void Echo(Request&& req, Reply reply) {
  Response r;
  r.status = req.path == "/missing" ? 404 : 200;
  r.content_type = "text/plain";
  r.body = req.method + " " + req.path + " " + req.query + "|" + req.Header("content-type") + "|" +
           req.Header("x-test") + "|" + req.remote_address + "|" + req.body;
  r.headers.push_back({"X-Reply", "yes"});
  reply(std::move(r));
}

TEST(HttpTypesTest, RequestHeaderAndResponseText) {
  Request req;
  req.headers = {{"content-type", "text/plain"}, {"x-a", "1"}, {"x-a", "2"}};
  EXPECT_EQ(req.Header("content-type"), "text/plain");
  EXPECT_EQ(req.Header("x-a"), "1");
  EXPECT_EQ(req.Header("X-A"), "1");
  EXPECT_EQ(req.Header("x-missing"), "");

  Response r = Response::Text(403, "forbidden\n");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "forbidden\n");
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  EXPECT_TRUE(r.headers.empty());
}

TEST(HttpServerTest, StartBindsAFreePortAndRefusesASecondStart) {
  Server server(TestOptions(), Echo);
  ASSERT_TRUE(server.Start().ok());
  EXPECT_NE(server.port(), 0);
  EXPECT_EQ(server.Start().code(), Status::Code::kFailedPrecondition);
}

TEST(HttpServerTest, BindErrorsAreValues) {
  Server first(TestOptions(), Echo);
  ASSERT_TRUE(first.Start().ok());

  struct Case {
    std::string host;
    uint16_t port;
    int threads;
    Status::Code code;
  };
  const std::vector<Case> cases = {
      {"127.0.0.1", first.port(), 2, Status::Code::kUnavailable},  // in use
      {"203.0.113.7", 0, 2, Status::Code::kInvalidArgument},     // not ours
      {"127.0.0.1", 0, 0, Status::Code::kInvalidArgument},       // no threads
  };
  for (const Case& c : cases) {
    ServerOptions o = TestOptions();
    o.host = c.host;
    o.port = c.port;
    o.threads = c.threads;
    Server server(o, Echo);
    Status s = server.Start();
    EXPECT_EQ(s.code(), c.code) << c.host << ":" << c.port << " " << s.ToString();
  }
}

TEST(HttpServerTest, EchoesTheRequestAsPlainValues) {
  Server server(TestOptions(), Echo);
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  ASSERT_TRUE(client.connected());
  auto r = client.RoundTrip(Post("/channels/at-ke/ussd?key=s%3Dx&b=1", "text=1%2A2",
                                 "X-Test: hello\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body,
            "POST /channels/at-ke/ussd key=s%3Dx&b=1|application/x-www-form-urlencoded|hello|"
            "127.0.0.1|text=1%2A2");
  EXPECT_EQ(r->Get("server"), "shg-gateway");
  EXPECT_EQ(r->Get("content-type"), "text/plain");
  EXPECT_EQ(r->Get("content-length"), std::to_string(r->body.size()));
  EXPECT_EQ(r->Get("x-reply"), "yes");
  EXPECT_EQ(r->Get("connection"), "");  // HTTP/1.1 keep-alive is implicit

  auto missing = client.RoundTrip(Get("/missing"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "GET /missing |||127.0.0.1|");
}

TEST(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  std::atomic<int> calls{0};
  Server server(TestOptions(), [&](Request&& req, Reply reply) {
    ++calls;
    reply(Response::Text(200, "n=" + req.body));
  });
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  for (int i = 0; i < 20; ++i) {
    auto r = client.RoundTrip(Post("/x", std::to_string(i)));
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "n=" + std::to_string(i));
    EXPECT_EQ(r->Get("content-type"), "text/plain; charset=utf-8");
  }
  EXPECT_EQ(calls.load(), 20);
}

TEST(HttpServerTest, ClientAskingToCloseIsAnsweredThenClosed) {
  struct Case {
    std::string request;
    std::string connection_header;
  };
  const std::vector<Case> cases = {
      {"GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", "close"},
      {"GET /a HTTP/1.0\r\n\r\n", ""},  // 1.0 closes unless asked otherwise
  };
  Server server(TestOptions(), Echo);
  ASSERT_TRUE(server.Start().ok());
  for (const Case& c : cases) {
    Client client(server.port());
    auto r = client.RoundTrip(c.request);
    ASSERT_TRUE(r) << c.request;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(Lower(r->Get("connection")), c.connection_header);
    EXPECT_TRUE(client.ReadsEof()) << c.request;
  }
  // HTTP/1.0 with keep-alive stays open.
  Client client(server.port());
  for (int i = 0; i < 2; ++i) {
    auto r = client.RoundTrip("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(Lower(r->Get("connection")), "keep-alive");
  }
}

TEST(HttpServerTest, ReplyFromAnotherThreadLater) {
  Worker worker;
  Server server(TestOptions(), [&](Request&& req, Reply reply) {
    worker.After(50ms, [reply, body = req.body] { reply(Response::Text(201, "later:" + body)); });
  });
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  for (int i = 0; i < 3; ++i) {
    auto start = Clock::now();
    auto r = client.RoundTrip(Post("/x", "b" + std::to_string(i)));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 201);
    EXPECT_EQ(r->body, "later:b" + std::to_string(i));
    EXPECT_GE(Clock::now() - start, 45ms);
  }
}

TEST(HttpServerTest, OnlyTheFirstReplyCounts) {
  Worker worker;
  Server server(TestOptions(), [&](Request&& req, Reply reply) {
    if (req.path == "/sync-twice") {
      reply(Response::Text(200, "first"));
      reply(Response::Text(200, "second"));
    } else if (req.path == "/async-twice") {
      worker.After(10ms, [reply] {
        reply(Response::Text(200, "first"));
        reply(Response::Text(200, "second"));
      });
    } else {
      reply(Response::Text(200, "next"));
    }
  });
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  for (std::string path : {"/sync-twice", "/async-twice"}) {
    auto r = client.RoundTrip(Get(path));
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->body, "first");
    std::this_thread::sleep_for(30ms);  // let a stray second answer arrive
    auto next = client.RoundTrip(Get("/next"));
    ASSERT_TRUE(next) << path;
    EXPECT_EQ(next->body, "next") << path;
  }
}

TEST(HttpServerTest, HandlerExceptionIsA500) {
  Server server(TestOptions(), [](Request&& req, Reply reply) {
    if (req.path == "/throw") throw std::runtime_error("boom");
    reply(Response::Text(200, "ok"));
  });
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  auto r = client.RoundTrip(Get("/throw"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  auto ok = client.RoundTrip(Get("/fine"));  // the connection survives
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(HttpServerTest, BadRequestsGetAnErrorAndTheConnectionCloses) {
  struct Case {
    std::string name;
    std::string request;
    int status;
    std::string reason;
  };
  const std::string big(2000, 'x');
  const std::vector<Case> cases = {
      {"BodyOverLimit", Post("/x", big), 413, "request body too large"},
      {"DeclaredBodyOverLimitNotSent",
       "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n", 413,
       "request body too large"},
      {"ChunkedBodyOverLimit",
       "POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
       "7d0\r\n" + big + "\r\n0\r\n\r\n",
       413, "request body too large"},
      {"GarbageRequestLine", "HELLO THERE\r\n\r\n", 400, "malformed request"},
      {"HeaderWithoutColon", "GET / HTTP/1.1\r\nHost t\r\n\r\n", 400, "malformed request"},
      {"BadContentLength", "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400,
       "malformed request"},
      {"BadVersion", "GET / HTTP/9.9x\r\n\r\n", 400, "malformed request"},
      {"HeaderTooLarge", Get("/", "X-Big: " + std::string(10000, 'a') + "\r\n"), 431,
       "request header too large"},
  };
  Server server(TestOptions(), Echo);
  ASSERT_TRUE(server.Start().ok());
  for (const Case& c : cases) {
    Client client(server.port());
    auto r = client.RoundTrip(c.request);
    ASSERT_TRUE(r) << c.name;
    EXPECT_EQ(r->status, c.status) << c.name;
    EXPECT_EQ(r->body.rfind(c.reason, 0), 0u) << c.name << ": " << r->body;
    EXPECT_EQ(Lower(r->Get("connection")), "close") << c.name;
    EXPECT_EQ(r->Get("server"), "shg-gateway") << c.name;
    EXPECT_TRUE(client.ReadsEof()) << c.name;
  }
  // A body exactly at the limit is fine.
  Client client(server.port());
  auto r = client.RoundTrip(Post("/x", std::string(1024, 'y')));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServerTest, ExpectContinueGetsAnInterimResponse) {
  Server server(TestOptions(), Echo);
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  ASSERT_TRUE(client.Send(
      "POST /x HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto interim = client.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("hello"));
  auto r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /x |||127.0.0.1|hello");
}

TEST(HttpServerTest, HeadGetsHeadersOnly) {
  Server server(TestOptions(), [](Request&&, Reply reply) { reply(Response::Text(200, "12345")); });
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  ASSERT_TRUE(client.Send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head = client.Read(/*with_body=*/false);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Get("content-length"), "5");
  // No body bytes followed: the next response parses cleanly.
  auto r = client.RoundTrip(Get("/"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "12345");
}

TEST(HttpServerTest, IdleConnectionClosedAfterReadTimeout) {
  ServerOptions o = TestOptions();
  o.read_timeout = 100ms;
  Server server(o, Echo);
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port(), 3000ms);
  auto r = client.RoundTrip(Get("/"));
  ASSERT_TRUE(r);
  auto start = Clock::now();
  EXPECT_TRUE(client.ReadsEof());
  EXPECT_LT(Clock::now() - start, 2000ms);
}

TEST(HttpServerTest, StopFinishesAnInFlightRequest) {
  Worker worker;
  std::mutex mu;
  std::condition_variable cv;
  bool handled = false;
  ServerOptions o = TestOptions();
  o.write_timeout = 5000ms;
  Server server(o, [&](Request&&, Reply reply) {
    worker.After(300ms, [reply] { reply(Response::Text(200, "committed")); });
    std::lock_guard<std::mutex> lock(mu);
    handled = true;
    cv.notify_all();
  });
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  ASSERT_TRUE(client.Send(Post("/save", "amount=500")));
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return handled; }));
  }
  auto start = Clock::now();
  server.Stop();
  auto took = Clock::now() - start;
  EXPECT_GE(took, 250ms);   // waited for the reply...
  EXPECT_LT(took, 4000ms);  // ...not for the deadline
  auto r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "committed");
  EXPECT_EQ(Lower(r->Get("connection")), "close");
  EXPECT_TRUE(client.ReadsEof());
  // No longer listening.
  Client late(server.port(), 500ms);
  EXPECT_FALSE(late.connected());
}

TEST(HttpServerTest, StopClosesIdleKeepAliveConnectionsAtOnce) {
  ServerOptions o = TestOptions();
  o.read_timeout = 30000ms;
  o.write_timeout = 10000ms;
  Server server(o, Echo);
  ASSERT_TRUE(server.Start().ok());
  Client a(server.port());
  Client b(server.port());
  ASSERT_TRUE(a.RoundTrip(Get("/")));
  ASSERT_TRUE(b.connected());  // connected, never sent anything
  std::this_thread::sleep_for(50ms);
  auto start = Clock::now();
  server.Stop();
  EXPECT_LT(Clock::now() - start, 2000ms);
  EXPECT_TRUE(a.ReadsEof());
  EXPECT_TRUE(b.ReadsEof());
}

TEST(HttpServerTest, ReplyAfterStopAndAfterDestructionIsHarmless) {
  std::mutex mu;
  std::vector<Reply> kept;
  ServerOptions o = TestOptions();
  o.write_timeout = 200ms;
  auto server = std::make_unique<Server>(o, [&](Request&&, Reply reply) {
    std::lock_guard<std::mutex> lock(mu);
    kept.push_back(std::move(reply));  // never answered in time
  });
  ASSERT_TRUE(server->Start().ok());
  Client client(server->port());
  ASSERT_TRUE(client.Send(Get("/")));
  for (int i = 0; i < 200; ++i) {
    std::lock_guard<std::mutex> lock(mu);
    if (!kept.empty()) break;
    std::this_thread::sleep_for(5ms);
  }
  auto start = Clock::now();
  server->Stop();  // bounded by the write deadline (+ force close)
  EXPECT_LT(Clock::now() - start, 2500ms);
  EXPECT_TRUE(client.ReadsEof());  // force-closed without an answer
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(kept.size(), 1u);
  kept[0](Response::Text(200, "too late"));
  server.reset();
  kept[0](Response::Text(200, "much too late"));
}

TEST(HttpServerTest, DestructorStopsARunningServer) {
  Worker worker;
  auto server = std::make_unique<Server>(TestOptions(), [&](Request&&, Reply reply) {
    worker.After(20ms, [reply] { reply(Response::Text(200, "x")); });
  });
  ASSERT_TRUE(server->Start().ok());
  Client client(server->port());
  ASSERT_TRUE(client.RoundTrip(Get("/")));
  server.reset();
  EXPECT_TRUE(client.ReadsEof());
}

class ConcurrencyTest : public ::testing::TestWithParam<int> {};

TEST_P(ConcurrencyTest, ManyConnectionsSyncAndAsyncReplies) {
  Worker worker;
  ServerOptions o = TestOptions();
  o.threads = GetParam();
  Server server(o, [&](Request&& req, Reply reply) {
    if (req.query == "async") {
      worker.After(0ms, [reply, body = std::move(req.body)] { reply(Response::Text(200, body)); });
    } else {
      reply(Response::Text(200, std::move(req.body)));
    }
  });
  ASSERT_TRUE(server.Start().ok());
  constexpr int kClients = 8;
  constexpr int kRequests = 200;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      Client client(server.port());
      for (int i = 0; i < kRequests; ++i) {
        std::string body = std::to_string(c) + ":" + std::to_string(i);
        auto r = client.RoundTrip(Post(i % 2 ? "/x?async" : "/x?sync", body));
        if (r && r->status == 200 && r->body == body) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
}

INSTANTIATE_TEST_SUITE_P(Threads, ConcurrencyTest, ::testing::Values(1, 2, 4),
                         [](const auto& info) { return std::to_string(info.param); });

TEST(HttpServerTest, WaitForSignalStopsOnSigterm) {
  Server server(TestOptions(), Echo);
  ASSERT_TRUE(server.Start().ok());
  std::thread killer([] {
    // Signal only once WaitForSignal's handler is installed (the default
    // action would end the test binary).
    for (int i = 0; i < 500; ++i) {
      struct sigaction current {};
      ::sigaction(SIGTERM, nullptr, &current);
      if (current.sa_handler != SIG_DFL) {
        ::kill(::getpid(), SIGTERM);
        return;
      }
      std::this_thread::sleep_for(10ms);
    }
  });
  server.WaitForSignal();
  killer.join();
  Client late(server.port(), 500ms);
  EXPECT_FALSE(late.connected());
}

}  // namespace
}  // namespace shg::http
