#include "gateway/cli/common.h"

#include <iostream>

namespace shg::cli {

std::string Flag(const CliFlags& flags, const std::string& key, const std::string& def) {
  auto it = flags.find(key);
  return it == flags.end() ? def : it->second;
}

int Fail(const Status& s) {
  std::cerr << "error: " << s.ToString() << "\n";
  return s.code() == Status::Code::kInvalidArgument ? 2 : 1;
}

Result<std::unique_ptr<store::Store>> OpenStore(const config::Settings& settings) {
  store::StoreOptions so;
  so.path = settings.db_path;
  so.synchronous = settings.synchronous;
  so.max_batch = settings.max_batch;
  return store::Store::Open(so);
}

}  // namespace shg::cli
