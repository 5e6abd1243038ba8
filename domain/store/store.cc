#include "domain/store/store.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <future>
#include <iterator>
#include <utility>
#include <vector>

namespace shg::store {
namespace {

constexpr char kBegin[] = "BEGIN IMMEDIATE";
constexpr char kCommit[] = "COMMIT";
constexpr char kRollback[] = "ROLLBACK";
constexpr char kSavepoint[] = "SAVEPOINT j";
constexpr char kRelease[] = "RELEASE j";
constexpr char kRollbackTo[] = "ROLLBACK TO j";

// Ids are never reused, so a thread-local reader of a destroyed store can
// never be handed to a new store that happens to get the same address.
std::atomic<uint64_t> next_store_id{1};

struct CachedReader {
  uint64_t store_id;
  std::weak_ptr<void> alive;  // expires when the store is destroyed
  std::unique_ptr<Connection> conn;
};
// Usually one entry per thread (one store per process); a vector beats a map.
thread_local std::vector<CachedReader> tls_readers;

// Runs one job's work, turning an escaping exception into a Status: a job
// must never take the writer thread down.
Status RunWork(Store::Work& work, Connection& conn) {
  try {
    return work(conn);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("exception in store job: ") + e.what());
  } catch (...) {
    return Status::Internal("unknown exception in store job");
  }
}

void CallDone(Store::Done& done, const Status& s) {
  if (!done) return;
  try {
    done(s);
  } catch (...) {
    // A throwing callback is a caller bug; the writer must keep running.
  }
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  if (options.max_batch < 1) return Status::InvalidArgument("max_batch must be at least 1");
  ConnectionOptions copts;
  copts.synchronous = options.synchronous;
  copts.busy_timeout_ms = options.busy_timeout_ms;
  copts.read_only = false;
  Result<std::unique_ptr<Connection>> writer = Connection::Open(options.path, copts);
  if (!writer.ok()) return writer.status();
  Result<int> version = Migrate(**writer);
  if (!version.ok()) return version.status();

  std::unique_ptr<Store> store(new Store(options));
  store->writer_ = std::move(*writer);
  store->id_ = next_store_id.fetch_add(1, std::memory_order_relaxed);
  store->alive_ = std::make_shared<int>(0);
  store->thread_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

Store::~Store() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  // Other threads' cached readers of this store are closed lazily by those
  // threads (alive_ expires here); this thread's are closed now.
  alive_.reset();
  std::erase_if(tls_readers, [this](const CachedReader& r) { return r.store_id == id_; });
}

void Store::Submit(Work work, Done done) {
  bool queued = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back(Job{std::move(work), std::move(done)});
      queued = true;
    }
  }
  // Notified outside the lock so the writer does not wake into a held mutex.
  if (queued) {
    cv_.notify_one();
  } else {
    CallDone(done, Status::Unavailable("store is shutting down"));
  }
}

Status Store::Run(Work work) {
  // The writer waiting on its own queue would never wake up.
  if (std::this_thread::get_id() == thread_.get_id()) {
    return Status::Internal("Store::Run called from inside a store job");
  }
  std::promise<Status> promise;
  std::future<Status> result = promise.get_future();
  Submit(std::move(work), [&promise](const Status& s) { promise.set_value(s); });
  return result.get();
}

Connection& Store::Reader() {
  for (CachedReader& r : tls_readers) {
    if (r.store_id == id_) return *r.conn;
  }
  // First read of this store on this thread: drop connections of stores that
  // no longer exist, then open ours.
  std::erase_if(tls_readers, [](const CachedReader& r) { return r.alive.expired(); });
  ConnectionOptions copts;
  copts.synchronous = options_.synchronous;
  copts.busy_timeout_ms = options_.busy_timeout_ms;
  copts.read_only = true;
  Result<std::unique_ptr<Connection>> conn = Connection::Open(options_.path, copts);
  if (!conn.ok()) {
    // The writer opened the same file moments ago; failing here means the
    // process ran out of descriptors or memory.
    std::fprintf(stderr, "shg: cannot open a reader on %s: %s\n", options_.path.c_str(),
                 conn.status().ToString().c_str());
    std::abort();
  }
  tls_readers.push_back(CachedReader{id_, alive_, std::move(*conn)});
  return *tls_readers.back().conn;
}

void Store::WriterLoop() {
  pthread_setname_np(pthread_self(), "shg-writer");  // visible in top/perf
  const size_t max_batch = static_cast<size_t>(options_.max_batch);
  std::vector<Job> batch;
  std::vector<Status> statuses;
  batch.reserve(max_batch);
  statuses.reserve(max_batch);
  Connection& db = *writer_;

  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      const size_t n = std::min(queue_.size(), max_batch);
      auto end = queue_.begin() + static_cast<std::ptrdiff_t>(n);
      batch.insert(batch.end(), std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(end));
      queue_.erase(queue_.begin(), end);
    }

    Status batch_status = db.Prepare(kBegin).Run();
    if (batch_status.ok()) {
      for (Job& job : batch) {
        Status s = db.Prepare(kSavepoint).Run();
        if (s.ok()) {
          s = RunWork(job.work, db);
          if (s.ok()) s = db.Prepare(kRelease).Run();
          if (!s.ok()) {
            // Undo this job only; the savepoint is then released so the
            // transaction carries on with the next job.
            Status undo = db.Prepare(kRollbackTo).Run();
            if (undo.ok()) undo = db.Prepare(kRelease).Run();
            if (!undo.ok()) {
              batch_status = undo;
              statuses.push_back(std::move(s));
              break;
            }
          }
        }
        statuses.push_back(std::move(s));
      }
    }
    if (batch_status.ok()) {
      const auto start = std::chrono::steady_clock::now();
      batch_status = db.Prepare(kCommit).Run();
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      if (batch_status.ok() && observer_) observer_(took.count(), batch.size());
    }
    if (!batch_status.ok()) {
      // Nothing of this batch is durable: every job learns it failed.
      if (!sqlite3_get_autocommit(db.raw())) (void)db.Prepare(kRollback).Run();
      for (size_t i = 0; i < batch.size(); ++i) CallDone(batch[i].done, batch_status);
    } else {
      for (size_t i = 0; i < batch.size(); ++i) CallDone(batch[i].done, statuses[i]);
    }
    batch.clear();
    statuses.clear();
  }
}

}  // namespace shg::store
