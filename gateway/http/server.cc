// The Beast server, shaped like Beast's http_server_async / advanced_server
// examples: one io_context run by N threads, an acceptor on its own strand,
// and a Session per connection on its own strand.
//
// Request flow on a session's strand:
//   DoRead -> OnReadHeader [-> 100 Continue] [-> async_read body -> OnRead]
//          -> Dispatch (handler) -> reply -> Write -> OnWrite -> DoRead
//
// Replies. The handler gets a Reply callback. Called synchronously from
// inside the handler (the common case for pure routes) it is detected through
// a thread-local and written without a hop. Called from any other thread it
// posts to the connection's strand. A session that waits for a reply keeps
// itself alive (self_); the Reply holds only a weak pointer plus the server's
// Lifeline, checked under a shared lock, so a Reply called after Stop() or
// after the Server is gone does nothing (sessions never outlive the
// io_context: their sockets must not).
//
// Stop(): close the acceptor; set the stopping flag (a session closes instead
// of reading its next request, and answers in-flight ones with
// "Connection: close"); close idle keep-alive connections; wait for the
// sessions to finish, up to write_timeout; force-close the rest; mark the
// Lifeline dead; stop the io_context and join the threads.
#include "gateway/http/server.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <future>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string_view>
#include <thread>
#include <unordered_set>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace shg::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// Header names and values a handler may not smuggle CR/LF (response
// splitting) or an empty name into.
bool IsSafeHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c <= ' ' || c == ':' || c == 0x7f) return false;
  }
  return value.find_first_of("\r\n") == std::string_view::npos;
}

// Outlives the Server (shared with every Reply): whether replies may still be
// posted to the io_context.
struct Lifeline {
  std::shared_mutex mu;
  bool alive = true;  // guarded by mu
};

class Session;

// The server's state; Server::Impl is this (Session cannot name the private
// Server::Impl).
class Core {
 public:
  Core(ServerOptions options, Handler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        ioc_(std::max(1, options_.threads)) {}
  ~Core() { Stop(); }

  Status Start();
  void Stop();
  uint16_t port() const { return port_; }

  // For sessions.
  const ServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  const std::shared_ptr<Lifeline>& lifeline() const { return lifeline_; }
  bool stopping() const { return stopping_flag_.load(std::memory_order_relaxed); }
  // False when the server is stopping (the session must not start).
  bool Register(Session* s);
  void Unregister(Session* s);

 private:
  void DoAccept();
  void OnAccept(error_code ec, tcp::socket socket);
  // Strong references to every live session (taken under the lock, used and
  // released outside it: releasing the last one runs Unregister).
  std::vector<std::shared_ptr<Session>> LiveSessions();
  bool WaitForSessions(std::chrono::steady_clock::time_point deadline);

  const ServerOptions options_;
  const Handler handler_;
  const std::shared_ptr<Lifeline> lifeline_ = std::make_shared<Lifeline>();

  std::mutex sessions_mu_;
  std::condition_variable sessions_cv_;
  std::unordered_set<Session*> sessions_;  // guarded by sessions_mu_
  bool stopping_ = false;                  // guarded by sessions_mu_
  std::atomic<bool> stopping_flag_{false};

  // Declared after everything sessions touch: the io_context destroys the
  // handlers (and so the sessions) still queued in it.
  asio::io_context ioc_;
  std::optional<tcp::acceptor> acceptor_;           // on its own strand
  std::optional<asio::steady_timer> accept_retry_;  // same strand
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  bool started_ = false;
  bool running_ = false;
};

// The session whose handler call is on this thread's stack, if any.
thread_local Session* tls_session_in_handler = nullptr;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Core* core) : stream_(std::move(socket)), core_(core) {
    error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = remote.address().to_string();
  }
  ~Session() { core_->Unregister(this); }

  void Start() {
    if (!core_->Register(this)) return;  // stopping: the socket closes with us
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::DoRead, shared_from_this()));
  }

  asio::any_io_executor executor() { return stream_.get_executor(); }

  // On the strand: the server is stopping. A connection idle between
  // requests is closed now; any other finishes its request (DoRead closes).
  void OnServerStop() {
    if (state_ == State::kReading && buffer_.size() == 0 && parser_ && !parser_->got_some()) {
      state_ = State::kClosed;
      stream_.close();  // the pending read completes with operation_aborted
    }
  }

  // On the strand: the stop deadline passed.
  void ForceClose() {
    state_ = State::kClosed;
    stream_.close();
    self_.reset();  // the posted handler still holds us
  }

  // On the strand: an answer from another thread (or a later call).
  void OnReply(uint64_t seq, Response response) {
    if (state_ != State::kAwaitingReply || seq != seq_) return;  // stale or repeated
    std::shared_ptr<Session> keep = std::move(self_);
    Write(std::move(response));
  }

  // On the strand, inside the handler call: a synchronous answer.
  void TakeSyncReply(uint64_t seq, Response&& response) {
    if (state_ == State::kInHandler && seq == seq_ && !sync_reply_) {
      sync_reply_.emplace(std::move(response));
    }
  }

 private:
  enum class State { kReading, kInHandler, kAwaitingReply, kWriting, kClosed };

  void DoRead() {
    if (core_->stopping()) return Shutdown();
    state_ = State::kReading;
    parser_.emplace();
    parser_->body_limit(core_->options().body_limit);
    stream_.expires_after(core_->options().read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnReadHeader, shared_from_this()));
  }

  void OnReadHeader(error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    if (parser_->is_done()) return Dispatch();
    // Most bodies arrive with their header: parse what is buffered in place.
    parser_->eager(true);
    while (buffer_.size() > 0 && !parser_->is_done()) {
      size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) {
        ec = {};
        break;
      }
      if (ec) return OnReadError(ec);
      if (used == 0) break;
    }
    if (parser_->is_done()) return Dispatch();
    const auto& header = parser_->get();
    if (header.version() >= 11 &&
        EqualsIgnoreCase(header[bhttp::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        beast::bind_front_handler(&Session::OnContinueSent, shared_from_this()));
      return;
    }
    ReadBody();
  }

  void OnContinueSent(error_code ec, size_t) {
    if (ec) return;
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnReadBody, shared_from_this()));
  }

  void OnReadBody(error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    Dispatch();
  }

  void OnReadError(error_code ec) {
    if (ec == bhttp::error::end_of_stream) return Shutdown();  // client closed cleanly
    if (ec == bhttp::error::body_limit) return WriteError(413, "request body too large");
    if (ec == bhttp::error::header_limit) return WriteError(431, "request header too large");
    if (ec == bhttp::error::partial_message) return;  // client went away mid-request
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
      return WriteError(400, "malformed request: " + ec.message());
    }
    // Timeout (idle keep-alive or slow client), reset, aborted: just close.
  }

  void Dispatch() {
    bhttp::request<bhttp::string_body> msg = parser_->release();
    version_ = msg.version();
    keep_alive_ = msg.keep_alive();
    is_head_ = msg.method() == bhttp::verb::head;

    Request request;
    request.method.assign(msg.method_string());
    request.target.assign(msg.target());
    std::string_view target = msg.target();
    size_t q = target.find('?');
    request.path.assign(target.substr(0, q));
    if (q != std::string_view::npos) request.query.assign(target.substr(q + 1));
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (char& c : name) c = AsciiLower(c);
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(msg.body());
    request.remote_address = remote_address_;

    ++seq_;
    state_ = State::kInHandler;
    tls_session_in_handler = this;
    try {
      core_->handler()(std::move(request), MakeReply());
    } catch (...) {
      // No exception escapes a request; a later Reply for it is ignored.
      if (!sync_reply_) sync_reply_.emplace(Response::Text(500, "internal error\n"));
    }
    tls_session_in_handler = nullptr;
    if (sync_reply_) {
      Response response = std::move(*sync_reply_);
      sync_reply_.reset();
      return Write(std::move(response));
    }
    state_ = State::kAwaitingReply;
    self_ = shared_from_this();
  }

  Reply MakeReply() {
    return [weak = weak_from_this(), lifeline = core_->lifeline(), raw = this,
            seq = seq_](Response response) {
      if (tls_session_in_handler == raw) {
        // Inside this session's handler call, on its strand: raw is alive.
        raw->TakeSyncReply(seq, std::move(response));
        return;
      }
      std::shared_lock<std::shared_mutex> lock(lifeline->mu);
      if (!lifeline->alive) return;
      std::shared_ptr<Session> session = weak.lock();
      if (!session) return;
      asio::any_io_executor ex = session->executor();
      asio::post(ex, [session = std::move(session), seq, r = std::move(response)]() mutable {
        session->OnReply(seq, std::move(r));
      });
    };
  }

  void WriteError(int status, std::string reason) {
    keep_alive_ = false;
    linger_ = true;  // unread request bytes may follow: drain before closing
    reason.push_back('\n');
    Write(Response::Text(status, std::move(reason)));
  }

  void Write(Response response) {
    state_ = State::kWriting;
    const bool close = !keep_alive_ || core_->stopping();
    int status = response.status;
    if (status < 200 || status > 999) status = 500;  // 1xx would break framing
    res_ = bhttp::response<bhttp::string_body>();
    res_.version(version_);
    res_.result(static_cast<unsigned>(status));
    res_.set(bhttp::field::server, "shg-gateway");
    if (!response.content_type.empty()) {
      res_.set(bhttp::field::content_type, response.content_type);
    }
    for (auto& [name, value] : response.headers) {
      if (!IsSafeHeader(name, value)) continue;
      if (EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding") ||
          EqualsIgnoreCase(name, "connection")) {
        continue;  // framing is ours
      }
      if (EqualsIgnoreCase(name, "content-type") || EqualsIgnoreCase(name, "server")) {
        res_.set(name, value);
      } else {
        res_.insert(name, value);
      }
    }
    if (status == 204 || status == 304) response.body.clear();
    res_.body() = std::move(response.body);
    res_.keep_alive(!close);
    res_.prepare_payload();
    if (is_head_) res_.body().clear();  // Content-Length stays the GET length
    stream_.expires_after(core_->options().write_timeout);
    bhttp::async_write(stream_, res_,
                       beast::bind_front_handler(&Session::OnWrite, shared_from_this(), close));
  }

  void OnWrite(bool close, error_code ec, size_t) {
    if (ec) return;
    if (close) return linger_ ? LingeringClose() : Shutdown();
    DoRead();
  }

  // Sends FIN; the socket closes when the last reference goes.
  void Shutdown() {
    state_ = State::kClosed;
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  // After an error response with request bytes possibly unread: closing at
  // once could reset the connection before the client reads the response, so
  // read and discard for a short while (bounded in time and bytes).
  void LingeringClose() {
    Shutdown();
    buffer_.clear();
    drained_ = 0;
    stream_.expires_after(std::min<std::chrono::steady_clock::duration>(
        core_->options().read_timeout, std::chrono::seconds(2)));
    Drain();
  }

  void Drain() {
    stream_.async_read_some(buffer_.prepare(4096),
                            beast::bind_front_handler(&Session::OnDrain, shared_from_this()));
  }

  void OnDrain(error_code ec, size_t n) {
    drained_ += n;
    if (ec || drained_ > kMaxDrain) return;
    Drain();
  }

  static constexpr size_t kMaxDrain = 1 << 20;

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  Core* const core_;
  std::string remote_address_;
  State state_ = State::kReading;
  uint64_t seq_ = 0;  // of the current request
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool is_head_ = false;
  bool linger_ = false;
  size_t drained_ = 0;
  std::optional<Response> sync_reply_;
  std::shared_ptr<Session> self_;  // set while waiting for an asynchronous reply
};

Status Core::Start() {
  if (started_) return Status::FailedPrecondition("server already started");
  if (options_.threads < 1) return Status::InvalidArgument("threads must be at least 1");
  error_code ec;
  tcp::endpoint endpoint;
  asio::ip::address address = asio::ip::make_address(options_.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options_.port);
  } else {
    tcp::resolver resolver(ioc_);
    auto results = resolver.resolve(options_.host, std::to_string(options_.port),
                                    tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return Status::InvalidArgument("cannot resolve listen host " + options_.host + ": " +
                                     ec.message());
    }
    endpoint = results.begin()->endpoint();
  }
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  acceptor_.emplace(asio::make_strand(ioc_));
  auto fail = [&](std::string what) {
    acceptor_.reset();
    if (ec == boost::system::errc::address_not_available) {
      return Status::InvalidArgument(what + " " + where + ": " + ec.message());
    }
    return Status::Unavailable(what + " " + where + ": " + ec.message());
  };
  acceptor_->open(endpoint.protocol(), ec);
  if (ec) return fail("cannot open");
  acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("cannot set up");
  acceptor_->bind(endpoint, ec);
  if (ec) return fail("cannot bind");
  acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("cannot listen on");
  port_ = acceptor_->local_endpoint(ec).port();
  accept_retry_.emplace(acceptor_->get_executor());

  started_ = running_ = true;
  work_.emplace(ioc_.get_executor());
  asio::dispatch(acceptor_->get_executor(), [this] { DoAccept(); });
  threads_.reserve(options_.threads);
  for (int i = 0; i < options_.threads; ++i) {
    threads_.emplace_back([this] {
      for (;;) {
        try {
          ioc_.run();
          return;
        } catch (...) {
          // Handlers catch their own exceptions; keep serving regardless.
        }
      }
    });
  }
  return Status::Ok();
}

void Core::DoAccept() {
  acceptor_->async_accept(asio::make_strand(ioc_),
                          beast::bind_front_handler(&Core::OnAccept, this));
}

void Core::OnAccept(error_code ec, tcp::socket socket) {
  if (!acceptor_->is_open()) return;  // closed by Stop()
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    // Out of descriptors or memory: back off instead of spinning.
    accept_retry_->expires_after(std::chrono::milliseconds(50));
    accept_retry_->async_wait([this](error_code wait_ec) {
      if (!wait_ec && acceptor_->is_open()) DoAccept();
    });
    return;
  }
  try {
    std::make_shared<Session>(std::move(socket), this)->Start();
  } catch (...) {
    // Out of memory: this connection is dropped, the next one is accepted.
  }
  DoAccept();
}

bool Core::Register(Session* s) {
  std::lock_guard<std::mutex> lock(sessions_mu_);
  if (stopping_) return false;
  sessions_.insert(s);
  return true;
}

void Core::Unregister(Session* s) {
  std::lock_guard<std::mutex> lock(sessions_mu_);
  if (sessions_.erase(s) > 0 && sessions_.empty()) sessions_cv_.notify_all();
}

std::vector<std::shared_ptr<Session>> Core::LiveSessions() {
  std::vector<std::shared_ptr<Session>> live;
  std::lock_guard<std::mutex> lock(sessions_mu_);
  live.reserve(sessions_.size());
  for (Session* s : sessions_) {
    // Null when the session is already being destroyed.
    if (std::shared_ptr<Session> sp = s->weak_from_this().lock()) live.push_back(std::move(sp));
  }
  return live;
}

bool Core::WaitForSessions(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(sessions_mu_);
  return sessions_cv_.wait_until(lock, deadline, [this] { return sessions_.empty(); });
}

void Core::Stop() {
  if (!running_) return;
  running_ = false;

  // Close the listener on its strand and wait: no connection is accepted
  // (nor left in the backlog) once Stop() is under way.
  {
    std::promise<void> closed;
    asio::post(acceptor_->get_executor(), [this, &closed] {
      error_code ec;
      acceptor_->close(ec);
      accept_retry_->cancel();
      closed.set_value();
    });
    closed.get_future().wait();
  }
  {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    stopping_ = true;
    stopping_flag_.store(true);
  }
  for (auto& s : LiveSessions()) {
    asio::post(s->executor(), [s] { s->OnServerStop(); });
  }
  const auto now = std::chrono::steady_clock::now();
  if (!WaitForSessions(now + options_.write_timeout)) {
    for (auto& s : LiveSessions()) {
      asio::post(s->executor(), [s] { s->ForceClose(); });
    }
    (void)WaitForSessions(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  }
  {
    std::unique_lock<std::shared_mutex> lock(lifeline_->mu);
    lifeline_->alive = false;
  }
  work_.reset();
  ioc_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace

std::string Request::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return {};
}

Response Response::Text(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

struct Server::Impl : Core {
  using Core::Core;
};

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() = default;

Status Server::Start() { return impl_->Start(); }

uint16_t Server::port() const { return impl_->port(); }

void Server::Stop() { impl_->Stop(); }

void Server::WaitForSignal() {
  {
    asio::io_context signal_ioc(1);
    asio::signal_set signals(signal_ioc, SIGINT, SIGTERM);
    signals.async_wait([](const error_code&, int) {});
    signal_ioc.run();
  }
  Stop();
}

}  // namespace shg::http
