// A small W3C WebDriver client for browser tests: real headless Chromium
// (Debian's chromium + chromium-driver) driven over loopback HTTP by libcurl,
// JSON by Boost.JSON. Nothing is downloaded; nothing is mocked.
//
//   ChromeDriver  the chromedriver process: started on a free 127.0.0.1 port,
//                 its stdout/stderr (and Chromium's) appended to a log file,
//                 stopped and reaped by the destructor.
//   Session       one browser (POST /session) with a fresh profile directory,
//                 headless, a given window size, JavaScript on or off; the
//                 destructor deletes the session (Chromium quits) and removes
//                 the profile.
//   Element       a reference to an element of a Session's current page.
//   BrowserTest   a GoogleTest fixture: one chromedriver per test binary,
//                 sessions per test, a screenshot and the page source of each
//                 session written when a test fails.
//
// Errors are Status values: WebDriver error bodies
// ({"value":{"error":...,"message":...}}) become "<METHOD> <command>: <error>:
// <message>" with a code (no such element/alert/cookie -> NotFound, stale
// element -> FailedPrecondition, invalid argument/selector -> InvalidArgument,
// timeouts -> Unavailable, others -> Internal); transport failures are
// Unavailable.
//
// Thread-safety: none. A Session and its Elements belong to one thread; an
// Element must not outlive its Session. A ChromeDriver must outlive its
// Sessions (a Session left over when the driver is gone only fails to delete).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "domain/result.h"

namespace shg::testing::webdriver {

inline constexpr char kChromeDriverPath[] = "/usr/bin/chromedriver";
inline constexpr char kChromiumPath[] = "/usr/bin/chromium";

// Where browser tests write their screenshots: <build>/tests/screenshots
// (SHG_SCREENSHOT_DIR, set in tests/CMakeLists.txt), or its pg/ folder
// when the tests run on PostgreSQL; created on first use.
// `name` is a file name such as "smoke.png"; returns the absolute path.
std::string ScreenshotPath(const std::string& name);

// Whether the environment says this is CI (CI=true or CI=1): there a missing
// browser is a failure, elsewhere browser tests are skipped.
bool InCi();

class ChromeDriver {
 public:
  // Starts `chromedriver --port=<free port>` with stdout and stderr appended
  // to `log_path`, in its own process group, and waits until GET /status
  // answers ready (at most `timeout`). `chromedriver` is Debian's unless a
  // test of this harness says otherwise. FailedPrecondition when it or
  // kChromiumPath is missing; Unavailable when it exits or never gets ready
  // (the message ends with the log's last lines).
  static Result<std::unique_ptr<ChromeDriver>> Start(
      const std::string& log_path, std::chrono::milliseconds timeout = std::chrono::seconds(20),
      const std::string& chromedriver = kChromeDriverPath);
  // SIGTERM to the process group, up to 3 s for chromedriver to exit, then
  // SIGKILL to the group; always reaps chromedriver.
  ~ChromeDriver();
  ChromeDriver(const ChromeDriver&) = delete;
  ChromeDriver& operator=(const ChromeDriver&) = delete;

  std::string base_url() const;  // "http://127.0.0.1:PORT", no trailing slash
  const std::string& log_path() const { return log_path_; }
  pid_t pid() const { return pid_; }

 private:
  ChromeDriver(pid_t pid, uint16_t port, std::string log_path)
      : pid_(pid), port_(port), log_path_(std::move(log_path)) {}
  pid_t pid_;
  uint16_t port_;
  std::string log_path_;
};

struct SessionOptions {
  // The browser window (--window-size), in CSS pixels. Headless Chromium
  // keeps part of the window for its (invisible) browser UI: the viewport is
  // as wide but shorter (757 px of 900 with Chromium 156), and a window is at
  // least 500 px wide; use `phone` for an exact small viewport.
  int width = 1280;
  int height = 900;
  struct Viewport {
    int width = 0;
    int height = 0;
  };
  // Set: a phone is emulated (chromedriver's mobileEmulation): the viewport is
  // exactly this, device pixel ratio 1 (a screenshot is width x height
  // pixels), touch events, the page's <meta name=viewport> honoured. The user
  // agent stays Chromium's desktop one.
  std::optional<Viewport> phone;
  // false blocks page scripts (Chromium's managed content setting); WebDriver
  // commands still work, ExecuteScript included.
  bool javascript = true;
  // More Chromium switches, e.g. "--lang=sw".
  std::vector<std::string> extra_args;

  static SessionOptions Desktop() { return {}; }
  // A phone-sized viewport: 390 x 844.
  static SessionOptions Phone() {
    SessionOptions o;
    o.phone = Viewport{390, 844};
    return o;
  }
  static SessionOptions NoJavaScript() {
    SessionOptions o;
    o.javascript = false;
    return o;
  }
};

struct Cookie {
  std::string name;
  std::string value;
  std::string path;
  std::string domain;
  bool secure = false;
  bool http_only = false;
  std::string same_site;         // "Strict", "Lax", "None" or "" when not given
  std::optional<int64_t> expiry;  // seconds since the epoch; none for a session cookie
};

class Session;

class Element {
 public:
  Status Click();
  // Types `text` into the element (input, textarea, contenteditable).
  Status SendKeys(const std::string& text);
  Status Clear();
  // The rendered text (innerText-like: hidden text excluded).
  Result<std::string> Text();
  // The attribute's value (chromedriver answers the property for "value",
  // "checked"...); NotFound when the element has no such attribute.
  Result<std::string> Attribute(const std::string& name);
  Result<std::string> TagName();
  // Chooses a file in an <input type=file>: `absolute_path` must name an
  // existing file (InvalidArgument otherwise). Chromium reads it when the
  // form is submitted.
  Status UploadFile(const std::string& absolute_path);
  const std::string& id() const { return id_; }

 private:
  friend class Session;
  Element(Session* session, std::string id) : session_(session), id_(std::move(id)) {}
  Session* session_;
  std::string id_;  // the WebDriver element reference
};

class Session {
 public:
  // POST /session: Chromium (kChromiumPath) headless with --no-sandbox
  // (tests run as root), a new profile directory under the test temp dir,
  // page load timeout 20 s, script timeout 10 s, no implicit wait, and
  // unhandled prompts left open (so AlertText() sees them; other commands
  // then fail with "unexpected alert open").
  static Result<std::unique_ptr<Session>> Create(const ChromeDriver& driver,
                                                 const SessionOptions& options = {});
  // DeleteSession(), then removes the profile directory.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Loads `url` and waits for the page load to complete.
  Status Navigate(const std::string& url);
  Status Back();
  Result<std::string> CurrentUrl();
  Result<std::string> Title();
  Result<std::string> PageSource();  // the current DOM serialized

  // The first element matching the CSS selector; NotFound when none.
  Result<Element> FindElement(const std::string& css);
  // Every match, in document order (empty when none).
  Result<std::vector<Element>> FindElements(const std::string& css);

  // Clicks the form button at `button_css` and waits (at most `timeout`) for
  // the page it leads to: the old page's document is gone and the new one
  // has loaded. Works with JavaScript off. Unavailable on timeout.
  Status SubmitForm(const std::string& button_css,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // The cookies visible to the current page.
  Result<std::vector<Cookie>> GetCookies();

  // Runs `script` as a function body (use `return`); `args` are its
  // arguments. Works with page JavaScript off (it runs through DevTools).
  Result<boost::json::value> ExecuteScript(const std::string& script,
                                           const boost::json::array& args = {});

  // The open alert/confirm/prompt's text; NotFound when none is open.
  Result<std::string> AlertText();

  Status SetWindowSize(int width, int height);

  // Writes the viewport as PNG to `path` (parent directories created).
  Status Screenshot(const std::string& path);

  // DELETE /session/<id> (Chromium quits). Idempotent; the destructor calls it.
  Status DeleteSession();

  const std::string& id() const { return id_; }

 private:
  friend class Element;
  Session(std::string base_url, std::string id, std::string profile_dir);
  // One command: `method` "GET"/"POST"/"DELETE", `command` relative to
  // /session/<id> ("" for the session itself). Returns the "value" member.
  Result<boost::json::value> Command(const char* method, const std::string& command,
                                     const boost::json::value* body = nullptr);
  Result<Element> ToElement(const boost::json::value& v);

  std::string base_url_;     // the driver's
  std::string id_;           // "" once deleted
  std::string profile_dir_;  // removed by the destructor
  void* curl_;               // one easy handle: keep-alive to chromedriver
};

// A fixture for browser tests. SetUp gets the test binary's one chromedriver
// (started on first use, logging to <temp dir>/chromedriver_<pid>.log, stopped
// at the end of the run by a GoogleTest environment, which also removes the
// log when every test passed). When it cannot start
// (e.g. /usr/bin/chromedriver missing) the test FAILS under CI (InCi()) and
// is skipped otherwise, with the reason either way.
//
// On failure TearDown writes, for each session NewSession made,
// ScreenshotPath("failed_<Suite>_<Test>_<n>.png") and the page source beside
// it (".html"), then deletes the sessions.
class BrowserTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A new session owned by the fixture (deleted in TearDown); ASSERT on it.
  Result<Session*> NewSession(const SessionOptions& options = {});
  ChromeDriver& driver() { return *driver_; }

 private:
  ChromeDriver* driver_ = nullptr;
  std::vector<std::unique_ptr<Session>> sessions_;
};

}  // namespace shg::testing::webdriver
