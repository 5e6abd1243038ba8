#include "domain/store/reader_cache.h"

#include <algorithm>
#include <atomic>
#include <utility>
#include <vector>

namespace shg::store::internal {
namespace {

std::atomic<uint64_t> next_id{1};

struct CachedReader {
  uint64_t store_id;
  std::weak_ptr<void> alive;  // expires when the store is destroyed
  std::unique_ptr<Connection> conn;
};
// Usually one entry per thread (one store per process); a vector beats a map.
thread_local std::vector<CachedReader> tls_readers;

}  // namespace

ReaderCache::ReaderCache()
    : id_(next_id.fetch_add(1, std::memory_order_relaxed)), alive_(std::make_shared<int>(0)) {}

ReaderCache::~ReaderCache() {
  alive_.reset();
  std::erase_if(tls_readers, [this](const CachedReader& r) { return r.store_id == id_; });
}

Connection& ReaderCache::Get(const std::function<std::unique_ptr<Connection>()>& open,
                             const std::function<bool(Connection&)>& healthy) {
  for (CachedReader& r : tls_readers) {
    if (r.store_id != id_) continue;
    if (!healthy || healthy(*r.conn)) return *r.conn;
    r.conn = open();
    return *r.conn;
  }
  // First read of this store on this thread: drop connections of stores that
  // no longer exist, then open ours.
  std::erase_if(tls_readers, [](const CachedReader& r) { return r.alive.expired(); });
  tls_readers.push_back(CachedReader{id_, alive_, open()});
  return *tls_readers.back().conn;
}

}  // namespace shg::store::internal
