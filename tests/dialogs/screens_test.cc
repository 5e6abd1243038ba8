// Every screen of every shipped language, rendered with worst-case data
// (longest names, largest amounts, fullest lists and a reason line), must fit
// the 160-character USSD limit without being cut.
#include "dialogs/screens.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>

#include "config/settings.h"
#include "dialogs/engine.h"
#include "dialogs/gsm.h"
#include "domain/money.h"
#include "tests/dialogs/loan_programme.h"

namespace shg::dialogs {
namespace {

// Every catalogue file shipped (config/lang/*.toml), English first (the
// fallback), so an added language is checked without editing this test.
std::vector<std::string> ShippedLanguages() {
  std::vector<std::string> codes;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(SHG_SOURCE_DIR) + "/config/lang")) {
    if (e.path().extension() == ".toml") codes.push_back(e.path().stem().string());
  }
  std::sort(codes.begin(), codes.end(), [](const std::string& a, const std::string& b) {
    return (a != "en") < (b != "en") || ((a != "en") == (b != "en") && a < b);
  });
  return codes;
}
const std::vector<std::string> kLanguages = ShippedLanguages();

Catalogue LoadShipped() {
  auto c = Catalogue::Load(std::string(SHG_SOURCE_DIR) + "/config/lang", kLanguages);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(*c);
}

TEST(ScreensTest, LanguagesAreTheShippedCatalogueFiles) {
  ASSERT_GE(kLanguages.size(), 2u);
  EXPECT_EQ(kLanguages.front(), "en");
  EXPECT_NE(std::find(kLanguages.begin(), kLanguages.end(), "sw"), kLanguages.end());
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

// The largest amount of one money action: the highest limit the config
// accepts (config::kMaxAmountUnitsCap whole units), in the currency of the
// screen.
int64_t kMaxAction = 0;
// The officer looking at the task lists, whose own items are marked.
constexpr int64_t kViewer = 4242;
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
  l.member_id = kViewer;
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

// A note as the engine fills it, with worst-case values (`n` is the count of
// a plural: both forms are rendered).
std::string Note(const ScreenContext& c, const char* key, std::string_view n = "2") {
  return Format(c.T(key), {{"n", n},
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
  g.group.meeting_day = "Wednesday";  // longest in English; translated on screen
  g.group.meeting_place = "Kibera Olympic primary school social hall";
  g.members = 40;
  g.group_savings = kHuge;
  g.loans_out = 40;
  // The largest saving with the longest status word on every line, and a
  // balance of the largest savings (a reversal's minus sign comes with the
  // short "ok": see the statement_reversals case).
  std::vector<StatementLine> lines(
      kStatementPerPage, StatementLine{1'790'000'000, "saving", kMaxAction,
                                       SavingStatus::kRejected, "WXYZ23", kHuge});
  std::vector<StatementLine> reversals(
      kStatementPerPage, StatementLine{1'790'000'000, "reversal", -kMaxAction,
                                       SavingStatus::kConfirmed, "WXYZ23", kHuge});
  Saving worst = WorstSaving();
  worst.amount = kMaxAction;
  worst.member_id = kViewer;
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
      {"saved_with_savings",
       [](auto& c, auto) { return SavedScreen(c, kMaxAction, "WXYZ23", kHuge); }, {}},
      {"statement", [=](auto& c, auto n) { return StatementScreen(c, lines, 98, true, n); }, {"err_option"}},
      {"statement_reversals",
       [=](auto& c, auto n) { return StatementScreen(c, reversals, 98, true, n); }, {"err_option"}},
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
      {"pending_savings_all_hers",
       [=](auto& c, auto n) { return PendingSavingsScreen(c, pending, 98, true, n, kViewer); },
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
      {"repay_already_reported",
       [](auto& c, auto) { return RepaymentAlreadyReportedScreen(c, kLoanOwed, "WXYZ23"); }, {}},
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
      {"pending_loans_all_hers",
       [](auto& c, auto n) {
         std::vector<Loan> items(kTasksPerPage, WorstLoan(c, LoanState::kRequested));
         return PendingLoansScreen(c, items, 98, true, n, kViewer);
       },
       {"err_option", "saving_already", "err_own_loan", "loan_approved_note",
        "loan_declined_note"}},
      {"decide_loan",
       [](auto& c, auto n) { return DecideLoanScreen(c, WorstLoan(c, LoanState::kRequested), n); },
       {"err_option"}},
      {"decide_loan_with_member",
       [](auto& c, auto n) {
         return DecideLoanScreen(c, WorstLoan(c, LoanState::kRequested), kHuge, false, n);
       },
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
      {"pending_repayments_all_hers",
       [](auto& c, auto n) {
         Repayment r;
         r.member_id = kViewer;
         r.member_name = kLongName;
         r.amount = kMaxAction;
         std::vector<Repayment> items(kTasksPerPage, r);
         return PendingRepaymentsScreen(c, items, 98, true, n, kViewer);
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
      {"decide_repayment_reported",
       [](auto& c, auto n) {
         Repayment r;
         r.member_name = kLongName;
         r.amount = kMaxAction;
         r.reference = "WXYZ23";
         r.loan_reference = "ABCDEF";
         r.created_at = 1'798'675'200;
         PartnerReport report;
         report.amount = kMaxAction;
         report.paid_at = 1'800'000'000;  // a September date (the longest month names)
         r.partner_reported = {report, report};
         return DecideRepaymentScreen(c, r, n);
       },
       {"err_option"}},
      {"goodbye", [](auto& c, auto) { return GoodbyeScreen(c); }, {}},
      {"technical_error", [](auto& c, auto) { return TechnicalErrorScreen(c); }, {}},
  };
}

// Renders every screen of every language and currency with the largest
// money action `cap_units` whole units; returns how many did not fit (each
// reported when `report`), and checks the other properties on the way.
int RenderEveryScreen(int64_t cap_units, bool report, int* rendered) {
  Catalogue catalogue = LoadShipped();
  int overflows = 0;
  for (const auto& lang : kLanguages) {
    for (const char* currency : {"KES", "UGX"}) {
      ScreenContext c{&catalogue, lang, *FindCurrency(currency)};
      kMaxAction = ToMinor(cap_units, c.currency);
      kLoanOwed = 2 * kMaxAction - 1;
      for (const Case& sc : AllScreens()) {
        std::vector<std::string> notes = {""};
        for (const char* key : sc.notes) {
          notes.push_back(Note(c, key));
          notes.push_back(Note(c, key, "1"));
        }
        for (const auto& note : notes) {
          UssdReply r = sc.render(c, note);
          ++*rendered;
          if (!ScreenFits(r.text)) {
            ++overflows;
            if (report) {
              ADD_FAILURE() << lang << "/" << sc.name << " is " << MeasureSms(r.text).units
                            << " units:\n" << r.text;
            }
          }
          EXPECT_TRUE(IsGsm7(r.text)) << lang << "/" << sc.name << " needs UCS-2:\n" << r.text;
          EXPECT_EQ(r.text.find('['), std::string::npos) << lang << "/" << sc.name << " misses a key:\n" << r.text;
          EXPECT_EQ(r.text.find('{'), std::string::npos) << lang << "/" << sc.name << " unfilled:\n" << r.text;
        }
      }
    }
  }
  return overflows;
}

TEST(ScreensTest, EveryScreenOfEveryLanguageFitsWithWorstCaseData) {
  int rendered = 0;
  EXPECT_EQ(RenderEveryScreen(config::kMaxAmountUnitsCap, /*report=*/true, &rendered), 0);
  EXPECT_GT(rendered, 100);
}

// The amount cap of the config is the largest power of ten every screen
// fits: ten times it overflows some screen.
TEST(ScreensTest, TheAmountCapIsTheLargestThatFits) {
  int rendered = 0;
  EXPECT_GT(RenderEveryScreen(10 * config::kMaxAmountUnitsCap, /*report=*/false, &rendered), 0);
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
      kMaxAction = ToMinor(config::kMaxAmountUnitsCap, c.currency);
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
  EXPECT_EQ(rendered, static_cast<int>(kLanguages.size()) * 2 * (11 * 3 + 14) + changed);
  EXPECT_EQ(changed, static_cast<int>(kLanguages.size()) * 2 * 60 * 3 * 2 * 2);
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
  // Purposes are paged four to a screen, numbered on: page p starts at
  // p * kPurposesPerPage + 1.
  EXPECT_EQ(LoanPurposeScreen(en, kPurposes, 0, "").text,
            "What is the loan for?\n1. Vegetable farming\n2. Bakery\n3. Tailoring\n"
            "4. Beauty salon\n98. More\n0. Back");
  EXPECT_EQ(LoanPurposeScreen(en, kPurposes, 1, "").text,
            "What is the loan for?\n5. Bicycle repair\n6. Livestock\n7. Retail shop\n"
            "8. Other business\n0. Back");
  EXPECT_EQ(LoanPurposeScreen(sw, kPurposes, 1, "x").text.rfind("x\n5. Ukarabati wa baiskeli\n", 0),
            0u);
  for (size_t i = 0; i < kPurposes.size(); ++i) {
    const int page = static_cast<int>(i) / kPurposesPerPage;
    EXPECT_NE(LoanPurposeScreen(en, kPurposes, page, "")
                  .text.find("\n" + std::to_string(PurposeNumber(i)) + ". " +
                             PurposeLabel(en, kPurposes[i]) + "\n"),
              std::string::npos)
        << i;
    EXPECT_EQ(PurposeNumber(i),
              page * kPurposesPerPage + 1 + static_cast<int>(i) % kPurposesPerPage);
  }
  EXPECT_EQ(LoanPurposeScreen(en, {"bakery"}, 0, "").text,
            "What is the loan for?\n1. Bakery\n0. Back");
  // The next instalment gives way on the balance screen only when it cannot fit.
  Balances small{"KES", 425000, 0, 4015000, 0, 1090000};
  Instalment next{1, 1'798'675'200, 160000, 15000, 175000};
  EXPECT_NE(BalanceScreen(en, small, next).text.find("\nLoan: KES 10,900 (next 1,750 31 Dec)"),
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

TEST(FormatTest, ChoosesPluralFormsByCount) {
  struct Case {
    const char* tmpl;
    const char* n;
    const char* want;
  };
  const Case kCases[] = {
      {"{n} {n|try|tries} left", "1", "1 try left"},
      {"{n} {n|try|tries} left", "2", "2 tries left"},
      {"{n} {n|try|tries} left", "0", "0 tries left"},
      {"{n} {n|try|tries} left", "11", "11 tries left"},
      {"{n|Jaribio|Majaribio} {n} {n|limebaki|yamebaki}", "1", "Jaribio 1 limebaki"},
      {"{n|Jaribio|Majaribio} {n} {n|limebaki|yamebaki}", "2", "Majaribio 2 yamebaki"},
      {"{n||s}", "1", ""},
      {"{n||s}", "3", "s"},
      // Defects stay visible: unknown field, one form, three forms.
      {"{m|a|b}", "1", "{m|a|b}"},
      {"{n|a}", "1", "{n|a}"},
      {"{n|a|b|c}", "1", "{n|a|b|c}"},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(Format(c.tmpl, {{"n", c.n}}), c.want) << c.tmpl << " n=" << c.n;
  }
}

// Counts shown in words take their singular at 1, in every language.
TEST(ScreensTest, CountsUseTheLanguagesPluralForms) {
  Catalogue catalogue = LoadShipped();
  struct Case {
    const char* lang;
    const char* key;
    const char* field;
    const char* n;
    const char* want;
  };
  const Case kCases[] = {
      {"en", "wrong_pin", "n", "1", "Wrong PIN. 1 try left."},
      {"en", "wrong_pin", "n", "2", "Wrong PIN. 2 tries left."},
      {"sw", "wrong_pin", "n", "1", "PIN si sahihi. Jaribio 1 limebaki."},
      {"sw", "wrong_pin", "n", "2", "PIN si sahihi. Majaribio 2 yamebaki."},
      {"en", "loan_term_option", "n", "1", "1 month"},
      {"en", "loan_term_option", "n", "6", "6 months"},
      {"sw", "loan_term_option", "n", "1", "mwezi 1"},
      {"sw", "loan_term_option", "n", "6", "miezi 6"},
      {"en", "loan_err_too_new", "months", "1",
       "You can request a loan after 1 month in the group."},
      {"sw", "loan_err_too_new", "months", "3",
       "Utaweza kuomba mkopo baada ya miezi 3 kwenye kikundi."},
      {"en", "loan_err_too_few_savings", "count", "1",
       "You can request a loan after 1 confirmed saving. Keep saving!"},
      {"sw", "loan_err_too_few_savings", "count", "6",
       "Utaweza kuomba mkopo baada ya akiba 6 zilizothibitishwa. Endelea kuweka akiba!"},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(Format(catalogue.Template(c.lang, c.key), {{c.field, c.n}}), c.want)
        << c.lang << "/" << c.key << " " << c.n;
  }
  // Every plural selector of every template is well formed: with all its
  // count fields filled, none is left.
  for (const auto& lang : kLanguages) {
    for (const std::string& key : catalogue.Keys()) {
      const std::string text = Format(catalogue.Template(lang, key),
                                      {{"n", "1"}, {"months", "1"}, {"count", "1"}});
      EXPECT_EQ(text.find('|'), std::string::npos) << lang << "/" << key << ": " << text;
    }
  }
}

TEST(ScreensTest, WeekdaysAndMonthsAreTranslated) {
  Catalogue catalogue = LoadShipped();
  ScreenContext en{&catalogue, "en", Currency{"KES", 2}};
  ScreenContext sw{&catalogue, "sw", Currency{"KES", 2}};
  const char* const kSwDays[] = {"Jumatatu", "Jumanne", "Jumatano", "Alhamisi",
                                 "Ijumaa",   "Jumamosi", "Jumapili"};
  const char* const kEnDays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                 "Friday", "Saturday", "Sunday"};
  for (int d = 1; d <= 7; ++d) {
    EXPECT_EQ(WeekdayName(sw, d), kSwDays[d - 1]);
    EXPECT_EQ(ParseWeekday(kEnDays[d - 1]), d);
    EXPECT_EQ(MeetingDayText(sw, kEnDays[d - 1]), kSwDays[d - 1]);
    EXPECT_EQ(MeetingDayText(en, kEnDays[d - 1]), kEnDays[d - 1]);
  }
  EXPECT_EQ(WeekdayName(sw, 0), "");
  EXPECT_EQ(ParseWeekday("TUE"), 2);
  EXPECT_EQ(ParseWeekday("tues"), 0);
  EXPECT_EQ(MeetingDayText(sw, "tuesday, 2 pm"), "Jumanne, 2 pm");
  EXPECT_EQ(MeetingDayText(sw, "Every 2nd Friday"), "Every 2nd Friday") << "free text as stored";
  EXPECT_EQ(MeetingDayText(sw, ""), "");
  const char* const kSwMonths[] = {"Januari", "Februari", "Machi",    "Aprili",
                                   "Mei",     "Juni",     "Julai",    "Agosti",
                                   "Septemba", "Oktoba",  "Novemba",  "Desemba"};
  for (int m = 1; m <= 12; ++m) EXPECT_EQ(MonthName(sw, m), kSwMonths[m - 1]);
  EXPECT_EQ(MonthName(en, 13), "");
  // 2026-03-03 and 2026-11-27 (UTC).
  EXPECT_EQ(FullDate(en, 1'772'496'000), "03 Mar 2026");
  EXPECT_EQ(FullDate(sw, 1'772'496'000), "03 Mac 2026");
  EXPECT_EQ(DayMonth(sw, 1'795'737'600), "27 Nov");
  EXPECT_EQ(DayMonth(sw, 1'786'924'800), "17 Ago");  // 2026-08-17
  EXPECT_EQ(LongDayMonth(en, 1'772'496'000), "3 March");
  EXPECT_EQ(LongDayMonth(sw, 1'795'737'600), "27 Novemba");
  // The meeting day on My group.
  GroupSummary g;
  g.group.name = "Upendo Women Group";
  g.group.meeting_day = "Tuesday";
  g.group.meeting_place = "Church hall";
  EXPECT_NE(GroupScreen(sw, g).text.find("\nMkutano: Jumanne, Church hall\n"), std::string::npos)
      << GroupScreen(sw, g).text;
  Saving s = WorstSaving();
  s.created_at = 1'786'924'800;
  EXPECT_NE(DecideSavingScreen(sw, s, "").text.find(" tarehe 17 Ago. "), std::string::npos)
      << DecideSavingScreen(sw, s, "").text;
}

// Balance and My group are information screens: CON, back to the menu.
TEST(ScreensTest, InfoScreensOfferTheMainMenu) {
  Catalogue catalogue = LoadShipped();
  ScreenContext en{&catalogue, "en", Currency{"KES", 2}};
  ScreenContext sw{&catalogue, "sw", Currency{"KES", 2}};
  Balances small{"KES", 425000, 20000, 4015000, 0, 0};
  UssdReply bal = BalanceScreen(en, small);
  EXPECT_FALSE(bal.end);
  EXPECT_EQ(bal.text,
            "Savings: KES 4,250\nPending: KES 200\nGroup fund: KES 40,150\nSocial fund: KES 0\n"
            "Loan: none\n00. Main menu\n0. Back");
  EXPECT_NE(BalanceScreen(sw, small).text.find("\n00. Menyu kuu\n0. Rudi"), std::string::npos);
  GroupSummary g;
  g.group.name = "Upendo Women Group";
  g.group.meeting_day = "Tuesday";
  g.members = 20;
  UssdReply group = GroupScreen(en, g);
  EXPECT_FALSE(group.end);
  EXPECT_EQ(group.text,
            "Upendo Women Group\nMembers: 20\nSavings: KES 0\nLoans out: 0\nMeets: Tuesday\n"
            "00. Main menu\n0. Back");
  // The largest balances: Back gives way, the main menu stays.
  Balances huge{"KES", kHuge, kHuge, kHuge, kHuge, kHuge};
  UssdReply full = BalanceScreen(en, huge);
  EXPECT_TRUE(ScreenFits(full.text)) << full.text;
  EXPECT_FALSE(full.end);
  EXPECT_NE(full.text.find("\n00. Main menu"), std::string::npos) << full.text;
}

TEST(ScreensTest, SavedScreenAndReceiptsTellHerConfirmedSavings) {
  Catalogue catalogue = LoadShipped();
  ScreenContext en{&catalogue, "en", Currency{"KES", 2}};
  ScreenContext sw{&catalogue, "sw", Currency{"KES", 2}};
  EXPECT_EQ(SavedScreen(en, 20000, "K7P2QX", 425000).text,
            "Saved KES 200, pending confirmation. Confirmed savings: KES 4,250. Ref K7P2QX");
  EXPECT_TRUE(SavedScreen(en, 20000, "K7P2QX", 425000).end);
  EXPECT_EQ(SavedScreen(sw, 20000, "K7P2QX", 425000).text,
            "Umeweka KES 200, inasubiri kuthibitishwa. Akiba iliyothibitishwa: KES 4,250. Kumb "
            "K7P2QX");
  for (const auto& lang : kLanguages) {
    for (const char* key : {"sms_saving_logged", "sms_saving_confirmed", "sms_saving_rejected"}) {
      EXPECT_NE(catalogue.Template(lang, key).find("{savings}"), std::string::npos)
          << lang << "/" << key << " must say what her confirmed savings are";
    }
  }
}

TEST(ScreensTest, StatementShowsFullDatesAndHerRunningBalanceWhenItFits) {
  Catalogue catalogue = LoadShipped();
  ScreenContext en{&catalogue, "en", Currency{"KES", 2}};
  ScreenContext sw{&catalogue, "sw", Currency{"KES", 2}};
  // Newest first, as StatementFor returns them.
  const std::vector<StatementLine> lines = {
      {1'795'737'600, "saving", 20000, SavingStatus::kPending, "K7P2QX", 425000},
      {1'795'651'200, "saving", 50000, SavingStatus::kConfirmed, "HJ4M2P", 425000},
      {1'772'496'000, "saving", 1'250'000, SavingStatus::kRejected, "ZZ9W3E", 375000}};
  EXPECT_EQ(StatementScreen(en, lines, 0, true, "").text,
            "Statement (KES) p1\n"
            "27 Nov 2026 200 pending bal 4,250 K7P2QX\n"
            "26 Nov 2026 500 ok bal 4,250 HJ4M2P\n"
            "03 Mar 2026 12,500 rejected bal 3,750 ZZ9W3E\n"
            "98. More\n0. Back");
  // Kiswahili's longer words leave no room here: the same page without
  // balances, never a cut one.
  const UssdReply sw_page = StatementScreen(sw, lines, 0, true, "");
  EXPECT_TRUE(ScreenFits(sw_page.text)) << sw_page.text;
  EXPECT_NE(sw_page.text.find("\n03 Mac 2026 12,500 imekataliwa "), std::string::npos)
      << sw_page.text;
  // Worst case (the largest amounts and longest words at the cap): neither
  // balances nor the year, and it fits.
  const int64_t cap = ToMinor(config::kMaxAmountUnitsCap, en.currency);
  const std::vector<StatementLine> worst(
      kStatementPerPage,
      StatementLine{1'790'000'000, "saving", cap, SavingStatus::kRejected, "WXYZ23", kHuge});
  for (const ScreenContext* c : {&en, &sw}) {
    const UssdReply r = StatementScreen(*c, worst, 98, true, Note(*c, "err_option"));
    EXPECT_TRUE(ScreenFits(r.text)) << r.text;
    EXPECT_EQ(r.text.find("99,999,999.99"), std::string::npos) << "no balances:\n" << r.text;
    EXPECT_NE(r.text.find("\n21/09 100,000,000 "), std::string::npos) << r.text;
  }
  // Medium amounts: the full date stays, the balances give way.
  const std::vector<StatementLine> medium(
      kStatementPerPage,
      StatementLine{1'790'000'000, "saving", 5'000'000'00, SavingStatus::kConfirmed, "WXYZ23",
                    99'000'000'00});
  const UssdReply r = StatementScreen(en, medium, 0, false, "");
  EXPECT_EQ(r.text,
            "Statement (KES) p1\n21 Sep 2026 5,000,000 ok WXYZ23\n21 Sep 2026 5,000,000 ok WXYZ23\n"
            "21 Sep 2026 5,000,000 ok WXYZ23\n0. Back");
}

TEST(ScreensTest, TaskListsMarkTheViewersOwnItems) {
  Catalogue catalogue = LoadShipped();
  ScreenContext en{&catalogue, "en", Currency{"KES", 2}};
  ScreenContext sw{&catalogue, "sw", Currency{"KES", 2}};
  Saving amina;
  amina.member_id = 1;
  amina.member_name = "Amina Wekesa";
  amina.amount = 20000;
  Saving grace = amina;
  grace.member_id = 3;
  grace.member_name = "Grace Achieng";
  grace.amount = 50000;
  const std::vector<Saving> savings = {amina, grace};
  EXPECT_EQ(PendingSavingsScreen(en, savings, 0, false, "", 3).text,
            "Savings to confirm p1\n1. Amina KES 200\n2. Grace KES 500 (yours)\n0. Back");
  EXPECT_NE(PendingSavingsScreen(sw, savings, 0, false, "", 3).text.find("2. Grace KES 500 (yako)"),
            std::string::npos);
  EXPECT_EQ(PendingSavingsScreen(en, savings, 0, false, "", 2).text.find("(yours)"),
            std::string::npos);
  EXPECT_EQ(PendingSavingsScreen(en, savings, 0, false, "").text.find("(yours)"),
            std::string::npos)
      << "the older overload marks nothing";
  Loan loan;
  loan.member_id = 3;
  loan.member_name = "Grace Achieng";
  loan.amount = 1'000'000;
  EXPECT_EQ(PendingLoansScreen(en, {loan}, 0, false, "", 3).text,
            "Loan requests p1\n1. Grace KES 10,000 (yours)\n0. Back");
  Repayment rep;
  rep.member_id = 3;
  rep.member_name = "Grace Achieng";
  rep.amount = 200000;
  EXPECT_EQ(PendingRepaymentsScreen(en, {rep}, 0, false, "", 3).text,
            "Repayments to confirm p1\n1. Grace KES 2,000 (yours)\n0. Back");
  EXPECT_EQ(PendingRepaymentsScreen(en, {rep}, 0, false, "", 1).text,
            "Repayments to confirm p1\n1. Grace KES 2,000\n0. Back");
}

TEST(ScreensTest, DecideLoanShowsHerSavingsAndTraining) {
  Catalogue catalogue = LoadShipped();
  ScreenContext en{&catalogue, "en", Currency{"KES", 2}};
  ScreenContext sw{&catalogue, "sw", Currency{"KES", 2}};
  Loan loan;
  loan.member_name = "Amina Wekesa";
  loan.amount = 1'000'000;
  loan.purpose = "bakery";
  loan.term_months = 6;
  loan.reference = "K7P2QX";
  EXPECT_EQ(DecideLoanScreen(en, loan, 425000, true, "").text,
            "Amina asks KES 10,000 for Bakery, 6 months. Ref K7P2QX\n"
            "Savings KES 4,250, trained\n1. Approve\n2. Decline\n0. Back");
  EXPECT_NE(DecideLoanScreen(en, loan, 0, false, "").text.find("\nSavings KES 0, not trained\n"),
            std::string::npos);
  EXPECT_NE(
      DecideLoanScreen(sw, loan, 425000, false, "").text.find("\nAkiba KES 4,250, hajafunzwa\n"),
      std::string::npos);
  EXPECT_EQ(DecideLoanScreen(en, loan, "").text,
            "Amina asks KES 10,000 for Bakery, 6 months. Ref K7P2QX\n1. Approve\n2. Decline\n"
            "0. Back");
}

}  // namespace
}  // namespace shg::dialogs
