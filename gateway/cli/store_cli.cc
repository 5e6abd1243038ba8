#include "gateway/cli/store_cli.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include "config/settings.h"
#include "domain/ledger.h"
#include "domain/store/copy.h"
#include "domain/store/postgres.h"
#include "domain/store/sqlite.h"
#include "domain/store/store.h"

namespace shg::cli {
namespace {

Result<std::string> Password(const CliFlags& flags) {
  const std::string file = Flag(flags, "password-file");
  if (file.empty()) {
    const char* env = std::getenv("SHG_STORE_PASSWORD");
    return std::string(env != nullptr ? env : "");
  }
  auto password = config::ReadPasswordFile(file);
  if (!password.ok()) return Status::InvalidArgument("--password-file: " + password.status().message());
  return password;
}

Status Copy(const std::string& sqlite_path, const std::string& url, const std::string& password) {
  store::ConnectionOptions ro;
  ro.read_only = true;
  auto from = store::SqliteConnection::Open(sqlite_path, ro);
  if (!from.ok()) return from.status();
  auto source_version = store::SchemaVersion(**from);
  if (!source_version.ok()) return source_version.status();
  if (*source_version != store::LatestSchemaVersion()) {
    return Status::FailedPrecondition(
        "the SQLite database is at schema version " + std::to_string(*source_version) +
        ", this build at " + std::to_string(store::LatestSchemaVersion()) +
        ": run `shg-gateway migrate` on it first");
  }
  auto to = store::PgConnection::Open(url, password, false);
  if (!to.ok()) return to.status();
  auto target_version = store::Migrate(**to);
  if (!target_version.ok()) return target_version.status();

  store::Connection& src = **from;
  store::Connection& dst = **to;
  SHG_RETURN_IF_ERROR(src.Exec("BEGIN"));
  SHG_RETURN_IF_ERROR(dst.Exec("BEGIN ISOLATION LEVEL SERIALIZABLE"));
  auto fail = [&](const Status& s) {
    (void)dst.Exec("ROLLBACK");
    (void)src.Exec("ROLLBACK");
    return s;
  };
  const auto started = std::chrono::steady_clock::now();
  auto copied = store::CopySqliteToPostgres(src, dst);
  if (!copied.ok()) return fail(copied.status());
  if (Status ledger = ledger::Check(dst); !ledger.ok()) {
    return fail(Status::Internal("the copy's ledger check failed: " + ledger.message()));
  }
  auto source_counts = store::CountRowsPerTable(src);
  auto target_counts = store::CountRowsPerTable(dst);
  if (!source_counts.ok()) return fail(source_counts.status());
  if (!target_counts.ok()) return fail(target_counts.status());
  if (source_counts->size() != target_counts->size()) {
    return fail(Status::Internal("the two schemas have different tables"));
  }
  int64_t rows = 0;
  for (size_t i = 0; i < source_counts->size(); ++i) {
    const store::TableCopy& a = (*source_counts)[i];
    const store::TableCopy& b = (*target_counts)[i];
    if (a.table != b.table || a.rows != b.rows) {
      return fail(Status::Internal("row counts differ on " + a.table + ": " + std::to_string(a.rows) +
                                   " in SQLite, " + std::to_string(b.rows) + " in PostgreSQL"));
    }
    rows += a.rows;
  }
  SHG_RETURN_IF_ERROR(dst.Exec("COMMIT"));
  (void)src.Exec("ROLLBACK");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "copied " << rows << " rows in " << copied->size() << " tables from sqlite:"
            << sqlite_path << " to " << store::RedactedUrl(url) << " in " << seconds << " s\n"
            << "ledger ok on the target: every journal balances and cached balances match postings\n";
  return Status::Ok();
}

}  // namespace

int MigrateStoreCommand(const CliFlags& flags) {
  const std::string from = Flag(flags, "from");
  const std::string to = Flag(flags, "to");
  if (from.rfind("sqlite:", 0) != 0 || from.size() <= 7) {
    return Fail(Status::InvalidArgument("--from: expected sqlite:PATH"));
  }
  if (to.rfind("postgresql://", 0) != 0 && to.rfind("postgres://", 0) != 0) {
    return Fail(Status::InvalidArgument("--to: expected a postgresql:// URL"));
  }
  if (store::RedactedUrl(to) != to || to.find("password=") != std::string::npos) {
    return Fail(Status::InvalidArgument(
        "--to: holds a password (seen by `ps`, kept in shell history): use --password-file or "
        "SHG_STORE_PASSWORD"));
  }
  const std::string path = from.substr(7);
  auto password = Password(flags);
  if (!password.ok()) return Fail(password.status());
  Status s = Copy(path, to, *password);
  if (!s.ok()) return Fail(s);
  return 0;
}

}  // namespace shg::cli
