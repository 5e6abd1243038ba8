// Scripted USSD sessions against the real engine, a real SQLite file and the
// demo data: each turn is one provider request (latest input) and the screen
// it must produce.
#include "dialogs/engine.h"

#include <gtest/gtest.h>

#include "tests/dialogs/engine_fixture.h"

namespace shg::dialogs {
namespace {

const char kMainMenu[] =
    "1. My balance\n2. Save\n3. Request loan\n4. My loan\n5. Statement\n6. My group\n"
    "7. Settings\n0. Exit";

struct Script {
  const char* name;
  std::string phone;
  std::vector<Turn> turns;
};

class ScriptTest : public EngineTest, public ::testing::WithParamInterface<Script> {};

TEST_P(ScriptTest, PlaysAsExpected) { Play(GetParam().name, GetParam().phone, GetParam().turns); }

INSTANTIATE_TEST_SUITE_P(
    MemberFlows, ScriptTest,
    ::testing::Values(
        Script{"balance", kAmina,
               {{"", "=Welcome Amina (Upendo Women Group). Enter PIN:"},
                {"2580", std::string("=") + kMainMenu},
                {"1", "Savings: KES 4,250\nPending: KES 0\nGroup fund: KES "},
                // An information screen: more look-ups in the same dial.
                {"1", "\n00. Main menu\n0. Back"}}},
        Script{"balance_also_national_format", "0700000001",
               {{"", "Welcome Amina"}, {"2580", "1. My balance"}, {"1", "Savings: KES 4,250"}}},
        Script{"save", kAmina,
               {{"", "Enter PIN:"},
                {"2580", "2. Save"},
                {"2", "=Enter amount to save (KES):\n0. Back"},
                {"200", "=Save KES 200 to your savings?\n1. Confirm\n2. Cancel"},
                {"1", "Saved KES 200, pending confirmation. Confirmed savings: KES 4,250. Ref ", true}}},
        Script{"save_with_separator_and_cents", kAmina,
               {{"", "Enter PIN:"}, {"2580", "2. Save"}, {"2", "Enter amount"},
                {"1,500.00", "Save KES 1,500 to"}, {"2", "Cancelled. Nothing was saved.\n1. My balance"}}},
        Script{"invalid_inputs_reask", kAmina,
               {{"", "Enter PIN:"},
                {"25", "=A PIN is 4 digits.\nEnter PIN:"},
                {"2580", "1. My balance"},
                {"9", std::string("=Enter a number from the menu.\n") + kMainMenu},
                {"8", "Enter a number from the menu."},  // not a manager
                {"2", "Enter amount"},
                {"abc", "=Enter an amount in whole KES.\nEnter amount to save (KES):\n0. Back"},
                {"-5", "Enter an amount in whole KES."},
                {"5000000", "The most at once is KES 1,000,000."},
                {"0", "1. My balance"}}},
        Script{"wrong_pin_three_times_locks", kAmina,
               {{"", "Enter PIN:"},
                {"1111", "=Wrong PIN. 2 tries left.\nEnter PIN:"},
                {"1112", "=Wrong PIN. 1 try left.\nEnter PIN:"},
                {"1113", "=Wrong PIN. Your PIN is now locked. Ask Wanjiru or Grace to reset it in Group tasks.", true}}},
        Script{"unknown_phone", "+254711111111",
               {{"", "=This number is not registered. Ask your group facilitator.", true}}},
        Script{"garbage_phone", "not-a-phone",
               {{"", "This number is not registered.", true}}},
        Script{"first_login_creates_pin", kFaith,
               {{"", "=Welcome Faith. Create a 4-digit PIN:"},
                {"1234", "=Too easy to guess. Avoid 1234 or 1111.\nWelcome Faith. Create a 4-digit PIN:"},
                {"12", "A PIN is 4 digits."},
                {"1357", "=Repeat your new PIN:"},
                {"1358", "=The PINs did not match.\nWelcome Faith. Create a 4-digit PIN:"},
                {"1357", "Repeat"},
                {"1357", "1. My balance"}}},
        Script{"shared_phone_asks_which_member", kShared,
               {{"", "=Which member?\n1. Rose\n2. Joy"},
                {"3", "=Enter a number from the menu.\nWhich member?\n1. Rose\n2. Joy"},
                {"2", "=Welcome Joy (Upendo Women Group). Enter PIN:"},
                {"2580", "1. My balance"}}},
        Script{"kiswahili", kHalima,
               {{"", "=Karibu Halima (Upendo Women Group). Ingiza PIN:"},
                {"2580", "1. Salio langu\n2. Weka akiba"},
                {"1", "Akiba: KES "}}},
        Script{"statement_pages", kAmina,
               {{"", "Enter PIN:"},
                {"2580", "5. Statement"},
                {"5", "Statement (KES) p1\n"},
                {"98", "Statement (KES) p2\n"},
                {"98", "Statement (KES) p3\n"},
                {"98", "Enter a number from the menu.\n"},
                {"0", "Statement (KES) p2"},
                {"00", "1. My balance"}}},
        Script{"my_group", kAmina,
               {{"", "Enter PIN:"},
                {"2580", "6. My group"},
                {"6", "Upendo Women Group\nMembers: 20\n"}}},
        Script{"my_group_kiswahili", kHalima,
               {{"", "Karibu Halima"},
                {"2580", "6. Kikundi"},
                // My group's second page (issue 11) has the cycle and the meeting.
                {"6", "\nMikopo nje: KES 0\n98. Zaidi"},
                {"98", "\nMkutano: Jumanne"}}},
        Script{"change_language", kAmina,
               {{"", "Enter PIN:"},
                {"2580", "7. Settings"},
                {"7", "=Settings\n1. Language\n2. Change PIN\n0. Back"},
                {"1", "=Choose language:\n1. English\n2. Kiswahili\n0. Back"},
                {"2", "Lugha: Kiswahili\n1. Salio langu"}}},
        Script{"change_pin", kAmina,
               {{"", "Enter PIN:"},
                {"2580", "7. Settings"},
                {"7", "2. Change PIN"},
                {"2", "=Enter your current PIN:"},
                {"2581", "=Wrong PIN. 2 tries left.\nEnter your current PIN:"},
                {"2580", "=Enter a new 4-digit PIN:"},
                {"4321", "Too easy to guess."},
                {"3691", "=Repeat your new PIN:"},
                {"3691", "=Your PIN is changed. Use it next time.", true}}},
        Script{"exit", kAmina,
               {{"", "Enter PIN:"}, {"2580", "0. Exit"}, {"0", "=Thank you. Goodbye.", true}}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(EngineTest, SavedThenConfirmedByTreasurerChangesBalance) {
  Play("amina-save", kAmina, {{"", ""}, {"2580", ""}, {"2", ""}, {"200", ""}, {"1", "Ref ", true}});
  Balances before = BalanceOf(kAmina);
  EXPECT_EQ(before.savings_confirmed, 425000);
  EXPECT_EQ(before.savings_pending, 20000);
  Play("wanjiru-tasks", kWanjiru,
       {{"", "Welcome Wanjiru"},
        {"2580", "8. Group tasks"},
        {"8", "=Group tasks\n1. Savings to confirm (1)\n2. Loan requests (0)\n"
              "3. Repayments to confirm (0)\n4. Reset a PIN (0)\n98. More\n0. Back"},
        {"1", "=Savings to confirm p1\n1. Amina KES 200\n0. Back"},
        {"1", "Amina saved KES 200 on "},
        {"1", "Confirmed. Ref "}});
  Balances after = BalanceOf(kAmina);
  EXPECT_EQ(after.savings_confirmed, 445000);
  EXPECT_EQ(after.savings_pending, 0);
  EXPECT_EQ(after.group_fund, before.group_fund + 20000);
  Play("amina-balance", kAmina,
       {{"", ""}, {"2580", ""}, {"1", "Savings: KES 4,450\nPending: KES 0"}});
}

TEST_F(EngineTest, TreasurerCannotConfirmHerOwnSavingButChairCan) {
  Play("w-save", kWanjiru, {{"", ""}, {"2580", ""}, {"2", ""}, {"300", ""}, {"1", "Ref", true}});
  Play("w-tasks", kWanjiru,
       {{"", ""}, {"2580", ""}, {"8", ""}, {"1", "1. Wanjiru KES 300"}, {"1", "Wanjiru saved"},
        {"1", "=Another officer must confirm yours.\n1. Wanjiru KES 300 (yours)\n0. Back"}});
  Play("g-tasks", kGrace,
       {{"", ""}, {"2580", ""}, {"8", ""}, {"1", "1. Wanjiru KES 300"}, {"1", ""}, {"2", "Rejected. Ref "}});
}

TEST_F(EngineTest, RetriedRequestGetsSameAnswerAndSavesOnce) {
  Step("dup", kAmina, 0, "");
  Step("dup", kAmina, 1, "2580");
  Step("dup", kAmina, 2, "2");
  Step("dup", kAmina, 3, "700");
  StepResult first = Step("dup", kAmina, 4, "1");
  StepResult again = Step("dup", kAmina, 4, "1");
  EXPECT_EQ(again.kind, StepKind::kDuplicate);
  EXPECT_EQ(again.reply.text, first.reply.text);
  EXPECT_TRUE(again.reply.end);
  EXPECT_EQ(BalanceOf(kAmina).savings_pending, 70000);  // once, not twice
  // A duplicate of the very first request (seen from Safaricom) too.
  StepResult d0 = Step("dup2", kAmina, 0, "");
  EXPECT_EQ(Step("dup2", kAmina, 0, "").reply.text, d0.reply.text);
}

TEST_F(EngineTest, ExpiredOrUnknownSessionEnds) {
  StepResult r = Step("never-started", kAmina, 3, "1");
  EXPECT_EQ(r.kind, StepKind::kExpired);
  EXPECT_TRUE(r.reply.end);
  EXPECT_EQ(r.reply.text, "Your session has ended. Please dial *384*7# again.");
  Step("idle", kAmina, 0, "");
  Step("idle", kAmina, 1, "2580");
  StepResult late = Step("idle", kAmina, 2, "1", kNow + 181);
  EXPECT_EQ(late.kind, StepKind::kExpired);
  EXPECT_TRUE(late.reply.end);
  EXPECT_EQ(BalanceOf(kAmina).savings_pending, 0);
}

TEST_F(EngineTest, LockedMemberIsToldAtDialAndStaffResetIssuesOneTimePin) {
  Play("lock", kAmina, {{"", ""}, {"0000", ""}, {"1111", ""}, {"2222", "locked", true}});
  Play("after-lock", kAmina,
       {{"", "=Your PIN is locked. Ask Wanjiru or Grace to reset it in Group tasks.", true}});
  Member amina = MemberOn(kAmina);
  ASSERT_TRUE(store_->Run([&](store::Connection& conn) -> Status {
                DomainContext ctx{&pins_, 3, kNow};
                Services svc(conn, ctx);
                return svc.ResetPin(amina.id, "4826");
              }).ok());
  Play("after-reset", kAmina,
       {{"", "Enter PIN:"},
        {"4826", "=Your PIN was reset. Create a new 4-digit PIN:"},
        {"00", "=A PIN is 4 digits.\nYour PIN was reset. Create a new 4-digit PIN:"},  // no menu yet
        {"1111", "Too easy"},
        {"2468", "Repeat"},
        {"2468", "1. My balance"}});
  Play("new-pin", kAmina, {{"", ""}, {"2468", "1. My balance"}});
}

TEST_F(EngineTest, PinNeverReachesStoredSessionsOrAudit) {
  Play("pin-check", kFaith, {{"", ""}, {"1357", ""}, {"1357", "1. My balance"}});
  Play("pin-check2", kAmina, {{"", ""}, {"2581", ""}, {"2580", ""}, {"2", ""}, {"300", ""}, {"1", "Ref", true}});
  auto& conn = store_->Reader();
  for (const char* sql : {"SELECT state || '|' || answer || '|' || phone FROM ussd_sessions",
                          "SELECT coalesce(actor,'') || coalesce(action,'') || coalesce(subject,'') || "
                          "coalesce(detail,'') FROM audit_log"}) {
    auto& st = conn.Prepare(sql);
    int rows = 0;
    while (*st.Step()) {
      ++rows;
      std::string row = st.Text(0);
      for (const char* pin : {"1357", "2580", "2581"}) {
        EXPECT_EQ(row.find(pin), std::string::npos) << sql << " row: " << row;
      }
    }
    EXPECT_GT(rows, 0) << sql;
  }
}


// Receipts and notifications a dialog causes are queued in the outbox in the
// same transaction, once, in the member's language.
TEST_F(EngineTest, MoneyActionsAndLockoutsQueueOneSmsEach) {
  Play("r-save", kAmina, {{"", ""}, {"2580", ""}, {"2", ""}, {"200", ""}, {"1", "Ref ", true}});
  Step("r-save", kAmina, 4, "1");  // an operator retry of the confirmation
  std::vector<std::string> sms = Sms();
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0].rfind(kAmina + "|receipt_saving|Saved KES 200 on ", 0), 0u) << sms[0];
  EXPECT_NE(sms[0].find(", pending confirmation. Ref "), std::string::npos) << sms[0];
  EXPECT_NE(sms[0].find(". Confirmed savings: KES 4,250"), std::string::npos) << sms[0];

  Play("r-confirm", kWanjiru,
       {{"", ""}, {"2580", ""}, {"8", ""}, {"1", ""}, {"1", "Amina saved"}, {"1", "Confirmed."}});
  sms = Sms();
  ASSERT_EQ(sms.size(), 2u);
  EXPECT_EQ(sms[1].rfind(kAmina + "|saving_confirmed|Your saving of KES 200 (Ref ", 0), 0u) << sms[1];
  EXPECT_NE(sms[1].find("is confirmed. Confirmed savings: KES 4,450"), std::string::npos) << sms[1];

  Play("r-halima", kHalima, {{"", ""}, {"1111", ""}, {"1112", ""}, {"1113", "imefungwa", true}});
  sms = Sms();
  ASSERT_EQ(sms.size(), 3u);
  EXPECT_EQ(sms[2].rfind(kHalima + "|pin_locked|PIN yako imefungwa", 0), 0u) << sms[2];
  for (const std::string& m : sms) EXPECT_EQ(m.find("2580"), std::string::npos);
}

// A rejection is told to the saver only: the officer who rejected it sees
// the outcome on her screen and gets no SMS.
TEST_F(EngineTest, RejectionNoticeGoesToTheSaverOnly) {
  Play("w-save", kWanjiru, {{"", ""}, {"2580", ""}, {"2", ""}, {"300", ""}, {"1", "Ref", true}});
  const size_t before = Sms().size();
  Play("g-reject", kGrace,
       {{"", ""}, {"2580", ""}, {"8", ""}, {"1", "1. Wanjiru KES 300"}, {"1", ""},
        {"2", "^Rejected. Ref "}});
  const std::vector<std::string> sms = Sms();
  ASSERT_EQ(sms.size(), before + 1);
  EXPECT_EQ(sms.back().rfind(kWanjiru + "|saving_rejected|Your saving of KES 300 (Ref ", 0), 0u)
      << sms.back();
  EXPECT_NE(sms.back().find("was not confirmed. Confirmed savings: KES 3,000."), std::string::npos)
      << sms.back();
  for (const std::string& m : sms) EXPECT_NE(m.rfind(kGrace + "|", 0), 0u) << m;
}

// Resume after a drop (ussd.md): a save cut at its confirmation is offered
// again after the PIN, within the resume window, once; nothing is saved
// until she confirms in the new session.
TEST_F(EngineTest, SaveCutAtConfirmationIsOfferedAgainAfterPin) {
  const int64_t pending_before = BalanceOf(kAmina).savings_pending;
  Play("cut-1", kAmina, {{"", "Welcome Amina"}, {"2580", "2. Save"}, {"2", "Enter amount"},
                         {"500", "Save KES 500"}});
  EXPECT_EQ(BalanceOf(kAmina).savings_pending, pending_before) << "nothing is committed by a cut session";
  StepResult dial = Step("resume-1", kAmina, 0, "", kNow + 60);
  EXPECT_NE(dial.reply.text.find("Welcome Amina"), std::string::npos);
  StepResult pin = Step("resume-1", kAmina, 1, "2580", kNow + 61);
  EXPECT_TRUE(pin.resumed);
  EXPECT_EQ(pin.reply.text, "Continue saving KES 500?\n1. Yes\n2. Start again");
  EXPECT_EQ(BalanceOf(kAmina).savings_pending, pending_before);
  StepResult bad = Step("resume-1", kAmina, 2, "7", kNow + 62);
  EXPECT_NE(bad.reply.text.find("Continue saving KES 500?"), std::string::npos) << bad.reply.text;
  StepResult yes = Step("resume-1", kAmina, 3, "1", kNow + 63);
  EXPECT_NE(yes.reply.text.find("Save KES 500 to your savings?"), std::string::npos);
  StepResult done = Step("resume-1", kAmina, 4, "1", kNow + 64);
  EXPECT_TRUE(done.reply.end);
  EXPECT_NE(done.reply.text.find("Saved KES 500"), std::string::npos) << done.reply.text;
  EXPECT_EQ(BalanceOf(kAmina).savings_pending, pending_before + 50000);
  // Offered once: the next session goes straight to the menu.
  Step("resume-2", kAmina, 0, "", kNow + 90);
  StepResult again = Step("resume-2", kAmina, 1, "2580", kNow + 91);
  EXPECT_FALSE(again.resumed);
  EXPECT_EQ(again.reply.text, kMainMenu);
}

TEST_F(EngineTest, ResumeIsOnlyForMoneyActionsWithinTheWindow) {
  struct Case {
    std::string name;
    std::vector<Turn> cut;  // the session that is cut
    int64_t redial_after_s;
    bool offered;
  };
  const std::vector<Case> cases = {
      {"start again", {{"", ""}, {"2580", ""}, {"2", ""}, {"300", ""}}, 60, true},
      {"cut at main menu", {{"", ""}, {"2580", ""}}, 60, false},
      {"cut at amount entry", {{"", ""}, {"2580", ""}, {"2", ""}}, 60, false},
      {"outside the window", {{"", ""}, {"2580", ""}, {"2", ""}, {"300", ""}}, 301, false},
      {"completed save", {{"", ""}, {"2580", ""}, {"2", ""}, {"300", ""}, {"1", ""}}, 60, false},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int64_t t0 = kNow + 10000 * ++n;
    const std::string cut = "cut-" + std::to_string(n);
    for (size_t i = 0; i < c.cut.size(); ++i) {
      Step(cut, kWanjiru, static_cast<int>(i), c.cut[i].input, t0 + static_cast<int64_t>(i));
    }
    const std::string redial = "redial-" + std::to_string(n);
    const int64_t t1 = t0 + static_cast<int64_t>(c.cut.size()) + c.redial_after_s;
    Step(redial, kWanjiru, 0, "", t1);
    StepResult pin = Step(redial, kWanjiru, 1, "2580", t1 + 1);
    EXPECT_EQ(pin.resumed, c.offered) << pin.reply.text;
    if (c.offered) {
      const int64_t pending = BalanceOf(kWanjiru).savings_pending;
      StepResult again = Step(redial, kWanjiru, 2, "2", t1 + 2);
      EXPECT_NE(again.reply.text.find("1. My balance"), std::string::npos) << again.reply.text;
      EXPECT_EQ(BalanceOf(kWanjiru).savings_pending, pending) << "start again saves nothing";
    }
    Step(redial, kWanjiru, pin.resumed ? 3 : 2, "0", t1 + 3);  // exit
  }
}

}  // namespace
}  // namespace shg::dialogs
