// The PostgreSQL schema of the store, in migration steps equivalent to
// SQLite's (domain/store/migrations.cc); tests/domain/schema_equivalence_test.cc
// proves the two schemas alike.
#pragma once

#include <span>

namespace shg::store::pg {

struct SchemaStep {
  int version;
  const char* name;
  const char* sql;
};

// In version order. `sql` may hold several statements (run by PQexec in one
// transaction). Version 8 is the baseline: the whole schema of SQLite
// migrations 1..8.
std::span<const SchemaStep> SchemaSteps();

}  // namespace shg::store::pg
