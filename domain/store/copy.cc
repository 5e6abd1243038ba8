#include "domain/store/copy.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace shg::store {
namespace {

constexpr char kSqliteTables[] =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    " AND name <> 'schema_migrations'";
constexpr char kSqliteColumns[] = "SELECT name, upper(type) FROM pragma_table_info(?) ORDER BY cid";
constexpr char kSqliteKey[] = "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk";
constexpr char kSqliteParents[] = "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)";
constexpr char kPgTables[] =
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    " AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'";

// Schema names come from the schema itself, never from input; quoted all
// the same.
std::string Quote(const std::string& identifier) {
  std::string out = "\"";
  for (char c : identifier) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

Result<std::vector<std::string>> Names(Connection& db, const char* sql, const std::string& arg = "") {
  std::vector<std::string> out;
  auto st = db.PrepareUncached(sql);
  if (!arg.empty()) st->Bind(1, arg);
  SHG_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) { out.push_back(row.Text(0)); }));
  std::sort(out.begin(), out.end());
  return out;
}

struct Column {
  std::string name;
  std::string type;  // declared: INTEGER, TEXT, BLOB, ...
};

// Rows per multi-row INSERT of the copy.
constexpr size_t kCopyBatchRows = 500;

// One value read from SQLite, held until its batch is inserted.
struct CopiedValue {
  enum Kind { kNull, kInt, kText, kBlob } kind = kNull;
  int64_t integer = 0;
  std::string bytes;  // kText, kBlob
};

// Parents before children (self references aside); ties by name, so the
// order is the same on every run.
Result<std::vector<std::string>> CopyOrder(Connection& from) {
  auto tables = Names(from, kSqliteTables);
  if (!tables.ok()) return tables.status();
  std::map<std::string, std::set<std::string>> parents;
  for (const std::string& t : *tables) {
    auto refs = Names(from, kSqliteParents, t);
    if (!refs.ok()) return refs.status();
    for (const std::string& p : *refs) {
      if (p != t) parents[t].insert(p);
    }
  }
  std::vector<std::string> order;
  std::set<std::string> placed;
  while (order.size() < tables->size()) {
    bool progressed = false;
    for (const std::string& t : *tables) {
      if (placed.count(t) != 0) continue;
      const bool ready = std::all_of(parents[t].begin(), parents[t].end(), [&](const std::string& p) {
        return placed.count(p) != 0 || std::find(tables->begin(), tables->end(), p) == tables->end();
      });
      if (!ready) continue;
      order.push_back(t);
      placed.insert(t);
      progressed = true;
    }
    if (!progressed) return Status::Internal("the schema's foreign keys form a cycle");
  }
  return order;
}

Result<int64_t> CopyTable(Connection& from, Connection& to, const std::string& table) {
  std::vector<Column> columns;
  {
    auto st = from.PrepareUncached(kSqliteColumns);
    st->Bind(1, table);
    SHG_RETURN_IF_ERROR(
        ForEachRow(*st, [&](Statement& row) { columns.push_back({row.Text(0), row.Text(1)}); }));
  }
  if (columns.empty()) return Status::Internal("table " + table + " has no columns");
  std::string names, one_row;
  for (size_t i = 0; i < columns.size(); ++i) {
    names += (i ? ", " : "") + Quote(columns[i].name);
    one_row += (i ? ", ?" : "(?");
  }
  one_row += ")";
  // Key order (ids ascending: a row's self reference comes before it).
  std::string order;
  {
    auto st = from.PrepareUncached(kSqliteKey);
    st->Bind(1, table);
    SHG_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
      order += (order.empty() ? "" : ", ") + Quote(row.Text(0));
    }));
  }
  if (order.empty()) order = "rowid";
  auto select =
      from.PrepareUncached("SELECT " + names + " FROM " + Quote(table) + " ORDER BY " + order);
  // Rows go in batches of one multi-row INSERT each: one round trip per
  // batch, not per row (a large programme's postings copy ~10x faster).
  // Within PostgreSQL's 65,535 parameters per statement.
  const size_t batch_rows = std::min<size_t>(kCopyBatchRows, 60000 / columns.size());
  auto insert_of = [&](size_t rows) {
    std::string values;
    for (size_t r = 0; r < rows; ++r) values += (r ? ", " : "") + one_row;
    // OVERRIDING SYSTEM VALUE: the ids are the programme's, kept as they are.
    return to.PrepareUncached("INSERT INTO " + Quote(table) + " (" + names +
                              ") OVERRIDING SYSTEM VALUE VALUES " + values);
  };
  std::unique_ptr<Statement> full_batch;
  std::vector<CopiedValue> pending;  // the rows not yet inserted, column by column
  pending.reserve(batch_rows * columns.size());
  int64_t rows = 0;
  auto flush = [&]() -> Status {
    const size_t count = pending.size() / columns.size();
    if (count == 0) return Status::Ok();
    std::unique_ptr<Statement> partial;
    Statement* insert;
    if (count == batch_rows) {
      if (!full_batch) full_batch = insert_of(batch_rows);
      insert = full_batch.get();
    } else {
      partial = insert_of(count);
      insert = partial.get();
    }
    for (size_t i = 0; i < pending.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      const CopiedValue& v = pending[i];
      switch (v.kind) {
        case CopiedValue::kNull: insert->BindNull(index); break;
        case CopiedValue::kInt: insert->Bind(index, v.integer); break;
        case CopiedValue::kBlob: insert->BindBlob(index, v.bytes); break;
        case CopiedValue::kText: insert->Bind(index, std::string_view(v.bytes)); break;
      }
    }
    Status s = insert->Run();
    insert->Reset();
    if (!s.ok()) {
      const int64_t first = rows - static_cast<int64_t>(count) + 1;
      return Status::FailedPrecondition("cannot copy " + table + " rows " + std::to_string(first) +
                                        " to " + std::to_string(rows) + ": " + s.ToString());
    }
    pending.clear();
    return Status::Ok();
  };
  SHG_RETURN_IF_ERROR(ForEachRow(*select, [&](Statement& row) -> Status {
    for (size_t i = 0; i < columns.size(); ++i) {
      const int col = static_cast<int>(i);
      CopiedValue v;
      if (row.IsNull(col)) {
        v.kind = CopiedValue::kNull;
      } else if (columns[i].type.find("INT") != std::string::npos) {
        v.kind = CopiedValue::kInt;
        v.integer = row.Int(col);
      } else if (columns[i].type == "BLOB") {
        v.kind = CopiedValue::kBlob;
        v.bytes = row.Blob(col);
      } else {
        v.kind = CopiedValue::kText;
        v.bytes = row.Text(col);
      }
      pending.push_back(std::move(v));
    }
    ++rows;
    return pending.size() / columns.size() == batch_rows ? flush() : Status::Ok();
  }));
  SHG_RETURN_IF_ERROR(flush());
  // The next id PostgreSQL hands out comes after the copied ones.
  auto has_sequence = to.PrepareUncached(
      "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema()"
      " AND table_name = ? AND column_name = 'id' AND is_identity = 'YES'");
  has_sequence->Bind(1, table);
  Result<bool> seq = has_sequence->Step();
  const bool sequenced = seq.ok() && *seq && has_sequence->Int(0) == 1;
  has_sequence->Reset();
  if (sequenced) {
    auto setval = to.PrepareUncached(
        "SELECT setval(pg_get_serial_sequence(?, 'id'), COALESCE((SELECT MAX(id) FROM " +
        Quote(table) + "), 0) + 1, false)");
    setval->Bind(1, Quote(table));
    SHG_RETURN_IF_ERROR(ForEachRow(*setval, [](Statement&) {}));
  }
  return rows;
}

}  // namespace

Result<std::vector<TableCopy>> CountRowsPerTable(Connection& db) {
  auto tables = Names(db, db.dialect() == Dialect::kSqlite ? kSqliteTables : kPgTables);
  if (!tables.ok()) return tables.status();
  std::vector<TableCopy> out;
  for (const std::string& t : *tables) {
    auto st = db.PrepareUncached("SELECT COUNT(*) FROM " + Quote(t));
    Result<int64_t> n = QueryInt(*st);
    if (!n.ok()) return n.status();
    out.push_back({t, *n});
  }
  return out;
}

Result<std::vector<TableCopy>> CopySqliteToPostgres(Connection& from, Connection& to) {
  if (from.dialect() != Dialect::kSqlite || to.dialect() != Dialect::kPostgresql) {
    return Status::InvalidArgument("the copy goes from SQLite to PostgreSQL");
  }
  auto existing = CountRowsPerTable(to);
  if (!existing.ok()) return existing.status();
  for (const TableCopy& t : *existing) {
    if (t.rows != 0) {
      return Status::FailedPrecondition("the target database is not empty: " + t.table + " has " +
                                        std::to_string(t.rows) + " rows");
    }
  }
  auto order = CopyOrder(from);
  if (!order.ok()) return order.status();
  std::vector<TableCopy> copied;
  for (const std::string& table : *order) {
    Result<int64_t> rows = CopyTable(from, to, table);
    if (!rows.ok()) return rows.status();
    copied.push_back({table, *rows});
  }
  return copied;
}

}  // namespace shg::store
