// Fixture of the staff API's loan, report and operations tests: the real
// gateway (gateway::App on a temporary SQLite file with the demo data, port
// 0, an injected clock) over real loopback HTTP, staff users and tokens made
// with domain Staff in a Store::Run, and a small libcurl client that sends
// the Authorization header (tests/support/http_client.h has none).
//
// The SMS channel points at a closed port with a long retry delay: SMS rows
// are queued (and stay queued or retrying) but never sent, so the tests see
// the outbox rows the API wrote.
#pragma once

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <cctype>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/programme.h"
#include "domain/demo.h"
#include "domain/loans.h"
#include "domain/services.h"
#include "domain/staff.h"
#include "domain/store/store.h"
#include "gateway/app.h"
#include "tests/support/count_rows.h"
#include "tests/support/test_db.h"

namespace shg::api_test {

namespace json = boost::json;

struct Reply {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  // The body parsed (once); a reference into this reply.
  const json::value& Json() const {
    if (!parsed) {
      boost::system::error_code ec;
      parsed = json::parse(body, ec);
      EXPECT_FALSE(ec) << "not JSON: " << body;
    }
    return *parsed;
  }
  mutable std::optional<json::value> parsed;
};

// One request with curl: method, URL, optional JSON body, extra headers.
inline Reply Call(const std::string& method, const std::string& url, const std::string& token,
                  const std::string& body = "", std::vector<std::string> headers = {}) {
  Reply r;
  CURL* c = curl_easy_init();
  curl_slist* list = nullptr;
  if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
  if (method != "GET") headers.push_back("Content-Type: application/json");
  for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
  if (method != "GET") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  auto write = +[](char* p, size_t s, size_t n, void* out) -> size_t {
    static_cast<std::string*>(out)->append(p, s * n);
    return s * n;
  };
  auto header = +[](char* p, size_t s, size_t n, void* out) -> size_t {
    std::string line(p, s * n);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ')) value.erase(value.begin());
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
      (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
    }
    return s * n;
  };
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
  CURLcode rc = curl_easy_perform(c);
  EXPECT_EQ(rc, CURLE_OK) << curl_easy_strerror(rc);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(c);
  return r;
}

inline const std::string kPepper = "api-loans-test-pepper-0123456789";
inline const std::string kAmina = "+254700000001";
inline const std::string kWanjiru = "+254700000002";  // treasurer
inline const std::string kGrace = "+254700000003";    // chair
constexpr int64_t kDay = 86400;

// A staff user's API token and ids.
struct Staffer {
  int64_t id = 0;
  int64_t token_id = 0;
  std::string token;
};

class ApiFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = ::testing::TempDir() + "/api_loans_" + std::to_string(::getpid()) + "_" +
           std::to_string(n++);
    std::filesystem::create_directories(dir_);
    now_->store(gateway::SystemNow());
    test_db_.Configure(settings_);
    settings_.listen_host = "127.0.0.1";
    settings_.listen_port = 0;
    settings_.catalogue_dir = std::string(SHG_SOURCE_DIR) + "/config/lang";
    settings_.outbox.retry_base_ms = 3600 * 1000;
    settings_.outbox.retry_max_ms = 3600 * 1000;
    settings_.outbox.poll_ms = 20;
    config::ChannelSettings at;
    at.id = "at-ke";
    at.type = "africastalking";
    at.country = "KE";
    at.service_code = "*384*7#";
    at.callback_key = "cbkey-api-loans";
    at.api_base_url = "http://127.0.0.1:9/at-ke";  // closed: nothing is sent
    at.username = "sandbox";
    at.secret = "at-api-key-SECRET";
    at.sender = "22384";
    settings_.channels = {at};
    config::MfiPartnerSettings imara;
    imara.id = "imara";
    imara.name = "Imara Microfinance";
    imara.secret = "imara-shared-secret-0123456789";
    imara.currency = "KES";
    settings_.mfi_partners = {imara};  // no API: staff record its events
    {
      store::StoreOptions so = test_db_.Options();
      auto store = store::Store::Open(so);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      PinHasher pins(kPepper);
      ASSERT_TRUE(LoadDemo(**store, pins, 30, now_->load() - 86400).ok());
    }
    auto clock = now_;
    auto app = gateway::App::Create(settings_, kPepper, [clock] { return clock->load(); });
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    ASSERT_TRUE(app_->Start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(app_->port()) + "/api/v1";
    programme_ = config::LoanProgrammeFrom(settings_);
    upendo_ = Count("SELECT group_id FROM members WHERE phone = '" + kAmina + "'");
    tumaini_ = Count("SELECT id FROM groups WHERE currency = 'UGX' ORDER BY id LIMIT 1");
  }

  void TearDown() override {
    app_.reset();
    std::filesystem::remove_all(dir_);
  }

  int64_t Count(const std::string& sql) {
    return testing::CountRows(app_->store().Reader(), sql);
  }
  int64_t MemberId(const std::string& phone, const std::string& name = "") {
    return Count("SELECT id FROM members WHERE phone = '" + phone + "'" +
                 (name.empty() ? "" : " AND name LIKE '" + name + "%'") + " ORDER BY id LIMIT 1");
  }

  // A staff user with a token; a field officer is assigned `groups`.
  Staffer AddStaff(const std::string& name, StaffRole role, const std::string& partner = "",
                   std::vector<int64_t> groups = {}) {
    Staffer s;
    Status st = app_->store().Run([&](store::Connection& conn) -> Status {
      Staff staff(conn, now_->load());
      StaffUser u;
      u.name = name;
      u.display_name = name;
      u.role = role;
      u.partner_id = partner;
      auto id = staff.Add(u, "");
      if (!id.ok()) return id.status();
      s.id = *id;
      for (int64_t g : groups) SHG_RETURN_IF_ERROR(staff.AssignGroup(*id, g));
      auto t = staff.CreateToken(*id, "test", 0);
      if (!t.ok()) return t.status();
      s.token_id = t->id;
      s.token = t->token;
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return s;
  }

  // Her request (domain Loans::Request) approved by the group: the loan is
  // referred_to_mfi (Imara has no API: nothing is sent to it).
  Loan ReferredLoan(const std::string& phone, int64_t amount, int term,
                    const std::string& name = "") {
    const int64_t member = MemberId(phone, name);
    const int64_t approver = MemberId(phone == kGrace ? kWanjiru : kGrace);
    Loan out;
    Status st = app_->store().Run([&](store::Connection& conn) -> Status {
      PinHasher pins(kPepper);
      DomainContext ctx{&pins, 3, now_->load()};
      Loans loans(conn, ctx, programme_);
      LoanRequest r;
      r.member_id = member;
      r.amount = amount;
      r.purpose = programme_.purposes.at(1);
      r.term_months = term;
      r.consent = true;
      r.channel = "test";
      const Actor actor{"member", std::to_string(member), "test", ""};
      auto o = loans.Request(r, actor);
      if (!o.ok()) return o.status();
      if (!o->refusal.empty()) return Status::FailedPrecondition("refused: " + o->refusal);
      auto c = loans.GroupDecide(o->loan->id, approver, true, "",
                                 Actor{"member", std::to_string(approver), "test", ""});
      if (!c.ok()) return c.status();
      out = c->loan;
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(out.state, LoanState::kReferredToMfi);
    return out;
  }

  Reply Get(const std::string& path, const Staffer& who, std::vector<std::string> headers = {}) {
    return Call("GET", base_ + path, who.token, "", std::move(headers));
  }
  Reply Post(const std::string& path, const Staffer& who, const json::value& body,
             std::vector<std::string> headers = {}) {
    return Call("POST", base_ + path, who.token, json::serialize(body), std::move(headers));
  }

  std::string dir_;

  shg::testing::TestDatabase test_db_;
  std::string base_;
  config::Settings settings_;
  LoanProgramme programme_;
  std::shared_ptr<std::atomic<int64_t>> now_ = std::make_shared<std::atomic<int64_t>>(0);
  std::unique_ptr<gateway::App> app_;
  int64_t upendo_ = 0;
  int64_t tumaini_ = 0;
};

}  // namespace shg::api_test
