// The database a test runs on. SQLite (a temporary file) by default; with
// SHG_TEST_BACKEND=postgresql, a fresh PostgreSQL database on the server
// named by SHG_TEST_POSTGRES_URL (scripts/test.sh starts a throwaway one
// and registers every backend-neutral test a second time, prefixed "pg/").
// Each TestDatabase is empty and private to its test; a PostgreSQL one is
// cloned from a per-process template migrated once, and dropped at the end.
//
// Thread-safety: construct and destroy on the test's thread.
#pragma once

#include <memory>
#include <string>

#include "domain/result.h"
#include "domain/store/db.h"
#include "domain/store/store.h"

namespace shg::testing {

// True when this process runs its tests on PostgreSQL.
bool OnPostgres();
// SHG_TEST_POSTGRES_URL: the server's maintenance database, with the
// password (aborts when unset).
std::string ServerUrl();

// A unique SQLite file path for the current test under ::testing::TempDir()
// (named after the test); the file and its -wal/-shm are removed at
// construction and destruction. For tests of the SQLite store itself.
class TempSqliteFile {
 public:
  TempSqliteFile();
  ~TempSqliteFile();
  TempSqliteFile(const TempSqliteFile&) = delete;
  TempSqliteFile& operator=(const TempSqliteFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  void Remove() const;
  std::string path_;
};

class TestDatabase {
 public:
  // `migrated`: PostgreSQL databases start at the latest schema (cloned
  // from the template) unless false (an empty database). SQLite files
  // always start empty (migrations are fast there).
  explicit TestDatabase(bool migrated = true);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  bool postgres() const { return !url_.empty(); }
  // SQLite: the file; PostgreSQL: empty.
  const std::string& path() const;
  // PostgreSQL: the database's URL (with the password); SQLite: empty.
  const std::string& url() const { return url_; }
  // PostgreSQL: the database's name; SQLite: empty.
  const std::string& name() const { return name_; }

  // PostgreSQL: the URL without its password, and the password (for a
  // configuration file, which refuses a password in the URL).
  std::string url_without_password() const;
  std::string password() const;

  // Options for store::Store::Open (SQLite synchronous=NORMAL: tests do not
  // need power-loss durability).
  store::StoreOptions Options() const;
  // Points a gateway's settings (config::Settings) at this database.
  template <typename Settings>
  void Configure(Settings& settings) const {
    if (postgres()) {
      settings.store_backend = "postgresql";
      settings.store_url = url_;
      settings.store_pool_size = 2;
    } else {
      settings.db_path = path();
    }
  }
  // The [store] section of a configuration file naming this database: its
  // path (SQLite), or its URL with the password in `dir`/store-password
  // (PostgreSQL: a configuration refuses a password in the URL).
  std::string StoreSection(const std::string& dir) const;
  // A plain connection (not migrated by itself; Migrate it).
  Result<std::unique_ptr<store::Connection>> Connect() const;
  // Everything stored, for tests that a secret is never kept in clear:
  // SQLite: the file and its WAL, byte for byte (close writers first);
  // PostgreSQL: every row of every table, as text.
  std::string AllContent() const;

 private:
  std::unique_ptr<TempSqliteFile> file_;  // SQLite
  std::string url_;
  std::string name_;  // PostgreSQL database name
};

}  // namespace shg::testing
