#include "gateway/outbound/dispatcher.h"

#include <algorithm>
#include <chrono>

#include "gateway/log.h"
#include "gateway/outbound/transport.h"

namespace shg::outbound {
namespace {

using gateway::Log;

constexpr int kMaxLeaseBatch = 64;

}  // namespace

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Dispatcher::Dispatcher(store::Store& store, std::vector<const channels::Adapter*> adapters,
                       config::OutboxSettings options, DispatcherClocks clocks)
    : store_(store), options_(options), clocks_(std::move(clocks)) {
  for (const channels::Adapter* a : adapters) {
    auto c = std::make_unique<Channel>();
    c->adapter = a;
    c->role = "outbox:" + a->id();
    c->tokens = std::max(1.0, a->settings().send_rate_per_s);
    channels_.push_back(std::move(c));
  }
}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  if (running_) return;
  CurlGlobalInit();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
    idle_workers_ = 0;
  }
  running_ = true;
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  leader_ = std::thread([this] { LeaderLoop(); });
}

void Dispatcher::Stop() {
  if (!running_) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  work_cv_.notify_all();
  if (leader_.joinable()) leader_.join();
  for (auto& w : workers_) w.join();
  workers_.clear();
  // Outcomes of the last sends must be durable before the store goes away.
  std::unique_lock<std::mutex> lock(record_mu_);
  record_cv_.wait(lock, [this] { return records_pending_ == 0; });
  running_ = false;
}

void Dispatcher::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_one();
}

int64_t Dispatcher::Backoff(int attempts) {
  int64_t delay = options_.retry_base_ms;
  for (int i = 1; i < attempts && delay < options_.retry_max_ms; ++i) delay *= 2;
  delay = std::min(delay, options_.retry_max_ms);
  std::lock_guard<std::mutex> lock(rng_mu_);
  // Jitter spreads retries of many messages failing together.
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(delay) * jitter(rng_)));
}

int64_t Dispatcher::InstanceNowMs() const {
  return clocks_.instance() + (clocks_.shift ? clocks_.shift() : 0);
}

Result<int64_t> Dispatcher::DatabaseNowMs(store::Connection& conn) {
  auto clock = conn.ClockMs();
  if (!clock.ok()) return clock.status();
  const int64_t database_now = *clock + (clocks_.shift ? clocks_.shift() : 0);
  const int64_t instance_now = InstanceNowMs();
  database_minus_instance_ms_.store(database_now - instance_now);
  difference_measured_ms_.store(instance_now);
  return database_now;
}

int64_t Dispatcher::EstimatedDatabaseNowMs() {
  const int64_t now = InstanceNowMs();
  const int64_t measured = difference_measured_ms_.load();
  if (measured == 0 || now - measured >= 1000 || now < measured) {
    auto database_now = DatabaseNowMs(store_.Reader());
    if (database_now.ok()) return *database_now;
    // Unreachable database: the last difference is the best guess (the
    // lease job will fail anyway).
  }
  return now + database_minus_instance_ms_.load();
}

bool Dispatcher::HoldsRole(Channel* ch, int64_t now) {
  if (ch->role_checked_ms == 0 || now - ch->role_checked_ms >= 1000 || now < ch->role_checked_ms) {
    ch->holds_role = store_.HoldsRole(ch->role);
    ch->role_checked_ms = now;
  }
  return ch->holds_role;
}

void Dispatcher::LeaderLoop() {
  for (;;) {
    int64_t next_ms = LeaseRound();
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_) return;
    if (woken_) {
      woken_ = false;
      continue;
    }
    int64_t wait_ms = std::clamp<int64_t>(next_ms - InstanceNowMs(), 1, options_.poll_ms);
    cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [this] { return stopping_ || woken_; });
    if (stopping_) return;
    woken_ = false;
  }
}

int64_t Dispatcher::LeaseRound() {
  const int64_t poll_next = InstanceNowMs() + options_.poll_ms;
  int64_t next = poll_next;
  for (auto& cp : channels_) {
    Channel* ch = cp.get();
    const int64_t now = InstanceNowMs();
    const auto& cs = ch->adapter->settings();
    // Refill the bucket; a burst is at most one second's worth.
    double rate = cs.send_rate_per_s;
    if (ch->refilled_ms != 0) {
      ch->tokens = std::min(std::max(1.0, rate),
                            ch->tokens + rate * static_cast<double>(now - ch->refilled_ms) / 1000.0);
    }
    ch->refilled_ms = now;
    int free_slots;
    int64_t paused_until;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return next;
      free_slots = idle_workers_ - static_cast<int>(tasks_.size());
      paused_until = ch->paused_until_ms;
    }
    if (paused_until > now) {
      next = std::min(next, paused_until);
      continue;
    }
    if (free_slots <= 0) continue;  // a worker going idle wakes the leader
    if (ch->tokens < 1.0) {
      next = std::min(next, now + static_cast<int64_t>((1.0 - ch->tokens) * 1000.0 / rate) + 1);
      continue;
    }
    // A channel's rate is the provider's: one instance sends for it at a
    // time (the others ask again each second: one takes over soon after
    // the holder stops or dies).
    if (!HoldsRole(ch, now)) {
      next = std::min(next, now + 1000);
      continue;
    }
    // Cheap check on this thread's reader before taking the writer.
    const int64_t database_now = EstimatedDatabaseNowMs();
    Messages reader(store_.Reader(), database_now);
    auto due = reader.NextDue(ch->adapter->id());
    if (!due.ok()) {
      Log("warn", "outbox_poll_failed", {{"channel", ch->adapter->id()}, {"status", due.status().ToString()}});
      continue;
    }
    if (!due->has_value()) continue;
    if (**due > database_now) {
      next = std::min(next, now + (**due - database_now));
      continue;
    }
    int limit = std::min({free_slots, static_cast<int>(ch->tokens), kMaxLeaseBatch});
    std::vector<OutboundMessage> leased;
    const int64_t lease_ms = static_cast<int64_t>(options_.lease_s) * 1000;
    Status s = store_.Run([&](store::Connection& conn) -> Status {
      auto lease_now = DatabaseNowMs(conn);
      if (!lease_now.ok()) return lease_now.status();
      Messages m(conn, *lease_now);
      auto rows = m.LeaseDue(ch->adapter->id(), limit, lease_ms);
      if (!rows.ok()) return rows.status();
      leased = std::move(*rows);
      return Status::Ok();
    });
    if (!s.ok()) {
      Log("warn", "outbox_lease_failed", {{"channel", ch->adapter->id()}, {"status", s.ToString()}});
      continue;
    }
    if (leased.empty()) continue;
    ch->tokens -= static_cast<double>(leased.size());
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& m : leased) tasks_.push_back(Task{ch, std::move(m)});
    }
    work_cv_.notify_all();
    // More may be due at once: come back without waiting.
    next = std::min(next, now);
  }
  return next;
}

void Dispatcher::WorkerLoop() {
  Transport transport;
  for (;;) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++idle_workers_;
      // The leader may lease for this idle worker. The flag is needed: its
      // wait has a predicate, so a bare notify would not end it and the
      // leader, idle for lack of workers, would sleep a whole poll interval.
      woken_ = true;
      cv_.notify_one();
      work_cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      --idle_workers_;
      if (tasks_.empty()) return;  // stopping, nothing left to send
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    const OutboundMessage& m = task.message;
    const auto& cs = task.channel->adapter->settings();
    channels::SendResult result;
    double seconds = 0;
    if (m.attempts > options_.max_attempts) {
      // Its lease expired repeatedly (the process died mid-send each time).
      result.cls = channels::SendClass::kPermanent;
      result.reason = "gave up after " + std::to_string(m.attempts - 1) + " attempts";
    } else {
      channels::OutboundSms sms{m.id, m.phone, m.body};
      channels::HttpCall call = task.channel->adapter->BuildSend(sms);
      TransportOptions to;
      to.connect_timeout_ms = cs.connect_timeout_ms;
      to.total_timeout_ms = cs.send_timeout_ms;
      to.ca_file = ca_file_;
      auto started = std::chrono::steady_clock::now();
      channels::HttpOutcome outcome = transport.Perform(call, to);
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      result = task.channel->adapter->ClassifySend(outcome);
    }
    Record(task.channel, m, result, seconds);
  }
}

void Dispatcher::Record(Channel* ch, const OutboundMessage& m, const channels::SendResult& r,
                        double seconds) {
  const int64_t now = InstanceNowMs();
  std::string outcome = channels::SendClassName(r.cls);
  enum class Action { kAccept, kFail, kRetry, kThrottle } action = Action::kAccept;
  int64_t retry_in_ms = 0;  // from the database's clock when it is recorded
  std::string error = r.reason;
  switch (r.cls) {
    case channels::SendClass::kAccepted:
      action = Action::kAccept;
      break;
    case channels::SendClass::kPermanent:
      action = Action::kFail;
      break;
    case channels::SendClass::kRetryable:
      if (m.attempts >= options_.max_attempts) {
        action = Action::kFail;
        outcome = "gave_up";
        error = "gave up after " + std::to_string(m.attempts) + " attempts: " + r.reason;
      } else {
        action = Action::kRetry;
        retry_in_ms = std::max<int64_t>(Backoff(m.attempts), r.retry_after_s * 1000LL);
      }
      break;
    case channels::SendClass::kThrottled: {
      action = Action::kThrottle;
      int64_t pause;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++ch->throttles;
        pause = std::max<int64_t>(Backoff(ch->throttles), r.retry_after_s * 1000LL);
        ch->paused_until_ms = std::max(ch->paused_until_ms, now + pause);
      }
      retry_in_ms = pause;
      break;
    }
  }
  if (action != Action::kThrottle) {
    std::lock_guard<std::mutex> lock(mu_);
    ch->throttles = 0;
  }
  if (observer_) observer_(ch->adapter->id(), outcome, seconds);
  if (action == Action::kFail || outcome == "retryable") {
    Log("warn", "sms_send_failed",
        {{"channel", ch->adapter->id()},
         {"message", std::to_string(m.id)},
         {"attempt", std::to_string(m.attempts)},
         {"outcome", outcome},
         {"reason", r.reason}});
  }
  {
    std::lock_guard<std::mutex> lock(record_mu_);
    ++records_pending_;
  }
  const int64_t id = m.id;
  std::string provider_id = r.provider_message_id;
  store_.Submit(
      [this, id, action, retry_in_ms, error, provider_id](store::Connection& conn) -> Status {
        auto recorded = DatabaseNowMs(conn);
        if (!recorded.ok()) return recorded.status();
        Messages msgs(conn, *recorded);
        switch (action) {
          case Action::kAccept: return msgs.MarkAccepted(id, provider_id);
          case Action::kFail: return msgs.MarkFailed(id, error);
          case Action::kRetry: return msgs.MarkRetry(id, *recorded + retry_in_ms, error, true);
          case Action::kThrottle: return msgs.MarkRetry(id, *recorded + retry_in_ms, error, false);
        }
        return Status::Ok();
      },
      [this, id, action](const Status& s) {
        if (!s.ok()) {
          // The lease will expire and the row be tried again.
          Log("error", "outbox_record_failed", {{"message", std::to_string(id)}, {"status", s.ToString()}});
        }
        // A message that ended may have the next one to its phone waiting
        // behind it (order per recipient): lease that now, not at the poll.
        // Before records_pending_ drops: Stop() may return once it is zero.
        if (s.ok() && (action == Action::kAccept || action == Action::kFail)) Wake();
        completed_.fetch_add(1);
        std::lock_guard<std::mutex> lock(record_mu_);
        --records_pending_;
        record_cv_.notify_all();
      });
}

}  // namespace shg::outbound
