// Read-only units of work (a USSD step computed on a reader snapshot): every
// write is refused with ReadOnly and nothing changes, SaveSession is kept for
// the caller, and SaveSessionIfAt stores it only if the session has not
// moved meanwhile.
#include <gtest/gtest.h>

#include "domain/services.h"
#include "domain/store/store.h"
#include "tests/domain/temp_db.h"

namespace shg {
namespace {

constexpr int64_t kNow = 1700000000;

class ReadOnlyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::ConnectionOptions o;
    o.synchronous = "OFF";
    auto db = store::Connection::Open(tmp_.path(), o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(store::Migrate(*db_).ok());
    ctx_.pins = &pins_;
    ctx_.now = kNow;
    Services svc(*db_, ctx_);
    Group g;
    g.name = "Upendo";
    g.country = "KE";
    g.currency = "KES";
    group_ = *svc.AddGroup(g);
    Member m;
    m.group_id = group_;
    m.phone = "+254700000001";
    m.name = "Amina";
    member_ = *svc.AddMember(m);
    ASSERT_TRUE(svc.SetPin(member_, "2580").ok());
    ro_ = ctx_;
    ro_.read_only = true;
  }

  SessionRecord Session(int step) {
    SessionRecord s;
    s.channel = "at-ke";
    s.session_id = "S1";
    s.phone = "+2547****0001";
    s.state = "s=5;";
    s.step = step;
    s.answer = "screen " + std::to_string(step);
    s.expires_at = kNow + 180;
    return s;
  }

  testing_support::TempDb tmp_;
  std::unique_ptr<store::Connection> db_;
  PinHasher pins_{"read-only-test-pepper-0123456789"};
  DomainContext ctx_;
  DomainContext ro_;
  int64_t group_ = 0;
  int64_t member_ = 0;
};

TEST_F(ReadOnlyTest, EveryWriteIsRefusedAndNothingChanges) {
  Services svc(*db_, ro_);
  EXPECT_EQ(svc.LogSaving(member_, 100, "at-ke", "k").status().code(), Status::Code::kReadOnly);
  EXPECT_EQ(svc.SetPin(member_, "1357").code(), Status::Code::kReadOnly);
  EXPECT_EQ(svc.ResetPin(member_, "4826").code(), Status::Code::kReadOnly);
  EXPECT_EQ(svc.SetLanguage(member_, "sw").code(), Status::Code::kReadOnly);
  EXPECT_EQ(svc.Audit({"member", "1", "x", "y", "", "", ""}).code(), Status::Code::kReadOnly);
  EXPECT_EQ(svc.DecideSaving(1, member_, true).code(), Status::Code::kReadOnly);
  EXPECT_EQ(svc.PurgeExpiredSessions().status().code(), Status::Code::kReadOnly);
  // A wrong PIN must be counted, so it needs the writer.
  EXPECT_EQ(svc.VerifyPin(member_, "1111").status().code(), Status::Code::kReadOnly);
  // The right PIN with no failure to clear writes nothing: allowed.
  auto ok = svc.VerifyPin(member_, "2580");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->check, PinCheck::kOk);

  Services rw(*db_, ctx_);
  EXPECT_EQ(rw.GetMember(member_)->pin_failed, 0);
  EXPECT_EQ(rw.GetMember(member_)->language, "en");
  EXPECT_EQ(rw.BalancesFor(member_)->savings_pending, 0);
}

TEST_F(ReadOnlyTest, SaveSessionIsDeferred) {
  Services svc(*db_, ro_);
  EXPECT_FALSE(svc.deferred_session().has_value());
  ASSERT_TRUE(svc.SaveSession(Session(0)).ok());
  ASSERT_TRUE(svc.deferred_session().has_value());
  EXPECT_EQ(svc.deferred_session()->answer, "screen 0");
  Services rw(*db_, ctx_);
  EXPECT_FALSE(rw.LoadSession("at-ke", "S1")->has_value());
}

TEST_F(ReadOnlyTest, SaveSessionIfAtStoresOnlyFromTheExpectedStep) {
  Services rw(*db_, ctx_);
  struct Case {
    int expected;
    int step;
    bool stored;
    int stored_step;
  };
  const Case cases[] = {
      {-1, 0, true, 0},   // a new session
      {-1, 0, false, 0},  // a second "new" one with the same id lost the race
      {0, 1, true, 1},    // the next step
      {0, 1, false, 1},   // the same step again (a concurrent retry)
      {3, 4, false, 1},   // a step from a future that did not happen
      {1, 2, true, 2},
  };
  for (const Case& c : cases) {
    auto r = rw.SaveSessionIfAt(Session(c.step), c.expected);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, c.stored) << "expected " << c.expected << " step " << c.step;
    auto loaded = rw.LoadSession("at-ke", "S1");
    ASSERT_TRUE(loaded.ok() && loaded->has_value());
    EXPECT_EQ((*loaded)->step, c.stored_step);
  }
  // An expired session no longer blocks a new one under the same id.
  DomainContext later = ctx_;
  later.now = kNow + 1000;
  Services rw_later(*db_, later);
  SessionRecord fresh = Session(0);
  fresh.expires_at = later.now + 180;
  EXPECT_TRUE(*rw_later.SaveSessionIfAt(fresh, -1));
  EXPECT_FALSE(*rw_later.SaveSessionIfAt(Session(3), 2));  // the old one is gone
}

}  // namespace
}  // namespace shg
