// The fixture of the engine tests: a real SQLite file with the demo data,
// the shipped catalogue, an SMS notifier on "at-ke" and the engine with the
// test loan programme (loan_programme.h). Scripted sessions are played turn
// by turn.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dialogs/dialog_machine.h"
#include "dialogs/engine.h"
#include "dialogs/session_state.h"
#include "domain/demo.h"
#include "domain/loans.h"
#include "domain/store/store.h"
#include "tests/dialogs/loan_programme.h"
#include "tests/support/test_db.h"

namespace shg::dialogs {

inline constexpr int64_t kNow = 1'795'737'600;  // 2026-11-27T00:00:00Z

inline const std::string kAmina = "+254700000001";    // trained, KES 4,250 in 8 savings
inline const std::string kWanjiru = "+254700000002";  // treasurer
inline const std::string kGrace = "+254700000003";    // chair
inline const std::string kFaith = "+254700000004";    // no PIN
inline const std::string kMary = "+254700000005";     // training step 1 only
inline const std::string kHalima = "+254700000006";   // Kiswahili, 5 savings
inline const std::string kShared = "+254700000007";   // Rose and Joy

struct Turn {
  std::string input;
  std::string expect;  // substring the screen must contain ("=" prefix: exact, "^": its start)
  bool end = false;
};

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions so = test_db_.Options();
    so.synchronous = "NORMAL";
    auto st = store::Store::Open(so);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    ASSERT_TRUE(LoadDemo(*store_, pins_, 30, kNow - 86400).ok());
    auto cat = Catalogue::Load(std::string(SHG_SOURCE_DIR) + "/config/lang", {"en", "sw"});
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalogue_ = std::make_unique<Catalogue>(std::move(*cat));
    EngineOptions eo;
    eo.channel_country["at-ke"] = "KE";
    eo.channel_country["at-ug"] = "UG";
    eo.loans = &programme_;
    SmsRouting routing;
    routing.via["at-ke"] = "at-ke";
    routing.by_country["KE"] = "at-ke";
    notifier_ = std::make_unique<Notifier>(*catalogue_, routing, "en");
    engine_ = std::make_unique<Engine>(*catalogue_, pins_, eo, notifier_.get());
  }
  void TearDown() override {
    store_.reset();
  }

  StepResult Step(const std::string& session, const std::string& phone, int step,
                  const std::string& input, int64_t now = kNow, const Engine* engine = nullptr) {
    UssdRequest req;
    req.channel = "at-ke";
    req.session_id = session;
    req.phone = phone;
    req.service_code = "*384*7#";
    req.step = step;
    req.input = input;
    StepResult out;
    Status s = store_->Run([&](store::Connection& conn) -> Status {
      DomainContext ctx{&pins_, 3, now};
      Services svc(conn, ctx);
      Messages messages(conn, now * 1000);
      auto r = (engine != nullptr ? engine : engine_.get())->Step(svc, &messages, req, now);
      if (!r.ok()) return r.status();
      out = *r;
      // Every step leaves the session in a state its stage allows
      // (dialogs/dialog_machine.h).
      auto saved = svc.LoadSession(req.channel, req.session_id);
      if (!saved.ok()) return saved.status();
      if (saved->has_value()) {
        auto state = ParseState((*saved)->state);
        if (!state.ok()) return state.status();
        Status invariant = CheckDialogState(*state);
        EXPECT_TRUE(invariant.ok()) << invariant.ToString() << " after input '" << input << "'";
      }
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  // Plays turns as one session; step numbers follow the turns.
  void Play(const std::string& session, const std::string& phone, const std::vector<Turn>& turns,
            int64_t now = kNow) {
    for (size_t i = 0; i < turns.size(); ++i) {
      const Turn& t = turns[i];
      StepResult r = Step(session, phone, static_cast<int>(i), t.input, now);
      SCOPED_TRACE("session " + session + " turn " + std::to_string(i) + " input '" + t.input +
                   "'");
      if (!t.expect.empty() && t.expect[0] == '=') {
        EXPECT_EQ(r.reply.text, t.expect.substr(1));
      } else if (!t.expect.empty() && t.expect[0] == '^') {
        EXPECT_EQ(r.reply.text.rfind(t.expect.substr(1), 0), 0u) << "screen was:\n" << r.reply.text;
      } else {
        EXPECT_NE(r.reply.text.find(t.expect), std::string::npos) << "screen was:\n"
                                                                  << r.reply.text;
      }
      EXPECT_EQ(r.reply.end, t.end) << r.reply.text;
      EXPECT_LE(r.reply.text.size(), 160u);
      EXPECT_FALSE(r.screen_cut) << r.reply.text;
    }
  }

  Member MemberOn(const std::string& phone, size_t index = 0) {
    DomainContext ctx{&pins_, 3, kNow};
    Services svc(store_->Reader(), ctx);
    auto ms = svc.MembersByPhone(phone);
    EXPECT_TRUE(ms.ok() && ms->size() > index);
    return (*ms)[index];
  }

  Balances BalanceOf(const std::string& phone) {
    DomainContext ctx{&pins_, 3, kNow};
    Services svc(store_->Reader(), ctx);
    return *svc.BalancesFor(MemberOn(phone).id);
  }

  // Runs `fn` with a Loans view on the writer at `now`; fails the test on an
  // error.
  template <typename Fn>
  void WithLoans(Fn&& fn, int64_t now = kNow) {
    Status s = store_->Run([&](store::Connection& conn) -> Status {
      DomainContext ctx{&pins_, 3, now};
      Loans loans(conn, ctx, programme_);
      return fn(loans);
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // Her current loan as the store has it at `now`.
  std::optional<LoanView> CurrentLoanOf(const std::string& phone, int64_t now = kNow) {
    DomainContext ctx{&pins_, 3, now};
    Loans loans(store_->Reader(), ctx, programme_);
    auto v = loans.CurrentLoan(MemberOn(phone).id);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : std::nullopt;
  }

  shg::testing::TestDatabase test_db_;
  PinHasher pins_{"engine-test-pepper-0123456789abcdef"};
  LoanProgramme programme_ = TestLoanProgramme();
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Catalogue> catalogue_;
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<Engine> engine_;

  // SMS queued so far (referrals to partners left out), oldest first:
  // "phone|kind|body".
  std::vector<std::string> Sms() {
    static constexpr char kSmsRows[] =
        "SELECT phone, kind, body FROM messages WHERE kind <> 'mfi_referral' ORDER BY id";
    std::vector<std::string> out;
    auto& st = store_->Reader().Prepare(kSmsRows);
    for (;;) {
      auto row = st.Step();
      if (!row.ok() || !*row) break;
      out.push_back(st.Text(0) + "|" + st.Text(1) + "|" + st.Text(2));
    }
    st.Reset();
    return out;
  }
};

}  // namespace shg::dialogs
