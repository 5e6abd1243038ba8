// Store: the database of the gateway, behind one interface with two
// backends (chosen by StoreOptions::backend):
//
// SQLite (the embedded default, domain/store/sqlite_store.cc): ONE writer
// connection owned by a writer thread that batches queued work into one
// transaction (group commit), and one read-only connection per reading
// thread. With synchronous=FULL (the default) a job's `done` callback is
// invoked only after the COMMIT that contains its changes has been fsynced:
// the writer connection runs SQLite's synchronous=NORMAL, and a syncer
// thread fdatasync()s the WAL file after each commit, then releases that
// batch's callbacks while the writer already executes the next batch. One
// fsync may cover several batches. Nothing is acknowledged before it is on
// disk, and a later batch is never acknowledged before an earlier one.
// Checkpoints (WAL -> database) run PASSIVE on a checkpointer thread with its
// own connection, so they never stall the writer either. Each job runs inside
// its own SAVEPOINT, so a job that returns a non-OK Status (or throws) is
// rolled back alone and the rest of the batch commits.
//
// PostgreSQL (domain/store/pg_store.cc): a pool of `pool_size` connections,
// each with a worker thread; each job is ONE serializable transaction, run
// again (up to `max_retries` times) when the server reports a serialization
// failure or a deadlock, so jobs of several gateway instances on one
// database behave as if run one after the other; once more on a new
// connection when the server dropped the session before COMMIT was sent (a
// restart: nothing was written). `done` runs after COMMIT returned.
// Readers: one connection per reading thread, read-only. While the server
// is down or refuses connections, jobs and reads fail with Unavailable
// (the process carries on) and the next ones connect again.
//
// A job may therefore run more than once (PostgreSQL retries): it must only
// write to the database and to its own captured results, which a retry
// overwrites.
//
// Thread-safety: Submit/Run may be called from any thread. Reader() returns a
// connection private to the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "domain/result.h"
#include "domain/store/db.h"

namespace shg::store {

struct StoreOptions {
  std::string backend = "sqlite";       // sqlite | postgresql
  std::string path = "shg-gateway.db";  // SQLite file
  std::string synchronous = "FULL";     // SQLite: OFF | NORMAL | FULL
  int busy_timeout_ms = 5000;           // SQLite
  int max_batch = 512;                  // SQLite: most jobs folded into one commit
  // PostgreSQL: a libpq connection URL (postgresql://user@host:port/db);
  // the password is never in it when it comes from configuration: it is
  // passed separately.
  std::string url;
  std::string password;  // PostgreSQL; never logged
  int pool_size = 4;     // PostgreSQL: writer connections (and threads)
  int max_retries = 20;  // PostgreSQL: runs of a job after serialization failures
};

// Observes commit latency (seconds) and batch size; may be empty.
using CommitObserver = std::function<void(double seconds, size_t jobs)>;

// Counters of one store (one gateway instance), for /metrics.
struct StoreCounters {
  uint64_t jobs = 0;             // jobs committed or refused
  uint64_t retries = 0;          // PostgreSQL: runs repeated (a conflict, a dropped session)
  uint64_t gave_up = 0;          // PostgreSQL: jobs still conflicting after max_retries
  uint64_t pool_waits = 0;       // PostgreSQL: jobs that waited for a free connection
  double pool_wait_seconds = 0;  // ... and how long in all
};

class Store {
 public:
  using Work = std::function<Status(Connection&)>;
  using Done = std::function<void(const Status&)>;

  // Opens the database, applies pending migrations and starts the writer(s).
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  virtual ~Store() = default;  // drains queued work, then stops

  virtual Dialect dialect() const = 0;

  // Queues `work`. `done` (may be empty) runs on a store thread after the
  // job's transaction is durable, with the job's status, or the commit's
  // failure if it could not commit (keep it short: post elsewhere for real
  // work). `work` must not BEGIN/COMMIT itself; an exception it throws
  // becomes Internal. If the store is being destroyed, `done` gets
  // Unavailable at once.
  virtual void Submit(Work work, Done done) = 0;
  // Submit and wait for the durable result. Internal if called from inside
  // a job (the writer would wait for itself).
  virtual Status Run(Work work) = 0;

  // A read-only connection for the calling thread, created on first use and
  // cached per (thread, store). It is closed when its thread exits; after
  // the store is destroyed, the destroying thread's reader is closed at once
  // and other threads' when they next open a reader. Never use it after the
  // store is gone. Opening it only fails when the process is out of
  // descriptors or memory, or the database server is gone: that aborts.
  virtual Connection& Reader() = 0;

  // Called after each successful durable commit with the time from COMMIT
  // to durable and the number of jobs in it.
  // REQUIRES: no work queued or running (e.g. before the first Submit).
  void set_commit_observer(CommitObserver observer) { observer_ = std::move(observer); }
  virtual StoreCounters counters() const = 0;

  // Whether this instance holds `role` (e.g. "loan-scheduler",
  // "outbox:at-ke") among all instances on the database: work that must run
  // once across them (a scheduler tick, a channel's rate-limited sending)
  // runs only where this is true. SQLite: always (one process owns the
  // file). PostgreSQL: a session advisory lock on a connection kept for
  // roles; it is released when the instance stops or dies (the server sees
  // the connection close), and another instance takes it at its next ask.
  // Costs one round trip per call on PostgreSQL. Thread-safe.
  virtual bool HoldsRole(const std::string& role) = 0;
  const StoreOptions& options() const { return options_; }

 protected:
  explicit Store(StoreOptions options) : options_(std::move(options)) {}
  StoreOptions options_;
  CommitObserver observer_;
};

// `url` with any password in it replaced by "***", for logs.
std::string RedactedUrl(const std::string& url);

// Opens the SQLite backend (Store::Open with backend "sqlite").
Result<std::unique_ptr<Store>> OpenSqliteStore(const StoreOptions& options);
// Opens the PostgreSQL backend (Store::Open with backend "postgresql").
Result<std::unique_ptr<Store>> OpenPostgresStore(const StoreOptions& options);

// Applies the numbered migrations of the connection's dialect (SQLite:
// domain/store/migrations.cc; PostgreSQL: domain/store/pg_schema.cc) that are
// not yet recorded in schema_migrations, each in its own transaction.
// Returns the schema version reached.
Result<int> Migrate(Connection& conn);
// Migrate, stopping after `target_version` (tests of a migration over a
// database built at the version before it). A database already past it is
// left as it is.
Result<int> MigrateTo(Connection& conn, int target_version);
// The version a database is at (0 when it has no schema_migrations). Reads
// only.
Result<int> SchemaVersion(Connection& conn);
// The highest migration version this build knows.
int LatestSchemaVersion();

}  // namespace shg::store
