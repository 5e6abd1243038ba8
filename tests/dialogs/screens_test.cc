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
       {"err_option", "save_cancelled", "language_set"}},
      {"balance", [=](auto& c, auto) { return BalanceScreen(c, b); }, {}},
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
      {"tasks", [](auto& c, auto n) { return TasksScreen(c, 999, n); }, {"err_option"}},
      {"pending_savings", [=](auto& c, auto n) { return PendingSavingsScreen(c, pending, 98, true, n); },
       {"err_option", "saving_already", "err_own_saving", "saving_confirmed", "saving_rejected"}},
      {"decide_saving", [=](auto& c, auto n) { return DecideSavingScreen(c, worst, n); }, {"err_option"}},
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
            "1. My balance\n2. Save\n5. Statement\n6. My group\n7. Settings\n0. Exit");
  EXPECT_NE(MainMenuScreen(c, true, "").text.find("8. Group tasks"), std::string::npos);
}

TEST(FormatTest, FillsKnownFieldsAndKeepsUnknown) {
  EXPECT_EQ(Format("Hi {name}, {x} {name}", {{"name", "Amina"}}), "Hi Amina, {x} Amina");
  EXPECT_EQ(Format("{", {}), "{");
}

}  // namespace
}  // namespace shg::dialogs
