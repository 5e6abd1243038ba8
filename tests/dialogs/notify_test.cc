// Whose SMS it is (dialogs/notify.h): on a phone shared by several active
// members every SMS to one of them starts with her first name, in her
// language; on a phone of her own, and to a non-member, it does not. The
// prefix is measured with the text. Against a real SQLite file with the
// demo data (Rose and Joy share +254700000007).
#include "dialogs/notify.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "dialogs/loan_notices.h"
#include "dialogs/receipts.h"
#include "domain/demo.h"
#include "domain/store/store.h"
#include "tests/support/test_db.h"

namespace shg::dialogs {
namespace {

constexpr int64_t kNow = 1'795'737'600;  // 2026-11-27T00:00:00Z
const std::string kAmina = "+254700000001";   // en, her own phone
const std::string kHalima = "+254700000006";  // sw, her own phone until a test adds Zawadi
const std::string kRoseAndJoy = "+254700000007";

class NotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions so = test_db_.Options();
    so.synchronous = "OFF";
    auto st = store::Store::Open(so);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    ASSERT_TRUE(LoadDemo(*store_, pins_, 30, kNow - 86400).ok());
    auto cat = Catalogue::Load(std::string(SHG_SOURCE_DIR) + "/config/lang", {"en", "sw"});
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalogue_ = std::make_unique<Catalogue>(std::move(*cat));
    SmsRouting routing;
    routing.via["at-ke"] = "at-ke";
    routing.by_country["KE"] = "at-ke";
    notifier_ = std::make_unique<Notifier>(*catalogue_, routing, "en");
  }
  void TearDown() override {
    store_.reset();
  }

  // Runs `job` in a store job with this test's views; returns the message id.
  int64_t Run(const std::function<Result<int64_t>(Messages&, Services&)>& job) {
    int64_t id = 0;
    Status s = store_->Run([&](store::Connection& conn) -> Status {
      DomainContext ctx{&pins_, 3, kNow};
      Services svc(conn, ctx);
      Messages messages(conn, kNow * 1000);
      Result<int64_t> r = job(messages, svc);
      if (!r.ok()) return r.status();
      id = *r;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return id;
  }

  // The first active member on `phone` (MembersByPhone order) and her group.
  std::pair<Member, Group> MemberOn(const std::string& phone, size_t index = 0) {
    DomainContext ctx{&pins_, 3, kNow};
    Services svc(store_->Reader(), ctx);
    auto ms = svc.MembersByPhone(phone);
    EXPECT_TRUE(ms.ok() && ms->size() > index);
    auto g = svc.GetGroup((*ms)[index].group_id);
    EXPECT_TRUE(g.ok());
    return {(*ms)[index], *g};
  }

  // Adds a member (of the group of the first member on `phone`).
  void AddMemberOn(const std::string& phone, const std::string& name, const std::string& language,
                   bool active) {
    const Group g = MemberOn(phone).second;
    Run([&](Messages&, Services& svc) -> Result<int64_t> {
      Member m;
      m.group_id = g.id;
      m.phone = phone;
      m.name = name;
      m.language = language;
      m.active = active;
      return svc.AddMember(m);
    });
  }

  OutboundMessage Message(int64_t id) {
    auto m = Messages(store_->Reader(), 0).Get(id);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : OutboundMessage{};
  }

  shg::testing::TestDatabase test_db_;
  PinHasher pins_{"notify-test-pepper-0123456789abcdef"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Catalogue> catalogue_;
  std::unique_ptr<Notifier> notifier_;
};

// Each kind of sender (the one-time PIN without a Services view, a receipt
// and a loan notice with one) to each kind of phone, in her language.
TEST_F(NotifyTest, FirstNameOnlyOnASharedPhone) {
  AddMemberOn(kHalima, "Zawadi Mohamed", "sw", /*active=*/true);
  AddMemberOn(kAmina, "Former Member", "en", /*active=*/false);  // exited: not counted
  struct Case {
    const char* name;
    std::string phone;
    size_t index;  // which member on the phone
    std::string want_pin_reset;
    std::string want_pin_locked;
    std::string want_loan_cancelled;
  };
  const Case kCases[] = {
      {"shared phone, en (Rose)", kRoseAndJoy, 0,
       "Rose: Your one-time PIN is 4821. Dial *384*7# and choose a new PIN. Never share your PIN.",
       "Rose: Your PIN was locked after wrong tries. Ask your group treasurer to reset it. Never "
       "share your PIN.",
       "Rose: Your loan request Ref K7P2QX is cancelled."},
      {"shared phone, en (Joy)", kRoseAndJoy, 1,
       "Joy: Your one-time PIN is 4821. Dial *384*7# and choose a new PIN. Never share your PIN.",
       "Joy: Your PIN was locked after wrong tries. Ask your group treasurer to reset it. Never "
       "share your PIN.",
       "Joy: Your loan request Ref K7P2QX is cancelled."},
      {"shared phone, sw (Halima)", kHalima, 0,
       "Halima: PIN yako ya muda ni 4821. Piga *384*7# uchague PIN mpya. Usimpe mtu PIN yako.",
       "Halima: PIN yako imefungwa baada ya makosa. Muombe mweka hazina aifungue. Usimpe mtu PIN "
       "yako.",
       "Halima: Ombi lako la mkopo Kumb K7P2QX limeghairiwa."},
      {"own phone (an exited member on it does not count)", kAmina, 0,
       "Your one-time PIN is 4821. Dial *384*7# and choose a new PIN. Never share your PIN.",
       "Your PIN was locked after wrong tries. Ask your group treasurer to reset it. Never share "
       "your PIN.",
       "Your loan request Ref K7P2QX is cancelled."},
  };
  int64_t loan_id = 500;
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const auto [member, group] = MemberOn(c.phone, c.index);
    const int64_t reset = Run([&](Messages& m, Services&) {
      return SendPinReset(*notifier_, m, "at-ke", member, group, "4821", "*384*7#");
    });
    EXPECT_EQ(Message(reset).body, c.want_pin_reset);
    EXPECT_EQ(Message(reset).segments, 1);
    const int64_t locked =
        Run([&](Messages& m, Services&) { return SendPinLocked(*notifier_, m, "", member, group, kNow); });
    EXPECT_EQ(Message(locked).body, c.want_pin_locked);

    Loan loan;
    loan.id = ++loan_id;
    loan.reference = "K7P2QX";
    loan.member_id = member.id;
    loan.group_id = member.group_id;
    loan.currency = "KES";
    loan.amount = 10'000'00;
    loan.state = LoanState::kCancelled;
    Run([&](Messages& m, Services& svc) -> Result<int64_t> {
      auto n = SendLoanNotices(*notifier_, m, svc, "", LoanChange{loan, {LoanState::kCancelled}, true});
      if (!n.ok()) return n.status();
      EXPECT_EQ(*n, 1);
      return int64_t{0};
    });
    auto list = Messages(store_->Reader(), 0).List("", 1);
    ASSERT_TRUE(list.ok() && !list->empty());
    EXPECT_EQ(list->front().body, c.want_loan_cancelled);
    EXPECT_EQ(list->front().member_id, member.id);
  }
}

// A non-member (the "not registered" reply, an SMS command answered on a
// shared phone) has no name: no prefix, even if the phone is shared.
TEST_F(NotifyTest, NoPrefixWithoutAMember) {
  const SmsTo kCases[] = {
      SmsTo{0, "+254799000001", "en", "KE", "", false},
      SmsTo{0, kRoseAndJoy, "en", "KE", "", /*shared_phone=*/true},
  };
  for (const SmsTo& to : kCases) {
    SCOPED_TRACE(to.phone);
    const int64_t id = Run([&](Messages& m, Services&) {
      return notifier_->Send(m, "at-ke", to, "reply_not_registered", "sms_not_registered", {}, "");
    });
    EXPECT_EQ(Message(id).body, "This number is not registered. Ask your group facilitator.");
  }
}

TEST_F(NotifyTest, SmsToMemberCountsTheActiveMembersOnHerPhone) {
  struct Case {
    std::string phone;
    std::string first_name;
    bool shared;
  };
  const Case kCases[] = {{kRoseAndJoy, "Rose", true}, {kAmina, "Amina", false}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.phone);
    const auto [member, group] = MemberOn(c.phone);
    DomainContext ctx{&pins_, 3, kNow};
    Services svc(store_->Reader(), ctx);
    auto to = SmsToMember(svc, member, group);
    ASSERT_TRUE(to.ok()) << to.status().ToString();
    EXPECT_EQ(to->member_id, member.id);
    EXPECT_EQ(to->phone, c.phone);
    EXPECT_EQ(to->language, member.language);
    EXPECT_EQ(to->country, "KE");
    EXPECT_EQ(to->first_name, c.first_name);
    EXPECT_EQ(to->shared_phone, c.shared);
  }
}

// The prefix is part of what is measured: a text that just fits one part
// alone takes two with the name before it.
TEST_F(NotifyTest, ThePrefixCountsInTheLength) {
  auto cat = Catalogue::FromTexts(
      {{"en", "code = \"en\"\nname = \"English\"\n[text]\nsms_name_prefix = \"{name}: \"\n"
              "sms_long = \"" + std::string(154, 'x') + "\"\n"}});
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  SmsRouting routing;
  routing.by_country["KE"] = "at-ke";
  Notifier notifier(*cat, routing, "en");
  const int64_t rose = MemberOn(kRoseAndJoy).first.id;
  const struct {
    std::string first_name;
    bool shared;
    size_t want_chars;
    int want_segments;
  } kCases[] = {
      {"Rose", false, 154, 1},     // no prefix
      {"Rose", true, 160, 1},      // "Rose: " + 154 = 160
      {"Roseanne", true, 164, 2},  // over by 4
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.first_name + (c.shared ? " shared" : " own"));
    const SmsTo to{rose, kRoseAndJoy, "en", "KE", c.first_name, c.shared};
    EXPECT_EQ(notifier.RenderTo(to, "sms_long", {}).size(), c.want_chars);
    const int64_t id =
        Run([&](Messages& m, Services&) { return notifier.Send(m, "", to, "test", "sms_long", {}, ""); });
    EXPECT_EQ(Message(id).body.size(), c.want_chars);
    EXPECT_EQ(Message(id).segments, c.want_segments);
  }
}

}  // namespace
}  // namespace shg::dialogs
