#include "tests/support/count_rows.h"

#include <gtest/gtest.h>

#include <memory>

namespace shg::testing {

int64_t CountRows(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    v = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  EXPECT_GE(v, 0) << sql;
  return v;
}

}  // namespace shg::testing

namespace shg::testing {

int64_t CountRows(store::Connection& db, const std::string& sql) {
  std::unique_ptr<store::Statement> st = db.PrepareUncached(sql);
  int64_t v = -1;
  Result<bool> row = st->Step();
  if (row.ok() && *row) v = st->Int(0);
  EXPECT_TRUE(row.ok()) << sql << ": " << row.status().ToString();
  EXPECT_GE(v, 0) << sql;
  return v;
}

}  // namespace shg::testing
