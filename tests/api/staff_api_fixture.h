// The staff API end to end: a real gateway::App (port 0, a temporary SQLite
// file with the demo data, durable commits) and a libcurl client speaking
// real loopback HTTP with any method, headers in and out. The first admin
// and her token are made through the domain (as the CLI does); everything
// else goes through /api/v1.
//
// Derived fixtures adjust settings_ in their constructor (before SetUp).
// Not thread-safe beyond what each ApiClient allows (one per thread).
#pragma once

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <cctype>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/demo.h"
#include "domain/services.h"
#include "domain/staff.h"
#include "domain/store/store.h"
#include "gateway/app.h"
#include "tests/support/count_rows.h"
#include "tests/support/test_db.h"

namespace shg::api_test {

namespace json = boost::json;

struct ApiResult {
  long status = 0;  // 0 when the request failed below HTTP
  std::string body;
  std::map<std::string, std::string> headers;  // names lower case
  std::string error;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  // The body as JSON (null when it is not JSON), parsed once: a reference
  // into this result, so loops over its parts need no named copy.
  const json::value& Json() const {
    if (!json_) {
      boost::system::error_code ec;
      json::value v = json::parse(body, ec);
      json_ = ec ? json::value(nullptr) : std::move(v);
    }
    return *json_;
  }

 private:
  mutable std::optional<json::value> json_;

 public:
};

// One libcurl easy handle (keep-alive). Not thread-safe per instance.
class ApiClient {
 public:
  explicit ApiClient(std::string base) : base_(std::move(base)), curl_(curl_easy_init()) {}
  ~ApiClient() { curl_easy_cleanup(curl_); }
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // `path` from the server root ("/api/v1/me"); `token` "" = no
  // Authorization; `headers` are "Name: value" lines.
  ApiResult Call(const std::string& method, const std::string& path, const std::string& token,
                 const std::string& body = "", const std::string& content_type = "",
                 const std::vector<std::string>& headers = {}) {
    ApiResult r;
    struct curl_slist* list = nullptr;
    if (!token.empty()) list = curl_slist_append(list, ("Authorization: Bearer " + token).c_str());
    if (!content_type.empty()) list = curl_slist_append(list, ("Content-Type: " + content_type).c_str());
    for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
    const std::string url = base_ + path;
    curl_easy_reset(curl_);
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &ApiClient::OnBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &ApiClient::OnHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &r.headers);
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    if (method == "GET") {
      curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(curl_, CURLOPT_POST, 1L);
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
      if (method != "POST") curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    const CURLcode rc = curl_easy_perform(curl_);
    curl_slist_free_all(list);
    if (rc != CURLE_OK) {
      r.error = curl_easy_strerror(rc);
      return r;
    }
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &r.status);
    return r;
  }

  ApiResult Get(const std::string& path, const std::string& token,
                const std::vector<std::string>& headers = {}) {
    return Call("GET", path, token, "", "", headers);
  }
  ApiResult Post(const std::string& path, const std::string& token, const json::value& body,
                 const std::vector<std::string>& headers = {}) {
    return Call("POST", path, token, json::serialize(body), "application/json", headers);
  }
  ApiResult PostCsv(const std::string& path, const std::string& token, const std::string& csv) {
    return Call("POST", path, token, csv, "text/csv");
  }

 private:
  static size_t OnBody(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
  }
  static size_t OnHeader(char* data, size_t size, size_t n, void* out) {
    std::string line(data, size * n);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ')) value.erase(value.begin());
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
      (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
    }
    return size * n;
  }

  std::string base_;
  CURL* curl_;
};

// Percent-encodes everything but unreserved characters (RFC 3986).
inline std::string UrlEncode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

inline const std::string kPepper = "api-test-pepper-0123456789abcdef";
inline const std::string kCallbackKey = "cbkey-api-test";

// Demo data (domain/demo.h): Upendo (KE) is group 1, Tumaini (UG) group 2.
inline constexpr int64_t kUpendo = 1;
inline constexpr int64_t kTumaini = 2;
inline const std::string kMaryPhone = "+254700000005";  // step 1 of the training only

class StaffApiFixture : public ::testing::Test {
 protected:
  StaffApiFixture() {
    static std::atomic<int> n{0};
    dir_ = ::testing::TempDir() + "/api_" + std::to_string(::getpid()) + "_" +
           std::to_string(n++);
    test_db_.Configure(settings_);
    settings_.listen_host = "127.0.0.1";
    settings_.listen_port = 0;
    settings_.catalogue_dir = std::string(SHG_SOURCE_DIR) + "/config/lang";
    settings_.outbox.poll_ms = 20;
    config::ChannelSettings at;
    at.id = "at-ke";
    at.type = "africastalking";
    at.country = "KE";
    at.service_code = "*384*7#";
    at.callback_key = kCallbackKey;
    at.api_base_url = "http://127.0.0.1:9/at-ke";  // nothing listens: sends fail and retry
    at.username = "sandbox";
    at.secret = "at-api-key";
    at.sender = "22384";
    settings_.channels = {at};
    // A loan partner without an API (its decisions come by the CLI): the
    // USSD loan request needs a product to offer.
    config::MfiPartnerSettings partner;
    partner.id = "imara";
    partner.name = "Imara Microfinance";
    partner.secret = "imara-shared-secret-0123456789";
    settings_.mfi_partners = {partner};
  }

  void SetUp() override {
    std::filesystem::create_directories(dir_);
    {
      store::StoreOptions so = test_db_.Options();
      auto store = store::Store::Open(so);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      PinHasher pins(kPepper);
      ASSERT_TRUE(LoadDemo(**store, pins, 30, gateway::SystemNow() - 86400).ok());
    }
    auto app = gateway::App::Create(settings_, kPepper, [this] { return Now(); });
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    ASSERT_TRUE(app_->Start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(app_->port());
    client_ = std::make_unique<ApiClient>(base_);
    admin_ = MakeUser("root", StaffRole::kAdmin, {});
  }

  void TearDown() override {
    client_.reset();
    app_.reset();
    std::filesystem::remove_all(dir_);
  }

  int64_t Now() const { return gateway::SystemNow() + clock_offset_.load(); }

  // A staff user and her token, made through the domain (as the CLI does).
  std::string MakeUser(const std::string& name, StaffRole role, const std::vector<int64_t>& groups,
                       const std::string& partner_id = "") {
    std::string token;
    Status s = app_->store().Run([&](store::Connection& conn) -> Status {
      Staff staff(conn, Now());
      StaffUser u;
      u.name = name;
      u.display_name = name;
      u.role = role;
      u.partner_id = partner_id;
      auto id = staff.Add(u, "");
      if (!id.ok()) return id.status();
      for (int64_t g : groups) SHG_RETURN_IF_ERROR(staff.AssignGroup(*id, g));
      auto issued = staff.CreateToken(*id, "test", 0);
      if (!issued.ok()) return issued.status();
      token = issued->token;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return token;
  }

  int64_t Count(const std::string& sql) {
    return testing::CountRows(app_->store().Reader(), sql);
  }

  // The id of the active member with this phone and (first) name prefix.
  int64_t MemberId(const std::string& phone, const std::string& name_prefix = "") {
    DomainContext ctx;
    ctx.now = Now();
    auto members = Services(app_->store().Reader(), ctx).MembersByPhone(phone);
    EXPECT_TRUE(members.ok());
    if (!members.ok()) return 0;
    for (const Member& m : *members) {
      if (m.name.rfind(name_prefix, 0) == 0) return m.id;
    }
    ADD_FAILURE() << "no member " << name_prefix << " on " << phone;
    return 0;
  }

  // One USSD session in the Africa's Talking format (each step re-sends the
  // whole path); every answer in order, the dial's first.
  std::vector<std::string> Ussd(const std::string& phone, const std::vector<std::string>& keys) {
    static std::atomic<int> sessions{0};
    const std::string id = "ATUid_api_" + std::to_string(++sessions);
    ApiClient c(base_);
    std::string path;
    std::vector<std::string> answers;
    for (size_t i = 0; i <= keys.size(); ++i) {
      if (i > 0) path += (i > 1 ? "*" : "") + keys[i - 1];
      const std::string body = "sessionId=" + id + "&serviceCode=" + UrlEncode("*384*7#") +
                               "&phoneNumber=" + UrlEncode(phone) +
                               "&networkCode=63902&text=" + UrlEncode(path);
      ApiResult r = c.Call("POST", "/channels/at-ke/ussd?key=" + kCallbackKey, "", body,
                           "application/x-www-form-urlencoded");
      EXPECT_EQ(r.status, 200) << r.body;
      answers.push_back(r.body);
    }
    return answers;
  }

  config::Settings settings_;
  std::string dir_;
  shg::testing::TestDatabase test_db_;
  std::string base_;
  std::atomic<int64_t> clock_offset_{0};  // seconds added to the App's clock
  std::unique_ptr<gateway::App> app_;
  std::unique_ptr<ApiClient> client_;
  std::string admin_;  // the admin's bearer token
};

}  // namespace shg::api_test
