// End-to-end loans (issue 4 "Done means"): the real gateway (port 0, a
// temporary SQLite file with the demo data, durable commits, the outbox
// dispatcher) against the real loopback fake provider, which sends the SMS
// and plays the MFI partner "Imara": it takes signed referrals and, on
// command, calls the gateway's signed partner callbacks.
//
// Amina (trained, 8 confirmed savings of KES 4,250 in all) asks KES 10,000
// for her bakery over 6 months; Grace (chair) approves under Group tasks; the
// referral reaches Imara signed; Imara approves and disburses; Amina sees
// the outstanding and next instalment under My loan and logs repayments that
// Wanjiru (treasurer) confirms, one comes from the partner, until repaid. She
// gets an SMS at each step, and the ledger balances at every step.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "domain/demo.h"
#include "domain/loans.h"
#include "domain/money.h"
#include "domain/services.h"
#include "domain/store/store.h"
#include "gateway/app.h"
#include "gateway/fake/fake_provider.h"
#include "gateway/partners/signature.h"
#include "tests/support/count_rows.h"
#include "tests/support/http_client.h"
#include "tests/support/net.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

using testing::FreePort;
using testing::HttpClient;
using testing::HttpResult;
using testing::WaitFor;

const std::string kPepper = "loans-test-pepper-0123456789abcdef";
const std::string kCallbackKey = "cbkey-loans-SECRET";
const std::string kPartnerSecret = "imara-shared-secret-0123456789";

const std::string kAmina = "+254700000001";
const std::string kWanjiru = "+254700000002";  // treasurer
const std::string kGrace = "+254700000003";    // chair
const std::string kMary = "+254700000005";     // step 1 of the training only

class LoansTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = ::testing::TempDir() + "/loans_" + std::to_string(::getpid()) + "_" +
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
    {
      store::StoreOptions so = test_db_.Options();
      auto store = store::Store::Open(so);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      PinHasher pins(kPepper);
      ASSERT_TRUE(LoadDemo(**store, pins, 30, gateway::SystemNow() - 86400).ok());
    }
    auto app = gateway::App::Create(settings_, kPepper);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    ASSERT_TRUE(app_->Start().ok());
  }

  void TearDown() override {
    app_.reset();
    fake_.reset();
    std::filesystem::remove_all(dir_);
  }

  // One USSD session in the Africa's Talking format: each step re-sends the
  // whole path so far ("", "2580", "2580*3", ...). Returns the last answer.
  std::string Ussd(const std::string& phone, const std::vector<std::string>& keys) {
    return UssdScreens(phone, keys).back();
  }
  // The same, with every answer of the session in order (the dial's first).
  std::vector<std::string> UssdScreens(const std::string& phone,
                                       const std::vector<std::string>& keys) {
    static std::atomic<int> sessions{0};
    const std::string id = "ATUid_loans_" + std::to_string(++sessions);
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

  // Amina's request by USSD: amount, purpose 2 (Bakery), term 2 (6 months),
  // the cost (instalment, total, rate) before any consent, then consent.
  // Returns the reference shown at the end.
  std::string RequestBakeryLoan() {
    const std::vector<std::string> screens =
        UssdScreens(kAmina, {"2580", "3", "10000", "2", "2", "1", "1"});
    const std::string& terms = screens[4];
    EXPECT_NE(terms.find("6 months: KES 1,756/month"), std::string::npos) << terms;
    const std::string& cost = screens[5];
    EXPECT_EQ(cost.rfind("CON ", 0), 0u) << cost;
    for (const char* figure : {"KES 1,756/month", "Total to repay KES 10,531", "18%/yr"}) {
      EXPECT_NE(cost.find(figure), std::string::npos) << figure << " in\n" << cost;
    }
    EXPECT_EQ(cost.find("share my record"), std::string::npos) << "consent comes after the cost";
    const std::string& consent = screens[6];
    EXPECT_NE(consent.find("share my record with Imara"), std::string::npos) << consent;
    const std::string& end = screens[7];
    EXPECT_EQ(end.rfind("END Loan request KES 10,000", 0), 0u) << end;
    return end.substr(end.rfind(' ') + 1);
  }

  // Grace approves the first loan request under Group tasks.
  std::string GraceApprovesFirstRequest() {
    return Ussd(kGrace, {"2580", "8", "2", "1", "1"});
  }

  // One integer from a query on a fresh statement (tests/support/count_rows.h
  // says why not Connection::Prepare).
  int64_t Count(const std::string& sql) {
    return testing::CountRows(app_->store().Reader(), sql);
  }

  Loan LoanOf(const std::string& reference) {
    DomainContext ctx;
    ctx.now = gateway::SystemNow();
    LoanProgramme programme;
    Result<Loan> loan = Loans(app_->store().Reader(), ctx, programme).GetByReference(reference);
    EXPECT_TRUE(loan.ok()) << loan.status().ToString();
    return loan.ok() ? *loan : Loan{};
  }

  std::vector<Instalment> ScheduleOf(int64_t loan_id) {
    DomainContext ctx;
    LoanProgramme programme;
    Result<std::vector<Instalment>> s = Loans(app_->store().Reader(), ctx, programme).Schedule(loan_id);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : std::vector<Instalment>{};
  }

  // "Amounts balance to the unit in the ledger at every step."
  void ExpectLedgerBalanced(const std::string& step) {
    DomainContext ctx;
    Status s = Services(app_->store().Reader(), ctx).CheckLedger();
    EXPECT_TRUE(s.ok()) << step << ": " << s.ToString();
  }

  // SMS texts the fake provider accepted for `phone`, in order.
  std::vector<std::string> SmsTo(const std::string& phone) {
    std::vector<std::string> out;
    for (const auto& m : fake_->Messages()) {
      if (m.to == phone) out.push_back(m.text);
    }
    return out;
  }

  // Waits until an SMS to `phone` contains `text`.
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

  // A partner callback signed with `secret` at `timestamp`.
  HttpResult Callback(const std::string& reference, const std::string& event,
                      const std::string& body, const std::string& secret, int64_t timestamp) {
    const std::string ts = std::to_string(timestamp);
    return HttpClient().PostRaw(
        base_ + "/partners/imara/loans/" + reference + "/" + event, body, "application/json",
        {std::string(partners::kTimestampHeader) + ": " + ts,
         std::string(partners::kSignatureHeader) + ": " + partners::Sign(secret, ts, body)});
  }

  std::string dir_, base_;

  shg::testing::TestDatabase test_db_;
  config::Settings settings_;
  std::unique_ptr<gateway::FakeProvider> fake_;
  std::unique_ptr<gateway::App> app_;
};

const Currency Kes() { return *FindCurrency("KES"); }

TEST_F(LoansTest, AminaBakeryLoanFromRequestToRepaid) {
  // 1. The request.
  const std::string ref = RequestBakeryLoan();
  ASSERT_EQ(ref.size(), 6u) << ref;
  EXPECT_EQ(LoanOf(ref).state, LoanState::kRequested);
  EXPECT_TRUE(GotSms(kAmina, "Loan request KES 10,000, 6 months: KES 1,756/month, total KES "
                             "10,531. Interest 18%/yr, declining. Ref " + ref));
  ExpectLedgerBalanced("requested");

  // 2. Grace approves it under Group tasks; the referral goes to Imara.
  const std::string approved = GraceApprovesFirstRequest();
  EXPECT_NE(approved.find("Approved. Ref " + ref), std::string::npos) << approved;
  ASSERT_TRUE(fake_->WaitForReferrals(1, std::chrono::seconds(10)));
  std::vector<gateway::FakeReferral> referrals = fake_->Referrals();
  ASSERT_EQ(referrals.size(), 1u);
  EXPECT_EQ(referrals[0].reference, ref);
  EXPECT_EQ(referrals[0].amount, 10'000'00);
  EXPECT_EQ(referrals[0].currency, "KES");
  EXPECT_EQ(referrals[0].term_months, 6);
  EXPECT_EQ(referrals[0].purpose, "bakery");
  EXPECT_EQ(referrals[0].member_name, "Amina W.");
  // The fake verified the signature before accepting (it answers 401 otherwise).
  EXPECT_EQ(fake_->ReferralRequestCount(), 1u);
  EXPECT_EQ(LoanOf(ref).state, LoanState::kReferredToMfi);
  EXPECT_TRUE(GotSms(kAmina, "Your group approved your loan request KES 10,000, Ref " + ref));
  EXPECT_TRUE(GotSms(kAmina, "Your loan request Ref " + ref + " was sent to Imara Microfinance"));
  ExpectLedgerBalanced("referred");

  // 3. Imara approves; the same decision again changes nothing.
  gateway::FakeMfiCall call = fake_->ApproveLoan(ref);
  ASSERT_EQ(call.status, 200) << call.body << call.error;
  EXPECT_NE(call.body.find("\"state\":\"approved\""), std::string::npos) << call.body;
  EXPECT_NE(call.body.find("\"changed\":true"), std::string::npos) << call.body;
  EXPECT_TRUE(GotSms(kAmina, "Your loan Ref " + ref + " is approved: KES 10,000 over 6 months"));
  const int64_t events = Count("SELECT count(*) FROM loan_events");
  const int64_t messages = Count("SELECT count(*) FROM messages");
  call = fake_->ApproveLoan(ref);
  ASSERT_EQ(call.status, 200) << call.body << call.error;
  EXPECT_NE(call.body.find("\"changed\":false"), std::string::npos) << call.body;
  EXPECT_EQ(Count("SELECT count(*) FROM loan_events"), events);
  EXPECT_EQ(Count("SELECT count(*) FROM messages"), messages);
  ExpectLedgerBalanced("approved");

  // 4. Imara disburses: principal and the schedule's interest are posted.
  call = fake_->Disburse(ref);
  ASSERT_EQ(call.status, 200) << call.body << call.error;
  EXPECT_NE(call.body.find("\"state\":\"disbursed\""), std::string::npos) << call.body;
  Loan loan = LoanOf(ref);
  ASSERT_EQ(loan.state, LoanState::kDisbursed);
  const std::vector<Instalment> schedule = ScheduleOf(loan.id);
  ASSERT_EQ(schedule.size(), 6u);
  int64_t owed = 0;
  for (const Instalment& i : schedule) owed += i.total;
  EXPECT_EQ(owed, 10'000'00 + 531'00) << "declining 18% over 6 months (hand-checked)";
  EXPECT_EQ(loan.outstanding, owed);
  EXPECT_TRUE(GotSms(kAmina, "Loan Ref " + ref + " paid out: KES 10,000. Outstanding " +
                                 FormatMoney(owed, Kes())));
  ExpectLedgerBalanced("disbursed");

  // 5. My loan: outstanding and the next instalment with its date.
  std::string my_loan = Ussd(kAmina, {"2580", "4"});
  EXPECT_NE(my_loan.find(FormatMoney(owed, Kes())), std::string::npos) << my_loan;
  EXPECT_NE(my_loan.find(FormatMoney(schedule[0].total, Kes())), std::string::npos) << my_loan;
  EXPECT_NE(my_loan.find("1. Log repayment"), std::string::npos) << my_loan;

  // 6. She pays every instalment by USSD in whole shillings, exactly as the
  // schedule says: five logged by her and confirmed by the treasurer; the
  // last one she logs (a claim) and Imara reports too: posted once.
  int64_t outstanding = owed;
  for (size_t k = 0; k < schedule.size(); ++k) {
    SCOPED_TRACE("instalment " + std::to_string(k + 1));
    const int64_t due = schedule[k].total;
    ASSERT_EQ(due % 100, 0) << "every instalment is a whole shilling amount";
    const std::string logged =
        Ussd(kAmina, {"2580", "4", "1", std::to_string(due / 100), "1"});
    EXPECT_EQ(logged.rfind("END Repayment " + FormatMoney(due, Kes()) + " logged, pending", 0),
              0u)
        << logged;
    EXPECT_EQ(LoanOf(ref).outstanding, outstanding) << "pending until confirmed";
    if (k + 1 < schedule.size()) {
      const std::string confirmed = Ussd(kWanjiru, {"2580", "8", "3", "1", "1"});
      EXPECT_NE(confirmed.find("Confirmed. Ref "), std::string::npos) << confirmed;
    } else {
      call = fake_->Repay(ref, due);
      ASSERT_EQ(call.status, 200) << call.body << call.error;
      const std::string tasks = Ussd(kWanjiru, {"2580", "8"});
      EXPECT_NE(tasks.find("3. Repayments to confirm (0)"), std::string::npos)
          << "her claim was settled by Imara's report: nothing left to confirm twice\n" << tasks;
    }
    outstanding -= due;
    EXPECT_EQ(LoanOf(ref).outstanding, outstanding);
    ExpectLedgerBalanced("instalment " + std::to_string(k + 1));
  }
  EXPECT_EQ(Count("SELECT count(*) FROM loan_repayments WHERE status = 'settled'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM journals WHERE kind = 'loan_repayment'"), 6)
      << "six payments, six postings";
  loan = LoanOf(ref);
  EXPECT_EQ(loan.state, LoanState::kRepaid);
  EXPECT_EQ(loan.outstanding, 0);
  EXPECT_EQ(loan.repaid, owed);
  EXPECT_TRUE(GotSms(kAmina, "Well done! Your loan Ref " + ref + " is fully repaid."));
  ExpectLedgerBalanced("repaid");
  // Her loan account and the group's Imara clearing account are back to zero.
  EXPECT_EQ(Count("SELECT balance FROM accounts WHERE kind = 'member_loan' AND member_id ="
                  " (SELECT id FROM members WHERE phone = '" + kAmina + "' LIMIT 1)"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM accounts WHERE kind = 'mfi_clearing'"), 1);
  EXPECT_EQ(Count("SELECT abs(balance) FROM accounts WHERE kind = 'mfi_clearing'"), 0);
  // Every state she went through was audited.
  EXPECT_EQ(Count("SELECT count(*) FROM loan_events WHERE loan_id = " + std::to_string(loan.id)),
            6)
      << "request, group_approve, refer, mfi_approve, disburse, repay_in_full";
}

TEST_F(LoansTest, MaryIsRefusedForMissingTrainingWithThatReason) {
  const std::string end = Ussd(kMary, {"2580", "3"});
  EXPECT_EQ(end, "END You can request a loan after completing business training (steps 1 and 2).");
  EXPECT_EQ(Count("SELECT count(*) FROM loans"), 0);
}

TEST_F(LoansTest, BadOrStaleSignatureIs401AndChangesNothing) {
  const std::string ref = RequestBakeryLoan();
  GraceApprovesFirstRequest();
  ASSERT_TRUE(fake_->WaitForReferrals(1, std::chrono::seconds(10)));
  const int64_t events = Count("SELECT count(*) FROM loan_events");
  const std::string body =
      R"({"decision":"approved","amount_minor":1000000,"currency":"KES","term_months":6,)"
      R"("interest_rule":"declining","annual_rate_bp":1800})";
  const int64_t now = gateway::SystemNow();

  HttpResult r = Callback(ref, "decision", body, "not-the-shared-secret-at-all", now);
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_NE(r.body.find("bad signature"), std::string::npos) << r.body;
  r = Callback(ref, "decision", body, kPartnerSecret, now - 3600);
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_NE(r.body.find("stale timestamp"), std::string::npos) << r.body;
  r = HttpClient().PostRaw(base_ + "/partners/imara/loans/" + ref + "/decision", body,
                           "application/json");
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(LoanOf(ref).state, LoanState::kReferredToMfi);
  EXPECT_EQ(Count("SELECT count(*) FROM loan_events"), events);

  // Signed correctly it applies; a disbursement before... is 409 with the state.
  r = Callback(ref, "disbursement",
               R"({"amount_minor":1000000,"currency":"KES","transaction_id":"TX-EARLY"})",
               kPartnerSecret, now);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("\"state\":\"referred_to_mfi\""), std::string::npos) << r.body;
  r = Callback(ref, "decision", body, kPartnerSecret, now);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(LoanOf(ref).state, LoanState::kApproved);
}

TEST_F(LoansTest, ReferralIsDeliveredOnceThePartnerRecovers) {
  fake_->FailNextReferrals(3);  // Imara is down for the first three attempts
  const std::string ref = RequestBakeryLoan();
  GraceApprovesFirstRequest();
  ASSERT_TRUE(fake_->WaitForReferrals(1, std::chrono::seconds(20)));
  EXPECT_EQ(fake_->ReferralRequestCount(), 4u);
  ASSERT_EQ(fake_->Referrals().size(), 1u);
  EXPECT_EQ(fake_->Referrals()[0].reference, ref);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Count("SELECT count(*) FROM messages WHERE kind = 'mfi_referral'"
                     " AND status = 'sent' AND attempts = 4") == 1;
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE kind = 'mfi_referral'"), 1);
}

}  // namespace
}  // namespace shg
