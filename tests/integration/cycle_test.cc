// End-to-end savings cycle (issue 11 "Done means"): the real gateway (port
// 0, a temporary SQLite file with the demo data, an injectable clock, the
// outbox dispatcher) against the real loopback fake provider that takes the
// SMS and plays the MFI partner "Imara".
//
// Upendo (a lending cycle, 10% a month flat) runs twelve weekly meetings:
// Amina and Halima save by USSD and Wanjiru (treasurer) confirms each saving
// under Group tasks; every member pays KES 20 to the social fund; Halima is
// fined for coming late and Wanjiru confirms it. Amina borrows KES 3,000 for
// 2 months from the group fund (Grace, chair, approves under Group tasks)
// and repays KES 3,600 by USSD; Wanjiru's KES 9,000 over 6 months is a term
// the fund does not lend, so it goes to the MFI. Staff close the cycle: the
// share-out preview's lines sum to the fund to the shilling; an officer
// confirms; every member with a share gets her SMS; the ledger checks; a
// second cycle opens with everyone's payout reinvested.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "domain/cycles.h"
#include "domain/demo.h"
#include "domain/loans.h"
#include "domain/money.h"
#include "domain/services.h"
#include "domain/staff.h"
#include "domain/store/store.h"
#include "gateway/app.h"
#include "gateway/fake/fake_provider.h"
#include "tests/support/count_rows.h"
#include "tests/support/http_client.h"
#include "tests/support/net.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

namespace json = boost::json;
using testing::FreePort;
using testing::HttpClient;
using testing::HttpResult;
using testing::WaitFor;

const std::string kPepper = "cycle-test-pepper-0123456789abcdef";
const std::string kCallbackKey = "cbkey-cycle-SECRET";
const std::string kPartnerSecret = "imara-shared-secret-0123456789";
constexpr int64_t kWeek = 7 * 86400;

const std::string kAmina = "+254700000001";
const std::string kWanjiru = "+254700000002";  // treasurer
const std::string kGrace = "+254700000003";    // chair
const std::string kHalima = "+254700000006";   // Kiswahili

class CycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = ::testing::TempDir() + "/cycle_" + std::to_string(::getpid()) + "_" +
           std::to_string(n++);
    std::filesystem::create_directories(dir_);
    const uint16_t port = FreePort();
    base_ = "http://127.0.0.1:" + std::to_string(port);
    gateway::FakeProviderOptions fo;
    fo.gateway_url = base_;
    fo.callback_keys["at-ke"] = kCallbackKey;
    fo.dlr_delay_ms = 20;
    fo.print = false;
    gateway::FakeMfiPartnerOptions imara;
    imara.id = "imara";
    imara.name = "Imara Microfinance";
    imara.secret = kPartnerSecret;
    fo.mfi_partners.push_back(imara);
    fake_ = std::make_unique<gateway::FakeProvider>(fo);
    ASSERT_TRUE(fake_->Start().ok());
    const std::string fake = "http://127.0.0.1:" + std::to_string(fake_->port());

    test_db_.Configure(settings_);
    settings_.listen_host = "127.0.0.1";
    settings_.listen_port = port;
    settings_.catalogue_dir = std::string(SHG_SOURCE_DIR) + "/config/lang";
    settings_.outbox.retry_base_ms = 50;
    settings_.outbox.retry_max_ms = 200;
    settings_.outbox.poll_ms = 20;
    settings_.loans.group_loans = true;
    config::ChannelSettings at;
    at.id = "at-ke";
    at.type = "africastalking";
    at.country = "KE";
    at.service_code = "*384*7#";
    at.callback_key = kCallbackKey;
    at.api_base_url = fake + "/at-ke";
    at.username = "sandbox";
    at.secret = "at-api-key-SECRET";
    at.sender = "22384";
    settings_.channels = {at};
    config::MfiPartnerSettings partner;
    partner.id = "imara";
    partner.name = "Imara Microfinance";
    partner.api_base_url = fake + "/mfi/imara";
    partner.secret = kPartnerSecret;
    partner.currency = "KES";
    partner.min_amount_units = 1000;
    partner.max_amount_units = 100000;
    partner.terms_months = {3, 6, 12};
    partner.interest_rule = "declining";
    partner.annual_rate_bp = 1800;
    settings_.mfi_partners = {partner};
    now_ = gateway::SystemNow();
    {
      store::StoreOptions so = test_db_.Options();
      auto store = store::Store::Open(so);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      PinHasher pins(kPepper);
      ASSERT_TRUE(LoadDemo(**store, pins, 30, now_ - 86400).ok());
    }
    auto app = gateway::App::Create(settings_, kPepper, [this] { return now_.load(); });
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    ASSERT_TRUE(app_->Start().ok());
    token_ = StaffToken();
  }

  void TearDown() override {
    app_.reset();
    fake_.reset();
    std::filesystem::remove_all(dir_);
  }

  // An admin's API token, created as `shg-gateway staff` would.
  std::string StaffToken() {
    std::string token;
    Status s = app_->store().Run([&](store::Connection& conn) -> Status {
      Staff staff(conn, now_.load());
      StaffUser u;
      u.name = "officer";
      u.display_name = "Field Officer";
      u.role = StaffRole::kAdmin;
      auto id = staff.Add(u, "");
      if (!id.ok()) return id.status();
      auto issued = staff.CreateToken(*id, "cycle-test", 0);
      if (!issued.ok()) return issued.status();
      token = issued->token;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return token;
  }

  // One USSD session (Africa's Talking: each step re-sends the path so far).
  std::vector<std::string> UssdScreens(const std::string& phone,
                                       const std::vector<std::string>& keys) {
    static std::atomic<int> sessions{0};
    const std::string id = "ATUid_cycle_" + std::to_string(++sessions);
    HttpClient c;
    std::string path;
    std::vector<std::string> answers;
    for (size_t i = 0; i <= keys.size(); ++i) {
      if (i > 0) path += (i > 1 ? "*" : "") + keys[i - 1];
      HttpResult r = c.PostForm(base_ + "/channels/at-ke/ussd?key=" + kCallbackKey,
                                {{"sessionId", id}, {"serviceCode", "*384*7#"},
                                 {"phoneNumber", phone}, {"networkCode", "63902"}, {"text", path}});
      EXPECT_EQ(r.status, 200) << r.body;
      answers.push_back(r.body);
    }
    return answers;
  }
  std::string Ussd(const std::string& phone, const std::vector<std::string>& keys) {
    return UssdScreens(phone, keys).back();
  }

  json::value Api(const std::string& method, const std::string& path, const std::string& body,
                  int expect_status) {
    HttpClient c;
    const std::vector<std::string> auth = {"Authorization: Bearer " + token_};
    HttpResult r = method == "GET"
                       ? c.Get(base_ + path, auth)
                       : c.PostRaw(base_ + path, body, "application/json", auth);
    EXPECT_EQ(r.status, expect_status) << method << " " << path << "\n" << r.body;
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    return v;
  }

  int64_t MemberId(const std::string& phone) {
    DomainContext ctx;
    ctx.now = now_.load();
    auto members = Services(app_->store().Reader(), ctx).MembersByPhone(phone);
    EXPECT_TRUE(members.ok() && !members->empty());
    return members.ok() && !members->empty() ? members->front().id : 0;
  }

  void ExpectLedgerBalanced(const std::string& step) {
    DomainContext ctx;
    Status s = Services(app_->store().Reader(), ctx).CheckLedger();
    EXPECT_TRUE(s.ok()) << step << ": " << s.ToString();
  }

  std::vector<std::string> SmsTo(const std::string& phone) {
    std::vector<std::string> out;
    for (const auto& m : fake_->Messages()) {
      if (m.to == phone) out.push_back(m.text);
    }
    return out;
  }
  bool GotSms(const std::string& phone, const std::string& text) {
    return WaitFor(
        [&] {
          for (const std::string& s : SmsTo(phone)) {
            if (s.find(text) != std::string::npos) return true;
          }
          return false;
        },
        std::chrono::seconds(10));
  }
  int64_t Count(const std::string& sql) {
    return testing::CountRows(app_->store().Reader(), sql);
  }

  // A saving by USSD and its confirmation by Wanjiru under Group tasks.
  void SaveAndConfirm(const std::string& phone, const std::string& shillings) {
    const std::string saved = Ussd(phone, {"2580", "2", shillings, "1"});
    ASSERT_EQ(saved.rfind("END ", 0), 0u) << saved;
    const std::string confirmed = Ussd(kWanjiru, {"2580", "8", "1", "1", "1"});
    ASSERT_NE(confirmed.find("Confirmed"), std::string::npos) << confirmed;
  }

  std::string dir_, base_, token_;

  shg::testing::TestDatabase test_db_;
  config::Settings settings_;
  std::atomic<int64_t> now_{0};
  std::unique_ptr<gateway::FakeProvider> fake_;
  std::unique_ptr<gateway::App> app_;
};

int64_t Int(const json::value& v, const char* key) { return v.at(key).to_number<int64_t>(); }

TEST_F(CycleTest, UpendoRunsACycleToAnExactShareOutAndReinvests) {
  const int64_t upendo = 1;
  const int64_t amina = MemberId(kAmina);
  const int64_t halima = MemberId(kHalima);
  const int64_t wanjiru = MemberId(kWanjiru);
  json::value cycle = Api("GET", "/api/v1/groups/1/cycles", "", 200);
  const int64_t cycle_id = Int(cycle.at("data").at(0), "id");
  ASSERT_EQ(cycle.at("data").at(0).at("state").as_string(), "active");

  // Twelve weekly meetings: savings, social fund, and a fine in week 3.
  std::vector<int64_t> ids;
  for (const std::string& phone : {kAmina, kWanjiru, kGrace, kHalima}) ids.push_back(MemberId(phone));
  for (int week = 1; week <= 12; ++week) {
    now_ += kWeek;
    ASSERT_NO_FATAL_FAILURE(SaveAndConfirm(kAmina, "500"));
    ASSERT_NO_FATAL_FAILURE(SaveAndConfirm(kHalima, "300"));
    for (int64_t id : ids) {
      Api("POST", "/api/v1/groups/1/social-fund",
          "{\"member_id\":" + std::to_string(id) + ",\"amount\":2000}", 201);
    }
    if (week == 3) {
      json::value fine = Api("POST", "/api/v1/groups/1/fines",
                             "{\"member_id\":" + std::to_string(halima) +
                                 ",\"kind\":\"late\",\"amount\":5000}",
                             201);
      Api("POST", "/api/v1/fines/" + std::to_string(Int(fine, "id")) + "/confirm",
          "{\"decided_by\":" + std::to_string(wanjiru) + "}", 200);
    }
  }
  ExpectLedgerBalanced("twelve weeks");

  // Amina borrows KES 3,000 for 2 months from the group fund.
  const std::vector<std::string> request =
      UssdScreens(kAmina, {"2580", "3", "3000", "2", "2", "1", "1"});
  ASSERT_EQ(request.back().rfind("END Loan request KES 3,000", 0), 0u) << request.back();
  const std::string ref = request.back().substr(request.back().rfind(' ') + 1);
  const std::vector<std::string> approve = UssdScreens(kGrace, {"2580", "8", "2", "1", "1"});
  EXPECT_NE(approve[4].find("1. Approve from group fund"), std::string::npos) << approve[4];
  EXPECT_NE(approve[5].find("Lent from group fund: hand over KES 3,000. Ref " + ref),
            std::string::npos)
      << approve[5];
  EXPECT_TRUE(GotSms(kAmina, "Loan Ref " + ref + " from your group fund: KES 3,000. Pay KES "
                             "1,800/month, total KES 3,600."));
  ExpectLedgerBalanced("lent from the fund");

  // Wanjiru asks KES 9,000 over 6 months: not a term the fund lends, so it
  // can only be referred to the MFI.
  const std::vector<std::string> wanjiru_request =
      UssdScreens(kWanjiru, {"2580", "3", "9000", "2", "98", "1", "1", "1"});
  ASSERT_NE(wanjiru_request.back().find("Loan request KES 9,000"), std::string::npos)
      << wanjiru_request.back();
  const std::vector<std::string> refer = UssdScreens(kGrace, {"2580", "8", "2", "1"});
  EXPECT_EQ(refer.back().find("Approve from group fund"), std::string::npos) << refer.back();
  EXPECT_NE(refer.back().find("2. Refer to Imara Microfinance"), std::string::npos)
      << refer.back();
  const std::string referred = Ussd(kGrace, {"2580", "8", "2", "1", "2"});
  EXPECT_NE(referred.find("Referred to Imara Microfinance"), std::string::npos) << referred;
  // Queued for Imara through the outbox (the fake partner refuses a
  // signature from this test's clock, weeks ahead of its own).
  EXPECT_EQ(Count("SELECT COUNT(*) FROM loans WHERE source = 'mfi' AND state = 'referred_to_mfi'"
                  " AND amount = 900000"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages WHERE channel = 'partner:imara'"), 1);

  // She repays the whole loan by USSD; Wanjiru confirms it.
  now_ += 4 * kWeek;
  const std::string logged = Ussd(kAmina, {"2580", "4", "1", "3600", "1"});
  EXPECT_EQ(logged.rfind("END ", 0), 0u) << logged;
  const std::string repaid = Ussd(kWanjiru, {"2580", "8", "3", "1", "1"});
  EXPECT_NE(repaid.find("Confirmed"), std::string::npos) << repaid;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM loans WHERE reference = '" + ref +
                  "' AND state = 'repaid' AND source = 'group'"),
            1);

  // Staff close the cycle; the preview sums to the fund to the shilling.
  Api("POST", "/api/v1/cycles/" + std::to_string(cycle_id) + "/close", "{}", 200);
  json::value preview =
      Api("GET", "/api/v1/cycles/" + std::to_string(cycle_id) + "/share-out", "", 200);
  const json::value& totals = preview.at("totals");
  ASSERT_TRUE(preview.at("blockers").as_array().empty()) << json::serialize(preview);
  EXPECT_EQ(Int(totals, "income"), 60000 + 5000);  // her interest and the fine
  int64_t shares = 0, payouts = 0;
  std::map<int64_t, json::object> rows;
  for (const json::value& r : preview.at("rows").as_array()) {
    shares += Int(r, "share");
    payouts += Int(r, "payout");
    EXPECT_EQ(Int(r, "share") % 100, 0) << json::serialize(r);  // whole shillings
    rows[Int(r, "member_id")] = r.as_object();
  }
  EXPECT_EQ(shares, Int(totals, "distributed"));
  EXPECT_EQ(Int(totals, "distributed") + Int(totals, "carried"), Int(totals, "fund"));
  EXPECT_EQ(Int(totals, "fund"), Int(totals, "savings") + Int(totals, "income"));
  EXPECT_EQ(payouts, Int(totals, "total_payout"));
  EXPECT_EQ(Int(totals, "social_fund"), 12 * 4 * 2000);  // shown, never shared
  ASSERT_TRUE(rows.count(amina));
  EXPECT_EQ(Int(rows[amina], "savings"), 425000 + 12 * 50000);

  // An officer confirms; every member with a share gets her SMS.
  json::value done =
      Api("POST", "/api/v1/cycles/" + std::to_string(cycle_id) + "/share-out", "{}", 200);
  EXPECT_EQ(done.at("cycle").at("state").as_string(), "shared_out");
  const Currency kes = *FindCurrency("KES");
  const std::string amina_sms = "Share-out: savings " + FormatMoney(Int(rows[amina], "savings"), kes) +
                                " + profit " + FormatMoney(Int(rows[amina], "profit"), kes) +
                                " = " + FormatMoney(Int(rows[amina], "share"), kes);
  EXPECT_TRUE(GotSms(kAmina, amina_sms)) << amina_sms;
  EXPECT_TRUE(GotSms(kHalima, "Mgao: akiba "));
  const int64_t with_share = Count(
      "SELECT COUNT(*) FROM share_out_lines WHERE cycle_id = " + std::to_string(cycle_id) +
      " AND share > 0");
  int64_t rows_with_share = 0;
  for (const auto& [id, r] : rows) rows_with_share += Int(r, "share") > 0 ? 1 : 0;
  EXPECT_EQ(with_share, rows_with_share);
  EXPECT_GE(with_share, 19);  // every Upendo member but Faith, who never saved
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages WHERE kind IN ('share_out', 'share_out_netted')"), with_share);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts WHERE group_id = 1 AND kind IN"
                  " ('member_savings', 'group_income') AND balance <> 0"),
            0);
  EXPECT_EQ(Count("SELECT balance FROM accounts WHERE group_id = 1 AND kind = 'group_social_fund'"),
            12 * 4 * 2000);
  ExpectLedgerBalanced("shared out");
  const std::string balance = Ussd(kAmina, {"2580", "1"});
  EXPECT_EQ(balance.find("est."), std::string::npos) << "no estimate after the share-out\n"
                                                     << balance;

  // The next cycle: planned, then started with every payout reinvested.
  json::value next = Api("POST", "/api/v1/groups/1/cycles",
                         "{\"lends\":true,\"social_fund_per_meeting\":2000,"
                         "\"flat_rate_bp_per_month\":1000,\"share_out_unit\":100}",
                         201);
  EXPECT_EQ(Int(next, "number"), 2);
  EXPECT_EQ(Int(next, "carried_in"), Int(totals, "carried"));
  json::value started = Api("POST", "/api/v1/cycles/" + std::to_string(Int(next, "id")) + "/start",
                            "{\"reinvest\":\"all\"}", 200);
  EXPECT_EQ(started.at("state").as_string(), "active");
  EXPECT_EQ(Count("SELECT -balance FROM accounts WHERE member_id = " + std::to_string(amina) +
                  " AND kind = 'member_savings'"),
            Int(rows[amina], "payout"));
  EXPECT_EQ(Count("SELECT COALESCE(SUM(amount), 0) FROM savings WHERE channel = 'reinvest'"),
            Int(totals, "total_payout"));
  ExpectLedgerBalanced("second cycle");
  (void)upendo;
}

}  // namespace
}  // namespace shg
