// Store: the SQLite database of the gateway, with ONE writer connection
// owned by a writer thread that batches queued work into one transaction
// (group commit), and one read-only connection per reading thread.
//
// Durability: with synchronous=FULL (the default) a job's `done` callback is
// invoked only after the COMMIT that contains its changes has been fsynced.
// The fsync is not done inside COMMIT (which would stall the writer): the
// writer connection runs SQLite's synchronous=NORMAL, and a syncer thread
// fdatasync()s the WAL file after each commit, then releases that batch's
// callbacks, while the writer already executes the next batch. One fsync
// may cover several batches. Nothing is acknowledged before it is on disk,
// and a later batch is never acknowledged before an earlier one.
// Checkpoints (WAL -> database) run PASSIVE on a checkpointer thread with its
// own connection, so they never stall the writer either.
//
// Each job runs inside its own SAVEPOINT, so a job that returns a non-OK
// Status (or throws) is rolled back alone and the rest of the batch commits.
//
// Thread-safety: Submit/Run may be called from any thread. Reader() returns a
// connection private to the calling thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "domain/result.h"
#include "domain/store/sqlite.h"

namespace shg::store {

struct StoreOptions {
  std::string path = "shg-gateway.db";  // SQLite file
  std::string synchronous = "FULL";       // OFF | NORMAL | FULL
  int busy_timeout_ms = 5000;
  int max_batch = 512;  // most jobs folded into one commit
};

// Observes commit latency (seconds) and batch size; may be empty.
using CommitObserver = std::function<void(double seconds, size_t jobs)>;

class Store {
 public:
  using Work = std::function<Status(Connection&)>;
  using Done = std::function<void(const Status&)>;

  // Opens the database, applies pending migrations and starts the writer.
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();  // drains queued work, then stops the writer

  // Queues `work` for the writer thread. `done` (may be empty) runs on the
  // syncer thread after the batch commit is durable, with the job's status, or the
  // commit's failure if the batch could not commit (keep it short: post
  // elsewhere for real work). `work` must not BEGIN/COMMIT itself; an
  // exception it throws becomes Internal. If the store is being destroyed,
  // `done` gets Unavailable at once.
  void Submit(Work work, Done done);
  // Submit and wait for the durable result. Internal if called from inside
  // a job (the writer would wait for itself).
  Status Run(Work work);

  // A read-only connection for the calling thread, created on first use and
  // cached per (thread, store). It is closed when its thread exits; after
  // the store is destroyed, the destroying thread's reader is closed at once
  // and other threads' when they next open a reader. Never use it after the
  // store is gone. Opening it only fails when the process is out of
  // descriptors or memory: that aborts.
  Connection& Reader();

  // Called on the syncer thread after each successful durable commit with
  // the time from COMMIT to durable (commit + fsync) and the number of jobs
  // in it.
  // REQUIRES: no work queued or running (e.g. before the first Submit): the
  // writer reads it without a lock.
  void set_commit_observer(CommitObserver observer) { observer_ = std::move(observer); }
  const StoreOptions& options() const { return options_; }

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
  explicit Store(StoreOptions options) : options_(std::move(options)) {}
  void WriterLoop();
  void SyncerLoop();
  void CheckpointerLoop();
  // Hands a committed (or failed) batch to the syncer.
  void Release(Committed batch);

  StoreOptions options_;
  std::unique_ptr<Connection> writer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::thread thread_;
  CommitObserver observer_;

  bool fsync_wal_ = false;  // synchronous=FULL: the syncer fsyncs the WAL
  int wal_fd_ = -1;         // opened by the syncer on first use
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::deque<Committed> committed_;
  bool sync_stopping_ = false;
  std::thread syncer_;

  std::unique_ptr<Connection> checkpointer_;
  std::mutex ckpt_mu_;
  std::condition_variable ckpt_cv_;
  bool ckpt_wanted_ = false;
  bool ckpt_stopping_ = false;
  std::thread ckpt_thread_;
  uint64_t id_ = 0;  // distinguishes stores for thread-local reader caches
  std::shared_ptr<void> alive_;  // expires on destruction: readers cleanup
};

// Applies the numbered migrations (domain/store/migrations.cc) that are not
// yet recorded in schema_migrations, each in its own transaction.
// Returns the schema version reached.
Result<int> Migrate(Connection& conn);
// Migrate, stopping after `target_version` (tests of a migration over a
// database built at the version before it). A database already past it is
// left as it is.
Result<int> MigrateTo(Connection& conn, int target_version);
// The highest migration version this build knows.
int LatestSchemaVersion();

}  // namespace shg::store
