// What every shg-gateway command shares (gateway/cli/commands.cc,
// gateway/cli/loans_cli.cc, gateway/fake/fake_command.cc): flag values, the
// settings, the error exit and the store.
// Thread-compatible (plain functions; the store as store::Store documents).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "config/settings.h"
#include "domain/result.h"
#include "domain/store/store.h"

namespace shg::cli {

// --flag values by flag name (without the dashes).
using CliFlags = std::map<std::string, std::string>;

// The value of --`key`, or `def` when it was not given.
std::string Flag(const CliFlags& flags, const std::string& key, const std::string& def = "");

// The settings of a command: --config FILE (default config/gateway.toml if
// present, else the built-in defaults), then --db, --synchronous
// (OFF|NORMAL|FULL), --threads (1..64) and --listen HOST:PORT over them.
// InvalidArgument for a bad value.
Result<config::Settings> LoadConfig(const CliFlags& flags);

// Prints "error: <status>" to stderr; the exit code: 2 for InvalidArgument
// (a usage error or an invalid value), else 1.
int Fail(const Status& s);

// Whether a command may create its database file.
enum class StoreAccess {
  kExisting,  // the file must exist: a command that reads or changes data
  kCreate,    // migrate and demo (serve opens its own, through gateway::App)
};

// The database of `settings` (path, synchronous, max_batch); Open applies
// pending migrations. With kExisting, a missing (or empty, or not a regular)
// file is InvalidArgument naming the path, before anything is created: a
// command run without the right --config/--db must not make a new empty
// database and report on that.
Result<std::unique_ptr<store::Store>> OpenStore(const config::Settings& settings,
                                                StoreAccess access = StoreAccess::kExisting);

}  // namespace shg::cli
