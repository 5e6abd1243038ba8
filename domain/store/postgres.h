// The PostgreSQL backend of the store seam (domain/store/db.h), on libpq.
//
// SQL arrives in the shared dialect with `?` / `?N` placeholders; a statement
// is rewritten once to `$N` and prepared on the server at its first run,
// with the parameter types of that run's bindings (int64 -> int8, blob ->
// bytea, text and NULL left for the server to infer); a later run with
// other types prepares a second variant. Results come back as text: Int()
// reads integers, booleans ('t'/'f' -> 1/0) and the integer part of
// numerics (SUM of bigint); Blob() decodes bytea.
//
// Thread-safety: one thread at a time per connection.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/result.h"
#include "domain/store/db.h"

struct pg_conn;
struct pg_result;

namespace shg::store {

class PgConnection;

class PgStatement final : public Statement {
 public:
  PgStatement(PgConnection* conn, std::string sql, int params);
  ~PgStatement() override;

  Statement& Bind(int index, int64_t value) override;
  Statement& Bind(int index, std::string_view text) override;
  Statement& BindBlob(int index, std::string_view bytes) override;
  Statement& BindNull(int index) override;
  Result<bool> Step() override;
  Status Run() override;
  int64_t Int(int col) const override;
  std::string Text(int col) const override;
  std::string Blob(int col) const override;
  bool IsNull(int col) const override;
  void Reset() override;

 private:
  struct Param {
    unsigned type = 0;  // Oid; 0: the server infers it
    bool null = true;
    bool binary = false;
    std::string value;
  };
  Param& At(int index);
  Status Execute();

  PgConnection* conn_;
  std::string sql_;  // with $N placeholders
  std::vector<Param> params_;
  std::map<std::vector<unsigned>, std::string> prepared_;  // parameter types -> name
  pg_result* result_ = nullptr;
  bool executed_ = false;
  int row_ = -1;
  int rows_ = 0;
};

class PgConnection final : public Connection {
 public:
  // Connects with a libpq URL or keyword string; `password` (may be empty)
  // is passed apart from it so it never appears in a URL that is logged.
  // `read_only`: every transaction of the session is read-only.
  static Result<std::unique_ptr<PgConnection>> Open(const std::string& url,
                                                    const std::string& password,
                                                    bool read_only);
  ~PgConnection() override;

  Dialect dialect() const override { return Dialect::kPostgresql; }
  Status Exec(std::string_view sql) override;
  Statement& Prepare(const char* sql) override;
  using Connection::Prepare;
  std::unique_ptr<Statement> PrepareUncached(std::string_view sql) override;
  int Changes() const override { return changes_; }
  bool InTransaction() const override;
  Result<int64_t> ClockMs() override;

  // True when the last error was a serialization failure or deadlock (the
  // transaction may succeed when run again); cleared by ClearRetryable.
  bool last_error_retryable() const { return retryable_; }
  void ClearRetryable() { retryable_ = false; }
  // False once the server connection is lost.
  bool healthy() const;

  pg_conn* raw() const { return conn_; }

  // `?`/`?N` -> `$N` outside quotes and comments; *params gets the highest
  // number. Public for tests.
  static std::string Renumber(std::string_view sql, int* params);

 private:
  friend class PgStatement;
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  // Status of a finished result (OK, or the mapped error; sets retryable_).
  Status Check(pg_result* res, std::string_view what);
  std::string NextName() { return "s" + std::to_string(++statements_); }

  pg_conn* conn_;
  std::unordered_map<const char*, std::unique_ptr<PgStatement>> cache_;
  int changes_ = 0;
  bool retryable_ = false;
  uint64_t statements_ = 0;
};

}  // namespace shg::store
