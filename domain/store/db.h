// The store's seam: a database connection and its prepared statements, as
// the domain sees them. Two backends implement it: SQLite (embedded, the
// default; domain/store/sqlite.h) and PostgreSQL on libpq (several gateway
// instances on one database; domain/store/postgres.h).
//
// SQL is written once, in the dialect both understand: `?` or `?N`
// placeholders (the PostgreSQL backend renumbers them `$N`), ids of inserted
// rows read with `RETURNING id`, `ON CONFLICT ... DO NOTHING/UPDATE` upserts,
// COALESCE, CASE. Where the dialects cannot agree (date formatting, row
// locking), a statement is a DialectSql pair and each backend picks its own.
// Booleans read as Int(): 1 or 0 on both.
//
// Errors map to Status codes the same way on both backends:
//   busy/locked, connection lost          -> Unavailable
//   serialization failure, deadlock        -> Unavailable (the PostgreSQL
//                                             store retries the job first)
//   UNIQUE / PRIMARY KEY violated          -> AlreadyExists
//   other constraints, trigger refusals    -> FailedPrecondition
//   anything else                          -> Internal
//
// Thread-safety: a Connection and its Statements belong to one thread at a
// time; they are never shared.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "domain/result.h"

namespace shg::store {

enum class Dialect { kSqlite, kPostgresql };

const char* DialectName(Dialect d);

// One statement in each dialect, for the few that cannot be written once.
struct DialectSql {
  const char* sqlite;
  const char* postgresql;
  constexpr const char* In(Dialect d) const { return d == Dialect::kSqlite ? sqlite : postgresql; }
};

class Statement {
 public:
  virtual ~Statement() = default;

  // Bind by 1-based index. Chainable.
  virtual Statement& Bind(int index, int64_t value) = 0;
  virtual Statement& Bind(int index, std::string_view text) = 0;
  virtual Statement& BindBlob(int index, std::string_view bytes) = 0;
  virtual Statement& BindNull(int index) = 0;

  // Advances; returns true when a row is available, false when done. The
  // first Step executes the statement.
  virtual Result<bool> Step() = 0;
  // Runs to completion (for INSERT/UPDATE/DELETE); OK or the error.
  virtual Status Run() = 0;

  // Columns of the current row, 0-based. NULL reads as 0 / "".
  virtual int64_t Int(int col) const = 0;
  virtual std::string Text(int col) const = 0;
  virtual std::string Blob(int col) const = 0;
  virtual bool IsNull(int col) const = 0;

  // Clears bindings and ends the execution; Connection::Prepare calls it
  // before reuse.
  virtual void Reset() = 0;
};

// Resets a statement when leaving scope. A SELECT that stops before its
// last row otherwise keeps its read snapshot (SQLite) or its result (both).
class ScopedReset {
 public:
  explicit ScopedReset(Statement& s) : s_(s) {}
  ~ScopedReset() { s_.Reset(); }
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;

 private:
  Statement& s_;
};

class Connection {
 public:
  virtual ~Connection() = default;

  virtual Dialect dialect() const = 0;

  // Executes one or more statements without results (DDL, BEGIN, COMMIT...).
  virtual Status Exec(std::string_view sql) = 0;

  // Returns the cached prepared statement for `sql` (a named constant: the
  // cache is keyed by its address), reset and with bindings cleared.
  // REQUIRES: `sql` outlives the connection and is valid SQL (a bad constant
  // is a programming error; SQLite aborts at once, PostgreSQL reports it as
  // Internal on the first Step).
  virtual Statement& Prepare(const char* sql) = 0;
  Statement& Prepare(const DialectSql& sql) { return Prepare(sql.In(dialect())); }
  // A statement for ad-hoc SQL (tools, tests), not cached: it is finalized
  // when the returned object dies.
  virtual std::unique_ptr<Statement> PrepareUncached(std::string_view sql) = 0;

  // Rows changed by the last INSERT/UPDATE/DELETE run on this connection.
  virtual int Changes() const = 0;
  // The first column of the last row returned by the last statement that
  // Run() completed on this connection: the id of an `INSERT ... RETURNING
  // id` (0 when it returned no row, e.g. ON CONFLICT DO NOTHING skipped it).
  int64_t ReturnedId() const { return returned_id_; }
  // True inside BEGIN ... COMMIT.
  virtual bool InTransaction() const = 0;
  // The database's clock, in milliseconds since the epoch: the one clock
  // every instance sharing the database agrees on (for leases and due
  // times written by one instance and compared by another). SQLite: this
  // machine's clock, no I/O (the database file is on it). PostgreSQL: the
  // server's clock_timestamp(), one round trip; it moves on inside a
  // transaction, unlike now().
  virtual Result<int64_t> ClockMs() = 0;

 protected:
  int64_t returned_id_ = 0;  // set by the backends' Run()
};

// --------------------------------------------------------------- row helpers
// The step loop every query repeats, once.

// Calls `row(st)` for each row of `st` (already bound); stops at the first
// error, which is returned. `row` may return void or Status (non-OK stops
// the loop and is returned).
template <typename F>
Status ForEachRow(Statement& st, F&& row) {
  ScopedReset reset(st);
  for (;;) {
    Result<bool> more = st.Step();
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
    if constexpr (std::is_void_v<std::invoke_result_t<F&, Statement&>>) {
      row(st);
    } else {
      Status s = row(st);
      if (!s.ok()) return s;
    }
  }
}

namespace row_detail {
// What a row reader yields: T for a reader returning T or Result<T>.
template <typename R>
struct Unwrap { using type = R; static constexpr bool kIsResult = false; };
template <typename T>
struct Unwrap<Result<T>> { using type = T; static constexpr bool kIsResult = true; };
template <typename F>
using ReadInvoke = std::invoke_result_t<F&, Statement&>;
template <typename F>
using RowValue = typename Unwrap<ReadInvoke<F>>::type;
}  // namespace row_detail

// The first row of `st` (already bound) read by `read(st)`, or nullopt when
// there is none; resets the statement. `read` returns T or Result<T>; an
// error it returns, like a step error, is returned.
template <typename F>
auto QueryOptional(Statement& st, F&& read)
    -> Result<std::optional<row_detail::RowValue<F>>> {
  using T = row_detail::RowValue<F>;
  ScopedReset reset(st);
  Result<bool> row = st.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<T>();
  if constexpr (row_detail::Unwrap<row_detail::ReadInvoke<F>>::kIsResult) {
    Result<T> value = read(st);
    if (!value.ok()) return value.status();
    return std::optional<T>(std::move(*value));
  } else {
    return std::optional<T>(read(st));
  }
}

// As QueryOptional, but no row is the error `if_none` (not OK).
template <typename F>
auto QueryOne(Statement& st, F&& read, Status if_none) -> Result<row_detail::RowValue<F>> {
  auto found = QueryOptional(st, std::forward<F>(read));
  if (!found.ok()) return found.status();
  if (!found->has_value()) return if_none;
  return std::move(**found);
}

// Every row of `st` (already bound) read by `read(st)`, in order; resets the
// statement. `read` returns T or Result<T>; the first error it returns, or
// the first step error, stops the loop and is returned.
template <typename F>
auto CollectRows(Statement& st, F&& read) -> Result<std::vector<row_detail::RowValue<F>>> {
  using T = row_detail::RowValue<F>;
  std::vector<T> out;
  Status s = ForEachRow(st, [&](Statement& row) -> Status {
    if constexpr (row_detail::Unwrap<row_detail::ReadInvoke<F>>::kIsResult) {
      Result<T> value = read(row);
      if (!value.ok()) return value.status();
      out.push_back(std::move(*value));
    } else {
      out.push_back(read(row));
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

// Whether `st` (already bound) returns a row; resets the statement.
inline Result<bool> HasRow(Statement& st) {
  ScopedReset reset(st);
  return st.Step();
}

// The first column of the first row as an integer; `if_none` when there is
// no row (e.g. COUNT, MAX, or an id looked up).
inline Result<int64_t> QueryInt(Statement& st, int64_t if_none = 0) {
  ScopedReset reset(st);
  Result<bool> row = st.Step();
  if (!row.ok()) return row.status();
  return *row ? st.Int(0) : if_none;
}

// ---------------------------------------------------------------- savepoints
// Runs `body` (returning Status or Result<T>) so that when it fails,
// everything it wrote is rolled back and the caller's transaction (if any)
// carries on; when it succeeds its writes join the caller's transaction, or
// commit when none was open. Lets a multi-statement operation never leave
// half its writes behind.
inline constexpr char kSavepointOpSql[] = "SAVEPOINT op";
inline constexpr char kReleaseOpSql[] = "RELEASE SAVEPOINT op";
inline constexpr char kRollbackToOpSql[] = "ROLLBACK TO SAVEPOINT op";
inline constexpr char kBeginOpSql[] = "BEGIN";
inline constexpr char kCommitOpSql[] = "COMMIT";
inline constexpr char kRollbackOpSql[] = "ROLLBACK";

template <typename F>
auto InSavepoint(Connection& conn, F&& body) -> decltype(body()) {
  // PostgreSQL has no savepoint outside a transaction: open one.
  const bool own = !conn.InTransaction();
  const char* open = own ? kBeginOpSql : kSavepointOpSql;
  const char* keep = own ? kCommitOpSql : kReleaseOpSql;
  if (Status s = conn.Prepare(open).Run(); !s.ok()) return s;
  auto undo = [&conn, own] {
    if (own) {
      (void)conn.Prepare(kRollbackOpSql).Run();
    } else {
      (void)conn.Prepare(kRollbackToOpSql).Run();
      (void)conn.Prepare(kReleaseOpSql).Run();
    }
  };
  auto result = body();
  if (result.ok()) {
    Status s = conn.Prepare(keep).Run();
    if (s.ok()) return result;
    undo();
    return s;
  }
  undo();
  return result;
}

}  // namespace shg::store
