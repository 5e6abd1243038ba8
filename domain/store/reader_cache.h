// Private to the store backends (sqlite_store.cc, pg_store.cc): what both
// stores do alike: run a job's work and call its callback without letting
// either throw into a store thread, and keep per-thread reader connections.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "domain/store/db.h"
#include "domain/store/store.h"

namespace shg::store::internal {

// Runs one job's work, turning an escaping exception into a Status: a job
// must never take a store thread down.
inline Status RunWork(const Store::Work& work, Connection& conn) {
  try {
    return work(conn);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("exception in store job: ") + e.what());
  } catch (...) {
    return Status::Internal("unknown exception in store job");
  }
}

// Calls a job's `done`, if any; a throwing callback is a caller bug and is
// swallowed so the store keeps running.
inline void CallDone(const Store::Done& done, const Status& s) {
  if (!done) return;
  try {
    done(s);
  } catch (...) {
  }
}

// Per-thread reader connections, one per (thread, store), closed when the
// thread exits or, for the destroying thread, when the store is destroyed;
// other threads drop a dead store's reader the next time they open one.
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
