// shg-bench: a closed-loop load generator for the Africa's Talking USSD
// callback of shg-gateway (POST /channels/{channel}/ussd, form fields
// sessionId, serviceCode, phoneNumber, networkCode, text; answers "CON ..." or
// "END ...").
//
// Each connection plays whole USSD sessions back to back over one HTTP/1.1
// keep-alive connection: a balance session is the texts "", PIN, PIN*1 (the
// balance screen stays open with "00 Main menu": the member reads it and
// hangs up, so a CON carrying "Savings" ends the session too) and a
// save session is "", PIN, PIN*2, PIN*2*AMOUNT, PIN*2*AMOUNT*1. Every session
// has a fresh, run-unique sessionId and the next phone number of the
// connection's own slice of the phone range (slices are disjoint, so no two
// concurrent sessions ever use the same phone). Every answer is validated
// (HTTP 200; "CON " while the session continues, "END " on its last step; a
// save's END carries "Ref ").
//
// The generator shares the machine with the server, so it is kept cheap:
// Boost.Asio, one io_context per thread (no locks), hand-written request
// formatting and response parsing, no allocation per request in steady state.
//
// Safety: loopback targets only (127.0.0.0/8, localhost, ::1), no DNS, and the
// run stops by itself after --warmup + --duration seconds.
//
// Exit status: 0 when the run completed without errors, 1 when any request
// failed in the measured window, 2 on a usage error.

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

namespace shg::bench {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr size_t kMaxSamples = 6;  // error samples printed, per thread and in all
constexpr int kSamplesPerKind = 2;
constexpr size_t kMaxResponseBytes = 1 << 20;
constexpr size_t kMaxHeaderBytes = 64 * 1024;

// ---------------------------------------------------------------------------
// Options

struct Options {
  std::string url = "http://127.0.0.1:8080";
  std::string channel = "at-ke";
  std::string key;
  int connections = 64;
  double duration_s = 10;
  double warmup_s = 2;
  int threads = 1;
  std::string phone_first = "+254700000021";
  uint64_t phones = 9970;
  double save_ratio = 0.3;
  std::string amount = "100";
  std::string pin = "2580";
  std::string service_code = "*384*7#";
  std::string network_code = "63902";
  double timeout_s = 5;
  bool json = false;
};

constexpr char kUsage[] =
    "usage: shg-bench [options]\n"
    "  --url URL            target, http://HOST:PORT, loopback only (default http://127.0.0.1:8080)\n"
    "  --channel ID         channel id in /channels/ID/ussd (default at-ke)\n"
    "  --key K              callback secret, sent as ?key=K (default none)\n"
    "  --connections N      concurrent keep-alive connections (default 64)\n"
    "  --duration S         measured seconds (default 10)\n"
    "  --warmup S           seconds before measuring starts (default 2)\n"
    "  --threads N          client threads, one io_context each (default 1)\n"
    "  --phone-first P      first phone number of the range (default +254700000021)\n"
    "  --phones N           size of the consecutive phone range (default 9970: the generated demo members of --members 10000)\n"
    "  --save-ratio R       share of save sessions, the rest are balance sessions (default 0.3)\n"
    "  --amount A           amount typed in save sessions (default 100)\n"
    "  --pin P              PIN of every member (default 2580)\n"
    "  --service-code C     serviceCode field (default *384*7#)\n"
    "  --network-code C     networkCode field (default 63902)\n"
    "  --timeout S          per-request timeout (default 5)\n"
    "  --json               print the result as one JSON line on stdout (text report on stderr)\n"
    "  --help               this text\n";

bool ParseInt(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseDouble(const std::string& s, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(*out);
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Returns an error message, or "" on success.
std::string ParseOptions(int argc, char** argv, Options* o) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> inline_value;
    if (auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = flag.substr(eq + 1);
      flag.resize(eq);
    }
    if (flag == "--help" || flag == "-h") return "help";
    if (flag == "--json") {
      o->json = true;
      continue;
    }
    std::string v;
    if (inline_value) {
      v = *inline_value;
    } else if (i + 1 < args.size()) {
      v = args[++i];
    } else {
      return "missing value for " + flag;
    }
    uint64_t n = 0;
    double d = 0;
    if (flag == "--url") {
      o->url = v;
    } else if (flag == "--channel") {
      o->channel = v;
    } else if (flag == "--key") {
      o->key = v;
    } else if (flag == "--connections") {
      if (!ParseInt(v, &n) || n < 1 || n > 4096) return "--connections must be 1..4096";
      o->connections = static_cast<int>(n);
    } else if (flag == "--duration") {
      if (!ParseDouble(v, &d) || d <= 0 || d > 3600) return "--duration must be in (0, 3600] seconds";
      o->duration_s = d;
    } else if (flag == "--warmup") {
      if (!ParseDouble(v, &d) || d < 0 || d > 600) return "--warmup must be in [0, 600] seconds";
      o->warmup_s = d;
    } else if (flag == "--threads") {
      if (!ParseInt(v, &n) || n < 1 || n > 64) return "--threads must be 1..64";
      o->threads = static_cast<int>(n);
    } else if (flag == "--phone-first") {
      o->phone_first = v;
    } else if (flag == "--phones") {
      if (!ParseInt(v, &n) || n < 1) return "--phones must be a positive integer";
      o->phones = n;
    } else if (flag == "--save-ratio") {
      if (!ParseDouble(v, &d) || d < 0 || d > 1) return "--save-ratio must be in [0, 1]";
      o->save_ratio = d;
    } else if (flag == "--amount") {
      if (!AllDigits(v)) return "--amount must be digits";
      o->amount = v;
    } else if (flag == "--pin") {
      if (!AllDigits(v)) return "--pin must be digits";
      o->pin = v;
    } else if (flag == "--service-code") {
      o->service_code = v;
    } else if (flag == "--network-code") {
      o->network_code = v;
    } else if (flag == "--timeout") {
      if (!ParseDouble(v, &d) || d <= 0 || d > 600) return "--timeout must be in (0, 600] seconds";
      o->timeout_s = d;
    } else {
      return "unknown option " + flag;
    }
  }
  if (o->channel.empty() ||
      !std::all_of(o->channel.begin(), o->channel.end(),
                   [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; })) {
    return "--channel must be letters, digits, '-' or '_'";
  }
  if (o->phones < static_cast<uint64_t>(o->connections)) {
    return "--phones must be >= --connections (each connection owns a disjoint slice of phones)";
  }
  if (o->threads > o->connections) o->threads = o->connections;
  return "";
}

// ---------------------------------------------------------------------------
// Target: http://HOST[:PORT][/], loopback only.

struct Target {
  tcp::endpoint endpoint;
  std::string authority;  // Host header
  std::string url;        // normalised: http://HOST:PORT
};

std::string ParseTarget(const std::string& url, Target* t) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) return "--url must start with http:// (no TLS): " + url;
  std::string rest = url.substr(kScheme.size());
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    if (rest.substr(slash) != "/") return "--url takes host:port only, no path: " + url;
    rest.resize(slash);
  }
  std::string host;
  std::string port = "80";
  if (!rest.empty() && rest[0] == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos) return "bad IPv6 literal in --url";
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return "bad --url: " + url;
      port = rest.substr(close + 2);
    }
  } else {
    auto colon = rest.rfind(':');
    host = rest.substr(0, colon);
    if (colon != std::string::npos) port = rest.substr(colon + 1);
  }
  uint64_t port_n = 0;
  if (!ParseInt(port, &port_n) || port_n < 1 || port_n > 65535) return "bad port in --url: " + url;
  asio::ip::address addr;
  if (host == "localhost") {
    addr = asio::ip::address_v4::loopback();
  } else {
    error_code ec;
    addr = asio::ip::make_address(host, ec);
    if (ec) return "refusing host '" + host + "': only loopback addresses (127.0.0.0/8, ::1) or localhost";
  }
  if (!addr.is_loopback()) {
    return "refusing non-loopback host '" + host + "': shg-bench only targets 127.0.0.0/8, ::1 or localhost";
  }
  t->endpoint = tcp::endpoint(addr, static_cast<uint16_t>(port_n));
  t->authority = rest;
  t->url = "http://" + rest;
  return "";
}

// application/x-www-form-urlencoded (WHATWG set: keeps alnum and *-._).
void AppendFormEncoded(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '*' || c == '-' || c == '.' || c == '_') {
      out->push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out->push_back('+');
    } else {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
}

std::string FormEncoded(std::string_view s) {
  std::string out;
  AppendFormEncoded(s, &out);
  return out;
}

// ---------------------------------------------------------------------------
// Latency histogram (HdrHistogram-like, log-linear, microseconds): values
// below 2048 us are exact; above, each power-of-two range is cut into 1024
// buckets (relative error < 0.1%, i.e. <= 8 us below 16 ms).

class Histogram {
 public:
  static constexpr int kLinearBits = 11;
  static constexpr uint64_t kLinear = uint64_t{1} << kLinearBits;  // 2048
  static constexpr uint64_t kHalf = kLinear / 2;                   // 1024
  static constexpr int kMaxShift = 22;                             // ~2.4 h
  static constexpr size_t kBuckets = kLinear + kMaxShift * kHalf;

  Histogram() : buckets_(kBuckets, 0) {}

  void Record(uint64_t us) {
    ++buckets_[Index(us)];
    ++count_;
    sum_ += us;
    max_ = std::max(max_, us);
  }

  void Merge(const Histogram& o) {
    for (size_t i = 0; i < kBuckets; ++i) buckets_[i] += o.buckets_[i];
    count_ += o.count_;
    sum_ += o.sum_;
    max_ = std::max(max_, o.max_);
  }

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0; }

  // The value at quantile q in [0, 1] (the middle of its bucket, capped at max).
  uint64_t Quantile(double q) const {
    if (count_ == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
    rank = std::clamp<uint64_t>(rank, 1, count_);
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += buckets_[i];
      if (seen >= rank) {
        uint64_t lo = 0, width = 0;
        Bounds(i, &lo, &width);
        return std::min(lo + (width - 1) / 2, max_);
      }
    }
    return max_;
  }

  static size_t Index(uint64_t v) {
    if (v < kLinear) return static_cast<size_t>(v);
    int msb = 63 - std::countl_zero(v);
    int shift = msb - (kLinearBits - 1);  // v >> shift is in [kHalf, kLinear)
    size_t idx = kLinear + (shift - 1) * kHalf + ((v >> shift) - kHalf);
    return std::min(idx, kBuckets - 1);
  }

  static void Bounds(size_t i, uint64_t* lo, uint64_t* width) {
    if (i < kLinear) {
      *lo = i;
      *width = 1;
      return;
    }
    size_t j = i - kLinear;
    int shift = static_cast<int>(j / kHalf) + 1;
    *lo = (j % kHalf + kHalf) << shift;
    *width = uint64_t{1} << shift;
  }

 private:
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
};

// ---------------------------------------------------------------------------
// Minimal HTTP/1.1 response parser: status line, Content-Length or chunked
// body, Connection: close. Works on the whole buffered bytes; responses here
// are a few hundred bytes, so re-scanning after a partial read is cheap.

enum class Parse { kIncomplete, kDone, kBad };

struct Response {
  int status = 0;
  size_t consumed = 0;    // bytes of the buffer this response used
  std::string_view body;  // into the buffer, or into `decoded` when chunked
  std::string decoded;
  bool close = false;
  const char* error = "";
};

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

bool IContains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (IEquals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

Parse ParseChunked(std::string_view buf, size_t pos, Response* r) {
  r->decoded.clear();
  while (true) {
    size_t eol = buf.find("\r\n", pos);
    if (eol == std::string_view::npos) return Parse::kIncomplete;
    std::string_view line = buf.substr(pos, eol - pos);
    if (auto semi = line.find(';'); semi != std::string_view::npos) line = line.substr(0, semi);
    line = Trim(line);
    uint64_t size = 0;
    auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
    if (line.empty() || ec != std::errc() || p != line.data() + line.size() || size > kMaxResponseBytes) {
      r->error = "bad_chunk";
      return Parse::kBad;
    }
    pos = eol + 2;
    if (size == 0) {  // last chunk, then optional trailers, then CRLF
      if (buf.size() < pos + 2) return Parse::kIncomplete;
      if (buf.substr(pos, 2) == "\r\n") {
        r->consumed = pos + 2;
      } else {
        size_t end = buf.find("\r\n\r\n", pos);
        if (end == std::string_view::npos) return Parse::kIncomplete;
        r->consumed = end + 4;
      }
      r->body = r->decoded;
      return Parse::kDone;
    }
    if (buf.size() < pos + size + 2) return Parse::kIncomplete;
    r->decoded.append(buf.substr(pos, size));
    if (buf.substr(pos + size, 2) != "\r\n") {
      r->error = "bad_chunk";
      return Parse::kBad;
    }
    pos += size + 2;
  }
}

Parse ParseResponse(std::string_view buf, Response* r) {
  size_t head_end = buf.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (buf.size() > kMaxHeaderBytes) {
      r->error = "header_too_large";
      return Parse::kBad;
    }
    return Parse::kIncomplete;
  }
  std::string_view head = buf.substr(0, head_end + 2);
  size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ' ||
      !AllDigits(status_line.substr(9, 3))) {
    r->error = "bad_status_line";
    return Parse::kBad;
  }
  r->status = (status_line[9] - '0') * 100 + (status_line[10] - '0') * 10 + (status_line[11] - '0');
  r->close = status_line[7] == '0';  // HTTP/1.0: close unless keep-alive
  std::optional<uint64_t> content_length;
  bool chunked = false;
  size_t pos = eol + 2;
  while (pos < head.size()) {
    size_t line_end = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, line_end - pos);
    pos = line_end + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    std::string_view value = Trim(line.substr(colon + 1));
    if (IEquals(name, "content-length")) {
      uint64_t n = 0;
      if (!ParseInt(value, &n) || n > kMaxResponseBytes) {
        r->error = "bad_content_length";
        return Parse::kBad;
      }
      content_length = n;
    } else if (IEquals(name, "transfer-encoding")) {
      chunked = IContains(value, "chunked");
    } else if (IEquals(name, "connection")) {
      if (IContains(value, "close")) r->close = true;
      if (IContains(value, "keep-alive")) r->close = false;
    }
  }
  size_t body_start = head_end + 4;
  if (chunked) return ParseChunked(buf, body_start, r);
  if (!content_length) {
    if (r->status / 100 == 1 || r->status == 204 || r->status == 304) {
      content_length = 0;
    } else {
      r->error = "no_content_length";  // read-until-close is not supported
      return Parse::kBad;
    }
  }
  if (buf.size() < body_start + *content_length) return Parse::kIncomplete;
  r->body = buf.substr(body_start, *content_length);
  r->consumed = body_start + *content_length;
  return Parse::kDone;
}

// ---------------------------------------------------------------------------
// The plan: everything every connection shares, precomputed once.

enum class Flow { kBalance = 0, kSave = 1 };

struct Step {
  const char* name;
  std::string text_encoded;  // the form-encoded `text` value
  std::string text;          // for error samples
  bool last;
};

struct Plan {
  std::string request_head;    // "POST ... Content-Length: "
  std::string service_prefix;  // "&serviceCode=...&networkCode=...&phoneNumber="
  std::vector<Step> flows[2];
  std::string run_id;
  bool phone_plus = false;
  uint64_t phone_base = 0;
  size_t phone_width = 0;
  uint64_t phones = 0;
  int connections = 0;
  double save_ratio = 0;
  Clock::duration timeout{};
  Clock::time_point measure_start;
  Clock::time_point measure_end;
};

std::string BuildPlan(const Options& o, const Target& t, Plan* plan) {
  std::string target = "/channels/" + o.channel + "/ussd";
  if (!o.key.empty()) target += "?key=" + FormEncoded(o.key);
  plan->request_head = "POST " + target + " HTTP/1.1\r\nHost: " + t.authority +
                       "\r\nUser-Agent: shg-bench\r\nContent-Type: application/x-www-form-urlencoded"
                       "\r\nContent-Length: ";
  plan->service_prefix = "&serviceCode=" + FormEncoded(o.service_code) +
                         "&networkCode=" + FormEncoded(o.network_code) + "&phoneNumber=";
  auto add = [](std::vector<Step>* flow, const char* name, std::string text, bool last) {
    flow->push_back(Step{name, FormEncoded(text), text, last});
  };
  const std::string& pin = o.pin;
  add(&plan->flows[0], "dial", "", false);
  add(&plan->flows[0], "pin", pin, false);
  add(&plan->flows[0], "balance", pin + "*1", true);
  add(&plan->flows[1], "dial", "", false);
  add(&plan->flows[1], "pin", pin, false);
  add(&plan->flows[1], "save", pin + "*2", false);
  add(&plan->flows[1], "amount", pin + "*2*" + o.amount, false);
  add(&plan->flows[1], "confirm", pin + "*2*" + o.amount + "*1", true);

  std::string_view digits = o.phone_first;
  if (!digits.empty() && digits[0] == '+') {
    plan->phone_plus = true;
    digits.remove_prefix(1);
  }
  if (!AllDigits(digits) || digits.size() > 18 || !ParseInt(digits, &plan->phone_base)) {
    return "--phone-first must be an E.164-like number, e.g. +254700000021";
  }
  plan->phone_width = digits.size();
  uint64_t limit = 1;
  for (size_t i = 0; i < plan->phone_width; ++i) limit *= 10;
  if (plan->phone_base + o.phones > limit) return "--phones runs past the last number of that width";
  plan->phones = o.phones;
  plan->connections = o.connections;
  plan->save_ratio = o.save_ratio;
  plan->timeout = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.timeout_s));

  std::random_device rd;
  uint64_t seed = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^
                  static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(seed));
  plan->run_id = std::string("bn") + std::string(hex, 10);
  return "";
}

// ---------------------------------------------------------------------------
// Per-thread statistics (no sharing while running; merged at the end).

struct Stats {
  uint64_t requests = 0;
  uint64_t sessions[2] = {0, 0};
  uint64_t errors = 0;
  std::map<std::string, uint64_t> error_kinds;
  Histogram latency;

  void Merge(const Stats& o) {
    requests += o.requests;
    sessions[0] += o.sessions[0];
    sessions[1] += o.sessions[1];
    errors += o.errors;
    for (const auto& [k, v] : o.error_kinds) error_kinds[k] += v;
    latency.Merge(o.latency);
  }
};

class Worker;

class Connection {
 public:
  Connection(Worker* worker, asio::io_context& io, const Plan& plan, const tcp::endpoint& ep, int index);
  void Start() { Connect(); }
  void Stop();
  void CheckTimeout(Clock::time_point now);

 private:
  void Connect();
  void OnConnect(uint64_t gen, const error_code& ec);
  void NewSession();
  void SendStep();
  void OnWrite(uint64_t gen, const error_code& ec);
  void StartRead(uint64_t gen);
  void OnRead(uint64_t gen, const error_code& ec, size_t n);
  void OnResponse(const Response& r, Clock::time_point now);
  void Error(const std::string& kind, std::string_view detail, Clock::time_point now);
  void Reset(bool delay);

  Worker* worker_;
  const Plan& plan_;
  tcp::endpoint endpoint_;
  tcp::socket socket_;
  asio::steady_timer retry_;
  uint64_t gen_ = 0;  // bumped on every close; stale handlers compare and bail
  bool stopped_ = false;

  // Session.
  uint64_t rng_;
  uint64_t slice_lo_, slice_size_, cursor_ = 0;
  uint64_t seq_ = 0;
  std::string session_id_;
  std::string body_prefix_;  // sessionId=...&...&phoneNumber=...&text=
  std::string phone_;
  Flow flow_ = Flow::kBalance;
  size_t step_ = 0;
  bool in_session_ = false;

  // Request / response.
  std::string request_;
  std::string body_;
  std::vector<char> rbuf_;
  size_t rlen_ = 0;
  bool in_flight_ = false;
  Clock::time_point sent_at_;
  Response response_;
};

class Worker {
 public:
  Worker(const Plan& plan, const tcp::endpoint& ep, std::vector<int> indexes)
      : plan_(plan), end_timer_(io_), tick_(io_) {
    for (int i : indexes) conns_.push_back(std::make_unique<Connection>(this, io_, plan, ep, i));
  }

  void Run() {
    for (auto& c : conns_) c->Start();
    end_timer_.expires_at(plan_.measure_end);
    end_timer_.async_wait([this](const error_code&) {
      for (auto& c : conns_) c->Stop();
      io_.stop();
    });
    Tick();
    io_.run();
  }

  // The stats of the phase `now` falls in; nullptr after the end.
  Stats* StatsAt(Clock::time_point now) {
    if (now < plan_.measure_start) return &warmup_;
    if (now < plan_.measure_end) return &measured_;
    return nullptr;
  }

  // Keeps a few samples, at most kSamplesPerKind of each kind.
  void AddSample(const std::string& kind, std::string s) {
    if (samples_.size() < kMaxSamples && sample_kinds_[kind]++ < kSamplesPerKind) samples_.push_back(std::move(s));
  }

  const Stats& warmup() const { return warmup_; }
  const Stats& measured() const { return measured_; }
  const std::vector<std::string>& samples() const { return samples_; }

 private:
  void Tick() {
    tick_.expires_after(std::chrono::milliseconds(100));
    tick_.async_wait([this](const error_code& ec) {
      if (ec) return;
      auto now = Clock::now();
      for (auto& c : conns_) c->CheckTimeout(now);
      Tick();
    });
  }

  const Plan& plan_;
  asio::io_context io_{1};
  asio::steady_timer end_timer_;
  asio::steady_timer tick_;
  std::vector<std::unique_ptr<Connection>> conns_;
  Stats warmup_;
  Stats measured_;
  std::vector<std::string> samples_;
  std::map<std::string, int> sample_kinds_;
};

Connection::Connection(Worker* worker, asio::io_context& io, const Plan& plan, const tcp::endpoint& ep,
                       int index)
    : worker_(worker), plan_(plan), endpoint_(ep), socket_(io), retry_(io), rbuf_(16 * 1024) {
  rng_ = 0x9E3779B97F4A7C15ull * (static_cast<uint64_t>(index) + 1) ^ std::hash<std::string>{}(plan.run_id);
  if (rng_ == 0) rng_ = 1;
  uint64_t c = static_cast<uint64_t>(plan.connections);
  uint64_t i = static_cast<uint64_t>(index);
  slice_lo_ = i * plan.phones / c;
  slice_size_ = (i + 1) * plan.phones / c - slice_lo_;
  session_id_.reserve(48);
  request_.reserve(512);
  // Session ids: run id, connection, sequence -> unique within and across runs.
  body_prefix_.reserve(256);
  char buf[32];
  std::snprintf(buf, sizeof buf, "-%d-", index);
  session_id_ = plan.run_id + buf;
}

void Connection::Connect() {
  if (stopped_) return;
  error_code ignored;
  socket_.open(endpoint_.protocol(), ignored);
  uint64_t gen = gen_;
  socket_.async_connect(endpoint_, [this, gen](const error_code& ec) { OnConnect(gen, ec); });
}

void Connection::OnConnect(uint64_t gen, const error_code& ec) {
  if (gen != gen_ || stopped_) return;
  if (ec) {
    Error("connect: " + ec.message(), "", Clock::now());
    Reset(true);
    return;
  }
  error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  if (!in_session_) NewSession();
  SendStep();
}

void Connection::NewSession() {
  // xorshift64*
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  double u = static_cast<double>((rng_ * 0x2545F4914F6CDD1Dull) >> 11) * (1.0 / 9007199254740992.0);
  flow_ = u < plan_.save_ratio ? Flow::kSave : Flow::kBalance;
  step_ = 0;
  in_session_ = true;

  // Phone: next number of this connection's slice.
  uint64_t number = plan_.phone_base + slice_lo_ + cursor_;
  cursor_ = (cursor_ + 1) % slice_size_;
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, number);
  size_t len = static_cast<size_t>(end - digits);
  phone_.clear();
  if (plan_.phone_plus) phone_.push_back('+');
  if (len < plan_.phone_width) phone_.append(plan_.phone_width - len, '0');
  phone_.append(digits, len);

  // Session id: <run>-<conn>-<seq>.
  size_t keep = session_id_.rfind('-') + 1;
  session_id_.resize(keep);
  auto [send, sec] = std::to_chars(digits, digits + sizeof digits, ++seq_);
  session_id_.append(digits, send);

  body_prefix_.assign("sessionId=");
  body_prefix_.append(session_id_);  // [A-Za-z0-9-]: no encoding needed
  body_prefix_.append(plan_.service_prefix);
  AppendFormEncoded(phone_, &body_prefix_);
  body_prefix_.append("&text=");
}

void Connection::SendStep() {
  const Step& step = plan_.flows[static_cast<int>(flow_)][step_];
  body_.assign(body_prefix_);
  body_.append(step.text_encoded);
  char len[24];
  auto [end, ec] = std::to_chars(len, len + sizeof len, body_.size());
  request_.assign(plan_.request_head);
  request_.append(len, end);
  request_.append("\r\n\r\n");
  request_.append(body_);
  in_flight_ = true;
  sent_at_ = Clock::now();
  uint64_t gen = gen_;
  asio::async_write(socket_, asio::buffer(request_),
                    [this, gen](const error_code& ec, size_t) { OnWrite(gen, ec); });
}

void Connection::OnWrite(uint64_t gen, const error_code& ec) {
  if (gen != gen_ || stopped_) return;
  if (ec) {
    Error("io: write: " + ec.message(), "", Clock::now());
    Reset(true);
    return;
  }
  StartRead(gen);
}

void Connection::StartRead(uint64_t gen) {
  if (rlen_ == rbuf_.size()) {
    if (rbuf_.size() >= kMaxResponseBytes + kMaxHeaderBytes) {
      Error("bad_response: too_large", "", Clock::now());
      Reset(true);
      return;
    }
    rbuf_.resize(rbuf_.size() * 2);
  }
  socket_.async_read_some(asio::buffer(rbuf_.data() + rlen_, rbuf_.size() - rlen_),
                          [this, gen](const error_code& ec, size_t n) { OnRead(gen, ec, n); });
}

void Connection::OnRead(uint64_t gen, const error_code& ec, size_t n) {
  if (gen != gen_ || stopped_) return;
  auto now = Clock::now();
  if (ec) {
    Error(ec == asio::error::eof ? "io: server closed the connection" : "io: read: " + ec.message(), "", now);
    Reset(true);
    return;
  }
  rlen_ += n;
  response_.status = 0;
  response_.close = false;
  response_.error = "";
  switch (ParseResponse(std::string_view(rbuf_.data(), rlen_), &response_)) {
    case Parse::kIncomplete:
      StartRead(gen);
      return;
    case Parse::kBad:
      Error(std::string("bad_response: ") + response_.error,
            std::string_view(rbuf_.data(), std::min<size_t>(rlen_, 200)), now);
      Reset(true);
      return;
    case Parse::kDone:
      break;
  }
  in_flight_ = false;
  if (response_.consumed < rlen_) {  // no pipelining: stray bytes are a protocol error
    Error("bad_response: unsolicited_bytes", "", now);
    Reset(true);
    return;
  }
  rlen_ = 0;
  bool close = response_.close;
  OnResponse(response_, now);
  if (gen != gen_ || stopped_) return;  // OnResponse reset the connection
  if (close) {
    Reset(false);  // keep the session: its state lives on the server
    return;
  }
  SendStep();
}

void Connection::OnResponse(const Response& r, Clock::time_point now) {
  Stats* stats = worker_->StatsAt(now);
  if (stats) {
    ++stats->requests;
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - sent_at_).count();
    stats->latency.Record(static_cast<uint64_t>((ns + 500) / 1000));
  }
  const std::vector<Step>& flow = plan_.flows[static_cast<int>(flow_)];
  const Step& step = flow[step_];
  std::string where = std::string(flow_ == Flow::kSave ? "save@" : "balance@") + step.name;
  if (r.status != 200) {
    Error(where + ": http_" + std::to_string(r.status), r.body, now);
    NewSession();
    return;
  }
  std::string_view body = r.body;
  bool con = body.substr(0, 4) == "CON ";
  bool end = body.substr(0, 4) == "END ";
  if (!con && !end) {
    Error(where + ": neither CON nor END", body, now);
    NewSession();
    return;
  }
  if (step_ == 0 && con && body.find("Which member") != std::string_view::npos) {
    Error(where + ": shared phone (Which member?)", body, now);
    NewSession();
    return;
  }
  if (!step.last) {
    if (!con) {
      Error(where + ": expected CON, got END", body, now);
      NewSession();
      return;
    }
    ++step_;
    return;
  }
  const bool open_balance = flow_ == Flow::kBalance && con &&
                            body.find("Savings") != std::string_view::npos;
  if (!end && !open_balance) {
    Error(where + ": expected END, got CON", body, now);
    NewSession();
    return;
  }
  if (flow_ == Flow::kSave && body.find("Ref ") == std::string_view::npos) {
    Error(where + ": END without \"Ref \"", body, now);
    NewSession();
    return;
  }
  if (stats) ++stats->sessions[static_cast<int>(flow_)];
  NewSession();
}

void Connection::Error(const std::string& kind, std::string_view detail, Clock::time_point now) {
  Stats* stats = worker_->StatsAt(now);
  if (!stats) return;
  ++stats->errors;
  ++stats->error_kinds[kind];
  std::string sample = "[" + kind;
  if (in_session_) {
    const Step& step = plan_.flows[static_cast<int>(flow_)][step_];
    sample += " phone=" + phone_ + " session=" + session_id_ + " text=\"" + step.text + "\"";
  }
  sample += "]";
  if (!detail.empty()) {
    sample += " body: ";
    for (char c : detail.substr(0, 200)) sample += c == '\n' ? '|' : (c == '\r' ? ' ' : c);
  }
  worker_->AddSample(kind, std::move(sample));
}

// Closes the socket (stale handlers see a new generation) and reconnects,
// after 50 ms when something went wrong (so a dead server is not spun on).
void Connection::Reset(bool delay) {
  ++gen_;
  error_code ignored;
  socket_.close(ignored);
  in_flight_ = false;
  rlen_ = 0;
  if (delay) in_session_ = false;  // errors abandon the session
  if (stopped_) return;
  uint64_t gen = gen_;
  retry_.expires_after(std::chrono::milliseconds(delay ? 50 : 0));
  retry_.async_wait([this, gen](const error_code& ec) {
    if (!ec && gen == gen_) Connect();
  });
}

void Connection::Stop() {
  stopped_ = true;
  ++gen_;
  error_code ignored;
  socket_.close(ignored);
  retry_.cancel();
}

void Connection::CheckTimeout(Clock::time_point now) {
  if (stopped_ || !in_flight_ || now - sent_at_ < plan_.timeout) return;
  Error("timeout", "", now);
  Reset(true);
}

// ---------------------------------------------------------------------------
// Report.

double Ms(uint64_t us) { return static_cast<double>(us) / 1000.0; }

std::string JsonEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

void PrintText(std::ostream& out, const Options& o, const std::string& url, const Stats& m, const Stats& w,
               const std::vector<std::string>& samples) {
  const Histogram& h = m.latency;
  double secs = o.duration_s;
  uint64_t sessions = m.sessions[0] + m.sessions[1];
  char line[256];
  out << "shg-bench: " << url << "/channels/" << o.channel << "/ussd, " << o.connections
      << " connections, " << o.threads << " thread(s), " << o.duration_s << " s (+" << o.warmup_s
      << " s warmup), save ratio " << o.save_ratio << "\n";
  std::snprintf(line, sizeof line, "  requests   %12llu  %10.1f /s\n", static_cast<unsigned long long>(m.requests),
                m.requests / secs);
  out << line;
  std::snprintf(line, sizeof line, "  sessions   %12llu  %10.1f /s  (balance %llu, save %llu)\n",
                static_cast<unsigned long long>(sessions), sessions / secs,
                static_cast<unsigned long long>(m.sessions[0]), static_cast<unsigned long long>(m.sessions[1]));
  out << line;
  if (h.count() == 0) {
    out << "  latency ms   n/a (no responses)\n";
  } else {
    std::snprintf(line, sizeof line, "  latency ms   p50 %.3f  p90 %.3f  p99 %.3f  max %.3f  mean %.3f\n",
                  Ms(h.Quantile(0.50)), Ms(h.Quantile(0.90)), Ms(h.Quantile(0.99)), Ms(h.max()), h.mean() / 1000.0);
    out << line;
  }
  out << "  errors     " << m.errors;
  if (w.errors) out << "  (plus " << w.errors << " during warmup)";
  out << "\n";
  std::map<std::string, uint64_t> kinds = m.error_kinds;
  for (const auto& [k, v] : w.error_kinds) kinds[k + " (warmup)"] += v;
  for (const auto& [k, v] : kinds) out << "    " << v << "  " << k << "\n";
  if (!samples.empty()) {
    out << "  sample errors:\n";
    for (const auto& s : samples) out << "    " << s << "\n";
  }
}

void PrintJson(std::ostream& out, const Options& o, const Stats& m, const Stats& w) {
  const Histogram& h = m.latency;
  double secs = o.duration_s;
  uint64_t sessions = m.sessions[0] + m.sessions[1];
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "{\"connections\":%d,\"threads\":%d,\"duration_s\":%g,\"warmup_s\":%g,\"save_ratio\":%g,"
                "\"requests\":%llu,\"requests_per_s\":%.1f,\"sessions\":%llu,\"sessions_per_s\":%.1f,"
                "\"balance_sessions\":%llu,\"save_sessions\":%llu,"
                "\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f,\"mean\":%.3f},"
                "\"errors\":%llu,\"warmup_errors\":%llu,\"error_kinds\":{",
                o.connections, o.threads, o.duration_s, o.warmup_s, o.save_ratio,
                static_cast<unsigned long long>(m.requests), m.requests / secs,
                static_cast<unsigned long long>(sessions), sessions / secs,
                static_cast<unsigned long long>(m.sessions[0]), static_cast<unsigned long long>(m.sessions[1]),
                Ms(h.Quantile(0.50)), Ms(h.Quantile(0.90)), Ms(h.Quantile(0.99)), Ms(h.max()), h.mean() / 1000.0,
                static_cast<unsigned long long>(m.errors), static_cast<unsigned long long>(w.errors));
  out << buf;
  bool first = true;
  for (const auto& [k, v] : m.error_kinds) {
    out << (first ? "" : ",") << "\"" << JsonEscape(k) << "\":" << v;
    first = false;
  }
  out << "}}\n";
}

int Main(int argc, char** argv) {
  Options o;
  if (std::string err = ParseOptions(argc, argv, &o); !err.empty()) {
    if (err == "help") {
      std::cout << kUsage;
      return 0;
    }
    std::cerr << "shg-bench: " << err << "\n" << kUsage;
    return 2;
  }
  Target target;
  if (std::string err = ParseTarget(o.url, &target); !err.empty()) {
    std::cerr << "shg-bench: " << err << "\n";
    return 2;
  }
  Plan plan;
  if (std::string err = BuildPlan(o, target, &plan); !err.empty()) {
    std::cerr << "shg-bench: " << err << "\n";
    return 2;
  }
  auto start = Clock::now();
  auto secs = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  plan.measure_start = start + secs(o.warmup_s);
  plan.measure_end = plan.measure_start + secs(o.duration_s);

  std::vector<std::vector<int>> split(o.threads);
  for (int i = 0; i < o.connections; ++i) split[i % o.threads].push_back(i);
  std::vector<std::unique_ptr<Worker>> workers;
  for (auto& idx : split) workers.push_back(std::make_unique<Worker>(plan, target.endpoint, idx));
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w] { w->Run(); });
  for (auto& t : threads) t.join();

  Stats measured, warmup;
  std::vector<std::string> samples;
  for (auto& w : workers) {
    measured.Merge(w->measured());
    warmup.Merge(w->warmup());
    for (const auto& s : w->samples()) {
      if (samples.size() < kMaxSamples) samples.push_back(s);
    }
  }
  PrintText(o.json ? std::cerr : std::cout, o, target.url, measured, warmup, samples);
  if (o.json) PrintJson(std::cout, o, measured, warmup);
  if (measured.requests == 0) return 1;
  return measured.errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace shg::bench

int main(int argc, char** argv) { return shg::bench::Main(argc, argv); }
