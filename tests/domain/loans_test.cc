// Loans over a real SQLite file: eligibility refusals, the request ->
// group approval -> MFI referral -> decision -> disbursement -> repayment
// walk with the ledger checked at every step, cancel and decline rules,
// partner idempotency, the scheduler (expiry, arrears, catch-up,
// reminders), idempotency keys, member claims settled by partner reports
// (one payment counted once in every interleaving), case-insensitive loan
// references, and migration 5 (claims) over a populated migration-3 database.
#include "domain/loans.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "domain/ledger.h"
#include "domain/messages.h"
#include "domain/refcode.h"
#include "domain/store/store.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

using store::Connection;
using store::SqliteConnection;
using store::ScopedReset;
using store::Statement;
using TempDb = shg::testing::TestDatabase;

constexpr int64_t kDay = 24 * 60 * 60;
constexpr int64_t kNow = 1717200000;  // 2024-06-01 00:00 UTC

constexpr char kCountLoans[] = "SELECT COUNT(*) FROM loans";
constexpr char kCountEvents[] = "SELECT COUNT(*) FROM loan_events";
constexpr char kCountLoanAudit[] = "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'loan.%'";
constexpr char kCountMessages[] = "SELECT COUNT(*) FROM messages";
constexpr char kCountRepayments[] = "SELECT COUNT(*) FROM loan_repayments";
constexpr char kCountJournals[] = "SELECT COUNT(*) FROM journals";
constexpr char kReferralRows[] =
    "SELECT channel, kind, phone, member_id, dedupe_key, body, status FROM messages"
    " WHERE kind = 'mfi_referral'";
constexpr char kConsentOf[] = "SELECT consent_mfi_sharing_at FROM members WHERE id = ?";
constexpr char kClearingBalance[] =
    "SELECT balance FROM accounts WHERE kind = 'mfi_clearing' AND group_id = ? AND partner_id = ?";
constexpr char kLastAudit[] =
    "SELECT actor_kind, actor, action, subject, channel, request_id FROM audit_log"
    " WHERE action LIKE 'loan.%' ORDER BY id DESC LIMIT 1";
constexpr char kJournalKinds[] =
    "SELECT kind, reference FROM journals WHERE kind LIKE 'loan_%' ORDER BY id";
constexpr char kDeleteLoan[] = "DELETE FROM loans";
constexpr char kRewriteInstalment[] = "UPDATE loan_instalments SET total = total + 1";
constexpr char kDeleteEvents[] = "DELETE FROM loan_events";
constexpr char kRewriteAmount[] = "UPDATE loans SET amount = 1";
constexpr char kRewriteTerms[] = "UPDATE loans SET approved_amount = 900000";
constexpr char kReopen[] = "UPDATE loans SET state = 'disbursed' WHERE state = 'repaid'";
constexpr char kSecondOpenRequest[] =
    "INSERT INTO loans (reference, member_id, group_id, currency, amount, purpose, term_months,"
    " partner_id, consent_at, created_at, updated_at)"
    " SELECT 'ZZZZZZ', member_id, group_id, currency, amount, purpose, term_months, partner_id,"
    " consent_at, created_at, updated_at FROM loans WHERE member_id = ?";
constexpr char kCountSavings[] = "SELECT COUNT(*) FROM savings";

int64_t Count(Connection& db, const char* sql) {
  Statement& st = db.Prepare(sql);
  ScopedReset reset(st);
  Result<bool> row = st.Step();
  EXPECT_TRUE(row.ok() && *row);
  return st.Int(0);
}

template <typename T>
T Must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : T{};
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

Actor MemberActor(int64_t id) { return Actor{"member", std::to_string(id), "ussd", "req-1"}; }
const Actor kPartner{"partner", "imara", "partner-api", "cb-1"};
const Actor kScheduler{"system", "scheduler", "", ""};

// Upendo (KES, product "imara" with an API), Pwani (TZS, product
// "tujenge" without one) and Tumaini (UGX, no product), with members of
// every eligibility situation.
class LoansTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::ConnectionOptions o;
    o.synchronous = "OFF";
    auto db = tmp_.Connect();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    Result<int> version = store::Migrate(*db_);
    ASSERT_TRUE(version.ok()) << version.status().ToString();
    ctx_.pins = &pins_;
    ctx_.now = kNow;

    programme_.purposes = {"vegetable_farming", "bakery", "tailoring"};
    LoanProduct imara;
    imara.partner_id = "imara";
    imara.partner_name = "Imara Microfinance";
    imara.currency = "KES";
    imara.min_amount = 500000;    // KES 5,000
    imara.max_amount = 5000000;   // KES 50,000
    imara.terms_months = {3, 6, 12};
    imara.rule = InterestRule::kFlat;
    imara.annual_rate_bp = 1800;
    imara.has_api = true;
    LoanProduct tujenge = imara;
    tujenge.partner_id = "tujenge";
    tujenge.partner_name = "Tujenge";
    tujenge.currency = "TZS";
    tujenge.has_api = false;
    programme_.products = {imara, tujenge};

    ASSERT_TRUE(svc().UpsertTrainingModule("s1-groups", 1, "Group dynamics").ok());
    ASSERT_TRUE(svc().UpsertTrainingModule("s2-business", 2, "Starting a business").ok());
    ASSERT_TRUE(svc().UpsertTrainingModule("s3-loans", 3, "Using a loan").ok());

    upendo_ = AddGroup("Upendo", "KE", "KES");
    pwani_ = AddGroup("Pwani", "TZ", "TZS");
    tumaini_ = AddGroup("Tumaini", "UG", "UGX");
    wanjiru_ = AddMember(upendo_, "+254700000002", "Wanjiru", Role::kTreasurer, 2, 240);
    grace_ = AddMember(upendo_, "+254700000003", "Grace", Role::kChair, 2, 240);
    amina_ = AddMember(upendo_, "+254700000001", "Amina Achieng", Role::kMember, 2, 240);
    mary_ = AddMember(upendo_, "+254700000005", "Mary", Role::kMember, 1, 240);
    halima_ = AddMember(upendo_, "+254700000006", "Halima", Role::kMember, 2, 240);
    newbie_ = AddMember(upendo_, "+254700000007", "Neema", Role::kMember, 2, 40);
    rose_ = AddMember(upendo_, "+254700000008", "Rose", Role::kMember, 2, 240);
    exited_ = AddMember(upendo_, "+254700000009", "Old", Role::kMember, 2, 240, false);
    secretary_ = AddMember(upendo_, "+254700000010", "Esther", Role::kSecretary, 2, 240);
    tz_chair_ = AddMember(pwani_, "+255712000001", "Zawadi", Role::kChair, 2, 240);
    tz_member_ = AddMember(pwani_, "+255712000002", "Subira", Role::kMember, 2, 240);
    ug_treasurer_ = AddMember(tumaini_, "+256700000002", "Joan", Role::kTreasurer, 2, 240);
    ug_member_ = AddMember(tumaini_, "+256700000003", "Sarah", Role::kMember, 2, 240);

    // Amina: 7 x KES 500 + KES 750 = KES 4,250 -> limit KES 12,750.
    Save(amina_, {50000, 50000, 50000, 50000, 50000, 50000, 50000, 75000}, wanjiru_);
    Save(wanjiru_, std::vector<int64_t>(6, 50000), grace_);
    Save(grace_, std::vector<int64_t>(6, 50000), wanjiru_);
    Save(mary_, std::vector<int64_t>(6, 50000), wanjiru_);
    Save(halima_, std::vector<int64_t>(5, 50000), wanjiru_);
    Save(newbie_, std::vector<int64_t>(6, 50000), wanjiru_, /*days_apart=*/5);
    Save(rose_, std::vector<int64_t>(6, 10000), wanjiru_);  // limit KES 1,800 < minimum
    Save(tz_member_, std::vector<int64_t>(6, 100000), tz_chair_);
    Save(ug_member_, std::vector<int64_t>(6, 1000000), ug_treasurer_);
    ctx_.now = kNow;
  }

  Services svc() { return Services(*db_, ctx_); }
  Loans loans() { return Loans(*db_, ctx_, programme_); }

  int64_t AddGroup(const std::string& name, const std::string& country,
                   const std::string& currency) {
    Group g;
    g.name = name;
    g.country = country;
    g.currency = currency;
    return Must(svc().AddGroup(g));
  }

  // `steps` of training completed (1: step 1 only, 2: steps 1 and 2).
  int64_t AddMember(int64_t group, const std::string& phone, const std::string& name, Role role,
                    int steps, int64_t joined_days_ago, bool active = true) {
    Member m;
    m.group_id = group;
    m.phone = phone;
    m.name = name;
    m.role = role;
    m.active = active;
    m.joined_at = kNow - joined_days_ago * kDay;
    const int64_t id = Must(svc().AddMember(m));
    EXPECT_TRUE(svc().RecordTraining(id, "s1-groups", "staff").ok());
    if (steps >= 2) {
      EXPECT_TRUE(svc().RecordTraining(id, "s2-business", "staff").ok());
    }
    return id;
  }

  // Confirmed savings, oldest first, `days_apart` apart and ending yesterday.
  void Save(int64_t member, const std::vector<int64_t>& amounts, int64_t decider,
            int64_t days_apart = 20) {
    const int64_t n = static_cast<int64_t>(amounts.size());
    for (int64_t i = 0; i < n; ++i) {
      ctx_.now = kNow - (n - i) * days_apart * kDay;
      Saving s = Must(svc().LogSaving(member, amounts[i], "ussd", ""));
      ASSERT_TRUE(svc().DecideSaving(s.id, decider, true).ok());
    }
    ctx_.now = kNow;
  }

  LoanRequest AminaRequest(int64_t amount = 1000000) {
    LoanRequest r;
    r.member_id = amina_;
    r.amount = amount;
    r.purpose = "bakery";
    r.term_months = 6;
    r.consent = true;
    r.channel = "ussd";
    return r;
  }

  // Amina's request, approved by Grace: referred to imara.
  Loan Referred() {
    RequestOutcome out = Must(loans().Request(AminaRequest(), MemberActor(amina_)));
    EXPECT_EQ(out.refusal, "");
    EXPECT_TRUE(out.loan.has_value());
    if (!out.loan) return Loan{};
    LoanChange c = Must(loans().GroupDecide(out.loan->id, grace_, true, "", MemberActor(grace_)));
    return c.loan;
  }

  static PartnerDecision Approval() {
    PartnerDecision d;
    d.approved = true;
    d.amount = 1000000;
    d.term_months = 6;
    d.rule = InterestRule::kFlat;
    d.annual_rate_bp = 1800;
    return d;
  }

  // Referred, approved by imara and disbursed at ctx.now.
  Loan Disbursed() {
    Loan l = Referred();
    Must(loans().RecordPartnerDecision("imara", l.reference, Approval(), kPartner));
    LoanChange c = Must(
        loans().RecordDisbursement("imara", l.reference, 1000000, ctx_.now, "TX-1", kPartner));
    return c.loan;
  }

  void ExpectLedgerBalanced() {
    Status s = svc().CheckLedger();
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  int64_t ClearingBalance(int64_t group, const std::string& partner) {
    Statement& st = db_->Prepare(kClearingBalance);
    ScopedReset reset(st);
    st.Bind(1, group).Bind(2, partner);
    Result<bool> row = st.Step();
    EXPECT_TRUE(row.ok() && *row);
    return st.Int(0);
  }

  TempDb tmp_;
  std::unique_ptr<Connection> db_;
  PinHasher pins_{"0123456789abcdef-test-pepper"};
  DomainContext ctx_;
  LoanProgramme programme_;
  int64_t upendo_ = 0, pwani_ = 0, tumaini_ = 0;
  int64_t wanjiru_ = 0, grace_ = 0, amina_ = 0, mary_ = 0, halima_ = 0, newbie_ = 0, rose_ = 0;
  int64_t exited_ = 0, secretary_ = 0, tz_chair_ = 0, tz_member_ = 0;
  int64_t ug_treasurer_ = 0, ug_member_ = 0;
};

// ------------------------------------------------------------- eligibility

TEST_F(LoansTest, OfferShowsHerLimitAndTheProduct) {
  LoanOffer offer = Must(loans().OfferFor(amina_));
  EXPECT_EQ(offer.refusal, "");
  EXPECT_EQ(offer.max_amount, 1275000);  // 3 x KES 4,250
  EXPECT_EQ(offer.min_amount, 500000);
  EXPECT_EQ(offer.currency, "KES");
  EXPECT_EQ(offer.terms_months, (std::vector<int>{3, 6, 12}));
  EXPECT_EQ(offer.partner_id, "imara");
  EXPECT_EQ(offer.partner_name, "Imara Microfinance");
  EXPECT_EQ(loans().OfferFor(999).status().code(), Status::Code::kNotFound);
}

TEST_F(LoansTest, RefusalsCarryTheirReasonAndWriteNothing) {
  struct Case {
    const char* name;
    int64_t member;
    int64_t amount;
    const char* purpose;
    int term;
    bool consent;
    const char* refusal;
    bool offer_refused;  // OfferFor gives the same refusal
  };
  const Case cases[] = {
      {"inactive", exited_, 600000, "bakery", 6, true, "inactive", true},
      {"not trained", mary_, 600000, "bakery", 6, true, "not_trained", true},
      {"too new", newbie_, 600000, "bakery", 6, true, "too_new", true},
      {"too few savings", halima_, 600000, "bakery", 6, true, "too_few_savings",
       true},
      {"savings below product minimum", rose_, 600000, "bakery", 6, true,
       "amount_below_minimum", true},
      {"above limit", amina_, 1275001, "bakery", 6, true, "amount_above_limit",
       false},
      {"below minimum", amina_, 499999, "bakery", 6, true, "amount_below_minimum",
       false},
      {"zero amount", amina_, 0, "bakery", 6, true, "amount_below_minimum", false},
      {"purpose", amina_, 600000, "school_fees", 6, true, "purpose_not_allowed",
       false},
      {"consent", amina_, 600000, "bakery", 6, false, "no_consent", false},
      {"term", amina_, 600000, "bakery", 5, true, "term_not_allowed", false},
      {"no product", ug_member_, 600000, "bakery", 6, true, "no_product", true},
  };
  const int64_t audit_before = Count(*db_, kCountLoanAudit);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    LoanRequest r;
    r.member_id = c.member;
    r.amount = c.amount;
    r.purpose = c.purpose;
    r.term_months = c.term;
    r.consent = c.consent;
    r.idempotency_key = std::string("key-") + c.name;
    RequestOutcome out = Must(loans().Request(r, MemberActor(r.member_id)));
    EXPECT_EQ(out.refusal, c.refusal);
    EXPECT_FALSE(out.loan.has_value());
    LoanOffer offer = Must(loans().OfferFor(r.member_id));
    if (c.offer_refused) {
      EXPECT_EQ(offer.refusal, c.refusal);
      EXPECT_EQ(offer.max_amount, 0);
    } else {
      EXPECT_EQ(offer.refusal, "");
    }
  }
  EXPECT_EQ(Count(*db_, kCountLoans), 0);
  EXPECT_EQ(Count(*db_, kCountLoanAudit), audit_before);
}

TEST_F(LoansTest, OpenRequestAndPreviousLoanBlockANewOne) {
  Loan first = Must(loans().Request(AminaRequest(), MemberActor(amina_))).loan.value_or(Loan{});
  ASSERT_NE(first.id, 0);
  EXPECT_EQ(Must(loans().OfferFor(amina_)).refusal, "request_open");
  EXPECT_EQ(Must(loans().Request(AminaRequest(600000), MemberActor(amina_))).refusal,
            "request_open");
  // Still open once referred and approved; after disbursement (no top-ups)
  // the loan being repaid blocks.
  Must(loans().GroupDecide(first.id, grace_, true, "", MemberActor(grace_)));
  EXPECT_EQ(Must(loans().OfferFor(amina_)).refusal, "request_open");
  Must(loans().RecordPartnerDecision("imara", first.reference, Approval(), kPartner));
  EXPECT_EQ(Must(loans().OfferFor(amina_)).refusal, "request_open");
  Must(loans().RecordDisbursement("imara", first.reference, 1000000, kNow, "TX-9", kPartner));
  EXPECT_EQ(Must(loans().OfferFor(amina_)).refusal, "previous_loan_not_repaid");
  // The programme allows top-ups: repaying with no arrears is fine.
  programme_.policy.allow_topup = true;
  EXPECT_EQ(Must(loans().OfferFor(amina_)).refusal, "");
}

TEST_F(LoansTest, DeclinedOrCancelledRequestsDoNotBlock) {
  Loan a = Must(loans().Request(AminaRequest(), MemberActor(amina_))).loan.value_or(Loan{});
  Must(loans().GroupDecide(a.id, wanjiru_, false, "", MemberActor(wanjiru_)));
  Loan b = Must(loans().Request(AminaRequest(), MemberActor(amina_))).loan.value_or(Loan{});
  ASSERT_NE(b.id, 0);
  EXPECT_NE(b.reference, a.reference);
  Must(loans().Cancel(b.id, amina_, MemberActor(amina_)));
  EXPECT_EQ(Must(loans().OfferFor(amina_)).refusal, "");
}

// -------------------------------------------------------------- the walk

TEST_F(LoansTest, AminaBakeryLoanFromRequestToRepaid) {
  // Request.
  LoanRequest req = AminaRequest();
  req.idempotency_key = "at-ke:sess-1:9";
  RequestOutcome out = Must(loans().Request(req, MemberActor(amina_)));
  ASSERT_EQ(out.refusal, "");
  ASSERT_TRUE(out.loan.has_value());
  const Loan requested = *out.loan;
  EXPECT_TRUE(IsReferenceCode(requested.reference));
  EXPECT_EQ(requested.state, LoanState::kRequested);
  EXPECT_EQ(requested.member_name, "Amina Achieng");
  EXPECT_EQ(requested.member_phone, "+254700000001");
  EXPECT_EQ(requested.amount, 1000000);
  EXPECT_EQ(requested.currency, "KES");
  EXPECT_EQ(requested.purpose, "bakery");
  EXPECT_EQ(requested.term_months, 6);
  EXPECT_EQ(requested.partner_id, "imara");
  EXPECT_EQ(requested.consent_at, kNow);
  EXPECT_EQ(requested.outstanding, 0);
  {
    Statement& st = db_->Prepare(kConsentOf);
    ScopedReset reset(st);
    st.Bind(1, amina_);
    ASSERT_TRUE(*st.Step());
    EXPECT_EQ(st.Int(0), kNow);
  }
  // A retried request returns the first.
  RequestOutcome again = Must(loans().Request(req, MemberActor(amina_)));
  ASSERT_TRUE(again.loan.has_value());
  EXPECT_EQ(again.loan->id, requested.id);
  EXPECT_EQ(Count(*db_, kCountLoans), 1);
  std::vector<Loan> pending = Must(loans().PendingRequests(upendo_, 10, 0));
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, requested.id);

  // Grace (chair) approves: referred in one call, one referral in the outbox.
  ctx_.now = kNow + 3600;
  LoanChange approved =
      Must(loans().GroupDecide(requested.id, grace_, true, "", MemberActor(grace_)));
  EXPECT_TRUE(approved.changed);
  EXPECT_EQ(approved.entered,
            (std::vector<LoanState>{LoanState::kGroupApproved, LoanState::kReferredToMfi}));
  EXPECT_EQ(approved.loan.state, LoanState::kReferredToMfi);
  EXPECT_TRUE(Must(loans().PendingRequests(upendo_, 10, 0)).empty());
  {
    Statement& st = db_->Prepare(kLastAudit);
    ScopedReset reset(st);
    ASSERT_TRUE(*st.Step());
    EXPECT_EQ(st.Text(0), "member");
    EXPECT_EQ(st.Text(1), std::to_string(grace_));
    EXPECT_EQ(st.Text(2), "loan.refer");
    EXPECT_EQ(st.Text(3), "loan:" + std::to_string(requested.id));
    EXPECT_EQ(st.Text(4), "ussd");
    EXPECT_EQ(st.Text(5), "req-1");
  }
  ASSERT_EQ(Count(*db_, kCountMessages), 1);
  {
    Statement& st = db_->Prepare(kReferralRows);
    ScopedReset reset(st);
    ASSERT_TRUE(*st.Step());
    EXPECT_EQ(st.Text(0), ReferralChannel("imara"));
    EXPECT_EQ(st.Text(0), "partner:imara");
    EXPECT_EQ(st.Text(1), kReferralMessageKind);
    EXPECT_EQ(st.Text(2), "+254700000001");
    EXPECT_EQ(st.Int(3), amina_);
    EXPECT_EQ(st.Text(4), "referral:" + std::to_string(requested.id));
    EXPECT_EQ(st.Text(6), "queued");
    const std::string body = st.Text(5);
    EXPECT_EQ(body, Must(loans().Referral(requested.id)));
    const boost::json::value parsed = boost::json::parse(body);
    const boost::json::object& doc = parsed.as_object();
    auto text = [](const boost::json::value& v) { return std::string(v.as_string()); };
    EXPECT_EQ(doc.at("version").as_int64(), 1);
    EXPECT_EQ(text(doc.at("reference")), requested.reference);
    EXPECT_EQ(text(doc.at("partner_id")), "imara");
    EXPECT_EQ(doc.at("created_at").as_int64(), kNow);
    const boost::json::object& member = doc.at("member").as_object();
    EXPECT_EQ(member.at("id").as_int64(), amina_);
    EXPECT_EQ(text(member.at("name")), "Amina Achieng");
    EXPECT_EQ(text(member.at("phone")), "+254700000001");
    EXPECT_EQ(text(member.at("language")), "en");
    EXPECT_EQ(member.at("joined_at").as_int64(), kNow - 240 * kDay);
    EXPECT_EQ(member.at("consent_at").as_int64(), kNow);
    const boost::json::object& group = doc.at("group").as_object();
    EXPECT_EQ(group.at("id").as_int64(), upendo_);
    EXPECT_EQ(text(group.at("name")), "Upendo");
    EXPECT_EQ(text(group.at("country")), "KE");
    EXPECT_EQ(text(group.at("currency")), "KES");
    const boost::json::object& loan = doc.at("loan").as_object();
    EXPECT_EQ(loan.at("amount_minor").as_int64(), 1000000);
    EXPECT_EQ(text(loan.at("currency")), "KES");
    EXPECT_EQ(text(loan.at("purpose")), "bakery");
    EXPECT_EQ(loan.at("term_months").as_int64(), 6);
    const boost::json::object& savings = doc.at("savings").as_object();
    EXPECT_EQ(savings.at("confirmed_count").as_int64(), 8);
    EXPECT_EQ(savings.at("confirmed_total_minor").as_int64(), 425000);
    const boost::json::array& history = savings.at("history").as_array();
    ASSERT_EQ(history.size(), 8u);
    EXPECT_EQ(history.at(0).at("amount_minor").as_int64(), 75000);  // newest first
    EXPECT_EQ(history.at(0).at("at").as_int64(), kNow - 20 * kDay);
    for (size_t i = 1; i < history.size(); ++i) {
      EXPECT_LT(history.at(i).at("at").as_int64(), history.at(i - 1).at("at").as_int64());
    }
    const boost::json::object& training = doc.at("training").as_object();
    EXPECT_TRUE(training.at("completed").as_bool());
    const boost::json::array& modules = training.at("modules").as_array();
    ASSERT_EQ(modules.size(), 2u);
    EXPECT_EQ(text(modules.at(0).at("id")), "s1-groups");
    EXPECT_EQ(modules.at(0).at("step").as_int64(), 1);
    EXPECT_EQ(text(modules.at(1).at("id")), "s2-business");
    EXPECT_TRUE(modules.at(1).at("completed_at").is_int64());
  }

  // The partner approves; a replay changes nothing; another decision is 409.
  ctx_.now = kNow + 2 * kDay;
  EXPECT_EQ(Must(loans().PartnerLoan("imara", requested.reference)).id, requested.id);
  LoanChange decided =
      Must(loans().RecordPartnerDecision("imara", requested.reference, Approval(), kPartner));
  EXPECT_TRUE(decided.changed);
  EXPECT_EQ(decided.entered, std::vector<LoanState>{LoanState::kApproved});
  EXPECT_EQ(decided.loan.approved_amount, 1000000);
  EXPECT_EQ(decided.loan.approved_term_months, 6);
  EXPECT_EQ(decided.loan.rule, InterestRule::kFlat);
  EXPECT_EQ(decided.loan.annual_rate_bp, 1800);
  const int64_t events_after_decision = Count(*db_, kCountEvents);
  LoanChange replay =
      Must(loans().RecordPartnerDecision("imara", requested.reference, Approval(), kPartner));
  EXPECT_FALSE(replay.changed);
  EXPECT_TRUE(replay.entered.empty());
  EXPECT_EQ(replay.loan.state, LoanState::kApproved);
  EXPECT_EQ(Count(*db_, kCountEvents), events_after_decision);
  PartnerDecision decline;
  decline.reason = "Changed our mind";
  Result<LoanChange> conflict =
      loans().RecordPartnerDecision("imara", requested.reference, decline, kPartner);
  ASSERT_EQ(conflict.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(StartsWith(conflict.status().message(), "state approved:"))
      << conflict.status().message();
  PartnerDecision other_terms = Approval();
  other_terms.annual_rate_bp = 2000;
  EXPECT_EQ(loans()
                .RecordPartnerDecision("imara", requested.reference, other_terms, kPartner)
                .status()
                .code(),
            Status::Code::kFailedPrecondition);

  // Disbursement: the wrong amount is refused; then balanced journals.
  ctx_.now = kNow + 3 * kDay;
  const int64_t disbursed_at = kNow + 3 * kDay;
  EXPECT_EQ(loans()
                .RecordDisbursement("imara", requested.reference, 999999, disbursed_at, "TX-77",
                                    kPartner)
                .status()
                .code(),
            Status::Code::kInvalidArgument);
  LoanChange disbursed = Must(loans().RecordDisbursement("imara", requested.reference, 1000000,
                                                         disbursed_at, "TX-77", kPartner));
  EXPECT_TRUE(disbursed.changed);
  EXPECT_EQ(disbursed.entered, std::vector<LoanState>{LoanState::kDisbursed});
  EXPECT_EQ(disbursed.loan.disbursed_at, disbursed_at);
  // KES 10,000 flat 18% over 6 months: KES 900 interest.
  EXPECT_EQ(disbursed.loan.charged, 1090000);
  EXPECT_EQ(disbursed.loan.repaid, 0);
  EXPECT_EQ(disbursed.loan.outstanding, 1090000);
  ExpectLedgerBalanced();
  EXPECT_EQ(ClearingBalance(upendo_, "imara"), -1090000);
  EXPECT_EQ(Must(svc().BalancesFor(amina_)).loan_outstanding, 1090000);
  EXPECT_EQ(Must(svc().GroupSummaryFor(upendo_)).loans_out, 1);
  {
    Statement& st = db_->Prepare(kJournalKinds);
    ScopedReset reset(st);
    ASSERT_TRUE(*st.Step());
    EXPECT_EQ(st.Text(0), "loan_disbursement");
    EXPECT_EQ(st.Text(1), requested.reference);
    ASSERT_TRUE(*st.Step());
    EXPECT_EQ(st.Text(0), "loan_interest");
    EXPECT_EQ(st.Text(1), requested.reference);
    EXPECT_FALSE(*st.Step());
  }
  std::vector<Instalment> schedule = Must(loans().Schedule(requested.id));
  ASSERT_EQ(schedule.size(), 6u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(schedule[i].total, 181700);
  EXPECT_EQ(schedule[5].total, 181500);
  EXPECT_EQ(schedule[0].due_at, disbursed_at + 30 * kDay);  // 4 Jun -> 4 Jul
  // A replayed disbursement changes nothing; another transaction is 409.
  const int64_t journals = Count(*db_, kCountJournals);
  LoanChange disbursed_again = Must(loans().RecordDisbursement(
      "imara", requested.reference, 1000000, disbursed_at, "TX-77", kPartner));
  EXPECT_FALSE(disbursed_again.changed);
  EXPECT_EQ(Count(*db_, kCountJournals), journals);
  Result<LoanChange> other_tx = loans().RecordDisbursement("imara", requested.reference, 1000000,
                                                           disbursed_at, "TX-78", kPartner);
  ASSERT_EQ(other_tx.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(StartsWith(other_tx.status().message(), "state disbursed:"));

  // Repayments: she logs each instalment, Wanjiru (treasurer) confirms it.
  for (size_t i = 0; i < schedule.size(); ++i) {
    SCOPED_TRACE(i);
    ctx_.now = schedule[i].due_at - kDay;
    LoanView view = Must(loans().CurrentLoan(amina_)).value_or(LoanView{});
    ASSERT_TRUE(view.status.next_due.has_value());
    EXPECT_EQ(view.status.next_due->number, static_cast<int>(i) + 1);
    EXPECT_EQ(view.status.next_due->total, schedule[i].total);
    EXPECT_EQ(view.status.overdue, 0);
    const int64_t outstanding = view.loan.outstanding;
    EXPECT_EQ(view.status.outstanding, outstanding);
    EXPECT_EQ(Must(svc().BalancesFor(amina_)).loan_outstanding, outstanding);

    Repayment logged =
        Must(loans().LogRepayment(amina_, schedule[i].total, "ussd", "", MemberActor(amina_)));
    EXPECT_EQ(logged.status, RepaymentStatus::kPending);
    EXPECT_EQ(logged.source, "member");
    EXPECT_EQ(logged.loan_reference, requested.reference);
    EXPECT_TRUE(IsReferenceCode(logged.reference));
    EXPECT_EQ(Must(loans().CurrentLoan(amina_))->pending_repayments, schedule[i].total);
    // Nothing more than what is outstanding minus what is pending.
    EXPECT_EQ(loans()
                  .LogRepayment(amina_, outstanding - schedule[i].total + 1, "ussd", "",
                                MemberActor(amina_))
                  .status()
                  .code(),
              Status::Code::kInvalidArgument);
    std::vector<Repayment> queue = Must(loans().PendingRepayments(upendo_, 10, 0));
    ASSERT_EQ(queue.size(), 1u);
    EXPECT_EQ(queue[0].id, logged.id);
    EXPECT_EQ(queue[0].member_name, "Amina Achieng");

    RepaymentChange confirmed =
        Must(loans().DecideRepayment(logged.id, wanjiru_, true, MemberActor(wanjiru_)));
    EXPECT_EQ(confirmed.repayment.status, RepaymentStatus::kConfirmed);
    EXPECT_EQ(confirmed.loan.loan.outstanding, outstanding - schedule[i].total);
    EXPECT_EQ(confirmed.loan.loan.repaid, 1090000 - confirmed.loan.loan.outstanding);
    ExpectLedgerBalanced();
    EXPECT_EQ(loans()
                  .DecideRepayment(logged.id, grace_, true, MemberActor(grace_))
                  .status()
                  .code(),
              Status::Code::kFailedPrecondition);
    if (i + 1 < schedule.size()) {
      EXPECT_TRUE(confirmed.loan.entered.empty());
      EXPECT_EQ(confirmed.loan.loan.state, LoanState::kDisbursed);
      LoanView next = Must(loans().CurrentLoan(amina_)).value_or(LoanView{});
      ASSERT_TRUE(next.status.next_due.has_value());
      EXPECT_EQ(next.status.next_due->number, static_cast<int>(i) + 2);
      EXPECT_EQ(next.status.instalments_paid, static_cast<int>(i) + 1);
    } else {
      EXPECT_EQ(confirmed.loan.entered, std::vector<LoanState>{LoanState::kRepaid});
      EXPECT_EQ(confirmed.loan.loan.state, LoanState::kRepaid);
    }
  }
  Loan repaid = Must(loans().Get(requested.id));
  EXPECT_EQ(repaid.state, LoanState::kRepaid);
  EXPECT_EQ(repaid.outstanding, 0);
  EXPECT_EQ(repaid.repaid, 1090000);
  EXPECT_EQ(ClearingBalance(upendo_, "imara"), 0);
  EXPECT_EQ(Must(svc().BalancesFor(amina_)).loan_outstanding, 0);
  EXPECT_EQ(Must(svc().GroupSummaryFor(upendo_)).loans_out, 0);
  ExpectLedgerBalanced();
  EXPECT_EQ(Must(loans().RepaymentsOf(requested.id)).size(), 6u);
  LoanView final_view = Must(loans().CurrentLoan(amina_)).value_or(LoanView{});
  EXPECT_EQ(final_view.loan.id, requested.id);
  EXPECT_FALSE(final_view.status.next_due.has_value());
  EXPECT_EQ(loans().LogRepayment(amina_, 100, "ussd", "", MemberActor(amina_)).status().code(),
            Status::Code::kFailedPrecondition);

  // Every state change left one event and one audit row; the history reads.
  std::vector<std::string> history = Must(loans().History(requested.id));
  ASSERT_EQ(history.size(), 6u);  // request, group_approve, refer, approve, disburse, repaid
  EXPECT_EQ(history[0], std::to_string(kNow) + " ->requested request member:" +
                            std::to_string(amina_));
  EXPECT_EQ(history[1], std::to_string(kNow + 3600) +
                            " requested->group_approved group_approve member:" +
                            std::to_string(grace_));
  EXPECT_EQ(history[3].find("referred_to_mfi->approved mfi_approve partner:imara"),
            std::to_string(kNow + 2 * kDay).size() + 1);
  EXPECT_NE(history[5].find("disbursed->repaid repay_in_full"), std::string::npos);
  // Loan audit rows: 6 state changes + 6 logged + 6 confirmed repayments.
  EXPECT_EQ(Count(*db_, kCountLoanAudit), 18);

  // Repaid: she may ask again.
  EXPECT_EQ(Must(loans().OfferFor(amina_)).refusal, "");
}

// ------------------------------------------------------------ group rules

TEST_F(LoansTest, OnlyAnotherOfficerOfHerGroupDecides) {
  // Wanjiru (treasurer) asks for a loan herself.
  LoanRequest r = AminaRequest(600000);
  r.member_id = wanjiru_;
  Loan own = Must(loans().Request(r, MemberActor(wanjiru_))).loan.value_or(Loan{});
  ASSERT_NE(own.id, 0);
  Loan amina = Must(loans().Request(AminaRequest(), MemberActor(amina_))).loan.value_or(Loan{});
  ASSERT_NE(amina.id, 0);

  struct Case {
    const char* name;
    int64_t loan_id;
    int64_t decider;
    Status::Code code;
  };
  const Case cases[] = {
      {"no such loan", 999, grace_, Status::Code::kNotFound},
      {"no such decider", amina.id, 999, Status::Code::kNotFound},
      {"her own request", own.id, wanjiru_, Status::Code::kPermissionDenied},
      {"a member", amina.id, mary_, Status::Code::kPermissionDenied},
      {"the requester", amina.id, amina_, Status::Code::kPermissionDenied},
      {"a secretary", amina.id, secretary_, Status::Code::kPermissionDenied},
      {"another group's chair", amina.id, tz_chair_, Status::Code::kPermissionDenied},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    for (bool approve : {true, false}) {
      Result<LoanChange> res =
          loans().GroupDecide(c.loan_id, c.decider, approve, "", MemberActor(c.decider));
      EXPECT_EQ(res.status().code(), c.code) << res.status().ToString();
    }
  }
  EXPECT_EQ(Must(loans().Get(own.id)).state, LoanState::kRequested);
  EXPECT_EQ(Must(loans().Get(amina.id)).state, LoanState::kRequested);
  EXPECT_EQ(Count(*db_, kCountMessages), 0);
  // The other officer may decide the treasurer's request.
  EXPECT_EQ(Must(loans().GroupDecide(own.id, grace_, true, "", MemberActor(grace_))).loan.state,
            LoanState::kReferredToMfi);
  // A decided request is 409 with its state.
  Result<LoanChange> twice = loans().GroupDecide(own.id, grace_, true, "", MemberActor(grace_));
  ASSERT_EQ(twice.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(StartsWith(twice.status().message(), "state referred_to_mfi:"));
}

TEST_F(LoansTest, GroupDeclineKeepsTheReasonAndHidesItFromThePartner) {
  Loan l = Must(loans().Request(AminaRequest(), MemberActor(amina_))).loan.value_or(Loan{});
  EXPECT_EQ(loans()
                .GroupDecide(l.id, grace_, false, std::string(161, 'x'), MemberActor(grace_))
                .status()
                .code(),
            Status::Code::kInvalidArgument);
  const std::string reason = "Finish the bakery plan first";
  LoanChange c = Must(loans().GroupDecide(l.id, grace_, false, reason, MemberActor(grace_)));
  EXPECT_EQ(c.entered, std::vector<LoanState>{LoanState::kDeclined});
  EXPECT_EQ(c.loan.state, LoanState::kDeclined);
  EXPECT_EQ(Must(loans().Get(l.id)).decline_reason, reason);
  EXPECT_EQ(Count(*db_, kCountMessages), 0);
  EXPECT_EQ(loans().PartnerLoan("imara", l.reference).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(loans().RecordPartnerDecision("imara", l.reference, Approval(), kPartner)
                .status()
                .code(),
            Status::Code::kNotFound);
}

TEST_F(LoansTest, CancelOnlyByHerAndOnlyBeforeReferral) {
  Loan a = Must(loans().Request(AminaRequest(), MemberActor(amina_))).loan.value_or(Loan{});
  EXPECT_EQ(loans().Cancel(a.id, grace_, MemberActor(grace_)).status().code(),
            Status::Code::kPermissionDenied);
  EXPECT_EQ(loans().Cancel(999, amina_, MemberActor(amina_)).status().code(),
            Status::Code::kNotFound);
  LoanChange c = Must(loans().Cancel(a.id, amina_, MemberActor(amina_)));
  EXPECT_EQ(c.entered, std::vector<LoanState>{LoanState::kCancelled});
  Result<LoanChange> again = loans().Cancel(a.id, amina_, MemberActor(amina_));
  ASSERT_EQ(again.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(StartsWith(again.status().message(), "state cancelled:"));

  Loan b = Referred();
  Result<LoanChange> late = loans().Cancel(b.id, amina_, MemberActor(amina_));
  ASSERT_EQ(late.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(StartsWith(late.status().message(), "state referred_to_mfi:"));
  EXPECT_EQ(Must(loans().Get(b.id)).state, LoanState::kReferredToMfi);
  // Her current loan is the open one, not the cancelled one.
  EXPECT_EQ(Must(loans().CurrentLoan(amina_))->loan.id, b.id);
}

TEST_F(LoansTest, PartnerWithoutApiGetsNoOutboxRow) {
  LoanRequest r = AminaRequest(600000);
  r.member_id = tz_member_;
  Loan l = Must(loans().Request(r, MemberActor(tz_member_))).loan.value_or(Loan{});
  EXPECT_EQ(l.partner_id, "tujenge");
  EXPECT_EQ(l.currency, "TZS");
  LoanChange c = Must(loans().GroupDecide(l.id, tz_chair_, true, "", MemberActor(tz_chair_)));
  EXPECT_EQ(c.loan.state, LoanState::kReferredToMfi);
  EXPECT_EQ(Count(*db_, kCountMessages), 0);
  // Staff record the partner's decline for it.
  PartnerDecision d;
  d.reason = "Not enough collateral";
  LoanChange declined = Must(loans().RecordPartnerDecision(
      "tujenge", l.reference, d, Actor{"staff", "officer1", "cli", ""}));
  EXPECT_EQ(declined.loan.state, LoanState::kDeclined);
  EXPECT_EQ(Must(loans().Get(l.id)).decline_reason, "Not enough collateral");
  // Declined again (any reason) is a replay.
  d.reason = "Other words";
  EXPECT_FALSE(Must(loans().RecordPartnerDecision("tujenge", l.reference, d, kPartner)).changed);
  EXPECT_EQ(loans().RecordPartnerDecision("imara", l.reference, d, kPartner).status().code(),
            Status::Code::kNotFound);
}

TEST_F(LoansTest, PartnerDecisionFieldsAreValidated) {
  Loan l = Referred();
  struct Case {
    const char* name;
    PartnerDecision d;
  };
  std::vector<Case> cases;
  PartnerDecision d = Approval();
  d.amount = 1000001;  // more than she asked for
  cases.push_back({"above request", d});
  d = Approval();
  d.amount = 0;
  cases.push_back({"zero", d});
  d = Approval();
  d.term_months = 5;
  cases.push_back({"term", d});
  d = Approval();
  d.annual_rate_bp = 10001;
  cases.push_back({"rate", d});
  d = PartnerDecision{};
  d.reason = "";
  cases.push_back({"empty reason", d});
  d.reason = "bad\nreason";
  cases.push_back({"control character", d});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(loans().RecordPartnerDecision("imara", l.reference, c.d, kPartner).status().code(),
              Status::Code::kInvalidArgument);
  }
  EXPECT_EQ(Must(loans().Get(l.id)).state, LoanState::kReferredToMfi);
  // A smaller amount than asked for is the lender's right.
  PartnerDecision smaller = Approval();
  smaller.amount = 800000;
  smaller.rule = InterestRule::kDeclining;
  Loan approved = Must(loans().RecordPartnerDecision("imara", l.reference, smaller, kPartner)).loan;
  EXPECT_EQ(approved.approved_amount, 800000);
  EXPECT_EQ(approved.rule, InterestRule::kDeclining);
  EXPECT_EQ(loans()
                .RecordDisbursement("imara", l.reference, 1000000, kNow, "TX-1", kPartner)
                .status()
                .code(),
            Status::Code::kInvalidArgument);
  Loan disbursed =
      Must(loans().RecordDisbursement("imara", l.reference, 800000, kNow, "TX-1", kPartner)).loan;
  int64_t interest = 0;
  for (const Instalment& i : Must(loans().Schedule(l.id))) interest += i.interest;
  EXPECT_GT(interest, 0);
  EXPECT_EQ(disbursed.charged, 800000 + interest);
  ExpectLedgerBalanced();
}

TEST_F(LoansTest, DisbursementBeforeApprovalIsAConflict) {
  Loan l = Referred();
  Result<LoanChange> early =
      loans().RecordDisbursement("imara", l.reference, 1000000, kNow, "TX-1", kPartner);
  ASSERT_EQ(early.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(StartsWith(early.status().message(), "state referred_to_mfi:"));
  // No journal but the savings' ones.
  EXPECT_EQ(Count(*db_, kCountJournals), Count(*db_, kCountSavings));
}

// ---------------------------------------------------- partner repayments

TEST_F(LoansTest, PartnerRepaymentIsIdempotentByPaymentId) {
  Loan l = Disbursed();
  RepaymentChange first = Must(
      loans().RecordPartnerRepayment("imara", l.reference, "PAY-1", 300000, kNow, kPartner));
  EXPECT_TRUE(first.loan.changed);
  EXPECT_EQ(first.repayment.status, RepaymentStatus::kConfirmed);
  EXPECT_EQ(first.repayment.source, "partner");
  EXPECT_EQ(first.repayment.external_id, "PAY-1");
  EXPECT_EQ(first.loan.loan.outstanding, 1090000 - 300000);
  ExpectLedgerBalanced();

  const int64_t journals = Count(*db_, kCountJournals);
  RepaymentChange replay = Must(
      loans().RecordPartnerRepayment("imara", l.reference, "PAY-1", 300000, kNow, kPartner));
  EXPECT_FALSE(replay.loan.changed);
  EXPECT_EQ(replay.repayment.id, first.repayment.id);
  EXPECT_EQ(Count(*db_, kCountRepayments), 1);
  EXPECT_EQ(Count(*db_, kCountJournals), journals);

  Result<RepaymentChange> other_amount =
      loans().RecordPartnerRepayment("imara", l.reference, "PAY-1", 300001, kNow, kPartner);
  ASSERT_EQ(other_amount.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(StartsWith(other_amount.status().message(), "state disbursed:"));
  EXPECT_EQ(loans()
                .RecordPartnerRepayment("tujenge", l.reference, "PAY-2", 1000, kNow, kPartner)
                .status()
                .code(),
            Status::Code::kNotFound);
  EXPECT_EQ(loans()
                .RecordPartnerRepayment("imara", l.reference, "PAY-2", 790001, kNow, kPartner)
                .status()
                .code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(loans()
                .RecordPartnerRepayment("imara", l.reference, "", 1000, kNow, kPartner)
                .status()
                .code(),
            Status::Code::kInvalidArgument);

  // A pending repayment she logged can no longer be confirmed once the
  // partner's payment leaves less outstanding.
  Repayment pending =
      Must(loans().LogRepayment(amina_, 700000, "ussd", "", MemberActor(amina_)));
  RepaymentChange rest = Must(
      loans().RecordPartnerRepayment("imara", l.reference, "PAY-3", 790000, kNow, kPartner));
  EXPECT_EQ(rest.loan.entered, std::vector<LoanState>{LoanState::kRepaid});
  EXPECT_EQ(ClearingBalance(upendo_, "imara"), 0);
  Result<RepaymentChange> stale =
      loans().DecideRepayment(pending.id, wanjiru_, true, MemberActor(wanjiru_));
  ASSERT_EQ(stale.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(StartsWith(stale.status().message(), "state repaid:"));
  // Rejecting it is still possible.
  EXPECT_EQ(Must(loans().DecideRepayment(pending.id, wanjiru_, false, MemberActor(wanjiru_)))
                .repayment.status,
            RepaymentStatus::kRejected);
  ExpectLedgerBalanced();
}

TEST_F(LoansTest, RepaymentDecisionsFollowTheGroupRules) {
  Loan l = Disbursed();
  Repayment r = Must(loans().LogRepayment(amina_, 100000, "ussd", "", MemberActor(amina_)));
  EXPECT_EQ(loans().DecideRepayment(999, wanjiru_, true, MemberActor(wanjiru_)).status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(loans().DecideRepayment(r.id, amina_, true, MemberActor(amina_)).status().code(),
            Status::Code::kPermissionDenied);
  EXPECT_EQ(loans().DecideRepayment(r.id, mary_, true, MemberActor(mary_)).status().code(),
            Status::Code::kPermissionDenied);
  EXPECT_EQ(
      loans().DecideRepayment(r.id, tz_chair_, true, MemberActor(tz_chair_)).status().code(),
      Status::Code::kPermissionDenied);
  RepaymentChange rejected =
      Must(loans().DecideRepayment(r.id, grace_, false, MemberActor(grace_)));
  EXPECT_EQ(rejected.repayment.status, RepaymentStatus::kRejected);
  EXPECT_EQ(rejected.loan.loan.outstanding, 1090000);
  EXPECT_EQ(Must(loans().Get(l.id)).repaid, 0);
  EXPECT_EQ(loans().DecideRepayment(r.id, grace_, true, MemberActor(grace_)).status().code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(loans().LogRepayment(amina_, 0, "ussd", "", MemberActor(amina_)).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(loans().LogRepayment(mary_, 100, "ussd", "", MemberActor(mary_)).status().code(),
            Status::Code::kFailedPrecondition);
}

// --------------------------------------------------------------- scheduler

TEST_F(LoansTest, SchedulerExpiresRequestsNobodyActedOn) {
  Loan requested =
      Must(loans().Request(AminaRequest(), MemberActor(amina_))).loan.value_or(Loan{});
  LoanRequest r = AminaRequest(600000);
  r.member_id = grace_;
  Loan referred = Must(loans().Request(r, MemberActor(grace_))).loan.value_or(Loan{});
  ctx_.now = kNow + 5 * kDay;
  Must(loans().GroupDecide(referred.id, wanjiru_, true, "", MemberActor(wanjiru_)));

  ctx_.now = kNow + 14 * kDay - 1;
  EXPECT_TRUE(Must(loans().RunScheduler(kScheduler)).changes.empty());
  ctx_.now = kNow + 14 * kDay;
  SchedulerRun run = Must(loans().RunScheduler(kScheduler));
  ASSERT_EQ(run.changes.size(), 1u);
  EXPECT_EQ(run.changes[0].loan.id, requested.id);
  EXPECT_EQ(run.changes[0].entered, std::vector<LoanState>{LoanState::kExpired});
  EXPECT_TRUE(Must(loans().RunScheduler(kScheduler)).changes.empty());  // idempotent
  // The referral the partner never answered expires 14 days after referral.
  ctx_.now = kNow + 19 * kDay;
  run = Must(loans().RunScheduler(kScheduler));
  ASSERT_EQ(run.changes.size(), 1u);
  EXPECT_EQ(run.changes[0].loan.id, referred.id);
  EXPECT_EQ(Must(loans().Get(referred.id)).state, LoanState::kExpired);
  EXPECT_EQ(Must(loans().History(referred.id)).back().find(" referred_to_mfi->expired expire "
                                                            "system:scheduler"),
            std::to_string(ctx_.now).size());
  EXPECT_EQ(Must(loans().OfferFor(amina_)).refusal, "");
}

TEST_F(LoansTest, SchedulerMovesOverdueLoansToArrearsAndRepaymentCatchesUp) {
  Loan l = Disbursed();
  std::vector<Instalment> schedule = Must(loans().Schedule(l.id));
  ASSERT_EQ(schedule.size(), 6u);
  const int64_t due = schedule[0].due_at;

  // A day before: a reminder, no change.
  ctx_.now = due - 12 * 3600;
  SchedulerRun run = Must(loans().RunScheduler(kScheduler));
  EXPECT_TRUE(run.changes.empty());
  ASSERT_EQ(run.reminders.size(), 1u);
  EXPECT_EQ(run.reminders[0].loan.id, l.id);
  EXPECT_EQ(run.reminders[0].instalment.number, 1);
  EXPECT_EQ(run.reminders[0].instalment.total, schedule[0].total);
  ctx_.now = due - 2 * kDay;
  EXPECT_TRUE(Must(loans().RunScheduler(kScheduler)).reminders.empty());

  // Within the grace days: still running.
  ctx_.now = due + 7 * kDay;
  run = Must(loans().RunScheduler(kScheduler));
  EXPECT_TRUE(run.changes.empty());
  EXPECT_TRUE(run.reminders.empty());
  // Past them: in arrears, once.
  ctx_.now = due + 7 * kDay + 1;
  run = Must(loans().RunScheduler(kScheduler));
  ASSERT_EQ(run.changes.size(), 1u);
  EXPECT_EQ(run.changes[0].entered, std::vector<LoanState>{LoanState::kInArrears});
  EXPECT_EQ(Must(loans().Get(l.id)).state, LoanState::kInArrears);
  EXPECT_TRUE(Must(loans().RunScheduler(kScheduler)).changes.empty());
  EXPECT_EQ(Must(loans().OfferFor(amina_)).refusal, "in_arrears");
  EXPECT_EQ(Must(svc().GroupSummaryFor(upendo_)).loans_out, 1);

  // A part payment leaves her in arrears; paying the overdue part catches up.
  Repayment part = Must(loans().LogRepayment(amina_, 100000, "ussd", "", MemberActor(amina_)));
  RepaymentChange c = Must(loans().DecideRepayment(part.id, wanjiru_, true, MemberActor(wanjiru_)));
  EXPECT_TRUE(c.loan.entered.empty());
  EXPECT_EQ(c.loan.loan.state, LoanState::kInArrears);
  Repayment rest = Must(loans().LogRepayment(amina_, schedule[0].total - 100000, "ussd", "",
                                             MemberActor(amina_)));
  c = Must(loans().DecideRepayment(rest.id, wanjiru_, true, MemberActor(wanjiru_)));
  EXPECT_EQ(c.loan.entered, std::vector<LoanState>{LoanState::kDisbursed});
  EXPECT_EQ(c.loan.loan.state, LoanState::kDisbursed);
  EXPECT_TRUE(Must(loans().RunScheduler(kScheduler)).changes.empty());
  ExpectLedgerBalanced();
}

// ------------------------------------------------------------ idempotency

TEST_F(LoansTest, IdempotencyKeysBelongToOneMember) {
  LoanRequest r = AminaRequest();
  r.idempotency_key = "k-1";
  Loan first = Must(loans().Request(r, MemberActor(amina_))).loan.value_or(Loan{});
  LoanRequest other = AminaRequest(600000);
  other.member_id = grace_;
  other.idempotency_key = "k-1";
  EXPECT_EQ(loans().Request(other, MemberActor(grace_)).status().code(),
            Status::Code::kAlreadyExists);
  EXPECT_EQ(Count(*db_, kCountLoans), 1);

  Must(loans().GroupDecide(first.id, grace_, true, "", MemberActor(grace_)));
  Must(loans().RecordPartnerDecision("imara", first.reference, Approval(), kPartner));
  Must(loans().RecordDisbursement("imara", first.reference, 1000000, kNow, "TX-1", kPartner));
  Repayment a = Must(loans().LogRepayment(amina_, 5000, "ussd", "r-1", MemberActor(amina_)));
  Repayment b = Must(loans().LogRepayment(amina_, 5000, "ussd", "r-1", MemberActor(amina_)));
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.reference, b.reference);
  EXPECT_EQ(Count(*db_, kCountRepayments), 1);
  EXPECT_EQ(loans().LogRepayment(grace_, 5000, "ussd", "r-1", MemberActor(grace_)).status().code(),
            Status::Code::kAlreadyExists);
}

// ------------------------------------------------------------- the store

TEST_F(LoansTest, StoredHistoryCannotBeRewritten) {
  Loan l = Disbursed();
  EXPECT_FALSE(db_->Prepare(kDeleteLoan).Run().ok());
  EXPECT_FALSE(db_->Prepare(kRewriteInstalment).Run().ok());
  EXPECT_FALSE(db_->Prepare(kDeleteEvents).Run().ok());
  EXPECT_FALSE(db_->Prepare(kRewriteAmount).Run().ok());
  EXPECT_FALSE(db_->Prepare(kRewriteTerms).Run().ok());
  Loan after = Must(loans().Get(l.id));
  EXPECT_EQ(after.state, LoanState::kDisbursed);
  EXPECT_EQ(after.amount, 1000000);
  EXPECT_EQ(after.approved_amount, 1000000);
  // Defence in depth: a second open request is refused by the schema too.
  LoanRequest r = AminaRequest(600000);
  r.member_id = grace_;
  Must(loans().Request(r, MemberActor(grace_)));
  Statement& dup = db_->Prepare(kSecondOpenRequest);
  dup.Bind(1, grace_);
  EXPECT_EQ(dup.Run().code(), Status::Code::kAlreadyExists);
  // A final state is final.
  Must(loans().RecordPartnerRepayment("imara", l.reference, "PAY-1", 1090000, kNow, kPartner));
  EXPECT_FALSE(db_->Prepare(kReopen).Run().ok());
  EXPECT_EQ(Must(loans().Get(l.id)).state, LoanState::kRepaid);
}

TEST_F(LoansTest, QueriesListAndPage) {
  Loan a = Must(loans().Request(AminaRequest(), MemberActor(amina_))).loan.value_or(Loan{});
  LoanRequest r = AminaRequest(600000);
  r.member_id = grace_;
  Loan g = Must(loans().Request(r, MemberActor(grace_))).loan.value_or(Loan{});
  Must(loans().Cancel(g.id, grace_, MemberActor(grace_)));
  std::vector<Loan> all = Must(loans().List("", 10, 0));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, g.id);  // newest first
  std::vector<Loan> requested = Must(loans().List("requested", 10, 0));
  ASSERT_EQ(requested.size(), 1u);
  EXPECT_EQ(requested[0].id, a.id);
  EXPECT_EQ(Must(loans().List("", 1, 1))[0].id, a.id);
  EXPECT_EQ(loans().List("bogus", 10, 0).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(loans().List("", 0, 0).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(Must(loans().GetByReference(a.reference)).id, a.id);
  EXPECT_EQ(loans().GetByReference("ZZZZZZ").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(Must(loans().Schedule(a.id)).empty());
  EXPECT_EQ(loans().Schedule(999).status().code(), Status::Code::kNotFound);
  EXPECT_FALSE(Must(loans().CurrentLoan(mary_)).has_value());
  EXPECT_EQ(loans().CurrentLoan(999).status().code(), Status::Code::kNotFound);
  EXPECT_STREQ(RepaymentStatusName(RepaymentStatus::kConfirmed), "confirmed");
}

// ------------------------------------------ claims settled by partner reports

constexpr char kCountRepaymentJournals[] =
    "SELECT COUNT(*) FROM journals WHERE kind = 'loan_repayment'";
// KES 10,000 flat 18% over 6 months (Disbursed()): principal + KES 900.
constexpr int64_t kCharged = 1090000;
constexpr int64_t kInstalment = 181667;

// Amina's loan disbursed at kNow; her claims and imara's reports on it.
class ClaimsTest : public LoansTest {
 protected:
  void SetUp() override {
    LoansTest::SetUp();
    if (HasFatalFailure()) return;
    loan_ = Disbursed();
    ASSERT_EQ(loan_.outstanding, kCharged);
  }

  // Her claim logged at `at`.
  Repayment Claim(int64_t amount, int64_t at, const std::string& key = "") {
    ctx_.now = at;
    return Must(loans().LogRepayment(amina_, amount, "ussd", key, MemberActor(amina_)));
  }
  // Imara's report, recorded at `at` (paid_at 0 = not sent).
  Result<RepaymentChange> Report(const std::string& payment_id, int64_t amount, int64_t paid_at,
                                 int64_t at, const std::string& claim_reference = "") {
    ctx_.now = at;
    return loans().RecordPartnerRepayment("imara", loan_.reference, payment_id, amount, paid_at,
                                          kPartner, claim_reference);
  }
  Result<RepaymentChange> Confirm(int64_t repayment_id, int64_t at) {
    ctx_.now = at;
    return loans().DecideRepayment(repayment_id, wanjiru_, true, MemberActor(wanjiru_));
  }
  Repayment Stored(int64_t repayment_id) {
    for (Repayment& r : Must(loans().RepaymentsOf(loan_.id))) {
      if (r.id == repayment_id) return r;
    }
    ADD_FAILURE() << "no repayment " << repayment_id;
    return Repayment{};
  }
  int64_t Outstanding() { return Must(loans().Get(loan_.id)).outstanding; }
  int64_t RepaymentJournals() { return Count(*db_, kCountRepaymentJournals); }
  std::vector<Repayment> Pending() { return Must(loans().PendingRepayments(upendo_, 50, 0)); }

  Loan loan_;
};

// 1. She logs it, then the partner reports it: the report posts, her claim
// is settled by it and leaves the treasurer's list; confirming it is 409.
TEST_F(ClaimsTest, ClaimThenReportPostsOnce) {
  const Repayment claim = Claim(kInstalment, kNow + kDay, "k-claim");
  ASSERT_EQ(claim.status, RepaymentStatus::kPending);
  ASSERT_EQ(Pending().size(), 1u);

  RepaymentChange c = Must(Report("PAY-1", kInstalment, kNow + 2 * kDay, kNow + 3 * kDay));
  EXPECT_TRUE(c.loan.changed);
  EXPECT_TRUE(c.posted);
  EXPECT_EQ(c.repayment.status, RepaymentStatus::kConfirmed);
  EXPECT_EQ(c.repayment.paid_at, kNow + 2 * kDay);
  EXPECT_EQ(c.repayment.matched_id, claim.id);
  EXPECT_EQ(c.repayment.matched_reference, claim.reference);
  EXPECT_EQ(c.repayment.matched_payment_id, "");
  ASSERT_TRUE(c.matched.has_value());
  EXPECT_EQ(c.matched->id, claim.id);
  EXPECT_EQ(c.matched->status, RepaymentStatus::kSettled);
  EXPECT_EQ(c.loan.loan.outstanding, kCharged - kInstalment);
  EXPECT_EQ(Outstanding(), kCharged - kInstalment);
  EXPECT_EQ(RepaymentJournals(), 1);
  ExpectLedgerBalanced();

  const Repayment settled = Stored(claim.id);
  EXPECT_EQ(settled.status, RepaymentStatus::kSettled);
  EXPECT_EQ(settled.matched_id, c.repayment.id);
  EXPECT_EQ(settled.matched_reference, c.repayment.reference);
  EXPECT_EQ(settled.matched_payment_id, "PAY-1");
  EXPECT_TRUE(Pending().empty());
  EXPECT_EQ(Must(loans().CurrentLoan(amina_))->pending_repayments, 0);

  // No second posting: neither confirm nor reject, nor a retried log, nor a
  // replayed report.
  Result<RepaymentChange> confirm = Confirm(claim.id, kNow + 4 * kDay);
  ASSERT_EQ(confirm.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(confirm.status().message().find("already settled"), std::string::npos)
      << confirm.status().message();
  EXPECT_EQ(loans().DecideRepayment(claim.id, wanjiru_, false, MemberActor(wanjiru_))
                .status()
                .code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(Claim(kInstalment, kNow + 4 * kDay, "k-claim").id, claim.id);
  RepaymentChange replay = Must(Report("PAY-1", kInstalment, kNow + 2 * kDay, kNow + 4 * kDay));
  EXPECT_FALSE(replay.loan.changed);
  EXPECT_FALSE(replay.posted);
  ASSERT_TRUE(replay.matched.has_value());
  EXPECT_EQ(replay.matched->id, claim.id);
  EXPECT_EQ(RepaymentJournals(), 1);
  EXPECT_EQ(Outstanding(), kCharged - kInstalment);
  ExpectLedgerBalanced();
}

// 2. The partner reports it, then she logs it: her claim is settled at once
// by that report (nothing pending, nothing posted), also when that report
// repaid the loan.
TEST_F(ClaimsTest, ReportThenClaimIsSettledAtOnce) {
  RepaymentChange first = Must(Report("PAY-1", 300000, kNow + kDay, kNow + kDay));
  ASSERT_TRUE(first.posted);
  EXPECT_FALSE(first.matched.has_value());
  const int64_t audits = Count(*db_, kCountLoanAudit);

  const Repayment claim = Claim(300000, kNow + 2 * kDay);
  EXPECT_EQ(claim.status, RepaymentStatus::kSettled);
  EXPECT_EQ(claim.matched_id, first.repayment.id);
  EXPECT_EQ(claim.matched_reference, first.repayment.reference);
  EXPECT_EQ(claim.matched_payment_id, "PAY-1");
  EXPECT_TRUE(IsReferenceCode(claim.reference));
  EXPECT_EQ(Count(*db_, kCountLoanAudit), audits + 1);
  EXPECT_TRUE(Pending().empty());
  EXPECT_EQ(Must(loans().CurrentLoan(amina_))->pending_repayments, 0);
  EXPECT_EQ(Outstanding(), kCharged - 300000);
  EXPECT_EQ(RepaymentJournals(), 1);
  EXPECT_EQ(Stored(first.repayment.id).matched_id, claim.id);
  // The report is matched now: a second claim of the same amount is hers
  // to confirm (a second payment, as far as anyone knows).
  EXPECT_EQ(Claim(300000, kNow + 2 * kDay).status, RepaymentStatus::kPending);
  ASSERT_EQ(Pending().size(), 1u);
  ASSERT_EQ(Must(loans().DecideRepayment(Pending()[0].id, wanjiru_, false,
                                         MemberActor(wanjiru_)))
                .repayment.status,
            RepaymentStatus::kRejected);

  // The last payment: the partner's report repays the loan, her claim of it
  // still finds it.
  const int64_t rest = kCharged - 300000;
  RepaymentChange last = Must(Report("PAY-2", rest, 0, kNow + 3 * kDay));
  ASSERT_EQ(last.loan.entered, std::vector<LoanState>{LoanState::kRepaid});
  const Repayment late = Claim(rest, kNow + 4 * kDay);
  EXPECT_EQ(late.status, RepaymentStatus::kSettled);
  EXPECT_EQ(late.matched_payment_id, "PAY-2");
  EXPECT_EQ(Outstanding(), 0);
  EXPECT_EQ(RepaymentJournals(), 2);
  // Anything else on a repaid loan is refused as before.
  Result<Repayment> more =
      loans().LogRepayment(amina_, 100, "ussd", "", MemberActor(amina_));
  ASSERT_EQ(more.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(StartsWith(more.status().message(), "state repaid:")) << more.status().message();
  EXPECT_EQ(ClearingBalance(upendo_, "imara"), 0);
  ExpectLedgerBalanced();
}

// 3. Two claims of one payment: the report settles the oldest; the other
// stays pending with what the partner reported beside it.
TEST_F(ClaimsTest, TwoClaimsForOnePaymentSettleTheOldest) {
  const Repayment a = Claim(kInstalment, kNow + kDay);
  const Repayment b = Claim(kInstalment, kNow + kDay + 60);
  EXPECT_EQ(Must(loans().CurrentLoan(amina_))->pending_repayments, 2 * kInstalment);
  RepaymentChange c = Must(Report("PAY-1", kInstalment, kNow + 2 * kDay, kNow + 2 * kDay));
  ASSERT_TRUE(c.matched.has_value());
  EXPECT_EQ(c.matched->id, a.id);
  EXPECT_EQ(Stored(a.id).status, RepaymentStatus::kSettled);
  EXPECT_EQ(Stored(b.id).status, RepaymentStatus::kPending);
  EXPECT_EQ(Outstanding(), kCharged - kInstalment);

  std::vector<Repayment> queue = Pending();
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].id, b.id);
  ASSERT_EQ(queue[0].partner_reported.size(), 1u);
  const PartnerReport& seen = queue[0].partner_reported[0];
  EXPECT_EQ(seen.repayment_id, c.repayment.id);
  EXPECT_EQ(seen.reference, c.repayment.reference);
  EXPECT_EQ(seen.payment_id, "PAY-1");
  EXPECT_EQ(seen.amount, kInstalment);
  EXPECT_EQ(seen.paid_at, kNow + 2 * kDay);
  EXPECT_EQ(seen.matched_reference, a.reference);
  std::vector<PartnerReport> near = Must(loans().PartnerReportsNear(b.id));
  ASSERT_EQ(near.size(), 1u);
  EXPECT_EQ(near[0].payment_id, "PAY-1");
  EXPECT_TRUE(Must(loans().PartnerReportsNear(c.repayment.id)).empty());
  EXPECT_EQ(loans().PartnerReportsNear(999).status().code(), Status::Code::kNotFound);

  // What she may still log: outstanding minus the claim still pending.
  const int64_t max = kCharged - kInstalment - kInstalment;
  EXPECT_EQ(Must(loans().CurrentLoan(amina_))->pending_repayments, kInstalment);
  EXPECT_EQ(loans().LogRepayment(amina_, max + 1, "ussd", "", MemberActor(amina_)).status().code(),
            Status::Code::kInvalidArgument);
  // The treasurer turns the duplicate down; the payment counted once.
  Must(loans().DecideRepayment(b.id, wanjiru_, false, MemberActor(wanjiru_)));
  EXPECT_TRUE(Pending().empty());
  EXPECT_EQ(Outstanding(), kCharged - kInstalment);
  EXPECT_EQ(RepaymentJournals(), 1);
  ExpectLedgerBalanced();
}

// 4. The treasurer confirmed her claim, then the partner reports the same
// payment: recorded (replayable) and matched, nothing posted, also when her
// confirmed claim repaid the loan.
TEST_F(ClaimsTest, ConfirmedClaimThenReportPostsNothing) {
  const Repayment claim = Claim(kInstalment, kNow + kDay);
  RepaymentChange confirmed = Must(Confirm(claim.id, kNow + kDay));
  ASSERT_TRUE(confirmed.posted);
  EXPECT_FALSE(confirmed.matched.has_value());
  EXPECT_EQ(RepaymentJournals(), 1);

  RepaymentChange c = Must(Report("PAY-1", kInstalment, kNow + 2 * kDay, kNow + 3 * kDay));
  EXPECT_TRUE(c.loan.changed);
  EXPECT_FALSE(c.posted);
  EXPECT_TRUE(c.loan.entered.empty());
  EXPECT_EQ(c.repayment.status, RepaymentStatus::kSettled);
  EXPECT_EQ(c.repayment.external_id, "PAY-1");
  EXPECT_EQ(c.repayment.matched_id, claim.id);
  ASSERT_TRUE(c.matched.has_value());
  EXPECT_EQ(c.matched->id, claim.id);
  EXPECT_EQ(c.matched->status, RepaymentStatus::kConfirmed);
  EXPECT_EQ(c.matched->matched_id, c.repayment.id);
  EXPECT_EQ(c.loan.loan.outstanding, kCharged - kInstalment);
  EXPECT_EQ(RepaymentJournals(), 1);
  ExpectLedgerBalanced();
  // A replay is a replay; another amount under that id is a conflict.
  RepaymentChange replay = Must(Report("PAY-1", kInstalment, kNow + 2 * kDay, kNow + 4 * kDay));
  EXPECT_FALSE(replay.loan.changed);
  EXPECT_EQ(replay.repayment.id, c.repayment.id);
  EXPECT_EQ(Report("PAY-1", 1000, kNow + 2 * kDay, kNow + 4 * kDay).status().code(),
            Status::Code::kFailedPrecondition);
  // The claim is matched: another report of that amount is another payment.
  RepaymentChange second = Must(Report("PAY-2", kInstalment, kNow + 2 * kDay, kNow + 4 * kDay));
  EXPECT_TRUE(second.posted);
  EXPECT_FALSE(second.matched.has_value());
  EXPECT_EQ(Outstanding(), kCharged - 2 * kInstalment);

  // Her confirmed claim repays the loan; the partner's late report of it is
  // recorded on the repaid loan, not refused, and posts nothing.
  const int64_t rest = kCharged - 2 * kInstalment;
  const Repayment last = Claim(rest, kNow + 5 * kDay);
  ASSERT_EQ(Must(Confirm(last.id, kNow + 5 * kDay)).loan.entered,
            std::vector<LoanState>{LoanState::kRepaid});
  RepaymentChange late = Must(Report("PAY-3", rest, kNow + 5 * kDay, kNow + 6 * kDay));
  EXPECT_FALSE(late.posted);
  EXPECT_EQ(late.repayment.status, RepaymentStatus::kSettled);
  EXPECT_EQ(late.loan.loan.state, LoanState::kRepaid);
  EXPECT_EQ(Outstanding(), 0);
  EXPECT_EQ(RepaymentJournals(), 3);
  EXPECT_EQ(ClearingBalance(upendo_, "imara"), 0);
  ExpectLedgerBalanced();
}

// 5. A report and a confirm "at the same moment": the store's one writer
// runs them one after the other in one transaction; in either order the
// payment is posted once.
TEST_F(ClaimsTest, ReportAndConfirmInOneTransactionPostOnceInEitherOrder) {
  const Repayment c1 = Claim(100000, kNow + kDay);
  const Repayment c2 = Claim(200000, kNow + kDay);
  ASSERT_TRUE(db_->Exec("BEGIN").ok());
  // Report first: the confirm that follows finds her claim settled.
  RepaymentChange r1 = Must(Report("PAY-1", 100000, kNow + kDay, kNow + kDay + 1));
  EXPECT_TRUE(r1.posted);
  Result<RepaymentChange> late_confirm = Confirm(c1.id, kNow + kDay + 1);
  EXPECT_EQ(late_confirm.status().code(), Status::Code::kFailedPrecondition);
  // Confirm first: the report that follows finds her claim posted.
  RepaymentChange k2 = Must(Confirm(c2.id, kNow + kDay + 2));
  EXPECT_TRUE(k2.posted);
  RepaymentChange r2 = Must(Report("PAY-2", 200000, kNow + kDay, kNow + kDay + 2));
  EXPECT_FALSE(r2.posted);
  ASSERT_TRUE(db_->Exec("COMMIT").ok());

  EXPECT_EQ(Stored(c1.id).status, RepaymentStatus::kSettled);
  EXPECT_EQ(Stored(c2.id).status, RepaymentStatus::kConfirmed);
  EXPECT_EQ(Stored(r2.repayment.id).status, RepaymentStatus::kSettled);
  EXPECT_EQ(Outstanding(), kCharged - 300000);
  EXPECT_EQ(RepaymentJournals(), 2);
  EXPECT_TRUE(Pending().empty());
  ExpectLedgerBalanced();
}

// The partner may name our claim: that claim is taken whatever the window
// (amounts equal, any case); a name that does not fit falls back to the
// window rule.
TEST_F(ClaimsTest, ClaimReferenceNamesTheClaim) {
  const Repayment a = Claim(kInstalment, kNow + kDay);
  const Repayment b = Claim(kInstalment, kNow + kDay + 60);
  std::string lower = b.reference;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  // Paid a month later: no window match, but the reference names b.
  RepaymentChange c = Must(Report("PAY-1", kInstalment, kNow + 31 * kDay, kNow + 31 * kDay,
                                  lower));
  ASSERT_TRUE(c.matched.has_value());
  EXPECT_EQ(c.matched->id, b.id);
  EXPECT_EQ(Stored(a.id).status, RepaymentStatus::kPending);
  // a's reference with another amount: no match, it posts as its own.
  RepaymentChange other =
      Must(Report("PAY-2", 50000, kNow + kDay, kNow + 31 * kDay, a.reference));
  EXPECT_TRUE(other.posted);
  EXPECT_FALSE(other.matched.has_value());
  // A reference of no claim of hers: the window rule still finds a.
  RepaymentChange fallback =
      Must(Report("PAY-3", kInstalment, kNow + 2 * kDay, kNow + 31 * kDay, "ZZZZZZ"));
  ASSERT_TRUE(fallback.matched.has_value());
  EXPECT_EQ(fallback.matched->id, a.id);
  EXPECT_EQ(Outstanding(), kCharged - 2 * kInstalment - 50000);
  EXPECT_EQ(RepaymentJournals(), 3);
  EXPECT_TRUE(Pending().empty());
  EXPECT_EQ(Report("PAY-4", 1000, 0, kNow + 31 * kDay, "bad\nref").status().code(),
            Status::Code::kInvalidArgument);
  ExpectLedgerBalanced();
}

// The limits on what is posted hold with claims about.
TEST_F(ClaimsTest, NothingBeyondOutstandingIsPosted) {
  const Repayment claim = Claim(kCharged, kNow + kDay);
  // A report above what is outstanding is refused, matched or not.
  EXPECT_EQ(Report("PAY-1", kCharged + 1, 0, kNow + kDay).status().code(),
            Status::Code::kInvalidArgument);
  RepaymentChange part = Must(Report("PAY-2", 90000, 0, kNow + kDay));
  EXPECT_FALSE(part.matched.has_value());
  // Her claim is now above what is outstanding: confirm is refused.
  Result<RepaymentChange> over = Confirm(claim.id, kNow + kDay);
  ASSERT_EQ(over.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(over.status().message().find("above what is outstanding"), std::string::npos);
  EXPECT_EQ(Outstanding(), kCharged - 90000);
  EXPECT_EQ(RepaymentJournals(), 1);
  ExpectLedgerBalanced();
}

// Confirming a claim that matches a report nobody matched yet (the window
// was off when both arrived, or both predate migration 4) settles it.
TEST_F(ClaimsTest, ConfirmSettlesAClaimTheReportAlreadyPosted) {
  programme_.claim_match_window_days = 0;
  RepaymentChange report = Must(Report("PAY-1", kInstalment, kNow + kDay, kNow + kDay));
  const Repayment claim = Claim(kInstalment, kNow + 2 * kDay);
  ASSERT_EQ(claim.status, RepaymentStatus::kPending);
  programme_.claim_match_window_days = 7;
  RepaymentChange c = Must(Confirm(claim.id, kNow + 3 * kDay));
  EXPECT_TRUE(c.loan.changed);
  EXPECT_FALSE(c.posted);
  EXPECT_EQ(c.repayment.status, RepaymentStatus::kSettled);
  EXPECT_EQ(c.repayment.matched_payment_id, "PAY-1");
  ASSERT_TRUE(c.matched.has_value());
  EXPECT_EQ(c.matched->id, report.repayment.id);
  EXPECT_EQ(Outstanding(), kCharged - kInstalment);
  EXPECT_EQ(RepaymentJournals(), 1);
  ExpectLedgerBalanced();
}

// The window: same loan, same amount, claim at most claim_match_window_days
// from the report's paid_at (either side, bounds included); rejected
// claims never match.
struct MatchCase {
  const char* name;
  int64_t claim_at;      // relative to kNow + 10 days
  int64_t report_amount;
  // Relative to kNow + 10 days: the report's paid_at, or when it is
  // recorded if paid_at is not sent.
  int64_t paid_at;
  bool paid_at_sent;
  int window_days;
  bool reject_first;
  bool matches;
};

class ClaimMatchTest : public ClaimsTest, public ::testing::WithParamInterface<MatchCase> {};

TEST_P(ClaimMatchTest, Window) {
  const MatchCase& m = GetParam();
  programme_.claim_match_window_days = m.window_days;
  const int64_t base = kNow + 10 * kDay;
  const Repayment claim = Claim(kInstalment, base + m.claim_at);
  if (m.reject_first) {
    Must(loans().DecideRepayment(claim.id, wanjiru_, false, MemberActor(wanjiru_)));
  }
  const int64_t recorded = base + std::max<int64_t>(m.claim_at, m.paid_at) + 1;
  RepaymentChange c =
      Must(Report("PAY-1", m.report_amount, m.paid_at_sent ? base + m.paid_at : 0,
                  m.paid_at_sent ? recorded : base + m.paid_at));
  EXPECT_EQ(c.matched.has_value(), m.matches);
  EXPECT_TRUE(c.posted);
  EXPECT_EQ(Stored(claim.id).status,
            m.matches ? RepaymentStatus::kSettled
                      : (m.reject_first ? RepaymentStatus::kRejected : RepaymentStatus::kPending));
  EXPECT_EQ(Outstanding(), kCharged - m.report_amount);
  EXPECT_EQ(RepaymentJournals(), 1);
  ExpectLedgerBalanced();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ClaimMatchTest,
    ::testing::Values(
        MatchCase{"SameDay", 0, kInstalment, 3600, true, 7, false, true},
        MatchCase{"ClaimAWeekBefore", -7 * kDay, kInstalment, 0, true, 7, false, true},
        MatchCase{"ClaimJustOverAWeekBefore", -7 * kDay - 1, kInstalment, 0, true, 7, false,
                  false},
        MatchCase{"ClaimAWeekAfterPaidAt", 7 * kDay, kInstalment, 0, true, 7, false, true},
        MatchCase{"ClaimJustOverAWeekAfter", 7 * kDay + 1, kInstalment, 0, true, 7, false,
                  false},
        MatchCase{"NoPaidAtUsesRecordingTime", 0, kInstalment, 2 * kDay, false, 7, false, true},
        MatchCase{"NoPaidAtOutsideTheWindow", 0, kInstalment, 8 * kDay, false, 7, false, false},
        MatchCase{"OtherAmount", 0, kInstalment - 1, 0, true, 7, false, false},
        MatchCase{"WindowOff", 0, kInstalment, 0, true, 0, false, false},
        MatchCase{"WiderWindow", -20 * kDay, kInstalment, 0, true, 30, false, true},
        MatchCase{"RejectedClaim", 0, kInstalment, 0, true, 7, true, false}),
    [](const auto& info) { return std::string(info.param.name); });

// ------------------------------------------------------ loan references

TEST_F(LoansTest, LoanReferencesMatchInAnyCase) {
  Loan l = Referred();
  std::string lower = l.reference;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::string mixed = l.reference;
  for (size_t i = 0; i < mixed.size(); i += 2) {
    mixed[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(mixed[i])));
  }
  ASSERT_NE(lower, l.reference) << "a reference has letters";
  for (const std::string& ref : {lower, mixed, l.reference}) {
    SCOPED_TRACE(ref);
    EXPECT_EQ(Must(loans().GetByReference(ref)).id, l.id);
    EXPECT_EQ(Must(loans().PartnerLoan("imara", ref)).id, l.id);
    EXPECT_EQ(loans().PartnerLoan("tujenge", ref).status().code(), Status::Code::kNotFound);
  }
  // Every partner event reaches the loan whatever the case it is sent in.
  EXPECT_TRUE(Must(loans().RecordPartnerDecision("imara", lower, Approval(), kPartner)).changed);
  LoanChange d = Must(loans().RecordDisbursement("imara", mixed, 1000000, kNow, "TX-1", kPartner));
  EXPECT_TRUE(d.changed);
  EXPECT_EQ(d.loan.reference, l.reference);
  EXPECT_FALSE(
      Must(loans().RecordDisbursement("imara", lower, 1000000, kNow, "TX-1", kPartner)).changed);
  RepaymentChange r =
      Must(loans().RecordPartnerRepayment("imara", lower, "PAY-1", 1000, kNow, kPartner));
  EXPECT_TRUE(r.posted);
  EXPECT_FALSE(
      Must(loans().RecordPartnerRepayment("imara", mixed, "PAY-1", 1000, kNow, kPartner))
          .loan.changed);
  EXPECT_EQ(Must(loans().Get(l.id)).outstanding, kCharged - 1000);
  EXPECT_EQ(loans().GetByReference("zzzzzz").status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace shg
