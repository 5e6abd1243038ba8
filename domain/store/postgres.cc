#include "domain/store/postgres.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>
#include <utility>

namespace shg::store {
namespace {

constexpr unsigned kInt8Oid = 20;
constexpr unsigned kByteaOid = 17;

// SQLSTATE -> Status code (see db.h). `retryable` is set for the two states
// after which the whole transaction may be run again.
Status MapError(const char* sqlstate, std::string message, bool* retryable) {
  const std::string_view state = sqlstate != nullptr ? sqlstate : "";
  *retryable = state == "40001" || state == "40P01";
  if (*retryable) return Status::Unavailable(std::move(message));
  if (state == "23505") return Status::AlreadyExists(std::move(message));
  if (state.substr(0, 2) == "23") return Status::FailedPrecondition(std::move(message));
  // A bigint overflow (a balance past 2^63): SQLite's schema refuses it by
  // a CHECK, so it is a refused constraint on both backends.
  if (state == "22003") return Status::FailedPrecondition(std::move(message));
  // Connection exceptions, lock not available, cancelled, shutting down,
  // too many connections.
  if (state.substr(0, 2) == "08" || state == "55P03" || state == "57014" ||
      state.substr(0, 3) == "57P" || state == "53300") {
    return Status::Unavailable(std::move(message));
  }
  return Status::Internal(std::move(message));
}

std::string Trimmed(std::string_view what) {
  return std::string(what.size() > 120 ? what.substr(0, 120) : what) +
         (what.size() > 120 ? "..." : "");
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

}  // namespace

// ---------------------------------------------------------------- Statement

PgStatement::PgStatement(PgConnection* conn, std::string sql, int params)
    : conn_(conn), sql_(std::move(sql)), params_(static_cast<size_t>(params)) {}

PgStatement::~PgStatement() { PQclear(result_); }

PgStatement::Param& PgStatement::At(int index) {
  if (index < 1) index = 1;  // a bad index is a programming error; keep memory safe
  if (static_cast<size_t>(index) > params_.size()) params_.resize(static_cast<size_t>(index));
  return params_[static_cast<size_t>(index - 1)];
}

Statement& PgStatement::Bind(int index, int64_t value) {
  Param& p = At(index);
  p.type = kInt8Oid;
  p.null = false;
  p.binary = false;
  p.value = std::to_string(value);
  return *this;
}

Statement& PgStatement::Bind(int index, std::string_view text) {
  Param& p = At(index);
  p.type = 0;
  p.null = false;
  p.binary = false;
  p.value.assign(text);
  return *this;
}

Statement& PgStatement::BindBlob(int index, std::string_view bytes) {
  Param& p = At(index);
  p.type = kByteaOid;
  p.null = false;
  p.binary = true;
  p.value.assign(bytes);
  return *this;
}

Statement& PgStatement::BindNull(int index) {
  Param& p = At(index);
  p.type = 0;
  p.null = true;
  p.binary = false;
  p.value.clear();
  return *this;
}

Status PgStatement::Execute() {
  std::vector<unsigned> types;
  types.reserve(params_.size());
  for (const Param& p : params_) types.push_back(p.type);
  auto it = prepared_.find(types);
  if (it == prepared_.end()) {
    std::string name = conn_->NextName();
    std::vector<Oid> oids(types.begin(), types.end());
    PGresult* res = PQprepare(conn_->conn_, name.c_str(), sql_.c_str(),
                              static_cast<int>(oids.size()), oids.empty() ? nullptr : oids.data());
    Status s = conn_->Check(res, sql_);
    PQclear(res);
    if (!s.ok()) return s;
    it = prepared_.emplace(std::move(types), std::move(name)).first;
  }
  const int n = static_cast<int>(params_.size());
  std::vector<const char*> values(params_.size());
  std::vector<int> lengths(params_.size());
  std::vector<int> formats(params_.size());
  for (size_t i = 0; i < params_.size(); ++i) {
    values[i] = params_[i].null ? nullptr : params_[i].value.c_str();
    lengths[i] = static_cast<int>(params_[i].value.size());
    formats[i] = params_[i].binary ? 1 : 0;
  }
  PQclear(result_);
  result_ = PQexecPrepared(conn_->conn_, it->second.c_str(), n, n ? values.data() : nullptr,
                           n ? lengths.data() : nullptr, n ? formats.data() : nullptr, 0);
  Status s = conn_->Check(result_, sql_);
  if (!s.ok()) {
    PQclear(result_);
    result_ = nullptr;
    return s;
  }
  executed_ = true;
  row_ = -1;
  rows_ = PQntuples(result_);
  const char* affected = PQcmdTuples(result_);
  int changed = 0;
  if (affected != nullptr && *affected != '\0') {
    std::from_chars(affected, affected + std::strlen(affected), changed);
    conn_->changes_ = changed;
  }
  return Status::Ok();
}

Result<bool> PgStatement::Step() {
  if (!executed_) SHG_RETURN_IF_ERROR(Execute());
  if (row_ < rows_) ++row_;
  return row_ < rows_;
}

Status PgStatement::Run() {
  Status s = executed_ ? Status::Ok() : Execute();
  conn_->returned_id_ = 0;
  if (s.ok() && rows_ > 0 && PQnfields(result_) > 0) {
    row_ = rows_ - 1;
    conn_->returned_id_ = Int(0);
  }
  PQclear(result_);
  result_ = nullptr;
  executed_ = false;
  return s;
}

int64_t PgStatement::Int(int col) const {
  if (result_ == nullptr || row_ < 0 || row_ >= rows_ || PQgetisnull(result_, row_, col)) return 0;
  const char* v = PQgetvalue(result_, row_, col);
  if (v[0] == 't' && v[1] == '\0') return 1;
  if (v[0] == 'f' && v[1] == '\0') return 0;
  int64_t out = 0;
  // A numeric (SUM of bigint) reads by its integer part.
  std::from_chars(v, v + PQgetlength(result_, row_, col), out);
  return out;
}

std::string PgStatement::Text(int col) const {
  if (result_ == nullptr || row_ < 0 || row_ >= rows_ || PQgetisnull(result_, row_, col)) return {};
  return std::string(PQgetvalue(result_, row_, col),
                     static_cast<size_t>(PQgetlength(result_, row_, col)));
}

std::string PgStatement::Blob(int col) const {
  std::string hex = Text(col);
  // bytea's text output is "\x" followed by two hex digits per byte.
  if (hex.size() < 2 || hex[0] != '\\' || hex[1] != 'x') return hex;
  std::string out;
  out.reserve((hex.size() - 2) / 2);
  for (size_t i = 2; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(HexValue(hex[i]) * 16 + HexValue(hex[i + 1])));
  }
  return out;
}

bool PgStatement::IsNull(int col) const {
  if (result_ == nullptr || row_ < 0 || row_ >= rows_) return true;
  return PQgetisnull(result_, row_, col) != 0;
}

void PgStatement::Reset() {
  PQclear(result_);
  result_ = nullptr;
  executed_ = false;
  row_ = -1;
  rows_ = 0;
  for (Param& p : params_) {
    p.null = true;
    p.value.clear();
    // The type is kept: the next run usually binds the same, and NULL does
    // not constrain it.
  }
}

// --------------------------------------------------------------- Connection

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& url,
                                                         const std::string& password,
                                                         bool read_only) {
  const char* keys[] = {"dbname", "password", "application_name", "connect_timeout", nullptr};
  const char* values[] = {url.c_str(), password.empty() ? nullptr : password.c_str(),
                          "shg-gateway", "10", nullptr};
  // expand_dbname=1: the dbname entry holds the URL; a password inside the
  // URL wins over the separate one.
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (conn == nullptr) return Status::Unavailable("postgresql: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    PQfinish(conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return Status::Unavailable("cannot connect to postgresql: " + msg);
  }
  std::unique_ptr<PgConnection> c(new PgConnection(conn));
  // Notices (e.g. "relation already exists, skipping") are not errors.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  SHG_RETURN_IF_ERROR(c->Exec("SET TIME ZONE 'UTC'"));
  if (read_only) SHG_RETURN_IF_ERROR(c->Exec("SET default_transaction_read_only = on"));
  return c;
}

PgConnection::~PgConnection() {
  cache_.clear();
  PQfinish(conn_);
}

Status PgConnection::Check(PGresult* res, std::string_view what) {
  const ExecStatusType st = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
    return Status::Ok();
  }
  std::string msg = Trimmed(what) + ": ";
  if (res != nullptr) {
    const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    msg += primary != nullptr ? primary : PQresultErrorMessage(res);
  } else {
    msg += PQerrorMessage(conn_);
  }
  if (PQstatus(conn_) == CONNECTION_BAD) {
    retryable_ = false;
    return Status::Unavailable(std::move(msg));
  }
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  bool retryable = false;
  Status s = MapError(state, std::move(msg), &retryable);
  if (retryable) retryable_ = true;
  return s;
}

Status PgConnection::Exec(std::string_view sql) {
  const std::string text(sql);
  PGresult* res = PQexec(conn_, text.c_str());
  Status s = Check(res, text);
  PQclear(res);
  return s;
}

Statement& PgConnection::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->Reset();
    return *it->second;
  }
  int params = 0;
  std::string text = Renumber(sql, &params);
  auto owned = std::make_unique<PgStatement>(this, std::move(text), params);
  Statement& ref = *owned;
  cache_.emplace(sql, std::move(owned));
  return ref;
}

std::unique_ptr<Statement> PgConnection::PrepareUncached(std::string_view sql) {
  int params = 0;
  std::string text = Renumber(sql, &params);
  return std::make_unique<PgStatement>(this, std::move(text), params);
}

Result<int64_t> PgConnection::ClockMs() {
  static constexpr char kClock[] =
      "SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::int8";
  return QueryInt(Prepare(kClock));
}

bool PgConnection::InTransaction() const {
  const PGTransactionStatusType t = PQtransactionStatus(conn_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

bool PgConnection::healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

std::string PgConnection::Renumber(std::string_view sql, int* params) {
  std::string out;
  out.reserve(sql.size() + 16);
  int highest = 0;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      // Quoted literal or identifier: copied as is ('' and "" escape).
      const size_t end = sql.find(c, i + 1);
      const size_t stop = end == std::string_view::npos ? sql.size() : end + 1;
      out.append(sql.substr(i, stop - i));
      i = stop;
      continue;
    }
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t end = sql.find('\n', i);
      const size_t stop = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(i, stop - i));
      i = stop;
      continue;
    }
    if (c == '?') {
      size_t j = i + 1;
      int number = 0;
      while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') {
        number = number * 10 + (sql[j] - '0');
        ++j;
      }
      // SQLite's rule: a bare `?` is one more than the highest so far.
      if (j == i + 1) number = highest + 1;
      if (number > highest) highest = number;
      out += '$';
      out += std::to_string(number);
      i = j;
      continue;
    }
    out += c;
    ++i;
  }
  *params = highest;
  return out;
}

}  // namespace shg::store
