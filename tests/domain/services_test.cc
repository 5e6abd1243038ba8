// Services over a real SQLite file: members, PINs, savings and their
// decisions, balances, statement, training, audit and sessions.
#include "domain/services.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "domain/refcode.h"
#include "domain/store/store.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

using store::Connection;
using store::SqliteConnection;
using store::ScopedReset;
using store::Statement;
using TempDb = shg::testing::TestDatabase;

constexpr int64_t kNow = 1700000000;
constexpr char kCountSavings[] = "SELECT COUNT(*) FROM savings";
constexpr char kCountAudit[] = "SELECT COUNT(*) FROM audit_log";
constexpr char kCountJournals[] = "SELECT COUNT(*) FROM journals";
constexpr char kAuditRow[] =
    "SELECT at, actor_kind, actor, action, subject, channel, request_id, detail FROM audit_log";

int64_t Count(Connection& db, const char* sql) {
  Statement& st = db.Prepare(sql);
  ScopedReset reset(st);
  Result<bool> row = st.Step();
  EXPECT_TRUE(row.ok() && *row);
  return st.Int(0);
}

// The value of a result that must be OK (a failed expectation otherwise).
template <typename T>
T Must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : T{};
}

// One KES group (treasurer, chair, secretary, two members, an exited
// treasurer) and a UGX group with its own treasurer.
class ServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::ConnectionOptions o;
    o.synchronous = "OFF";  // speed; durability is the store tests' business
    auto db = tmp_.Connect();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(store::Migrate(*db_).ok());
    ctx_.pins = &pins_;
    ctx_.now = kNow;

    kes_ = Must(svc().AddGroup(MakeGroup("Upendo", "KE", "KES")));
    ugx_ = Must(svc().AddGroup(MakeGroup("Tumaini", "UG", "UGX")));
    treasurer_ = Must(svc().AddMember(MakeMember(kes_, "+254700000002", "Wanjiru", Role::kTreasurer)));
    chair_ = Must(svc().AddMember(MakeMember(kes_, "+254700000003", "Grace", Role::kChair)));
    secretary_ = Must(svc().AddMember(MakeMember(kes_, "+254700000009", "Esther", Role::kSecretary)));
    amina_ = Must(svc().AddMember(MakeMember(kes_, "+254700000001", "Amina", Role::kMember)));
    halima_ = Must(svc().AddMember(MakeMember(kes_, "+254700000006", "Halima", Role::kMember)));
    Member exited = MakeMember(kes_, "+254700000010", "Old Treasurer", Role::kTreasurer);
    exited.active = false;
    exited_treasurer_ = Must(svc().AddMember(exited));
    other_treasurer_ =
        Must(svc().AddMember(MakeMember(ugx_, "+256700000002", "Joan", Role::kTreasurer)));
  }

  Services svc() { return Services(*db_, ctx_); }

  static Group MakeGroup(const std::string& name, const std::string& country,
                         const std::string& currency) {
    Group g;
    g.name = name;
    g.country = country;
    g.currency = currency;
    g.meeting_day = "Tuesday";
    g.meeting_place = "Hall";
    return g;
  }

  static Member MakeMember(int64_t group, const std::string& phone, const std::string& name,
                           Role role) {
    Member m;
    m.group_id = group;
    m.phone = phone;
    m.name = name;
    m.role = role;
    return m;
  }

  // A confirmed saving of `amount` for `member`, decided by the treasurer
  // (or by the chair for the treasurer's own).
  Saving Confirmed(int64_t member, int64_t amount) {
    Saving s = Must(svc().LogSaving(member, amount, "ussd", ""));
    const int64_t decider = member == treasurer_ ? chair_ : treasurer_;
    EXPECT_TRUE(svc().DecideSaving(s.id, decider, true).ok());
    return s;
  }

  TempDb tmp_;
  std::unique_ptr<Connection> db_;
  PinHasher pins_{"0123456789abcdef-test-pepper"};
  DomainContext ctx_;
  int64_t kes_ = 0, ugx_ = 0;
  int64_t treasurer_ = 0, chair_ = 0, secretary_ = 0, amina_ = 0, halima_ = 0;
  int64_t exited_treasurer_ = 0, other_treasurer_ = 0;
};

// ------------------------------------------------------- groups and members

TEST_F(ServicesTest, AddGroupValidatesInput) {
  struct Case {
    const char* name;
    const char* country;
    const char* currency;
    const char* status;
    Status::Code want;
  };
  const Case kCases[] = {
      {"Ok group", "KE", "KES", "active", Status::Code::kOk},
      {"", "KE", "KES", "active", Status::Code::kInvalidArgument},
      {"Bad currency", "KE", "XXX", "active", Status::Code::kInvalidArgument},
      {"Bad country", "Kenya", "KES", "active", Status::Code::kInvalidArgument},
      {"Bad status", "KE", "KES", "dissolved", Status::Code::kInvalidArgument},
  };
  for (const Case& c : kCases) {
    Group g = MakeGroup(c.name, c.country, c.currency);
    g.status = c.status;
    Result<int64_t> id = svc().AddGroup(g);
    EXPECT_EQ(id.status().code(), c.want) << c.name << ": " << id.status().ToString();
    if (id.ok()) {
      Group got = Must(svc().GetGroup(*id));
      EXPECT_EQ(got.name, c.name);
      EXPECT_EQ(got.currency, c.currency);
      EXPECT_EQ(got.meeting_day, "Tuesday");
    }
  }
  EXPECT_EQ(svc().GetGroup(9999).status().code(), Status::Code::kNotFound);
}

TEST_F(ServicesTest, AddMemberValidatesPhoneAndGroup) {
  struct Case {
    int64_t group;
    const char* phone;
    const char* name;
    Status::Code want;
  };
  const Case kCases[] = {
      {kes_, "+254711222333", "Ok", Status::Code::kOk},
      {kes_, "0711222333", "National form", Status::Code::kInvalidArgument},
      {kes_, "+25471122233", "Too short", Status::Code::kInvalidArgument},
      {kes_, "+254 711 222 333", "Spaces", Status::Code::kInvalidArgument},
      {kes_, "+254711222333", "", Status::Code::kInvalidArgument},
      {9999, "+254711222333", "No group", Status::Code::kNotFound},
  };
  for (const Case& c : kCases) {
    Result<int64_t> id = svc().AddMember(MakeMember(c.group, c.phone, c.name, Role::kMember));
    EXPECT_EQ(id.status().code(), c.want) << c.name << ": " << id.status().ToString();
  }
}

TEST_F(ServicesTest, GetMemberAndMembersByPhone) {
  Member amina = Must(svc().GetMember(amina_));
  EXPECT_EQ(amina.name, "Amina");
  EXPECT_EQ(amina.group_id, kes_);
  EXPECT_EQ(amina.role, Role::kMember);
  EXPECT_EQ(amina.language, "en");
  EXPECT_TRUE(amina.active);
  EXPECT_FALSE(amina.has_pin);
  EXPECT_EQ(amina.joined_at, kNow);
  EXPECT_EQ(svc().GetMember(9999).status().code(), Status::Code::kNotFound);

  // A shared phone lists its active members in id order; exited ones are
  // left out.
  const int64_t rose = Must(svc().AddMember(MakeMember(kes_, "+254700000007", "Rose", Role::kMember)));
  const int64_t joy = Must(svc().AddMember(MakeMember(kes_, "+254700000007", "Joy", Role::kMember)));
  Member gone = MakeMember(kes_, "+254700000007", "Gone", Role::kMember);
  gone.active = false;
  Must(svc().AddMember(gone));
  std::vector<Member> on_phone = Must(svc().MembersByPhone("+254700000007"));
  ASSERT_EQ(on_phone.size(), 2u);
  EXPECT_EQ(on_phone[0].id, rose);
  EXPECT_EQ(on_phone[1].id, joy);
  EXPECT_TRUE(Must(svc().MembersByPhone("+254799999999")).empty());
  // The same count without reading the rows (is her phone shared?).
  EXPECT_EQ(Must(svc().ActiveMembersOnPhone("+254700000007")), 2);
  EXPECT_EQ(Must(svc().ActiveMembersOnPhone("+254700000001")), 1);
  EXPECT_EQ(Must(svc().ActiveMembersOnPhone("+254799999999")), 0);
}

TEST_F(ServicesTest, SetLanguage) {
  EXPECT_TRUE(svc().SetLanguage(halima_, "sw").ok());
  EXPECT_EQ(Must(svc().GetMember(halima_)).language, "sw");
  EXPECT_EQ(svc().SetLanguage(halima_, "").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(svc().SetLanguage(halima_, "sw'; --").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(svc().SetLanguage(9999, "sw").code(), Status::Code::kNotFound);
}

// ---------------------------------------------------------------------- PIN

TEST_F(ServicesTest, PinLifecycle) {
  enum Action { kSet, kVerify, kReset };
  struct Want {  // what VerifyPin reports
    PinCheck check;
    int tries_left;  // checked after a wrong PIN
    bool just_locked;
    bool must_change;
  };
  struct Step {
    Action action;
    const char* pin;
    Status::Code status;  // of the call
    Want want;            // kVerify only
  };
  using C = Status::Code;
  const Step kSteps[] = {
      {kVerify, "2580", C::kOk, {PinCheck::kNotSet, 0, false, false}},
      {kSet, "1234", C::kInvalidArgument, {}},  // ascending run
      {kSet, "9876", C::kInvalidArgument, {}},  // descending run
      {kSet, "7777", C::kInvalidArgument, {}},  // all equal
      {kSet, "258", C::kInvalidArgument, {}},
      {kSet, "25a0", C::kInvalidArgument, {}},
      {kSet, "2580", C::kOk, {}},
      {kVerify, "2580", C::kOk, {PinCheck::kOk, 0, false, false}},
      {kVerify, "1111", C::kOk, {PinCheck::kWrong, 2, false, false}},
      {kVerify, "1112", C::kOk, {PinCheck::kWrong, 1, false, false}},
      {kVerify, "2580", C::kOk, {PinCheck::kOk, 0, false, false}},  // resets the count
      {kVerify, "0000", C::kOk, {PinCheck::kWrong, 2, false, false}},
      {kVerify, "0001", C::kOk, {PinCheck::kWrong, 1, false, false}},
      {kVerify, "0002", C::kOk, {PinCheck::kWrong, 0, true, false}},
      {kVerify, "2580", C::kOk, {PinCheck::kLocked, 0, false, false}},  // even the right PIN
      {kReset, "12", C::kInvalidArgument, {}},
      {kReset, "4731", C::kOk, {}},
      {kVerify, "2580", C::kOk, {PinCheck::kWrong, 2, false, false}},  // old PIN is gone
      {kVerify, "4731", C::kOk, {PinCheck::kOk, 0, false, true}},
      {kSet, "4731", C::kAlreadyExists, {}},  // must differ from the one-time PIN
      {kSet, "3691", C::kOk, {}},
      {kSet, "3691", C::kAlreadyExists, {}},  // a "change" to the PIN in force
      {kVerify, "3691", C::kOk, {PinCheck::kOk, 0, false, false}},
      {kVerify, "4731", C::kOk, {PinCheck::kWrong, 2, false, false}},
  };
  int i = 0;
  for (const Step& s : kSteps) {
    SCOPED_TRACE("step " + std::to_string(i++) + " pin " + s.pin);
    switch (s.action) {
      case kSet:
        EXPECT_EQ(svc().SetPin(amina_, s.pin).code(), s.status);
        break;
      case kReset:
        EXPECT_EQ(svc().ResetPin(amina_, s.pin).code(), s.status);
        break;
      case kVerify: {
        Result<PinOutcome> out = svc().VerifyPin(amina_, s.pin);
        ASSERT_EQ(out.status().code(), s.status) << out.status().ToString();
        EXPECT_EQ(out->check, s.want.check);
        if (s.want.check == PinCheck::kWrong) {
          EXPECT_EQ(out->tries_left, s.want.tries_left);
        }
        EXPECT_EQ(out->just_locked, s.want.just_locked);
        EXPECT_EQ(out->must_change, s.want.must_change);
        break;
      }
    }
  }
}

TEST_F(ServicesTest, PinStateIsReportedOnTheMember) {
  ASSERT_TRUE(svc().SetPin(amina_, "2580").ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(svc().VerifyPin(amina_, "1111").ok());
  Member locked = Must(svc().GetMember(amina_));
  EXPECT_TRUE(locked.has_pin);
  EXPECT_TRUE(locked.pin_locked);
  EXPECT_EQ(locked.pin_failed, 3);
  ASSERT_TRUE(svc().ResetPin(amina_, "4731").ok());
  Member reset = Must(svc().GetMember(amina_));
  EXPECT_FALSE(reset.pin_locked);
  EXPECT_EQ(reset.pin_failed, 0);
  EXPECT_TRUE(reset.pin_must_change);
  EXPECT_EQ(svc().ResetPin(9999, "4731").code(), Status::Code::kNotFound);
  EXPECT_EQ(svc().VerifyPin(9999, "4731").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(svc().SetPin(9999, "3691").code(), Status::Code::kNotFound);
}

TEST_F(ServicesTest, LockoutFollowsTheConfiguredLimit) {
  ASSERT_TRUE(svc().SetPin(amina_, "2580").ok());
  ctx_.max_pin_failures = 5;
  for (int i = 1; i <= 5; ++i) {
    PinOutcome out = Must(svc().VerifyPin(amina_, "1111"));
    EXPECT_EQ(out.check, PinCheck::kWrong);
    EXPECT_EQ(out.tries_left, 5 - i);
    EXPECT_EQ(out.just_locked, i == 5);
  }
  EXPECT_EQ(Must(svc().VerifyPin(amina_, "2580")).check, PinCheck::kLocked);
}

TEST_F(ServicesTest, PinsAreNeverStoredInClearNorAudited) {
  ASSERT_TRUE(svc().SetPin(amina_, "3691").ok());
  ASSERT_TRUE(svc().VerifyPin(amina_, "3691").ok());
  ASSERT_TRUE(svc().VerifyPin(amina_, "8529").ok());
  ASSERT_TRUE(svc().ResetPin(halima_, "4731").ok());
  EXPECT_EQ(Count(*db_, kCountAudit), 0);  // callers audit, without PINs
  db_.reset();  // flush and close
  const std::string stored = tmp_.AllContent();
  ASSERT_FALSE(stored.empty());
  for (const char* pin : {"3691", "8529", "4731"}) {
    EXPECT_EQ(stored.find(pin), std::string::npos) << pin << " found in the database";
  }
}

// ------------------------------------------------------------------ savings

TEST_F(ServicesTest, LogSavingCreatesAPendingSaving) {
  struct Case {
    int64_t member;
    int64_t amount;
    Status::Code want;
  };
  const Case kCases[] = {
      {amina_, 50000, Status::Code::kOk},
      {amina_, 0, Status::Code::kInvalidArgument},
      {amina_, -100, Status::Code::kInvalidArgument},
      {9999, 50000, Status::Code::kNotFound},
      {exited_treasurer_, 50000, Status::Code::kFailedPrecondition},
  };
  for (const Case& c : kCases) {
    Result<Saving> s = svc().LogSaving(c.member, c.amount, "ussd", "");
    ASSERT_EQ(s.status().code(), c.want) << c.amount << ": " << s.status().ToString();
    if (!s.ok()) continue;
    EXPECT_EQ(s->status, SavingStatus::kPending);
    EXPECT_EQ(s->amount, c.amount);
    EXPECT_EQ(s->currency, "KES");
    EXPECT_EQ(s->group_id, kes_);
    EXPECT_EQ(s->member_name, "Amina");
    EXPECT_EQ(s->created_at, kNow);
    EXPECT_TRUE(IsReferenceCode(s->reference)) << s->reference;
    Saving again = Must(svc().GetSaving(s->id));
    EXPECT_EQ(again.reference, s->reference);
    EXPECT_EQ(again.member_name, "Amina");
  }
  EXPECT_EQ(Count(*db_, kCountSavings), 1);
  EXPECT_EQ(svc().GetSaving(9999).status().code(), Status::Code::kNotFound);
}

TEST_F(ServicesTest, LogSavingIsIdempotentPerKey) {
  Saving first = Must(svc().LogSaving(amina_, 50000, "ussd", "at-ke:sess1:3"));
  ctx_.now = kNow + 5;
  // A retried request (even with another amount) returns the first saving.
  Saving retry = Must(svc().LogSaving(amina_, 70000, "ussd", "at-ke:sess1:3"));
  EXPECT_EQ(retry.id, first.id);
  EXPECT_EQ(retry.reference, first.reference);
  EXPECT_EQ(retry.amount, 50000);
  EXPECT_EQ(retry.created_at, kNow);
  EXPECT_EQ(Count(*db_, kCountSavings), 1);

  // The same key from another member is refused; a new key is a new saving;
  // no key never deduplicates.
  EXPECT_EQ(svc().LogSaving(halima_, 50000, "ussd", "at-ke:sess1:3").status().code(),
            Status::Code::kAlreadyExists);
  Saving other = Must(svc().LogSaving(amina_, 50000, "ussd", "at-ke:sess1:4"));
  EXPECT_NE(other.id, first.id);
  EXPECT_NE(other.reference, first.reference);
  Must(svc().LogSaving(amina_, 50000, "sms", ""));
  Must(svc().LogSaving(amina_, 50000, "sms", ""));
  EXPECT_EQ(Count(*db_, kCountSavings), 4);
}

TEST_F(ServicesTest, PendingSavingsOldestFirstWithPaging) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ctx_.now = kNow + i;
    ids.push_back(Must(svc().LogSaving(i % 2 ? amina_ : halima_, 1000 * (i + 1), "ussd", "")).id);
  }
  Must(svc().LogSaving(other_treasurer_, 1000, "ussd", ""));  // other group
  ASSERT_TRUE(svc().DecideSaving(ids[1], treasurer_, true).ok());
  std::vector<Saving> page1 = Must(svc().PendingSavings(kes_, 2, 0));
  std::vector<Saving> page2 = Must(svc().PendingSavings(kes_, 2, 2));
  ASSERT_EQ(page1.size(), 2u);
  ASSERT_EQ(page2.size(), 2u);
  EXPECT_EQ(page1[0].id, ids[0]);
  EXPECT_EQ(page1[1].id, ids[2]);
  EXPECT_EQ(page2[0].id, ids[3]);
  EXPECT_EQ(page2[1].id, ids[4]);
  EXPECT_EQ(page1[0].member_name, "Halima");
  EXPECT_TRUE(Must(svc().PendingSavings(kes_, 2, 4)).empty());
  EXPECT_EQ(svc().PendingSavings(kes_, 0, 0).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(svc().PendingSavings(kes_, 10, -1).status().code(), Status::Code::kInvalidArgument);
}

TEST_F(ServicesTest, DecideSavingPermissionMatrix) {
  struct Case {
    const char* name;
    int64_t owner;    // who logged the saving
    int64_t decider;
    bool confirm;
    Status::Code want;
  };
  const Case kCases[] = {
      {"treasurer confirms", amina_, treasurer_, true, Status::Code::kOk},
      {"chair confirms", amina_, chair_, true, Status::Code::kOk},
      {"treasurer rejects", amina_, treasurer_, false, Status::Code::kOk},
      {"member herself", amina_, amina_, true, Status::Code::kPermissionDenied},
      {"another member", amina_, halima_, true, Status::Code::kPermissionDenied},
      {"secretary", amina_, secretary_, true, Status::Code::kPermissionDenied},
      {"other group's treasurer", amina_, other_treasurer_, true,
       Status::Code::kPermissionDenied},
      {"exited treasurer", amina_, exited_treasurer_, true, Status::Code::kPermissionDenied},
      {"unknown decider", amina_, 9999, true, Status::Code::kNotFound},
      {"treasurer's own saving", treasurer_, treasurer_, true, Status::Code::kPermissionDenied},
      {"treasurer's own, rejecting", treasurer_, treasurer_, false,
       Status::Code::kPermissionDenied},
      {"chair confirms the treasurer's", treasurer_, chair_, true, Status::Code::kOk},
      {"chair's own saving", chair_, chair_, true, Status::Code::kPermissionDenied},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const int64_t before = Must(svc().BalancesFor(c.owner)).savings_confirmed;
    const int64_t journals_before = Count(*db_, kCountJournals);
    Saving s = Must(svc().LogSaving(c.owner, 25000, "ussd", ""));
    EXPECT_EQ(svc().DecideSaving(s.id, c.decider, c.confirm).code(), c.want);
    Saving after = Must(svc().GetSaving(s.id));
    const bool posted = c.want == Status::Code::kOk && c.confirm;
    const SavingStatus want_status = c.want != Status::Code::kOk ? SavingStatus::kPending
                                     : c.confirm                 ? SavingStatus::kConfirmed
                                                                 : SavingStatus::kRejected;
    EXPECT_EQ(after.status, want_status);
    EXPECT_EQ(Must(svc().BalancesFor(c.owner)).savings_confirmed, before + (posted ? 25000 : 0));
    EXPECT_EQ(Count(*db_, kCountJournals), journals_before + (posted ? 1 : 0));
  }
  EXPECT_EQ(svc().DecideSaving(9999, treasurer_, true).code(), Status::Code::kNotFound);
  EXPECT_TRUE(svc().CheckLedger().ok());
}

TEST_F(ServicesTest, ASavingIsDecidedOnlyOnce) {
  struct Case {
    bool first;
    bool second;
  };
  const Case kCases[] = {{true, true}, {true, false}, {false, true}, {false, false}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::to_string(c.first) + "->" + std::to_string(c.second));
    Saving s = Must(svc().LogSaving(amina_, 10000, "ussd", ""));
    ASSERT_TRUE(svc().DecideSaving(s.id, treasurer_, c.first).ok());
    const Balances before = Must(svc().BalancesFor(amina_));
    Status again = svc().DecideSaving(s.id, chair_, c.second);
    EXPECT_EQ(again.code(), Status::Code::kFailedPrecondition) << again.ToString();
    const Balances after = Must(svc().BalancesFor(amina_));
    EXPECT_EQ(after.savings_confirmed, before.savings_confirmed);
    EXPECT_EQ(after.group_fund, before.group_fund);
    EXPECT_EQ(Must(svc().GetSaving(s.id)).status,
              c.first ? SavingStatus::kConfirmed : SavingStatus::kRejected);
  }
}

// ---------------------------------------------------- balances and statement

TEST_F(ServicesTest, BalancesAndStatementAfterDecisions) {
  struct Entry {
    int64_t amount;
    enum { kConfirm, kReject, kLeave } then;
  };
  const Entry kEntries[] = {
      {50000, Entry::kConfirm}, {75000, Entry::kConfirm}, {30000, Entry::kReject},
      {20000, Entry::kLeave},   {10000, Entry::kLeave},
  };
  std::vector<Saving> logged;
  for (size_t i = 0; i < std::size(kEntries); ++i) {
    ctx_.now = kNow + 100 * static_cast<int64_t>(i);
    Saving s = Must(svc().LogSaving(amina_, kEntries[i].amount, "ussd", ""));
    if (kEntries[i].then != Entry::kLeave) {
      ASSERT_TRUE(svc().DecideSaving(s.id, treasurer_, kEntries[i].then == Entry::kConfirm).ok());
    }
    logged.push_back(s);
  }
  Confirmed(halima_, 40000);  // the group fund holds everyone's savings

  Balances b = Must(svc().BalancesFor(amina_));
  EXPECT_EQ(b.currency, "KES");
  EXPECT_EQ(b.savings_confirmed, 125000);
  EXPECT_EQ(b.savings_pending, 30000);
  EXPECT_EQ(b.group_fund, 165000);
  EXPECT_EQ(b.social_fund, 0);
  EXPECT_EQ(b.loan_outstanding, 0);
  EXPECT_EQ(svc().BalancesFor(9999).status().code(), Status::Code::kNotFound);

  std::vector<StatementLine> lines = Must(svc().StatementFor(amina_, 10, 0));
  ASSERT_EQ(lines.size(), std::size(kEntries));
  const SavingStatus kWant[] = {SavingStatus::kPending, SavingStatus::kPending,
                                SavingStatus::kRejected, SavingStatus::kConfirmed,
                                SavingStatus::kConfirmed};
  for (size_t i = 0; i < lines.size(); ++i) {
    const Saving& s = logged[logged.size() - 1 - i];  // newest first
    EXPECT_EQ(lines[i].reference, s.reference) << i;
    EXPECT_EQ(lines[i].amount, s.amount) << i;
    EXPECT_EQ(lines[i].at, s.created_at) << i;
    EXPECT_EQ(lines[i].kind, "saving") << i;
    EXPECT_EQ(lines[i].status, kWant[i]) << i;
  }
  std::vector<StatementLine> page = Must(svc().StatementFor(amina_, 2, 3));
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].reference, logged[1].reference);
  EXPECT_EQ(page[1].reference, logged[0].reference);
  EXPECT_EQ(svc().StatementFor(9999, 5, 0).status().code(), Status::Code::kNotFound);
}

// Each line carries her confirmed savings after it: the running sum of the
// posted lines (confirmed savings and reversals), oldest first, on every
// page; the newest line's is her ledger balance.
TEST_F(ServicesTest, StatementLinesCarryHerRunningBalance) {
  struct Entry {
    int64_t amount;
    enum { kConfirm, kReject, kLeave, kConfirmThenReverse } then;
  };
  const Entry kEntries[] = {
      {50000, Entry::kConfirm}, {75000, Entry::kConfirmThenReverse}, {30000, Entry::kReject},
      {20000, Entry::kLeave},   {10000, Entry::kConfirm},
  };
  std::vector<Saving> logged;
  for (size_t i = 0; i < std::size(kEntries); ++i) {
    ctx_.now = kNow + 100 * static_cast<int64_t>(i);
    Saving s = Must(svc().LogSaving(amina_, kEntries[i].amount, "ussd", ""));
    if (kEntries[i].then != Entry::kLeave) {
      ASSERT_TRUE(svc().DecideSaving(s.id, treasurer_, kEntries[i].then != Entry::kReject).ok());
    }
    logged.push_back(s);
  }
  Confirmed(halima_, 40000);  // another member's savings never count
  // The second saving is reversed last, so its reversal is the newest line.
  ctx_.now = kNow + 1000;
  ASSERT_TRUE(svc().ReverseSaving(logged[1].id, "counted twice").ok());

  std::vector<StatementLine> lines = Must(svc().StatementFor(amina_, 10, 0));
  ASSERT_EQ(lines.size(), 6u);
  // Newest first: reversal, 10000 ok, 20000 pending, 30000 rejected,
  // 75000 ok, 50000 ok.
  const int64_t kAmount[] = {-75000, 10000, 20000, 30000, 75000, 50000};
  const int64_t kBalance[] = {60000, 135000, 125000, 125000, 125000, 50000};
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].amount, kAmount[i]) << i;
    EXPECT_EQ(lines[i].balance_after, kBalance[i]) << i;
  }
  EXPECT_EQ(lines[0].kind, "reversal");
  EXPECT_EQ(lines[0].balance_after, Must(svc().BalancesFor(amina_)).savings_confirmed);
  // A later page has the same balances as the whole statement.
  std::vector<StatementLine> page = Must(svc().StatementFor(amina_, 2, 3));
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].balance_after, 125000);
  EXPECT_EQ(page[1].balance_after, 125000);
  EXPECT_EQ(Must(svc().StatementFor(amina_, 1, 5))[0].balance_after, 50000);
  EXPECT_EQ(Must(svc().StatementFor(halima_, 5, 0))[0].balance_after, 40000);
}

TEST_F(ServicesTest, GroupSummaryCountsActiveMembersAndConfirmedSavings) {
  Confirmed(amina_, 50000);
  Confirmed(halima_, 30000);
  Confirmed(treasurer_, 20000);
  Must(svc().LogSaving(amina_, 99000, "ussd", ""));  // pending: not counted
  GroupSummary sum = Must(svc().GroupSummaryFor(kes_));
  EXPECT_EQ(sum.group.name, "Upendo");
  EXPECT_EQ(sum.members, 5);  // the exited treasurer is not counted
  EXPECT_EQ(sum.group_savings, 100000);
  EXPECT_EQ(sum.loans_out, 0);
  EXPECT_EQ(Must(svc().GroupSummaryFor(ugx_)).group_savings, 0);
  EXPECT_EQ(svc().GroupSummaryFor(9999).status().code(), Status::Code::kNotFound);
}

// ----------------------------------------------------------------- training

TEST_F(ServicesTest, CompletedTrainingNeedsEveryModuleOfStepsOneAndTwo) {
  EXPECT_FALSE(Must(svc().CompletedTraining(amina_)));  // no programme yet
  ASSERT_TRUE(svc().UpsertTrainingModule("s1-a", 1, "Group dynamics").ok());
  ASSERT_TRUE(svc().UpsertTrainingModule("s1-b", 1, "Saving").ok());
  ASSERT_TRUE(svc().UpsertTrainingModule("s2-a", 2, "Business").ok());
  ASSERT_TRUE(svc().UpsertTrainingModule("s3-a", 3, "Loans").ok());
  EXPECT_EQ(svc().UpsertTrainingModule("s9", 9, "Nope").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(svc().UpsertTrainingModule("", 1, "Nope").code(), Status::Code::kInvalidArgument);

  struct Case {
    std::vector<std::string> modules;
    bool want;
  };
  const Case kCases[] = {
      {{}, false},
      {{"s1-a", "s1-b"}, false},
      {{"s1-a", "s2-a", "s3-a"}, false},
      {{"s1-a", "s1-b", "s2-a"}, true},
      {{"s1-a", "s1-b", "s2-a", "s3-a"}, true},
  };
  int trainees = 0;
  for (const Case& c : kCases) {
    // One woman per case (the same phone and name twice is a duplicate).
    const int64_t m = Must(svc().AddMember(MakeMember(
        kes_, "+254711000000", "Trainee " + std::to_string(++trainees), Role::kMember)));
    for (const std::string& mod : c.modules) ASSERT_TRUE(svc().RecordTraining(m, mod, "coach").ok());
    EXPECT_EQ(Must(svc().CompletedTraining(m)), c.want) << c.modules.size();
  }
  // Re-recording is harmless; a module moved to step 2 becomes required.
  ASSERT_TRUE(svc().RecordTraining(amina_, "s1-a", "coach").ok());
  ASSERT_TRUE(svc().RecordTraining(amina_, "s1-a", "coach").ok());
  ASSERT_TRUE(svc().RecordTraining(amina_, "s1-b", "coach").ok());
  ASSERT_TRUE(svc().RecordTraining(amina_, "s2-a", "coach").ok());
  EXPECT_TRUE(Must(svc().CompletedTraining(amina_)));
  ASSERT_TRUE(svc().UpsertTrainingModule("s3-a", 2, "Loans").ok());
  EXPECT_FALSE(Must(svc().CompletedTraining(amina_)));

  EXPECT_EQ(svc().RecordTraining(amina_, "nope", "coach").code(), Status::Code::kNotFound);
  EXPECT_EQ(svc().RecordTraining(9999, "s1-a", "coach").code(), Status::Code::kNotFound);
  EXPECT_EQ(svc().RecordTraining(amina_, "s1-a", "").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(svc().CompletedTraining(9999).status().code(), Status::Code::kNotFound);
}

// -------------------------------------------------------------------- audit

TEST_F(ServicesTest, AuditStoresEntries) {
  AuditEntry e{"member", "42", "saving.logged", "saving:7", "at-ke", "req-1", "amount=500"};
  ASSERT_TRUE(svc().Audit(e).ok());
  Statement& st = db_->Prepare(kAuditRow);
  ScopedReset reset(st);
  ASSERT_TRUE(*st.Step());
  EXPECT_EQ(st.Int(0), kNow);
  EXPECT_EQ(st.Text(1), "member");
  EXPECT_EQ(st.Text(2), "42");
  EXPECT_EQ(st.Text(3), "saving.logged");
  EXPECT_EQ(st.Text(4), "saving:7");
  EXPECT_EQ(st.Text(5), "at-ke");
  EXPECT_EQ(st.Text(6), "req-1");
  EXPECT_EQ(st.Text(7), "amount=500");

  AuditEntry bad = e;
  bad.actor_kind = "robot";
  EXPECT_EQ(svc().Audit(bad).code(), Status::Code::kInvalidArgument);
  bad = e;
  bad.action = "";
  EXPECT_EQ(svc().Audit(bad).code(), Status::Code::kInvalidArgument);
}

// ---------------------------------------------------------- dialog sessions

TEST_F(ServicesTest, SessionsSaveLoadExpireAndPurge) {
  SessionRecord s;
  s.channel = "at-ke";
  s.session_id = "ATUid_1";
  s.phone = "+254700000001";
  s.state = "menu";
  s.step = 2;
  s.answer = "CON 1. Balance";
  s.updated_at = kNow;
  s.expires_at = kNow + 180;
  ASSERT_TRUE(svc().SaveSession(s).ok());

  std::optional<SessionRecord> got = Must(svc().LoadSession("at-ke", "ATUid_1"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->phone, s.phone);
  EXPECT_EQ(got->state, "menu");
  EXPECT_EQ(got->step, 2);
  EXPECT_EQ(got->answer, s.answer);
  EXPECT_FALSE(got->ended);
  EXPECT_EQ(got->expires_at, kNow + 180);
  // Keyed by channel AND session id.
  EXPECT_FALSE(Must(svc().LoadSession("tw-ke", "ATUid_1")).has_value());
  EXPECT_FALSE(Must(svc().LoadSession("at-ke", "ATUid_2")).has_value());

  // Upsert replaces the record.
  s.state = "save:amount";
  s.step = 3;
  s.ended = true;
  ASSERT_TRUE(svc().SaveSession(s).ok());
  got = Must(svc().LoadSession("at-ke", "ATUid_1"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->state, "save:amount");
  EXPECT_EQ(got->step, 3);
  EXPECT_TRUE(got->ended);

  SessionRecord live = s;
  live.session_id = "live";
  live.ended = false;
  live.expires_at = kNow + 60;
  ASSERT_TRUE(svc().SaveSession(live).ok());
  SessionRecord old = s;
  old.session_id = "old";
  old.expires_at = kNow + 10;
  ASSERT_TRUE(svc().SaveSession(old).ok());
  EXPECT_EQ(Must(svc().ActiveSessionCount()), 1);  // ATUid_1 and old are ended

  struct Case {
    int64_t now;
    const char* id;
    bool found;
  };
  const Case kCases[] = {
      {kNow + 10, "old", true},    // expires_at == now: still valid
      {kNow + 11, "old", false},   // expired
      {kNow + 180, "ATUid_1", true},
      {kNow + 181, "ATUid_1", false},
  };
  for (const Case& c : kCases) {
    ctx_.now = c.now;
    EXPECT_EQ(Must(svc().LoadSession("at-ke", c.id)).has_value(), c.found) << c.id << c.now;
  }

  ctx_.now = kNow + 61;  // live and old expired, ATUid_1 not
  EXPECT_EQ(Must(svc().PurgeExpiredSessions()), 2);
  EXPECT_EQ(Must(svc().PurgeExpiredSessions()), 0);
  EXPECT_TRUE(Must(svc().LoadSession("at-ke", "ATUid_1")).has_value());
  EXPECT_EQ(Must(svc().ActiveSessionCount()), 0);

  SessionRecord bad = s;
  bad.session_id = "";
  EXPECT_EQ(svc().SaveSession(bad).code(), Status::Code::kInvalidArgument);
}

// ------------------------------------------------------------- composition

TEST(ServicesInStoreTest, CallsInOneJobCommitOrRollBackTogether) {
  TempDb tmp;
  store::StoreOptions o;
  o = tmp.Options();
  o.synchronous = "NORMAL";
  auto st = store::Store::Open(o);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  store::Store& store = **st;
  PinHasher pins("0123456789abcdef-test-pepper");
  DomainContext ctx;
  ctx.pins = &pins;
  ctx.now = kNow;

  int64_t amina = 0;
  int64_t treasurer = 0;
  ASSERT_TRUE(store
                  .Run([&](Connection& db) -> Status {
                    Services svc(db, ctx);
                    Group g;
                    g.name = "Upendo";
                    g.country = "KE";
                    g.currency = "KES";
                    Result<int64_t> gid = svc.AddGroup(g);
                    if (!gid.ok()) return gid.status();
                    Member m;
                    m.group_id = *gid;
                    m.phone = "+254700000001";
                    m.name = "Amina";
                    Result<int64_t> a = svc.AddMember(m);
                    if (!a.ok()) return a.status();
                    amina = *a;
                    m.phone = "+254700000002";
                    m.name = "Wanjiru";
                    m.role = Role::kTreasurer;
                    Result<int64_t> t = svc.AddMember(m);
                    if (!t.ok()) return t.status();
                    treasurer = *t;
                    return Status::Ok();
                  })
                  .ok());

  // Log + confirm, then fail: the whole job is undone, ledger included.
  Status failed = store.Run([&](Connection& db) -> Status {
    Services svc(db, ctx);
    Result<Saving> s = svc.LogSaving(amina, 50000, "ussd", "k");
    if (!s.ok()) return s.status();
    SHG_RETURN_IF_ERROR(svc.DecideSaving(s->id, treasurer, true));
    return Status::Unavailable("provider went away");
  });
  EXPECT_EQ(failed.code(), Status::Code::kUnavailable);
  Services reader(store.Reader(), ctx);
  EXPECT_EQ(Must(reader.BalancesFor(amina)).savings_confirmed, 0);
  EXPECT_EQ(Count(store.Reader(), kCountSavings), 0);
  EXPECT_EQ(Count(store.Reader(), kCountJournals), 0);

  ASSERT_TRUE(store
                  .Run([&](Connection& db) -> Status {
                    Services svc(db, ctx);
                    Result<Saving> s = svc.LogSaving(amina, 50000, "ussd", "k");
                    if (!s.ok()) return s.status();
                    return svc.DecideSaving(s->id, treasurer, true);
                  })
                  .ok());
  EXPECT_EQ(Must(reader.BalancesFor(amina)).savings_confirmed, 50000);
  EXPECT_TRUE(reader.CheckLedger().ok());
}

}  // namespace
}  // namespace shg
