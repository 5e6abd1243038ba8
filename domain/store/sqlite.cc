#include "domain/store/sqlite.h"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

namespace shg::store {
namespace {

// PRAGMA values cannot be bound, so each allowed setting is its own constant
// (no SQL is ever built from an option string).
constexpr char kPragmaWal[] = "PRAGMA journal_mode=WAL";
constexpr char kPragmaSyncOff[] = "PRAGMA synchronous=OFF";
constexpr char kPragmaSyncNormal[] = "PRAGMA synchronous=NORMAL";
constexpr char kPragmaSyncFull[] = "PRAGMA synchronous=FULL";
// Foreign keys on; temporary b-trees (sorts, GROUP BY) in memory; a
// page cache (negative = KiB) per connection: 64 MiB holds the working set
// of a programme of tens of thousands of members, so reads rarely need a
// system call.
constexpr char kPragmaCommon[] =
    "PRAGMA foreign_keys=ON;"
    "PRAGMA temp_store=MEMORY;"
    "PRAGMA cache_size=-65536;";
// Readers open the file read-write (so they can use the WAL index even when
// no writer has it open) but refuse to change anything.
constexpr char kPragmaQueryOnly[] = "PRAGMA query_only=ON";

Status ErrorStatus(sqlite3* db, int rc, std::string_view what) {
  const int ext = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  std::string msg(what);
  msg += ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(msg));
    case SQLITE_CONSTRAINT:
      if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Status::AlreadyExists(std::move(msg));
      }
      return Status::FailedPrecondition(std::move(msg));
    default:
      return Status::Internal(std::move(msg));
  }
}

// An empty view may have a null data(), which SQLite would bind as NULL;
// an empty text or blob is still a value.
constexpr char kEmpty[] = "";

const char* SyncPragma(const std::string& mode) {
  if (mode == "OFF") return kPragmaSyncOff;
  if (mode == "NORMAL") return kPragmaSyncNormal;
  if (mode == "FULL") return kPragmaSyncFull;
  return nullptr;
}

}  // namespace

// ---------------------------------------------------------------- Statement

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

// SQLITE_TRANSIENT: SQLite copies the bytes, so a binding never dangles when
// a temporary string dies before Step (a few bytes copied per bind).
Statement& SqliteStatement::Bind(int index, int64_t value) {
  if (stmt_ == nullptr) return *this;
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& SqliteStatement::Bind(int index, std::string_view text) {
  if (stmt_ == nullptr) return *this;
  const char* data = text.empty() ? kEmpty : text.data();
  sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& SqliteStatement::BindBlob(int index, std::string_view bytes) {
  if (stmt_ == nullptr) return *this;
  const char* data = bytes.empty() ? kEmpty : bytes.data();
  sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT);
  return *this;
}

Statement& SqliteStatement::BindNull(int index) {
  if (stmt_ == nullptr) return *this;
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> SqliteStatement::Step() {
  if (stmt_ == nullptr) return prepare_error_;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status s = ErrorStatus(db_, rc, sqlite3_sql(stmt_));
  // Leave the statement reusable and release its locks.
  sqlite3_reset(stmt_);
  return s;
}

Status SqliteStatement::Run() {
  *returned_id_ = 0;
  for (;;) {
    Result<bool> r = Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    *returned_id_ = sqlite3_column_int64(stmt_, 0);
  }
  // No row inserted (ON CONFLICT DO NOTHING skipped it): no id.
  if (returns_rowid_ && sqlite3_changes(db_) > 0) *returned_id_ = sqlite3_last_insert_rowid(db_);
  sqlite3_reset(stmt_);
  return Status::Ok();
}

int64_t SqliteStatement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string SqliteStatement::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::string SqliteStatement::Blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  if (p == nullptr) return std::string();
  return std::string(static_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

bool SqliteStatement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

void SqliteStatement::Reset() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

// --------------------------------------------------------------- Connection

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                     const ConnectionOptions& options) {
  const char* sync = SyncPragma(options.synchronous);
  if (sync == nullptr) {
    return Status::InvalidArgument("synchronous must be OFF, NORMAL or FULL, not '" +
                                   options.synchronous + "'");
  }
  // NOMUTEX: each connection is used by one thread at a time, so SQLite's
  // per-connection mutex is pure overhead.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (!options.read_only) flags |= SQLITE_OPEN_CREATE;
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = ErrorStatus(db, rc, "open " + path);
    sqlite3_close(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));

  if (!options.read_only) {
    // journal_mode answers with the mode in force; anything but WAL (or
    // "memory" for an in-memory database) means readers would block the
    // writer.
    Statement& wal = conn->Prepare(kPragmaWal);
    Result<bool> row = wal.Step();
    if (!row.ok()) return row.status();
    const std::string mode = *row ? wal.Text(0) : std::string();
    wal.Reset();
    if (mode != "wal" && mode != "memory") {
      return Status::Internal("could not enable WAL on " + path + " (journal_mode=" + mode + ")");
    }
  }
  SHG_RETURN_IF_ERROR(conn->Exec(sync));
  SHG_RETURN_IF_ERROR(conn->Exec(kPragmaCommon));
  if (options.read_only) SHG_RETURN_IF_ERROR(conn->Exec(kPragmaQueryOnly));
  return conn;
}

SqliteConnection::~SqliteConnection() {
  cache_.clear();  // finalize statements before closing
  sqlite3_close(db_);
}

Status SqliteConnection::Exec(std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec needs a NUL-terminated string
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) return Status::Ok();
  // The connection's errmsg names the failure; the statement gives context.
  return ErrorStatus(db_, rc, text.size() > 80 ? text.substr(0, 80) + "..." : text);
}

Statement& SqliteConnection::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->Reset();
    return *it->second;
  }
  // An INSERT's "RETURNING id" is answered by sqlite3_last_insert_rowid
  // (see sqlite.h): SQLite runs RETURNING through a temporary table, some
  // 1,500 instructions per insert on the USSD path.
  std::string_view text(sql);
  bool rowid = false;
  constexpr std::string_view kReturningId = " RETURNING id";
  if (text.size() > kReturningId.size() && text.substr(0, 7) == "INSERT " &&
      text.substr(text.size() - kReturningId.size()) == kReturningId) {
    text.remove_suffix(kReturningId.size());
    rowid = true;
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db_, text.data(), static_cast<int>(text.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK || stmt == nullptr) {
    std::fprintf(stderr, "shg: invalid SQL constant (%s): %s\n", sqlite3_errmsg(db_), sql);
    std::abort();
  }
  const char* end = text.data() + text.size();
  for (; tail != nullptr && tail < end && *tail != '\0'; ++tail) {
    if (*tail != ' ' && *tail != '\n' && *tail != '\t' && *tail != '\r' && *tail != ';') {
      std::fprintf(stderr, "shg: SQL constant holds more than one statement: %s\n", sql);
      std::abort();
    }
  }
  auto owned = std::make_unique<SqliteStatement>(db_, stmt, &returned_id_);
  owned->set_returns_rowid(rowid);
  Statement& ref = *owned;
  cache_.emplace(sql, std::move(owned));
  return ref;
}

std::unique_ptr<Statement> SqliteConnection::PrepareUncached(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK || stmt == nullptr) {
    // Every Step of it reports the error, so callers have one error path.
    Status error = ErrorStatus(db_, rc == SQLITE_OK ? SQLITE_ERROR : rc, sql);
    sqlite3_finalize(stmt);
    auto failed = std::make_unique<SqliteStatement>(db_, nullptr, &returned_id_);
    failed->set_prepare_error(std::move(error));
    return failed;
  }
  return std::make_unique<SqliteStatement>(db_, stmt, &returned_id_);
}

int SqliteConnection::Changes() const { return sqlite3_changes(db_); }

bool SqliteConnection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

Result<int64_t> SqliteConnection::ClockMs() {
  return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
}

}  // namespace shg::store
