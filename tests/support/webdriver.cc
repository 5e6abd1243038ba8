#include "tests/support/webdriver.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>
#include <utility>

#include "tests/support/net.h"
#include "tests/support/test_db.h"

extern char** environ;

namespace shg::testing::webdriver {
namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

// The W3C name of an element reference in JSON.
constexpr char kElementKey[] = "element-6066-11e4-a52e-4f735466cecf";

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct HttpReply {
  long status = 0;     // 0: no HTTP answer
  std::string body;
  std::string error;   // curl's message when status == 0
};

// One request on `c` (reset first; its connection stays open for the next).
HttpReply Http(CURL* c, const char* method, const std::string& url, const std::string* body,
               milliseconds timeout) {
  HttpReply r;
  curl_easy_reset(c);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  // chromedriver is on loopback: never through a proxy from the environment.
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  struct curl_slist* headers = nullptr;
  if (body) {
    headers = curl_slist_append(headers, "Content-Type: application/json; charset=utf-8");
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }
  if (std::strcmp(method, "GET") != 0 && std::strcmp(method, "POST") != 0) {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  }
  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  } else {
    r.error = curl_easy_strerror(rc);
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  return r;
}

Status FromWebDriverError(const std::string& what, const std::string& error,
                          std::string message) {
  // chromedriver appends "\n  (Session info: chrome=...)": noise in a test log.
  if (size_t at = message.find("\n  (Session info:"); at != std::string::npos) {
    message.resize(at);
  }
  std::string text = what + ": " + error + (message.empty() ? "" : ": " + message);
  if (error == "no such element" || error == "no such alert" || error == "no such cookie" ||
      error == "no such window" || error == "no such frame" || error == "invalid session id") {
    return Status::NotFound(std::move(text));
  }
  if (error == "stale element reference" || error == "detached shadow root" ||
      error == "element not interactable" || error == "element click intercepted" ||
      error == "unexpected alert open" || error == "invalid element state") {
    return Status::FailedPrecondition(std::move(text));
  }
  if (error == "invalid argument" || error == "invalid selector") {
    return Status::InvalidArgument(std::move(text));
  }
  if (error == "timeout" || error == "script timeout" || error == "session not created") {
    return Status::Unavailable(std::move(text));
  }
  return Status::Internal(std::move(text));
}

// The "value" of a WebDriver answer, or its error as a Status.
Result<json::value> ParseAnswer(const std::string& what, const HttpReply& reply) {
  if (reply.status == 0) return Status::Unavailable(what + ": " + reply.error);
  boost::system::error_code ec;
  json::value doc = json::parse(reply.body, ec);
  const json::object* root = ec ? nullptr : doc.if_object();
  const json::value* value = root ? root->if_contains("value") : nullptr;
  if (!value) {
    return Status::Internal(what + ": HTTP " + std::to_string(reply.status) +
                            ", not a WebDriver answer: " + reply.body.substr(0, 300));
  }
  const json::object* v = value->if_object();
  const json::value* error = v ? v->if_contains("error") : nullptr;
  if (reply.status != 200 || (error && error->is_string())) {
    std::string e = error && error->is_string() ? std::string(error->as_string()) : "unknown error";
    std::string m;
    if (const json::value* msg = v ? v->if_contains("message") : nullptr; msg && msg->is_string()) {
      m = std::string(msg->as_string());
    }
    return FromWebDriverError(what + " (HTTP " + std::to_string(reply.status) + ")", e,
                              std::move(m));
  }
  return *value;
}

Result<std::string> AsString(const std::string& what, const Result<json::value>& v) {
  if (!v.ok()) return v.status();
  if (!v->is_string()) return Status::Internal(what + ": expected a string, got " + json::serialize(*v));
  return std::string(v->as_string());
}

std::string LogTail(const std::string& path, size_t max_bytes = 2000) {
  std::ifstream in(path, std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (all.size() > max_bytes) all = "..." + all.substr(all.size() - max_bytes);
  return all;
}

// Base64 (no line breaks, as WebDriver sends it) to bytes.
Result<std::string> DecodeBase64(const std::string& in) {
  if (in.size() % 4 != 0) return Status::Internal("base64 length not a multiple of 4");
  std::string out(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return Status::Internal("invalid base64");
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t pad = 0;
  for (size_t i = in.size(); i > 0 && in[i - 1] == '=' && pad < 2; --i) ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

bool Exited(pid_t pid) {
  siginfo_t info{};
  // WNOWAIT: chromedriver stays a zombie, so its pid (= the process group's
  // id) cannot be reused before the group is killed.
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

void KillAndReap(pid_t pid, milliseconds grace) {
  ::kill(-pid, SIGTERM);
  WaitFor([&] { return Exited(pid); }, grace, milliseconds(20));
  // Whatever is left of the group (chromedriver, a Chromium it started).
  ::kill(-pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

// Spawns chromedriver; the child runs exec directly (posix_spawn), which is
// safe from a threaded, sanitized process.
Result<pid_t> Spawn(const std::string& binary, uint16_t port, const std::string& log_path) {
  std::string path = binary;
  std::string port_arg = "--port=" + std::to_string(port);
  std::vector<char*> argv = {path.data(), port_arg.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  // Not the test's sockets: a listener inherited by chromedriver (and so by
  // Chromium) would keep its port bound after the test stopped its server.
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  // Its own process group: the destructor kills Chromium with it.
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, path.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Status::Unavailable("posix_spawn " + path + ": " + std::strerror(rc));
  return pid;
}

std::string MakeTempDir(const std::string& prefix) {
  std::string pattern = ::testing::TempDir() + prefix + "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

std::string SafeName(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

// The test binary's one chromedriver (BrowserTest), started on first use.
struct SharedDriver {
  bool tried = false;
  Status status;
  std::unique_ptr<ChromeDriver> driver;
  std::string log_path;
};

SharedDriver& Shared() {
  static SharedDriver shared;
  return shared;
}

class DriverEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    SharedDriver& shared = Shared();
    shared.driver.reset();
    // A failed run keeps the log for its reader; a passing one leaves no trace.
    if (!shared.log_path.empty() && ::testing::UnitTest::GetInstance()->Passed()) {
      std::remove(shared.log_path.c_str());
    }
  }
};

// Registered at load time so every binary using BrowserTest stops its
// chromedriver after the last test, before the sanitizers' exit checks.
[[maybe_unused]] ::testing::Environment* const kDriverEnvironment =
    ::testing::AddGlobalTestEnvironment(new DriverEnvironment);

}  // namespace

std::string ScreenshotPath(const std::string& name) {
#ifdef SHG_SCREENSHOT_DIR
  std::string dir = SHG_SCREENSHOT_DIR;
#else
  std::string dir = ::testing::TempDir() + "screenshots";
#endif
  // The same walk runs on both backends, at once under ctest -j.
  if (OnPostgres()) dir += "/pg";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return dir + "/" + name;
}

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci && (std::strcmp(ci, "true") == 0 || std::strcmp(ci, "1") == 0);
}

// ---- ChromeDriver ---------------------------------------------------------

Result<std::unique_ptr<ChromeDriver>> ChromeDriver::Start(const std::string& log_path,
                                                          milliseconds timeout,
                                                          const std::string& chromedriver) {
  for (const std::string& binary : {chromedriver, std::string(kChromiumPath)}) {
    if (::access(binary.c_str(), X_OK) != 0) {
      return Status::FailedPrecondition(binary +
                                        " not found: install chromium and chromium-driver "
                                        "(bash scripts/install-deps.sh)");
    }
  }
  Status last;
  // FreePort() may race with another process: a driver that exits at once
  // is retried on a new port.
  for (int attempt = 0; attempt < 3; ++attempt) {
    const uint16_t port = FreePort();
    Result<pid_t> pid = Spawn(chromedriver, port, log_path);
    if (!pid.ok()) return pid.status();
    CURL* c = curl_easy_init();
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/status";
    bool exited = false;
    bool ready = WaitFor(
        [&] {
          if (Exited(*pid)) {
            exited = true;
            return true;
          }
          HttpReply r = Http(c, "GET", url, nullptr, milliseconds(1000));
          Result<json::value> v = ParseAnswer("GET /status", r);
          if (!v.ok() || !v->is_object()) return false;
          const json::value* ok = v->as_object().if_contains("ready");
          return ok && ok->is_bool() && ok->as_bool();
        },
        timeout, milliseconds(50));
    curl_easy_cleanup(c);
    if (ready && !exited) {
      return std::unique_ptr<ChromeDriver>(new ChromeDriver(*pid, port, log_path));
    }
    KillAndReap(*pid, milliseconds(0));
    last = Status::Unavailable(chromedriver + " on port " +
                               std::to_string(port) +
                               (exited ? " exited" : " not ready in time") + "; log " + log_path +
                               ":\n" + LogTail(log_path));
    if (!exited) break;  // a driver that hangs would hang again
  }
  return last;
}

ChromeDriver::~ChromeDriver() { KillAndReap(pid_, milliseconds(3000)); }

std::string ChromeDriver::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

// ---- Session --------------------------------------------------------------

Session::Session(std::string base_url, std::string id, std::string profile_dir)
    : base_url_(std::move(base_url)),
      id_(std::move(id)),
      profile_dir_(std::move(profile_dir)),
      curl_(curl_easy_init()) {}

Session::~Session() {
  (void)DeleteSession();
  curl_easy_cleanup(static_cast<CURL*>(curl_));
  std::error_code ec;
  std::filesystem::remove_all(profile_dir_, ec);
}

Result<std::unique_ptr<Session>> Session::Create(const ChromeDriver& driver,
                                                 const SessionOptions& options) {
  std::string profile = MakeTempDir("shg_chromium_profile_");
  if (profile.empty()) return Status::Internal(std::string("mkdtemp: ") + std::strerror(errno));
  json::array args = {"--headless=new",
                      "--no-sandbox",  // tests run as root; Chromium refuses otherwise
                      "--disable-gpu",
                      "--disable-dev-shm-usage",
                      "--disable-quic",
                      "--no-first-run",
                      "--disable-background-networking",
                      "--disable-component-update",
                      "--disable-sync",
                      "--no-proxy-server",
                      "--user-data-dir=" + profile,
                      "--window-size=" + std::to_string(options.width) + "," +
                          std::to_string(options.height)};
  for (const std::string& a : options.extra_args) args.emplace_back(a);
  json::object chrome = {{"binary", kChromiumPath}, {"args", std::move(args)}};
  if (options.phone) {
    chrome["mobileEmulation"] = {
        {"deviceMetrics",
         {{"width", options.phone->width}, {"height", options.phone->height}, {"pixelRatio", 1.0},
          {"touch", true}, {"mobile", true}}}};
  }
  if (!options.javascript) {
    chrome["prefs"] = json::object{{"profile.managed_default_content_settings.javascript", 2}};
  }
  json::value body = {
      {"capabilities",
       {{"alwaysMatch",
         {{"browserName", "chrome"},
          {"goog:chromeOptions", std::move(chrome)},
          {"timeouts", {{"pageLoad", 20000}, {"script", 10000}, {"implicit", 0}}},
          {"unhandledPromptBehavior", "ignore"}}}}}};
  CURL* c = curl_easy_init();
  const std::string text = json::serialize(body);
  HttpReply reply = Http(c, "POST", driver.base_url() + "/session", &text, milliseconds(60000));
  curl_easy_cleanup(c);
  Result<json::value> v = ParseAnswer("POST /session", reply);
  const json::value* id = v.ok() && v->is_object() ? v->as_object().if_contains("sessionId") : nullptr;
  if (!id || !id->is_string()) {
    std::error_code ec;
    std::filesystem::remove_all(profile, ec);
    if (!v.ok()) {
      return Status::Unavailable(v.status().message() + " (chromedriver log: " + driver.log_path() +
                                 ")");
    }
    return Status::Internal("POST /session: no sessionId in " + json::serialize(*v));
  }
  return std::unique_ptr<Session>(
      new Session(driver.base_url(), std::string(id->as_string()), std::move(profile)));
}

Result<json::value> Session::Command(const char* method, const std::string& command,
                                     const json::value* body) {
  const std::string what = std::string(method) + " " + (command.empty() ? "/session" : command);
  if (id_.empty()) return Status::FailedPrecondition(what + ": session already deleted");
  std::string text;
  if (body) text = json::serialize(*body);
  HttpReply reply = Http(static_cast<CURL*>(curl_), method, base_url_ + "/session/" + id_ + command,
                         body ? &text : nullptr, milliseconds(40000));
  return ParseAnswer(what, reply);
}

Status Session::DeleteSession() {
  if (id_.empty()) return Status::Ok();
  Result<json::value> v = Command("DELETE", "");
  id_.clear();
  return v.status();
}

Status Session::Navigate(const std::string& url) {
  json::value body = {{"url", url}};
  return Command("POST", "/url", &body).status();
}

Status Session::Back() {
  json::value body = json::object{};
  return Command("POST", "/back", &body).status();
}

Result<std::string> Session::CurrentUrl() { return AsString("GET /url", Command("GET", "/url")); }

Result<std::string> Session::Title() { return AsString("GET /title", Command("GET", "/title")); }

Result<std::string> Session::PageSource() {
  return AsString("GET /source", Command("GET", "/source"));
}

Result<Element> Session::ToElement(const json::value& v) {
  const json::value* ref = v.is_object() ? v.as_object().if_contains(kElementKey) : nullptr;
  if (!ref || !ref->is_string()) {
    return Status::Internal("not an element reference: " + json::serialize(v));
  }
  return Element(this, std::string(ref->as_string()));
}

Result<Element> Session::FindElement(const std::string& css) {
  json::value body = {{"using", "css selector"}, {"value", css}};
  Result<json::value> v = Command("POST", "/element", &body);
  if (!v.ok()) return v.status();
  return ToElement(*v);
}

Result<std::vector<Element>> Session::FindElements(const std::string& css) {
  json::value body = {{"using", "css selector"}, {"value", css}};
  Result<json::value> v = Command("POST", "/elements", &body);
  if (!v.ok()) return v.status();
  if (!v->is_array()) return Status::Internal("POST /elements: not an array");
  std::vector<Element> out;
  for (const json::value& e : v->as_array()) {
    Result<Element> element = ToElement(e);
    if (!element.ok()) return element.status();
    out.push_back(*element);
  }
  return out;
}

Status Session::SubmitForm(const std::string& button_css, milliseconds timeout) {
  Result<Element> old_page = FindElement("html");
  if (!old_page.ok()) return old_page.status();
  Result<Element> button = FindElement(button_css);
  if (!button.ok()) return button.status();
  SHG_RETURN_IF_ERROR(button->Click());
  // The old document's <html> goes stale once the answer replaced it; a
  // check that needs no page script, so it works with JavaScript off.
  Status probe;
  bool gone = WaitFor(
      [&] {
        probe = old_page->TagName().status();
        return probe.code() == Status::Code::kFailedPrecondition ||
               probe.code() == Status::Code::kNotFound;
      },
      timeout, milliseconds(25));
  if (!gone) {
    return Status::Unavailable("SubmitForm(" + button_css + "): still on the old page after " +
                               std::to_string(timeout.count()) + " ms (" + probe.ToString() + ")");
  }
  std::string state;
  bool loaded = WaitFor(
      [&] {
        Result<json::value> v = ExecuteScript("return document.readyState;");
        state = v.ok() ? json::serialize(*v) : v.status().ToString();
        return v.ok() && v->is_string() && v->as_string() == "complete";
      },
      timeout, milliseconds(25));
  if (!loaded) {
    return Status::Unavailable("SubmitForm(" + button_css + "): new page not loaded after " +
                               std::to_string(timeout.count()) + " ms (readyState " + state + ")");
  }
  return Status::Ok();
}

Result<std::vector<Cookie>> Session::GetCookies() {
  Result<json::value> v = Command("GET", "/cookie");
  if (!v.ok()) return v.status();
  if (!v->is_array()) return Status::Internal("GET /cookie: not an array");
  std::vector<Cookie> out;
  for (const json::value& item : v->as_array()) {
    if (!item.is_object()) continue;
    const json::object& o = item.as_object();
    auto str = [&](const char* key) {
      const json::value* x = o.if_contains(key);
      return x && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    auto flag = [&](const char* key) {
      const json::value* x = o.if_contains(key);
      return x && x->is_bool() && x->as_bool();
    };
    Cookie cookie;
    cookie.name = str("name");
    cookie.value = str("value");
    cookie.path = str("path");
    cookie.domain = str("domain");
    cookie.secure = flag("secure");
    cookie.http_only = flag("httpOnly");
    cookie.same_site = str("sameSite");
    if (const json::value* e = o.if_contains("expiry"); e && e->is_number()) {
      boost::system::error_code ec;
      int64_t seconds = e->to_number<int64_t>(ec);
      if (!ec) cookie.expiry = seconds;
    }
    out.push_back(std::move(cookie));
  }
  return out;
}

Result<json::value> Session::ExecuteScript(const std::string& script, const json::array& args) {
  json::value body = {{"script", script}, {"args", args}};
  return Command("POST", "/execute/sync", &body);
}

Result<std::string> Session::AlertText() {
  return AsString("GET /alert/text", Command("GET", "/alert/text"));
}

Status Session::SetWindowSize(int width, int height) {
  json::value body = {{"width", width}, {"height", height}};
  return Command("POST", "/window/rect", &body).status();
}

Status Session::Screenshot(const std::string& path) {
  Result<std::string> b64 = AsString("GET /screenshot", Command("GET", "/screenshot"));
  if (!b64.ok()) return b64.status();
  Result<std::string> png = DecodeBase64(*b64);
  if (!png.ok()) return Status::Internal("GET /screenshot: " + png.status().message());
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(png->data(), static_cast<std::streamsize>(png->size()));
  out.close();
  if (!out) return Status::Internal("cannot write " + path);
  return Status::Ok();
}

// ---- Element --------------------------------------------------------------

Status Element::Click() {
  json::value body = json::object{};
  return session_->Command("POST", "/element/" + id_ + "/click", &body).status();
}

Status Element::SendKeys(const std::string& text) {
  json::value body = {{"text", text}};
  return session_->Command("POST", "/element/" + id_ + "/value", &body).status();
}

Status Element::Clear() {
  json::value body = json::object{};
  return session_->Command("POST", "/element/" + id_ + "/clear", &body).status();
}

Result<std::string> Element::Text() {
  return AsString("GET text", session_->Command("GET", "/element/" + id_ + "/text"));
}

Result<std::string> Element::TagName() {
  return AsString("GET name", session_->Command("GET", "/element/" + id_ + "/name"));
}

Result<std::string> Element::Attribute(const std::string& name) {
  Result<json::value> v = session_->Command("GET", "/element/" + id_ + "/attribute/" + name);
  if (!v.ok()) return v.status();
  if (v->is_null()) return Status::NotFound("no attribute " + name);
  if (v->is_string()) return std::string(v->as_string());
  return json::serialize(*v);  // a boolean or number property
}

Status Element::UploadFile(const std::string& absolute_path) {
  std::error_code ec;
  if (absolute_path.empty() || absolute_path[0] != '/' ||
      !std::filesystem::is_regular_file(absolute_path, ec)) {
    return Status::InvalidArgument("UploadFile: not an absolute path to a file: " + absolute_path);
  }
  // chromedriver sets an <input type=file>'s files from the typed path.
  return SendKeys(absolute_path);
}

// ---- BrowserTest ----------------------------------------------------------

void BrowserTest::SetUp() {
  SharedDriver& shared = Shared();
  if (!shared.tried) {
    shared.tried = true;
    shared.log_path =
        ::testing::TempDir() + "chromedriver_" + std::to_string(::getpid()) + ".log";
    Result<std::unique_ptr<ChromeDriver>> started = ChromeDriver::Start(shared.log_path);
    if (started.ok()) {
      shared.driver = std::move(started).value();
    } else {
      shared.status = started.status();
    }
  }
  if (!shared.driver) {
    if (InCi()) {
      FAIL() << "browser tests need chromium and chromium-driver under CI: "
             << shared.status.ToString();
    }
    GTEST_SKIP() << "no browser, skipped (under CI=true this fails): "
                 << shared.status.ToString();
  }
  driver_ = shared.driver.get();
}

void BrowserTest::TearDown() {
  if (HasFailure()) {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string base = "failed_" + SafeName(info->test_suite_name()) + "_" +
                             SafeName(info->name());
    for (size_t i = 0; i < sessions_.size(); ++i) {
      const std::string stem = ScreenshotPath(base + "_" + std::to_string(i));
      Status shot = sessions_[i]->Screenshot(stem + ".png");
      Result<std::string> source = sessions_[i]->PageSource();
      if (source.ok()) std::ofstream(stem + ".html", std::ios::binary) << *source;
      std::fprintf(stderr, "browser test failed: %s.png %s\n", stem.c_str(),
                   shot.ok() ? "written" : shot.ToString().c_str());
    }
  }
  sessions_.clear();
}

Result<Session*> BrowserTest::NewSession(const SessionOptions& options) {
  if (!driver_) return Status::FailedPrecondition("no chromedriver (SetUp skipped or failed)");
  Result<std::unique_ptr<Session>> s = Session::Create(*driver_, options);
  if (!s.ok()) return s.status();
  sessions_.push_back(std::move(s).value());
  return sessions_.back().get();
}

}  // namespace shg::testing::webdriver
