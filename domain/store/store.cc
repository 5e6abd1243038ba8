#include "domain/store/store.h"

namespace shg::store {

const char* DialectName(Dialect d) {
  return d == Dialect::kSqlite ? "sqlite" : "postgresql";
}

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  if (options.backend == "sqlite") return OpenSqliteStore(options);
  if (options.backend == "postgresql") return OpenPostgresStore(options);
  return Status::InvalidArgument("store backend must be \"sqlite\" or \"postgresql\", not \"" +
                                 options.backend + "\"");
}

}  // namespace shg::store
