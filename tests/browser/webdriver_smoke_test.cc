// The browser-test harness end to end: shg::http::Server on 127.0.0.1 serves
// a form page (text field + file upload, multipart POST) and an answer page
// echoing what was posted, HTML-escaped; real headless Chromium fills it,
// uploads a file, submits, and the test reads the answer, its cookie and a
// screenshot. Proves the harness (tests/support/webdriver.h) before the staff
// dashboard's own browser tests use it.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "gateway/http/server.h"
#include "tests/support/webdriver.h"

namespace shg::testing::webdriver {
namespace {

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

struct Part {
  std::string name;
  std::optional<std::string> filename;  // set for a file part
  std::string data;
};

// A minimal multipart/form-data reader, enough for what Chromium sends.
std::vector<Part> ParseMultipart(const std::string& content_type, const std::string& body) {
  std::vector<Part> parts;
  const size_t b = content_type.find("boundary=");
  if (b == std::string::npos) return parts;
  const std::string delimiter = "--" + content_type.substr(b + 9);
  size_t pos = body.find(delimiter);
  while (pos != std::string::npos) {
    pos += delimiter.size();
    if (body.compare(pos, 2, "--") == 0) break;  // the closing delimiter
    pos += 2;                                    // CRLF after the delimiter
    const size_t head_end = body.find("\r\n\r\n", pos);
    const size_t next = body.find("\r\n" + delimiter, pos);
    if (head_end == std::string::npos || next == std::string::npos || head_end > next) break;
    const std::string head = body.substr(pos, head_end - pos);
    Part part;
    auto param = [&](const std::string& key) -> std::optional<std::string> {
      const size_t at = head.find("; " + key + "=\"");
      if (at == std::string::npos) return std::nullopt;
      const size_t start = at + key.size() + 4;
      return head.substr(start, head.find('"', start) - start);
    };
    part.name = param("name").value_or("");
    part.filename = param("filename");
    part.data = body.substr(head_end + 4, next - head_end - 4);
    parts.push_back(std::move(part));
    pos = next + 2;
  }
  return parts;
}

constexpr char kFormPage[] = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Upload a statement</title>
<style>
  * { box-sizing: border-box; }
  body { font-family: sans-serif; margin: 24px; }
  label { display: block; margin: 12px 0; }
  input[type=text] { width: 100%; max-width: 420px; padding: 6px; }
  button { padding: 8px 20px; }
</style></head>
<body>
<h1>Upload a statement</h1>
<p>Scripts: <span id="js-state">off</span></p>
<script>document.getElementById('js-state').textContent = 'on';</script>
<form method="post" action="/echo" enctype="multipart/form-data">
  <label>Note <input id="note" name="note" type="text"></label>
  <label>Statement <input id="statement" name="statement" type="file"></label>
  <button id="send" type="submit">Send</button>
</form>
</body></html>
)";

// What the server received from the last POST /echo.
struct Posted {
  std::string note;
  std::string filename;
  std::string file;
};

class WebDriverSmokeTest : public BrowserTest {
 protected:
  void SetUp() override {
    BrowserTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.write_timeout = std::chrono::milliseconds(2000);
    server_ = std::make_unique<http::Server>(
        options, [this](http::Request&& request, http::Reply reply) {
          reply(Answer(request));
        });
    ASSERT_TRUE(server_->Start().ok());
    base_url_ = "http://127.0.0.1:" + std::to_string(server_->port());

    upload_path_ = ::testing::TempDir() + "statement_" + std::to_string(::getpid()) + ".csv";
    std::ofstream(upload_path_, std::ios::binary) << kUpload;
  }

  void TearDown() override {
    BrowserTest::TearDown();  // sessions first: Chromium may still hold a connection
    if (server_) server_->Stop();
    if (!upload_path_.empty()) std::remove(upload_path_.c_str());
  }

  http::Response Answer(const http::Request& request) {
    if (request.method == "GET" && request.path == "/") {
      http::Response r;
      r.content_type = "text/html; charset=utf-8";
      r.body = kFormPage;
      return r;
    }
    if (request.method == "POST" && request.path == "/echo") {
      Posted posted;
      for (const Part& p : ParseMultipart(request.Header("content-type"), request.body)) {
        if (p.name == "note") posted.note = p.data;
        if (p.name == "statement") {
          posted.filename = p.filename.value_or("");
          posted.file = p.data;
        }
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        posted_ = posted;
      }
      http::Response r;
      r.content_type = "text/html; charset=utf-8";
      r.headers.push_back({"Set-Cookie", "seen=1; Path=/; HttpOnly; SameSite=Strict"});
      r.body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Echo</title>"
               "</head><body><h1>Received</h1>"
               "<p>Note: <span id=\"note\">" + HtmlEscape(posted.note) + "</span></p>"
               "<p>File <span id=\"file-name\">" + HtmlEscape(posted.filename) + "</span>, "
               "<span id=\"file-size\">" + std::to_string(posted.file.size()) + "</span> bytes:</p>"
               "<pre id=\"file-body\">" + HtmlEscape(posted.file) + "</pre></body></html>";
      return r;
    }
    return http::Response::Text(404, "not found\n");
  }

  std::optional<Posted> LastPosted() {
    std::lock_guard<std::mutex> lock(mu_);
    return posted_;
  }

  // Opens the form, types `note`, chooses the upload file, submits.
  void FillAndSubmit(Session& s, const std::string& note) {
    ASSERT_TRUE(s.Navigate(base_url_ + "/").ok());
    Result<Element> field = s.FindElement("#note");
    ASSERT_TRUE(field.ok()) << field.status().ToString();
    ASSERT_TRUE(field->SendKeys(note).ok());
    Result<Element> file = s.FindElement("#statement");
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    Status uploaded = file->UploadFile(upload_path_);
    ASSERT_TRUE(uploaded.ok()) << uploaded.ToString();
    Status submitted = s.SubmitForm("#send");
    ASSERT_TRUE(submitted.ok()) << submitted.ToString();
  }

  static std::string Text(Session& s, const std::string& css) {
    Result<Element> e = s.FindElement(css);
    if (!e.ok()) return "<" + e.status().ToString() + ">";
    Result<std::string> t = e->Text();
    return t.ok() ? *t : "<" + t.status().ToString() + ">";
  }

  static constexpr char kUpload[] = "member,amount\nAmina,500\nWanjiru,1200\n";

  std::unique_ptr<http::Server> server_;
  std::string base_url_;
  std::string upload_path_;
  std::mutex mu_;
  std::optional<Posted> posted_;  // guarded by mu_
};

// The PNG file's width and height (IHDR), or nullopt when not a PNG.
std::optional<std::pair<uint32_t, uint32_t>> PngSize(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  static const char kSignature[] = "\x89PNG\r\n\x1a\n";
  if (bytes.size() < 24 || bytes.compare(0, 8, kSignature, 8) != 0 ||
      bytes.compare(12, 4, "IHDR") != 0) {
    return std::nullopt;
  }
  auto be32 = [&](size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
  };
  return std::make_pair(be32(16), be32(20));
}

TEST_F(WebDriverSmokeTest, FormWithUploadIsPostedAndEchoedAsTextNotScript) {
  Result<Session*> session = NewSession();
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  Session& s = **session;

  ASSERT_TRUE(s.Navigate(base_url_ + "/").ok());
  EXPECT_EQ(*s.Title(), "Upload a statement");
  // Page scripts run in this session, so the check below that the posted
  // <script> did not run means something.
  EXPECT_EQ(Text(s, "#js-state"), "on");

  const std::string note =
      "Sunday <script>document.title='owned';alert('x')</script> & \"Amina\" 500";
  FillAndSubmit(s, note);
  if (HasFatalFailure()) return;

  std::optional<Posted> posted = LastPosted();
  ASSERT_TRUE(posted.has_value());
  EXPECT_EQ(posted->note, note);
  EXPECT_EQ(posted->filename, "statement_" + std::to_string(::getpid()) + ".csv");
  EXPECT_EQ(posted->file, kUpload);

  Result<std::string> url = s.CurrentUrl();
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(*url, base_url_ + "/echo");
  EXPECT_EQ(s.AlertText().status().code(), Status::Code::kNotFound);
  EXPECT_EQ(*s.Title(), "Echo");
  EXPECT_EQ(Text(s, "#note"), note);
  Result<std::vector<Element>> scripts = s.FindElements("script");
  ASSERT_TRUE(scripts.ok());
  EXPECT_TRUE(scripts->empty());
  EXPECT_EQ(Text(s, "#file-name"), posted->filename);
  EXPECT_EQ(Text(s, "#file-size"), std::to_string(std::string_view(kUpload).size()));
  EXPECT_EQ(Text(s, "#file-body"), "member,amount\nAmina,500\nWanjiru,1200");
  Result<std::string> source = s.PageSource();
  ASSERT_TRUE(source.ok());
  EXPECT_NE(source->find("&lt;script&gt;document.title="), std::string::npos);

  Result<std::vector<Cookie>> cookies = s.GetCookies();
  ASSERT_TRUE(cookies.ok()) << cookies.status().ToString();
  ASSERT_EQ(cookies->size(), 1u);
  EXPECT_EQ((*cookies)[0].name, "seen");
  EXPECT_EQ((*cookies)[0].value, "1");
  EXPECT_TRUE((*cookies)[0].http_only);
  EXPECT_EQ((*cookies)[0].same_site, "Strict");
  EXPECT_FALSE((*cookies)[0].expiry.has_value());

  const std::string shot = ScreenshotPath("smoke.png");
  Status shot_status = s.Screenshot(shot);
  ASSERT_TRUE(shot_status.ok()) << shot_status.ToString();
  std::optional<std::pair<uint32_t, uint32_t>> size = PngSize(shot);
  ASSERT_TRUE(size.has_value()) << shot << " is not a PNG";
  EXPECT_EQ(size->first, 1280u);  // the viewport: the window's width, less than its height
  EXPECT_GT(size->second, 600u);
  EXPECT_LE(size->second, 900u);
}

TEST_F(WebDriverSmokeTest, FormWorksWithJavaScriptOff) {
  Result<Session*> session = NewSession(SessionOptions::NoJavaScript());
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  Session& s = **session;

  ASSERT_TRUE(s.Navigate(base_url_ + "/").ok());
  EXPECT_EQ(Text(s, "#js-state"), "off");  // the page's script was blocked
  FillAndSubmit(s, "no scripts <b>here</b>");
  if (HasFatalFailure()) return;
  EXPECT_EQ(*s.Title(), "Echo");
  EXPECT_EQ(Text(s, "#note"), "no scripts <b>here</b>");
  EXPECT_EQ(Text(s, "#file-size"), std::to_string(std::string_view(kUpload).size()));
  // WebDriver's own scripts still run.
  Result<boost::json::value> v = s.ExecuteScript("return document.title + arguments[0];", {"!"});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(boost::json::serialize(*v), "\"Echo!\"");
}

TEST_F(WebDriverSmokeTest, PhoneSizedWindow) {
  Result<Session*> session = NewSession(SessionOptions::Phone());
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  Session& s = **session;
  ASSERT_TRUE(s.Navigate(base_url_ + "/").ok());
  Result<boost::json::value> width = s.ExecuteScript("return window.innerWidth;");
  ASSERT_TRUE(width.ok()) << width.status().ToString();
  EXPECT_EQ(boost::json::serialize(*width), "390");

  const std::string shot = ScreenshotPath("smoke_phone.png");
  ASSERT_TRUE(s.Screenshot(shot).ok());
  std::optional<std::pair<uint32_t, uint32_t>> size = PngSize(shot);
  ASSERT_TRUE(size.has_value()) << shot << " is not a PNG";
  EXPECT_EQ(size->first, 390u);
  EXPECT_EQ(size->second, 844u);
}

TEST_F(WebDriverSmokeTest, WebDriverErrorsAreStatuses) {
  Result<Session*> session = NewSession();
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  Session& s = **session;
  ASSERT_TRUE(s.Navigate(base_url_ + "/").ok());

  Result<Element> missing = s.FindElement("#no-such-thing");
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_NE(missing.status().message().find("no such element"), std::string::npos)
      << missing.status().ToString();

  Result<Element> bad = s.FindElement("[[not css");
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument) << bad.status().ToString();

  Result<std::string> alert = s.AlertText();
  EXPECT_EQ(alert.status().code(), Status::Code::kNotFound) << alert.status().ToString();

  Result<Element> file = s.FindElement("#statement");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->UploadFile("relative/statement.csv").code(), Status::Code::kInvalidArgument);
  Result<std::string> none = file->Attribute("data-missing");
  EXPECT_EQ(none.status().code(), Status::Code::kNotFound);
  Result<std::string> type = file->Attribute("type");
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(*type, "file");

  // A script's exception is an error too, not a value.
  Result<boost::json::value> thrown = s.ExecuteScript("throw new Error('boom');");
  EXPECT_FALSE(thrown.ok());
  EXPECT_NE(thrown.status().message().find("boom"), std::string::npos)
      << thrown.status().ToString();

  ASSERT_TRUE(s.DeleteSession().ok());
  EXPECT_EQ(s.Title().status().code(), Status::Code::kFailedPrecondition);
}

// Without the browser (here: a chromedriver path that does not exist) the
// harness says what is missing and how to install it; BrowserTest turns that
// into a failure under CI and a skip elsewhere.
TEST(ChromeDriverTest, MissingBinaryIsAClearFailedPrecondition) {
  const std::string log = ::testing::TempDir() + "chromedriver_missing.log";
  Result<std::unique_ptr<ChromeDriver>> driver =
      ChromeDriver::Start(log, std::chrono::seconds(1), "/nonexistent/chromedriver");
  ASSERT_FALSE(driver.ok());
  EXPECT_EQ(driver.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(driver.status().message(),
            "/nonexistent/chromedriver not found: install chromium and chromium-driver "
            "(bash scripts/install-deps.sh)");
}

}  // namespace
}  // namespace shg::testing::webdriver
