// Copies a programme's database from SQLite to PostgreSQL (the
// `migrate-store` command): every table of the schema, row by row with its
// ids, parents before children, then the PostgreSQL id sequences moved past
// the copied ids.
//
// The caller owns the transactions: read `from` inside one transaction (a
// consistent snapshot of a live database) and write `to` inside one, so
// that a failure leaves the target as it was. schema_migrations is not
// copied (each database records its own).
//
// Thread-safety: one thread, both connections private to it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/result.h"
#include "domain/store/db.h"

namespace shg::store {

struct TableCopy {
  std::string table;
  int64_t rows = 0;
};

// REQUIRES: `from` is SQLite, `to` PostgreSQL, both at the same (latest)
// schema version. FailedPrecondition when a table of `to` already has rows
// (it would mix two programmes). The tables copied, in copy order.
Result<std::vector<TableCopy>> CopySqliteToPostgres(Connection& from, Connection& to);

// Rows of every table on `db` (either backend), schema_migrations aside, for
// checking a copy: the same list, in name order.
Result<std::vector<TableCopy>> CountRowsPerTable(Connection& db);

}  // namespace shg::store
