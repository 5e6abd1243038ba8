// The screens and the BAL reply of the group's own money (issue 11), in every
// shipped language with worst-case data (longest names, largest amounts,
// fullest lists, a reason line), fit their limits without being cut; what
// gives way does so in the documented order; an estimate is called one.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "config/settings.h"
#include "dialogs/gsm.h"
#include "dialogs/screens.h"
#include "domain/money.h"

namespace shg::dialogs {
namespace {

std::vector<std::string> ShippedLanguages() {
  std::vector<std::string> codes;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(SHG_SOURCE_DIR) + "/config/lang")) {
    if (e.path().extension() == ".toml") codes.push_back(e.path().stem().string());
  }
  std::sort(codes.begin(), codes.end());
  return codes;
}

Catalogue LoadShipped() {
  auto c = Catalogue::Load(std::string(SHG_SOURCE_DIR) + "/config/lang", ShippedLanguages());
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(*c);
}

constexpr int64_t kHuge = 9'999'999'999;  // KES 99,999,999.99
const std::string kLongName = "Nyambura-Wanjiku-Mwikali Wambui Kariuki";
const std::string kLongGroup = "Jitegemee Umoja Wanawake Wa Maendeleo Group Kibera";

MemberCycleView WorstView(CycleState state) {
  MemberCycleView v;
  v.cycle.id = 7;
  v.cycle.number = 999;
  v.cycle.state = state;
  v.cycle.starts_at = 1'800'000'000;  // September
  v.cycle.ends_at = 1'800'000'000;
  v.open = state == CycleState::kActive || state == CycleState::kClosing;
  v.savings = kHuge - 1;  // differs from her account: the cycle line is shown
  v.fines_pending = kHuge;
  if (v.open) v.estimate = ShareOutLine{1, kHuge, kHuge, 0, 0, kHuge, 0};
  return v;
}

CycleFigures WorstFigures(CycleState state) {
  CycleFigures f;
  f.cycle = WorstView(state).cycle;
  f.members = 40;
  f.savings = kHuge;
  f.fund_cash = kHuge;
  f.loans_out = kHuge;
  f.social_fund = kHuge;
  return f;
}

GroupSummary WorstGroup() {
  GroupSummary g;
  g.group.name = kLongGroup;
  g.group.meeting_day = "Wednesday";
  g.group.meeting_place = "Kibera Olympic primary school social hall";
  g.members = 40;
  g.group_savings = kHuge;
  return g;
}

// The fine kind whose label is longest in the screen's language.
std::string LongestKind(const ScreenContext& c) {
  std::string best = "late";
  for (const std::string& key : c.catalogue->Keys()) {
    if (key.rfind("fine_kind_", 0) != 0) continue;
    const std::string id = key.substr(10);
    if (ScreenLength(FineKindLabel(c, id)) > ScreenLength(FineKindLabel(c, best))) best = id;
  }
  return best;
}

struct Case {
  const char* name;
  std::function<UssdReply(const ScreenContext&, std::string_view note)> render;
  std::vector<const char*> notes;
};

std::string Note(const ScreenContext& c, const char* key, int64_t max) {
  return Format(c.T(key), {{"currency", c.currency.code},
                           {"max", c.Money(max)},
                           {"amount", c.Money(max)},
                           {"ref", "WXYZ23"},
                           {"name", ShortName(kLongName)}});
}

TEST(CycleScreensTest, EveryScreenOfEveryLanguageFitsWithWorstCaseData) {
  Catalogue catalogue = LoadShipped();
  int rendered = 0;
  for (const std::string& lang : ShippedLanguages()) {
    for (const char* currency : {"KES", "UGX"}) {
      ScreenContext c{&catalogue, lang, *FindCurrency(currency)};
      const int64_t max_action = ToMinor(config::kMaxAmountUnitsCap, c.currency);
      Fine fine;
      fine.member_id = 1;
      fine.member_name = kLongName;
      fine.kind = LongestKind(c);
      fine.amount = max_action;
      fine.reference = "WXYZ23";
      fine.created_at = 1'800'000'000;
      std::vector<Fine> fines(kTasksPerPage, fine);
      Member m;
      m.name = kLongName;
      std::vector<Member> members(kTasksPerPage, m);
      std::vector<FineKindChoice> kinds;
      for (int i = 0; i < static_cast<int>(config::kMaxFineKinds); ++i) {
        kinds.push_back(FineKindChoice{LongestKind(c), max_action});
      }
      Balances b{currency, kHuge, kHuge, kHuge, kHuge, kHuge};
      const std::optional<Instalment> next = Instalment{60, 1'798'675'200, kHuge, 0, kHuge};
      // The notes each list can carry (fine_tasks.cc).
      const std::vector<const char*> kFineNotes = {"err_option", "saving_already", "err_own_fine",
                                                   "fine_confirmed", "fine_waived"};
      const std::vector<const char*> kMemberNotes = {"err_option", "fine_recorded",
                                                     "social_recorded", "member_not_active"};
      const std::vector<Case> cases = {
          {"balance_active",
           [&](auto& c, auto) { return BalanceScreen(c, b, next, WorstView(CycleState::kActive)); },
           {}},
          {"balance_shared_out",
           [&](auto& c, auto) {
             return BalanceScreen(c, b, next, WorstView(CycleState::kSharedOut));
           },
           {}},
          {"balance_planned",
           [&](auto& c, auto) { return BalanceScreen(c, b, next, WorstView(CycleState::kPlanned)); },
           {}},
          {"group_page0",
           [&](auto& c, auto) {
             return GroupScreen(c, WorstGroup(), WorstFigures(CycleState::kActive), 0, kHuge);
           },
           {}},
          {"group_page1_officer",
           [&](auto& c, auto) {
             return GroupScreen(c, WorstGroup(), WorstFigures(CycleState::kClosing), 1, kHuge);
           },
           {}},
          {"group_page1_shared_out",
           [&](auto& c, auto) {
             return GroupScreen(c, WorstGroup(), WorstFigures(CycleState::kSharedOut), 1,
                                std::nullopt);
           },
           {}},
          {"group_page1_planned",
           [&](auto& c, auto) {
             return GroupScreen(c, WorstGroup(), WorstFigures(CycleState::kPlanned), 1,
                                std::nullopt);
           },
           {}},
          {"tasks_page0",
           [](auto& c, auto n) { return TasksScreen(c, TaskCounts{999, true, 999, 999, 999, 999}, 0, n); },
           {"err_option"}},
          {"tasks_page1",
           [](auto& c, auto n) { return TasksScreen(c, TaskCounts{999, true, 999, 999, 999, 999}, 1, n); },
           {"err_option", "fine_kinds_none", "cycle_none", "social_none"}},
          {"pending_fines",
           [&](auto& c, auto n) { return PendingFinesScreen(c, fines, 98, true, n, 0); },
           kFineNotes},
          {"pending_fines_all_hers",
           [&](auto& c, auto n) { return PendingFinesScreen(c, fines, 98, true, n, 1); },
           kFineNotes},
          {"decide_fine", [&](auto& c, auto n) { return DecideFineScreen(c, fine, n); },
           {"err_option"}},
          {"fine_members",
           [&](auto& c, auto n) {
             return MemberPickScreen(c, "fine_member_title", members, true, n);
           },
           kMemberNotes},
          {"social_members",
           [&](auto& c, auto n) {
             return MemberPickScreen(c, "social_member_title", members, true, n);
           },
           kMemberNotes},
          {"fine_kinds_page0",
           [&](auto& c, auto n) { return FineKindScreen(c, kLongName, kinds, 0, n); },
           {"err_option"}},
          {"fine_kinds_page2",
           [&](auto& c, auto n) { return FineKindScreen(c, kLongName, kinds, 2, n); },
           {"err_option"}},
          {"fine_confirm",
           [&](auto& c, auto n) {
             return FineConfirmScreen(c, kLongName, LongestKind(c), max_action, n);
           },
           {"err_option"}},
          {"fine_amount", [](auto& c, auto n) { return FineAmountScreen(c, n); },
           {"err_amount", "err_amount_max"}},
          {"social_confirm",
           [&](auto& c, auto n) { return SocialConfirmScreen(c, kLongName, max_action, n); },
           {"err_option"}},
          {"save_no_cycle", [](auto& c, auto) { return SaveNoCycleScreen(c); }, {}},
      };
      for (const Case& sc : cases) {
        std::vector<std::string> notes = {""};
        for (const char* key : sc.notes) notes.push_back(Note(c, key, max_action));
        for (const std::string& note : notes) {
          const UssdReply r = sc.render(c, note);
          ++rendered;
          SCOPED_TRACE(lang + "/" + currency + "/" + sc.name + ":\n" + r.text);
          EXPECT_TRUE(ScreenFits(r.text)) << MeasureSms(r.text).units << " units";
          EXPECT_TRUE(IsGsm7(r.text));
          EXPECT_EQ(r.text.find('['), std::string::npos) << "missing key";
          EXPECT_EQ(r.text.find('{'), std::string::npos) << "unfilled field";
        }
      }
    }
  }
  EXPECT_GE(rendered, 200);
}

Balances Small() { return Balances{"KES", 425000, 20000, 4015000, 150000, 0}; }

MemberCycleView ActiveView(int64_t fines, std::optional<int64_t> share) {
  MemberCycleView v;
  v.cycle.id = 1;
  v.cycle.number = 1;
  v.cycle.state = CycleState::kActive;
  v.open = true;
  v.savings = 425000;
  v.fines_pending = fines;
  if (share) v.estimate = ShareOutLine{1, 425000, *share, *share - 425000, 0, *share, 0};
  return v;
}

TEST(CycleScreensTest, BalanceAddsFinesAndTheEstimateCalledOne) {
  Catalogue catalogue = LoadShipped();
  ScreenContext en{&catalogue, "en", Currency{"KES", 2}};
  ScreenContext sw{&catalogue, "sw", Currency{"KES", 2}};
  struct Row {
    const char* name;
    const ScreenContext* c;
    MemberCycleView view;
    std::string want;
  };
  MemberCycleView shared;
  shared.cycle.id = 1;
  shared.cycle.number = 2;
  shared.cycle.state = CycleState::kSharedOut;
  MemberCycleView planned = shared;
  planned.cycle.number = 3;
  planned.cycle.state = CycleState::kPlanned;
  planned.cycle.starts_at = 1'798'675'200;  // 31 Dec 2026
  const Row rows[] = {
      {"estimate", &en, ActiveView(0, 486200),
       "Savings: KES 4,250\nPending: KES 200\nGroup fund: KES 40,150\nSocial fund: KES 1,500\n"
       "Loan: none\nShare-out est. KES 4,862\n00. Main menu\n0. Back"},
      {"fines_and_estimate", &en, ActiveView(5000, 486200),
       "Savings: KES 4,250\nPending: KES 200\nGroup fund: KES 40,150\nSocial fund: KES 1,500\n"
       // Back gives way first (00 does the same here).
       "Loan: none\nFines pending: KES 50\nShare-out est. KES 4,862\n00. Main menu"},
      {"no_estimate", &en, ActiveView(0, std::nullopt),
       "Savings: KES 4,250\nPending: KES 200\nGroup fund: KES 40,150\nSocial fund: KES 1,500\n"
       "Loan: none\n00. Main menu\n0. Back"},
      {"shared_out", &en, shared,
       "Savings: KES 4,250\nPending: KES 200\nGroup fund: KES 40,150\nSocial fund: KES 1,500\n"
       "Loan: none\nCycle 2 shared out\n00. Main menu\n0. Back"},
      {"planned", &en, planned,
       "Savings: KES 4,250\nPending: KES 200\nGroup fund: KES 40,150\nSocial fund: KES 1,500\n"
       "Loan: none\nNext cycle starts 31 Dec 2026\n00. Main menu\n0. Back"},
      {"kiswahili", &sw, ActiveView(5000, 486200),
       "Akiba: KES 4,250\nInasubiri: KES 200\nMfuko: KES 40,150\nMfuko wa jamii: KES 1,500\n"
       "Mkopo: hakuna\nFaini: KES 50\nMakadirio ya mgao: KES 4,862\n00. Menyu kuu\n0. Rudi"},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(BalanceScreen(*r.c, Small(), std::nullopt, r.view).text, r.want) << r.name;
  }
}

// Larger and larger figures: the estimate gives way first, then the next
// instalment, then the fines ("0. Back" before each, back when there is
// room again); the main menu always stays; the levels are met over the range.
TEST(CycleScreensTest, BalanceGivesWayInOrder) {
  Catalogue catalogue = LoadShipped();
  for (const std::string& lang : ShippedLanguages()) {
    ScreenContext c{&catalogue, lang, Currency{"KES", 2}};
    const std::optional<Instalment> next = Instalment{6, 1'798'675'200, 175600, 0, 175600};
    const std::string main = "\n" + std::string(kKeyMain) + ". " + c.T("opt_main");
    const std::string estimate = Format(c.T("balance_estimate"), {{"amount", ""}});
    const std::string fines = Format(c.T("balance_fines"), {{"amount", ""}});
    const std::string next_word = BalanceLoanText(c, 100, next).substr(c.Money(100).size());
    std::vector<int> levels(5, 0);
    for (int64_t amount = 100; amount <= kHuge; amount = amount * 10 + 99) {
      Balances b{"KES", amount, amount, amount, amount, amount};
      MemberCycleView v = ActiveView(amount, amount);
      v.savings = amount;
      const std::string text = BalanceScreen(c, b, next, v).text;
      SCOPED_TRACE(lang + ":\n" + text);
      EXPECT_TRUE(ScreenFits(text));
      EXPECT_NE(text.find(main), std::string::npos);
      const bool has_estimate = text.find(estimate) != std::string::npos;
      const bool has_next = text.find(next_word) != std::string::npos;
      const bool has_fines = text.find(fines) != std::string::npos;
      if (has_estimate) {
        EXPECT_TRUE(has_next && has_fines);
      }
      if (has_next) {
        EXPECT_TRUE(has_fines);
      }
      ++levels[has_estimate ? 1 : has_next ? 2 : has_fines ? 3 : 4];
    }
    EXPECT_GT(levels[1], 0) << lang << ": everything";
    EXPECT_GT(levels[2], 0) << lang << ": the next instalment with the estimate gone";
    EXPECT_GT(levels[3] + levels[4], 0) << lang << ": the next instalment gone too";
  }
}

// BAL by SMS: one GSM-7 part always; the estimate gives way first, then
// the social fund, then the fines.
TEST(CycleScreensTest, BalanceSmsFitsOnePartDroppingTheEstimateFirst) {
  Catalogue catalogue = LoadShipped();
  for (const std::string& lang : ShippedLanguages()) {
    ScreenContext c{&catalogue, lang, Currency{"KES", 2}};
    const std::string fines_word = Format(c.T("sms_balance_fines"), {{"amount", ""}});
    const std::string social_word = Format(c.T("sms_balance_social"), {{"amount", ""}});
    const std::string estimate_word = Format(c.T("sms_balance_estimate"), {{"amount", ""}});
    int with_all = 0, without_estimate = 0, base_only = 0;
    for (int64_t base = 1; base <= kHuge; base = base * 10 + 9) {
     for (int64_t amount : {base, base + 1}) {
      Balances b{"KES", amount, amount, amount, amount, amount};
      MemberCycleView v = ActiveView(amount, amount);
      // Her loan while she repays on the longest names' lines; none on the others.
      const bool worst = amount % 2 == 0;
      const std::string loan =
          worst ? BalanceLoanText(c, amount, Instalment{60, 1'798'675'200, 0, 0, amount})
                : c.T("loan_none");
      const std::string text = BalanceSmsText(c, worst ? "Nyambura-Wanjiku" : "Amina", b, loan, v);
      SCOPED_TRACE(lang + ": " + text);
      const SmsLength len = MeasureSms(text);
      EXPECT_EQ(len.encoding, SmsEncoding::kGsm7);
      EXPECT_LE(len.units, kGsm7SingleLimit);
      const bool fines = text.find(fines_word) != std::string::npos;
      const bool social = text.find(social_word) != std::string::npos;
      const bool estimate = text.find(estimate_word) != std::string::npos;
      if (estimate) {
        EXPECT_TRUE(social);
      }
      if (social) {
        EXPECT_TRUE(fines);
      }
      with_all += estimate;
      without_estimate += fines && !estimate;
      base_only += !fines;
     }
    }
    // Each outcome is met over the range: the test exercises every level.
    EXPECT_GT(with_all, 0) << lang;
    EXPECT_GT(without_estimate, 0) << lang;
    EXPECT_GT(base_only, 0) << lang;
  }
  ScreenContext en{&catalogue, "en", Currency{"KES", 2}};
  EXPECT_EQ(BalanceSmsText(en, "Amina", Small(), "none", ActiveView(0, 486200)),
            "Amina: savings KES 4,250, pending KES 200. Group fund KES 40,150. Loan: none. "
            "Social fund KES 1,500. Share-out est. KES 4,862");
  EXPECT_EQ(BalanceSmsText(en, "Amina", Small(), "none", ActiveView(0, std::nullopt)),
            "Amina: savings KES 4,250, pending KES 200. Group fund KES 40,150. Loan: none. "
            "Social fund KES 1,500");
}

TEST(CycleScreensTest, KiswahiliTaskAndFineScreens) {
  Catalogue catalogue = LoadShipped();
  ScreenContext sw{&catalogue, "sw", Currency{"KES", 2}};
  TaskCounts counts;
  counts.fines = 2;
  EXPECT_EQ(TasksScreen(sw, counts, 1, "").text,
            "Kazi za kikundi\n5. Faini za kuthibitisha (2)\n6. Andika faini\n7. Mfuko wa jamii\n"
            "0. Rudi");
  EXPECT_NE(TasksScreen(sw, counts, 0, "").text.find("\n98. Zaidi\n0. Rudi"), std::string::npos);
  EXPECT_EQ(FineKindScreen(sw, "Amina Wekesa", {{"late", 5000}, {"absent", 10000}}, 0, "").text,
            "Faini kwa Amina W.:\n1. Kuchelewa KES 50\n2. Kutohudhuria KES 100\n0. Rudi");
  EXPECT_EQ(FineConfirmScreen(sw, "Amina Wekesa", "late", 5000, "").text,
            "Andika faini (Kuchelewa) ya KES 50 kwa Amina W.?\n1. Thibitisha\n2. Kiasi kingine\n"
            "0. Rudi");
  Fine f;
  f.member_name = "Amina Wekesa";
  f.kind = "absent";
  f.amount = 10000;
  f.reference = "K7P2QX";
  f.created_at = 1'795'737'600;
  EXPECT_EQ(DecideFineScreen(sw, f, "").text,
            "Amina: faini (Kutohudhuria) KES 100, 27 Nov. Kumb K7P2QX\n1. Thibitisha imelipwa\n"
            "2. Samehe\n0. Rudi");
  EXPECT_EQ(SocialConfirmScreen(sw, "Amina Wekesa", 10000, "").text,
            "Amina W. amelipa KES 100 kwa mfuko wa jamii?\n1. Thibitisha\n0. Rudi");
  // A kind without a label shows its id in words, never a "[key]".
  EXPECT_EQ(FineKindLabel(sw, "no_uniform"), "no uniform");
}

}  // namespace
}  // namespace shg::dialogs
