// Group tasks, "Reset a PIN": a treasurer resets a locked member's PIN from
// her phone; the member logs in with the one-time PIN from her SMS and must
// change it; every PIN change is told by SMS; the same PIN is refused.
#include <gtest/gtest.h>

#include <regex>

#include "tests/dialogs/engine_fixture.h"

namespace shg::dialogs {
namespace {

class PinResetTest : public EngineTest {
 protected:
  void LockMary() {
    Play("lock-mary", kMary,
         {{"", "Welcome Mary"},
          {"1111", "Wrong PIN."},
          {"1112", "Wrong PIN."},
          {"1113", "=Wrong PIN. Your PIN is now locked. Ask Wanjiru or Grace to reset it in "
                   "Group tasks.",
           true}});
  }
  // The one-time PIN of the newest pin_reset SMS to `phone`.
  std::string OneTimePinSentTo(const std::string& phone) {
    std::string pin;
    for (const std::string& m : Sms()) {
      std::smatch match;
      if (m.rfind(phone + "|pin_reset|", 0) == 0 &&
          std::regex_search(m, match, std::regex("one-time PIN is ([0-9]{4})"))) {
        pin = match[1];
      }
    }
    return pin;
  }
  int64_t AuditRows(const std::string& action, const std::string& detail) {
    auto& st = store_->Reader().Prepare(
        "SELECT COUNT(*) FROM audit_log WHERE action = ? AND detail = ?");
    st.Bind(1, action).Bind(2, detail);
    auto row = st.Step();
    const int64_t n = row.ok() && *row ? st.Int(0) : -1;
    st.Reset();
    return n;
  }
};

TEST_F(PinResetTest, TreasurerResetsALockedPinAndSheMustChangeIt) {
  LockMary();
  // Locked: the lock screen names who can reset it.
  Play("mary-locked", kMary,
       {{"", "=Your PIN is locked. Ask Wanjiru or Grace to reset it in Group tasks.", true}});
  Play("wanjiru-reset", kWanjiru,
       {{"", ""},
        {"2580", "8. Group tasks"},
        {"8", "4. Reset a PIN (1)"},
        {"4", "=Locked PINs:\n1. Mary O.\n0. Back"},
        {"7", "Enter a number from the menu."},
        {"1", "^Reset the PIN of Mary O.? She gets a one-time PIN by SMS"},
        {"1", "=PIN of Mary reset: one-time PIN sent by SMS.\nNo locked PIN.\n0. Back"}});
  const Member mary = MemberOn(kMary);
  EXPECT_FALSE(mary.pin_locked);
  EXPECT_TRUE(mary.pin_must_change);
  const Member wanjiru = MemberOn(kWanjiru);
  EXPECT_EQ(AuditRows("pin.reset", "by=officer:" + std::to_string(wanjiru.id)), 1);
  const std::string otp = OneTimePinSentTo(kMary);
  ASSERT_EQ(otp.size(), 4u);

  // Nothing is locked any more.
  Play("wanjiru-again", kWanjiru,
       {{"", ""}, {"2580", ""}, {"8", "4. Reset a PIN (0)"}, {"4", "No locked PIN."}});

  // The one-time PIN opens only the PIN change; the same digits are refused.
  Play("mary-otp", kMary,
       {{"", "Welcome Mary"},
        {otp, "=Your PIN was reset. Create a new 4-digit PIN:"},
        {otp, "Repeat"},
        {otp, "Choose a PIN different from your current one."},
        {"4826", "Repeat"},
        {"4826", "1. My balance"}});
  EXPECT_FALSE(MemberOn(kMary).pin_must_change);
  std::vector<std::string> sms = Sms();
  ASSERT_FALSE(sms.empty());
  EXPECT_EQ(sms.back().rfind(kMary + "|pin_changed|Your PIN was changed.", 0), 0u) << sms.back();
  for (const std::string& m : sms) EXPECT_EQ(m.find("4826"), std::string::npos) << m;
}

TEST_F(PinResetTest, OnlyAnotherOfficerOfHerGroupResets) {
  LockMary();
  const Member mary = MemberOn(kMary);
  const Member grace = MemberOn(kGrace);
  const Member amina = MemberOn(kAmina);
  Status s = store_->Run([&](store::Connection& conn) -> Status {
    DomainContext ctx{&pins_, 3, kNow};
    Services svc(conn, ctx);
    EXPECT_EQ(svc.ResetPinByOfficer(mary.id, amina.id, "4821").code(),
              Status::Code::kPermissionDenied)
        << "a member who is not an officer";
    EXPECT_EQ(svc.ResetPinByOfficer(grace.id, grace.id, "4821").code(),
              Status::Code::kPermissionDenied)
        << "never her own";
    EXPECT_EQ(svc.ResetPinByOfficer(mary.id, 999999, "4821").code(), Status::Code::kNotFound);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(MemberOn(kMary).pin_locked);
  // A plain member has no Group tasks at all.
  Play("amina-tasks", kAmina, {{"", ""}, {"2580", ""}, {"8", "Enter a number from the menu."}});
}

TEST_F(EngineTest, ChangingToTheSamePinIsRefusedAndAChangeIsToldBySms) {
  Play("same-pin", kAmina,
       {{"", ""},
        {"2580", ""},
        {"7", "2. Change PIN"},
        {"2", "current PIN"},
        {"2580", "Enter a new 4-digit PIN"},
        {"2580", "Repeat"},
        {"2580", "Choose a PIN different from your current one."},
        {"4826", "Repeat"},
        {"4826", "Your PIN is changed.", true}});
  std::vector<std::string> sms = Sms();
  ASSERT_FALSE(sms.empty());
  EXPECT_EQ(sms.back().rfind(kAmina + "|pin_changed|", 0), 0u) << sms.back();
}

}  // namespace
}  // namespace shg::dialogs
