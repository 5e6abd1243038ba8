// The PostgreSQL backend of Store (see store.h): a pool of connections, one
// worker thread each; every job is one SERIALIZABLE transaction, retried on
// serialization failure or deadlock.
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <exception>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "domain/store/postgres.h"
#include "domain/store/reader_cache.h"
#include "domain/store/store.h"

namespace shg::store {
namespace {

constexpr char kBeginSerializable[] = "BEGIN ISOLATION LEVEL SERIALIZABLE";
constexpr char kCommit[] = "COMMIT";
constexpr char kRollback[] = "ROLLBACK";

using Clock = std::chrono::steady_clock;

using internal::CallDone;
using internal::RunWork;

// A reader that could not connect (the server down or restarting): every
// statement fails with the connect error, so the request that needed it
// gets an error answer instead of the process aborting. The next Reader()
// call on the thread tries to connect again.
class UnavailableStatement final : public Statement {
 public:
  explicit UnavailableStatement(Status why) : why_(std::move(why)) {}
  Statement& Bind(int, int64_t) override { return *this; }
  Statement& Bind(int, std::string_view) override { return *this; }
  Statement& BindBlob(int, std::string_view) override { return *this; }
  Statement& BindNull(int) override { return *this; }
  Result<bool> Step() override { return why_; }
  Status Run() override { return why_; }
  int64_t Int(int) const override { return 0; }
  std::string Text(int) const override { return ""; }
  std::string Blob(int) const override { return ""; }
  bool IsNull(int) const override { return true; }
  void Reset() override {}

 private:
  Status why_;
};

class UnavailableConnection final : public Connection {
 public:
  explicit UnavailableConnection(Status why) : why_(why), statement_(std::move(why)) {}
  Dialect dialect() const override { return Dialect::kPostgresql; }
  Status Exec(std::string_view) override { return why_; }
  Statement& Prepare(const char*) override { return statement_; }
  std::unique_ptr<Statement> PrepareUncached(std::string_view) override {
    return std::make_unique<UnavailableStatement>(why_);
  }
  int Changes() const override { return 0; }
  bool InTransaction() const override { return false; }
  Result<int64_t> ClockMs() override { return why_; }

 private:
  Status why_;
  UnavailableStatement statement_;
};

class PgStore final : public Store {
 public:
  explicit PgStore(StoreOptions options) : Store(std::move(options)) {}
  ~PgStore() override;
  Dialect dialect() const override { return Dialect::kPostgresql; }
  void Submit(Work work, Done done) override;
  Status Run(Work work) override;
  Connection& Reader() override;
  StoreCounters counters() const override;
  bool HoldsRole(const std::string& role) override;

  // Opens the pool and starts the workers.
  Status Start();

 private:
  struct Job {
    Work work;
    Done done;
    Clock::time_point queued;
    bool waited;  // no worker was free when it was queued
  };
  void WorkerLoop(size_t index);
  // One job, retried; the status its `done` gets.
  Status RunJob(size_t index, const Work& work);
  Result<std::unique_ptr<PgConnection>> Connect(bool read_only) const {
    return PgConnection::Open(options_.url, options_.password, read_only);
  }

  std::vector<std::unique_ptr<PgConnection>> pool_;
  std::atomic<bool> readers_down_{false};  // the last reader connect failed
  std::vector<std::thread> workers_;
  std::vector<std::thread::id> worker_ids_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  size_t idle_ = 0;
  bool stopping_ = false;

  std::atomic<uint64_t> jobs_{0}, retries_{0}, gave_up_{0}, pool_waits_{0};
  std::atomic<uint64_t> pool_wait_us_{0};
  internal::ReaderCache readers_;

  std::mutex roles_mu_;
  std::unique_ptr<PgConnection> roles_conn_;  // holds the advisory locks
  std::map<std::string, bool> roles_held_;
};

Status PgStore::Start() {
  if (options_.pool_size < 1) return Status::InvalidArgument("pool_size must be at least 1");
  for (int i = 0; i < options_.pool_size; ++i) {
    Result<std::unique_ptr<PgConnection>> conn = Connect(false);
    if (!conn.ok()) return conn.status();
    pool_.push_back(std::move(*conn));
  }
  idle_ = pool_.size();
  worker_ids_.resize(pool_.size());
  for (size_t i = 0; i < pool_.size(); ++i) {
    workers_.emplace_back([this, i] { WorkerLoop(i); });
    worker_ids_[i] = workers_.back().get_id();
  }
  return Status::Ok();
}

PgStore::~PgStore() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) {
    if (t.joinable()) t.join();
  }
}

void PgStore::Submit(Work work, Done done) {
  bool queued = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      const bool waits = idle_ <= queue_.size();
      queue_.push_back(Job{std::move(work), std::move(done), Clock::now(), waits});
      queued = true;
    }
  }
  if (queued) {
    cv_.notify_one();
  } else {
    CallDone(done, Status::Unavailable("store is shutting down"));
  }
}

Status PgStore::Run(Work work) {
  for (const std::thread::id& id : worker_ids_) {
    if (std::this_thread::get_id() == id) {
      return Status::Internal("Store::Run called from inside a store job");
    }
  }
  std::promise<Status> promise;
  std::future<Status> result = promise.get_future();
  Submit(std::move(work), [&promise](const Status& s) { promise.set_value(s); });
  return result.get();
}

Connection& PgStore::Reader() {
  return readers_.Get(
      [this]() -> std::unique_ptr<Connection> {
        Result<std::unique_ptr<PgConnection>> conn = Connect(true);
        if (!conn.ok()) {
          // Said once per outage, not once per request.
          if (!readers_down_.exchange(true)) {
            std::fprintf(stderr, "shg: cannot open a postgresql reader (reads fail until it "
                                 "can): %s\n", conn.status().ToString().c_str());
          }
          return std::make_unique<UnavailableConnection>(conn.status());
        }
        if (readers_down_.exchange(false)) {
          std::fprintf(stderr, "shg: postgresql readers connect again\n");
        }
        return std::move(*conn);
      },
      [](Connection& c) {
        auto* pg = dynamic_cast<PgConnection*>(&c);
        return pg != nullptr && pg->healthy();
      });
}

StoreCounters PgStore::counters() const {
  StoreCounters c;
  c.jobs = jobs_.load(std::memory_order_relaxed);
  c.retries = retries_.load(std::memory_order_relaxed);
  c.gave_up = gave_up_.load(std::memory_order_relaxed);
  c.pool_waits = pool_waits_.load(std::memory_order_relaxed);
  c.pool_wait_seconds = static_cast<double>(pool_wait_us_.load(std::memory_order_relaxed)) / 1e6;
  return c;
}

// A role's advisory lock key: 64-bit FNV-1a of its name (stable across
// builds and instances).
int64_t RoleKey(const std::string& role) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : role) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int64_t>(h);
}

constexpr char kTryRoleLock[] = "SELECT pg_try_advisory_lock(?)";
constexpr char kAlive[] = "SELECT 1";

bool PgStore::HoldsRole(const std::string& role) {
  std::lock_guard<std::mutex> lock(roles_mu_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (roles_conn_ == nullptr || !roles_conn_->healthy()) {
      roles_held_.clear();  // a lost session lost its locks
      Result<std::unique_ptr<PgConnection>> conn = Connect(false);
      if (!conn.ok()) return false;
      roles_conn_ = std::move(*conn);
    }
    if (roles_held_[role]) {
      // Held while the session lives: check it does.
      if (roles_conn_->Prepare(kAlive).Run().ok()) return true;
      roles_conn_.reset();
      continue;
    }
    Statement& st = roles_conn_->Prepare(kTryRoleLock);
    st.Bind(1, RoleKey(role));
    Result<int64_t> got = QueryInt(st);
    if (!got.ok()) {
      roles_conn_.reset();
      continue;
    }
    roles_held_[role] = *got == 1;
    return *got == 1;
  }
  return false;
}

void PgStore::WorkerLoop(size_t index) {
  pthread_setname_np(pthread_self(), "shg-pg-worker");
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      job = std::move(queue_.front());
      queue_.pop_front();
      --idle_;
    }
    if (job.waited) {
      pool_waits_.fetch_add(1, std::memory_order_relaxed);
      const auto waited = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - job.queued);
      pool_wait_us_.fetch_add(static_cast<uint64_t>(waited.count()), std::memory_order_relaxed);
    }
    Status s = RunJob(index, job.work);
    jobs_.fetch_add(1, std::memory_order_relaxed);
    CallDone(job.done, s);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++idle_;
    }
  }
}

Status PgStore::RunJob(size_t index, const Work& work) {
  thread_local std::minstd_rand jitter(std::random_device{}());
  for (int attempt = 0;; ++attempt) {
    PgConnection& conn = *pool_[index];
    if (!conn.healthy()) {
      // The server restarted or the connection dropped: connect again.
      Result<std::unique_ptr<PgConnection>> fresh = Connect(false);
      if (!fresh.ok()) return fresh.status();
      pool_[index] = std::move(*fresh);
      continue;
    }
    conn.ClearRetryable();
    Status s = conn.Prepare(kBeginSerializable).Run();
    Clock::time_point commit_started;
    bool commit_sent = false;
    if (s.ok()) s = RunWork(work, conn);
    if (s.ok()) {
      commit_started = Clock::now();
      commit_sent = true;
      s = conn.Prepare(kCommit).Run();
    }
    if (s.ok()) {
      if (observer_) {
        observer_(std::chrono::duration<double>(Clock::now() - commit_started).count(), 1);
      }
      return s;
    }
    if (conn.InTransaction()) (void)conn.Prepare(kRollback).Run();
    // The connection dropped (a server restart ends every session) before
    // COMMIT was sent: nothing was written, so run it once more on a new
    // connection. After COMMIT was sent the outcome is unknown: the job's
    // error is its answer (a retried request finds its idempotency key).
    const bool lost_before_commit = !conn.healthy() && !commit_sent;
    if (lost_before_commit && attempt == 0) {
      retries_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    // A job's own refusal (not a conflict) is its answer.
    if (!conn.last_error_retryable()) return s;
    if (attempt >= options_.max_retries) {
      gave_up_.fetch_add(1, std::memory_order_relaxed);
      return s;
    }
    retries_.fetch_add(1, std::memory_order_relaxed);
    // Randomised back-off so two conflicting jobs do not meet again at once.
    const int cap_us = 200 << std::min(attempt, 6);
    std::this_thread::sleep_for(std::chrono::microseconds(jitter() % static_cast<unsigned>(cap_us)));
  }
}

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const StoreOptions& options) {
  if (options.url.empty()) return Status::InvalidArgument("store url is empty");
  {
    Result<std::unique_ptr<PgConnection>> conn =
        PgConnection::Open(options.url, options.password, false);
    if (!conn.ok()) return conn.status();
    Result<int> version = Migrate(**conn);
    if (!version.ok()) return version.status();
  }
  auto store = std::make_unique<PgStore>(options);
  SHG_RETURN_IF_ERROR(store->Start());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace shg::store
