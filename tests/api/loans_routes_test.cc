// Staff API loans over real loopback HTTP on the real gateway: who sees and
// records what (a table per route), a loan walked from the group's approval
// through the lender's decision, disbursement and a repayment recorded by
// staff with the member's SMS queued, replays, 409 with the state, the
// audit rows carrying the token, and the list as CSV and JSON.
#include <gtest/gtest.h>

#include "tests/api/loans_fixture.h"

namespace shg::api_test {
namespace {

class LoansApiTest : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    if (HasFatalFailure()) return;
    admin_ = AddStaff("admin1", StaffRole::kAdmin);
    fo_own_ = AddStaff("fo-own", StaffRole::kFieldOfficer, "", {upendo_});
    fo_other_ = AddStaff("fo-other", StaffRole::kFieldOfficer, "", {tumaini_});
    ro_ = AddStaff("ro1", StaffRole::kReadOnly);
    imara_ = AddStaff("imara-staff", StaffRole::kPartner, "imara");
    other_mfi_ = AddStaff("other-staff", StaffRole::kPartner, "other-mfi");
  }
  int64_t SmsTo(int64_t member) {
    return Count("SELECT COUNT(*) FROM messages WHERE member_id = " + std::to_string(member) +
                 " AND channel = 'at-ke'");
  }

  Staffer admin_, fo_own_, fo_other_, ro_, imara_, other_mfi_;
};

TEST_F(LoansApiTest, EveryRouteAnswersEachRoleAsSpecified) {
  const Loan loan = ReferredLoan(kAmina, 1000000, 6);
  const std::string ref = "/loans/" + loan.reference;
  struct Case {
    const char* method;
    std::string path;
    std::string body;  // POST: a body the router accepts but the handler refuses (422)
    // admin, field officer of her group, of another group, read-only,
    // partner of the loan, of another MFI
    std::array<long, 6> want;
  };
  const std::vector<Case> cases = {
      {"GET", "/loans", "", {200, 200, 200, 200, 200, 200}},
      {"GET", ref, "", {200, 200, 404, 200, 200, 404}},
      {"GET", "/loans/NOSUCH", "", {404, 404, 404, 404, 404, 404}},
      {"POST", ref + "/decision", R"({"decision":"maybe"})", {422, 403, 403, 403, 422, 404}},
      {"POST", ref + "/disbursement", "{}", {422, 403, 403, 403, 422, 404}},
      {"POST", ref + "/repayments", "{}", {422, 403, 403, 403, 422, 404}},
      {"GET", "/loans?group=" + std::to_string(upendo_), "", {200, 200, 404, 200, 200, 200}},
      {"GET", "/loans?partner=imara", "", {200, 200, 200, 200, 200, 404}},
  };
  const std::array<const Staffer*, 6> who = {&admin_, &fo_own_, &fo_other_,
                                             &ro_,    &imara_,  &other_mfi_};
  const std::array<const char*, 6> names = {"admin",     "fo_own",  "fo_other",
                                            "read_only", "partner", "other_partner"};
  for (const Case& c : cases) {
    for (size_t i = 0; i < who.size(); ++i) {
      Reply r = Call(c.method, base_ + c.path, who[i]->token, c.body);
      EXPECT_EQ(r.status, c.want[i])
          << c.method << " " << c.path << " as " << names[i] << ": " << r.body;
    }
  }
  // Lists show only what the role may see.
  auto rows = [&](const Staffer& s) {
    return Get("/loans", s).Json().as_object().at("data").as_array().size();
  };
  EXPECT_EQ(rows(admin_), 1u);
  EXPECT_EQ(rows(fo_own_), 1u);
  EXPECT_EQ(rows(fo_other_), 0u);
  EXPECT_EQ(rows(imara_), 1u);
  EXPECT_EQ(rows(other_mfi_), 0u);
  // Nothing changed and nothing was audited by the refusals.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE token_id IS NOT NULL"), 0);
  EXPECT_EQ(Get(ref, admin_).Json().at("state").as_string(), "referred_to_mfi");
}

TEST_F(LoansApiTest, LoanWalkedThroughDecisionDisbursementAndRepaymentQueuesHerSms) {
  const int64_t amina = MemberId(kAmina);
  const Loan loan = ReferredLoan(kAmina, 1000000, 6);
  const std::string ref = "/loans/" + loan.reference;
  const std::string subject = "'loan:" + std::to_string(loan.id) + "'";

  // The lender approves less than she asked, recorded by its own staff user.
  int64_t sms = SmsTo(amina);
  const json::value approve = {
      {"decision", "approve"}, {"amount", 800000}, {"currency", "KES"}, {"term_months", 6}};
  Reply r = Post(ref + "/decision", imara_, approve);
  ASSERT_EQ(r.status, 200) << r.body;
  json::object a = r.Json().as_object();
  EXPECT_EQ(a.at("state").as_string(), "approved");
  EXPECT_TRUE(a.at("changed").as_bool());
  EXPECT_GE(a.at("sms_queued").as_int64(), 1);
  EXPECT_EQ(a.at("loan").at("approved_amount").as_int64(), 800000);
  EXPECT_GT(SmsTo(amina), sms);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'loan.decision_recorded'"
                  " AND subject = " +
                  subject + " AND token_id = " + std::to_string(imara_.token_id)),
            1);

  // The same decision again changes nothing; another decision is 409 with the state.
  sms = SmsTo(amina);
  r = Post(ref + "/decision", imara_, approve);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.Json().at("changed").as_bool());
  EXPECT_EQ(r.Json().at("sms_queued").as_int64(), 0);
  EXPECT_EQ(SmsTo(amina), sms);
  r = Post(ref + "/decision", admin_, {{"decision", "decline"}, {"reason", "too late"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.Json().at("state").as_string(), "approved");
  // Amounts carry their currency: another one is refused naming the field.
  r = Post(ref + "/disbursement", admin_,
           {{"amount", 800000}, {"currency", "UGX"}, {"transaction_id", "TX-1"}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.Json().at("error").at("field").as_string(), "currency");

  // Disbursement by admin, then its replay.
  sms = SmsTo(amina);
  const json::value disburse = {
      {"amount", 800000}, {"currency", "KES"}, {"transaction_id", "TX-1"}};
  r = Post(ref + "/disbursement", admin_, disburse);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().at("state").as_string(), "disbursed");
  const int64_t outstanding = r.Json().at("loan").at("outstanding").as_int64();
  EXPECT_GT(outstanding, 800000);  // principal and the schedule's interest
  EXPECT_GT(SmsTo(amina), sms);
  r = Post(ref + "/disbursement", admin_, disburse);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.Json().at("changed").as_bool());
  r = Post(ref + "/disbursement", admin_,
           {{"amount", 800000}, {"currency", "KES"}, {"transaction_id", "TX-2"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.Json().at("state").as_string(), "disbursed");

  // A repayment the partner received, with an Idempotency-Key; the same
  // payment id again is changed=false, the same key replays the answer.
  sms = SmsTo(amina);
  const json::value pay = {{"payment_id", "PAY-1"}, {"amount", 150000}, {"currency", "KES"}};
  r = Post(ref + "/repayments", imara_, pay, {"Idempotency-Key: pay-1"});
  ASSERT_EQ(r.status, 200) << r.body;
  json::object p = r.Json().as_object();
  EXPECT_TRUE(p.at("changed").as_bool());
  EXPECT_TRUE(p.at("posted").as_bool());
  EXPECT_EQ(p.at("repayment").at("status").as_string(), "confirmed");
  EXPECT_EQ(p.at("loan").at("outstanding").as_int64(), outstanding - 150000);
  EXPECT_GT(SmsTo(amina), sms);
  Reply again = Post(ref + "/repayments", imara_, pay, {"Idempotency-Key: pay-1"});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.headers["idempotent-replayed"], "true");
  EXPECT_EQ(again.Json(), r.Json());
  sms = SmsTo(amina);
  r = Post(ref + "/repayments", imara_, pay);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.Json().at("changed").as_bool());
  EXPECT_EQ(SmsTo(amina), sms);
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM loan_repayments WHERE loan_id = " + std::to_string(loan.id)), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'loan.repayment_recorded'"
                  " AND subject = " +
                  subject + " AND token_id = " + std::to_string(imara_.token_id)),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'loan.disbursement_recorded'"
                  " AND subject = " +
                  subject + " AND token_id = " + std::to_string(admin_.token_id)),
            1);

  // The loan as staff see it: events, schedule, repayments; ledger agrees.
  r = Get(ref, ro_);
  ASSERT_EQ(r.status, 200) << r.body;
  json::object d = r.Json().as_object();
  std::vector<std::string> to;
  for (const json::value& e : d.at("events").as_array()) to.emplace_back(e.at("to").as_string());
  EXPECT_EQ(to, (std::vector<std::string>{"requested", "group_approved", "referred_to_mfi",
                                          "approved", "disbursed"}));
  EXPECT_EQ(d.at("schedule").as_array().size(), 6u);
  ASSERT_EQ(d.at("repayments").as_array().size(), 1u);
  EXPECT_EQ(d.at("repayments").at(0).at("payment_id").as_string(), "PAY-1");
  EXPECT_EQ(
      d.at("outstanding").as_int64(),
      Count("SELECT balance * normal FROM accounts WHERE kind = 'member_loan' AND member_id = " +
            std::to_string(amina)));
  EXPECT_EQ(d.at("member_phone").as_string().find("0000001"), std::string::npos)
      << "read-only staff see a masked phone";
}

TEST_F(LoansApiTest, ListPagesByIdFiltersAndCsvEqualsJson) {
  ReferredLoan(kAmina, 1000000, 6);
  ReferredLoan(kWanjiru, 200000, 3);
  ReferredLoan(kGrace, 200000, 3);
  Reply first = Get("/loans?limit=2", admin_);
  ASSERT_EQ(first.status, 200) << first.body;
  json::object page = first.Json().as_object();
  ASSERT_EQ(page.at("data").as_array().size(), 2u);
  ASSERT_TRUE(page.at("next_cursor").is_string());
  Reply second =
      Get("/loans?limit=2&cursor=" + std::string(page.at("next_cursor").as_string()), admin_);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.Json().at("data").as_array().size(), 1u);
  EXPECT_TRUE(second.Json().at("next_cursor").is_null());

  EXPECT_EQ(Get("/loans?state=referred_to_mfi", admin_).Json().at("data").as_array().size(), 3u);
  EXPECT_EQ(Get("/loans?state=approved", admin_).Json().at("data").as_array().size(), 0u);
  EXPECT_EQ(Get("/loans?state=bogus", admin_).status, 400);
  EXPECT_EQ(
      Get("/loans?group=" + std::to_string(tumaini_), admin_).Json().at("data").as_array().size(),
      0u);
  EXPECT_EQ(Get("/loans?partner=other-mfi", admin_).Json().at("data").as_array().size(), 0u);

  // CSV: the same rows and columns as the JSON, in order.
  Reply json_list = Get("/loans", ro_);
  Reply csv = Get("/loans.csv", ro_);
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.headers["content-type"].find("text/csv"), std::string::npos);
  const std::vector<std::string> columns = {
      "reference",   "member_id",  "member_name",     "group_id",    "state",
      "currency",    "amount",     "approved_amount", "term_months", "partner_id",
      "outstanding", "created_at", "updated_at"};
  std::string want;
  for (size_t i = 0; i < columns.size(); ++i) want += (i ? "," : "") + columns[i];
  want += "\r\n";
  for (const json::value& row : json_list.Json().at("data").as_array()) {
    for (size_t i = 0; i < columns.size(); ++i) {
      const json::value& v = row.at(columns[i]);
      want += (i ? "," : "") + (v.is_string() ? std::string(v.as_string()) : json::serialize(v));
    }
    want += "\r\n";
  }
  EXPECT_EQ(csv.body, want);
  EXPECT_EQ(Call("GET", base_ + "/loans", ro_.token, "", {"Accept: text/csv"}).body, want);
}

}  // namespace
}  // namespace shg::api_test
