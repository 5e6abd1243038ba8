// Loan notices (dialogs/loan_notices.h) against a real SQLite file with the
// demo data: one SMS per entered state, in her language, once per dedupe
// key, each in one GSM-7 part.
#include "dialogs/loan_notices.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>

#include "dialogs/gsm.h"
#include "dialogs/screens.h"
#include "domain/demo.h"
#include "domain/loan_schedule.h"
#include "domain/money.h"
#include "domain/store/store.h"
#include "tests/dialogs/loan_programme.h"
#include "tests/support/test_db.h"

namespace shg::dialogs {
namespace {

constexpr int64_t kNow = 1'795'737'600;  // 2026-11-27T00:00:00Z
constexpr int64_t kDisbursedAt = kNow - 10 * 86400;
const Currency kKes{"KES", 2};
const std::string kAmina = "+254700000001";    // en
const std::string kHalima = "+254700000006";   // sw
const std::string kTumaini = "+256700000003";  // UG: no channel sends there in this test

std::string Kes(int64_t minor) { return FormatMoney(minor, kKes); }

class LoanNoticesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions so = test_db_.Options();
    so.synchronous = "OFF";
    auto st = store::Store::Open(so);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    ASSERT_TRUE(LoadDemo(*store_, pins_, 30, kNow - 86400).ok());
    auto cat = Catalogue::Load(std::string(SHG_SOURCE_DIR) + "/config/lang", {"en", "sw"});
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalogue_ = std::make_unique<Catalogue>(std::move(*cat));
    SmsRouting routing;
    routing.via["at-ke"] = "at-ke";
    routing.by_country["KE"] = "at-ke";
    notifier_ = std::make_unique<Notifier>(*catalogue_, routing, "en");
  }
  void TearDown() override {
    store_.reset();
  }

  Member MemberOn(const std::string& phone) {
    DomainContext ctx{&pins_, 3, kNow};
    Services svc(store_->Reader(), ctx);
    auto ms = svc.MembersByPhone(phone);
    EXPECT_TRUE(ms.ok() && !ms->empty());
    return ms->front();
  }

  // KES 10,000 for a bakery over 6 months, approved on the partner's
  // terms and disbursed 10 days ago, as the domain would hand it over.
  Loan LoanOf(const std::string& phone) {
    const Member m = MemberOn(phone);
    Loan l;
    l.id = 41;
    l.reference = "K7P2QX";
    l.member_id = m.id;
    l.group_id = m.group_id;
    l.member_name = m.name;
    l.member_phone = m.phone;
    l.member_language = m.language;
    l.currency = "KES";
    l.amount = 10'000'00;
    l.purpose = "bakery";
    l.term_months = 6;
    l.partner_id = "imara";
    l.approved_amount = 10'000'00;
    l.approved_term_months = 6;
    l.rule = InterestRule::kDeclining;
    l.annual_rate_bp = 1800;
    l.disbursed_at = kDisbursedAt;
    l.outstanding = Owed();
    return l;
  }

  static std::vector<Instalment> Schedule() {
    auto s =
        BuildSchedule(LoanTerms{10'000'00, 6, 1800, InterestRule::kDeclining, kKes, kDisbursedAt});
    EXPECT_TRUE(s.ok());
    return *s;
  }
  static int64_t Owed() {
    int64_t sum = 0;
    for (const Instalment& i : Schedule()) sum += i.total;
    return sum;
  }

  // Runs `send` in a store job with the notifier and this test's views.
  template <typename T>
  T Run(const std::function<Result<T>(Messages&, Services&)>& send) {
    T out{};
    Status s = store_->Run([&](store::Connection& conn) -> Status {
      DomainContext ctx{&pins_, 3, kNow};
      Services svc(conn, ctx);
      Messages messages(conn, kNow * 1000);
      Result<T> r = send(messages, svc);
      if (!r.ok()) return r.status();
      out = *r;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  int Notices(const LoanChange& change, const LoanProgramme* programme,
              const char* channel = "at-ke") {
    return Run<int>([&](Messages& m, Services& svc) {
      return SendLoanNotices(*notifier_, m, svc, channel, change, programme);
    });
  }

  std::vector<OutboundMessage> Outbox() {
    Messages m(store_->Reader(), 0);
    auto list = m.List("", 10000);
    EXPECT_TRUE(list.ok());
    return std::vector<OutboundMessage>(list->rbegin(), list->rend());
  }

  shg::testing::TestDatabase test_db_;
  PinHasher pins_{"notices-test-pepper-0123456789abcdef"};
  LoanProgramme programme_ = TestLoanProgramme();
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Catalogue> catalogue_;
  std::unique_ptr<Notifier> notifier_;
};

struct StateCase {
  const char* name;
  std::string phone;
  LoanState state;
  std::function<void(Loan&)> adjust;  // the loan as it is in that state
  std::string want;                   // exact body
  std::string language;
  bool with_programme = true;
};

void PrintTo(const StateCase& c, std::ostream* os) { *os << c.name; }

class LoanStateNoticeTest : public LoanNoticesTest,
                            public ::testing::WithParamInterface<StateCase> {};

TEST_P(LoanStateNoticeTest, OneSmsPerEnteredStateOnce) {
  const StateCase& c = GetParam();
  Loan loan = LoanOf(c.phone);
  if (c.adjust) c.adjust(loan);
  loan.state = c.state;
  const LoanChange change{loan, {c.state}, true};
  const LoanProgramme* programme = c.with_programme ? &programme_ : nullptr;
  EXPECT_EQ(Notices(change, programme), 1);
  std::vector<OutboundMessage> out = Outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].body, c.want);
  EXPECT_EQ(out[0].kind, std::string("loan_") + LoanStateName(c.state));
  EXPECT_EQ(out[0].language, c.language);
  EXPECT_EQ(out[0].phone, c.phone);
  EXPECT_EQ(out[0].member_id, loan.member_id);
  EXPECT_EQ(out[0].channel, "at-ke");
  EXPECT_EQ(out[0].encoding, "gsm7");
  EXPECT_EQ(out[0].segments, 1);
  // The same state again (a retried callback, a second scheduler run)
  // queues nothing more: dedupe "loan:<id>:<state>".
  Notices(change, programme);
  EXPECT_EQ(Outbox().size(), 1u);
  // An idempotent replay (nothing changed) sends nothing at all.
  EXPECT_EQ(Notices(LoanChange{loan, {c.state}, false}, programme), 0);
  EXPECT_EQ(Outbox().size(), 1u);
}

const std::vector<Instalment> kSchedule = [] {
  auto s =
      BuildSchedule(LoanTerms{10'000'00, 6, 1800, InterestRule::kDeclining, kKes, kDisbursedAt});
  return *s;
}();
const std::string kFirst = Kes(kSchedule.front().total);
const std::string kOwed = [] {
  int64_t sum = 0;
  for (const Instalment& i : kSchedule) sum += i.total;
  return Kes(sum);
}();

INSTANTIATE_TEST_SUITE_P(
    States, LoanStateNoticeTest,
    ::testing::Values(
        StateCase{"requested", kAmina, LoanState::kRequested,
                  [](Loan& l) {
                    l.approved_amount = 0;
                    l.approved_term_months = 0;
                  },
                  "Loan request KES 10,000, 6 months: KES 1,756/month, total KES 10,531. "
                  "Interest 18%/yr, declining. Ref K7P2QX",
                  "en"},
        StateCase{"requested_sw", kHalima, LoanState::kRequested,
                  [](Loan& l) {
                    l.approved_amount = 0;
                    l.approved_term_months = 0;
                  },
                  "Ombi la mkopo KES 10,000, miezi 6: KES 1,756 kwa mwezi, jumla KES 10,531. "
                  "Riba 18% kwa mwaka, inayopungua. Kumb K7P2QX",
                  "sw"},
        // Without the programme the product's figures are unknown.
        StateCase{"requested_no_programme", kAmina, LoanState::kRequested,
                  [](Loan& l) {
                    l.approved_amount = 0;
                    l.approved_term_months = 0;
                  },
                  "Loan request KES 10,000 for Bakery over 6 months received. Ref K7P2QX. Your "
                  "group officers will decide.",
                  "en", false},
        StateCase{"requested_sw_no_programme", kHalima, LoanState::kRequested,
                  [](Loan& l) {
                    l.approved_amount = 0;
                    l.approved_term_months = 0;
                  },
                  "Ombi la mkopo KES 10,000 kwa Uokaji mikate, miezi 6 limepokelewa. Kumb K7P2QX. "
                  "Viongozi wa kikundi wataamua.",
                  "sw", false},
        StateCase{"group_approved", kAmina, LoanState::kGroupApproved, nullptr,
                  "Your group approved your loan request KES 10,000, Ref K7P2QX.", "en"},
        StateCase{"referred_to_mfi", kAmina, LoanState::kReferredToMfi, nullptr,
                  "Your loan request Ref K7P2QX was sent to Imara Microfinance. You will get an "
                  "SMS when they decide.",
                  "en"},
        StateCase{"referred_to_mfi_no_programme", kAmina, LoanState::kReferredToMfi, nullptr,
                  "Your loan request Ref K7P2QX was sent to imara. You will get an SMS when they "
                  "decide.",
                  "en", false},
        StateCase{"referred_to_mfi_sw", kHalima, LoanState::kReferredToMfi, nullptr,
                  "Ombi lako la mkopo Kumb K7P2QX limetumwa kwa Imara Microfinance. Utapata SMS "
                  "wakiamua.",
                  "sw"},
        StateCase{"approved", kAmina, LoanState::kApproved, nullptr,
                  "Your loan Ref K7P2QX is approved: KES 10,000 over 6 months, first instalment " +
                      kFirst + ". Payout follows.",
                  "en"},
        // Other terms than she asked: what changed, the new instalment and
        // total (KES 8,000 over 12 months at 18% declining: 11 x 734 and
        // 727, total 8,801).
        StateCase{"approved_for_less", kAmina, LoanState::kApproved,
                  [](Loan& l) {
                    l.approved_amount = 8'000'00;
                    l.approved_term_months = 12;
                  },
                  "Loan Ref K7P2QX approved: KES 8,000, 12 months (you asked KES "
                  "10,000, 6 months): KES 734/month, total KES 8,801",
                  "en"},
        StateCase{"approved_for_less_sw", kHalima, LoanState::kApproved,
                  [](Loan& l) {
                    l.approved_amount = 8'000'00;
                    l.approved_term_months = 12;
                  },
                  "Mkopo Kumb K7P2QX umekubaliwa: KES 8,000, miezi 12 (uliomba KES "
                  "10,000, miezi 6): KES 734/mwezi, jumla KES 8,801",
                  "sw"},
        StateCase{"approved_longer", kAmina, LoanState::kApproved,
                  [](Loan& l) { l.approved_term_months = 12; },
                  "Loan Ref K7P2QX approved: KES 10,000, 12 months (you asked KES "
                  "10,000, 6 months): KES 917/month, total KES 11,002",
                  "en"},
        StateCase{"declined_by_partner", kAmina, LoanState::kDeclined,
                  [](Loan& l) { l.decline_reason = "Business plan incomplete"; },
                  "Your loan request Ref K7P2QX was declined: Business plan incomplete", "en"},
        StateCase{"declined_without_reason", kAmina, LoanState::kDeclined, nullptr,
                  "Your loan request Ref K7P2QX was declined. Please talk to your group officers.",
                  "en"},
        StateCase{"disbursed", kAmina, LoanState::kDisbursed, nullptr,
                  "Loan Ref K7P2QX paid out: KES 10,000. Outstanding " + kOwed +
                      ". First instalment " + kFirst + " due " +
                      ShortDate(kSchedule.front().due_at) + ".",
                  "en"},
        StateCase{"disbursed_sw", kHalima, LoanState::kDisbursed, nullptr,
                  "Mkopo Kumb K7P2QX umetolewa: KES 10,000. Deni " + kOwed +
                      ". Rejesho la kwanza " + kFirst + " tarehe " +
                      ShortDate(kSchedule.front().due_at) + ".",
                  "sw"},
        StateCase{"in_arrears", kAmina, LoanState::kInArrears, nullptr,
                  "Your loan Ref K7P2QX is in arrears. Outstanding " + kOwed +
                      ". Please repay or talk to your treasurer.",
                  "en"},
        StateCase{"repaid", kAmina, LoanState::kRepaid, [](Loan& l) { l.outstanding = 0; },
                  "Well done! Your loan Ref K7P2QX is fully repaid.", "en"},
        StateCase{"repaid_sw", kHalima, LoanState::kRepaid, [](Loan& l) { l.outstanding = 0; },
                  "Hongera! Mkopo wako Kumb K7P2QX umelipwa wote.", "sw"},
        StateCase{"cancelled", kAmina, LoanState::kCancelled, nullptr,
                  "Your loan request Ref K7P2QX is cancelled.", "en"},
        StateCase{"expired", kAmina, LoanState::kExpired, nullptr,
                  "Your loan request Ref K7P2QX expired: nobody decided in time. You may request "
                  "again.",
                  "en"},
        StateCase{"written_off", kAmina, LoanState::kWrittenOff, nullptr,
                  "Your loan Ref K7P2QX was closed. Please talk to your group officers.", "en"}),
    [](const ::testing::TestParamInfo<StateCase>& info) { return std::string(info.param.name); });

// The request's figures and a lender's changed terms, with the dearest
// values (the largest money action, every term, 99.99% and 100% a year,
// both rules, an approved amount with cents) in every language: one GSM-7
// part each.
TEST_F(LoanNoticesTest, LoanFiguresFitOnePartWithWorstCaseValues) {
  LoanProgramme programme = programme_;
  LoanProduct& product = programme.products.front();
  product.terms_months.clear();
  for (int n = 1; n <= kMaxLoanTermMonths; ++n) product.terms_months.push_back(n);
  int64_t id = 1000;
  int sent = 0;
  for (const std::string& phone : {kAmina, kHalima}) {
    for (int64_t bp : {int64_t{9999}, kMaxLoanRateBp}) {
      for (InterestRule rule : {InterestRule::kFlat, InterestRule::kDeclining}) {
        product.annual_rate_bp = bp;
        product.rule = rule;
        for (int n = 1; n <= kMaxLoanTermMonths; ++n) {
          Loan loan = LoanOf(phone);
          loan.purpose = "vegetable_farming";
          loan.amount = 1'000'000'00;
          loan.term_months = n;
          loan.approved_amount = 0;
          loan.approved_term_months = 0;
          loan.id = ++id;
          loan.state = LoanState::kRequested;
          ASSERT_EQ(Notices(LoanChange{loan, {LoanState::kRequested}, true}, &programme), 1);
          // Approved for a cent less over the other end of the terms.
          loan.approved_amount = loan.amount - 1;
          loan.approved_term_months = kMaxLoanTermMonths + 1 - n;
          loan.rule = rule;
          loan.annual_rate_bp = bp;
          loan.state = LoanState::kApproved;
          ASSERT_EQ(Notices(LoanChange{loan, {LoanState::kApproved}, true}, &programme), 1);
          sent += 2;
        }
      }
    }
  }
  std::vector<OutboundMessage> out = Outbox();
  ASSERT_EQ(out.size(), static_cast<size_t>(sent));
  for (const OutboundMessage& m : out) {
    SCOPED_TRACE(m.body);
    EXPECT_EQ(m.encoding, "gsm7");
    EXPECT_EQ(m.segments, 1);
    EXPECT_EQ(m.body.find('{'), std::string::npos);
    EXPECT_EQ(m.body.find('['), std::string::npos);
    // The figures, never the plain texts.
    EXPECT_TRUE(m.body.find("/month") != std::string::npos ||
                m.body.find(" kwa mwezi") != std::string::npos ||
                m.body.find("/mwezi") != std::string::npos);
  }
}

// Group approval of an MFI loan enters two states: two SMS, in order.
TEST_F(LoanNoticesTest, EachEnteredStateIsToldInOrder) {
  Loan loan = LoanOf(kAmina);
  loan.state = LoanState::kReferredToMfi;
  EXPECT_EQ(Notices(LoanChange{loan, {LoanState::kGroupApproved, LoanState::kReferredToMfi}, true},
                    &programme_),
            2);
  std::vector<OutboundMessage> out = Outbox();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].kind, "loan_group_approved");
  EXPECT_EQ(out[1].kind, "loan_referred_to_mfi");
}

// A staff or partner action has no channel: her country's channel sends;
// with none for her country nothing is queued.
TEST_F(LoanNoticesTest, RoutedByHerCountryWithoutACauseChannel) {
  Loan loan = LoanOf(kAmina);
  EXPECT_EQ(Notices(LoanChange{loan, {LoanState::kApproved}, true}, &programme_, ""), 1);
  EXPECT_EQ(Outbox().back().channel, "at-ke");
  Loan ugandan = LoanOf(kTumaini);
  ugandan.id = 42;
  EXPECT_EQ(Notices(LoanChange{ugandan, {LoanState::kApproved}, true}, &programme_, ""), 0);
  EXPECT_EQ(Outbox().size(), 1u);
}

// A partner's reason may be up to 160 characters, or need UCS-2: it is cut
// so the notice stays one part.
TEST_F(LoanNoticesTest, ALongDeclineReasonIsCutToOnePart) {
  const std::string prefix = "Your loan request Ref K7P2QX was declined: ";
  struct Case {
    const char* name;
    std::string reason;
    const char* encoding;
  };
  const Case cases[] = {
      {"gsm7", std::string(150, 'a') + " the end", "gsm7"},
      {"ucs2", "Mpango haujakamilika \xE2\x9C\x93 " + std::string(100, 'b'), "ucs2"},
  };
  int64_t id = 100;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Loan loan = LoanOf(kAmina);
    loan.id = ++id;
    loan.state = LoanState::kDeclined;
    loan.decline_reason = c.reason;
    EXPECT_EQ(Notices(LoanChange{loan, {LoanState::kDeclined}, true}, &programme_), 1);
    const OutboundMessage m = Outbox().back();
    EXPECT_EQ(m.body.rfind(prefix, 0), 0u) << m.body;
    EXPECT_EQ(m.encoding, c.encoding);
    EXPECT_EQ(m.segments, 1);
    EXPECT_EQ(MeasureSms(m.body).segments, 1u);
    EXPECT_EQ(c.reason.rfind(m.body.substr(prefix.size()), 0), 0u) << "a prefix of the reason";
    EXPECT_GT(m.body.size(), prefix.size() + 20);
  }
}

// On a shared phone the notice starts with her first name: the reason is
// cut so that the notice with the longest first name (kMaxNameChars) still
// fits one part, in each language.
TEST_F(LoanNoticesTest, ALongDeclineReasonIsCutToOnePartAfterHerName) {
  const std::string kShared = "+254700000020";  // not used by the demo
  const Member amina = MemberOn(kAmina);
  for (const char* name : {"Nyambura-Wanjiku Kamau", "Njeri Kamau"}) {
    Run<int64_t>([&](Messages&, Services& svc) {
      Member m;
      m.group_id = amina.group_id;
      m.phone = kShared;
      m.name = name;
      m.language = "sw";
      return svc.AddMember(m);
    });
  }
  struct Case {
    const char* language;
    std::string want_start;
  };
  const Case kCases[] = {
      {"en", "Nyambura-Wanjiku: Your loan request Ref K7P2QX was declined: "},
      {"sw", "Nyambura-Wanjiku: Ombi lako la mkopo Kumb K7P2QX limekataliwa: "},
  };
  const std::string reason = std::string(150, 'a') + " the end";
  int64_t id = 200;
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.language);
    Run<int64_t>([&](Messages&, Services& svc) -> Result<int64_t> {
      SHG_RETURN_IF_ERROR(svc.SetLanguage(MemberOn(kShared).id, c.language));
      return int64_t{0};
    });
    Loan loan = LoanOf(kShared);
    EXPECT_EQ(loan.member_name, "Nyambura-Wanjiku Kamau");
    loan.id = ++id;
    loan.state = LoanState::kDeclined;
    loan.decline_reason = reason;
    EXPECT_EQ(Notices(LoanChange{loan, {LoanState::kDeclined}, true}, &programme_), 1);
    const OutboundMessage m = Outbox().back();
    EXPECT_EQ(m.body.rfind(c.want_start, 0), 0u) << m.body;
    EXPECT_EQ(m.segments, 1);
    EXPECT_EQ(MeasureSms(m.body).units, kGsm7SingleLimit) << "cut no more than needed";
    EXPECT_EQ(reason.rfind(m.body.substr(c.want_start.size()), 0), 0u) << "a prefix of the reason";
  }
}

TEST_F(LoanNoticesTest, RepaymentNoticesByStatusOnceEach) {
  Loan loan = LoanOf(kAmina);
  loan.state = LoanState::kDisbursed;
  Repayment rep;
  rep.id = 7;
  rep.loan_id = loan.id;
  rep.loan_reference = loan.reference;
  rep.member_id = loan.member_id;
  rep.member_name = loan.member_name;
  rep.amount = 2'000'00;
  rep.currency = "KES";
  rep.reference = "R3PAYD";
  struct Case {
    RepaymentStatus status;
    std::string kind;
    std::string want;
  };
  Loan after = loan;
  after.outstanding = Owed() - 2'000'00;
  const Case cases[] = {
      {RepaymentStatus::kPending, "repayment_logged",
       "Repayment KES 2,000 on loan K7P2QX logged, pending treasurer confirmation. Ref R3PAYD"},
      {RepaymentStatus::kConfirmed, "repayment_confirmed",
       "Your repayment of KES 2,000 (Ref R3PAYD) is confirmed. Loan outstanding: " +
           Kes(Owed() - 2'000'00)},
      {RepaymentStatus::kRejected, "repayment_rejected",
       "Your repayment of KES 2,000 (Ref R3PAYD) was not confirmed. Please talk to your "
       "treasurer."},
  };
  size_t rows = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.kind);
    rep.status = c.status;
    RepaymentChange change{rep, LoanChange{after, {}, false}};
    auto send = [&](Messages& m, Services& svc) {
      return SendRepaymentNotice(*notifier_, m, svc, "at-ke", change);
    };
    const int64_t first = Run<int64_t>(send);
    EXPECT_GT(first, 0);
    EXPECT_EQ(Run<int64_t>(send), first) << "dedupe repayment:<id>:<status>";
    std::vector<OutboundMessage> out = Outbox();
    ASSERT_EQ(out.size(), ++rows);
    EXPECT_EQ(out.back().kind, c.kind);
    EXPECT_EQ(out.back().body, c.want);
    EXPECT_EQ(out.back().segments, 1);
  }
}

TEST_F(LoanNoticesTest, DueReminderOncePerInstalment) {
  Loan loan = LoanOf(kHalima);
  loan.state = LoanState::kDisbursed;
  Instalment second = kSchedule[1];
  second.total -= 100'00;  // part of it already paid
  auto remind = [&](const Instalment& i) {
    return Run<int64_t>([&](Messages& m, Services& svc) {
      return SendDueReminder(*notifier_, m, svc, "", DueReminder{loan, i});
    });
  };
  const int64_t id = remind(second);
  EXPECT_GT(id, 0);
  EXPECT_EQ(remind(second), id) << "dedupe loan_reminder:<loan id>:<instalment>";
  std::vector<OutboundMessage> out = Outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, "loan_reminder");
  EXPECT_EQ(out[0].body, "Kumbusho: " + Kes(second.total) + " inadaiwa tarehe " +
                             ShortDate(second.due_at) + " kwa mkopo wako Kumb K7P2QX.");
  EXPECT_NE(remind(kSchedule[2]), id);
  EXPECT_EQ(Outbox().size(), 2u);
}

}  // namespace
}  // namespace shg::dialogs
