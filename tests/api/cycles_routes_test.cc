// The group's own money over real loopback HTTP (gateway/api/cycle_routes.cc):
// cycles planned, started, closed, reopened and shared out; the share-out
// preview with its blockers and its confirmation (one SMS per member with
// a share, audit rows); fines recorded and decided on an officer's word;
// social fund contributions and payouts; every bad field named; the roles.
#include <gtest/gtest.h>

#include <set>

#include "tests/api/staff_api_fixture.h"

namespace shg::api_test {
namespace {

class CyclesRoutesTest : public StaffApiFixture {
 protected:
  void SetUp() override {
    StaffApiFixture::SetUp();
    amina_ = MemberId("+254700000001", "Amina");
    wanjiru_ = MemberId("+254700000002", "Wanjiru");  // treasurer
    grace_ = MemberId("+254700000003", "Grace");      // chair
    tumaini_member_ = MemberId("+256700000003");
    officer_ = MakeUser("wanjiku", StaffRole::kFieldOfficer, {kUpendo});
    other_officer_ = MakeUser("otieno", StaffRole::kFieldOfficer, {kTumaini});
    reader_ = MakeUser("reader", StaffRole::kReadOnly, {});
    partner_ = MakeUser("imara-staff", StaffRole::kPartner, {}, "imara");
    cycle1_ = Count("SELECT id FROM cycles WHERE group_id = 1 AND number = 1");
    ASSERT_GT(cycle1_, 0);
  }

  std::string CyclePath(int64_t id, const std::string& rest = "") {
    return "/api/v1/cycles/" + std::to_string(id) + rest;
  }

  // Cycle 1 of Upendo closed and shared out by the admin.
  json::object ShareOutCycle1() {
    ApiResult close = client_->Post(CyclePath(cycle1_, "/close"), admin_, json::object{});
    EXPECT_EQ(close.status, 200) << close.body;
    ApiResult r = client_->Post(CyclePath(cycle1_, "/share-out"), admin_, json::object{});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().is_object() ? r.Json().as_object() : json::object{};
  }

  int64_t Audits(const std::string& action, const std::string& subject) {
    return Count("SELECT count(*) FROM audit_log WHERE action = '" + action +
                 "' AND subject = '" + subject + "' AND actor_kind = 'staff'");
  }

  int64_t amina_ = 0, wanjiru_ = 0, grace_ = 0, tumaini_member_ = 0, cycle1_ = 0;
  std::string officer_, other_officer_, reader_, partner_;
};

TEST_F(CyclesRoutesTest, ListsAndShowsTheGroupsCycleWithFiguresFromTheLedger) {
  ApiResult list = client_->Get("/api/v1/groups/1/cycles", officer_);
  ASSERT_EQ(list.status, 200) << list.body;
  const json::array& rows = list.Json().at("data").as_array();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("id").as_int64(), cycle1_);
  EXPECT_EQ(rows[0].at("state"), "active");
  EXPECT_EQ(rows[0].at("currency"), "KES");
  EXPECT_EQ(rows[0].at("rules").at("lends"), true);  // the demo's Upendo lends

  ApiResult csv = client_->Get("/api/v1/groups/1/cycles.csv", officer_);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.substr(0, csv.body.find('\r')),
            "id,group_id,number,state,currency,starts_at,ends_at,carried_in,carried_out,rules,"
            "updated_at");

  ApiResult one = client_->Get(CyclePath(cycle1_), reader_);
  ASSERT_EQ(one.status, 200) << one.body;
  const json::value& f = one.Json().at("figures");
  EXPECT_EQ(f.at("savings").as_int64(),
            Count("SELECT coalesce(sum(amount), 0) FROM savings WHERE group_id = 1 AND "
                  "status = 'confirmed'"));
  EXPECT_EQ(f.at("members").as_int64(),
            Count("SELECT count(*) FROM members WHERE group_id = 1 AND status = 'active'"));
  EXPECT_EQ(f.at("pending_fines").as_int64(), 0);
  EXPECT_EQ(client_->Get(CyclePath(999999), admin_).status, 404);
}

TEST_F(CyclesRoutesTest, ALifecycleCloseReopenShareOutPlanAndStartWithReinvestment) {
  const std::string subject = "cycle:" + std::to_string(cycle1_);
  ApiResult close = client_->Post(CyclePath(cycle1_, "/close"), officer_, json::object{});
  ASSERT_EQ(close.status, 200) << close.body;
  EXPECT_EQ(close.Json().at("state"), "closing");
  EXPECT_EQ(Audits("cycle.begin_close", subject), 1);
  // The audit row carries the staff user and this request's id.
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'cycle.begin_close' AND "
                  "actor = 'wanjiku' AND channel = 'api' AND request_id = '" +
                  close.Header("x-request-id") + "'"),
            1);
  ApiResult again = client_->Post(CyclePath(cycle1_, "/close"), officer_, json::object{});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.Json().at("state"), "closing");
  ApiResult reopen = client_->Post(CyclePath(cycle1_, "/reopen"), officer_, json::object{});
  ASSERT_EQ(reopen.status, 200) << reopen.body;
  EXPECT_EQ(reopen.Json().at("state"), "active");
  EXPECT_EQ(Audits("cycle.reopen", subject), 1);
  ApiResult cancel = client_->Post(CyclePath(cycle1_, "/cancel"), officer_, json::object{});
  EXPECT_EQ(cancel.status, 409) << "an active cycle is not cancelled";
  EXPECT_EQ(cancel.Json().at("state"), "active");

  // Preview while closing: every member with savings, sums exact.
  ASSERT_EQ(client_->Post(CyclePath(cycle1_, "/close"), officer_, json::object{}).status, 200);
  ApiResult preview = client_->Get(CyclePath(cycle1_, "/share-out"), reader_);
  ASSERT_EQ(preview.status, 200) << preview.body;
  const json::value& p = preview.Json();
  EXPECT_TRUE(p.at("blockers").as_array().empty()) << preview.body;
  int64_t savings = 0, shares = 0, payouts = 0, with_share = 0;
  for (const json::value& row : p.at("rows").as_array()) {
    savings += row.at("savings").as_int64();
    shares += row.at("share").as_int64();
    payouts += row.at("payout").as_int64();
    with_share += row.at("share").as_int64() > 0;
    EXPECT_EQ(row.at("profit").as_int64(), row.at("share").as_int64() - row.at("savings").as_int64());
    EXPECT_TRUE(row.at("reference").is_null()) << "a preview has no references";
    EXPECT_FALSE(row.at("name").as_string().empty());
  }
  EXPECT_EQ(savings, p.at("totals").at("savings").as_int64());
  EXPECT_EQ(shares, p.at("totals").at("distributed").as_int64());
  EXPECT_EQ(payouts, p.at("totals").at("total_payout").as_int64());
  EXPECT_EQ(p.at("totals").at("fund").as_int64(),
            p.at("totals").at("distributed").as_int64() + p.at("totals").at("carried").as_int64());
  EXPECT_GE(with_share, 18);

  // Confirm: one SMS per member with a share, the share-out audited.
  const int64_t messages_before = Count("SELECT count(*) FROM messages");
  ApiResult confirm = client_->Post(CyclePath(cycle1_, "/share-out"), officer_, json::object{});
  ASSERT_EQ(confirm.status, 200) << confirm.body;
  EXPECT_EQ(confirm.Json().at("confirmed"), true);
  EXPECT_EQ(confirm.Json().at("cycle").at("state"), "shared_out");
  EXPECT_EQ(confirm.Json().at("sms_queued").as_int64(), with_share);
  EXPECT_EQ(Count("SELECT count(*) FROM messages") - messages_before, with_share);
  EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE kind = 'share_out'"), with_share);
  EXPECT_EQ(Count("SELECT count(DISTINCT member_id) FROM messages WHERE kind = 'share_out'"),
            with_share);
  EXPECT_EQ(Audits("share_out.confirm", subject), 1);
  // Amina's SMS names her figures and her line's reference.
  std::string amina_ref;
  int64_t amina_share = 0;
  for (const json::value& row : confirm.Json().at("rows").as_array()) {
    EXPECT_FALSE(row.at("reference").is_null());
    if (row.at("member_id").as_int64() == amina_) {
      amina_ref = std::string(row.at("reference").as_string());
      amina_share = row.at("share").as_int64();
    }
  }
  ASSERT_FALSE(amina_ref.empty());
  EXPECT_EQ(amina_share, 425000);
  EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE kind = 'share_out' AND member_id = " +
                  std::to_string(amina_) +
                  " AND body = 'Share-out: savings KES 4,250 + profit KES 0 = KES 4,250. Ref " +
                  amina_ref + "'"),
            1);
  // Again: nothing more (409 with the state), no second SMS.
  ApiResult twice = client_->Post(CyclePath(cycle1_, "/share-out"), officer_, json::object{});
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(twice.Json().at("state"), "shared_out");
  EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE kind = 'share_out'"), with_share);

  // Plan and start the next cycle, everyone's payout reinvested.
  ApiResult plan = client_->Post("/api/v1/groups/1/cycles", officer_,
                                 json::object{{"lends", true},
                                              {"loan_savings_multiple", 2},
                                              {"max_term_months", 3},
                                              {"flat_rate_bp_per_month", 500},
                                              {"social_fund_per_meeting", 5000},
                                              {"share_out_unit", 100},
                                              {"length_months", 12}});
  ASSERT_EQ(plan.status, 201) << plan.body;
  EXPECT_EQ(plan.Json().at("state"), "planned");
  EXPECT_EQ(plan.Json().at("number"), 2);
  EXPECT_EQ(plan.Json().at("rules").at("flat_rate_bp_per_month"), 500);
  const int64_t cycle2 = plan.Json().at("id").as_int64();
  EXPECT_EQ(Audits("cycle.plan", "cycle:" + std::to_string(cycle2)), 1);
  ApiResult bad = client_->Post(CyclePath(cycle2, "/start"), officer_,
                                json::object{{"reinvest", "some"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.Json().at("error").at("field"), "reinvest");
  ApiResult bad_id = client_->Post(CyclePath(cycle2, "/start"), officer_,
                                   json::object{{"reinvest", json::array{amina_, "x"}}});
  EXPECT_EQ(bad_id.Json().at("error").at("field"), "reinvest[1]");
  ApiResult faith = client_->Post(
      CyclePath(cycle2, "/start"), officer_,
      json::object{{"reinvest", json::array{MemberId("+254700000004", "Faith")}}});
  EXPECT_EQ(faith.status, 422) << "Faith had no payout";
  EXPECT_EQ(faith.Json().at("error").at("field"), "reinvest");
  EXPECT_EQ(Count("SELECT count(*) FROM cycles WHERE id = " + std::to_string(cycle2) +
                  " AND state = 'planned'"),
            1);
  ApiResult start =
      client_->Post(CyclePath(cycle2, "/start"), officer_, json::object{{"reinvest", "all"}});
  ASSERT_EQ(start.status, 200) << start.body;
  EXPECT_EQ(start.Json().at("state"), "active");
  EXPECT_EQ(Count("SELECT coalesce(sum(amount), 0) FROM savings WHERE cycle_id = " +
                  std::to_string(cycle2) + " AND status = 'confirmed'"),
            payouts);
  ApiResult cycles = client_->Get("/api/v1/groups/1/cycles", officer_);
  ASSERT_EQ(cycles.Json().at("data").as_array().size(), 2u);
  EXPECT_EQ(cycles.Json().at("data").at(0).at("id").as_int64(), cycle2) << "newest first";
}

TEST_F(CyclesRoutesTest, PlanNamesEachBadField) {
  // While cycle 1 is open another cannot be planned.
  ApiResult open = client_->Post("/api/v1/groups/1/cycles", admin_, json::object{});
  EXPECT_EQ(open.status, 409);
  EXPECT_EQ(open.Json().at("state"), "active");
  EXPECT_EQ(open.Json().at("cycle_id").as_int64(), cycle1_);
  ShareOutCycle1();
  struct Case {
    std::string field;
    json::value value;
  };
  const std::vector<Case> cases = {
      {"lends", json::value("yes")},
      {"loan_savings_multiple", json::value("3")},
      {"loan_savings_multiple", json::value(-1)},
      {"max_term_months", json::value(4)},
      {"max_term_months", json::value(0)},
      {"max_term_months", json::value(1.5)},
      {"flat_rate_bp_per_month", json::value(2001)},
      {"flat_rate_bp_per_month", json::value(-1)},
      {"social_fund_per_meeting", json::value(-100)},
      {"share_out_unit", json::value(0)},
      {"share_out_unit", json::value(50)},  // half a shilling
      {"length_months", json::value(25)},
      {"length_months", json::value(0)},
      {"starts_at", json::value(-5)},
      {"starts_at", json::value("tomorrow")},
      {"colour", json::value("green")},
  };
  const int64_t cycles_before = Count("SELECT count(*) FROM cycles");
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field + " = " + json::serialize(c.value));
    json::object body{{"lends", true}};
    body[c.field] = c.value;
    ApiResult r = client_->Post("/api/v1/groups/1/cycles", admin_, body);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.Json().at("error").at("field"), c.field.c_str()) << r.body;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM cycles"), cycles_before);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'cycle.plan'"), 0);
  // The defaults alone make a valid plan.
  EXPECT_EQ(client_->Post("/api/v1/groups/1/cycles", admin_, json::object{}).status, 201);
}

TEST_F(CyclesRoutesTest, ConfirmIsRefusedWithEveryBlockerAndWritesNothing) {
  // Active: close it first.
  ApiResult active = client_->Post(CyclePath(cycle1_, "/share-out"), admin_, json::object{});
  ASSERT_EQ(active.status, 409) << active.body;
  EXPECT_EQ(active.Json().at("state"), "active");
  EXPECT_EQ(active.Json().at("blockers").at(0), "state active: close the cycle first");
  // A pending saving and a pending fine block it while closing.
  ASSERT_TRUE(app_->store()
                  .Run([&](store::Connection& conn) -> Status {
                    DomainContext ctx{&app_->pins(), 3, Now()};
                    auto s = Services(conn, ctx).LogSaving(amina_, 20000, "ussd", "");
                    return s.ok() ? Status::Ok() : s.status();
                  })
                  .ok());
  ASSERT_EQ(client_->Post("/api/v1/groups/1/fines", officer_,
                          json::object{{"member_id", amina_}, {"kind", "late"}, {"amount", 5000}})
                .status,
            201);
  ASSERT_EQ(client_->Post(CyclePath(cycle1_, "/close"), officer_, json::object{}).status, 200);
  const int64_t messages = Count("SELECT count(*) FROM messages");
  ApiResult r = client_->Post(CyclePath(cycle1_, "/share-out"), officer_, json::object{});
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.Json().at("state"), "closing");
  std::set<std::string> blockers;
  for (const json::value& b : r.Json().at("blockers").as_array()) {
    blockers.insert(std::string(b.as_string()));
  }
  EXPECT_EQ(blockers, (std::set<std::string>{"1 pending saving", "1 pending fine"}));
  EXPECT_EQ(Count("SELECT count(*) FROM share_out_lines"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM messages"), messages);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'share_out.confirm'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM cycles WHERE id = " + std::to_string(cycle1_) +
                  " AND state = 'closing'"),
            1);
  // The preview lists the same.
  ApiResult preview = client_->Get(CyclePath(cycle1_, "/share-out"), officer_);
  EXPECT_EQ(preview.Json().at("blockers").as_array().size(), 2u);
}

TEST_F(CyclesRoutesTest, FinesAreRecordedThenConfirmedOrWaivedOnAnOfficersWord) {
  ApiResult rec = client_->Post(
      "/api/v1/groups/1/fines", officer_,
      json::object{{"member_id", amina_}, {"kind", "late"}, {"amount", 5000}, {"note", "20 min"}});
  ASSERT_EQ(rec.status, 201) << rec.body;
  EXPECT_EQ(rec.Json().at("status"), "pending");
  EXPECT_EQ(rec.Json().at("currency"), "KES");
  const int64_t fine = rec.Json().at("id").as_int64();
  EXPECT_EQ(Audits("fine.record", "fine:" + std::to_string(fine)), 1);
  ApiResult second = client_->Post(
      "/api/v1/groups/1/fines", admin_,
      json::object{{"member_id", wanjiru_}, {"kind", "absent"}, {"amount", 10000}});
  ASSERT_EQ(second.status, 201) << second.body;
  const int64_t wanjiru_fine = second.Json().at("id").as_int64();

  ApiResult pending = client_->Get("/api/v1/groups/1/fines?status=pending", reader_);
  ASSERT_EQ(pending.status, 200) << pending.body;
  ASSERT_EQ(pending.Json().at("data").as_array().size(), 2u);
  EXPECT_EQ(pending.Json().at("data").at(0).at("id").as_int64(), fine) << "oldest first";
  EXPECT_EQ(client_->Get("/api/v1/groups/1/fines?status=waived", reader_).status, 400);
  ApiResult page = client_->Get("/api/v1/groups/1/fines?limit=1", reader_);
  ASSERT_FALSE(page.Json().at("next_cursor").is_null());
  ApiResult page2 = client_->Get(
      "/api/v1/groups/1/fines?limit=1&cursor=" +
          std::string(page.Json().at("next_cursor").as_string()),
      reader_);
  ASSERT_EQ(page2.Json().at("data").as_array().size(), 1u);
  EXPECT_EQ(page2.Json().at("data").at(0).at("id").as_int64(), wanjiru_fine);

  const std::string confirm = "/api/v1/fines/" + std::to_string(fine) + "/confirm";
  // Amina is no officer; the treasurer may not decide her own fine.
  ApiResult not_officer = client_->Post(confirm, officer_, json::object{{"decided_by", amina_}});
  EXPECT_EQ(not_officer.status, 403) << not_officer.body;
  EXPECT_EQ(not_officer.Json().at("error").at("field"), "decided_by");
  ApiResult own = client_->Post("/api/v1/fines/" + std::to_string(wanjiru_fine) + "/waive",
                                officer_, json::object{{"decided_by", wanjiru_}});
  EXPECT_EQ(own.status, 403) << own.body;
  EXPECT_EQ(client_->Post(confirm, officer_, json::object{}).Json().at("error").at("field"),
            "decided_by");
  EXPECT_EQ(client_->Post(confirm, officer_, json::object{{"decided_by", tumaini_member_}})
                .Json()
                .at("error")
                .at("field"),
            "decided_by");

  const int64_t income_before =
      client_->Get(CyclePath(cycle1_), admin_).Json().at("figures").at("income").as_int64();
  ApiResult ok = client_->Post(confirm, officer_, json::object{{"decided_by", wanjiru_}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json().at("status"), "confirmed");
  EXPECT_EQ(Audits("fine.confirm", "fine:" + std::to_string(fine)), 1);
  EXPECT_EQ(client_->Get(CyclePath(cycle1_), admin_).Json().at("figures").at("income").as_int64(),
            income_before + 5000)
      << "a confirmed fine is income of the fund";
  ApiResult twice = client_->Post(confirm, officer_, json::object{{"decided_by", grace_}});
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(twice.Json().at("status"), "confirmed");
  ApiResult waive = client_->Post("/api/v1/fines/" + std::to_string(wanjiru_fine) + "/waive",
                                  officer_, json::object{{"decided_by", grace_}});
  ASSERT_EQ(waive.status, 200) << waive.body;
  EXPECT_EQ(waive.Json().at("status"), "waived");
  EXPECT_TRUE(client_->Get("/api/v1/groups/1/fines", reader_).Json().at("data").as_array().empty());
  EXPECT_EQ(client_->Post("/api/v1/fines/999999/confirm", officer_,
                          json::object{{"decided_by", grace_}})
                .status,
            404);
}

TEST_F(CyclesRoutesTest, BadFinesNameTheirFieldAndWriteNothing) {
  struct Case {
    std::string field;
    json::object body;
  };
  const std::vector<Case> cases = {
      {"member_id", {{"kind", "late"}, {"amount", 5000}}},
      {"member_id", {{"member_id", tumaini_member_}, {"kind", "late"}, {"amount", 5000}}},
      {"member_id", {{"member_id", "amina"}, {"kind", "late"}, {"amount", 5000}}},
      {"kind", {{"member_id", amina_}, {"kind", "speeding"}, {"amount", 5000}}},
      {"kind", {{"member_id", amina_}, {"amount", 5000}}},
      {"amount", {{"member_id", amina_}, {"kind", "late"}, {"amount", 0}}},
      {"amount", {{"member_id", amina_}, {"kind", "late"}, {"amount", "50"}}},
      {"currency", {{"member_id", amina_}, {"kind", "late"}, {"amount", 5000}, {"currency", "UGX"}}},
      {"note",
       {{"member_id", amina_}, {"kind", "late"}, {"amount", 5000}, {"note", std::string(161, 'n')}}},
      {"reason", {{"member_id", amina_}, {"kind", "late"}, {"amount", 5000}, {"reason", "x"}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field + " " + json::serialize(c.body));
    ApiResult r = client_->Post("/api/v1/groups/1/fines", officer_, c.body);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.Json().at("error").at("field"), c.field.c_str()) << r.body;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM fines"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action LIKE 'fine.%'"), 0);
}

TEST_F(CyclesRoutesTest, SocialFundContributionsAndPayouts) {
  ApiResult in = client_->Post("/api/v1/groups/1/social-fund", officer_,
                               json::object{{"member_id", amina_}, {"amount", 20000}});
  ASSERT_EQ(in.status, 201) << in.body;
  EXPECT_EQ(in.Json().at("kind"), "contribution");
  ASSERT_EQ(client_->Post("/api/v1/groups/1/social-fund", officer_,
                          json::object{{"member_id", grace_}, {"amount", 30000}, {"currency", "KES"}})
                .status,
            201);
  const int64_t held_before =
      client_->Get(CyclePath(cycle1_), admin_).Json().at("figures").at("social_fund").as_int64();

  struct Case {
    std::string field;
    int status;
    json::object body;
  };
  const std::vector<Case> cases = {
      {"reason", 422, {{"member_id", amina_}, {"amount", 1000}, {"approved_by", wanjiru_}, {"reason", ""}}},
      {"reason", 422, {{"member_id", amina_}, {"amount", 1000}, {"kind", "payout"}, {"approved_by", wanjiru_}}},
      {"approved_by", 422, {{"member_id", amina_}, {"amount", 1000}, {"reason", "funeral"}}},
      {"approved_by", 403, {{"member_id", amina_}, {"amount", 1000}, {"reason", "funeral"}, {"approved_by", amina_}}},
      {"approved_by", 403, {{"member_id", wanjiru_}, {"amount", 1000}, {"reason", "funeral"}, {"approved_by", wanjiru_}}},
      {"amount", 409, {{"member_id", amina_}, {"amount", 10'000'000}, {"reason", "funeral"}, {"approved_by", wanjiru_}}},
      {"amount", 422, {{"member_id", amina_}, {"amount", -1}}},
      {"kind", 422, {{"member_id", amina_}, {"amount", 1000}, {"kind", "gift"}}},
      {"member_id", 422, {{"member_id", tumaini_member_}, {"amount", 1000}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field + " " + json::serialize(c.body));
    ApiResult r = client_->Post("/api/v1/groups/1/social-fund", officer_, c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(r.Json().at("error").at("field"), c.field.c_str()) << r.body;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM social_fund_entries"), 2);

  ApiResult out = client_->Post(
      "/api/v1/groups/1/social-fund", officer_,
      json::object{{"member_id", amina_}, {"amount", 15000}, {"reason", "funeral"},
                   {"approved_by", wanjiru_}});
  ASSERT_EQ(out.status, 201) << out.body;
  EXPECT_EQ(out.Json().at("kind"), "payout");
  EXPECT_EQ(out.Json().at("approved_by").as_int64(), wanjiru_);
  EXPECT_EQ(Audits("social.payout", "social:" + std::to_string(out.Json().at("id").as_int64())),
            1);
  EXPECT_EQ(client_->Get(CyclePath(cycle1_), admin_).Json().at("figures").at("social_fund").as_int64(),
            held_before - 15000);
  ApiResult list = client_->Get("/api/v1/groups/1/social-fund", reader_);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.Json().at("data").as_array().size(), 3u);
  EXPECT_EQ(list.Json().at("data").at(0).at("kind"), "payout") << "newest first";
}

TEST_F(CyclesRoutesTest, RolesReadOnlyReadsOtherOfficersAndPartnersAreRefused) {
  ASSERT_EQ(client_->Post("/api/v1/groups/1/fines", admin_,
                          json::object{{"member_id", amina_}, {"kind", "late"}, {"amount", 5000}})
                .status,
            201);
  const std::string fine = std::to_string(Count("SELECT max(id) FROM fines"));
  const std::vector<std::string> reads = {"/api/v1/groups/1/cycles", CyclePath(cycle1_),
                                          CyclePath(cycle1_, "/share-out"),
                                          "/api/v1/groups/1/fines", "/api/v1/groups/1/social-fund"};
  const std::vector<std::pair<std::string, json::object>> writes = {
      {"/api/v1/groups/1/cycles", {}},
      {CyclePath(cycle1_, "/close"), {}},
      {CyclePath(cycle1_, "/reopen"), {}},
      {CyclePath(cycle1_, "/cancel"), {}},
      {CyclePath(cycle1_, "/start"), {}},
      {CyclePath(cycle1_, "/share-out"), {}},
      {"/api/v1/groups/1/fines", {{"member_id", amina_}, {"kind", "late"}, {"amount", 5000}}},
      {"/api/v1/fines/" + fine + "/confirm", {{"decided_by", wanjiru_}}},
      {"/api/v1/fines/" + fine + "/waive", {{"decided_by", wanjiru_}}},
      {"/api/v1/groups/1/social-fund", {{"member_id", amina_}, {"amount", 1000}}},
  };
  const auto state = [&] {
    return std::vector<int64_t>{Count("SELECT count(*) FROM audit_log"),
                                Count("SELECT count(*) FROM cycles"),
                                Count("SELECT count(*) FROM fines WHERE status = 'pending'"),
                                Count("SELECT count(*) FROM social_fund_entries"),
                                Count("SELECT count(*) FROM cycles WHERE state = 'active'")};
  };
  const auto before = state();
  struct Who {
    std::string name, token;
    int read, write;
  };
  const std::vector<Who> whos = {{"read_only", reader_, 200, 403},
                                 {"officer of another group", other_officer_, 404, 404},
                                 {"partner", partner_, 403, 403}};
  for (const Who& w : whos) {
    for (const std::string& path : reads) {
      SCOPED_TRACE(w.name + " GET " + path);
      EXPECT_EQ(client_->Get(path, w.token).status, w.read);
    }
    for (const auto& [path, body] : writes) {
      SCOPED_TRACE(w.name + " POST " + path);
      EXPECT_EQ(client_->Post(path, w.token, body).status, w.write);
    }
  }
  EXPECT_EQ(state(), before) << "nothing written";
  // Her own group's officer reads and writes.
  EXPECT_EQ(client_->Get(CyclePath(cycle1_), officer_).status, 200);
  EXPECT_EQ(client_->Post(CyclePath(cycle1_, "/close"), officer_, json::object{}).status, 200);
}

TEST_F(CyclesRoutesTest, ConfirmWithAnIdempotencyKeyReplaysAndQueuesOnce) {
  ASSERT_EQ(client_->Post(CyclePath(cycle1_, "/close"), admin_, json::object{}).status, 200);
  const std::vector<std::string> key = {"Idempotency-Key: share-out-upendo-1"};
  ApiResult first = client_->Post(CyclePath(cycle1_, "/share-out"), admin_, json::object{}, key);
  ASSERT_EQ(first.status, 200) << first.body;
  const int64_t sms = Count("SELECT count(*) FROM messages WHERE kind = 'share_out'");
  EXPECT_EQ(sms, first.Json().at("sms_queued").as_int64());
  ApiResult replay = client_->Post(CyclePath(cycle1_, "/share-out"), admin_, json::object{}, key);
  EXPECT_EQ(replay.status, 200);
  EXPECT_EQ(replay.Header("idempotent-replayed"), "true");
  EXPECT_EQ(replay.body, first.body);
  EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE kind = 'share_out'"), sms);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'share_out.confirm'"), 1);
}

}  // namespace
}  // namespace shg::api_test
