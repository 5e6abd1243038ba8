// Store: migrations, group commit, per-job rollback, readers, and the
// append-only triggers of the ledger. Real SQLite files, never :memory:.
#include "domain/store/store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "domain/pin.h"
#include "domain/services.h"
#include "tests/support/test_db.h"

namespace shg::store {
namespace {

using TempDb = shg::testing::TempSqliteFile;

constexpr char kCountMigrations[] = "SELECT COUNT(*), MAX(applied_at) FROM schema_migrations";
constexpr char kMigrationRow[] = "SELECT name, applied_at FROM schema_migrations WHERE version = ?";
constexpr char kTableExists[] =
    "SELECT COUNT(*) FROM sqlite_master WHERE type IN ('table', 'index', 'trigger') AND name = ?";
constexpr char kCreateProbe[] =
    "CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, tag TEXT NOT NULL UNIQUE)";
constexpr char kInsertProbe[] = "INSERT INTO probe (tag) VALUES (?)";
constexpr char kCountProbe[] = "SELECT COUNT(*) FROM probe";
constexpr char kProbeByTag[] = "SELECT COUNT(*) FROM probe WHERE tag = ?";
constexpr char kCountEmptyTag[] = "SELECT COUNT(*) FROM probe WHERE tag = ''";
constexpr char kForceNewerSchema[] =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 1)";

ConnectionOptions WriterOptions() {
  ConnectionOptions o;
  o.synchronous = "NORMAL";
  return o;
}

std::unique_ptr<Connection> OpenWriter(const std::string& path) {
  auto db = SqliteConnection::Open(path, WriterOptions());
  if (!db.ok()) {
    ADD_FAILURE() << db.status().ToString();
    std::abort();
  }
  return std::move(db).value();
}

int64_t QueryInt(Connection& db, const char* sql, std::string_view arg = {}) {
  Statement& st = db.Prepare(sql);
  ScopedReset reset(st);
  if (!arg.empty()) st.Bind(1, arg);
  Result<bool> row = st.Step();
  EXPECT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_TRUE(row.ok() && *row);
  return row.ok() && *row ? st.Int(0) : -1;
}

std::unique_ptr<Store> OpenStore(const std::string& path, int max_batch = 512,
                                 const std::string& sync = "NORMAL") {
  StoreOptions o;
  o.path = path;
  o.synchronous = sync;
  o.max_batch = max_batch;
  Result<std::unique_ptr<Store>> s = Store::Open(o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

// Creates the probe table used by the commit tests.
void CreateProbe(Store& store) {
  ASSERT_TRUE(store.Run([](Connection& db) { return db.Exec(kCreateProbe); }).ok());
}

Store::Work InsertTag(std::string tag) {
  return [tag = std::move(tag)](Connection& db) {
    return db.Prepare(kInsertProbe).Bind(1, tag).Run();
  };
}

// A job that blocks the writer until released, so the test can queue work
// behind it and know exactly what the next batch holds.
struct Gate {
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();

  Store::Work Job() {
    return [this](Connection&) {
      started.set_value();
      released.wait();
      return Status::Ok();
    };
  }
};

// ------------------------------------------------------------- migrations

TEST(MigrationsTest, EmptyDatabaseGetsEveryMigrationRecorded) {
  TempDb tmp;
  auto db = SqliteConnection::Open(tmp.path(), WriterOptions());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Result<int> version = Migrate(**db);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, LatestSchemaVersion());
  EXPECT_EQ(QueryInt(**db, kCountMigrations), LatestSchemaVersion());

  Statement& row = (*db)->Prepare(kMigrationRow);
  ScopedReset reset(row);
  row.Bind(1, int64_t{1});
  ASSERT_TRUE(*row.Step());
  EXPECT_FALSE(row.Text(0).empty());
  EXPECT_GT(row.Int(1), 1600000000);  // a real Unix time
}

TEST(MigrationsTest, SchemaHasEveryTableIndexAndTrigger) {
  TempDb tmp;
  auto db = OpenWriter(tmp.path());
  ASSERT_TRUE(Migrate(*db).ok());
  const char* const kNames[] = {
      "groups",          "members",           "accounts",          "journals",
      "postings",        "savings",           "training_modules",  "training_records",
      "audit_log",       "ussd_sessions",     "schema_migrations", "members_phone",
      "ussd_sessions_expires", "postings_no_update", "postings_no_delete",
      "journals_no_update",    "journals_no_delete", "savings_decided_once",
      "loans",                 "loan_events",        "loan_instalments",
      "loan_repayments",       "loans_one_open_request", "loans_no_delete",
      "loans_final_state",     "loan_events_no_update",  "loan_instalments_no_update",
      "loan_repayments_decided_once", "loan_repayments_external", "cycles", "cycles_one_open",
      "cycles_rules_fixed", "share_out_lines", "fines", "fines_decided_once",
      "social_fund_entries", "loans_source_fixed", "savings_cycle_fixed", "accounts_no_delete"};
  for (const char* name : kNames) {
    EXPECT_EQ(QueryInt(*db, kTableExists, name), 1) << name;
  }
}

TEST(MigrationsTest, ReopeningAppliesNothing) {
  TempDb tmp;
  int64_t first_applied_at = 0;
  {
    auto store = OpenStore(tmp.path());
    ASSERT_NE(store, nullptr);
    Statement& st = store->Reader().Prepare(kCountMigrations);
    ScopedReset reset(st);
    ASSERT_TRUE(*st.Step());
    first_applied_at = st.Int(1);
  }
  auto db = OpenWriter(tmp.path());
  for (int i = 0; i < 2; ++i) {
    Result<int> version = Migrate(*db);
    ASSERT_TRUE(version.ok()) << version.status().ToString();
    EXPECT_EQ(*version, LatestSchemaVersion());
  }
  Statement& st = db->Prepare(kCountMigrations);
  ScopedReset reset(st);
  ASSERT_TRUE(*st.Step());
  EXPECT_EQ(st.Int(0), LatestSchemaVersion());
  EXPECT_EQ(st.Int(1), first_applied_at);  // not re-applied
}

TEST(MigrationsTest, RefusesADatabaseFromANewerBuild) {
  TempDb tmp;
  auto db = OpenWriter(tmp.path());
  ASSERT_TRUE(Migrate(*db).ok());
  ASSERT_TRUE(db->Exec(kForceNewerSchema).ok());
  Result<int> version = Migrate(*db);
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.status().code(), Status::Code::kFailedPrecondition);
}

// -------------------------------------------------------------- connection

TEST(ConnectionTest, RejectsUnknownSynchronousMode) {
  TempDb tmp;
  ConnectionOptions o;
  o.synchronous = "EXTRA; DROP TABLE x";
  auto db = SqliteConnection::Open(tmp.path(), o);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Status::Code::kInvalidArgument);
}

TEST(ConnectionTest, ReadOnlyConnectionCannotOpenAMissingFileOrWrite) {
  TempDb tmp;
  ConnectionOptions ro;
  ro.read_only = true;
  EXPECT_FALSE(SqliteConnection::Open(tmp.path(), ro).ok());

  auto store = OpenStore(tmp.path());
  ASSERT_NE(store, nullptr);
  CreateProbe(*store);
  Status s = store->Reader().Prepare(kInsertProbe).Bind(1, std::string_view("x")).Run();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("readonly"), std::string::npos) << s.ToString();
}

TEST(ConnectionTest, MapsSqliteErrorsToStatusCodes) {
  TempDb tmp;
  auto db = OpenWriter(tmp.path());
  ASSERT_TRUE(db->Exec(kCreateProbe).ok());
  ASSERT_TRUE(db->Prepare(kInsertProbe).Bind(1, std::string_view("a")).Run().ok());
  Status dup = db->Prepare(kInsertProbe).Bind(1, std::string_view("a")).Run();
  EXPECT_EQ(dup.code(), Status::Code::kAlreadyExists) << dup.ToString();
  EXPECT_NE(dup.message().find("UNIQUE"), std::string::npos) << dup.ToString();
  Status null_tag = db->Prepare(kInsertProbe).BindNull(1).Run();
  EXPECT_EQ(null_tag.code(), Status::Code::kFailedPrecondition) << null_tag.ToString();
  // The statement is reusable after an error.
  EXPECT_TRUE(db->Prepare(kInsertProbe).Bind(1, std::string_view("b")).Run().ok());
  // An empty string is a value, not NULL (NOT NULL holds).
  EXPECT_TRUE(db->Prepare(kInsertProbe).Bind(1, std::string_view()).Run().ok());
  EXPECT_EQ(QueryInt(*db, kCountEmptyTag), 1);
}

TEST(ConnectionDeathTest, InvalidSqlConstantAborts) {
  static constexpr char kBad[] = "SELEKT nothing";
  TempDb tmp;
  EXPECT_DEATH(
      {
        auto db = OpenWriter(tmp.path());
        db->Prepare(kBad);
      },
      "invalid SQL constant");
}

// ------------------------------------------------------------ group commit

TEST(StoreTest, ConcurrentSubmitsAreAllDurableAndVisible) {
  TempDb tmp;
  constexpr int kThreads = 6;
  constexpr int kPerThread = 150;
  std::atomic<int> ok{0};
  std::atomic<size_t> committed_jobs{0};
  {
    auto store = OpenStore(tmp.path(), /*max_batch=*/64, "FULL");
    ASSERT_NE(store, nullptr);
    CreateProbe(*store);
    store->set_commit_observer([&](double seconds, size_t jobs) {
      EXPECT_GE(seconds, 0.0);
      EXPECT_LE(jobs, 64u);
      committed_jobs += jobs;
    });
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          // Half wait for the result, half fire and forget.
          std::string tag = std::to_string(t) + ":" + std::to_string(i);
          if (i % 2 == 0) {
            if (store->Run(InsertTag(tag)).ok()) ++ok;
          } else {
            store->Submit(InsertTag(tag), [&](const Status& s) {
              if (s.ok()) ++ok;
            });
          }
        }
      });
    }
    for (std::thread& th : threads) th.join();
    // Run() returned for the even jobs; the odd ones are drained by the
    // destructor at the end of this scope.
  }
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_EQ(committed_jobs.load(), static_cast<size_t>(kThreads * kPerThread));

  // Durable: a new store on the same file sees every row.
  auto reopened = OpenStore(tmp.path());
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(QueryInt(reopened->Reader(), kCountProbe), kThreads * kPerThread);
}

TEST(StoreTest, QueuedJobsShareOneCommit) {
  TempDb tmp;
  auto store = OpenStore(tmp.path(), /*max_batch=*/10);
  ASSERT_NE(store, nullptr);
  CreateProbe(*store);
  std::mutex mu;
  std::vector<size_t> batches;
  store->set_commit_observer([&](double, size_t jobs) {
    std::lock_guard<std::mutex> lock(mu);
    batches.push_back(jobs);
  });

  Gate gate;
  store->Submit(gate.Job(), nullptr);
  gate.started.get_future().wait();
  std::atomic<int> done{0};
  for (int i = 0; i < 25; ++i) {
    store->Submit(InsertTag("t" + std::to_string(i)), [&](const Status& s) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      ++done;
    });
  }
  // A marker queued behind them, before the gate opens: 26 jobs wait.
  std::promise<void> marker;
  store->Submit([](Connection&) { return Status::Ok(); },
                [&marker](const Status&) { marker.set_value(); });
  gate.release.set_value();
  marker.get_future().wait();
  EXPECT_EQ(done.load(), 25);
  std::lock_guard<std::mutex> lock(mu);
  // The gate alone, then the 26 queued jobs in batches of at most 10.
  EXPECT_EQ(batches, (std::vector<size_t>{1, 10, 10, 6}));
}

TEST(StoreTest, AFailingJobRollsBackAloneAndTheBatchCommits) {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  ASSERT_NE(store, nullptr);
  CreateProbe(*store);
  std::vector<size_t> batches;
  store->set_commit_observer([&](double, size_t jobs) { batches.push_back(jobs); });

  struct Case {
    const char* tag;
    enum { kOk, kFail, kThrow } how;
    Status::Code want;
  };
  const Case kCases[] = {
      {"a", Case::kOk, Status::Code::kOk},
      {"b", Case::kFail, Status::Code::kInvalidArgument},
      {"c", Case::kThrow, Status::Code::kInternal},
      {"a", Case::kOk, Status::Code::kAlreadyExists},  // UNIQUE tag: SQL error
      {"d", Case::kOk, Status::Code::kOk},
  };
  Gate gate;
  store->Submit(gate.Job(), nullptr);
  gate.started.get_future().wait();
  std::vector<std::promise<Status>> results(std::size(kCases));
  for (size_t i = 0; i < std::size(kCases); ++i) {
    const Case c = kCases[i];
    store->Submit(
        [c](Connection& db) -> Status {
          SHG_RETURN_IF_ERROR(db.Prepare(kInsertProbe).Bind(1, std::string_view(c.tag)).Run());
          if (c.how == Case::kFail) return Status::InvalidArgument("no");
          if (c.how == Case::kThrow) throw std::runtime_error("boom");
          return Status::Ok();
        },
        [&results, i](const Status& s) { results[i].set_value(s); });
  }
  gate.release.set_value();
  for (size_t i = 0; i < std::size(kCases); ++i) {
    Status s = results[i].get_future().get();
    EXPECT_EQ(s.code(), kCases[i].want) << kCases[i].tag << ": " << s.ToString();
  }
  // The gate, then the five cases in one commit.
  EXPECT_EQ(batches, (std::vector<size_t>{1, std::size(kCases)}));
  Connection& r = store->Reader();
  EXPECT_EQ(QueryInt(r, kCountProbe), 2);
  for (const char* tag : {"a", "d"}) EXPECT_EQ(QueryInt(r, kProbeByTag, tag), 1) << tag;
  for (const char* tag : {"b", "c"}) EXPECT_EQ(QueryInt(r, kProbeByTag, tag), 0) << tag;
}

TEST(StoreTest, DestructorDrainsQueuedWork) {
  TempDb tmp;
  constexpr int kJobs = 300;
  std::atomic<int> done{0};
  {
    auto store = OpenStore(tmp.path(), /*max_batch=*/16);
    ASSERT_NE(store, nullptr);
    CreateProbe(*store);
    for (int i = 0; i < kJobs; ++i) {
      store->Submit(InsertTag(std::to_string(i)), [&](const Status& s) {
        if (s.ok()) ++done;
      });
    }
  }
  EXPECT_EQ(done.load(), kJobs);
  auto reopened = OpenStore(tmp.path());
  EXPECT_EQ(QueryInt(reopened->Reader(), kCountProbe), kJobs);
}

TEST(StoreTest, RunFromInsideAJobIsRefused) {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  ASSERT_NE(store, nullptr);
  Store* s = store.get();
  Status inner;
  Status outer = store->Run([&](Connection&) {
    inner = s->Run([](Connection&) { return Status::Ok(); });
    return Status::Ok();
  });
  EXPECT_TRUE(outer.ok());
  EXPECT_EQ(inner.code(), Status::Code::kInternal);
}

TEST(StoreTest, ReadersArePerThreadAndSeeCommittedWrites) {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  ASSERT_NE(store, nullptr);
  CreateProbe(*store);
  Connection* main_reader = &store->Reader();
  EXPECT_EQ(main_reader, &store->Reader());  // cached
  EXPECT_EQ(QueryInt(*main_reader, kCountProbe), 0);
  ASSERT_TRUE(store->Run(InsertTag("x")).ok());
  // The cached reader must not be stuck on an old snapshot.
  EXPECT_EQ(QueryInt(*main_reader, kCountProbe), 1);

  std::set<Connection*> seen;
  std::mutex mu;
  // Threads stay alive until all have their reader: an exited thread's
  // connection is freed and its address could be reused.
  std::latch all_open(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      Connection& r = store->Reader();
      EXPECT_EQ(QueryInt(r, kCountProbe), 1);
      {
        std::lock_guard<std::mutex> lock(mu);
        seen.insert(&r);
      }
      all_open.arrive_and_wait();
    });
  }
  for (std::thread& th : threads) th.join();
  seen.insert(main_reader);
  EXPECT_EQ(seen.size(), 4u);
}

TEST(StoreTest, TwoStoresInOneThreadKeepTheirOwnReaders) {
  TempDb tmp_a;
  TempDb tmp_b;
  auto a = OpenStore(tmp_a.path());
  auto b = OpenStore(tmp_b.path());
  CreateProbe(*a);
  CreateProbe(*b);
  ASSERT_TRUE(a->Run(InsertTag("only-in-a")).ok());
  EXPECT_EQ(QueryInt(a->Reader(), kCountProbe), 1);
  EXPECT_EQ(QueryInt(b->Reader(), kCountProbe), 0);
  // A store opened after another was destroyed never gets its readers.
  a.reset();
  TempDb tmp_c;
  auto c = OpenStore(tmp_c.path());
  CreateProbe(*c);
  EXPECT_EQ(QueryInt(c->Reader(), kCountProbe), 0);
}

TEST(StoreTest, OpenRejectsBadOptions) {
  TempDb tmp;
  StoreOptions o;
  o.path = tmp.path();
  o.synchronous = "SOMETIMES";
  EXPECT_EQ(Store::Open(o).status().code(), Status::Code::kInvalidArgument);
  o.synchronous = "FULL";
  o.max_batch = 0;
  EXPECT_EQ(Store::Open(o).status().code(), Status::Code::kInvalidArgument);
}

// ----------------------------------------------- append-only ledger triggers

TEST(LedgerTriggersTest, PostedRowsCannotBeUpdatedOrDeleted) {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  ASSERT_NE(store, nullptr);
  PinHasher pins("0123456789abcdef-pepper");
  DomainContext ctx;
  ctx.pins = &pins;
  ctx.now = 1700000000;
  // One confirmed saving: a journal with two postings.
  ASSERT_TRUE(store
                  ->Run([&](Connection& db) -> Status {
                    Services svc(db, ctx);
                    Group g;
                    g.name = "G";
                    g.country = "KE";
                    g.currency = "KES";
                    Result<int64_t> gid = svc.AddGroup(g);
                    if (!gid.ok()) return gid.status();
                    Member m;
                    m.group_id = *gid;
                    m.phone = "+254700000001";
                    m.name = "Amina";
                    Result<int64_t> amina = svc.AddMember(m);
                    if (!amina.ok()) return amina.status();
                    m.name = "Wanjiru";
                    m.role = Role::kTreasurer;
                    Result<int64_t> treasurer = svc.AddMember(m);
                    if (!treasurer.ok()) return treasurer.status();
                    Result<Saving> s = svc.LogSaving(*amina, 50000, "ussd", "k1");
                    if (!s.ok()) return s.status();
                    return svc.DecideSaving(s->id, *treasurer, true);
                  })
                  .ok());

  static constexpr char kUpdatePosting[] = "UPDATE postings SET amount = amount * 2";
  static constexpr char kDeletePosting[] = "DELETE FROM postings";
  static constexpr char kUpdateJournal[] = "UPDATE journals SET memo = 'edited'";
  static constexpr char kDeleteJournal[] = "DELETE FROM journals";
  static constexpr char kDeleteAccount[] = "DELETE FROM accounts";
  static constexpr char kRecurrency[] = "UPDATE accounts SET currency = 'UGX'";
  static constexpr char kUndecide[] = "UPDATE savings SET status = 'pending'";
  static constexpr char kDeleteSaving[] = "DELETE FROM savings";
  struct Case {
    const char* sql;
    const char* message;
  };
  const Case kCases[] = {
      {kUpdatePosting, "append-only"}, {kDeletePosting, "append-only"},
      {kUpdateJournal, "append-only"}, {kDeleteJournal, "append-only"},
      {kDeleteAccount, "never deleted"}, {kRecurrency, "only balance"},
      {kUndecide, "already decided"},  {kDeleteSaving, "never deleted"},
  };
  for (const Case& c : kCases) {
    Status s = store->Run([&](Connection& db) { return db.Prepare(c.sql).Run(); });
    EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition) << c.sql << ": " << s.ToString();
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.ToString();
  }
  Services reader(store->Reader(), ctx);
  EXPECT_TRUE(reader.CheckLedger().ok());
}

}  // namespace
}  // namespace shg::store
