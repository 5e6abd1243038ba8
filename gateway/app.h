// The gateway application: wires the store, the dialog engine, the SMS
// commands, the channel adapters, the outbox dispatcher and the metrics
// behind one request handler, and runs the HTTP server. Handle() dispatches
// by path prefix:
//   /channels/...   providers' callbacks: USSD, SMS, delivery reports
//                   (gateway/routes/channel_routes.h)
//   /partners/...   MFI partner callbacks (gateway/routes/partner_routes.h)
//   GET /healthz    200 "ok" when the store answers
//   GET /metrics    Prometheus text format (gateway/app_metrics.h)
//   /api/v1/...     the staff API (gateway/api/api.h)
//   /staff/...      the staff dashboard (gateway/dashboard/dashboard.h)
// anything else is 404. A request that changes data is parsed and
// authenticated on the HTTP thread, then runs as one job of the store's
// writer and is answered after the durable commit (gateway/routes/submit.h).
//
// MFI referrals: each partner with an api_base_url gets a referral sender
// (gateway/partners/sender.h) on the outbox dispatcher, next to the SMS
// channels; its signatures use the App's clock.
//
// Background: the session janitor (PurgeSessions once a minute) and the
// loan scheduler (gateway/loan_jobs.h, at Start() and then every [loans]
// scheduler_interval_s) run on their own threads until Stop().
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
#include "gateway/app_metrics.h"
#include "gateway/dashboard/dashboard.h"
#include "gateway/http/metrics.h"
#include "gateway/http/server.h"
#include "gateway/loan_jobs.h"
#include "gateway/partners/sender.h"
#include "gateway/routes/channel_routes.h"
#include "gateway/routes/partner_routes.h"
#include "gateway/routes/submit.h"

namespace shg::gateway {

// Seconds since the epoch (the default Clock, routes/submit.h).
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
  http::Response Health(const http::Request& request);
  http::Response MetricsPage(const http::Request& request);
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
  ChannelRoutes::Adapters adapters_;
  std::vector<std::unique_ptr<partners::PartnerSender>> partner_senders_;
  std::unique_ptr<outbound::Dispatcher> dispatcher_;
  std::unique_ptr<http::Server> server_;

  http::Registry registry_;
  AppMetrics metrics_{registry_};
  RequestIds request_ids_;
  // The routes, over the parts above (built last by Create).
  std::unique_ptr<RouteEnv> route_env_;
  std::unique_ptr<ChannelRoutes> channel_routes_;
  std::unique_ptr<PartnerRoutes> partner_routes_;

  std::atomic<bool> janitor_stop_{false};
  std::thread janitor_;

  std::mutex scheduler_mu_;
  std::condition_variable scheduler_cv_;
  bool scheduler_stop_ = false;  // guarded by scheduler_mu_
  std::thread scheduler_;
};

}  // namespace shg::gateway
