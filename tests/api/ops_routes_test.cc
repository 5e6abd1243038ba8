// Staff API operations over real loopback HTTP on the real gateway: the
// outbox list (masked phones, a one-time PIN never shown), retry and cancel
// as `outbox retry|cancel` with 409 and the status when they do not fit,
// their audit rows carrying the token, and the audit list newest first.
#include <gtest/gtest.h>

#include "domain/messages.h"
#include "tests/api/loans_fixture.h"
#include "tests/support/net.h"

namespace shg::api_test {
namespace {

class OpsApiTest : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    if (HasFatalFailure()) return;
    admin_ = AddStaff("admin1", StaffRole::kAdmin);
    fo_ = AddStaff("fo-own", StaffRole::kFieldOfficer, "", {upendo_});
    ro_ = AddStaff("ro1", StaffRole::kReadOnly);
    imara_ = AddStaff("imara-staff", StaffRole::kPartner, "imara");
  }
  std::string StatusOf(int64_t id) {
    std::string out;
    Status s = app_->store().Run([&](store::Connection& conn) -> Status {
      auto m = Messages(conn, 0).Get(id);
      if (!m.ok()) return m.status();
      out = m->status;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  // Waits until the dispatcher has tried the message once (it cannot be
  // sent: it waits an hour for its retry, queued).
  void WaitTried(int64_t id) {
    ASSERT_TRUE(testing::WaitFor(
        [&] {
          return Count("SELECT COUNT(*) FROM messages WHERE id = " + std::to_string(id) +
                       " AND status = 'queued' AND attempts >= 1") == 1;
        },
        std::chrono::seconds(10)));
  }

  Staffer admin_, fo_, ro_, imara_;
};

TEST_F(OpsApiTest, RolesOfTheOperationsRoutes) {
  struct Case {
    const char* method;
    std::string path;
    std::array<long, 4> want;  // admin, field officer, read-only, partner
  };
  const std::vector<Case> cases = {
      {"GET", "/audit", {200, 403, 200, 403}},
      {"GET", "/messages", {200, 403, 200, 403}},
      {"GET", "/messages?status=bogus", {400, 403, 400, 403}},
      {"POST", "/messages/999999/retry", {404, 403, 403, 403}},
      {"POST", "/messages/999999/cancel", {404, 403, 403, 403}},
  };
  const std::array<const Staffer*, 4> who = {&admin_, &fo_, &ro_, &imara_};
  for (const Case& c : cases) {
    for (size_t i = 0; i < who.size(); ++i) {
      Reply r = Call(c.method, base_ + c.path, who[i]->token, c.method[0] == 'P' ? "{}" : "");
      EXPECT_EQ(r.status, c.want[i]) << c.method << " " << c.path << " as #" << i << ": " << r.body;
    }
  }
}

TEST_F(OpsApiTest, OutboxListHidesSecretsAndRetryCancelChangeStatesAudited) {
  // A one-time PIN by SMS (sensitive) and a loan notice (not).
  const int64_t amina = MemberId(kAmina);
  Reply pin = Post("/members/" + std::to_string(amina) + "/pin-reset", admin_, json::object{});
  ASSERT_EQ(pin.status, 200) << pin.body;
  const int64_t pin_sms = pin.Json().at("sms_message_id").as_int64();
  const Loan loan = ReferredLoan(kWanjiru, 200000, 3);
  Reply d = Post("/loans/" + loan.reference + "/decision", admin_,
                 {{"decision", "decline"}, {"reason", "not this time"}});
  ASSERT_EQ(d.status, 200) << d.body;
  const int64_t notice =
      Count("SELECT id FROM messages WHERE member_id = " + std::to_string(MemberId(kWanjiru)) +
            " AND kind LIKE '%declined%' ORDER BY id DESC LIMIT 1");
  ASSERT_GT(notice, 0);

  Reply list = Get("/messages", ro_);
  ASSERT_EQ(list.status, 200) << list.body;
  bool saw_pin = false, saw_notice = false;
  for (const json::value& m : list.Json().at("data").as_array()) {
    const int64_t id = m.at("id").as_int64();
    EXPECT_EQ(m.at("phone").as_string().find("700000"), std::string::npos) << "masked: " << m;
    if (id == pin_sms) {
      saw_pin = true;
      EXPECT_TRUE(m.at("sensitive").as_bool());
      EXPECT_EQ(m.at("body").as_string(), "[hidden: one-time secret]");
    }
    if (id == notice) {
      saw_notice = true;
      EXPECT_NE(m.at("body").as_string().find("not this time"), std::string::npos) << m;
    }
  }
  EXPECT_TRUE(saw_pin);
  EXPECT_TRUE(saw_notice);
  EXPECT_EQ(list.body.find(kAmina), std::string::npos);
  EXPECT_EQ(Get("/messages.csv", admin_).body.find(kAmina), std::string::npos);

  // Cancel, cancel again (409 with the status), retry, retry again (409).
  WaitTried(notice);
  const std::string m = "/messages/" + std::to_string(notice);
  Reply r = Post(m + "/cancel", admin_, json::object{});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().at("status").as_string(), "cancelled");
  EXPECT_EQ(StatusOf(notice), "cancelled");
  r = Post(m + "/cancel", admin_, json::object{});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.Json().at("status").as_string(), "cancelled");
  EXPECT_EQ(Get("/messages?status=cancelled", ro_).Json().at("data").at(0).at("id").as_int64(),
            notice);
  r = Post(m + "/retry", admin_, json::object{});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().at("status").as_string(), "queued");
  EXPECT_EQ(r.Json().at("attempts").as_int64(), 0);
  r = Post(m + "/retry", admin_, json::object{});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(Post(m + "/retry", ro_, json::object{}).status, 403);

  // A failed one-time PIN is never sent again (its body is redacted).
  Status s = app_->store().Run([&](store::Connection& conn) -> Status {
    return Messages(conn, 0).MarkFailed(pin_sms, "test");
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  r = Post("/messages/" + std::to_string(pin_sms) + "/retry", admin_, json::object{});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.Json().at("status").as_string(), "failed");

  // Each change is audited once, with the admin's token.
  const std::string t = std::to_string(admin_.token_id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'message.cancelled' AND subject ="
                  " 'message:" +
                  std::to_string(notice) + "' AND token_id = " + t),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'message.retried' AND subject ="
                  " 'message:" +
                  std::to_string(notice) + "' AND token_id = " + t),
            1);

  // The audit list, newest first, filtered and paged by a descending cursor.
  Reply audit = Get("/audit?subject=message:" + std::to_string(notice), ro_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  const json::array& rows = audit.Json().at("data").as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("action").as_string(), "message.retried");
  EXPECT_EQ(rows[1].at("action").as_string(), "message.cancelled");
  EXPECT_EQ(rows[0].at("token_id").as_int64(), admin_.token_id);
  EXPECT_EQ(rows[0].at("actor").as_string(), "admin1");
  EXPECT_EQ(Get("/audit?actor=admin1", ro_).Json().at("data").as_array().size(),
            static_cast<size_t>(Count("SELECT COUNT(*) FROM audit_log WHERE actor = 'admin1'")));
  Reply p1 = Get("/audit?limit=2", ro_);
  ASSERT_EQ(p1.status, 200);
  const json::array& a1 = p1.Json().at("data").as_array();
  ASSERT_EQ(a1.size(), 2u);
  EXPECT_GT(a1[0].at("id").as_int64(), a1[1].at("id").as_int64());
  ASSERT_TRUE(p1.Json().at("next_cursor").is_string());
  Reply p2 =
      Get("/audit?limit=2&cursor=" + std::string(p1.Json().at("next_cursor").as_string()), ro_);
  ASSERT_EQ(p2.status, 200);
  ASSERT_FALSE(p2.Json().at("data").as_array().empty());
  EXPECT_LT(p2.Json().at("data").at(0).at("id").as_int64(), a1[1].at("id").as_int64());
}

}  // namespace
}  // namespace shg::api_test
