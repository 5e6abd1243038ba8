// Savings over real loopback HTTP: a group's savings listed by status and
// cursor, and an admin's reversal of a confirmed saving (409 unless
// confirmed and not yet reversed), posted to the ledger and audited.
#include <gtest/gtest.h>

#include <set>

#include "tests/api/staff_api_fixture.h"

namespace shg::api_test {
namespace {

class SavingsRoutesTest : public StaffApiFixture {
 protected:
  void SetUp() override {
    StaffApiFixture::SetUp();
    amina_ = MemberId("+254700000001", "Amina");
    const int64_t wanjiru = MemberId("+254700000002", "Wanjiru");  // treasurer
    // One saving of Amina's left pending, one rejected by the treasurer.
    ASSERT_TRUE(app_->store()
                    .Run([&](store::Connection& conn) -> Status {
                      DomainContext ctx{&app_->pins(), 3, Now()};
                      Services svc(conn, ctx);
                      auto pending = svc.LogSaving(amina_, 20000, "ussd", "");
                      if (!pending.ok()) return pending.status();
                      pending_ = pending->id;
                      auto rejected = svc.LogSaving(amina_, 30000, "ussd", "");
                      if (!rejected.ok()) return rejected.status();
                      rejected_ = rejected->id;
                      return svc.DecideSaving(rejected_, wanjiru, false);
                    })
                    .ok());
    confirmed_ = Count("SELECT min(id) FROM savings WHERE member_id = " + std::to_string(amina_) +
                       " AND status = 'confirmed'");
  }

  // Every row of the group's list for this status, page by page.
  std::vector<json::object> All(const std::string& token, const std::string& status, int limit) {
    std::vector<json::object> rows;
    std::string cursor;
    for (int pages = 0; pages < 100; ++pages) {
      ApiResult r = client_->Get("/api/v1/groups/1/savings?status=" + status + "&limit=" +
                                     std::to_string(limit) +
                                     (cursor.empty() ? "" : "&cursor=" + cursor),
                                 token);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) break;
      for (const json::value& row : r.Json().at("data").as_array()) rows.push_back(row.as_object());
      if (r.Json().at("next_cursor").is_null()) break;
      cursor = std::string(r.Json().at("next_cursor").as_string());
    }
    return rows;
  }

  int64_t amina_ = 0, pending_ = 0, rejected_ = 0, confirmed_ = 0;
};

TEST_F(SavingsRoutesTest, TheGroupsSavingsByStatusAndCursor) {
  const std::string officer = MakeUser("wanjiku", StaffRole::kFieldOfficer, {kUpendo});
  struct Case {
    std::string status;
    std::string where;  // the same rows in SQL
  };
  const std::vector<Case> cases = {
      {"pending", "status = 'pending'"},
      {"confirmed", "status = 'confirmed'"},
      {"rejected", "status = 'rejected'"},
      {"all", "1 = 1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status);
    const std::vector<json::object> rows = All(officer, c.status, 7);
    EXPECT_EQ(static_cast<int64_t>(rows.size()),
              Count("SELECT count(*) FROM savings WHERE group_id = 1 AND " + c.where));
    std::set<int64_t> ids;
    int64_t last = 0;
    for (const json::object& row : rows) {
      const int64_t id = row.at("id").as_int64();
      EXPECT_GT(id, last) << "by id, each once";
      last = id;
      ids.insert(id);
      if (c.status != "all") {
        EXPECT_EQ(std::string(row.at("status").as_string()), c.status);
      }
      EXPECT_EQ(row.at("currency"), "KES");
      EXPECT_GT(row.at("amount").as_int64(), 0);
      EXPECT_EQ(row.size(), 8u);
    }
    if (c.status == "pending") {
      ASSERT_EQ(rows.size(), 1u);
      EXPECT_EQ(rows[0].at("id"), pending_);
      EXPECT_EQ(rows[0].at("member_id"), amina_);
      EXPECT_EQ(rows[0].at("member_name"), "Amina Wekesa");
      EXPECT_EQ(rows[0].at("amount"), 20000);
      EXPECT_EQ(rows[0].at("reference").as_string().size(), 6u);
    }
  }
  EXPECT_EQ(All(officer, "", 500).size(), All(officer, "all", 500).size()) << "all is the default";
  ApiResult bad = client_->Get("/api/v1/groups/1/savings?status=done", officer);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json().at("error").at("field"), "status");
  EXPECT_EQ(client_->Get("/api/v1/groups/99999/savings", admin_).status, 404);
}

TEST_F(SavingsRoutesTest, AnAdminReversesAConfirmedSavingOnce) {
  ApiResult before = client_->Get("/api/v1/members/" + std::to_string(amina_), admin_);
  ASSERT_EQ(before.status, 200);
  const int64_t balance = before.Json().at("balances").at("savings_confirmed").as_int64();
  const int64_t amount =
      Count("SELECT amount FROM savings WHERE id = " + std::to_string(confirmed_));
  const std::string path = "/api/v1/savings/" + std::to_string(confirmed_) + "/reversal";

  ApiResult r = client_->Post(path, admin_, json::object{{"reason", "entered twice"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json().at("id"), confirmed_);
  EXPECT_EQ(r.Json().at("reversed"), true);
  EXPECT_EQ(r.Json().at("status"), "confirmed");
  EXPECT_EQ(r.Json().at("balances").at("savings_confirmed"), balance - amount);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'saving.reversed' AND actor ="
                  " 'root' AND subject = 'saving:" + std::to_string(confirmed_) +
                  "' AND token_id > 0 AND detail LIKE '%reason=entered twice'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM savings WHERE id = " + std::to_string(confirmed_) +
                  " AND reversal_journal_id IS NOT NULL"),
            1);
  ApiResult statement =
      client_->Get("/api/v1/members/" + std::to_string(amina_) + "/statement?limit=500", admin_);
  int reversals = 0;
  for (const json::value& line : statement.Json().at("data").as_array()) {
    if (line.at("kind") != "reversal") continue;
    ++reversals;
    EXPECT_EQ(line.at("amount"), -amount);
  }
  EXPECT_EQ(reversals, 1) << statement.body;
  {
    DomainContext ctx{&app_->pins(), 3, Now()};
    Status ledger = Services(app_->store().Reader(), ctx).CheckLedger();
    EXPECT_TRUE(ledger.ok()) << ledger.ToString();
  }

  const std::string officer = MakeUser("wanjiku", StaffRole::kFieldOfficer, {kUpendo});
  const std::string reader = MakeUser("auditor", StaffRole::kReadOnly, {});
  const int64_t journals = Count("SELECT count(*) FROM journals");
  struct Case {
    const char* what;
    const std::string& token;
    int64_t saving;
    json::object body;
    long want;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"already reversed", admin_, confirmed_, {{"reason", "again"}}, 409, ""},
      {"pending", admin_, pending_, {{"reason", "wrong"}}, 409, ""},
      {"rejected", admin_, rejected_, {{"reason", "wrong"}}, 409, ""},
      {"no such saving", admin_, 999999, {{"reason", "wrong"}}, 404, ""},
      {"no reason", admin_, confirmed_ + 1, {}, 422, "reason"},
      {"a blank reason", admin_, confirmed_ + 1, {{"reason", "   "}}, 422, "reason"},
      {"a reason that is not text", admin_, confirmed_ + 1, {{"reason", 7}}, 422, "reason"},
      {"a field officer", officer, confirmed_ + 1, {{"reason", "wrong"}}, 403, ""},
      {"read-only staff", reader, confirmed_ + 1, {{"reason", "wrong"}}, 403, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ApiResult e = client_->Post("/api/v1/savings/" + std::to_string(c.saving) + "/reversal",
                                c.token, c.body);
    EXPECT_EQ(e.status, c.want) << e.body;
    if (*c.field != '\0') {
      EXPECT_EQ(e.Json().at("error").at("field"), c.field);
    }
  }
  EXPECT_EQ(Count("SELECT count(*) FROM journals"), journals) << "no refused reversal posted";
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'saving.reversed'"), 1);
}

}  // namespace
}  // namespace shg::api_test
