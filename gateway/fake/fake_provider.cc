#include "gateway/fake/fake_provider.h"

#include "gateway/fake/fake_mfi.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <initializer_list>
#include <optional>
#include <random>

#include "dialogs/gsm.h"
#include "domain/utf8.h"
#include "gateway/channels/form.h"
#include "gateway/channels/json.h"
#include "gateway/channels/twilio/signature.h"
#include "gateway/outbound/transport.h"

namespace shg::gateway {
namespace {

using channels::HttpCall;

http::Response Plain(int status, std::string text) {
  return http::Response::Text(status, std::move(text));
}

http::Response Json(int status, const boost::json::value& body) {
  http::Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = boost::json::serialize(body);
  return r;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// Splits on any of `separators`, dropping empty (after trimming) parts.
std::vector<std::string> SplitList(std::string_view s, std::string_view separators) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find_first_of(separators, start);
    if (end == std::string_view::npos) end = s.size();
    std::string part = Trim(s.substr(start, end - start));
    if (!part.empty()) out.push_back(std::move(part));
    start = end + 1;
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

struct BasicCredentials {
  std::string user;
  std::string password;
};

// The request's HTTP Basic credentials, or nullopt when absent or malformed.
std::optional<BasicCredentials> Basic(const http::Request& request) {
  std::string header = Trim(request.Header("authorization"));
  if (header.size() < 6 || Lower(header.substr(0, 6)) != "basic ") return std::nullopt;
  std::optional<std::string> decoded = Base64Decode(Trim(header.substr(6)));
  if (!decoded) return std::nullopt;
  size_t colon = decoded->find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

// Replaces Kannel's %d escape (the DLR type) in a dlr-url.
std::string SubstituteDlrType(std::string_view url, int type) {
  std::string out;
  for (size_t i = 0; i < url.size(); ++i) {
    if (url[i] == '%' && i + 1 < url.size() && url[i + 1] == 'd') {
      out += std::to_string(type);
      ++i;
    } else {
      out.push_back(url[i]);
    }
  }
  return out;
}

// Our outbox id from a Kannel dlr-url: its query parameter `id` when all
// digits, else 0.
int64_t OurIdFromDlrUrl(std::string_view url) {
  size_t q = url.find('?');
  if (q == std::string_view::npos) return 0;
  Result<std::string> id = channels::QueryParam(url.substr(q + 1), "id");
  if (!id.ok() || id->empty() || id->size() > 18) return 0;
  int64_t v = 0;
  for (char c : *id) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
  }
  return v;
}

// One line, for printing a text: control characters shown as escapes.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += '?';
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string Rfc2822Now() {
  char buf[40];
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

}  // namespace

FakeProvider::FakeProvider(FakeProviderOptions options)
    : options_(std::move(options)), mfi_(std::make_unique<Mfi>(options_.mfi_partners)) {
  std::random_device rd;
  rng_state_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

FakeProvider::~FakeProvider() { Stop(); }

Status FakeProvider::Start() {
  if (started_) return Status::FailedPrecondition("fake provider already started");
  http::ServerOptions server_options;
  server_options.host = options_.host;
  server_options.port = options_.port;
  server_options.threads = 2;
  server_options.write_timeout = std::chrono::milliseconds(2000);
  server_ = std::make_unique<http::Server>(
      server_options,
      [this](http::Request&& request, http::Reply reply) { Handle(std::move(request), reply); });
  Status status = server_->Start();
  if (!status.ok()) {
    server_.reset();
    return status;
  }
  started_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
  }
  dlr_thread_ = std::thread([this] { DlrLoop(); });
  return Status::Ok();
}

uint16_t FakeProvider::port() const { return server_ ? server_->port() : 0; }

void FakeProvider::Stop() {
  if (!started_) return;
  started_ = false;
  server_->Stop();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  dlr_cv_.notify_all();
  dlr_thread_.join();
}

std::vector<FakeMessage> FakeProvider::Messages() const {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_;
}

bool FakeProvider::WaitForMessages(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return messages_cv_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
}

void FakeProvider::FailNext(int n, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_remaining_ = std::max(0, n);
  fail_status_ = status;
}

void FakeProvider::set_send_delay_ms(int ms) {
  std::lock_guard<std::mutex> lock(mu_);
  send_delay_ms_ = std::max(0, ms);
}

size_t FakeProvider::InFlight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_;
}

size_t FakeProvider::RequestCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return request_count_;
}

size_t FakeProvider::DlrsSent() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dlrs_sent_;
}

std::string FakeProvider::NextId(std::string_view prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  return std::string(prefix) + std::to_string(next_id_++);
}

std::string FakeProvider::RandomHex(size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  while (out.size() < n) {
    // splitmix64: ids only need to look random and not repeat.
    uint64_t z = (rng_state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    for (int i = 0; i < 16 && out.size() < n; ++i, z >>= 4) out.push_back(kHex[z & 0xf]);
  }
  return out;
}

void FakeProvider::Handle(http::Request&& request, http::Reply reply) {
  // "/<channel>/<provider path>"
  std::string_view path = request.path;
  // "/mfi/<partner>/referrals", "/control/mfi/<partner>/<action>"
  for (std::string_view prefix : {std::string_view("/mfi/"), std::string_view("/control/mfi/")}) {
    if (!StartsWith(path, prefix)) continue;
    std::string_view tail = path.substr(prefix.size());
    size_t end = tail.find('/');
    if (end == std::string_view::npos || end == 0) return reply(Plain(404, "no such partner API"));
    std::string_view partner = tail.substr(0, end);
    std::string_view rest = tail.substr(end + 1);
    return reply(prefix == "/mfi/" ? HandleReferral(partner, rest, request)
                                   : HandleControl(partner, rest, request));
  }
  if (!StartsWith(path, "/")) return reply(Plain(404, "no such send API"));
  path.remove_prefix(1);
  size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    return reply(Plain(404, "no such send API (expected /<channel>/<provider path>)"));
  }
  std::string channel(path.substr(0, slash));
  std::string_view rest = path.substr(slash + 1);

  enum class Api { kNone, kAt, kTwilio, kKannel, kHubtel };
  Api api = Api::kNone;
  const char* method = "POST";
  std::string account_sid;
  if (rest == "version1/messaging") {
    api = Api::kAt;
  } else if (rest == "cgi-bin/sendsms") {
    api = Api::kKannel;
    method = "GET";
  } else if (rest == "v1/messages/send") {
    api = Api::kHubtel;
  } else if (StartsWith(rest, "2010-04-01/Accounts/")) {
    std::string_view tail = rest.substr(std::string_view("2010-04-01/Accounts/").size());
    size_t end = tail.find('/');
    if (end != std::string_view::npos && end > 0 && tail.substr(end) == "/Messages.json") {
      api = Api::kTwilio;
      account_sid = std::string(tail.substr(0, end));
    }
  }
  if (api == Api::kNone) return reply(Plain(404, "no such send API"));
  if (request.method != method) {
    http::Response r = Plain(405, std::string("method not allowed (use ") + method + ")");
    r.headers.emplace_back("Allow", method);
    return reply(std::move(r));
  }

  int fail_status = 0;
  int delay_ms = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++request_count_;
    ++in_flight_;
    if (fail_remaining_ > 0) {
      --fail_remaining_;
      fail_status = fail_status_;
    }
    delay_ms = send_delay_ms_;
  }
  // Counted until the answer was handed to the server (every path below).
  struct Answered {
    FakeProvider* fake;
    ~Answered() {
      std::lock_guard<std::mutex> lock(fake->mu_);
      --fake->in_flight_;
    }
  } answered{this};
  if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  if (fail_status != 0) {
    http::Response r = Plain(fail_status, api == Api::kKannel && fail_status == 503
                                              ? "Temporal failure, try again later."
                                              : "fake-provider: scripted failure");
    if (fail_status == 429) r.headers.emplace_back("Retry-After", "1");
    return reply(std::move(r));
  }

  switch (api) {
    case Api::kAt: return reply(HandleAfricasTalking(channel, request));
    case Api::kTwilio: return reply(HandleTwilio(channel, account_sid, request));
    case Api::kKannel: return reply(HandleKannel(channel, request));
    case Api::kHubtel: return reply(HandleHubtel(channel, request));
    case Api::kNone: break;
  }
  reply(Plain(404, "no such send API"));
}

http::Response FakeProvider::HandleAfricasTalking(const std::string& channel,
                                                  const http::Request& request) {
  if (request.Header("apikey").empty()) {
    return Plain(401, "The supplied authentication is invalid (missing apiKey header)");
  }
  Result<channels::Form> form = channels::ParseForm(request.body);
  if (!form.ok()) return Plain(400, "malformed form body");
  for (const char* field : {"username", "to", "message"}) {
    const std::string* v = form->Get(field);
    if (v == nullptr || v->empty()) return Plain(400, std::string("missing field: ") + field);
  }
  const std::string* from = form->Get("from");
  std::vector<std::string> recipients = SplitList(*form->Get("to"), ",");
  if (recipients.empty()) return Plain(400, "missing field: to");

  boost::json::array list;
  size_t sent = 0;
  for (const std::string& to : recipients) {
    bool valid = to.size() >= 8 && to.size() <= 16 && to[0] == '+' &&
                 std::all_of(to.begin() + 1, to.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!valid) {
      list.push_back(boost::json::object{{"statusCode", 403},
                                         {"number", SanitizeUtf8(to)},
                                         {"status", "InvalidPhoneNumber"},
                                         {"cost", "0"},
                                         {"messageId", "None"}});
      continue;
    }
    ++sent;
    std::string id = NextId("ATXid_");
    list.push_back(boost::json::object{{"statusCode", 101},
                                       {"number", to},
                                       {"status", "Success"},
                                       {"cost", "KES 0.8000"},
                                       {"messageId", id}});
    HttpCall dlr;
    if (!options_.gateway_url.empty()) {
      std::string url = options_.gateway_url;
      while (!url.empty() && url.back() == '/') url.pop_back();
      url += "/channels/" + channels::UrlEncode(channel) + "/status";
      auto key = options_.callback_keys.find(channel);
      if (key != options_.callback_keys.end() && !key->second.empty()) {
        url += "?key=" + channels::UrlEncode(key->second);
      }
      dlr.method = "POST";
      dlr.url = std::move(url);
      dlr.content_type = "application/x-www-form-urlencoded";
      dlr.body = channels::EncodeForm(
          {{"id", id}, {"status", "Success"}, {"phoneNumber", to}, {"networkCode", "63902"}});
    }
    Record({channel, "africastalking", to, from ? *from : "", *form->Get("message"), id, 0},
           std::move(dlr));
  }
  char cost[32];
  std::snprintf(cost, sizeof cost, "%.4f", 0.8 * static_cast<double>(sent));
  std::string summary = "Sent to " + std::to_string(sent) + "/" +
                        std::to_string(recipients.size()) + " Total Cost: KES " + cost;
  boost::json::object data{{"Message", summary}, {"Recipients", std::move(list)}};
  return Json(201, boost::json::object{{"SMSMessageData", std::move(data)}});
}

http::Response FakeProvider::HandleTwilio(const std::string& channel,
                                          const std::string& account_sid,
                                          const http::Request& request) {
  auto twilio_error = [](int status, int code, std::string message) {
    return Json(status, boost::json::object{
                            {"code", code},
                            {"message", message},
                            {"more_info", "https://www.twilio.com/docs/errors/" +
                                              std::to_string(code)},
                            {"status", status}});
  };
  std::optional<BasicCredentials> auth = Basic(request);
  if (!auth || auth->password.empty()) return twilio_error(401, 20003, "Authenticate");
  if (auth->user != account_sid) {
    return twilio_error(401, 20003, "Authenticate (Basic user is not the URL's AccountSid)");
  }
  Result<channels::Form> form = channels::ParseForm(request.body);
  if (!form.ok()) return twilio_error(400, 21601, "malformed form body");
  const std::string* to = form->Get("To");
  const std::string* from = form->Get("From");
  const std::string* service = form->Get("MessagingServiceSid");
  const std::string* body = form->Get("Body");
  if (to == nullptr || to->empty()) {
    return twilio_error(400, 21604, "A 'To' phone number is required.");
  }
  if ((from == nullptr || from->empty()) && (service == nullptr || service->empty())) {
    return twilio_error(400, 21603, "A 'From' phone number is required.");
  }
  if (body == nullptr || body->empty()) {
    return twilio_error(400, 21602, "Message body is required.");
  }
  std::string sid = "SM" + RandomHex(32);
  std::string sender = from ? *from : "";

  HttpCall dlr;
  const std::string* callback = form->Get("StatusCallback");
  if (callback != nullptr && !callback->empty()) {
    std::vector<std::pair<std::string, std::string>> params = {{"AccountSid", account_sid},
                                                               {"From", sender},
                                                               {"MessageSid", sid},
                                                               {"MessageStatus", "delivered"},
                                                               {"To", *to}};
    dlr.method = "POST";
    dlr.url = *callback;
    dlr.content_type = "application/x-www-form-urlencoded";
    dlr.body = channels::EncodeForm(params);
    dlr.headers.emplace_back("X-Twilio-Signature",
                             channels::TwilioSignature(auth->password, *callback, params));
  }
  Record({channel, "twilio", *to, sender, *body, sid, 0}, std::move(dlr));

  const std::string now = Rfc2822Now();
  // Form values are raw bytes: echoed as valid UTF-8.
  return Json(201, boost::json::object{
                       {"sid", sid},
                       {"account_sid", SanitizeUtf8(account_sid)},
                       {"to", SanitizeUtf8(*to)},
                       {"from", SanitizeUtf8(sender)},
                       {"body", SanitizeUtf8(*body)},
                       {"status", "queued"},
                       {"num_segments", "1"},
                       {"direction", "outbound-api"},
                       {"api_version", "2010-04-01"},
                       {"price", nullptr},
                       {"error_code", nullptr},
                       {"error_message", nullptr},
                       {"date_created", now},
                       {"date_updated", now},
                       {"uri", SanitizeUtf8("/2010-04-01/Accounts/" + account_sid + "/Messages/" +
                                            sid + ".json")}});
}

http::Response FakeProvider::HandleKannel(const std::string& channel,
                                          const http::Request& request) {
  auto param = [&](std::initializer_list<const char*> names) -> Result<std::string> {
    for (const char* name : names) {
      Result<std::string> v = channels::QueryParam(request.query, name);
      if (v.ok() || v.status().code() != Status::Code::kNotFound) return v;
    }
    return Status::NotFound("absent");
  };
  auto bad = [](const Status& s, const char* field) -> std::optional<http::Response> {
    if (s.code() == Status::Code::kInvalidArgument) {
      return Plain(400, std::string("malformed query parameter: ") + field);
    }
    return std::nullopt;
  };
  Result<std::string> user = param({"username", "user"});
  Result<std::string> pass = param({"password", "pass"});
  if (!user.ok() || !pass.ok() || user->empty() || pass->empty()) {
    return Plain(403, "Authorization failed for sendsms");
  }
  Result<std::string> to = param({"to"});
  if (auto r = bad(to.status(), "to")) return *r;
  if (!to.ok() || Trim(*to).empty()) return Plain(400, "Missing receiver number, rejected");
  Result<std::string> text = param({"text"});
  if (auto r = bad(text.status(), "text")) return *r;
  if (!text.ok()) return Plain(400, "Missing text, rejected");
  Result<std::string> from = param({"from"});
  if (auto r = bad(from.status(), "from")) return *r;
  Result<std::string> coding = param({"coding"});
  if (auto r = bad(coding.status(), "coding")) return *r;
  Result<std::string> charset = param({"charset"});
  if (auto r = bad(charset.status(), "charset")) return *r;
  Result<std::string> dlr_mask = param({"dlr-mask", "dlrmask"});
  if (auto r = bad(dlr_mask.status(), "dlr-mask")) return *r;
  Result<std::string> dlr_url = param({"dlr-url", "dlrurl"});
  if (auto r = bad(dlr_url.status(), "dlr-url")) return *r;

  std::string utf8 = *text;
  const std::string coding_value = coding.ok() ? *coding : "";
  if (coding_value != "" && coding_value != "0" && coding_value != "1" && coding_value != "2") {
    return Plain(400, "Invalid coding (0, 1 or 2)");
  }
  if (coding_value == "2") {
    std::string cs = charset.ok() ? Lower(*charset) : "";
    if (!cs.empty() && cs != "utf-16be" && cs != "ucs-2" && cs != "ucs2") {
      return Plain(400, "fake-provider: coding=2 supports charset UTF-16BE only");
    }
    Result<std::string> decoded = dialogs::DecodeUcs2(*text);
    if (!decoded.ok()) return Plain(400, "text is not UTF-16BE (odd byte count)");
    utf8 = std::move(*decoded);
  }
  int mask = 0;
  if (dlr_mask.ok() && !dlr_mask->empty()) {
    if (dlr_mask->size() > 3 ||
        !std::all_of(dlr_mask->begin(), dlr_mask->end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Plain(400, "Invalid dlr-mask");
    }
    mask = std::stoi(*dlr_mask);
  }
  const std::string dlr_template = dlr_url.ok() ? *dlr_url : "";
  const int64_t our_id = OurIdFromDlrUrl(dlr_template);
  const bool wants_dlr = (mask & 1) != 0 && (StartsWith(dlr_template, "http://") ||
                                              StartsWith(dlr_template, "https://"));

  // Several receivers are separated by spaces ('+' decodes to a space).
  std::vector<std::string> recipients = SplitList(*to, " ");
  for (const std::string& number : recipients) {
    HttpCall dlr;
    if (wants_dlr) {
      dlr.method = "GET";
      dlr.url = SubstituteDlrType(dlr_template, 1);
    }
    Record({channel, "kannel", number, from.ok() ? *from : "", utf8, "", our_id}, std::move(dlr));
  }
  return Plain(202, "0: Accepted for delivery");
}

http::Response FakeProvider::HandleHubtel(const std::string& channel,
                                          const http::Request& request) {
  std::optional<BasicCredentials> auth = Basic(request);
  if (!auth || auth->password.empty()) return Plain(401, "missing Basic credentials");
  Result<boost::json::value> json = channels::ParseJson(request.body);
  if (!json.ok() || !json->is_object()) return Plain(400, "body is not a JSON object");
  auto text = [&json](const char* field) {
    return std::string(channels::JsonString(channels::JsonFind(&*json, field)));
  };
  for (const char* field : {"From", "To", "Content"}) {
    if (text(field).empty()) {
      return Plain(400, std::string("missing or non-string field: ") + field);
    }
  }
  std::string hex = RandomHex(32);
  std::string id = hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
                   hex.substr(16, 4) + "-" + hex.substr(20, 12);
  Record({channel, "hubtel", text("To"), text("From"), text("Content"), id, 0}, HttpCall{});
  return Json(201, boost::json::object{
                       {"Status", 0}, {"MessageId", id}, {"Rate", 0}, {"NetworkId", "62002"}});
}

void FakeProvider::Record(FakeMessage message, HttpCall dlr) {
  if (options_.print) {
    std::string id = message.our_message_id != 0 ? std::to_string(message.our_message_id)
                                                  : message.provider_message_id;
    std::string line = "fake-provider: " + message.channel + " -> " + message.to + " \"" +
                       OneLine(message.text) + "\"" + (id.empty() ? "" : " (id " + id + ")") +
                       "\n";
    std::lock_guard<std::mutex> lock(print_mu_);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (options_.send_dlrs && !dlr.url.empty() && !stopping_) {
      dlrs_.push_back({std::chrono::steady_clock::now() +
                           std::chrono::milliseconds(options_.dlr_delay_ms),
                       std::move(dlr), message.channel});
    }
    messages_.push_back(std::move(message));
  }
  messages_cv_.notify_all();
  dlr_cv_.notify_all();
}

void FakeProvider::DlrLoop() {
  outbound::Transport transport;
  outbound::TransportOptions transport_options;
  transport_options.connect_timeout_ms = 2000;
  transport_options.total_timeout_ms = 5000;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (stopping_) return;
    if (dlrs_.empty()) {
      dlr_cv_.wait(lock);
      continue;
    }
    // The earliest due first; equal delays keep arrival order.
    auto next = std::min_element(dlrs_.begin(), dlrs_.end(),
                                 [](const Dlr& a, const Dlr& b) { return a.due < b.due; });
    const auto due = next->due;
    if (std::chrono::steady_clock::now() < due) {
      dlr_cv_.wait_until(lock, due);
      continue;
    }
    Dlr dlr = std::move(*next);
    dlrs_.erase(next);
    lock.unlock();
    channels::HttpOutcome out = transport.Perform(dlr.call, transport_options);
    if (options_.print && (out.failure != channels::TransportFailure::kNone ||
                           out.status < 200 || out.status >= 300)) {
      std::string what = out.failure != channels::TransportFailure::kNone
                             ? std::string(channels::TransportFailureName(out.failure)) + " (" +
                                   out.error + ")"
                             : "HTTP " + std::to_string(out.status);
      std::string line = "fake-provider: DLR for " + dlr.channel + " answered " + what + "\n";
      std::lock_guard<std::mutex> print_lock(print_mu_);
      std::fwrite(line.data(), 1, line.size(), stdout);
      std::fflush(stdout);
    }
    lock.lock();
    if (out.failure == channels::TransportFailure::kNone) ++dlrs_sent_;
  }
}

}  // namespace shg::gateway
