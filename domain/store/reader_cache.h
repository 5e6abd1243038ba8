// Private to the store backends: per-thread reader connections, one per
// (thread, store), closed when the thread exits or, for the destroying
// thread, when the store is destroyed; other threads drop a dead store's
// reader the next time they open one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "domain/store/db.h"

namespace shg::store::internal {

class ReaderCache {
 public:
  ReaderCache();
  ~ReaderCache();  // closes the destroying thread's reader
  ReaderCache(const ReaderCache&) = delete;
  ReaderCache& operator=(const ReaderCache&) = delete;

  // The calling thread's reader, opened by `open` on first use, or again
  // when `healthy` says the cached one is broken.
  Connection& Get(const std::function<std::unique_ptr<Connection>()>& open,
                  const std::function<bool(Connection&)>& healthy = {});

 private:
  uint64_t id_;                  // ids are never reused, unlike addresses
  std::shared_ptr<void> alive_;  // expires on destruction
};

}  // namespace shg::store::internal
