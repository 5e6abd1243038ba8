// shg-outbox-bench: sender throughput of the outbox dispatcher against the
// loopback fake provider (gateway/fake/fake_provider.h).
//
// Queues --messages SMS for one channel in a fresh temporary store (one
// transaction per --batch rows), then starts a FakeProvider (no printing)
// and the Dispatcher with --workers workers, and measures the time from the
// dispatcher's start until every message was accepted by the provider AND
// its `sent` state was durably recorded. Prints messages/s, the send
// request latency (p50/p99/max, from the dispatcher's observer), the CPU
// time of the whole process (dispatcher, store and fake provider share it)
// and checks that the provider got each message exactly once.
//
// With --dlrs 1 the full App runs instead (HTTP server on a free loopback
// port, its dispatcher): the fake provider sends a delivery report per
// message back to /channels/bench/status, and the run also measures until
// every message is `delivered`. Not for hubtel (it sends no reports).
//
// Everything runs on 127.0.0.1; the run stops by itself (--timeout).
// Exit status: 0 ok, 1 a check failed or the run timed out, 2 usage error.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/settings.h"
#include "domain/messages.h"
#include "domain/store/sqlite.h"
#include "domain/store/store.h"
#include "gateway/app.h"
#include "gateway/channels/channel.h"
#include "gateway/fake/fake_provider.h"
#include "gateway/outbound/dispatcher.h"

namespace shg::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kChannel[] = "bench";
constexpr char kUsage[] =
    "usage: shg-outbox-bench [options]\n"
    "  --messages N       messages queued and sent (default 20000)\n"
    "  --workers N        dispatcher workers, concurrent sends (default 4)\n"
    "  --type T           channel type: africastalking (default), kannel, twilio, hubtel\n"
    "  --synchronous S    FULL (default), NORMAL or OFF\n"
    "  --rate R           channel send_rate_per_s (default 100000: no limit in practice)\n"
    "  --batch N          messages per enqueue transaction (default 500)\n"
    "  --poll-ms N        dispatcher idle poll (default 200, the gateway's default)\n"
    "  --dlrs 0|1         1 = run the App and measure until every message is delivered\n"
    "  --dlr-delay-ms N   fake provider delay before each report (default 0)\n"
    "  --timeout S        give up after S seconds of sending (default 300)\n"
    "  --json             one JSON line on stdout after the text report (on stderr)\n";

struct Options {
  int64_t messages = 20000;
  int workers = 4;
  std::string type = "africastalking";
  std::string synchronous = "FULL";
  double rate = 100000;
  int batch = 500;
  int poll_ms = 200;
  bool dlrs = false;
  int dlr_delay_ms = 0;
  double timeout_s = 300;
  bool json = false;
};

bool ParseInt(const std::string& s, int64_t lo, int64_t hi, int64_t* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (end != s.c_str() + s.size() || v < lo || v > hi) return false;
  *out = v;
  return true;
}

bool ParseDouble(const std::string& s, double lo, double hi, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v) || v < lo || v > hi) return false;
  *out = v;
  return true;
}

// "" on success, "help", or the error.
std::string ParseOptions(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") return "help";
    if (flag == "--json") {
      o->json = true;
      continue;
    }
    if (i + 1 >= argc) return "missing value for " + flag;
    std::string v = argv[++i];
    int64_t n = 0;
    if (flag == "--messages") {
      if (!ParseInt(v, 1, 10000000, &o->messages)) return "--messages must be 1..10000000";
    } else if (flag == "--workers") {
      if (!ParseInt(v, 1, 256, &n)) return "--workers must be 1..256";
      o->workers = static_cast<int>(n);
    } else if (flag == "--type") {
      if (v != "africastalking" && v != "kannel" && v != "twilio" && v != "hubtel") {
        return "--type must be africastalking, kannel, twilio or hubtel";
      }
      o->type = v;
    } else if (flag == "--synchronous") {
      if (v != "FULL" && v != "NORMAL" && v != "OFF") return "--synchronous must be FULL, NORMAL or OFF";
      o->synchronous = v;
    } else if (flag == "--rate") {
      if (!ParseDouble(v, 0.01, 1e9, &o->rate)) return "--rate must be > 0";
    } else if (flag == "--batch") {
      if (!ParseInt(v, 1, 100000, &n)) return "--batch must be 1..100000";
      o->batch = static_cast<int>(n);
    } else if (flag == "--poll-ms") {
      if (!ParseInt(v, 1, 60000, &n)) return "--poll-ms must be 1..60000";
      o->poll_ms = static_cast<int>(n);
    } else if (flag == "--dlrs") {
      if (v != "0" && v != "1") return "--dlrs must be 0 or 1";
      o->dlrs = v == "1";
    } else if (flag == "--dlr-delay-ms") {
      if (!ParseInt(v, 0, 60000, &n)) return "--dlr-delay-ms must be 0..60000";
      o->dlr_delay_ms = static_cast<int>(n);
    } else if (flag == "--timeout") {
      if (!ParseDouble(v, 1, 86400, &o->timeout_s)) return "--timeout must be 1..86400 seconds";
    } else {
      return "unknown flag " + flag;
    }
  }
  if (o->dlrs && o->type == "hubtel") return "--dlrs 1 needs a type whose fake sends reports (not hubtel)";
  return "";
}

// A port that was free a moment ago (the App's URL must be known before the
// fake provider that calls it back starts).
uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

double CpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

config::ChannelSettings Channel(const Options& o, uint16_t fake_port, const std::string& public_url) {
  config::ChannelSettings c;
  c.id = kChannel;
  c.type = o.type;
  c.country = "KE";
  c.api_base_url = "http://127.0.0.1:" + std::to_string(fake_port) + "/" + kChannel;
  c.username = o.type == "twilio" ? "AC0123456789abcdef0123456789abcdef" : "bench";
  c.secret = "bench-secret-not-real";
  if (o.type == "twilio" || o.type == "hubtel") c.sender = "+15005550006";
  // Where reports would go: the App in --dlrs mode; unused otherwise (the
  // fake sends no reports then).
  c.public_base_url = public_url;
  c.send_rate_per_s = o.rate;
  return c;
}

// Queues the messages, `batch` per transaction. Returns the seconds taken.
Result<double> Enqueue(store::Store& store, const Options& o) {
  auto started = Clock::now();
  for (int64_t done = 0; done < o.messages;) {
    const int64_t n = std::min<int64_t>(o.batch, o.messages - done);
    Status s = store.Run([&](store::Connection& conn) -> Status {
      Messages messages(conn, outbound::SystemNowMs());
      for (int64_t i = done; i < done + n; ++i) {
        NewMessage m;
        m.channel = kChannel;
        char phone[32];
        std::snprintf(phone, sizeof phone, "+2547%08lld", static_cast<long long>(i));
        m.phone = phone;
        m.kind = "bench";
        m.language = "en";
        // A receipt-sized text (GSM-7, one part), unique per message.
        m.body = "Saved KES 500 on 27/11, pending treasurer confirmation. Ref B" +
                 std::to_string(i) + ". Savings: KES 4,750";
        m.encoding = "gsm7";
        m.segments = 1;
        auto id = messages.Enqueue(m);
        if (!id.ok()) return id.status();
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    done += n;
  }
  return Seconds(started, Clock::now());
}

// Count of this channel's messages in `status`, on the caller's reader.
int64_t CountStatus(store::Store& store, const char* status) {
  static constexpr char kSql[] = "SELECT count(*) FROM messages WHERE channel = ?1 AND status = ?2";
  store::Statement& st = store.Reader().Prepare(kSql);
  store::ScopedReset reset(st);
  st.Bind(1, std::string_view(kChannel)).Bind(2, std::string_view(status));
  auto row = st.Step();
  return row.ok() && *row ? st.Int(0) : -1;
}

// Send outcomes and latencies, from the dispatcher's observer.
class Observer {
 public:
  explicit Observer(int64_t expected) { latencies_.reserve(static_cast<size_t>(expected)); }
  void Observe(const std::string& outcome, double seconds) {
    std::lock_guard<std::mutex> lock(mu_);
    ++outcomes_[outcome];
    ++total_;
    if (outcome == "accepted") ++accepted_;
    if (seconds > 0) latencies_.push_back(seconds);
  }
  int64_t accepted() const {
    std::lock_guard<std::mutex> lock(mu_);
    return accepted_;
  }
  int64_t total() const {
    std::lock_guard<std::mutex> lock(mu_);
    return total_;
  }
  std::map<std::string, int64_t> outcomes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return outcomes_;
  }
  // Latency quantile q in milliseconds (nearest rank), 0 without samples.
  double QuantileMs(double q) {
    std::lock_guard<std::mutex> lock(mu_);
    if (latencies_.empty()) return 0;
    if (!sorted_) {
      std::sort(latencies_.begin(), latencies_.end());
      sorted_ = true;
    }
    size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(latencies_.size())));
    rank = std::clamp<size_t>(rank, 1, latencies_.size());
    return latencies_[rank - 1] * 1000.0;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, int64_t> outcomes_;
  int64_t total_ = 0;
  int64_t accepted_ = 0;
  std::vector<double> latencies_;
  bool sorted_ = false;
};

bool WaitUntil(const std::function<bool()>& done, double timeout_s, int step_ms) {
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(timeout_s));
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
  }
  return true;
}

struct Figures {
  double enqueue_s = 0;
  double send_s = 0;       // start -> all accepted and recorded
  double delivered_s = 0;  // start -> all delivered (--dlrs 1)
  double cpu_s = 0;        // process CPU during the send phase
  int64_t commits = 0, commit_jobs = 0;  // store commits during the send phase
  double commit_s = 0;                   // their total commit + fsync time
  int64_t sent_rows = 0, delivered_rows = 0;
  size_t fake_messages = 0, fake_requests = 0, distinct_texts = 0, dlrs = 0;
};

int Run(const Options& o) {
  std::string tmpl = (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : "/tmp") +
                     "/shg-outbox-bench.XXXXXX";
  std::vector<char> dir_buf(tmpl.begin(), tmpl.end());
  dir_buf.push_back('\0');
  if (::mkdtemp(dir_buf.data()) == nullptr) {
    std::cerr << "error: cannot create a temporary directory\n";
    return 1;
  }
  const std::string dir = dir_buf.data();
  struct Cleanup {
    std::string dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{dir};

  config::OutboxSettings outbox;
  outbox.workers = o.workers;
  outbox.poll_ms = o.poll_ms;

  Observer observer(o.messages);
  Figures f;
  bool ok = true;
  std::unique_ptr<gateway::FakeProvider> fake;
  std::unique_ptr<gateway::App> app;
  std::unique_ptr<store::Store> own_store;
  std::unique_ptr<channels::Adapter> adapter;
  std::unique_ptr<outbound::Dispatcher> dispatcher;
  store::Store* store = nullptr;

  gateway::FakeProviderOptions fo;
  fo.print = false;
  fo.send_dlrs = o.dlrs;
  fo.dlr_delay_ms = o.dlr_delay_ms;
  if (o.dlrs) {
    const uint16_t port = FreePort();
    const std::string url = "http://127.0.0.1:" + std::to_string(port);
    fo.gateway_url = url;
    fake = std::make_unique<gateway::FakeProvider>(fo);
    if (Status s = fake->Start(); !s.ok()) {
      std::cerr << "error: fake provider: " << s.ToString() << "\n";
      return 1;
    }
    config::Settings settings;
    settings.db_path = dir + "/bench.db";
    settings.synchronous = o.synchronous;
    settings.listen_host = "127.0.0.1";
    settings.listen_port = port;
    settings.catalogue_dir = std::string(SHG_SOURCE_DIR) + "/config/lang";
    settings.outbox = outbox;
    settings.channels = {Channel(o, fake->port(), url)};
    auto created = gateway::App::Create(settings, "outbox-bench-pepper-0123456789");
    if (!created.ok()) {
      std::cerr << "error: app: " << created.status().ToString() << "\n";
      return 1;
    }
    app = std::move(*created);
    store = &app->store();
    // Replaces the App's metrics observer: only the figures matter here.
    app->dispatcher()->set_observer(
        [&observer](const std::string&, const std::string& outcome, double seconds) {
          observer.Observe(outcome, seconds);
        });
  } else {
    fake = std::make_unique<gateway::FakeProvider>(fo);
    if (Status s = fake->Start(); !s.ok()) {
      std::cerr << "error: fake provider: " << s.ToString() << "\n";
      return 1;
    }
    store::StoreOptions so;
    so.path = dir + "/bench.db";
    so.synchronous = o.synchronous;
    auto opened = store::Store::Open(so);
    if (!opened.ok()) {
      std::cerr << "error: store: " << opened.status().ToString() << "\n";
      return 1;
    }
    own_store = std::move(*opened);
    store = own_store.get();
    auto made = channels::MakeAdapter(Channel(o, fake->port(), "http://127.0.0.1:9"));
    if (!made.ok()) {
      std::cerr << "error: adapter: " << made.status().ToString() << "\n";
      return 1;
    }
    adapter = std::move(*made);
    dispatcher = std::make_unique<outbound::Dispatcher>(
        *store, std::vector<const channels::Adapter*>{adapter.get()}, outbox);
    dispatcher->set_observer(
        [&observer](const std::string&, const std::string& outcome, double seconds) {
          observer.Observe(outcome, seconds);
        });
  }

  // Commits of the send phase (the enqueue's are subtracted below).
  struct Commits {
    std::mutex mu;
    int64_t commits = 0, jobs = 0;
    double seconds = 0;
  } commits;
  store->set_commit_observer([&commits](double seconds, size_t jobs) {
    std::lock_guard<std::mutex> lock(commits.mu);
    ++commits.commits;
    commits.jobs += static_cast<int64_t>(jobs);
    commits.seconds += seconds;
  });
  auto enqueued = Enqueue(*store, o);
  if (!enqueued.ok()) {
    std::cerr << "error: enqueue: " << enqueued.status().ToString() << "\n";
    return 1;
  }
  f.enqueue_s = *enqueued;
  outbound::Dispatcher* d = app ? app->dispatcher() : dispatcher.get();

  int64_t commits0, jobs0;
  double commit_s0;
  {
    std::lock_guard<std::mutex> lock(commits.mu);
    commits0 = commits.commits;
    jobs0 = commits.jobs;
    commit_s0 = commits.seconds;
  }
  const double cpu0 = CpuSeconds();
  const auto started = Clock::now();
  if (app) {
    if (Status s = app->Start(); !s.ok()) {
      std::cerr << "error: app start: " << s.ToString() << "\n";
      return 1;
    }
  } else {
    d->Start();
  }
  // Accepted by the provider, and every outcome so far durably recorded.
  bool sent = WaitUntil(
      [&] {
        return observer.accepted() >= o.messages &&
               static_cast<int64_t>(d->sends_completed()) >= observer.total();
      },
      o.timeout_s, 2);
  f.send_s = Seconds(started, Clock::now());
  if (!sent) {
    std::cerr << "error: timed out: " << observer.accepted() << " of " << o.messages
              << " accepted after " << o.timeout_s << " s\n";
    ok = false;
  }
  if (app && sent) {
    bool delivered = WaitUntil([&] { return CountStatus(*store, "delivered") >= o.messages; },
                               o.timeout_s, 20);
    f.delivered_s = Seconds(started, Clock::now());
    if (!delivered) {
      std::cerr << "error: timed out waiting for delivery reports\n";
      ok = false;
    }
  }
  f.cpu_s = CpuSeconds() - cpu0;
  {
    std::lock_guard<std::mutex> lock(commits.mu);
    f.commits = commits.commits - commits0;
    f.commit_jobs = commits.jobs - jobs0;
    f.commit_s = commits.seconds - commit_s0;
  }
  if (app) {
    app->Stop();
  } else {
    d->Stop();
  }
  f.fake_requests = fake->RequestCount();
  f.dlrs = fake->DlrsSent();
  fake->Stop();
  std::vector<gateway::FakeMessage> got = fake->Messages();
  f.fake_messages = got.size();
  std::set<std::string> texts;
  for (const auto& m : got) texts.insert(m.text);
  f.distinct_texts = texts.size();
  f.sent_rows = CountStatus(*store, "sent");
  f.delivered_rows = CountStatus(*store, "delivered");

  // Exactly once: every message accepted once, and recorded.
  const int64_t recorded = f.sent_rows + f.delivered_rows;
  if (static_cast<int64_t>(f.fake_messages) != o.messages ||
      static_cast<int64_t>(f.distinct_texts) != o.messages || recorded != o.messages) {
    std::cerr << "error: " << f.fake_messages << " messages at the provider (" << f.distinct_texts
              << " distinct), " << recorded << " recorded sent/delivered, of " << o.messages
              << "\n";
    ok = false;
  }

  const double rate = static_cast<double>(o.messages) / f.send_s;
  const double p50 = observer.QuantileMs(0.50), p99 = observer.QuantileMs(0.99),
               max = observer.QuantileMs(1.0);
  std::string outcomes;
  for (const auto& [name, n] : observer.outcomes()) {
    outcomes += (outcomes.empty() ? "" : " ") + name + "=" + std::to_string(n);
  }
  char line[512];
  std::fprintf(stderr, "== shg-outbox-bench ==\n");
  std::fprintf(stderr, "nproc:        %u\n", std::thread::hardware_concurrency());
  std::fprintf(stderr,
               "setup:        %lld messages, type %s, %d workers, synchronous %s, rate %.0f/s, "
               "poll %d ms, dlrs %s\n",
               static_cast<long long>(o.messages), o.type.c_str(), o.workers,
               o.synchronous.c_str(), o.rate, o.poll_ms, o.dlrs ? "on (App)" : "off");
  std::fprintf(stderr, "enqueue:      %.2f s (%.0f messages/s, %d per transaction)\n", f.enqueue_s,
               static_cast<double>(o.messages) / f.enqueue_s, o.batch);
  std::fprintf(stderr, "sent:         %.2f s  ->  %.0f messages/s (accepted and recorded)\n",
               f.send_s, rate);
  if (app) {
    std::fprintf(stderr, "delivered:    %.2f s  ->  %.0f messages/s (%zu reports sent)\n",
                 f.delivered_s, static_cast<double>(o.messages) / f.delivered_s, f.dlrs);
  }
  std::fprintf(stderr, "send latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", p50, p99, max);
  std::fprintf(stderr, "cpu:          %.2f s process CPU (%.0f us per message, all threads)\n",
               f.cpu_s, f.cpu_s * 1e6 / static_cast<double>(o.messages));
  std::fprintf(stderr, "store:        %lld commits (%.1f jobs each, %.2f ms commit+fsync each)\n",
               static_cast<long long>(f.commits),
               f.commits ? static_cast<double>(f.commit_jobs) / static_cast<double>(f.commits) : 0,
               f.commits ? f.commit_s * 1000 / static_cast<double>(f.commits) : 0);
  std::fprintf(stderr, "outcomes:     %s; provider saw %zu requests, %zu messages\n",
               outcomes.c_str(), f.fake_requests, f.fake_messages);
  std::fprintf(stderr, "check:        %s\n", ok ? "ok (each message sent once and recorded)" : "FAILED");
  if (o.json) {
    std::snprintf(line, sizeof line,
                  "{\"messages\":%lld,\"type\":\"%s\",\"workers\":%d,\"synchronous\":\"%s\","
                  "\"dlrs\":%s,\"send_s\":%.3f,\"messages_per_s\":%.1f,\"delivered_s\":%.3f,"
                  "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"cpu_s\":%.3f,\"ok\":%s}",
                  static_cast<long long>(o.messages), o.type.c_str(), o.workers,
                  o.synchronous.c_str(), o.dlrs ? "true" : "false", f.send_s, rate, f.delivered_s,
                  p50, p99, max, f.cpu_s, ok ? "true" : "false");
    std::cout << line << std::endl;
  }
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace shg::bench

int main(int argc, char** argv) {
  shg::bench::Options options;
  std::string error = shg::bench::ParseOptions(argc, argv, &options);
  if (error == "help") {
    std::cout << shg::bench::kUsage;
    return 0;
  }
  if (!error.empty()) {
    std::cerr << "error: " << error << "\n" << shg::bench::kUsage;
    return 2;
  }
  return shg::bench::Run(options);
}
