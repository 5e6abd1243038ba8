// Staff API reports over real loopback HTTP on the real gateway: the
// portfolio's outstanding equals the ledger's member_loan balances, its
// arrears buckets and PAR30 follow an injected clock, and each role gets the
// figures of its scope; savings per month add up to the ledger (reversals
// included) and serve as CSV; training per module.
#include <gtest/gtest.h>

#include "domain/reports.h"
#include "tests/api/loans_fixture.h"

namespace shg::api_test {
namespace {

class ReportsApiTest : public ApiFixture {
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

  // Approves a referred loan through the API.
  void Approve(const Loan& loan, int64_t amount, int term) {
    Reply r = Post(
        "/loans/" + loan.reference + "/decision", admin_,
        {{"decision", "approve"}, {"amount", amount}, {"currency", "KES"}, {"term_months", term}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // Disburses an approved loan through the API (at the clock's now).
  void DisburseOnly(const Loan& loan, int64_t amount) {
    Reply r =
        Post("/loans/" + loan.reference + "/disbursement", admin_,
             {{"amount", amount}, {"currency", "KES"}, {"transaction_id", "TX-" + loan.reference}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  void Disburse(const Loan& loan, int64_t amount, int term) {
    Approve(loan, amount, term);
    if (!HasFatalFailure()) DisburseOnly(loan, amount);
  }
  std::vector<int64_t> DueDates(const Loan& loan) {
    Reply r = Get("/loans/" + loan.reference, admin_);
    std::vector<int64_t> out;
    for (const json::value& i : r.Json().at("schedule").as_array())
      out.push_back(i.at("due_at").as_int64());
    return out;
  }
  int64_t LoanBalance(int64_t member) {
    return Count(
        "SELECT balance * normal FROM accounts WHERE kind = 'member_loan' AND member_id = " +
        std::to_string(member));
  }
  int64_t LedgerOutstanding() {
    return Count(
        "SELECT COALESCE(SUM(balance * normal), 0) FROM accounts"
        " WHERE kind = 'member_loan' AND currency = 'KES'");
  }
  // The KES figures of the portfolio as `who` sees it (null when none).
  json::value Kes(const Staffer& who, const std::string& query = "") {
    Reply r = Get("/reports/portfolio" + query, who);
    EXPECT_EQ(r.status, 200) << r.body;
    for (const json::value& c : r.Json().at("currencies").as_array()) {
      if (c.at("currency").as_string() == "KES") return c;
    }
    return nullptr;
  }

  Staffer admin_, fo_own_, fo_other_, ro_, imara_, other_mfi_;
};

TEST_F(ReportsApiTest, EveryReportAnswersEachRoleAsSpecified) {
  const std::string g = std::to_string(upendo_);
  struct Case {
    std::string path;
    // admin, field officer of the group, of another group, read-only,
    // partner, partner of another MFI
    std::array<long, 6> want;
  };
  const std::vector<Case> cases = {
      {"/reports/portfolio", {200, 200, 200, 200, 200, 200}},
      {"/reports/portfolio?group=" + g, {200, 200, 404, 200, 200, 200}},
      {"/reports/portfolio?partner=imara", {200, 200, 200, 200, 200, 404}},
      {"/reports/savings", {200, 200, 200, 200, 403, 403}},
      {"/reports/savings?by=month&group=" + g, {200, 200, 404, 200, 403, 403}},
      {"/reports/savings.csv", {200, 200, 200, 200, 403, 403}},
      {"/reports/training", {200, 200, 200, 200, 403, 403}},
      {"/reports/training?group=" + g, {200, 200, 404, 200, 403, 403}},
      {"/reports/training?group=999999", {404, 404, 404, 404, 403, 403}},
  };
  const std::array<const Staffer*, 6> who = {&admin_, &fo_own_, &fo_other_,
                                             &ro_,    &imara_,  &other_mfi_};
  for (const Case& c : cases) {
    for (size_t i = 0; i < who.size(); ++i) {
      Reply r = Get(c.path, *who[i]);
      EXPECT_EQ(r.status, c.want[i]) << c.path << " as #" << i << ": " << r.body;
    }
  }
}

TEST_F(ReportsApiTest, OpenApiDocumentListsEveryLoanReportAndOperationsRoute) {
  Reply doc = Call("GET", base_ + "/openapi.json", "");
  ASSERT_EQ(doc.status, 200);
  const json::object& paths = doc.Json().at("paths").as_object();
  const std::vector<std::pair<std::string, std::string>> ops = {
      {"/loans", "get"},
      {"/loans/{ref}", "get"},
      {"/loans/{ref}/decision", "post"},
      {"/loans/{ref}/disbursement", "post"},
      {"/loans/{ref}/repayments", "post"},
      {"/reports/portfolio", "get"},
      {"/reports/savings", "get"},
      {"/reports/training", "get"},
      {"/audit", "get"},
      {"/messages", "get"},
      {"/messages/{id}/retry", "post"},
      {"/messages/{id}/cancel", "post"}};
  for (const auto& [path, method] : ops) {
    ASSERT_TRUE(paths.contains(path)) << path;
    EXPECT_TRUE(paths.at(path).as_object().contains(method)) << method << " " << path;
  }
}

TEST_F(ReportsApiTest, PortfolioOutstandingIsTheLedgerWithArrearsAndPar30OnTheClock) {
  const Loan amina = ReferredLoan(kAmina, 1000000, 6);
  const Loan wanjiru = ReferredLoan(kWanjiru, 200000, 3);
  const Loan grace = ReferredLoan(kGrace, 200000, 3);
  Disburse(amina, 800000, 6);
  Disburse(wanjiru, 200000, 3);
  // Approved now (an approved loan does not expire), disbursed later.
  Approve(grace, 200000, 3);
  if (HasFatalFailure()) return;
  const std::vector<int64_t> due = DueDates(amina);
  ASSERT_EQ(due.size(), 6u);
  // Amina pays her first instalment; Wanjiru pays nothing.
  Reply first = Get("/loans/" + amina.reference, admin_);
  const int64_t instalment = first.Json().at("schedule").at(0).at("total").as_int64();
  Reply r = Post("/loans/" + amina.reference + "/repayments", imara_,
                 {{"payment_id", "P-1"}, {"amount", instalment}, {"currency", "KES"}});
  ASSERT_EQ(r.status, 200) << r.body;

  // 20 days after the first due date: only Wanjiru is overdue (1-30).
  now_->store(due[0] + 20 * kDay);
  json::value kes = Kes(admin_);
  ASSERT_TRUE(kes.is_object());
  EXPECT_EQ(kes.at("outstanding").as_int64(), LedgerOutstanding());
  EXPECT_EQ(kes.at("loans").as_int64(), 3);
  EXPECT_EQ(kes.at("arrears").at("1-30").at("loans").as_int64(), 1);
  EXPECT_EQ(kes.at("arrears").at("1-30").at("outstanding").as_int64(),
            LoanBalance(wanjiru.member_id));
  EXPECT_EQ(kes.at("arrears").at("31-60").at("loans").as_int64(), 0);
  EXPECT_EQ(kes.at("par30_bp").as_int64(), 0);
  EXPECT_EQ(kes.at("par30").as_string(), "0.00%");

  // Grace's loan is disbursed later, then the clock goes to 40 days after
  // Amina's second due date: Amina 31-60 (her oldest unpaid is the
  // second), Wanjiru 61-90, Grace not yet due.
  now_->store(due[1] + 20 * kDay);
  DisburseOnly(grace, 200000);
  if (HasFatalFailure()) return;
  now_->store(due[1] + 40 * kDay);
  kes = Kes(ro_);
  ASSERT_TRUE(kes.is_object());
  const int64_t total = LedgerOutstanding();
  EXPECT_EQ(kes.at("outstanding").as_int64(), total);
  int64_t by_state = 0, loans = 0;
  for (const auto& kv : kes.at("by_state").as_object()) {
    by_state += kv.value().at("outstanding").as_int64();
    loans += kv.value().at("loans").as_int64();
  }
  EXPECT_EQ(by_state, total) << "every loan's outstanding adds up to the ledger";
  EXPECT_EQ(loans, 3);
  EXPECT_EQ(kes.at("arrears").at("1-30").at("loans").as_int64(), 0);
  EXPECT_EQ(kes.at("arrears").at("31-60").at("outstanding").as_int64(),
            LoanBalance(amina.member_id));
  EXPECT_EQ(kes.at("arrears").at("61-90").at("outstanding").as_int64(),
            LoanBalance(wanjiru.member_id));
  EXPECT_EQ(kes.at("arrears").at("90+").at("loans").as_int64(), 0);
  const int64_t at_risk = LoanBalance(amina.member_id) + LoanBalance(wanjiru.member_id);
  EXPECT_EQ(kes.at("par30_outstanding").as_int64(), at_risk);
  EXPECT_EQ(kes.at("par30_bp").as_int64(), ShareBp(at_risk, total));
  EXPECT_GT(kes.at("par30_bp").as_int64(), 0);
  EXPECT_LT(kes.at("par30_bp").as_int64(), 10000);
  EXPECT_EQ(kes.at("par30").as_string(), BpPercent(ShareBp(at_risk, total)));

  // Scopes: the partner's own loans (its clearing accounts mirror them),
  // the field officer's groups, another MFI nothing.
  json::value mine = Kes(imara_);
  ASSERT_TRUE(mine.is_object());
  EXPECT_EQ(mine.at("outstanding").as_int64(), total);
  EXPECT_EQ(Kes(admin_, "?partner=imara").at("outstanding").as_int64(), total);
  EXPECT_EQ(Kes(fo_own_).at("outstanding").as_int64(), total);
  EXPECT_EQ(Kes(admin_, "?group=" + std::to_string(upendo_)).at("outstanding").as_int64(), total);
  EXPECT_TRUE(Kes(fo_other_).is_null());
  EXPECT_TRUE(Kes(other_mfi_).is_null());
  EXPECT_TRUE(Kes(admin_, "?partner=other-mfi").is_null());
  EXPECT_EQ(Get("/reports/portfolio?group=" + std::to_string(upendo_), fo_other_).status, 404);
  EXPECT_EQ(Get("/reports/portfolio?partner=imara", other_mfi_).status, 404);
  EXPECT_EQ(Get("/reports/portfolio?group=x", admin_).status, 400);
}

TEST_F(ReportsApiTest, SavingsPerMonthAddUpToTheLedgerWithReversalsAndServeAsCsv) {
  // Reverse one of Amina's confirmed savings: its month shows it.
  const int64_t saving =
      Count("SELECT id FROM savings WHERE status = 'confirmed' AND member_id = " +
            std::to_string(MemberId(kAmina)) + " ORDER BY id LIMIT 1");
  const int64_t reversed = Count("SELECT amount FROM savings WHERE id = " + std::to_string(saving));
  Status s = app_->store().Run([&](store::Connection& conn) -> Status {
    PinHasher pins(kPepper);
    DomainContext ctx{&pins, 3, now_->load()};
    return Services(conn, ctx).ReverseSaving(saving, "entered twice");
  });
  ASSERT_TRUE(s.ok()) << s.ToString();

  const std::string g = std::to_string(upendo_);
  Reply r = Get("/reports/savings?by=month&group=" + g, fo_own_);
  ASSERT_EQ(r.status, 200) << r.body;
  int64_t net = 0, reversals = 0;
  for (const json::value& row : r.Json().at("data").as_array()) {
    EXPECT_EQ(row.at("group_id").as_int64(), upendo_);
    EXPECT_EQ(row.at("currency").as_string(), "KES");
    EXPECT_EQ(row.at("month").as_string().size(), 7u);
    EXPECT_EQ(row.at("net").as_int64(),
              row.at("confirmed").as_int64() - row.at("reversed").as_int64());
    net += row.at("net").as_int64();
    reversals += row.at("reversed").as_int64();
  }
  EXPECT_EQ(net, Count("SELECT SUM(balance * normal) FROM accounts WHERE kind = 'member_savings'"
                       " AND group_id = " +
                       g));
  EXPECT_EQ(reversals, reversed);

  Reply csv = Get("/reports/savings.csv?group=" + g, admin_);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.substr(0, csv.body.find("\r\n")),
            "month,group_id,group_name,currency,confirmed,reversed,net,journals");
  size_t lines = 0;
  for (char c : csv.body) lines += c == '\n';
  EXPECT_EQ(lines, r.Json().at("data").as_array().size() + 1);

  // Scope: another group's officer sees only hers; partners none.
  EXPECT_EQ(Get("/reports/savings?group=" + g, fo_other_).status, 404);
  Reply theirs = Get("/reports/savings", fo_other_);
  for (const json::value& row : theirs.Json().at("data").as_array()) {
    EXPECT_EQ(row.at("group_id").as_int64(), tumaini_);
  }
  EXPECT_EQ(Get("/reports/savings", imara_).status, 403);
  EXPECT_EQ(Get("/reports/savings?by=week", admin_).status, 400);
  // Paging by offset cursor.
  Reply p1 = Get("/reports/savings?limit=1", ro_);
  ASSERT_EQ(p1.status, 200);
  ASSERT_TRUE(p1.Json().at("next_cursor").is_string());
  Reply p2 =
      Get("/reports/savings?limit=1&cursor=" + std::string(p1.Json().at("next_cursor").as_string()),
          ro_);
  ASSERT_EQ(p2.status, 200);
  EXPECT_NE(p2.Json().at("data"), p1.Json().at("data"));
}

TEST_F(ReportsApiTest, TrainingPerModuleCountsActiveMembersWhoCompleted) {
  const std::string g = std::to_string(upendo_);
  Reply r = Get("/reports/training?group=" + g, ro_);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::array& rows = r.Json().at("data").as_array();
  ASSERT_EQ(rows.size(), static_cast<size_t>(Count("SELECT COUNT(*) FROM training_modules")));
  const int64_t active =
      Count("SELECT COUNT(*) FROM members WHERE status = 'active' AND group_id = " + g);
  for (const json::value& row : rows) {
    const std::string id(row.at("module_id").as_string());
    EXPECT_EQ(row.at("active_members").as_int64(), active);
    EXPECT_EQ(row.at("completed").as_int64(),
              Count("SELECT COUNT(*) FROM training_records r JOIN members m ON m.id = r.member_id"
                    " WHERE m.status = 'active' AND m.group_id = " +
                    g + " AND r.module_id = '" + id + "'"))
        << id;
    EXPECT_EQ(row.at("completed_bp").as_int64(), ShareBp(row.at("completed").as_int64(), active));
  }
  EXPECT_EQ(Get("/reports/training.csv", admin_).status, 200);
  EXPECT_EQ(Get("/reports/training?group=" + g, fo_other_).status, 404);
  EXPECT_EQ(Get("/reports/training", imara_).status, 403);
  // A field officer's figures are her groups' only.
  Reply hers = Get("/reports/training", fo_other_);
  ASSERT_EQ(hers.status, 200);
  EXPECT_EQ(hers.Json().at("data").at(0).at("active_members").as_int64(),
            Count("SELECT COUNT(*) FROM members WHERE status = 'active' AND group_id = " +
                  std::to_string(tumaini_)));
}

}  // namespace
}  // namespace shg::api_test
