// One integer from an ad-hoc SQL query, for tests that read the gateway's
// database directly. Not thread-safe beyond what `db` allows.
#pragma once

#include <cstdint>
#include <string>

#include "domain/store/db.h"

namespace shg::testing {

// The first column of the first row of `sql` (e.g. "SELECT count(*) FROM
// ..."), on either backend, on a fresh statement that is finalized before
// returning: store::Connection::Prepare caches by the text's address, which
// a temporary string does not keep, and an unreset statement would pin an
// old read snapshot. -1 and a failed expectation when the query fails or
// returns no row.
int64_t CountRows(store::Connection& db, const std::string& sql);

}  // namespace shg::testing
