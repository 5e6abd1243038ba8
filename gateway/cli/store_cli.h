// Moving a programme from SQLite to PostgreSQL (issue 12), run by
// gateway/cli/commands.cc:
//
//   migrate-store --from sqlite:PATH --to postgresql://USER@HOST:PORT/DB
//                 [--password-file F]   (else the SHG_STORE_PASSWORD variable)
//
// The target is migrated to the latest schema and must hold no rows. The
// source is read in one transaction (a consistent snapshot: the gateway may
// keep running on it, though what it writes afterwards is not copied); the
// target is written in one, then its ledger is checked and every table's
// row count compared with the source before it commits. Nothing is written
// when any of it fails. A password is never taken on the command line.
// Exit codes: 0 done, 1 a failure, 2 a usage error.
#pragma once

#include "gateway/cli/common.h"

namespace shg::cli {

int MigrateStoreCommand(const CliFlags& flags);

}  // namespace shg::cli
