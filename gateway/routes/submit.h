// What every route of the gateway shares (gateway/routes/*_routes.cc): the
// App's parts they borrow, and the one pipeline of a request that changes
// data. A request is parsed and authenticated on the HTTP thread; then ONE
// job runs on the store's writer (group commit, Store::Submit) so that
// everything it records - a session, a money action, the SMS it causes
// (outbox rows), a partner's event - commits together; the answer is sent
// after the commit is durable, and counted under one outcome label. Nothing
// on this path does network I/O (the dispatcher sends the outbox in the
// background).
//
// Thread-safety: RouteEnv's parts are safe to use from the server threads
// (each documents it); a job's Run and Finish run one after the other on
// the store's writer and syncer threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/settings.h"
#include "dialogs/engine.h"
#include "dialogs/notify.h"
#include "dialogs/sms_commands.h"
#include "domain/loans.h"
#include "domain/messages.h"
#include "domain/pin.h"
#include "domain/services.h"
#include "domain/store/store.h"
#include "gateway/app_metrics.h"
#include "gateway/http/server.h"
#include "gateway/outbound/dispatcher.h"

namespace shg::gateway {

// Seconds since the epoch; injectable so tests can expire sessions.
using Clock = std::function<int64_t()>;

// Request ids for audit rows and logs: a random per-process prefix and a
// counter ("9f2c01ab-1734"). Thread-safe.
class RequestIds {
 public:
  RequestIds() : prefix_(RandomHex(4) + "-") {}
  std::string Next() { return prefix_ + std::to_string(++counter_); }

 private:
  const std::string prefix_;
  std::atomic<uint64_t> counter_{0};
};

// The App's parts the routes borrow (all outlive every request).
struct RouteEnv {
  const config::Settings& settings;
  const PinHasher& pins;
  const Clock& clock;
  store::Store& store;
  AppMetrics& metrics;
  const LoanProgramme& programme;
  const dialogs::Notifier& notifier;
  const dialogs::Engine& engine;
  const dialogs::SmsCommands& sms_commands;
  outbound::Dispatcher& dispatcher;  // Wake() after a job queued SMS
  RequestIds& request_ids;
};

// The domain over the writer's connection, for one job at its request's
// time (App clock; the outbox at the system clock in ms).
struct Unit {
  Unit(store::Connection& connection, const RouteEnv& env, int64_t now)
      : conn(connection),
        ctx{&env.pins, env.settings.max_pin_failures, now},
        services(conn, ctx),
        messages(conn, outbound::SystemNowMs()) {}
  Unit(const Unit&) = delete;
  Unit& operator=(const Unit&) = delete;

  store::Connection& conn;
  DomainContext ctx;  // services (and a job's Loans) borrow it
  Services services;
  Messages messages;
};

// One series per caller of a counter whose last label is the outcome:
// shg_http_requests_total{channel, route, outcome},
// shg_partner_callbacks_total{partner, event, outcome}. Every way a request
// ends is counted through one of these, once.
class OutcomeCounter {
 public:
  OutcomeCounter(http::Counter& counter, std::vector<std::string> labels)
      : counter_(&counter), labels_(std::move(labels)) {}
  void Count(const char* outcome) const {
    std::vector<std::string> labels = labels_;
    labels.emplace_back(outcome);
    counter_->Inc(labels);
  }

 private:
  http::Counter* counter_;
  std::vector<std::string> labels_;
};

// How a job ended: its response and the outcome label it is counted under.
struct Answer {
  http::Response response;
  const char* outcome;
};

// Answers `reply` at once (a request refused before any job), counted.
inline void Refuse(const OutcomeCounter& count, Answer answer, const http::Reply& reply) {
  count.Count(answer.outcome);
  reply(std::move(answer.response));
}

// Runs `job` once on the store writer and answers after the durable commit.
// Job provides:
//   int64_t now                   the request's time (App clock)
//   Status Run(Unit& unit)        on the writer thread, inside the batch
//                                 transaction in its own savepoint: a
//                                 non-OK Status rolls back this job alone
//   Answer Finish(const Status& outcome)
//                                 after the commit is durable (syncer
//                                 thread; keep it short): `outcome` is
//                                 Run's Status, or the commit's failure
// The answer is counted with `count`, then sent to `reply`. The job is
// shared by both sides (results written by Run are read by Finish).
template <typename Job>
void SubmitAndAnswer(const RouteEnv& env, std::shared_ptr<Job> job, OutcomeCounter count,
                     http::Reply reply) {
  env.store.Submit(
      [&env, job](store::Connection& conn) -> Status {
        Unit unit(conn, env, job->now);
        return job->Run(unit);
      },
      [job, count = std::move(count), reply = std::move(reply)](const Status& outcome) {
        Answer answer = job->Finish(outcome);
        count.Count(answer.outcome);
        reply(std::move(answer.response));
      });
}

}  // namespace shg::gateway
