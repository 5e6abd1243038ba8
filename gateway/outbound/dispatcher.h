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

// Milliseconds since the epoch (injectable for tests).
using MsClock = std::function<int64_t()>;
int64_t SystemNowMs();

class Dispatcher {
 public:
  // `adapters`: the sending channels (settings().sends()); not owned, must
  // outlive the dispatcher, as must `store`.
  Dispatcher(store::Store& store, std::vector<const channels::Adapter*> adapters,
             config::OutboxSettings options, MsClock clock = SystemNowMs);
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

  store::Store& store_;
  config::OutboxSettings options_;
  MsClock clock_;
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
