// The PostgreSQL store when the server drops its sessions (a restart, a
// failover, an administrator) or refuses new ones: the jobs and reads that
// need it fail with Unavailable, the process carries on, and the store uses
// the server again as soon as it accepts connections. Runs in the "pg/"
// pass; skipped on SQLite.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "domain/store/db.h"
#include "domain/store/postgres.h"
#include "domain/store/store.h"
#include "tests/support/test_db.h"

namespace shg::store {
namespace {

class PgStoreOutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!db_.postgres()) GTEST_SKIP() << "PostgreSQL's sessions: the pg/ pass runs it";
    // The server's maintenance database: the test's own refuses connections below.
    auto admin = PgConnection::Open(testing::ServerUrl(), "", false);
    ASSERT_TRUE(admin.ok()) << admin.status().ToString();
    admin_ = std::move(*admin);
    auto store = Store::Open(db_.Options());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override {
    if (admin_) AllowConnections(true);
  }

  void AllowConnections(bool allow) {
    ASSERT_TRUE(admin_->Exec("ALTER DATABASE " + db_.name() + " ALLOW_CONNECTIONS " +
                             (allow ? "true" : "false")).ok());
  }
  // Ends every session on the test's database, as a server restart does.
  void TerminateSessions() {
    auto st = admin_->PrepareUncached(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ?");
    st->Bind(1, db_.name());
    Result<int64_t> ended = QueryInt(*st);
    ASSERT_TRUE(ended.ok()) << ended.status().ToString();
    ASSERT_GT(*ended, 0) << "the store had no session to end";
  }

  // One write job: a group added (a real transaction, not a bare SELECT).
  Status AddGroup(const std::string& name) {
    return store_->Run([&](Connection& conn) {
      return conn.Prepare("INSERT INTO groups (name, country, currency, created_at)"
                          " VALUES (?, 'KE', 'KES', 0)")
          .Bind(1, name)
          .Run();
    });
  }
  Result<int64_t> CountGroups() {
    return QueryInt(store_->Reader().Prepare("SELECT count(*) FROM groups"));
  }

  testing::TestDatabase db_;
  std::unique_ptr<PgConnection> admin_;
  std::unique_ptr<Store> store_;
};

TEST_F(PgStoreOutageTest, WhileTheServerRefusesJobsAndReadsFailAndAfterItTheyWork) {
  ASSERT_TRUE(AddGroup("Upendo").ok());
  ASSERT_EQ(*CountGroups(), 1);

  AllowConnections(false);
  TerminateSessions();
  // Each try fails with Unavailable (no abort, no hang), however many.
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    Status job = AddGroup("Tumaini");
    EXPECT_EQ(job.code(), Status::Code::kUnavailable) << job.ToString();
    Result<int64_t> read = CountGroups();
    EXPECT_EQ(read.status().code(), Status::Code::kUnavailable) << read.status().ToString();
  }

  AllowConnections(true);
  EXPECT_TRUE(AddGroup("Baraka").ok());
  Result<int64_t> groups = CountGroups();
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  EXPECT_EQ(*groups, 2) << "the failed jobs wrote nothing";
}

// Sessions ended while the store is idle (a quick restart): the next job
// finds its connection gone before COMMIT and runs again on a new one, so
// it succeeds at the first call and is written once.
TEST_F(PgStoreOutageTest, AJobWhoseConnectionWasDroppedRunsAgainOnANewOne) {
  ASSERT_TRUE(AddGroup("Upendo").ok());
  ASSERT_TRUE(AddGroup("Tumaini").ok());  // both pooled connections used, most likely
  const uint64_t retried_before = store_->counters().retries;
  TerminateSessions();
  for (const char* name : {"Baraka", "Imani"}) {
    Status job = AddGroup(name);
    EXPECT_TRUE(job.ok()) << name << ": " << job.ToString();
  }
  EXPECT_GE(store_->counters().retries, retried_before + 1);
  // The reader's dropped session fails one read; the next connects again.
  Result<int64_t> first = CountGroups();
  if (!first.ok()) {
    EXPECT_EQ(first.status().code(), Status::Code::kUnavailable) << first.status().ToString();
    first = CountGroups();
  }
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 4);
}

}  // namespace
}  // namespace shg::store
