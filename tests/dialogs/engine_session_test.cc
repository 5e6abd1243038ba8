// Sessions: bound to the phone that opened them, and resume after a drop
// when she typed into a session that had already timed out.
#include <gtest/gtest.h>

#include "dialogs/dropped_actions.h"
#include "tests/dialogs/engine_fixture.h"

namespace shg::dialogs {
namespace {

constexpr char kOtherPhoneScreen[] =
    "This session belongs to another phone. Please dial *384*7# again.";

int64_t SessionCount(store::Store& store) {
  auto& st = store.Reader().Prepare("SELECT COUNT(*) FROM ussd_sessions");
  auto row = st.Step();
  const int64_t n = row.ok() && *row ? st.Int(0) : -1;
  st.Reset();
  return n;
}

// The reproduction of the issue: Amina opens a session and logs in; a step
// with the same session id from another phone (a new step or a retry of an
// earlier one) must see nothing of hers, change nothing, and end; her own
// next step carries on as if nothing happened.
TEST_F(EngineTest, StepFromAnotherPhoneChangesNothingAndEnds) {
  Play("mixsess", kAmina, {{"", "Welcome Amina"}, {"2580", "1. My balance"}});
  const int64_t pending = BalanceOf(kAmina).savings_pending;
  const size_t sms = Sms().size();
  struct Case {
    std::string name;
    std::string phone;
    int step;
    std::string input;
  };
  const std::vector<Case> cases = {
      {"balance from another member's phone", kWanjiru, 2, "1"},
      {"save from another member's phone", kWanjiru, 2, "2"},
      {"retry of the PIN step from another phone", kWanjiru, 1, "2580"},
      {"retry of the dial from another phone", kWanjiru, 0, ""},
      {"an unregistered phone", "+254799999999", 2, "1"},
      {"the same number in another format", "254700000002", 2, "1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    StepResult r = Step("mixsess", c.phone, c.step, c.input);
    EXPECT_EQ(r.kind, StepKind::kPhoneMismatch);
    EXPECT_TRUE(r.reply.end);
    EXPECT_EQ(r.reply.text, kOtherPhoneScreen);
  }
  EXPECT_EQ(BalanceOf(kAmina).savings_pending, pending);
  EXPECT_EQ(Sms().size(), sms);
  EXPECT_EQ(SessionCount(*store_), 1);
  // Her session was not touched: her next step is step 2, at the main menu.
  StepResult mine = Step("mixsess", kAmina, 2, "2");
  EXPECT_EQ(mine.kind, StepKind::kContinued);
  EXPECT_NE(mine.reply.text.find("Enter amount"), std::string::npos) << mine.reply.text;
  // Her number written another way is still her phone.
  StepResult same = Step("mixsess", "0700000001", 3, "0");
  EXPECT_EQ(same.kind, StepKind::kContinued) << same.reply.text;
}

// A save from a phone that took over a session id posts nothing to the
// member who opened it, even at the confirmation step.
TEST_F(EngineTest, ConfirmFromAnotherPhonePostsNothing) {
  Play("mix-save", kAmina,
       {{"", ""}, {"2580", ""}, {"2", "Enter amount"}, {"500", "Save KES 500"}});
  const int64_t pending = BalanceOf(kAmina).savings_pending;
  StepResult r = Step("mix-save", kGrace, 4, "1");
  EXPECT_EQ(r.kind, StepKind::kPhoneMismatch);
  EXPECT_EQ(BalanceOf(kAmina).savings_pending, pending);
  EXPECT_EQ(BalanceOf(kGrace).savings_pending, 0);
  StepResult mine = Step("mix-save", kAmina, 4, "1");
  EXPECT_NE(mine.reply.text.find("Saved KES 500"), std::string::npos) << mine.reply.text;
  EXPECT_EQ(BalanceOf(kAmina).savings_pending, pending + 50000);
}

// She left the confirmation screen open past the session timeout, typed "1"
// (and was told the session ended), then dialled again within the resume
// window: the save is offered again, once.
TEST_F(EngineTest, SaveTypedIntoATimedOutSessionIsOfferedAgain) {
  Play("slow", kAmina, {{"", ""}, {"2580", ""}, {"2", ""}, {"500", "Save KES 500"}});
  const int64_t pending = BalanceOf(kAmina).savings_pending;
  StepResult late = Step("slow", kAmina, 4, "1", kNow + 200);
  EXPECT_EQ(late.kind, StepKind::kExpired);
  EXPECT_TRUE(late.reply.end);
  EXPECT_EQ(BalanceOf(kAmina).savings_pending, pending);
  Step("slow-2", kAmina, 0, "", kNow + 230);
  StepResult pin = Step("slow-2", kAmina, 1, "2580", kNow + 231);
  EXPECT_TRUE(pin.resumed) << pin.reply.text;
  EXPECT_EQ(pin.reply.text, "Continue saving KES 500?\n1. Yes\n2. Start again");
}

// A save cut at its confirmation and never resumed is told to her by SMS
// when its session is purged (after the resume window); a resumed or
// finished one is not; the purge running twice tells her once.
TEST_F(EngineTest, SaveDroppedForGoodIsToldBySmsOnce) {
  Play("dropped", kAmina, {{"", ""}, {"2580", ""}, {"2", ""}, {"700", "Save KES 700"}});
  Play("resumed-cut", kWanjiru, {{"", ""}, {"2580", ""}, {"2", ""}, {"300", "Save KES 300"}});
  Play("resumed", kWanjiru, {{"", ""}, {"2580", "Continue saving KES 300?"}, {"2", ""}},
       kNow + 30);
  Play("finished", kGrace, {{"", ""}, {"2580", ""}, {"2", ""}, {"100", ""}, {"1", "Saved", true}});
  const size_t before = Sms().size();
  auto purge = [&](int64_t now) {
    int told = -1;
    Status s = store_->Run([&](store::Connection& conn) -> Status {
      DomainContext ctx{&pins_, 3, now};
      Services svc(conn, ctx);
      Messages messages(conn, now * 1000);
      auto n = NotifyDroppedActions(*notifier_, svc, messages, {{"at-ke", "*384*7#"}}, 300);
      if (!n.ok()) return n.status();
      told = *n;
      return svc.PurgeExpiredSessions(300).status();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return told;
  };
  EXPECT_EQ(purge(kNow + 200), 0) << "still within the resume window: nothing is dropped yet";
  EXPECT_EQ(purge(kNow + 600), 1);
  EXPECT_EQ(purge(kNow + 601), 0);
  std::vector<std::string> sms = Sms();
  ASSERT_EQ(sms.size(), before + 1);
  EXPECT_EQ(sms.back(), kAmina +
                            "|save_dropped|Your saving of KES 700 was NOT saved: the session ended "
                            "before you confirmed. Dial *384*7# to save it again.");
}

}  // namespace
}  // namespace shg::dialogs
