// The group's own money on USSD and SMS (issue 11), against the real engine,
// the real Cycles service and a real SQLite file with the demo data: her
// balance with her cycle, My group's figures, fines confirmed / waived /
// refused to their own member, recording a fine and a social fund
// contribution with their SMS, and saving while the group has no active
// cycle.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "dialogs/gsm.h"
#include "dialogs/screens.h"
#include "dialogs/sms_commands.h"
#include "domain/cycles.h"
#include "tests/dialogs/engine_fixture.h"

namespace shg::dialogs {
namespace {

const Actor kStaff{"staff", "officer1", "api", "req-cycle"};
constexpr char kPin[] = "2580";

class EngineCycleTest : public EngineTest {
 public:  // the balance cases' set-ups call the helpers
  void SetUp() override {
    EngineTest::SetUp();
    EngineOptions eo;
    eo.channel_country["at-ke"] = "KE";
    eo.loans = &programme_;
    eo.fine_kinds = {{"late", 50}, {"absent", 100}};
    engine_ = std::make_unique<Engine>(*catalogue_, pins_, eo, notifier_.get());
    SmsCommandOptions so;
    so.loans = &programme_;
    so.channel_country = {{"at-ke", "KE"}};
    so.channel_service_code = {{"at-ke", "*384*7#"}};
    sms_ = std::make_unique<SmsCommands>(*catalogue_, *notifier_, so);
    group_ = MemberOn(kAmina).group_id;
  }

  // Dials and plays `inputs` after the PIN (created first for a member who
  // has none); returns the last screen.
  UssdReply Walk(const std::string& phone, const std::vector<std::string>& inputs) {
    const std::string session = "s" + std::to_string(++sessions_);
    int step = 0;
    UssdReply last = Step(session, phone, step++, "").reply;
    if (last.text.find("Create a 4-digit PIN") != std::string::npos) {  // Faith: none yet
      Step(session, phone, step++, "1357");
    }
    last = Step(session, phone, step++, last.text.find("Create") != std::string::npos ? "1357" : kPin)
               .reply;
    for (size_t i = 0; i < inputs.size(); ++i) {
      StepResult r = Step(session, phone, step++, inputs[i]);
      EXPECT_FALSE(r.screen_cut) << r.reply.text;
      EXPECT_TRUE(ScreenFits(r.reply.text)) << r.reply.text;
      last = r.reply;
    }
    return last;
  }

  // Runs `fn` with a Cycles view on the writer; fails the test on an error.
  void WithCycles(const std::function<Status(Cycles&, Services&)>& fn) {
    Status s = store_->Run([&](store::Connection& conn) -> Status {
      DomainContext ctx{&pins_, 3, kNow};
      Services svc(conn, ctx);
      Cycles cycles(conn, ctx, programme_);
      return fn(cycles, svc);
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  MemberCycleView ViewOf(const std::string& phone) {
    DomainContext ctx{&pins_, 3, kNow};
    Cycles cycles(store_->Reader(), ctx, programme_);
    auto v = cycles.MemberView(MemberOn(phone).id);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : MemberCycleView{};
  }

  CycleFigures Figures() {
    DomainContext ctx{&pins_, 3, kNow};
    Cycles cycles(store_->Reader(), ctx, programme_);
    auto f = cycles.Figures(group_);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? *f : CycleFigures{};
  }

  Fine RecordFine(const std::string& phone, const char* kind, int64_t amount) {
    Fine out;
    WithCycles([&](Cycles& c, Services&) -> Status {
      auto f = c.RecordFine(MemberOn(phone).id, kind, amount, "", kStaff);
      if (f.ok()) out = *f;
      return f.status();
    });
    return out;
  }

  // Closes Upendo's cycle 1 and shares it out (pending savings and fines
  // confirmed first: a share-out needs none), optionally planning and starting
  // cycle 2 with a social fund contribution of `social` minor units.
  void ShareOut(bool start_next = false, int64_t social = 0) {
    WithCycles([&](Cycles& c, Services& svc) -> Status {
      auto pending = svc.PendingSavings(group_, 1000, 0);
      if (!pending.ok()) return pending.status();
      const int64_t wanjiru = MemberOn(kWanjiru).id;
      for (const Saving& s : *pending) {
        const int64_t decider = s.member_id == wanjiru ? MemberOn(kGrace).id : wanjiru;
        SHG_RETURN_IF_ERROR(svc.DecideSaving(s.id, decider, true));
      }
      auto fines = c.PendingFines(group_, 1000, 0);
      if (!fines.ok()) return fines.status();
      for (const Fine& f : *fines) {
        const int64_t decider = f.member_id == wanjiru ? MemberOn(kGrace).id : wanjiru;
        SHG_RETURN_IF_ERROR(c.DecideFine(f.id, decider, true, kStaff).status());
      }
      auto open = c.CurrentCycle(group_);
      if (!open.ok()) return open.status();
      SHG_RETURN_IF_ERROR(c.BeginClose(open->id, kStaff).status());
      SHG_RETURN_IF_ERROR(c.ConfirmShareOut(open->id, kStaff).status());
      if (!start_next) return Status::Ok();
      CycleRules rules;
      rules.social_fund_per_meeting = social;
      auto next = c.Plan(group_, rules, 0, kStaff);
      if (!next.ok()) return next.status();
      return c.Start(next->id, Reinvestment{}, kStaff).status();
    });
  }

  // SMS queued to `phone` so far, oldest first.
  std::vector<std::string> SmsFor(const std::string& phone) {
    std::vector<std::string> out;
    for (const std::string& row : Sms()) {
      if (row.rfind(phone + "|", 0) == 0) out.push_back(row.substr(phone.size() + 1));
    }
    return out;
  }

  SmsOutcome Text(const std::string& from, const std::string& text) {
    InboundSmsEvent ev{"at-ke", "p" + std::to_string(++sessions_), from, text, "req"};
    Result<SmsOutcome> out = Status::Internal("not run");
    Status s = store_->Run([&](store::Connection& conn) -> Status {
      DomainContext ctx{&pins_, 3, kNow};
      Services svc(conn, ctx);
      Messages messages(conn, kNow * 1000);
      out = sms_->Handle(svc, messages, ev);
      return out.status();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out.ok() ? *out : SmsOutcome::kDuplicate;
  }

  bool Has(const UssdReply& r, const std::string& part) {
    return r.text.find(part) != std::string::npos;
  }

  int64_t group_ = 0;
  int sessions_ = 0;
  std::unique_ptr<SmsCommands> sms_;
};

// --- balance (main menu 1) ---

struct BalanceCase {
  const char* name;
  std::string phone;
  std::function<void(EngineCycleTest&)> setup;
  std::vector<std::string> want;      // lines the screen shows
  std::vector<std::string> not_want;  // and does not
};

class BalanceCycleTest : public EngineCycleTest,
                         public ::testing::WithParamInterface<BalanceCase> {};

TEST_P(BalanceCycleTest, ShowsHerCycle) {
  const BalanceCase& c = GetParam();
  if (c.setup) c.setup(*this);
  const UssdReply r = Walk(c.phone, {"1"});
  EXPECT_FALSE(r.end);
  for (const std::string& w : c.want) EXPECT_TRUE(Has(r, w)) << "wanted " << w << " in\n" << r.text;
  for (const std::string& w : c.not_want) {
    EXPECT_FALSE(Has(r, w)) << "did not want " << w << " in\n" << r.text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BalanceCycleTest,
    ::testing::Values(
        // No income yet: her share is her savings, and it is called an estimate.
        BalanceCase{"estimate",
                    kAmina,
                    nullptr,
                    {"Savings: KES 4,250\n", "Social fund: KES 0\n", "\nShare-out est. KES 4,250\n"},
                    {"Fines pending"}},
        BalanceCase{"no_savings_no_estimate", kFaith, nullptr, {"Savings: KES 0\n"}, {"Share-out"}},
        BalanceCase{"pending_fine",
                    kAmina,
                    [](EngineCycleTest& t) { t.RecordFine(kAmina, "late", 5000); },
                    {"\nFines pending: KES 50\n", "Share-out est. KES 4,250"},
                    {}},
        BalanceCase{"shared_out",
                    kAmina,
                    [](EngineCycleTest& t) { t.ShareOut(); },
                    {"Savings: KES 0\n", "\nCycle 1 shared out\n"},
                    {"Share-out est."}},
        BalanceCase{"next_cycle_without_savings",
                    kAmina,
                    [](EngineCycleTest& t) { t.ShareOut(/*start_next=*/true); },
                    {"Savings: KES 0\n"},
                    {"Share-out est.", "shared out"}},
        BalanceCase{"kiswahili",
                    kHalima,
                    [](EngineCycleTest& t) { t.RecordFine(kHalima, "absent", 10000); },
                    {"Akiba: KES 2,000\n", "\nFaini: KES 100\n",
                     "\nMakadirio ya mgao: KES 2,000\n", "00. Menyu kuu"},
                    {}}),
    [](const ::testing::TestParamInfo<BalanceCase>& info) { return std::string(info.param.name); });

// Savings confirmed by the treasurer and a fine confirmed as paid: her
// balance, My group and the officers' share-out estimate follow the ledger.
TEST_F(EngineCycleTest, BalanceAndMyGroupAfterConfirmedSavingsAndAFine) {
  EXPECT_TRUE(Has(Walk(kAmina, {"2", "200", "1"}), "Saved KES 200"));
  // Wanjiru confirms it: 8, 1 (savings), 1 (the first), 1 (confirm).
  EXPECT_TRUE(Has(Walk(kWanjiru, {"8", "1", "1", "1"}), "Confirmed."));
  // Grace records a late fine on Amina (6, first member, first kind, confirm).
  UssdReply recorded = Walk(kGrace, {"8", "6", "1", "1", "1"});
  EXPECT_TRUE(Has(recorded, "Fine KES 50 for Amina recorded, pending. Ref ")) << recorded.text;
  EXPECT_TRUE(Has(Walk(kAmina, {"1"}), "\nFines pending: KES 50\n"));
  // Wanjiru confirms it was paid (8, 5, first fine, 1).
  UssdReply confirmed = Walk(kWanjiru, {"8", "5", "1", "1"});
  EXPECT_TRUE(Has(confirmed, "Confirmed paid. Ref ")) << confirmed.text;

  const MemberCycleView view = ViewOf(kAmina);
  ASSERT_TRUE(view.estimate.has_value());
  EXPECT_GE(view.estimate->share, 445000);  // her savings and a part of the fine
  EXPECT_EQ(view.fines_pending, 0);
  const UssdReply balance = Walk(kAmina, {"1"});
  EXPECT_EQ(balance.text, "Savings: KES 4,450\nPending: KES 0\nGroup fund: KES 40,400\n"
                          "Social fund: KES 0\nLoan: none\nShare-out est. " +
                              FormatMoney(view.estimate->share, Currency{"KES", 2}) +
                              "\n00. Main menu\n0. Back");

  const CycleFigures f = Figures();
  EXPECT_EQ(f.fund_cash, 4'040'000);
  const std::string ends = FullDate(ScreenContext{catalogue_.get(), "en", {}}, f.cycle.ends_at);
  // A member: both pages, no share-out total.
  EXPECT_EQ(Walk(kAmina, {"6"}).text,
            "Upendo Women Group\nMembers: 20\nSavings: KES 40,350\nFund cash: KES 40,400\n"
            "Loans out: KES 0\n98. More\n00. Main menu\n0. Back");
  const UssdReply page2 = Walk(kAmina, {"6", "98"});
  EXPECT_TRUE(page2.text.rfind("Social fund: KES 0\nCycle 1 ends " + ends + "\nMeets: Tuesday", 0) ==
              0)
      << page2.text;
  EXPECT_FALSE(Has(page2, "Share-out"));
  EXPECT_TRUE(Has(Walk(kAmina, {"6", "98", "0"}), "\nFund cash: KES 40,400\n"));
  EXPECT_TRUE(Has(Walk(kAmina, {"6", "98", "0", "0"}), "1. My balance"));
  // The treasurer also sees what the share-out would pay out today.
  const UssdReply officer = Walk(kWanjiru, {"6", "98"});
  EXPECT_TRUE(Has(officer, "\nShare-out est. total: KES 40,400\n")) << officer.text;

  // Her SMS, in order: saving logged, confirmed, fine recorded, fine paid.
  const std::vector<std::string> sms = SmsFor(kAmina);
  ASSERT_EQ(sms.size(), 4u);
  EXPECT_EQ(sms[2].rfind("receipt_fine|A fine (Late) of KES 50 was recorded on 27 November, "
                         "pending. Ref ",
                         0),
            0u)
      << sms[2];
  EXPECT_EQ(sms[3].rfind("fine_confirmed|Your fine (Late) of KES 50, Ref ", 0), 0u) << sms[3];
  EXPECT_NE(sms[3].find(", is confirmed as paid."), std::string::npos) << sms[3];
}

TEST_F(EngineCycleTest, MyGroupAfterTheShareOutSaysSo) {
  ShareOut();
  const UssdReply r = Walk(kWanjiru, {"6", "98"});
  EXPECT_TRUE(Has(r, "\nCycle 1 shared out\n")) << r.text;
  EXPECT_FALSE(Has(r, "Share-out est.")) << r.text;  // nothing left to estimate
}

// --- fines: confirm, waive, her own refused ---

struct DecideCase {
  const char* name;
  std::string fined;     // whose fine
  std::string officer;   // who decides it
  std::string key;       // 1 confirm, 2 waive
  std::string want_note; // on the list after the decision
  FineStatus want;       // the fine afterwards
  std::string want_sms;  // the start of the fined member's SMS ("" = none)
};

class DecideFineTest : public EngineCycleTest, public ::testing::WithParamInterface<DecideCase> {};

TEST_P(DecideFineTest, DecidesAndTellsHer) {
  const DecideCase& c = GetParam();
  const Fine fine = RecordFine(c.fined, "absent", 10000);
  const size_t before = SmsFor(c.fined).size();
  const UssdReply list = Walk(c.officer, {"8", "98"});
  EXPECT_TRUE(Has(list, "5. Fines to confirm (1)\n6. Record fine\n7. Social fund\n0. Back"))
      << list.text;
  const UssdReply decide = Walk(c.officer, {"8", "5", "1"});
  EXPECT_TRUE(Has(decide, ": fine (Absent) KES 100, 27 Nov. Ref " + fine.reference)) << decide.text;
  EXPECT_TRUE(Has(decide, "\n1. Confirm paid\n2. Waive\n0. Back")) << decide.text;
  const UssdReply after = Walk(c.officer, {"8", "5", "1", c.key});
  EXPECT_EQ(after.text.rfind(c.want_note, 0), 0u) << after.text;
  DomainContext ctx{&pins_, 3, kNow};
  Cycles cycles(store_->Reader(), ctx, programme_);
  EXPECT_EQ(cycles.GetFine(fine.id)->status, c.want);
  const std::vector<std::string> sms = SmsFor(c.fined);
  if (c.want_sms.empty()) {
    EXPECT_EQ(sms.size(), before);
  } else {
    ASSERT_EQ(sms.size(), before + 1);
    EXPECT_EQ(sms.back().rfind(c.want_sms, 0), 0u) << sms.back();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DecideFineTest,
    ::testing::Values(
        DecideCase{"confirm", kAmina, kWanjiru, "1", "Confirmed paid. Ref ",
                   FineStatus::kConfirmed, "fine_confirmed|Your fine (Absent) of KES 100, Ref "},
        DecideCase{"waive", kAmina, kGrace, "2", "Waived. Ref ", FineStatus::kWaived,
                   "fine_waived|Your fine (Absent) of KES 100, Ref "},
        DecideCase{"kiswahili_waived", kHalima, kGrace, "2", "Waived. Ref ",
                   FineStatus::kWaived, "fine_waived|Faini yako (Kutohudhuria) ya KES 100, Kumb "},
        DecideCase{"own_fine_refused", kWanjiru, kWanjiru, "1",
                   "Another officer must decide yours.", FineStatus::kPending, ""}),
    [](const ::testing::TestParamInfo<DecideCase>& info) { return std::string(info.param.name); });

TEST_F(EngineCycleTest, OwnFinesAreMarkedInTheList) {
  RecordFine(kWanjiru, "late", 5000);
  EXPECT_TRUE(Has(Walk(kWanjiru, {"8", "5"}), "1. Wanjiru KES 50 (yours)"));
  EXPECT_TRUE(Has(Walk(kGrace, {"8", "5"}), "1. Wanjiru KES 50\n"));
}

// --- record a fine ---

TEST_F(EngineCycleTest, RecordFineWithTheConfiguredOrAnotherAmount) {
  EXPECT_EQ(Walk(kGrace, {"8", "6"}).text,
            "Fine which member?\n1. Amina W.\n2. Wanjiru K.\n3. Grace A.\n98. More\n0. Back");
  EXPECT_EQ(Walk(kGrace, {"8", "6", "1"}).text,
            "Fine for Amina W.:\n1. Late KES 50\n2. Absent KES 100\n0. Back");
  EXPECT_EQ(Walk(kGrace, {"8", "6", "1", "2"}).text,
            "Record a fine (Absent) of KES 100 for Amina W.?\n1. Confirm\n2. Other amount\n0. Back");
  EXPECT_EQ(Walk(kGrace, {"8", "6", "1", "2", "2"}).text, "Fine amount (KES):\n0. Back");
  EXPECT_TRUE(Has(Walk(kGrace, {"8", "6", "1", "2", "2", "abc"}), "Enter an amount in whole KES."));
  EXPECT_TRUE(Has(Walk(kGrace, {"8", "6", "1", "2", "2", "75"}),
                  "Record a fine (Absent) of KES 75 for Amina W.?"));
  const UssdReply done = Walk(kGrace, {"8", "6", "1", "2", "2", "75", "1"});
  EXPECT_EQ(done.text.rfind("Fine KES 75 for Amina recorded, pending. Ref ", 0), 0u) << done.text;
  EXPECT_TRUE(Has(done, "\n1. Amina W.\n"));  // back to the members for the next one
  // A second page of members, and back.
  EXPECT_TRUE(Has(Walk(kGrace, {"8", "6", "98"}), "1. Faith N.\n2. Mary O.\n3. Halima H."));
  EXPECT_TRUE(Has(Walk(kGrace, {"8", "6", "98", "0"}), "1. Amina W."));

  DomainContext ctx{&pins_, 3, kNow};
  Cycles cycles(store_->Reader(), ctx, programme_);
  auto pending = cycles.PendingFines(group_, 10, 0);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].kind, "absent");
  EXPECT_EQ((*pending)[0].amount, 7500);
  EXPECT_EQ((*pending)[0].member_id, MemberOn(kAmina).id);
  const std::vector<std::string> sms = SmsFor(kAmina);
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0], "receipt_fine|A fine (Absent) of KES 75 was recorded on 27 November, pending. "
                    "Ref " + (*pending)[0].reference + ". Pay it to your treasurer.");
}

TEST_F(EngineCycleTest, FinesWaitForTheNextCycle) {
  ShareOut();
  EXPECT_TRUE(Has(Walk(kGrace, {"8", "6", "1", "1", "1"}), "Your group has no active cycle."));
  EXPECT_TRUE(Has(Walk(kGrace, {"8", "7"}), "Your group has no active cycle."));
}

// --- social fund ---

TEST_F(EngineCycleTest, ACycleWithoutASocialFundAsksForNone) {
  ShareOut(/*start_next=*/true, /*social=*/0);
  EXPECT_TRUE(Has(Walk(kWanjiru, {"8", "7"}), "This cycle has no social fund contribution."));
}

TEST_F(EngineCycleTest, SocialFundContributionOfTheCyclesAmount) {
  // The demo's cycle 1 asks KES 20 a meeting.
  EXPECT_EQ(Walk(kWanjiru, {"8", "7", "1"}).text,
            "Amina W. paid KES 20 to the social fund?\n1. Confirm\n0. Back");
  ShareOut(/*start_next=*/true, /*social=*/10000);
  EXPECT_EQ(Walk(kWanjiru, {"8", "7", "1"}).text,
            "Amina W. paid KES 100 to the social fund?\n1. Confirm\n0. Back");
  const UssdReply done = Walk(kWanjiru, {"8", "7", "1", "1"});
  EXPECT_EQ(done.text.rfind("KES 100 from Amina recorded. Ref ", 0), 0u) << done.text;
  EXPECT_TRUE(Has(Walk(kAmina, {"1"}), "Social fund: KES 100\n"));
  EXPECT_TRUE(Has(Walk(kAmina, {"6", "98"}), "Social fund: KES 100\nCycle 2 ends "));
  const std::vector<std::string> sms = SmsFor(kAmina);
  ASSERT_FALSE(sms.empty());
  EXPECT_EQ(sms.back().rfind("receipt_social|Your social fund contribution of KES 100 was "
                             "recorded on 27 November. Ref ",
                             0),
            0u)
      << sms.back();
}

// --- saving without an active cycle ---

TEST_F(EngineCycleTest, SaveWithoutAnActiveCycleIsToldSo) {
  const std::string kEnded =
      "Your group's savings cycle has ended. Savings open again when the next cycle starts.";
  // A save whose cycle is shared out between the amount and the confirmation.
  Step("cut", kAmina, 0, "");
  Step("cut", kAmina, 1, kPin);
  Step("cut", kAmina, 2, "2");
  EXPECT_TRUE(Has(Step("cut", kAmina, 3, "200").reply, "Save KES 200"));
  ShareOut();
  StepResult confirm = Step("cut", kAmina, 4, "1");
  EXPECT_EQ(confirm.reply.text, kEnded);
  EXPECT_TRUE(confirm.reply.end);
  // Menu 2 tells her at once.
  const UssdReply menu = Walk(kAmina, {"2"});
  EXPECT_EQ(menu.text, kEnded);
  EXPECT_TRUE(menu.end);
  // SAVE by SMS: the same words, nothing logged.
  const size_t before = SmsFor(kAmina).size();
  EXPECT_EQ(Text(kAmina, "SAVE 200"), SmsOutcome::kNoCycle);
  const std::vector<std::string> sms = SmsFor(kAmina);
  ASSERT_EQ(sms.size(), before + 1);
  EXPECT_EQ(sms.back(), "reply_save_no_cycle|" + kEnded + " Nothing was saved.");
  EXPECT_EQ(Text(kHalima, "akiba 200"), SmsOutcome::kNoCycle);
  EXPECT_EQ(SmsFor(kHalima).back(),
            "reply_save_no_cycle|Mzunguko wa akiba wa kikundi chako umeisha. Akiba itafunguliwa "
            "tena mzunguko ujao utakapoanza. Hakuna kilichowekwa.");
  EXPECT_EQ(BalanceOf(kAmina).savings_pending, 0);
}

// --- BAL by SMS ---

TEST_F(EngineCycleTest, BalanceSmsHasFinesSocialFundAndEstimateInOnePart) {
  RecordFine(kAmina, "late", 5000);
  EXPECT_EQ(Text(kAmina, "BAL"), SmsOutcome::kBalance);
  const std::string body = SmsFor(kAmina).back();
  EXPECT_EQ(body, "reply_balance|Amina: savings KES 4,250, pending KES 0. Group fund KES 40,150. "
                  "Loan: none. Fines pending KES 50. Social fund KES 0. Share-out est. KES 4,250");
  const SmsLength len = MeasureSms(body.substr(body.find('|') + 1));
  EXPECT_EQ(len.encoding, SmsEncoding::kGsm7);
  EXPECT_LE(len.units, kGsm7SingleLimit);
  ShareOut();
  EXPECT_EQ(Text(kAmina, "BAL"), SmsOutcome::kBalance);
  EXPECT_EQ(SmsFor(kAmina).back(), "reply_balance|Amina: savings KES 0, pending KES 0. Group fund "
                                  "KES 0. Loan: none. Social fund KES 0");
}

}  // namespace
}  // namespace shg::dialogs
