// Loans over a real SQLite file: eligibility refusals, the request ->
// group approval -> MFI referral -> decision -> disbursement -> repayment
// walk with the ledger checked at every step, cancel and decline rules,
// partner idempotency, the scheduler (expiry, arrears, catch-up,
// reminders) and idempotency keys.
#include "domain/loans.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "domain/json.h"
#include "domain/messages.h"
#include "domain/refcode.h"
#include "domain/store/store.h"
#include "tests/domain/temp_db.h"

namespace shg {
namespace {

using store::Connection;
using store::ScopedReset;
using store::Statement;
using testing_support::TempDb;

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
    auto db = Connection::Open(tmp_.path(), o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(store::Migrate(*db_).ok());
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
    JsonValue doc = Must(ParseJson(body));
    EXPECT_EQ(doc.Get("version").AsInt64(), 1);
    EXPECT_EQ(doc.Get("reference").string_value(), requested.reference);
    EXPECT_EQ(doc.Get("partner_id").string_value(), "imara");
    EXPECT_EQ(doc.Get("created_at").AsInt64(), kNow);
    const JsonValue& member = doc.Get("member");
    EXPECT_EQ(member.Get("id").AsInt64(), amina_);
    EXPECT_EQ(member.Get("name").string_value(), "Amina Achieng");
    EXPECT_EQ(member.Get("phone").string_value(), "+254700000001");
    EXPECT_EQ(member.Get("language").string_value(), "en");
    EXPECT_EQ(member.Get("joined_at").AsInt64(), kNow - 240 * kDay);
    EXPECT_EQ(member.Get("consent_at").AsInt64(), kNow);
    const JsonValue& group = doc.Get("group");
    EXPECT_EQ(group.Get("id").AsInt64(), upendo_);
    EXPECT_EQ(group.Get("name").string_value(), "Upendo");
    EXPECT_EQ(group.Get("country").string_value(), "KE");
    EXPECT_EQ(group.Get("currency").string_value(), "KES");
    const JsonValue& loan = doc.Get("loan");
    EXPECT_EQ(loan.Get("amount_minor").AsInt64(), 1000000);
    EXPECT_EQ(loan.Get("currency").string_value(), "KES");
    EXPECT_EQ(loan.Get("purpose").string_value(), "bakery");
    EXPECT_EQ(loan.Get("term_months").AsInt64(), 6);
    const JsonValue& savings = doc.Get("savings");
    EXPECT_EQ(savings.Get("confirmed_count").AsInt64(), 8);
    EXPECT_EQ(savings.Get("confirmed_total_minor").AsInt64(), 425000);
    const JsonValue& history = savings.Get("history");
    ASSERT_EQ(history.size(), 8u);
    EXPECT_EQ(history.At(0).Get("amount_minor").AsInt64(), 75000);  // newest first
    EXPECT_EQ(history.At(0).Get("at").AsInt64(), kNow - 20 * kDay);
    for (size_t i = 1; i < history.size(); ++i) {
      EXPECT_LT(*history.At(i).Get("at").AsInt64(), *history.At(i - 1).Get("at").AsInt64());
    }
    const JsonValue& training = doc.Get("training");
    EXPECT_TRUE(training.Get("completed").bool_value());
    ASSERT_EQ(training.Get("modules").size(), 2u);
    EXPECT_EQ(training.Get("modules").At(0).Get("id").string_value(), "s1-groups");
    EXPECT_EQ(training.Get("modules").At(0).Get("step").AsInt64(), 1);
    EXPECT_EQ(training.Get("modules").At(1).Get("id").string_value(), "s2-business");
    EXPECT_TRUE(training.Get("modules").At(1).Get("completed_at").is_number());
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

}  // namespace
}  // namespace shg
