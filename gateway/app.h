// The gateway application: wires the store, the dialog engine, the SMS
// commands, the channel adapters, the outbox dispatcher and the metrics
// behind one request handler, and runs the HTTP server. Routes:
//   POST     /channels/{id}/ussd      USSD step (provider format: AT, Hubtel)
//   POST     /channels/{id}/ussd-end  end-of-session notification (AT)
//   POST|GET /channels/{id}/sms       inbound SMS (GET for Kannel's get-url)
//   POST|GET /channels/{id}/status    delivery reports (GET for Kannel)
//   POST     /partners/{partner_id}/loans/{reference}/decision|disbursement|repayments
//                                     MFI partner callbacks (JSON, see below)
//   GET      /healthz                 200 "ok" when the store answers
//   GET      /metrics                 Prometheus text format
//   *        /api/v1/...              the staff API (gateway/api/api.h)
//   GET|POST /staff/...               the staff dashboard (gateway/dashboard/dashboard.h)
// Every channel route is authenticated by the channel's adapter first (403,
// no side effect); a malformed callback is 400 with the reason.
//
// Partner callbacks (partner API contract, gateway/partners/): the
// signature (X-SHG-Timestamp, X-SHG-Signature over the raw body, replay
// window [loans] partner_replay_window_s) is verified before the body is
// read; then one store unit records the event (domain/loans.h, actor
// partner/<id>/partner-api) and queues the member's SMS. Answers, JSON:
//   200 {"reference","state","changed"}  changed false for an idempotent replay
//   400 {"error"}  malformed body, currency not the loan's, terms the domain refuses
//   401 {"error"}  missing/bad signature, bad/stale timestamp: nothing changed
//   404 {"error"}  "unknown partner" (or one without a secret) | "unknown loan"
//   409 {"error","state"}  the event does not fit the loan's current state
//   503 {"error"}  the store is unavailable: retry
// Bodies are never logged.
//
// MFI referrals: each partner with an api_base_url gets a referral sender
// (gateway/partners/sender.h) on the outbox dispatcher, next to the SMS
// channels; its signatures use the App's clock.
//
// Loan scheduler: gateway/loan_jobs.h runs at Start() and then every
// [loans] scheduler_interval_s on its own thread, until Stop().
//
// A USSD step or an inbound SMS is parsed and authenticated on the HTTP
// thread, then runs as one job of the store's writer (group commit) so that
// the session, any money action and the SMS it causes (outbox rows) commit
// together; the answer is sent after the commit is durable. Nothing on this
// path does network I/O: the dispatcher sends the outbox in the background.
//
// Thread-safety: Handle() is called concurrently by the server threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/settings.h"
#include "dialogs/catalogue.h"
#include "dialogs/engine.h"
#include "dialogs/notify.h"
#include "dialogs/sms_commands.h"
#include "gateway/channels/channel.h"
#include "gateway/outbound/dispatcher.h"
#include "domain/loans.h"
#include "domain/pin.h"
#include "domain/store/store.h"
#include "gateway/api/api.h"
#include "gateway/dashboard/dashboard.h"
#include "gateway/http/metrics.h"
#include "gateway/http/server.h"
#include "gateway/loan_jobs.h"
#include "gateway/partners/sender.h"

namespace shg::gateway {

// Seconds since the epoch; injectable so tests can expire sessions.
using Clock = std::function<int64_t()>;
int64_t SystemNow();

// Which channel sends a member's SMS (dialogs/notify.h): a channel that
// sends answers for itself, `sms_via` redirects, and the first sending
// channel of each country serves staff actions.
dialogs::SmsRouting SmsRoutingFor(const config::Settings& settings);

class App {
 public:
  // Opens the store (applying migrations) and loads the catalogues.
  static Result<std::unique_ptr<App>> Create(const config::Settings& settings, std::string pepper,
                                             Clock clock = SystemNow);
  ~App();

  // The pure request -> response entry point (also used by tests).
  void Handle(http::Request&& request, http::Reply reply);

  // Starts the HTTP server (port 0 picks one), the outbox dispatcher, the
  // session janitor and the loan scheduler (which runs once at once).
  Status Start();
  uint16_t port() const;
  // Graceful: stops accepting, finishes requests in flight, stops the loan
  // scheduler (a run in progress completes), lets sends in flight finish
  // and record their outcome, stops the janitor.
  void Stop();
  // Refreshes the outbox gauges (queue depth, oldest queued age).
  void RefreshOutboxGauges();

  // One round of the janitor (once a minute): counts the sessions that timed
  // out waiting for input (by channel and network), purges expired sessions
  // and refreshes the active-sessions gauge.
  Status PurgeSessions();

  // One run of the loan scheduler at the App's clock (what the scheduler
  // thread does each interval): counts its changes, wakes the dispatcher
  // when SMS were queued.
  Result<LoanSchedulerSummary> RunLoanScheduler();

  store::Store& store() { return *store_; }
  http::Registry& metrics() { return registry_; }
  const PinHasher& pins() const { return pins_; }
  const dialogs::Notifier& notifier() const { return *notifier_; }
  outbound::Dispatcher* dispatcher() { return dispatcher_.get(); }
  const LoanProgramme& programme() const { return programme_; }
  const api::StaffApi& staff_api() const { return *api_; }

 private:
  App(const config::Settings& settings, std::string pepper, Clock clock);
  void HandleUssd(const channels::Adapter& adapter, http::Request&& request, http::Reply reply,
                  bool end_route);
  void HandleSms(const channels::Adapter& adapter, http::Request&& request, http::Reply reply);
  void HandleStatus(const channels::Adapter& adapter, http::Request&& request, http::Reply reply);
  void HandlePartner(http::Request&& request, http::Reply reply);
  void Wake();
  void JanitorLoop();
  void SchedulerLoop();

  config::Settings settings_;
  PinHasher pins_;
  Clock clock_;
  std::unique_ptr<store::Store> store_;
  LoanProgramme programme_;  // built once from settings_; the engine and SMS commands borrow it
  std::unique_ptr<dialogs::Catalogue> catalogue_;
  std::unique_ptr<dialogs::Notifier> notifier_;
  std::map<std::string, std::string> service_codes_;  // channel id -> USSD code in SMS texts
  std::unique_ptr<dialogs::Engine> engine_;
  std::unique_ptr<api::StaffApi> api_;
  std::unique_ptr<dashboard::Dashboard> dashboard_;  // /staff/ (gateway/dashboard/)
  std::unique_ptr<dialogs::SmsCommands> sms_commands_;
  std::map<std::string, std::unique_ptr<channels::Adapter>, std::less<>> adapters_;
  std::vector<std::unique_ptr<partners::PartnerSender>> partner_senders_;
  std::unique_ptr<outbound::Dispatcher> dispatcher_;
  std::unique_ptr<http::Server> server_;

  http::Registry registry_;
  http::Counter* requests_ = nullptr;      // channel, route, outcome
  http::Counter* ussd_steps_ = nullptr;    // channel, kind
  http::Counter* pin_failures_ = nullptr;  // channel, locked
  http::Counter* screen_cut_ = nullptr;    // channel
  http::Counter* timed_out_ = nullptr;     // channel, network
  http::Histogram* ussd_latency_ = nullptr;
  http::Histogram* commit_latency_ = nullptr;
  http::Gauge* active_sessions_ = nullptr;
  http::Counter* ussd_ends_ = nullptr;     // channel, status
  http::Counter* sms_inbound_ = nullptr;   // channel, outcome
  http::Counter* reports_ = nullptr;       // channel, state, match
  http::Counter* sends_ = nullptr;         // channel, outcome
  http::Histogram* send_latency_ = nullptr;  // channel
  http::Counter* outbox_queued_ = nullptr;   // gauge: channel
  http::Counter* outbox_oldest_ = nullptr;   // gauge: channel
  http::Counter* partner_callbacks_ = nullptr;  // partner, event, outcome
  http::Counter* scheduler_runs_ = nullptr;     // outcome
  http::Counter* scheduler_changes_ = nullptr;  // change

  // Request ids for audit rows and logs: a random per-process prefix and a
  // counter ("9f2c01ab-1734").
  const std::string request_prefix_;
  std::atomic<uint64_t> request_counter_{0};

  std::atomic<bool> janitor_stop_{false};
  std::thread janitor_;

  std::mutex scheduler_mu_;
  std::condition_variable scheduler_cv_;
  bool scheduler_stop_ = false;  // guarded by scheduler_mu_
  std::thread scheduler_;
};

}  // namespace shg::gateway
