#include "tests/support/count_rows.h"

#include <gtest/gtest.h>

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
