#include "gateway/cli/common.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <system_error>

namespace shg::cli {
namespace {

// Refuses a path that is not a database already (see OpenStore).
Status CheckDatabaseExists(const std::string& path) {
  const std::string hint =
      ": pass --db PATH or --config FILE naming an existing database (`shg-gateway migrate "
      "--db PATH` creates one)";
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    return Status::InvalidArgument("database " + path + " does not exist" + hint);
  }
  if (!std::filesystem::is_regular_file(status)) {
    return Status::InvalidArgument("database " + path + " is not a file" + hint);
  }
  // SQLite takes an empty file as a new database (it would be migrated and
  // reported on as if it were the gateway's); content still only in the WAL
  // is a real database.
  if (std::filesystem::file_size(path, ec) == 0 && !std::filesystem::exists(path + "-wal", ec)) {
    return Status::InvalidArgument("database " + path + " is an empty file" + hint);
  }
  return Status::Ok();
}

}  // namespace

std::string Flag(const CliFlags& flags, const std::string& key, const std::string& def) {
  auto it = flags.find(key);
  return it == flags.end() ? def : it->second;
}

int Fail(const Status& s) {
  std::cerr << "error: " << s.ToString() << "\n";
  return s.code() == Status::Code::kInvalidArgument ? 2 : 1;
}

Result<std::unique_ptr<store::Store>> OpenStore(const config::Settings& settings,
                                                StoreAccess access) {
  if (access == StoreAccess::kExisting && settings.store_backend == "sqlite") {
    SHG_RETURN_IF_ERROR(CheckDatabaseExists(settings.db_path));
  }
  auto so = config::LoadStoreOptions(settings);
  if (!so.ok()) return so.status();
  return store::Store::Open(*so);
}

Result<config::Settings> LoadConfig(const CliFlags& flags) {
  std::string path = Flag(flags, "config");
  config::Settings settings;
  if (path.empty() && std::filesystem::exists("config/gateway.toml")) path = "config/gateway.toml";
  if (!path.empty()) {
    auto loaded = config::LoadSettings(path);
    if (!loaded.ok()) return loaded.status();
    settings = std::move(*loaded);
  }
  if (auto db = Flag(flags, "db"); !db.empty()) settings.db_path = db;
  if (auto sync = Flag(flags, "synchronous"); !sync.empty()) {
    if (sync != "OFF" && sync != "NORMAL" && sync != "FULL") {
      return Status::InvalidArgument("--synchronous must be OFF, NORMAL or FULL");
    }
    settings.synchronous = sync;
  }
  if (auto threads = Flag(flags, "threads"); !threads.empty()) {
    settings.threads = std::atoi(threads.c_str());
    if (settings.threads < 1 || settings.threads > 64) {
      return Status::InvalidArgument("--threads must be 1..64");
    }
  }
  if (auto listen = Flag(flags, "listen"); !listen.empty()) {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos) return Status::InvalidArgument("--listen must be HOST:PORT");
    settings.listen_host = listen.substr(0, colon);
    int port = std::atoi(listen.c_str() + colon + 1);
    if (port < 0 || port > 65535) return Status::InvalidArgument("--listen port out of range");
    settings.listen_port = static_cast<uint16_t>(port);
  }
  return settings;
}


}  // namespace shg::cli
