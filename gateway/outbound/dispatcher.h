// The outbox dispatcher: sends the queued SMS of the store's outbox through
// each channel's send API and records every outcome.
//
// One leader thread finds due rows (on a reader connection) and leases them
// through the store's writer (durable before any send starts, so a crash
// after the lease re-sends at most what was in flight, once the lease
// expires). It leases no more rows than there are idle workers and rate
// tokens, so leased rows never wait in memory. Worker threads (each with
// its own libcurl handle, so connections to a provider are reused) build
// the request with the channel's adapter, perform it, classify it once and
// queue the outcome as a store job:
//   accepted   -> sent (provider id kept; delivery reports move it on)
//   permanent  -> failed at once
//   retryable  -> queued again after exponential backoff with jitter
//                 (base * 2^(attempt-1), capped, times a random 0.5..1.0),
//                 failed after max_attempts
//   throttled  -> queued again (the attempt is not counted) and the whole
//                 channel pauses for Retry-After or the backoff
// Each channel also has a token-bucket rate limit (send_rate_per_s).
//
// Order per recipient (domain/messages.h): the member SMS to one phone are
// leased one at a time in the order they were written, whatever their
// channel: the next waits while an older one is queued (also in backoff) or
// sending. Rows to other phones keep flowing to every worker. An outcome
// that ends a message (sent, failed) wakes the leader, so the next SMS to
// that phone goes out at once rather than at the next poll.
//
// Time: the times written to rows and compared with them (when a row is
// due, when its lease expires) are on the database's clock
// (store::Connection::ClockMs, read in the transaction that leases or
// records), so instances whose clocks disagree still agree on when a lease
// has expired. This instance's own clock only paces: the rate limit, the
// waits between rounds, a throttled channel's pause. The leader compares
// due times on its reader with an estimate of the database's clock
// (its own plus the last measured difference, measured at least once a
// second): a wrong estimate costs at most a poll interval or an empty
// lease, never a double send.
//
// Nothing here runs on the USSD answer path: the engine only writes rows.
//
// Thread-safety: Start/Stop from one controlling thread; Wake from any.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "config/settings.h"
#include "domain/messages.h"
#include "domain/store/store.h"
#include "gateway/channels/channel.h"

namespace shg::outbound {

// Called after each send with the channel, the outcome ("accepted",
// "permanent", "retryable", "throttled", "gave_up") and the request's
// duration in seconds. Must be thread-safe.
using SendObserver =
    std::function<void(const std::string& channel, const std::string& outcome, double seconds)>;

// Milliseconds since the epoch.
using MsClock = std::function<int64_t()>;
int64_t SystemNowMs();

struct DispatcherClocks {
  // This instance's clock (pacing only; a test may skew it).
  MsClock instance = SystemNowMs;
  // Milliseconds added to every reading, of both clocks: a test moves time
  // on past a backoff or a lease with it instead of waiting. Empty: none.
  MsClock shift;
};

class Dispatcher {
 public:
  // `adapters`: the sending channels (settings().sends()); not owned, must
  // outlive the dispatcher, as must `store`.
  Dispatcher(store::Store& store, std::vector<const channels::Adapter*> adapters,
             config::OutboxSettings options, DispatcherClocks clocks = {});
  ~Dispatcher();  // Stop()s

  void set_observer(SendObserver observer) { observer_ = std::move(observer); }
  // TLS CA bundle for all sends ("" = system default).
  void set_ca_file(std::string ca_file) { ca_file_ = std::move(ca_file); }

  void Start();
  // Stops leasing, lets in-flight sends finish and their outcomes commit,
  // then joins. Rows still queued stay queued for the next start.
  void Stop();
  // Something was queued: look for due rows now rather than at the next poll.
  void Wake();

  // Sends completed since start (any outcome), for tests and benchmarks.
  uint64_t sends_completed() const { return completed_.load(); }

 private:
  struct Channel {
    const channels::Adapter* adapter;
    std::string role;             // "outbox:<channel id>": one instance sends for it
    bool holds_role = false;      // as last asked, at role_checked_ms
    int64_t role_checked_ms = 0;
    double tokens = 1;            // rate limit bucket
    int64_t refilled_ms = 0;
    int64_t paused_until_ms = 0;  // throttled
    int throttles = 0;            // consecutive throttles, for the pause backoff
  };
  struct Task {
    Channel* channel;
    OutboundMessage message;
  };

  void LeaderLoop();
  void WorkerLoop();
  // Leases and queues what is due now; returns the earliest time something
  // else becomes due (or now + poll when unknown).
  int64_t LeaseRound();
  void Record(Channel* channel, const OutboundMessage& m, const channels::SendResult& result,
              double seconds);
  int64_t Backoff(int attempts);
  // This instance's clock (shifted).
  int64_t InstanceNowMs() const;
  // The database's clock (shifted) on `conn`; also refreshes the estimate.
  Result<int64_t> DatabaseNowMs(store::Connection& conn);
  // The estimate: the instance's clock plus the last measured difference,
  // refreshed on the reader when older than a second.
  int64_t EstimatedDatabaseNowMs();
  // Whether this instance sends for `ch` (asked again at most once a
  // second: on PostgreSQL each ask is a round trip).
  bool HoldsRole(Channel* ch, int64_t now);

  store::Store& store_;
  config::OutboxSettings options_;
  DispatcherClocks clocks_;
  std::atomic<int64_t> database_minus_instance_ms_{0};
  std::atomic<int64_t> difference_measured_ms_{0};  // instance clock; 0: never
  SendObserver observer_;
  std::string ca_file_;
  std::vector<std::unique_ptr<Channel>> channels_;

  std::mutex mu_;
  std::condition_variable cv_;       // leader: wake, idle worker, stop
  std::condition_variable work_cv_;  // workers: tasks
  std::deque<Task> tasks_;
  int idle_workers_ = 0;
  bool woken_ = false;
  bool stopping_ = false;
  bool running_ = false;
  std::thread leader_;
  std::vector<std::thread> workers_;

  std::mutex record_mu_;
  std::condition_variable record_cv_;
  int records_pending_ = 0;  // outcomes submitted to the store, not yet committed
  std::atomic<uint64_t> completed_{0};
  std::mt19937_64 rng_{std::random_device{}()};
  std::mutex rng_mu_;
};

}  // namespace shg::outbound
