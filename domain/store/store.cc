#include "domain/store/store.h"

namespace shg::store {

const char* DialectName(Dialect d) {
  return d == Dialect::kSqlite ? "sqlite" : "postgresql";
}

std::string RedactedUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const size_t authority = scheme + 3;
  const size_t at = url.find('@', authority);
  const size_t slash = url.find('/', authority);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return url;
  const size_t colon = url.find(':', authority);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  if (options.backend == "sqlite") return OpenSqliteStore(options);
  if (options.backend == "postgresql") return OpenPostgresStore(options);
  return Status::InvalidArgument("store backend must be \"sqlite\" or \"postgresql\", not \"" +
                                 options.backend + "\"");
}

}  // namespace shg::store
