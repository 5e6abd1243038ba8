// Every screen of every shipped language, rendered with worst-case data
// (longest names, largest amounts, fullest lists and a reason line), must fit
// the 160-character USSD limit without being cut.
#include "dialogs/screens.h"

#include <gtest/gtest.h>

#include <functional>

#include "dialogs/engine.h"
#include "dialogs/gsm.h"
#include "domain/money.h"
#include "tests/dialogs/loan_programme.h"

namespace shg::dialogs {
namespace {

const std::vector<std::string> kLanguages = {"en", "sw"};

Catalogue LoadShipped() {
  auto c = Catalogue::Load(std::string(SHG_SOURCE_DIR) + "/config/lang", kLanguages);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(*c);
}

// Largest amounts a screen may show: a member's savings up to the limit
// times a few years, group funds of a 40-member group.
constexpr int64_t kHuge = 9'999'999'999;  // KES 99,999,999.99
const std::string kLongName = "Nyambura-Wanjiku-Mwikali Wambui Kariuki";
const std::string kLongGroup = "Jitegemee Umoja Wanawake Wa Maendeleo Group Kibera";

Saving WorstSaving() {
  Saving s;
  s.id = 99999;
  s.amount = kHuge;
  s.member_name = kLongName;
  s.reference = "WXYZ23";
  s.created_at = 1'790'000'000;
  return s;
}

// The largest amount of one money action: the default limit of 1,000,000
// whole units, in the currency of the screen.
int64_t kMaxAction = 0;
// What a loan of that size may come to with interest, cents included.
int64_t kLoanOwed = 0;
const std::string kLongPartner = "Jamii Bora Microfinance Bank Kenya Limited";
const std::vector<std::string> kPurposes = {"vegetable_farming", "bakery",    "tailoring",
                                            "beauty_salon",      "bicycle_repair", "livestock",
                                            "retail_shop",       "other_business"};

// The purpose whose label is longest in the screen's language.
std::string LongestPurpose(const ScreenContext& c) {
  std::string best = kPurposes.front();
  for (const std::string& p : kPurposes) {
    if (ScreenLength(PurposeLabel(c, p)) > ScreenLength(PurposeLabel(c, best))) best = p;
  }
  return best;
}

Loan WorstLoan(const ScreenContext& c, LoanState state) {
  Loan l;
  l.id = 99999;
  l.reference = "WXYZ23";
  l.member_name = kLongName;
  l.amount = kMaxAction;
  l.approved_amount = kMaxAction;
  l.purpose = LongestPurpose(c);
  l.term_months = 60;
  l.approved_term_months = 60;
  l.state = state;
  l.outstanding = kLoanOwed;
  l.decline_reason = std::string(160, 'x');
  return l;
}

LoanView WorstView(const ScreenContext& c, LoanState state) {
  LoanView v;
  v.loan = WorstLoan(c, state);
  v.status.outstanding = kLoanOwed;
  v.status.overdue = kLoanOwed;
  v.status.next_due = Instalment{60, 1'798'675'200, kLoanOwed, 0, kLoanOwed};  // 31/12
  v.pending_repayments = kLoanOwed;
  return v;
}

const LoanState kAllStates[] = {
    LoanState::kRequested, LoanState::kGroupApproved, LoanState::kReferredToMfi,
    LoanState::kApproved,  LoanState::kDisbursed,     LoanState::kInArrears,
    LoanState::kRepaid,    LoanState::kDeclined,      LoanState::kCancelled,
    LoanState::kExpired,   LoanState::kWrittenOff};

const char* const kRefusals[] = {
    "inactive",           "not_trained",        "too_new",          "too_few_savings",
    "in_arrears",         "request_open",       "previous_loan_not_repaid",
    "amount_above_limit", "amount_below_minimum", "purpose_not_allowed", "no_consent",
    "no_product",         "term_not_allowed",   "something_new"};

// The dearest figures of a quote: instalments and totals of the largest
// digits a money action can reach (1,000,000 units over one month at 100%
// is 1,083,333; over 60 months flat 6,000,000), a last instalment that
// differs, the longest rate ("99.99%") and term.
LoanQuote WorstQuote(const ScreenContext& c, int term_months, InterestRule rule) {
  LoanQuote q;
  q.principal = kMaxAction;
  q.term_months = term_months;
  q.instalment = ToMinor(9'999'999, c.currency);
  q.last_instalment = ToMinor(9'999'998, c.currency);
  q.total_repay = ToMinor(9'999'999, c.currency);
  q.total_interest = q.total_repay - kMaxAction;
  q.annual_rate_bp = 9999;
  q.rule = rule;
  return q;
}

std::vector<LoanQuote> WorstQuotes(const ScreenContext& c) {
  std::vector<LoanQuote> out;
  for (int n : {1, 2, 3, 6, 9, 12, 18, 24, 60}) out.push_back(WorstQuote(c, n, InterestRule::kFlat));
  return out;
}

// An approved loan whose lender changed the terms, with the dearest figures
// the screens can meet: less than she asked (a fraction of a unit, so the
// total shows cents) over `months` at `rate_bp`.
LoanView ChangedView(const ScreenContext& c, int months, int64_t rate_bp, InterestRule rule) {
  LoanView v = WorstView(c, LoanState::kApproved);
  v.loan.term_months = 1;
  v.loan.approved_amount = kMaxAction - 1;
  v.loan.approved_term_months = months;
  v.loan.annual_rate_bp = rate_bp;
  v.loan.rule = rule;
  return v;
}

struct Case {
  const char* name;
  std::function<UssdReply(const ScreenContext&, std::string_view note)> render;
  std::vector<const char*> notes;  // the reasons/outcomes this screen can carry
};

// A note as the engine fills it, with worst-case values.
std::string Note(const ScreenContext& c, const char* key) {
  return Format(c.T(key), {{"n", "2"},
                           {"currency", c.currency.code},
                           {"max", c.Money(kMaxAction)},
                           {"language", "Kiswahili"},
                           {"amount", c.Money(kMaxAction)},
                           {"ref", "WXYZ23"},
                           {"min", c.Money(kMaxAction)},
                           {"name", ShortName(kLongName)}});
}

std::vector<Case> AllScreens() {
  Balances b{"KES", kHuge, kHuge, kHuge, kHuge, kHuge};
  GroupSummary g;
  g.group.name = kLongGroup;
  g.group.meeting_day = "Wednesday";
  g.group.meeting_place = "Kibera Olympic primary school social hall";
  g.members = 40;
  g.group_savings = kHuge;
  g.loans_out = 40;
  std::vector<StatementLine> lines(
      kStatementPerPage, StatementLine{1'790'000'000, "saving", kMaxAction, SavingStatus::kRejected, "WXYZ23"});
  Saving worst = WorstSaving();
  worst.amount = kMaxAction;
  std::vector<Saving> pending(kTasksPerPage, worst);
  std::vector<std::string> names(kMembersPerPhone, kLongName);
  const std::vector<const char*> kPinNotes = {"err_pin_format", "wrong_pin"};
  const std::vector<const char*> kNewPinNotes = {"err_pin_format", "err_pin_weak", "pin_mismatch"};
  return {
      {"not_registered", [](auto& c, auto) { return NotRegisteredScreen(c); }, {}},
      {"locked", [](auto& c, auto) { return LockedScreen(c); }, {}},
      {"locked_now", [](auto& c, auto) { return LockedNowScreen(c); }, {}},
      {"session_expired", [](auto& c, auto) { return SessionExpiredScreen(c, "*384*12345*99#"); }, {}},
      {"choose_member", [=](auto& c, auto n) { return ChooseMemberScreen(c, names, n); }, {"err_option"}},
      {"enter_pin", [](auto& c, auto n) { return EnterPinScreen(c, kLongName, kLongGroup, n); }, kPinNotes},
      {"create_pin", [](auto& c, auto n) { return CreatePinScreen(c, kLongName, false, n); }, kNewPinNotes},
      {"create_pin_after_reset", [](auto& c, auto n) { return CreatePinScreen(c, kLongName, true, n); },
       kNewPinNotes},
      {"repeat_pin", [](auto& c, auto n) { return RepeatPinScreen(c, n); }, {}},
      {"main_menu_manager", [](auto& c, auto n) { return MainMenuScreen(c, true, n); },
       {"err_option", "save_cancelled", "language_set", "loan_request_cancelled",
        "repay_cancelled"}},
      {"balance", [=](auto& c, auto) { return BalanceScreen(c, b); }, {}},
      {"balance_with_loan",
       [=](auto& c, auto) {
         Balances with_loan = b;
         with_loan.loan_outstanding = kLoanOwed;
         return BalanceScreen(c, with_loan, WorstView(c, LoanState::kInArrears).status.next_due);
       },
       {}},
      {"save_amount", [](auto& c, auto n) { return SaveAmountScreen(c, n); }, {"err_amount", "err_amount_max"}},
      {"save_confirm", [](auto& c, auto n) { return SaveConfirmScreen(c, kMaxAction, n); }, {"err_option"}},
      {"resume_save", [](auto& c, auto n) { return ResumeSaveScreen(c, kMaxAction, n); }, {"err_option"}},
      {"saved", [](auto& c, auto) { return SavedScreen(c, kMaxAction, "WXYZ23"); }, {}},
      {"statement", [=](auto& c, auto n) { return StatementScreen(c, lines, 98, true, n); }, {"err_option"}},
      {"group", [=](auto& c, auto) { return GroupScreen(c, g); }, {}},
      {"settings", [](auto& c, auto n) { return SettingsScreen(c, n); }, {"err_option"}},
      {"language", [](auto& c, auto n) { return LanguageScreen(c, n); }, {"err_option"}},
      {"current_pin", [](auto& c, auto n) { return CurrentPinScreen(c, n); }, kPinNotes},
      {"new_pin", [](auto& c, auto n) { return NewPinScreen(c, n); }, kNewPinNotes},
      {"pin_changed", [](auto& c, auto) { return PinChangedScreen(c); }, {}},
      {"tasks", [](auto& c, auto n) { return TasksScreen(c, TaskCounts{999, true, 999, 999}, n); },
       {"err_option"}},
      {"pending_savings", [=](auto& c, auto n) { return PendingSavingsScreen(c, pending, 98, true, n); },
       {"err_option", "saving_already", "err_own_saving", "saving_confirmed", "saving_rejected"}},
      {"decide_saving", [=](auto& c, auto n) { return DecideSavingScreen(c, worst, n); }, {"err_option"}},
      {"loan_unavailable", [](auto& c, auto) { return LoanUnavailableScreen(c); }, {}},
      {"loan_amount",
       [](auto& c, auto n) { return LoanAmountScreen(c, kMaxAction, kMaxAction, n); },
       {"err_amount", "loan_err_amount_max", "loan_err_amount_min"}},
      {"loan_purpose_page1",
       [](auto& c, auto n) { return LoanPurposeScreen(c, kPurposes, 0, n); }, {"err_option"}},
      {"loan_purpose_page2",
       [](auto& c, auto n) { return LoanPurposeScreen(c, kPurposes, 1, n); }, {"err_option"}},
      {"loan_term",
       [](auto& c, auto n) {
         return LoanTermScreen(c, {1, 2, 3, 6, 9, 12, 18, 24, 60}, n);
       },
       {"err_option"}},
      {"loan_confirm",
       [](auto& c, auto n) {
         return LoanConfirmScreen(c, kMaxAction, LongestPurpose(c), 60, kLongPartner, n);
       },
       {"err_option"}},
      {"loan_term_quotes_page1",
       [](auto& c, auto n) { return LoanTermScreen(c, WorstQuotes(c), 0, n); }, {"err_option"}},
      {"loan_term_quotes_page2",
       [](auto& c, auto n) { return LoanTermScreen(c, WorstQuotes(c), 1, n); }, {"err_option"}},
      {"loan_term_quotes_page3",
       [](auto& c, auto n) { return LoanTermScreen(c, WorstQuotes(c), 2, n); }, {"err_option"}},
      {"loan_quote_flat",
       [](auto& c, auto n) {
         return LoanConfirmScreen(c, WorstQuote(c, 60, InterestRule::kFlat), n);
       },
       {"err_option"}},
      {"loan_quote_declining",
       [](auto& c, auto n) {
         return LoanConfirmScreen(c, WorstQuote(c, 60, InterestRule::kDeclining), n);
       },
       {"err_option"}},
      {"loan_consent",
       [](auto& c, auto n) {
         return LoanConsentScreen(c, kMaxAction, LongestPurpose(c), kLongPartner, n);
       },
       {"err_option"}},
      {"loan_requested", [](auto& c, auto) { return LoanRequestedScreen(c, kMaxAction, "WXYZ23"); },
       {}},
      {"resume_loan", [](auto& c, auto n) { return ResumeLoanScreen(c, kMaxAction, n); },
       {"err_option"}},
      {"no_loan", [](auto& c, auto) { return NoLoanScreen(c); }, {}},
      {"repay_amount", [](auto& c, auto n) { return RepayAmountScreen(c, kLoanOwed, n); },
       {"err_amount", "loan_err_repay_max"}},
      {"repay_confirm",
       [](auto& c, auto n) { return RepayConfirmScreen(c, kLoanOwed, "WXYZ23", n); },
       {"err_option"}},
      {"repay_logged", [](auto& c, auto) { return RepaymentLoggedScreen(c, kLoanOwed, "WXYZ23"); },
       {}},
      {"loan_cancel_confirm",
       [](auto& c, auto n) {
         return CancelLoanConfirmScreen(c, WorstLoan(c, LoanState::kRequested), n);
       },
       {"err_option"}},
      {"loan_cancelled", [](auto& c, auto) { return LoanCancelledScreen(c, "WXYZ23"); }, {}},
      {"loan_not_repaying", [](auto& c, auto) { return LoanNotRepayingScreen(c); }, {}},
      {"pending_loans",
       [](auto& c, auto n) {
         std::vector<Loan> items(kTasksPerPage, WorstLoan(c, LoanState::kRequested));
         return PendingLoansScreen(c, items, 98, true, n);
       },
       {"err_option", "saving_already", "err_own_loan", "loan_approved_note",
        "loan_declined_note"}},
      {"decide_loan",
       [](auto& c, auto n) { return DecideLoanScreen(c, WorstLoan(c, LoanState::kRequested), n); },
       {"err_option"}},
      {"pending_repayments",
       [](auto& c, auto n) {
         // Pending repayments are typed in whole units, one money action at most.
         Repayment r;
         r.member_name = kLongName;
         r.amount = kMaxAction;
         std::vector<Repayment> items(kTasksPerPage, r);
         return PendingRepaymentsScreen(c, items, 98, true, n);
       },
       {"err_option", "saving_already", "err_own_saving", "saving_confirmed", "saving_rejected"}},
      {"decide_repayment",
       [](auto& c, auto n) {
         Repayment r;
         r.member_name = kLongName;
         r.amount = kMaxAction;
         r.reference = "WXYZ23";
         r.loan_reference = "ABCDEF";
         r.created_at = 1'798'675'200;
         return DecideRepaymentScreen(c, r, n);
       },
       {"err_option"}},
      {"goodbye", [](auto& c, auto) { return GoodbyeScreen(c); }, {}},
      {"technical_error", [](auto& c, auto) { return TechnicalErrorScreen(c); }, {}},
  };
}

TEST(ScreensTest, EveryScreenOfEveryLanguageFitsWithWorstCaseData) {
  Catalogue catalogue = LoadShipped();
  int rendered = 0;
  for (const auto& lang : kLanguages) {
    for (const char* currency : {"KES", "UGX"}) {
      ScreenContext c{&catalogue, lang, *FindCurrency(currency)};
      kMaxAction = ToMinor(1'000'000, c.currency);
      kLoanOwed = 2 * kMaxAction - 1;
      for (const Case& sc : AllScreens()) {
        std::vector<std::string> notes = {""};
        for (const char* key : sc.notes) notes.push_back(Note(c, key));
        for (const auto& note : notes) {
          UssdReply r = sc.render(c, note);
          ++rendered;
          EXPECT_TRUE(ScreenFits(r.text))
              << lang << "/" << sc.name << " is " << MeasureSms(r.text).units << " units:\n" << r.text;
          EXPECT_TRUE(IsGsm7(r.text)) << lang << "/" << sc.name << " needs UCS-2:\n" << r.text;
          EXPECT_EQ(r.text.find('['), std::string::npos) << lang << "/" << sc.name << " misses a key:\n" << r.text;
          EXPECT_EQ(r.text.find('{'), std::string::npos) << lang << "/" << sc.name << " unfilled:\n" << r.text;
        }
      }
    }
  }
  EXPECT_GT(rendered, 100);
}

// Each loan screen that depends on the loan's state or the refusal, for
// every state and reason, in every language.
TEST(ScreensTest, EveryLoanStateAndRefusalFitsInEveryLanguage) {
  Catalogue catalogue = LoadShipped();
  LoanPolicy policy;
  policy.min_months = 120;
  policy.min_confirmed_savings = 1000;
  int rendered = 0;
  int changed = 0;
  for (const auto& lang : kLanguages) {
    for (const char* currency : {"KES", "UGX"}) {
      ScreenContext c{&catalogue, lang, *FindCurrency(currency)};
      kMaxAction = ToMinor(1'000'000, c.currency);
      kLoanOwed = 2 * kMaxAction - 1;
      std::vector<std::pair<std::string, UssdReply>> screens;
      for (LoanState s : kAllStates) {
        const std::string name = std::string("my_loan/") + LoanStateName(s);
        screens.push_back({name, MyLoanScreen(c, WorstView(c, s), "")});
        screens.push_back(
            {name + "+note", MyLoanScreen(c, WorstView(c, s), Note(c, "err_option"))});
        screens.push_back(
            {std::string("too_late/") + LoanStateName(s), LoanCancelTooLateScreen(c, s)});
      }
      for (const char* r : kRefusals) {
        screens.push_back({std::string("refused/") + r, LoanRefusedScreen(c, r, policy)});
      }
      // Approved on other terms: every term, the dearest rates.
      for (int months = 1; months <= kMaxLoanTermMonths; ++months) {
        for (int64_t bp : {int64_t{0}, int64_t{9999}, kMaxLoanRateBp}) {
          for (InterestRule rule : {InterestRule::kFlat, InterestRule::kDeclining}) {
            const std::string name = "my_loan/changed/" + std::to_string(months) + "/" +
                                     std::to_string(bp) + "/" + InterestRuleName(rule);
            screens.push_back({name, MyLoanScreen(c, ChangedView(c, months, bp, rule), "")});
            screens.push_back({name + "+note", MyLoanScreen(c, ChangedView(c, months, bp, rule),
                                                            Note(c, "err_option"))});
            changed += 2;
          }
        }
      }
      for (const auto& [name, r] : screens) {
        ++rendered;
        SCOPED_TRACE(lang + "/" + currency + "/" + name + ":\n" + r.text);
        EXPECT_TRUE(ScreenFits(r.text)) << MeasureSms(r.text).units << " units";
        EXPECT_TRUE(IsGsm7(r.text));
        EXPECT_EQ(r.text.find('['), std::string::npos) << "misses a key";
        EXPECT_EQ(r.text.find('{'), std::string::npos) << "unfilled";
      }
    }
  }
  EXPECT_EQ(rendered, 2 * 2 * (11 * 3 + 14) + changed);
  EXPECT_EQ(changed, 2 * 2 * 60 * 3 * 2 * 2);
}

TEST(ScreensTest, LoanWordsComeFromTheCatalogue) {
  Catalogue catalogue = LoadShipped();
  ScreenContext en{&catalogue, "en", Currency{"KES", 2}};
  ScreenContext sw{&catalogue, "sw", Currency{"KES", 2}};
  for (const std::string& p : kPurposes) {
    EXPECT_NE(catalogue.Template("en", "purpose_" + p).front(), '[') << p;
    EXPECT_NE(PurposeLabel(en, p), PurposeLabel(sw, p)) << p << " is not translated";
  }
  EXPECT_EQ(PurposeLabel(en, "bakery"), "Bakery");
  EXPECT_EQ(PurposeLabel(sw, "bakery"), "Uokaji mikate");
  EXPECT_EQ(PurposeLabel(en, "goat_trading"), "goat trading") << "an unlabelled id stays readable";
  EXPECT_EQ(LoanStateLabel(en, LoanState::kDisbursed), "Paid out, repaying");
  EXPECT_EQ(LoanStateLabel(sw, LoanState::kRepaid), "Limelipwa lote");
  LoanPolicy policy;
  EXPECT_EQ(LoanRefusalText(en, "too_new", policy),
            "You can request a loan after 3 months in the group.");
  EXPECT_EQ(LoanRefusalText(en, "a_reason_from_the_future", policy),
            catalogue.Template("en", "loan_err_other"));
  // Purposes are paged four to a screen, numbered from 1 on each page.
  EXPECT_EQ(LoanPurposeScreen(en, kPurposes, 1, "").text,
            "What is the loan for?\n1. Bicycle repair\n2. Livestock\n3. Retail shop\n"
            "4. Other business\n0. Back");
  EXPECT_EQ(LoanPurposeScreen(en, {"bakery"}, 0, "").text,
            "What is the loan for?\n1. Bakery\n0. Back");
  // The next instalment gives way on the balance screen only when it cannot fit.
  Balances small{"KES", 425000, 0, 4015000, 0, 1090000};
  Instalment next{1, 1'798'675'200, 160000, 15000, 175000};
  EXPECT_NE(BalanceScreen(en, small, next).text.find("\nLoan: KES 10,900 (next 1,750 31/12)"),
            std::string::npos)
      << BalanceScreen(en, small, next).text;
  Balances huge{"KES", kHuge, kHuge, kHuge, kHuge, kHuge};
  EXPECT_NE(BalanceScreen(en, huge, next).text.find("\nLoan: KES 99,999,999.99"),
            std::string::npos);
  EXPECT_TRUE(ScreenFits(BalanceScreen(en, huge, next).text));
}

// The request's cost before consent, with the test programme's product
// (18% a year, declining, 3, 6 or 12 months): the quotes are the
// schedule's own figures (KES 10,000 over 6 months: 5 x 1,756 and 1,751,
// total 10,531; see tests/domain/loan_schedule_test.cc).
TEST(ScreensTest, LoanQuoteScreensShowTheCostBeforeConsent) {
  Catalogue catalogue = LoadShipped();
  ScreenContext en{&catalogue, "en", Currency{"KES", 2}};
  ScreenContext sw{&catalogue, "sw", Currency{"KES", 2}};
  const LoanProgramme programme = TestLoanProgramme();
  const LoanProduct* product = ProductOf(&programme, "imara", "KES");
  ASSERT_NE(product, nullptr);
  EXPECT_EQ(ProductOf(&programme, "imara", "UGX"), nullptr);
  EXPECT_EQ(ProductOf(&programme, "other", "KES"), nullptr);
  EXPECT_EQ(ProductOf(nullptr, "imara", "KES"), nullptr);

  const std::vector<LoanQuote> quotes = TermQuotes(*product, 10'000'00, en.currency);
  ASSERT_EQ(quotes.size(), 3u);
  auto schedule = BuildSchedule(
      LoanTerms{10'000'00, 6, 1800, InterestRule::kDeclining, en.currency, 1'795'737'600});
  ASSERT_TRUE(schedule.ok());
  EXPECT_EQ(quotes[1].instalment, schedule->front().total);
  EXPECT_EQ(quotes[1].last_instalment, schedule->back().total);

  EXPECT_EQ(LoanTermScreen(en, quotes, 0, "").text,
            "Repay over:\n1. 3 months: KES 3,434/month\n2. 6 months: KES 1,756/month\n"
            "3. 12 months: KES 917/month\n0. Back");
  EXPECT_EQ(LoanTermScreen(sw, quotes, 0, "").text,
            "Lipa kwa muda wa:\n1. miezi 3: KES 3,434 kwa mwezi\n2. miezi 6: KES 1,756 kwa mwezi\n"
            "3. miezi 12: KES 917 kwa mwezi\n0. Rudi");
  // More periods than a page: three a screen, numbered from 1 on each.
  LoanProduct four = *product;
  four.terms_months = {3, 6, 9, 12};
  const std::vector<LoanQuote> four_quotes = TermQuotes(four, 10'000'00, en.currency);
  EXPECT_EQ(LoanTermScreen(en, four_quotes, 0, "").text.substr(0, 12), "Repay over:\n");
  EXPECT_NE(LoanTermScreen(en, four_quotes, 0, "").text.find("\n98. More\n0. Back"),
            std::string::npos);
  EXPECT_EQ(LoanTermScreen(en, four_quotes, 1, "Enter a number from the menu.").text,
            "Enter a number from the menu.\n1. 12 months: KES 917/month\n0. Back");
  // A period her amount cannot fill with a whole unit a month is left out.
  LoanProduct tiny = *product;
  tiny.terms_months = {3, 60};
  const std::vector<LoanQuote> tiny_quotes = TermQuotes(tiny, 50'00, en.currency);
  ASSERT_EQ(tiny_quotes.size(), 1u);
  EXPECT_EQ(tiny_quotes[0].term_months, 3);

  EXPECT_EQ(LoanConfirmScreen(en, quotes[1], "").text,
            "KES 10,000 over 6 months\nPay KES 1,756/month, last KES 1,751\n"
            "Total to repay KES 10,531\nInterest 18%/yr, declining\n1. Continue\n2. Cancel\n"
            "0. Back");
  EXPECT_EQ(LoanConfirmScreen(sw, quotes[1], "").text,
            "KES 10,000, miezi 6\nRejesho KES 1,756 kwa mwezi, la mwisho KES 1,751\n"
            "Jumla ya kulipa KES 10,531\nRiba 18% kwa mwaka, inayopungua\n1. Endelea\n"
            "2. Ghairi\n0. Rudi");
  // Level throughout (3 x 3,434): no "last".
  EXPECT_EQ(LoanConfirmScreen(en, quotes[0], "").text,
            "KES 10,000 over 3 months\nPay KES 3,434/month\nTotal to repay KES 10,302\n"
            "Interest 18%/yr, declining\n1. Continue\n2. Cancel\n0. Back");
  // A re-ask keeps everything that fits.
  EXPECT_EQ(LoanConfirmScreen(en, quotes[0], "Enter a number from the menu.").text,
            "Enter a number from the menu.\nKES 10,000 over 3 months\nPay KES 3,434/month\n"
            "Total to repay KES 10,302\nInterest 18%/yr, declining\n1. Continue\n2. Cancel\n"
            "0. Back");
  LoanProduct flat = *product;
  flat.rule = InterestRule::kFlat;
  flat.annual_rate_bp = 1850;
  auto flat_quote = QuoteFor(flat, 10'000'00, 6, sw.currency);
  ASSERT_TRUE(flat_quote.ok());
  EXPECT_NE(LoanConfirmScreen(sw, *flat_quote, "").text.find(
                "\nRiba 18.5% kwa mwaka, isiyopungua\n"),
            std::string::npos);
  EXPECT_EQ(LoanConsentScreen(en, 10'000'00, "bakery", "Imara Microfinance", "").text,
            "Request KES 10,000 for Bakery?\n1. Confirm, share my record with Imara "
            "Microfinance\n2. Cancel\n0. Back");
  EXPECT_EQ(LoanConsentScreen(sw, 10'000'00, "bakery", "Imara Microfinance", "").text,
            "Omba mkopo KES 10,000 kwa Uokaji mikate?\n1. Kubali, Imara Microfinance aone taarifa "
            "zangu\n2. Ghairi\n0. Rudi");
  // A long partner name is cut as shown, without a dangling space.
  EXPECT_NE(LoanConsentScreen(sw, 10'000'00, "bakery", "Jamii Bora Microfinance Bank", "")
                .text.find("Kubali, Jamii Bora Microfinance aone"),
            std::string::npos);
}

TEST(ScreensTest, RatesInPercentWithoutTrailingZeros) {
  Catalogue catalogue = LoadShipped();
  ScreenContext en{&catalogue, "en", Currency{"KES", 2}};
  const std::pair<int64_t, const char*> cases[] = {
      {0, "0"},        {5, "0.05"},    {50, "0.5"},   {1800, "18"},
      {1850, "18.5"},  {1825, "18.25"}, {9999, "99.99"}, {10000, "100"}};
  for (const auto& [bp, want] : cases) EXPECT_EQ(PercentText(bp), want) << bp;
  EXPECT_EQ(RateText(en, 1850, InterestRule::kFlat), "Interest 18.5%/yr, flat");
  EXPECT_EQ(RateText(en, 1800, InterestRule::kDeclining), "Interest 18%/yr, declining");
}

// The lender approved less over longer: My loan says what she will pay and
// what she asked; on her own terms nothing more is shown.
TEST(ScreensTest, MyLoanSaysWhatTheLenderChanged) {
  Catalogue catalogue = LoadShipped();
  ScreenContext en{&catalogue, "en", Currency{"KES", 2}};
  ScreenContext sw{&catalogue, "sw", Currency{"KES", 2}};
  LoanView v;
  v.loan.reference = "K7P2QX";
  v.loan.state = LoanState::kApproved;
  v.loan.amount = 10'000'00;
  v.loan.term_months = 6;
  v.loan.approved_amount = 10'000'00;
  v.loan.approved_term_months = 6;
  v.loan.rule = InterestRule::kDeclining;
  v.loan.annual_rate_bp = 1800;
  const UssdReply same = MyLoanScreen(en, v, "");
  EXPECT_EQ(same.text, "Loan KES 10,000 Ref K7P2QX\nApproved, waiting for payout");
  EXPECT_TRUE(same.end);
  // KES 8,000 over 12 months at 18% declining: 11 x 734 and a last of 727.
  v.loan.approved_amount = 8'000'00;
  v.loan.approved_term_months = 12;
  EXPECT_EQ(MyLoanScreen(en, v, "").text,
            "Loan KES 8,000 Ref K7P2QX\nApproved, waiting for payout\n"
            "12 months: KES 734/month, total KES 8,801\nYou asked KES 10,000, 6 months");
  EXPECT_EQ(MyLoanScreen(sw, v, "").text,
            "Mkopo KES 8,000 Kumb K7P2QX\nLimeidhinishwa, linasubiri malipo\n"
            "miezi 12: KES 734 kwa mwezi, jumla KES 8,801\nUliomba KES 10,000, miezi 6");
  // Only the term changed.
  v.loan.approved_amount = 10'000'00;
  EXPECT_NE(MyLoanScreen(en, v, "").text.find("\n12 months: KES 917/month, total KES 11,002\n"
                                              "You asked KES 10,000, 6 months"),
            std::string::npos);
  // Once paid out the schedule speaks for itself.
  v.loan.state = LoanState::kDisbursed;
  EXPECT_EQ(MyLoanScreen(en, v, "").text.find("You asked"), std::string::npos);
}

TEST(ScreensTest, EveryLanguageHasEveryKey) {
  Catalogue catalogue = LoadShipped();
  for (const auto& lang : kLanguages) {
    EXPECT_TRUE(catalogue.MissingKeys(lang).empty())
        << lang << " misses " << ::testing::PrintToString(catalogue.MissingKeys(lang));
  }
}

TEST(ScreensTest, FitScreenCutsOverlongScreensOnCodePointBoundaries) {
  UssdReply r = Con(std::string(150, 'a') + std::string(20, 'b'));
  EXPECT_FALSE(FitScreen(&r));
  EXPECT_EQ(ScreenLength(r.text), kMaxScreenChars);
  UssdReply utf = Con(std::string(159, 'a') + "\xC3\xA9\xC3\xA9");  // é é
  EXPECT_FALSE(FitScreen(&utf));
  EXPECT_EQ(utf.text, std::string(159, 'a') + "\xC3\xA9");
  UssdReply ok = Con("short");
  EXPECT_TRUE(FitScreen(&ok));
  // Extension characters cost two septets: 80 of them fill a screen.
  UssdReply ext = Con(std::string(81, '['));
  EXPECT_FALSE(FitScreen(&ext));
  EXPECT_EQ(ext.text, std::string(80, '['));
  // A UCS-2 screen holds 80 units (here Devanagari, 3 bytes each).
  std::string hindi;
  for (int i = 0; i < 90; ++i) hindi += "\xE0\xA4\x95";  // क
  UssdReply ucs2 = Con(hindi);
  EXPECT_FALSE(FitScreen(&ucs2));
  EXPECT_EQ(ScreenLength(ucs2.text), kMaxUcs2ScreenUnits);
  EXPECT_TRUE(ScreenFits(std::string(160, 'a')));
  EXPECT_FALSE(ScreenFits(std::string(161, 'a')));
}

TEST(ScreensTest, ShortNameAndDate) {
  EXPECT_EQ(ShortName("Amina Wekesa"), "Amina");
  EXPECT_EQ(ShortName("  Joy"), "Joy");
  EXPECT_EQ(ShortName("Nyambura-Wanjiku-Mwikali"), "Nyambura-Wanjiku");
  EXPECT_EQ(ShortDate(0), "01/01");
  EXPECT_EQ(ShortDate(1'795'737'600), "27/11");  // 2026-11-27
}

TEST(ScreensTest, MainMenuShowsGroupTasksOnlyToManagers) {
  Catalogue catalogue = LoadShipped();
  ScreenContext c{&catalogue, "en", Currency{"KES", 2}};
  EXPECT_EQ(MainMenuScreen(c, false, "").text,
            "1. My balance\n2. Save\n3. Request loan\n4. My loan\n5. Statement\n6. My group\n"
            "7. Settings\n0. Exit");
  EXPECT_NE(MainMenuScreen(c, true, "").text.find("8. Group tasks"), std::string::npos);
}

TEST(FormatTest, FillsKnownFieldsAndKeepsUnknown) {
  EXPECT_EQ(Format("Hi {name}, {x} {name}", {{"name", "Amina"}}), "Hi Amina, {x} Amina");
  EXPECT_EQ(Format("{", {}), "{");
}

}  // namespace
}  // namespace shg::dialogs
