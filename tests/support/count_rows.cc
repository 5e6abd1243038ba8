#include "tests/support/count_rows.h"

#include <gtest/gtest.h>

#include <memory>

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
