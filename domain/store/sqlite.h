// Thin RAII wrapper over the SQLite C API: a connection with a cache of
// prepared statements keyed by the address of their named SQL constant.
//
// Thread-safety: a Connection and its Statements belong to one thread at a
// time (SQLite is built serialized, but we never share a connection).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/result.h"

namespace shg::store {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Bind by 1-based index. Chainable.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);

  // Advances; returns true when a row is available, false when done.
  // Errors carry sqlite3_errmsg and map SQLite codes to Status codes:
  // BUSY/LOCKED -> Unavailable, UNIQUE/PRIMARY KEY -> AlreadyExists, other
  // constraints (CHECK, FOREIGN KEY, NOT NULL, trigger RAISE) ->
  // FailedPrecondition, anything else -> Internal.
  Result<bool> Step();
  // Runs to completion (for INSERT/UPDATE/DELETE); OK or the SQLite error.
  Status Run();

  int64_t Int(int col) const;
  std::string Text(int col) const;
  std::string Blob(int col) const;
  bool IsNull(int col) const;

  // Clears bindings and resets; called by Connection::Prepare before reuse.
  void Reset();

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// Resets a statement when leaving scope. A SELECT that stops before
// SQLITE_DONE otherwise keeps its read transaction open, so later reads on
// the same connection would see an old snapshot and the WAL could not be
// checkpointed past it.
class ScopedReset {
 public:
  explicit ScopedReset(Statement& s) : s_(s) {}
  ~ScopedReset() { s_.Reset(); }
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;

 private:
  Statement& s_;
};

struct ConnectionOptions {
  // "OFF", "NORMAL" or "FULL" (default): FULL fsyncs the WAL on every commit.
  std::string synchronous = "FULL";
  int busy_timeout_ms = 5000;
  bool read_only = false;
};

class Connection {
 public:
  // Opens (creating if needed for a writer) the database at `path` in WAL mode
  // with foreign keys on.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path,
                                                  const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Executes one or more statements without results (DDL, BEGIN, COMMIT...).
  Status Exec(std::string_view sql);

  // Returns the cached prepared statement for `sql` (a named constant: the
  // cache is keyed by its address), reset and with bindings cleared.
  // REQUIRES: `sql` outlives the connection and is valid SQL (a bad constant
  // is a programming error and aborts).
  Statement& Prepare(const char* sql);

  int64_t LastInsertRowId() const;
  int Changes() const;
  sqlite3* raw() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, std::unique_ptr<Statement>> cache_;
};

// Runs `body` (returning Status or Result<T>) inside a SAVEPOINT: when it
// fails, everything it wrote is rolled back and the caller's transaction (if
// any) carries on; when it succeeds its writes join the caller's transaction
// (or commit, when no transaction was open). Lets a multi-statement
// operation never leave half its writes behind.
inline constexpr char kSavepointOpSql[] = "SAVEPOINT op";
inline constexpr char kReleaseOpSql[] = "RELEASE op";
inline constexpr char kRollbackToOpSql[] = "ROLLBACK TO op";

template <typename F>
auto InSavepoint(Connection& conn, F&& body) -> decltype(body()) {
  if (Status s = conn.Prepare(kSavepointOpSql).Run(); !s.ok()) return s;
  auto result = body();
  if (result.ok()) {
    Status s = conn.Prepare(kReleaseOpSql).Run();
    if (s.ok()) return result;
    (void)conn.Prepare(kRollbackToOpSql).Run();
    (void)conn.Prepare(kReleaseOpSql).Run();
    return s;
  }
  (void)conn.Prepare(kRollbackToOpSql).Run();
  (void)conn.Prepare(kReleaseOpSql).Run();
  return result;
}

}  // namespace shg::store
