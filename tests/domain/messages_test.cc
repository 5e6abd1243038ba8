// Messages over a real SQLite file: the outbox status machine (enqueue,
// lease, accept, retry, fail), delivery reports and orphans, the inbound log,
// the daily "not registered" guard and the operator views.
#include "domain/messages.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "domain/services.h"
#include "domain/store/store.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

using store::Connection;
using store::SqliteConnection;
using store::ScopedReset;
using store::Statement;
using TempDb = shg::testing::TestDatabase;

constexpr int64_t kT0 = 1'795'737'600'000;  // 2026-11-27T00:00:00Z in ms
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kLeaseMs = 30'000;
constexpr char kRedacted[] = "[redacted after sending]";

constexpr char kCountMessages[] = "SELECT COUNT(*) FROM messages";
constexpr char kCountOrphans[] = "SELECT COUNT(*) FROM orphan_reports";
constexpr char kCountInbound[] = "SELECT COUNT(*) FROM inbound_messages";
constexpr char kInboundRow[] =
    "SELECT channel, provider_id, phone, COALESCE(member_id, 0), text, received_ms"
    " FROM inbound_messages WHERE channel = ? AND provider_id = ?";
constexpr char kFinalMs[] =
    "SELECT COALESCE(final_ms, 0), COALESCE(sent_ms, 0) FROM messages"
    " WHERE id = ?";

template <typename T>
T Must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : T{};
}

class MessagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::ConnectionOptions o;
    o.synchronous = "OFF";
    auto db = tmp_.Connect();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(store::Migrate(*db_).ok());
  }

  // A view at time `now_ms` (a Messages object reads the clock once).
  Messages At(int64_t now_ms) { return Messages(*db_, now_ms); }

  // A receipt to a phone of its own (+254700000001 for a test's first, then
  // ...002 and so on), so rows of different cases never wait for each
  // other (order per recipient); tests of that order set m.phone.
  NewMessage Msg(const std::string& channel, const std::string& body = "Saved KES 200",
                 const std::string& dedupe_key = "") {
    NewMessage m;
    m.channel = channel;
    m.phone = "+2547" + std::to_string(100'000'000 + ++phones_).substr(1);
    m.kind = "receipt_saving";
    m.language = "en";
    m.body = body;
    m.encoding = "gsm7";
    m.segments = 1;
    m.dedupe_key = dedupe_key;
    return m;
  }

  int64_t Enqueue(int64_t now_ms, const NewMessage& m) { return Must(At(now_ms).Enqueue(m)); }

  OutboundMessage Get(int64_t id) { return Must(At(kT0).Get(id)); }

  std::vector<int64_t> LeaseIds(int64_t now_ms, const std::string& channel, int limit) {
    std::vector<int64_t> ids;
    for (const OutboundMessage& m : Must(At(now_ms).LeaseDue(channel, limit, kLeaseMs))) {
      ids.push_back(m.id);
    }
    return ids;
  }

  int64_t Count(const char* sql) {
    Statement& st = db_->Prepare(sql);
    ScopedReset reset(st);
    Result<bool> row = st.Step();
    EXPECT_TRUE(row.ok() && *row);
    return st.Int(0);
  }

  // A message on its own channel brought to `status` through the public
  // methods (at kT0).
  int64_t InStatus(const std::string& status, bool sensitive = false) {
    const std::string channel = "ch-" + status + std::to_string(++serial_);
    NewMessage m = Msg(channel, "Your one-time PIN is 4821");
    m.sensitive = sensitive;
    const int64_t id = Enqueue(kT0, m);
    Messages msgs = At(kT0);
    if (status == "queued") return id;
    if (status == "cancelled") {
      EXPECT_TRUE(msgs.Cancel(id).ok());
      return id;
    }
    EXPECT_EQ(LeaseIds(kT0, channel, 10), std::vector<int64_t>{id});
    if (status == "sending") return id;
    if (status == "failed") {
      EXPECT_TRUE(msgs.MarkFailed(id, "rejected").ok());
      return id;
    }
    EXPECT_TRUE(msgs.MarkAccepted(id, "P-" + channel).ok());
    if (status == "sent") return id;
    EXPECT_EQ(Must(msgs.ApplyReport(channel, id, "", ReportedState::kDelivered, "DELIVRD", "")),
              ReportMatch::kApplied);
    EXPECT_EQ(status, "delivered");
    return id;
  }

  TempDb tmp_;
  std::unique_ptr<Connection> db_;
  int serial_ = 0;
  int phones_ = 0;
};

// ---------------------------------------------------------------- Enqueue

// Leases are written on the database's clock (the dispatcher reads it in
// the leasing transaction): it is the wall clock, and it moves on inside a
// transaction (PostgreSQL's now() would stand still there).
TEST_F(MessagesTest, TheDatabasesClockIsTheWallClockAndMovesOnInATransaction) {
  const int64_t wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  ASSERT_TRUE(db_->Exec("BEGIN").ok());
  const int64_t first = Must(db_->ClockMs());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const int64_t second = Must(db_->ClockMs());
  ASSERT_TRUE(db_->Exec("COMMIT").ok());
  EXPECT_NEAR(static_cast<double>(first), static_cast<double>(wall), 5'000);
  EXPECT_GE(second - first, 15);
}

TEST_F(MessagesTest, EnqueueValidatesInput) {
  struct Case {
    const char* name;
    void (*edit)(NewMessage*);
    Status::Code want;
  };
  const Case kCases[] = {
      {"valid", [](NewMessage*) {}, Status::Code::kOk},
      {"ucs2 in three parts",
       [](NewMessage* m) {
         m->encoding = "ucs2";
         m->segments = 3;
       },
       Status::Code::kOk},
      {"empty channel", [](NewMessage* m) { m->channel = ""; }, Status::Code::kInvalidArgument},
      {"empty body", [](NewMessage* m) { m->body = ""; }, Status::Code::kInvalidArgument},
      {"national phone", [](NewMessage* m) { m->phone = "0700000001"; },
       Status::Code::kInvalidArgument},
      {"phone without +", [](NewMessage* m) { m->phone = "254700000001"; },
       Status::Code::kInvalidArgument},
      {"phone +0", [](NewMessage* m) { m->phone = "+0700000001"; }, Status::Code::kInvalidArgument},
      {"phone too short", [](NewMessage* m) { m->phone = "+25470"; },
       Status::Code::kInvalidArgument},
      {"phone too long", [](NewMessage* m) { m->phone = "+2547000000011111"; },
       Status::Code::kInvalidArgument},
      {"phone with letters", [](NewMessage* m) { m->phone = "+2547000000a1"; },
       Status::Code::kInvalidArgument},
      {"bad encoding", [](NewMessage* m) { m->encoding = "utf8"; }, Status::Code::kInvalidArgument},
      {"no encoding", [](NewMessage* m) { m->encoding = ""; }, Status::Code::kInvalidArgument},
      {"zero segments", [](NewMessage* m) { m->segments = 0; }, Status::Code::kInvalidArgument},
  };
  int64_t ok_rows = 0;
  for (const Case& c : kCases) {
    NewMessage m = Msg("at-ke");
    c.edit(&m);
    Result<int64_t> id = At(kT0).Enqueue(m);
    EXPECT_EQ(id.status().code(), c.want) << c.name << ": " << id.status().ToString();
    if (id.ok()) ++ok_rows;
    // Error messages name the field, never the text or the number.
    EXPECT_EQ(id.status().message().find("PIN"), std::string::npos) << c.name;
    EXPECT_EQ(id.status().message().find("0700000001"), std::string::npos) << c.name;
  }
  EXPECT_EQ(Count(kCountMessages), ok_rows);
}

TEST_F(MessagesTest, EnqueueStoresTheMessageQueuedAndDueNow) {
  NewMessage m = Msg("at-ke", "Saved KES 200 on 27 Nov");
  m.kind = "receipt_saving";
  m.language = "sw";
  m.encoding = "ucs2";
  m.segments = 2;
  m.sensitive = true;
  const int64_t id = Enqueue(kT0 + 5, m);
  OutboundMessage got = Get(id);
  EXPECT_EQ(got.id, id);
  EXPECT_EQ(got.channel, "at-ke");
  EXPECT_EQ(got.member_id, 0);
  EXPECT_EQ(got.phone, "+254700000001");
  EXPECT_EQ(got.kind, "receipt_saving");
  EXPECT_EQ(got.language, "sw");
  EXPECT_EQ(got.body, "Saved KES 200 on 27 Nov");  // redacted only once sent
  EXPECT_TRUE(got.sensitive);
  EXPECT_EQ(got.encoding, "ucs2");
  EXPECT_EQ(got.segments, 2);
  EXPECT_EQ(got.status, "queued");
  EXPECT_EQ(got.attempts, 0);
  EXPECT_EQ(got.next_attempt_ms, kT0 + 5);
  EXPECT_EQ(got.lease_until_ms, 0);
  EXPECT_EQ(got.created_ms, kT0 + 5);
  EXPECT_EQ(got.updated_ms, kT0 + 5);
  EXPECT_EQ(Must(At(kT0).Events(id)), std::vector<std::string>{"queued receipt_saving"});
  EXPECT_EQ(At(kT0).Get(id + 100).status().code(), Status::Code::kNotFound);
}

TEST_F(MessagesTest, EnqueueKeepsTheMemberId) {
  PinHasher pins("messages-test-pepper-0123456789");
  DomainContext ctx{&pins, 3, kT0 / 1000};
  Services svc(*db_, ctx);
  Group g;
  g.name = "Upendo";
  g.country = "KE";
  g.currency = "KES";
  const int64_t group = Must(svc.AddGroup(g));
  Member mem;
  mem.group_id = group;
  mem.phone = "+254700000001";
  mem.name = "Amina";
  const int64_t member = Must(svc.AddMember(mem));
  NewMessage m = Msg("at-ke");
  m.member_id = member;
  EXPECT_EQ(Get(Enqueue(kT0, m)).member_id, member);
  m.member_id = member + 1000;  // no such member: the foreign key refuses it
  EXPECT_FALSE(At(kT0).Enqueue(m).ok());
}

TEST_F(MessagesTest, DedupeKeyMakesEnqueueIdempotent) {
  const int64_t first = Enqueue(kT0, Msg("at-ke", "first", "saving:7:logged"));
  const int64_t again = Enqueue(kT0 + 1000, Msg("at-ke", "second", "saving:7:logged"));
  EXPECT_EQ(again, first);
  EXPECT_EQ(Get(first).body, "first");
  EXPECT_EQ(Count(kCountMessages), 1);
  EXPECT_EQ(Must(At(kT0).Events(first)).size(), 1u);  // the repeat adds no event

  const int64_t other = Enqueue(kT0, Msg("at-ke", "third", "saving:8:logged"));
  EXPECT_NE(other, first);
  // No key: every Enqueue queues a message.
  const int64_t a = Enqueue(kT0, Msg("at-ke", "same"));
  const int64_t b = Enqueue(kT0, Msg("at-ke", "same"));
  EXPECT_NE(a, b);
  EXPECT_EQ(Count(kCountMessages), 4);
  // The key holds whatever the message's state: a sent message is not queued again.
  ASSERT_EQ(LeaseIds(kT0, "at-ke", 10).size(), 4u);
  ASSERT_TRUE(At(kT0).MarkAccepted(first, "P1").ok());
  EXPECT_EQ(Enqueue(kT0 + 2000, Msg("at-ke", "fourth", "saving:7:logged")), first);
  EXPECT_EQ(Count(kCountMessages), 4);
}

// ---------------------------------------------------------------- LeaseDue

TEST_F(MessagesTest, LeaseDueTakesDueRowsOfOneChannelOldestFirst) {
  const int64_t a = Enqueue(kT0 + 1000, Msg("at-ke"));
  const int64_t b = Enqueue(kT0 + 2000, Msg("at-ke"));
  const NewMessage to_c = Msg("tw-ug");
  const int64_t c = Enqueue(kT0 + 1500, to_c);
  const int64_t d = Enqueue(kT0 + 9000, Msg("at-ke"));  // not yet due at +5000

  // limit 1: only the oldest.
  EXPECT_EQ(LeaseIds(kT0 + 5000, "at-ke", 1), std::vector<int64_t>{a});
  OutboundMessage la = Get(a);
  EXPECT_EQ(la.status, "sending");
  EXPECT_EQ(la.attempts, 1);
  EXPECT_EQ(la.lease_until_ms, kT0 + 5000 + kLeaseMs);
  EXPECT_EQ(la.updated_ms, kT0 + 5000);

  // The leased row is not due again while its lease runs.
  EXPECT_EQ(LeaseIds(kT0 + 5000, "at-ke", 10), std::vector<int64_t>{b});
  EXPECT_EQ(LeaseIds(kT0 + 6000, "at-ke", 10), std::vector<int64_t>{});
  EXPECT_EQ(Get(b).attempts, 1);
  // The other channel's row is untouched.
  OutboundMessage lc = Get(c);
  EXPECT_EQ(lc.status, "queued");
  EXPECT_EQ(lc.attempts, 0);
  EXPECT_EQ(Get(d).status, "queued");

  // Expired leases (the process died mid-send) make a and b due again, and
  // d is due by now: in order of due time, with attempts counted.
  EXPECT_EQ(LeaseIds(kT0 + 5000 + kLeaseMs, "at-ke", 10), (std::vector<int64_t>{a, b, d}));
  EXPECT_EQ(Get(a).attempts, 2);
  EXPECT_EQ(Get(b).attempts, 2);
  EXPECT_EQ(Get(d).attempts, 1);
  EXPECT_EQ(Get(c).status, "queued");

  // The leased rows come back with their fields.
  auto leased = Must(At(kT0 + 100 * kLeaseMs).LeaseDue("tw-ug", 10, kLeaseMs));
  ASSERT_EQ(leased.size(), 1u);
  EXPECT_EQ(leased[0].id, c);
  EXPECT_EQ(leased[0].status, "sending");
  EXPECT_EQ(leased[0].attempts, 1);
  EXPECT_EQ(leased[0].body, "Saved KES 200");
  EXPECT_EQ(leased[0].phone, to_c.phone);
}

TEST_F(MessagesTest, LeaseDueSkipsFinalAndSentRows) {
  const int64_t sent = InStatus("sent");
  const int64_t failed = InStatus("failed");
  const int64_t cancelled = InStatus("cancelled");
  const int64_t delivered = InStatus("delivered");
  for (int64_t id : {sent, failed, cancelled, delivered}) {
    OutboundMessage m = Get(id);
    EXPECT_TRUE(LeaseIds(kT0 + 10 * kLeaseMs, m.channel, 10).empty()) << m.status;
    EXPECT_EQ(Get(id).status, m.status);
  }
}

TEST_F(MessagesTest, NextDueIsTheEarliestQueuedRow) {
  EXPECT_EQ(Must(At(kT0).NextDue("at-ke")), std::nullopt);
  const int64_t a = Enqueue(kT0 + 300, Msg("at-ke"));
  Enqueue(kT0 + 700, Msg("at-ke"));
  Enqueue(kT0 + 100, Msg("tw-ug"));
  EXPECT_EQ(Must(At(kT0).NextDue("at-ke")), std::optional<int64_t>(kT0 + 300));
  ASSERT_EQ(LeaseIds(kT0 + 500, "at-ke", 1), std::vector<int64_t>{a});
  // A sending row is not queued.
  EXPECT_EQ(Must(At(kT0).NextDue("at-ke")), std::optional<int64_t>(kT0 + 700));
  ASSERT_TRUE(At(kT0 + 500).MarkRetry(a, kT0 + 400, "timeout", true).ok());
  EXPECT_EQ(Must(At(kT0).NextDue("at-ke")), std::optional<int64_t>(kT0 + 400));
}

// ---------------------------------------------------------------- order per recipient

// Three SMS to one phone, the first failing retryably: the second waits
// until the first is sent (also while the first waits for its retry), then
// the third until the second ends (here: failed for good). Another phone's
// SMS is leased meanwhile.
TEST_F(MessagesTest, LeaseDueKeepsTheOrderOfOnePhone) {
  const std::string kPhone = "+254711000001";
  NewMessage m = Msg("at-ke");
  m.phone = kPhone;
  const int64_t first = Enqueue(kT0, m);
  const int64_t second = Enqueue(kT0 + 1, m);
  const int64_t third = Enqueue(kT0 + 2, m);
  const int64_t other = Enqueue(kT0 + 3, Msg("at-ke"));  // another phone

  EXPECT_EQ(LeaseIds(kT0 + 10, "at-ke", 10), (std::vector<int64_t>{first, other}));
  ASSERT_TRUE(At(kT0 + 20).MarkRetry(first, kT0 + 5000, "HTTP 503", true).ok());
  ASSERT_TRUE(At(kT0 + 20).MarkAccepted(other, "P-other").ok());
  // The first waits for its retry; the second and third wait behind it,
  // and are not due either (the first's retry is the next due time).
  EXPECT_TRUE(LeaseIds(kT0 + 30, "at-ke", 10).empty());
  EXPECT_EQ(Must(At(kT0 + 30).NextDue("at-ke")), std::optional<int64_t>(kT0 + 5000));
  EXPECT_EQ(Get(second).status, "queued");
  EXPECT_EQ(Get(second).attempts, 0);

  EXPECT_EQ(LeaseIds(kT0 + 5000, "at-ke", 10), std::vector<int64_t>{first});
  EXPECT_TRUE(LeaseIds(kT0 + 5001, "at-ke", 10).empty()) << "the first is in flight";
  ASSERT_TRUE(At(kT0 + 5002).MarkAccepted(first, "P-1").ok());
  EXPECT_EQ(Must(At(kT0 + 5002).NextDue("at-ke")), std::optional<int64_t>(kT0 + 1));
  EXPECT_EQ(LeaseIds(kT0 + 5003, "at-ke", 10), std::vector<int64_t>{second});
  ASSERT_TRUE(At(kT0 + 5004).MarkFailed(second, "HTTP 400 invalid phone").ok());
  EXPECT_EQ(LeaseIds(kT0 + 5005, "at-ke", 10), std::vector<int64_t>{third});
}

// A crash while the first is in flight: its lease expires and it is sent
// again; the second waits until then, however long the lease.
TEST_F(MessagesTest, AnExpiredLeaseOfTheFirstKeepsTheSecondWaiting) {
  NewMessage m = Msg("at-ke");
  const int64_t first = Enqueue(kT0, m);
  const int64_t second = Enqueue(kT0, m);
  ASSERT_EQ(LeaseIds(kT0, "at-ke", 10), std::vector<int64_t>{first});
  // The process died: nobody records the first's outcome.
  EXPECT_TRUE(LeaseIds(kT0 + kLeaseMs - 1, "at-ke", 10).empty());
  EXPECT_EQ(LeaseIds(kT0 + kLeaseMs, "at-ke", 10), std::vector<int64_t>{first});
  EXPECT_EQ(Get(first).attempts, 2);
  EXPECT_EQ(Get(second).status, "queued");
  EXPECT_TRUE(LeaseIds(kT0 + kLeaseMs + 1, "at-ke", 10).empty());
  ASSERT_TRUE(At(kT0 + kLeaseMs + 2).MarkAccepted(first, "P-1").ok());
  EXPECT_EQ(LeaseIds(kT0 + kLeaseMs + 3, "at-ke", 10), std::vector<int64_t>{second});
}

// How the older SMS to the phone stands decides whether the newer one (on
// the same or another member SMS channel) may go: every end unblocks it,
// nothing unfinished does.
TEST_F(MessagesTest, AnOlderSmsToThePhoneHoldsTheNextUntilItEnds) {
  struct Case {
    const char* name;
    std::function<void(Messages&, int64_t)> bring;  // the older one, leased at kT0
    bool next_goes;
  };
  const Case kCases[] = {
      {"sending", [](Messages&, int64_t) {}, false},
      {"queued for a retry",
       [](Messages& m, int64_t id) { ASSERT_TRUE(m.MarkRetry(id, kT0 + kDayMs, "5xx", true).ok()); },
       false},
      {"throttled",
       [](Messages& m, int64_t id) { ASSERT_TRUE(m.MarkRetry(id, kT0 + kDayMs, "429", false).ok()); },
       false},
      {"sent", [](Messages& m, int64_t id) { ASSERT_TRUE(m.MarkAccepted(id, "").ok()); }, true},
      {"delivered",
       [](Messages& m, int64_t id) {
         ASSERT_TRUE(m.MarkAccepted(id, "").ok());
         ASSERT_TRUE(m.ApplyReport("at-ke", id, "", ReportedState::kDelivered, "OK", "").ok());
       },
       true},
      {"failed", [](Messages& m, int64_t id) { ASSERT_TRUE(m.MarkFailed(id, "401").ok()); },
       true},
      {"cancelled",
       [](Messages& m, int64_t id) {
         ASSERT_TRUE(m.MarkRetry(id, kT0 + kDayMs, "5xx", true).ok());
         ASSERT_TRUE(m.Cancel(id).ok());
       },
       true},
      {"delivered while queued for a retry",
       [](Messages& m, int64_t id) {
         ASSERT_TRUE(m.MarkRetry(id, kT0 + kDayMs, "timeout", true).ok());
         ASSERT_TRUE(m.ApplyReport("at-ke", id, "", ReportedState::kDelivered, "OK", "").ok());
       },
       true},
  };
  for (const char* next_channel : {"at-ke", "tw-ke"}) {
    for (const Case& c : kCases) {
      SCOPED_TRACE(std::string(c.name) + ", next on " + next_channel);
      const NewMessage older_msg = Msg("at-ke");
      NewMessage next_msg = Msg(next_channel);
      next_msg.phone = older_msg.phone;
      const int64_t older = Enqueue(kT0, older_msg);
      const int64_t next = Enqueue(kT0, next_msg);
      ASSERT_EQ(LeaseIds(kT0, "at-ke", 1), std::vector<int64_t>{older});
      Messages at = At(kT0 + 1);
      c.bring(at, older);
      EXPECT_EQ(LeaseIds(kT0 + 2, next_channel, 10),
                c.next_goes ? std::vector<int64_t>{next} : std::vector<int64_t>{});
      // Nothing else of the phone is due meanwhile.
      EXPECT_TRUE(LeaseIds(kT0 + 3, "at-ke", 10).empty());
    }
  }
}

// Referrals to a partner carry the member's phone but are not SMS to her:
// an open one holds up none of hers, and none of hers holds it up.
TEST_F(MessagesTest, PartnerReferralsAreOutsideTheOrder) {
  NewMessage referral = Msg("partner:imara", "{\"ref\":\"K7P2QX\"}");
  referral.kind = "mfi_referral";
  NewMessage sms = Msg("at-ke");
  sms.phone = referral.phone;
  const int64_t first_referral = Enqueue(kT0, referral);
  const int64_t first_sms = Enqueue(kT0, sms);
  const int64_t second_referral = Enqueue(kT0, referral);
  EXPECT_EQ(LeaseIds(kT0, "at-ke", 10), std::vector<int64_t>{first_sms});
  EXPECT_EQ(LeaseIds(kT0, "partner:imara", 10),
            (std::vector<int64_t>{first_referral, second_referral}));
  EXPECT_TRUE(IsMemberSmsChannel("at-ke"));
  EXPECT_TRUE(IsMemberSmsChannel("partners-sms"));
  EXPECT_FALSE(IsMemberSmsChannel("partner:imara"));
}

// ---------------------------------------------------------------- MarkAccepted

TEST_F(MessagesTest, MarkAcceptedMovesSendingToSentAndRedactsSensitiveBodies) {
  for (bool sensitive : {false, true}) {
    SCOPED_TRACE(sensitive ? "sensitive" : "plain");
    const int64_t id = InStatus("sending", sensitive);
    ASSERT_TRUE(At(kT0 + 50).MarkAccepted(id, "ATXid_1").ok());
    OutboundMessage m = Get(id);
    EXPECT_EQ(m.status, "sent");
    EXPECT_EQ(m.provider_message_id, "ATXid_1");
    EXPECT_EQ(m.lease_until_ms, 0);
    EXPECT_EQ(m.updated_ms, kT0 + 50);
    EXPECT_EQ(m.body, sensitive ? kRedacted : "Your one-time PIN is 4821");
    EXPECT_EQ(Must(At(kT0).Events(id)).back(), "accepted ATXid_1");
  }
  EXPECT_EQ(At(kT0).MarkAccepted(999, "x").code(), Status::Code::kNotFound);
}

TEST_F(MessagesTest, MarkAcceptedWithoutProviderIdKeepsItEmpty) {
  const int64_t id = InStatus("sending");
  ASSERT_TRUE(At(kT0).MarkAccepted(id, "").ok());
  EXPECT_EQ(Get(id).status, "sent");
  EXPECT_EQ(Get(id).provider_message_id, "");
}

TEST_F(MessagesTest, MarkAcceptedAppliesAReportThatArrivedFirst) {
  // The delivery report overtook the recording of the send's answer.
  EXPECT_EQ(Must(At(kT0).ApplyReport("at-ke", 0, "P9", ReportedState::kDelivered, "Success", "")),
            ReportMatch::kUnknown);
  // The same provider id on another channel is another message's.
  EXPECT_EQ(Must(At(kT0).ApplyReport("tw-ug", 0, "P9", ReportedState::kFailed, "Rejected", "")),
            ReportMatch::kUnknown);
  EXPECT_EQ(Count(kCountOrphans), 2);

  const int64_t id = Enqueue(kT0, Msg("at-ke"));
  ASSERT_EQ(LeaseIds(kT0, "at-ke", 1), std::vector<int64_t>{id});
  ASSERT_TRUE(At(kT0 + 10).MarkAccepted(id, "P9").ok());
  OutboundMessage m = Get(id);
  EXPECT_EQ(m.status, "delivered");
  EXPECT_EQ(m.provider_status, "Success");
  EXPECT_EQ(m.provider_message_id, "P9");
  EXPECT_EQ(Count(kCountOrphans), 1);  // only the other channel's is left
  EXPECT_EQ(Must(At(kT0).Events(id)),
            (std::vector<std::string>{"queued receipt_saving", "accepted P9",
                                      "report:delivered Success"}));
}

TEST_F(MessagesTest, MarkAcceptedKeepsAFinalStatusReportedByOurId) {
  // A provider that echoes our id reported delivery before the send's answer.
  const int64_t id = InStatus("sending");
  ASSERT_EQ(Must(At(kT0).ApplyReport(Get(id).channel, id, "", ReportedState::kDelivered, "OK", "")),
            ReportMatch::kApplied);
  ASSERT_TRUE(At(kT0).MarkAccepted(id, "P7").ok());
  EXPECT_EQ(Get(id).status, "delivered");
  EXPECT_EQ(Get(id).provider_message_id, "P7");
}

// ---------------------------------------------------------------- MarkRetry / MarkFailed

TEST_F(MessagesTest, MarkRetryRequeuesCountingTheAttemptOrNot) {
  struct Case {
    bool count_attempt;
    int want_attempts;
    const char* want_event;
  };
  const Case kCases[] = {{true, 1, "retry HTTP 503"}, {false, 0, "throttled HTTP 503"}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.want_event);
    const int64_t id = InStatus("sending");
    ASSERT_TRUE(At(kT0 + 20).MarkRetry(id, kT0 + 60'000, "HTTP 503", c.count_attempt).ok());
    OutboundMessage m = Get(id);
    EXPECT_EQ(m.status, "queued");
    EXPECT_EQ(m.attempts, c.want_attempts);
    EXPECT_EQ(m.next_attempt_ms, kT0 + 60'000);
    EXPECT_EQ(m.last_error, "HTTP 503");
    EXPECT_EQ(m.lease_until_ms, 0);
    EXPECT_EQ(Must(At(kT0).Events(id)).back(), c.want_event);
    // Not due before next_attempt_ms, due from then on.
    EXPECT_TRUE(LeaseIds(kT0 + 59'999, m.channel, 10).empty());
    EXPECT_EQ(LeaseIds(kT0 + 60'000, m.channel, 10), std::vector<int64_t>{id});
    EXPECT_EQ(Get(id).attempts, c.want_attempts + 1);
  }
}

TEST_F(MessagesTest, MarkRetryNeedsASendingMessage) {
  for (const char* status : {"queued", "sent", "delivered", "failed", "cancelled"}) {
    const int64_t id = InStatus(status);
    EXPECT_EQ(At(kT0).MarkRetry(id, kT0, "x", true).code(), Status::Code::kFailedPrecondition)
        << status;
    EXPECT_EQ(Get(id).status, status);
  }
  EXPECT_EQ(At(kT0).MarkRetry(999, kT0, "x", true).code(), Status::Code::kFailedPrecondition);
}

TEST_F(MessagesTest, MarkFailedIsFinalAndRedacts) {
  struct Case {
    const char* from;
    bool sensitive;
    Status::Code want;
  };
  const Case kCases[] = {
      {"queued", false, Status::Code::kOk},
      {"sending", false, Status::Code::kOk},
      {"sending", true, Status::Code::kOk},
      {"sent", false, Status::Code::kFailedPrecondition},
      {"delivered", false, Status::Code::kFailedPrecondition},
      {"failed", false, Status::Code::kFailedPrecondition},
      {"cancelled", false, Status::Code::kFailedPrecondition},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string(c.from) + (c.sensitive ? " sensitive" : ""));
    const int64_t id = InStatus(c.from, c.sensitive);
    const std::string body_before = Get(id).body;
    EXPECT_EQ(At(kT0 + 70).MarkFailed(id, "invalid number").code(), c.want);
    OutboundMessage m = Get(id);
    if (c.want == Status::Code::kOk) {
      EXPECT_EQ(m.status, "failed");
      EXPECT_EQ(m.last_error, "invalid number");
      EXPECT_EQ(m.lease_until_ms, 0);
      EXPECT_EQ(m.body, c.sensitive ? kRedacted : body_before);
      EXPECT_EQ(Must(At(kT0).Events(id)).back(), "failed invalid number");
      EXPECT_TRUE(LeaseIds(kT0 + 100 * kLeaseMs, m.channel, 10).empty());
    } else {
      EXPECT_EQ(m.status, c.from);
    }
  }
}

// ---------------------------------------------------------------- ApplyReport

TEST_F(MessagesTest, ApplyReportMovesOpenMessagesByEitherId) {
  struct Case {
    const char* name;
    const char* from;  // status before the report
    bool by_our_id;
    ReportedState state;
    ReportMatch want_match;
    const char* want_status;
  };
  const Case kCases[] = {
      {"delivered by provider id", "sent", false, ReportedState::kDelivered, ReportMatch::kApplied,
       "delivered"},
      {"delivered by our id", "sent", true, ReportedState::kDelivered, ReportMatch::kApplied,
       "delivered"},
      {"failed by provider id", "sent", false, ReportedState::kFailed, ReportMatch::kApplied,
       "failed"},
      {"failed by our id while sending", "sending", true, ReportedState::kFailed,
       ReportMatch::kApplied, "failed"},
      {"intermediate sent keeps sent", "sent", false, ReportedState::kSent, ReportMatch::kApplied,
       "sent"},
      {"intermediate buffered keeps sent", "sent", true, ReportedState::kBuffered,
       ReportMatch::kApplied, "sent"},
      {"after delivered is stale", "delivered", false, ReportedState::kFailed, ReportMatch::kStale,
       "delivered"},
      {"after failed is stale", "failed", true, ReportedState::kDelivered, ReportMatch::kStale,
       "failed"},
      {"after cancelled is stale", "cancelled", true, ReportedState::kDelivered,
       ReportMatch::kStale, "cancelled"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const int64_t id = InStatus(c.from);
    const OutboundMessage before = Get(id);
    const std::string provider_id = c.by_our_id ? "" : before.provider_message_id;
    ASSERT_TRUE(c.by_our_id || !provider_id.empty());
    const size_t events_before = Must(At(kT0).Events(id)).size();
    Result<ReportMatch> match = At(kT0 + 900).ApplyReport(
        before.channel, c.by_our_id ? id : 0, provider_id, c.state, "Prov-State", "why");
    ASSERT_TRUE(match.ok()) << match.status().ToString();
    EXPECT_EQ(*match, c.want_match);
    OutboundMessage m = Get(id);
    EXPECT_EQ(m.status, c.want_status);
    if (c.want_match == ReportMatch::kApplied) {
      EXPECT_EQ(m.provider_status, "Prov-State");
      EXPECT_EQ(m.updated_ms, kT0 + 900);
    } else {
      EXPECT_EQ(m.provider_status, before.provider_status);
    }
    if (c.state == ReportedState::kFailed && c.want_match == ReportMatch::kApplied) {
      EXPECT_EQ(m.last_error, "why");
    }
    // Every report is kept as an event.
    auto events = Must(At(kT0).Events(id));
    ASSERT_EQ(events.size(), events_before + 1);
    EXPECT_EQ(events.back(),
              std::string("report:") + ReportedStateName(c.state) + " Prov-State (why)");
  }
}

TEST_F(MessagesTest, ApplyReportRedactsASensitiveBodyWhenFinal) {
  // A report by our id can finalise a message before MarkAccepted ran.
  const int64_t id = InStatus("sending", /*sensitive=*/true);
  ASSERT_EQ(Get(id).body, "Your one-time PIN is 4821");
  ASSERT_EQ(Must(At(kT0).ApplyReport(Get(id).channel, id, "", ReportedState::kDelivered, "", "")),
            ReportMatch::kApplied);
  EXPECT_EQ(Get(id).body, kRedacted);
}

TEST_F(MessagesTest, ApplyReportForUnknownOrForeignMessages) {
  const int64_t id = InStatus("sent");
  const OutboundMessage m = Get(id);
  // Our id, but the callback came on another channel: not this channel's message.
  EXPECT_EQ(Must(At(kT0).ApplyReport("other", id, "", ReportedState::kDelivered, "", "")),
            ReportMatch::kUnknown);
  EXPECT_EQ(Get(id).status, "sent");
  // An id we never issued.
  EXPECT_EQ(Must(At(kT0).ApplyReport(m.channel, id + 1000, "", ReportedState::kDelivered, "", "")),
            ReportMatch::kUnknown);
  EXPECT_EQ(Count(kCountOrphans), 0);
  // The provider id on another channel is unknown there and kept as an orphan.
  EXPECT_EQ(Must(At(kT0).ApplyReport("other", 0, m.provider_message_id, ReportedState::kDelivered,
                                     "", "")),
            ReportMatch::kUnknown);
  EXPECT_EQ(Get(id).status, "sent");
  EXPECT_EQ(Count(kCountOrphans), 1);
  EXPECT_EQ(Must(At(kT0).ApplyReport(m.channel, 0, "nope", ReportedState::kFailed, "", "")),
            ReportMatch::kUnknown);
  EXPECT_EQ(Count(kCountOrphans), 2);
  // Both ids empty.
  EXPECT_EQ(
      At(kT0).ApplyReport(m.channel, 0, "", ReportedState::kDelivered, "", "").status().code(),
      Status::Code::kInvalidArgument);
  EXPECT_EQ(Count(kCountOrphans), 2);
}

TEST_F(MessagesTest, ApplyReportRecordsTheFinalTime) {
  const int64_t id = InStatus("sent");
  ASSERT_EQ(
      Must(At(kT0 + 777).ApplyReport(Get(id).channel, id, "", ReportedState::kDelivered, "", "")),
      ReportMatch::kApplied);
  Statement& st = db_->Prepare(kFinalMs);
  ScopedReset reset(st);
  st.Bind(1, id);
  ASSERT_TRUE(Must(st.Step()));
  EXPECT_EQ(st.Int(0), kT0 + 777);
  EXPECT_EQ(st.Int(1), kT0);
}

// ---------------------------------------------------------------- inbound

TEST_F(MessagesTest, RecordInboundOncePerChannelAndProviderId) {
  EXPECT_TRUE(Must(At(kT0).RecordInbound("at-ke", "in-1", "+254700000001", 0, "BAL")));
  EXPECT_FALSE(Must(At(kT0 + 5).RecordInbound("at-ke", "in-1", "+254700000001", 0, "BAL again")));
  EXPECT_TRUE(Must(At(kT0).RecordInbound("tw-ke", "in-1", "+254700000001", 0, "BAL")));
  EXPECT_TRUE(Must(At(kT0).RecordInbound("at-ke", "in-2", "+254700000001", 0, "SAVE 200")));
  EXPECT_EQ(Count(kCountInbound), 3);
  Statement& st = db_->Prepare(kInboundRow);
  ScopedReset reset(st);
  st.Bind(1, std::string_view("at-ke")).Bind(2, std::string_view("in-1"));
  ASSERT_TRUE(Must(st.Step()));
  EXPECT_EQ(st.Text(2), "+254700000001");
  EXPECT_EQ(st.Int(3), 0);
  EXPECT_EQ(st.Text(4), "BAL");  // the first one is kept
  EXPECT_EQ(st.Int(5), kT0);
}

TEST_F(MessagesTest, ClaimUnregisteredReplyOncePerPhonePerUtcDay) {
  const int64_t day = (kT0 / kDayMs) * kDayMs;
  struct Case {
    int64_t now_ms;
    const char* phone;
    bool want;
  };
  const Case kCases[] = {
      {day + 1000, "+254711000001", true},        {day + 2000, "+254711000001", false},
      {day + kDayMs - 1, "+254711000001", false},  // last ms of the same UTC day
      {day + 5000, "+254711000002", true},         // another phone
      {day + kDayMs, "+254711000001", true},       // next UTC day
      {day + kDayMs + 1, "+254711000001", false}, {day + 3 * kDayMs, "+254711000002", true},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(Must(At(c.now_ms).ClaimUnregisteredReply(c.phone)), c.want)
        << c.phone << " at " << c.now_ms - day;
  }
}

// ---------------------------------------------------------------- operations

TEST_F(MessagesTest, ListFiltersByStatusNewestFirst) {
  const int64_t queued = InStatus("queued");
  const int64_t sending = InStatus("sending");
  const int64_t sent = InStatus("sent");
  const int64_t delivered = InStatus("delivered");
  const int64_t failed = InStatus("failed");
  const int64_t cancelled = InStatus("cancelled");
  auto ids = [&](const std::string& status, int limit = 100) {
    std::vector<int64_t> out;
    for (const OutboundMessage& m : Must(At(kT0).List(status, limit))) out.push_back(m.id);
    return out;
  };
  EXPECT_EQ(ids(""), (std::vector<int64_t>{cancelled, failed, delivered, sent, sending, queued}));
  EXPECT_EQ(ids("", 2), (std::vector<int64_t>{cancelled, failed}));
  EXPECT_EQ(ids("queued"), std::vector<int64_t>{queued});
  EXPECT_EQ(ids("sending"), std::vector<int64_t>{sending});
  EXPECT_EQ(ids("sent"), std::vector<int64_t>{sent});
  EXPECT_EQ(ids("delivered"), std::vector<int64_t>{delivered});
  EXPECT_EQ(ids("failed"), std::vector<int64_t>{failed});
  EXPECT_EQ(ids("cancelled"), std::vector<int64_t>{cancelled});
  for (const char* bad : {"QUEUED", "pending", "stuck "}) {
    EXPECT_EQ(At(kT0).List(bad, 10).status().code(), Status::Code::kInvalidArgument) << bad;
  }
  for (int bad : {0, -1, 10001}) {
    EXPECT_EQ(At(kT0).List("", bad).status().code(), Status::Code::kInvalidArgument) << bad;
  }
}

TEST_F(MessagesTest, ListStuckShowsOldDueOrAttemptedRows) {
  const int64_t old_queued = Enqueue(kT0, Msg("a"));
  const int64_t fresh_queued = Enqueue(kT0 + 100'000, Msg("b"));
  const int64_t retried = Enqueue(kT0 + 100'000, Msg("c"));
  ASSERT_EQ(LeaseIds(kT0 + 100'000, "c", 1), std::vector<int64_t>{retried});
  ASSERT_TRUE(At(kT0 + 100'000).MarkRetry(retried, kT0 + 100'000, "timeout", true).ok());
  const int64_t leased = Enqueue(kT0 + 100'000, Msg("d"));
  ASSERT_EQ(LeaseIds(kT0 + 100'000, "d", 1), std::vector<int64_t>{leased});
  const int64_t sent = Enqueue(kT0, Msg("e"));
  ASSERT_EQ(LeaseIds(kT0, "e", 1), std::vector<int64_t>{sent});
  ASSERT_TRUE(At(kT0).MarkAccepted(sent, "P").ok());

  std::vector<int64_t> got;
  for (const OutboundMessage& m : Must(At(kT0 + 120'000).List("stuck", 100, 60'000))) {
    got.push_back(m.id);
  }
  // old_queued waited 120 s > 60 s; retried and leased were attempted;
  // fresh_queued is due for only 20 s; sent is not queued.
  EXPECT_EQ(got, (std::vector<int64_t>{leased, retried, old_queued}));
  (void)fresh_queued;
  got.clear();
  for (const OutboundMessage& m : Must(At(kT0 + 120'000).List("stuck", 100, 10'000))) {
    got.push_back(m.id);
  }
  EXPECT_EQ(got, (std::vector<int64_t>{leased, retried, fresh_queued, old_queued}));
}

TEST_F(MessagesTest, RetryRequeuesOnlyFailedOrCancelled) {
  struct Case {
    const char* from;
    Status::Code want;
  };
  const Case kCases[] = {
      {"queued", Status::Code::kFailedPrecondition},
      {"sending", Status::Code::kFailedPrecondition},
      {"sent", Status::Code::kFailedPrecondition},
      {"delivered", Status::Code::kFailedPrecondition},
      {"failed", Status::Code::kOk},
      {"cancelled", Status::Code::kOk},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.from);
    const int64_t id = InStatus(c.from);
    const OutboundMessage before = Get(id);
    EXPECT_EQ(At(kT0 + 5000).Retry(id).code(), c.want);
    OutboundMessage m = Get(id);
    if (c.want != Status::Code::kOk) {
      EXPECT_EQ(m.status, c.from);
      EXPECT_EQ(m.attempts, before.attempts);
      continue;
    }
    EXPECT_EQ(m.status, "queued");
    EXPECT_EQ(m.attempts, 0);
    EXPECT_EQ(m.next_attempt_ms, kT0 + 5000);
    EXPECT_EQ(m.last_error, "");
    EXPECT_EQ(m.body, "Your one-time PIN is 4821");
    EXPECT_EQ(Must(At(kT0).Events(id)).back(), "operator_retry");
    EXPECT_EQ(LeaseIds(kT0 + 5000, m.channel, 10), std::vector<int64_t>{id});
  }
  EXPECT_EQ(At(kT0).Retry(999).code(), Status::Code::kNotFound);
}

TEST_F(MessagesTest, RetryRefusesARedactedSensitiveMessage) {
  // Its body is the placeholder now: sending it again would text the member
  // "[redacted after sending]" instead of her one-time PIN.
  for (const char* from : {"failed", "cancelled"}) {
    const int64_t id = InStatus(from, /*sensitive=*/true);
    ASSERT_EQ(Get(id).body, kRedacted) << from;
    EXPECT_EQ(At(kT0).Retry(id).code(), Status::Code::kFailedPrecondition) << from;
    EXPECT_EQ(Get(id).status, from);
  }
}

TEST_F(MessagesTest, CancelOnlyQueuedOrFailed) {
  struct Case {
    const char* from;
    Status::Code want;
  };
  const Case kCases[] = {
      {"queued", Status::Code::kOk},
      {"failed", Status::Code::kOk},
      {"sending", Status::Code::kFailedPrecondition},
      {"sent", Status::Code::kFailedPrecondition},
      {"delivered", Status::Code::kFailedPrecondition},
      {"cancelled", Status::Code::kFailedPrecondition},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.from);
    const int64_t id = InStatus(c.from, /*sensitive=*/true);
    EXPECT_EQ(At(kT0 + 10).Cancel(id).code(), c.want);
    OutboundMessage m = Get(id);
    if (c.want == Status::Code::kOk) {
      EXPECT_EQ(m.status, "cancelled");
      EXPECT_EQ(m.body, kRedacted);
      EXPECT_EQ(Must(At(kT0).Events(id)).back(), "operator_cancel");
      EXPECT_TRUE(LeaseIds(kT0 + 100 * kLeaseMs, m.channel, 10).empty());
    } else {
      EXPECT_EQ(m.status, c.from);
    }
  }
  EXPECT_EQ(At(kT0).Cancel(999).code(), Status::Code::kNotFound);
}

TEST_F(MessagesTest, StatsCountQueuedAndSendingPerChannel) {
  EXPECT_TRUE(Must(At(kT0).Stats()).empty());
  Enqueue(kT0 + 300, Msg("at-ke"));
  const int64_t leased = Enqueue(kT0 + 100, Msg("at-ke"));
  ASSERT_EQ(LeaseIds(kT0 + 200, "at-ke", 1), std::vector<int64_t>{leased});
  Enqueue(kT0 + 500, Msg("tw-ug"));
  const int64_t sent = Enqueue(kT0, Msg("zz-sent"));
  ASSERT_EQ(LeaseIds(kT0, "zz-sent", 1), std::vector<int64_t>{sent});
  ASSERT_TRUE(At(kT0).MarkAccepted(sent, "P").ok());

  auto stats = Must(At(kT0 + 1000).Stats());
  ASSERT_EQ(stats.size(), 2u);  // zz-sent has nothing queued
  EXPECT_EQ(stats[0].channel, "at-ke");
  EXPECT_EQ(stats[0].queued, 2);
  EXPECT_EQ(stats[0].oldest_queued_ms, kT0 + 100);
  EXPECT_EQ(stats[1].channel, "tw-ug");
  EXPECT_EQ(stats[1].queued, 1);
  EXPECT_EQ(stats[1].oldest_queued_ms, kT0 + 500);
}

TEST_F(MessagesTest, EventsTellTheStoryOldestFirst) {
  const int64_t id = Enqueue(kT0, Msg("at-ke"));
  const int64_t other = Enqueue(kT0, Msg("at-ke"));
  ASSERT_EQ(LeaseIds(kT0, "at-ke", 1), std::vector<int64_t>{id});
  ASSERT_TRUE(At(kT0 + 1).MarkRetry(id, kT0 + 2, "HTTP 500", true).ok());
  ASSERT_EQ(LeaseIds(kT0 + 2, "at-ke", 2), (std::vector<int64_t>{other, id}));
  ASSERT_TRUE(At(kT0 + 3).MarkAccepted(id, "AT-77").ok());
  ASSERT_EQ(
      Must(At(kT0 + 4).ApplyReport("at-ke", 0, "AT-77", ReportedState::kBuffered, "Buffered", "")),
      ReportMatch::kApplied);
  ASSERT_EQ(Must(At(kT0 + 5).ApplyReport("at-ke", 0, "AT-77", ReportedState::kFailed, "Failed",
                                         "AbsentSubscriber")),
            ReportMatch::kApplied);
  ASSERT_EQ(
      Must(At(kT0 + 6).ApplyReport("at-ke", 0, "AT-77", ReportedState::kDelivered, "Success", "")),
      ReportMatch::kStale);
  EXPECT_EQ(
      Must(At(kT0).Events(id)),
      (std::vector<std::string>{
          "queued receipt_saving", "retry HTTP 500", "accepted AT-77", "report:buffered Buffered",
          "report:failed Failed (AbsentSubscriber)", "report:delivered Success"}));
  OutboundMessage m = Get(id);
  EXPECT_EQ(m.status, "failed");
  EXPECT_EQ(m.attempts, 2);
  EXPECT_EQ(Must(At(kT0).Events(other)), std::vector<std::string>{"queued receipt_saving"});
  EXPECT_TRUE(Must(At(kT0).Events(999)).empty());
}

}  // namespace
}  // namespace shg
