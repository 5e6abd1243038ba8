#include "tests/support/test_db.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>
#include <string>

#include "domain/store/postgres.h"
#include "domain/store/sqlite.h"

namespace shg::testing {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

// postgresql://user:pw@host:port/dbname?x -> the same with another dbname.
std::string WithDatabase(const std::string& url, const std::string& db) {
  const size_t authority = url.find("://");
  const size_t slash = url.find('/', authority == std::string::npos ? 0 : authority + 3);
  const size_t query = url.find('?');
  std::string base = slash == std::string::npos ? url.substr(0, query) : url.substr(0, slash);
  std::string rest = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + db + rest;
}


// Runs one statement on the server's maintenance database; aborts when it
// fails (unless `may_fail`: then says whether it ran).
bool Admin(const std::string& sql, bool may_fail = false) {
  auto conn = store::PgConnection::Open(ServerUrl(), "", false);
  if (!conn.ok()) {
    std::fprintf(stderr, "test database: %s\n", conn.status().ToString().c_str());
    std::abort();
  }
  Status s = (*conn)->Exec(sql);
  if (!s.ok() && !may_fail) {
    std::fprintf(stderr, "test database: %s\n", s.ToString().c_str());
    std::abort();
  }
  return s.ok();
}

// Drops a test database. FORCE ends the connections a test left (readers
// other threads cached), but it refuses when an autovacuum worker is on the
// database; plain DROP waits for that one instead.
void DropDatabase(const std::string& name) {
  if (Admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", true)) return;
  for (int attempt = 0; attempt < 10; ++attempt) {
    if (Admin("DROP DATABASE IF EXISTS " + name, true)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::fprintf(stderr, "test database: could not drop %s (left on the throwaway server)\n",
               name.c_str());
}

std::string ProcessTag() { return std::to_string(::getpid()); }

// The template every test database is cloned from: one per schema version
// on the server, shared by all test processes (ctest runs one per test).
// The first process builds it under an advisory lock and renames it into
// place when migrated, so no process ever clones a half-built one. The
// throwaway server is destroyed after the tests, and the template with it.
const std::string& TemplateName() {
  static std::once_flag once;
  static std::string name;
  std::call_once(once, [] {
    name = "shg_tmpl_v" + std::to_string(store::LatestSchemaVersion());
    auto admin = store::PgConnection::Open(ServerUrl(), "", false);
    if (!admin.ok()) {
      std::fprintf(stderr, "test database: %s\n", admin.status().ToString().c_str());
      std::abort();
    }
    store::Connection& db = **admin;
    auto run = [&db](const std::string& sql) {
      Status s = db.Exec(sql);
      if (!s.ok()) {
        std::fprintf(stderr, "test database: %s\n", s.ToString().c_str());
        std::abort();
      }
    };
    run("SELECT pg_advisory_lock(7305210002)");
    auto exists = db.PrepareUncached("SELECT COUNT(*) FROM pg_database WHERE datname = '" + name + "'");
    Result<bool> row = exists->Step();
    const bool ready = row.ok() && *row && exists->Int(0) == 1;
    exists.reset();
    if (!ready) {
      const std::string building = name + "_building";
      run("DROP DATABASE IF EXISTS " + building + " WITH (FORCE)");
      run("CREATE DATABASE " + building + " TEMPLATE template0 ENCODING 'UTF8'");
      {
        auto conn = store::PgConnection::Open(WithDatabase(ServerUrl(), building), "", false);
        if (!conn.ok() || !store::Migrate(**conn).ok()) {
          std::fprintf(stderr, "test database: cannot migrate the template\n");
          std::abort();
        }
      }
      run("ALTER DATABASE " + building + " RENAME TO " + name);
    }
    run("SELECT pg_advisory_unlock(7305210002)");
  });
  return name;
}

std::string TestName() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info != nullptr ? std::string(info->test_suite_name()) + "_" + info->name()
                                     : std::string("db");
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  return name;
}

}  // namespace

bool OnPostgres() { return Env("SHG_TEST_BACKEND") == "postgresql"; }

std::string ServerUrl() {
  const std::string url = Env("SHG_TEST_POSTGRES_URL");
  if (url.empty()) {
    std::fprintf(stderr, "SHG_TEST_BACKEND=postgresql needs SHG_TEST_POSTGRES_URL\n");
    std::abort();
  }
  return url;
}

TempSqliteFile::TempSqliteFile() {
  static std::atomic<int> counter{0};
  path_ = ::testing::TempDir() + "shg_" + TestName() + "_" + ProcessTag() + "_" +
          std::to_string(counter++) + ".db";
  Remove();
}

TempSqliteFile::~TempSqliteFile() { Remove(); }

void TempSqliteFile::Remove() const {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
}

TestDatabase::TestDatabase(bool migrated) {
  if (!OnPostgres()) {
    file_ = std::make_unique<TempSqliteFile>();
    return;
  }
  static std::atomic<int> counter{0};
  const int n = counter++;
  // The pid alone may come back over thousands of test processes.
  static const std::string tag = [] {
    std::random_device rd;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x", rd());
    return ProcessTag() + "_" + buf;
  }();
  name_ = "shg_t_" + tag + "_" + std::to_string(n);
  if (migrated) {
    Admin("CREATE DATABASE " + name_ + " TEMPLATE " + TemplateName());
  } else {
    Admin("CREATE DATABASE " + name_ + " TEMPLATE template0 ENCODING 'UTF8'");
  }
  url_ = WithDatabase(ServerUrl(), name_);
}

TestDatabase::~TestDatabase() {
  if (postgres()) DropDatabase(name_);
}

const std::string& TestDatabase::path() const {
  static const std::string kNone;
  return file_ ? file_->path() : kNone;
}

std::string TestDatabase::url_without_password() const {
  const size_t colon = url_.find(':', url_.find("://") + 3);
  const size_t at = url_.find('@');
  if (colon == std::string::npos || at == std::string::npos || colon > at) return url_;
  return url_.substr(0, colon) + url_.substr(at);
}

std::string TestDatabase::password() const {
  const size_t colon = url_.find(':', url_.find("://") + 3);
  const size_t at = url_.find('@');
  if (colon == std::string::npos || at == std::string::npos || colon > at) return "";
  return url_.substr(colon + 1, at - colon - 1);
}

store::StoreOptions TestDatabase::Options() const {
  store::StoreOptions so;
  if (postgres()) {
    so.backend = "postgresql";
    so.url = url_;
    so.pool_size = 2;
  } else {
    so.path = path();
    so.synchronous = "NORMAL";
  }
  return so;
}

std::string TestDatabase::StoreSection(const std::string& dir) const {
  if (!postgres()) return "[store]\npath = \"" + path() + "\"\n";
  const std::string password_file = dir + "/store-password";
  std::ofstream(password_file) << password() << "\n";
  return "[store]\nbackend = \"postgresql\"\nurl = \"" + url_without_password() +
         "\"\npassword_file = \"" + password_file + "\"\npool_size = 2\n";
}

Result<std::unique_ptr<store::Connection>> TestDatabase::Connect() const {
  if (postgres()) {
    auto conn = store::PgConnection::Open(url_, "", false);
    if (!conn.ok()) return conn.status();
    return std::unique_ptr<store::Connection>(std::move(*conn));
  }
  store::ConnectionOptions o;
  o.synchronous = "OFF";
  auto conn = store::SqliteConnection::Open(path(), o);
  if (!conn.ok()) return conn.status();
  return std::unique_ptr<store::Connection>(std::move(*conn));
}

std::string TestDatabase::AllContent() const {
  std::string all;
  if (!postgres()) {
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream f(path() + suffix, std::ios::binary);
      std::ostringstream ss;
      ss << f.rdbuf();
      all += ss.str();
    }
    return all;
  }
  auto conn = Connect();
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return all;
  std::vector<std::string> tables;
  auto list = (*conn)->PrepareUncached(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
  EXPECT_TRUE(store::ForEachRow(*list, [&](store::Statement& st) { tables.push_back(st.Text(0)); }).ok());
  EXPECT_FALSE(tables.empty());
  for (const std::string& table : tables) {
    auto rows = (*conn)->PrepareUncached("SELECT CAST(t AS TEXT) FROM " + table + " t");
    EXPECT_TRUE(store::ForEachRow(*rows, [&](store::Statement& st) { all += st.Text(0) + "\n"; }).ok());
  }
  return all;
}

}  // namespace shg::testing
