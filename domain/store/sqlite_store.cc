// The SQLite backend of Store (see store.h): one writer thread with group
// commit, a syncer that fsyncs the WAL, a checkpointer, per-thread readers.
#include <sqlite3.h>

#include "domain/store/reader_cache.h"
#include "domain/store/sqlite.h"
#include "domain/store/store.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <condition_variable>
#include <mutex>
#include <thread>

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


using internal::CallDone;
using internal::RunWork;


class SqliteStore final : public Store {
 public:
  explicit SqliteStore(StoreOptions options) : Store(std::move(options)) {}
  ~SqliteStore() override;
  Dialect dialect() const override { return Dialect::kSqlite; }
  void Submit(Work work, Done done) override;
  Status Run(Work work) override;
  Connection& Reader() override;
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  bool HoldsRole(const std::string&) override { return true; }
  StoreCounters counters() const override {
    StoreCounters c;
    c.jobs = jobs_.load(std::memory_order_relaxed);
    return c;
  }

 private:
  struct Job {
    Work work;
    Done done;
  };
  // A committed batch waiting for its fsync.
  struct Committed {
    std::vector<Job> jobs;
    std::vector<Status> statuses;
    std::chrono::steady_clock::time_point commit_started;
  };
  void WriterLoop();
  void SyncerLoop();
  void CheckpointerLoop();
  // Hands a committed (or failed) batch to the syncer.
  void Release(Committed batch);

  std::unique_ptr<SqliteConnection> writer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<uint64_t> jobs_{0};

  bool fsync_wal_ = false;  // synchronous=FULL: the syncer fsyncs the WAL
  int wal_fd_ = -1;         // opened by the syncer on first use
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::deque<Committed> committed_;
  bool sync_stopping_ = false;
  std::thread syncer_;

 public:  // the WAL hook (a C callback) reaches these
  std::unique_ptr<SqliteConnection> checkpointer_;
  std::mutex ckpt_mu_;
  std::condition_variable ckpt_cv_;
  bool ckpt_wanted_ = false;
  bool ckpt_stopping_ = false;

 private:
  std::thread ckpt_thread_;
  internal::ReaderCache readers_;
};

}  // namespace

// WAL pages after which the checkpointer is asked to copy the WAL back.
constexpr int kCheckpointPages = 1000;
// Under constant load a background PASSIVE checkpoint never catches up with
// the last frames, and a WAL that is never restarted grows without bound
// (and makes every fsync slower). Past this size the writer finishes the
// checkpoint itself between two batches: only the frames the checkpointer
// has not copied yet remain, and the next batch restarts the WAL.
constexpr int kWriterCheckpointPages = 4 * kCheckpointPages;

Result<std::unique_ptr<Store>> SqliteStore::Open(const StoreOptions& options) {
  if (options.max_batch < 1) return Status::InvalidArgument("max_batch must be at least 1");
  ConnectionOptions copts;
  copts.synchronous = options.synchronous;
  copts.busy_timeout_ms = options.busy_timeout_ms;
  copts.read_only = false;
  // FULL durability is provided by the syncer's fsync of the WAL after each
  // commit (see the header), so the writer's COMMIT itself does not wait.
  const bool fsync_wal = options.synchronous == "FULL";
  if (fsync_wal) copts.synchronous = "NORMAL";
  Result<std::unique_ptr<SqliteConnection>> writer = SqliteConnection::Open(options.path, copts);
  if (!writer.ok()) return writer.status();
  Result<int> version = Migrate(**writer);
  if (!version.ok()) return version.status();
  // Checkpoints copy pages into the database file: they must sync it.
  ConnectionOptions ckpt_opts = copts;
  ckpt_opts.synchronous = options.synchronous == "OFF" ? "OFF" : "NORMAL";
  Result<std::unique_ptr<SqliteConnection>> checkpointer = SqliteConnection::Open(options.path, ckpt_opts);
  if (!checkpointer.ok()) return checkpointer.status();

  std::unique_ptr<SqliteStore> store(new SqliteStore(options));
  store->writer_ = std::move(*writer);
  store->checkpointer_ = std::move(*checkpointer);
  store->fsync_wal_ = fsync_wal;
  // Replaces SQLite's automatic checkpoint on the writer with a request to
  // the checkpointer thread.
  sqlite3_wal_hook(
      store->writer_->raw(),
      [](void* arg, sqlite3* db, const char*, int pages) -> int {
        if (pages >= kWriterCheckpointPages) {
          (void)sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        } else if (pages >= kCheckpointPages) {
          SqliteStore* self = static_cast<SqliteStore*>(arg);
          {
            std::lock_guard<std::mutex> lock(self->ckpt_mu_);
            self->ckpt_wanted_ = true;
          }
          self->ckpt_cv_.notify_one();
        }
        return SQLITE_OK;
      },
      store.get());
  store->syncer_ = std::thread([s = store.get()] { s->SyncerLoop(); });
  store->ckpt_thread_ = std::thread([s = store.get()] { s->CheckpointerLoop(); });
  store->thread_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return std::unique_ptr<Store>(std::move(store));
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    sync_stopping_ = true;
  }
  sync_cv_.notify_all();
  if (syncer_.joinable()) syncer_.join();
  {
    std::lock_guard<std::mutex> lock(ckpt_mu_);
    ckpt_stopping_ = true;
  }
  ckpt_cv_.notify_all();
  if (ckpt_thread_.joinable()) ckpt_thread_.join();
  if (wal_fd_ >= 0) ::close(wal_fd_);
  // readers_ closes this thread's reader; other threads drop theirs lazily.
}

void SqliteStore::Submit(Work work, Done done) {
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

Status SqliteStore::Run(Work work) {
  // The writer waiting on its own queue would never wake up.
  if (std::this_thread::get_id() == thread_.get_id() ||
      std::this_thread::get_id() == syncer_.get_id()) {
    return Status::Internal("Store::Run called from inside a store job");
  }
  std::promise<Status> promise;
  std::future<Status> result = promise.get_future();
  Submit(std::move(work), [&promise](const Status& s) { promise.set_value(s); });
  return result.get();
}

Connection& SqliteStore::Reader() {
  return readers_.Get([this]() -> std::unique_ptr<Connection> {
    ConnectionOptions copts;
    copts.synchronous = options_.synchronous;
    copts.busy_timeout_ms = options_.busy_timeout_ms;
    copts.read_only = true;
    Result<std::unique_ptr<SqliteConnection>> conn = SqliteConnection::Open(options_.path, copts);
    if (!conn.ok()) {
      // The writer opened the same file moments ago; failing here means the
      // process ran out of descriptors or memory.
      std::fprintf(stderr, "shg: cannot open a reader on %s: %s\n", options_.path.c_str(),
                   conn.status().ToString().c_str());
      std::abort();
    }
    return std::move(*conn);
  });
}

void SqliteStore::WriterLoop() {
  pthread_setname_np(pthread_self(), "shg-writer");  // visible in top/perf
  const size_t max_batch = static_cast<size_t>(options_.max_batch);
  SqliteConnection& db = *writer_;

  for (;;) {
    Committed batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      const size_t n = std::min(queue_.size(), max_batch);
      auto end = queue_.begin() + static_cast<std::ptrdiff_t>(n);
      batch.jobs.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
      queue_.erase(queue_.begin(), end);
    }
    batch.statuses.reserve(batch.jobs.size());

    Status batch_status = db.Prepare(kBegin).Run();
    if (batch_status.ok()) {
      for (Job& job : batch.jobs) {
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
              batch.statuses.push_back(std::move(s));
              break;
            }
          }
        }
        batch.statuses.push_back(std::move(s));
      }
    }
    if (batch_status.ok()) {
      batch.commit_started = std::chrono::steady_clock::now();
      batch_status = db.Prepare(kCommit).Run();
    }
    if (!batch_status.ok()) {
      // Nothing of this batch is durable: every job learns it failed.
      if (!sqlite3_get_autocommit(db.raw())) (void)db.Prepare(kRollback).Run();
      batch.statuses.assign(batch.jobs.size(), batch_status);
      batch.commit_started = {};
    }
    Release(std::move(batch));
  }
}

void SqliteStore::Release(Committed batch) {
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    committed_.push_back(std::move(batch));
  }
  sync_cv_.notify_one();
}

void SqliteStore::SyncerLoop() {
  pthread_setname_np(pthread_self(), "shg-syncer");
  for (;;) {
    std::deque<Committed> ready;
    {
      std::unique_lock<std::mutex> lock(sync_mu_);
      sync_cv_.wait(lock, [this] { return sync_stopping_ || !committed_.empty(); });
      if (committed_.empty()) return;
      ready.swap(committed_);
    }
    // One fdatasync covers every batch committed before it started.
    Status durable;
    if (fsync_wal_) {
      if (wal_fd_ < 0) wal_fd_ = ::open((options_.path + "-wal").c_str(), O_RDWR | O_CLOEXEC);
      if (wal_fd_ < 0 || ::fdatasync(wal_fd_) != 0) {
        durable = Status::Internal(std::string("cannot fsync the WAL: ") + std::strerror(errno));
        std::fprintf(stderr, "shg: %s: %s\n", options_.path.c_str(), durable.ToString().c_str());
      }
    }
    const auto now = std::chrono::steady_clock::now();
    for (Committed& b : ready) {
      jobs_.fetch_add(b.jobs.size(), std::memory_order_relaxed);
      const bool committed = b.commit_started != std::chrono::steady_clock::time_point{};
      if (committed && durable.ok() && observer_) {
        observer_(std::chrono::duration<double>(now - b.commit_started).count(), b.jobs.size());
      }
      for (size_t i = 0; i < b.jobs.size(); ++i) {
        CallDone(b.jobs[i].done, committed && !durable.ok() ? durable : b.statuses[i]);
      }
    }
  }
}

void SqliteStore::CheckpointerLoop() {
  pthread_setname_np(pthread_self(), "shg-checkpoint");
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(ckpt_mu_);
      ckpt_cv_.wait(lock, [this] { return ckpt_stopping_ || ckpt_wanted_; });
      if (ckpt_stopping_) return;
      ckpt_wanted_ = false;
    }
    // PASSIVE never blocks the writer; frames appended meanwhile are copied
    // by the next round, and the writer restarts the WAL once all are in.
    int log_frames = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(checkpointer_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                       &log_frames, &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      std::fprintf(stderr, "shg: checkpoint of %s failed: %s\n", options_.path.c_str(),
                   sqlite3_errmsg(checkpointer_->raw()));
    }
  }
}

Result<std::unique_ptr<Store>> OpenSqliteStore(const StoreOptions& options) {
  return SqliteStore::Open(options);
}

}  // namespace shg::store
