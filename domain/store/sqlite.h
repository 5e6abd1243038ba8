// The SQLite backend of the store seam (domain/store/db.h): a connection
// with a cache of prepared statements keyed by the address of their named SQL
// constant. <sqlite3.h> stays inside domain/store/.
//
// Thread-safety: a connection and its statements belong to one thread at a
// time (SQLite is built serialized, but we never share a connection).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "domain/result.h"
#include "domain/store/db.h"

struct sqlite3;
struct sqlite3_stmt;

namespace shg::store {

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, int64_t* returned_id)
      : db_(db), stmt_(stmt), returned_id_(returned_id) {}
  ~SqliteStatement() override;

  Statement& Bind(int index, int64_t value) override;
  Statement& Bind(int index, std::string_view text) override;
  Statement& BindBlob(int index, std::string_view bytes) override;
  Statement& BindNull(int index) override;
  // Maps SQLite codes to Status codes: BUSY/LOCKED -> Unavailable,
  // UNIQUE/PRIMARY KEY -> AlreadyExists, other constraints (CHECK, FOREIGN
  // KEY, NOT NULL, trigger RAISE) -> FailedPrecondition, else Internal.
  Result<bool> Step() override;
  Status Run() override;
  int64_t Int(int col) const override;
  std::string Text(int col) const override;
  std::string Blob(int col) const override;
  bool IsNull(int col) const override;
  void Reset() override;

  // An INSERT prepared without its trailing "RETURNING id": Run() sets the
  // connection's ReturnedId from sqlite3_last_insert_rowid instead.
  void set_returns_rowid(bool v) { returns_rowid_ = v; }
  // A statement that failed to prepare (stmt null): every Step returns it.
  void set_prepare_error(Status s) { prepare_error_ = std::move(s); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int64_t* returned_id_;  // the connection's ReturnedId
  bool returns_rowid_ = false;
  Status prepare_error_;
};

struct ConnectionOptions {
  // "OFF", "NORMAL" or "FULL" (default): FULL fsyncs the WAL on every commit.
  std::string synchronous = "FULL";
  int busy_timeout_ms = 5000;
  bool read_only = false;
};

class SqliteConnection final : public Connection {
 public:
  // Opens (creating if needed for a writer) the database at `path` in WAL mode
  // with foreign keys on.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path,
                                                        const ConnectionOptions& options);
  ~SqliteConnection() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  Status Exec(std::string_view sql) override;
  // A bad constant aborts at once (it is a programming error). An INSERT
  // whose text ends in " RETURNING id" is prepared without it: its id
  // comes from sqlite3_last_insert_rowid into ReturnedId() after Run(),
  // and Step() yields no row for it.
  Statement& Prepare(const char* sql) override;
  using Connection::Prepare;
  std::unique_ptr<Statement> PrepareUncached(std::string_view sql) override;
  int Changes() const override;
  bool InTransaction() const override;
  Result<int64_t> ClockMs() override;

  sqlite3* raw() const { return db_; }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, std::unique_ptr<SqliteStatement>> cache_;
};

}  // namespace shg::store
