// Every screen of every shipped language, rendered with worst-case data
// (longest names, largest amounts, fullest lists and a reason line), must fit
// the 160-character USSD limit without being cut.
#include "dialogs/screens.h"

#include <gtest/gtest.h>

#include <functional>

#include "dialogs/engine.h"
#include "dialogs/gsm.h"
#include "domain/money.h"

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
  EXPECT_EQ(rendered, 2 * 2 * (11 * 3 + 14));
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
