#include "gateway/app.h"

#include <algorithm>
#include <chrono>

#include "config/programme.h"
#include "dialogs/dropped_actions.h"
#include "domain/messages.h"
#include "gateway/log.h"

namespace shg::gateway {
namespace {

int64_t NowMs() { return outbound::SystemNowMs(); }

// A network code as a metric label: MCC+MNC digits, or "other" (the field
// comes from the callback, so its values must not grow the label set).
std::string NetworkLabel(const std::string& network) {
  if (network.empty()) return "unknown";
  if (network.size() > 6) return "other";
  for (char c : network) {
    if (c < '0' || c > '9') return "other";
  }
  return network;
}

}  // namespace

dialogs::SmsRouting SmsRoutingFor(const config::Settings& settings) {
  dialogs::SmsRouting routing;
  for (const auto& ch : settings.channels) {
    if (ch.sends()) routing.by_country.try_emplace(ch.country, ch.id);  // the first per country
    if (!ch.sms_via.empty()) {
      routing.via[ch.id] = ch.sms_via;
    } else if (ch.sends()) {
      routing.via[ch.id] = ch.id;
    }
  }
  return routing;
}

int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

App::App(const config::Settings& settings, std::string pepper, Clock clock)
    : settings_(settings), pins_(std::move(pepper)), clock_(std::move(clock)) {}

App::~App() {
  Stop();
  // Jobs still queued finish (and answer) while the routes and the metrics
  // they use are alive.
  store_.reset();
}

Result<std::unique_ptr<App>> App::Create(const config::Settings& settings, std::string pepper,
                                         Clock clock) {
  std::unique_ptr<App> app(new App(settings, std::move(pepper), std::move(clock)));
  auto so = config::LoadStoreOptions(settings);
  if (!so.ok()) return so.status();
  auto store = store::Store::Open(*so);
  if (!store.ok()) return store.status();
  app->store_ = std::move(*store);
  app->store_->set_commit_observer(
      [h = &app->metrics_.commit_latency](double seconds, size_t) { h->Observe({}, seconds); });

  auto catalogue = dialogs::Catalogue::Load(settings.catalogue_dir, settings.languages);
  if (!catalogue.ok()) return catalogue.status();
  app->catalogue_ = std::make_unique<dialogs::Catalogue>(std::move(*catalogue));
  // A purpose without a label would show its bare id on the member's screen.
  const std::vector<std::string> keys = app->catalogue_->Keys();
  for (const std::string& purpose : settings.loan_purposes) {
    if (std::find(keys.begin(), keys.end(), "purpose_" + purpose) == keys.end()) {
      return Status::InvalidArgument("loan purpose '" + purpose + "' has no label purpose_" +
                                     purpose + " in the " + settings.languages.front() +
                                     " catalogue");
    }
  }

  // A fine kind without a label would show its bare id (issue 11).
  for (const auto& kind : settings.fine_kinds) {
    if (std::find(keys.begin(), keys.end(), "fine_kind_" + kind.id) == keys.end()) {
      return Status::InvalidArgument("fine kind '" + kind.id + "' has no label fine_kind_" +
                                     kind.id + " in the " + settings.languages.front() +
                                     " catalogue");
    }
  }

  app->programme_ = config::LoanProgrammeFrom(settings);

  std::vector<const channels::Adapter*> senders;
  for (const auto& ch : settings.channels) {
    auto adapter = channels::MakeAdapter(ch);
    if (!adapter.ok()) return adapter.status();
    if (ch.sends()) senders.push_back(adapter->get());
    app->adapters_.emplace(ch.id, std::move(*adapter));
  }
  // Referrals go out through the outbox like SMS, one channel per partner.
  for (const auto& partner : settings.mfi_partners) {
    if (partner.api_base_url.empty()) continue;
    auto sender = std::make_unique<partners::PartnerSender>(
        partner, [clock = app->clock_] { return clock(); });
    senders.push_back(sender.get());
    app->partner_senders_.push_back(std::move(sender));
  }
  dialogs::SmsRouting routing = SmsRoutingFor(settings);
  app->notifier_ = std::make_unique<dialogs::Notifier>(*app->catalogue_, std::move(routing),
                                                       settings.default_language);

  dialogs::EngineOptions eo;
  eo.session_timeout_s = settings.session_timeout_s;
  eo.resume_window_s = settings.resume_window_s;
  eo.max_amount_units = settings.max_amount_units;
  eo.default_language = settings.default_language;
  eo.loans = &app->programme_;
  // Fine kinds of Record fine (issue 11), in configuration order.
  for (const auto& kind : settings.fine_kinds) {
    eo.fine_kinds.push_back(dialogs::FineKindOption{kind.id, kind.amount_units});
  }
  dialogs::SmsCommandOptions so_sms;
  so_sms.max_amount_units = settings.max_amount_units;
  so_sms.default_language = settings.default_language;
  so_sms.loans = &app->programme_;
  for (const auto& ch : settings.channels) {
    eo.channel_country[ch.id] = ch.country;
    so_sms.channel_country[ch.id] = ch.country;
    so_sms.channel_service_code[ch.id] = ch.service_code;
  }
  // SMS texts name a USSD code members can dial: the first configured one.
  for (const auto& ch : settings.channels) {
    if (!ch.service_code.empty()) {
      for (const auto& other : settings.channels) {
        if (so_sms.channel_service_code[other.id].empty()) {
          so_sms.channel_service_code[other.id] = ch.service_code;
        }
      }
      break;
    }
  }
  app->service_codes_ = so_sms.channel_service_code;
  app->engine_ = std::make_unique<dialogs::Engine>(*app->catalogue_, app->pins_, std::move(eo),
                                                   app->notifier_.get());
  app->sms_commands_ =
      std::make_unique<dialogs::SmsCommands>(*app->catalogue_, *app->notifier_, std::move(so_sms));

  api::ApiDeps deps;
  deps.store = app->store_.get();
  deps.settings = &app->settings_;
  deps.pins = &app->pins_;
  deps.programme = &app->programme_;
  deps.notifier = app->notifier_.get();
  deps.clock = app->clock_;
  deps.request_id = [a = app.get()] { return a->request_ids_.Next(); };
  deps.wake_outbox = [a = app.get()] { a->Wake(); };
  app->dashboard_ = std::make_unique<dashboard::Dashboard>(deps);
  app->api_ = std::make_unique<api::StaffApi>(std::move(deps));

  app->dispatcher_ = std::make_unique<outbound::Dispatcher>(*app->store_, std::move(senders),
                                                            settings.outbox);
  app->dispatcher_->set_observer(
      [sends = &app->metrics_.sends, latency = &app->metrics_.send_latency](
          const std::string& channel, const std::string& outcome, double seconds) {
        sends->Inc({channel, outcome});
        if (seconds > 0) latency->Observe({channel}, seconds);
      });

  app->route_env_ = std::make_unique<RouteEnv>(RouteEnv{
      app->settings_, app->pins_, app->clock_, *app->store_, app->metrics_, app->programme_,
      *app->notifier_, *app->engine_, *app->sms_commands_, *app->dispatcher_, app->request_ids_});
  app->channel_routes_ = std::make_unique<ChannelRoutes>(*app->route_env_, app->adapters_);
  app->partner_routes_ = std::make_unique<PartnerRoutes>(*app->route_env_);
  return app;
}

void App::Wake() {
  if (dispatcher_) dispatcher_->Wake();
}

void App::RefreshOutboxGauges() {
  Messages messages(store_->Reader(), NowMs());
  auto stats = messages.Stats();
  if (!stats.ok()) return;
  const int64_t now = NowMs();
  // Every sending channel gets a series, 0 when nothing waits.
  for (const auto& [id, adapter] : adapters_) {
    if (!adapter->settings().sends()) continue;
    double queued = 0, oldest = 0;
    for (const QueueStats& q : *stats) {
      if (q.channel != id) continue;
      queued = static_cast<double>(q.queued);
      oldest = q.oldest_queued_ms > 0 ? static_cast<double>(now - q.oldest_queued_ms) / 1000.0 : 0;
    }
    metrics_.outbox_queued.Set({id}, queued);
    metrics_.outbox_oldest.Set({id}, oldest);
  }
}

void App::Handle(http::Request&& request, http::Reply reply) {
  const std::string& path = request.path;
  if (path == "/healthz") return reply(Health(request));
  if (path == "/metrics") return reply(MetricsPage(request));
  if (path.rfind("/partners/", 0) == 0) {
    return partner_routes_->Handle(std::move(request), std::move(reply));
  }
  if (path.rfind("/channels/", 0) == 0) {
    return channel_routes_->Handle(std::move(request), std::move(reply));
  }
  if (path.rfind("/api/", 0) == 0) return api_->Handle(std::move(request), std::move(reply));
  if (path == "/staff" || path.rfind("/staff/", 0) == 0) {
    return dashboard_->Handle(std::move(request), std::move(reply));
  }
  reply(http::Response::Text(404, "no such route\n"));
}

http::Response App::Health(const http::Request& request) {
  if (request.method != "GET") return http::Response::Text(405, "use GET\n");
  auto ok = store_->Reader().Exec("SELECT 1");
  return ok.ok() ? http::Response::Text(200, "ok\n")
                 : http::Response::Text(503, "store unavailable\n");
}

http::Response App::MetricsPage(const http::Request& request) {
  if (request.method != "GET") return http::Response::Text(405, "use GET\n");
  DomainContext ctx{&pins_, settings_.max_pin_failures, clock_()};
  Services svc(store_->Reader(), ctx);
  if (auto n = svc.ActiveSessionCount(); n.ok()) {
    metrics_.active_sessions.Set(static_cast<double>(*n));
  }
  RefreshOutboxGauges();
  const store::StoreCounters sc = store_->counters();
  metrics_.store_jobs.Set({"run"}, static_cast<double>(sc.jobs));
  metrics_.store_jobs.Set({"retried"}, static_cast<double>(sc.retries));
  metrics_.store_jobs.Set({"gave_up"}, static_cast<double>(sc.gave_up));
  metrics_.store_pool_waits.Set({}, static_cast<double>(sc.pool_waits));
  metrics_.store_pool_wait_s.Set({}, sc.pool_wait_seconds);
  http::Response r = http::Response::Text(200, registry_.Render());
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

Status App::Start() {
  http::ServerOptions so;
  so.host = settings_.listen_host;
  so.port = settings_.listen_port;
  so.threads = settings_.threads;
  so.body_limit = settings_.body_limit;
  so.read_timeout = std::chrono::milliseconds(settings_.read_timeout_ms);
  so.write_timeout = std::chrono::milliseconds(settings_.write_timeout_ms);
  server_ = std::make_unique<http::Server>(
      so, [this](http::Request&& req, http::Reply reply) { Handle(std::move(req), std::move(reply)); });
  SHG_RETURN_IF_ERROR(server_->Start());
  dispatcher_->Start();
  janitor_stop_ = false;
  janitor_ = std::thread([this] { JanitorLoop(); });
  {
    std::lock_guard<std::mutex> lock(scheduler_mu_);
    scheduler_stop_ = false;
  }
  scheduler_ = std::thread([this] { SchedulerLoop(); });
  if (settings_.store_backend == "postgresql") {
    Log("info", "listening", {{"address", settings_.listen_host + ":" + std::to_string(port())},
                              {"store", "postgresql"},
                              {"db", config::DatabaseName(settings_)},
                              {"pool", std::to_string(settings_.store_pool_size)},
                              {"threads", std::to_string(settings_.threads)}});
  } else {
    Log("info", "listening", {{"address", settings_.listen_host + ":" + std::to_string(port())},
                              {"db", config::DatabaseName(settings_)},
                              {"synchronous", settings_.synchronous},
                              {"threads", std::to_string(settings_.threads)}});
  }
  return Status::Ok();
}

uint16_t App::port() const { return server_ ? server_->port() : 0; }

void App::Stop() {
  if (server_) server_->Stop();
  {
    std::lock_guard<std::mutex> lock(scheduler_mu_);
    scheduler_stop_ = true;
  }
  scheduler_cv_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
  if (dispatcher_) dispatcher_->Stop();
  janitor_stop_ = true;
  if (janitor_.joinable()) janitor_.join();
}

Status App::PurgeSessions() {
  const int64_t now = clock_();
  std::vector<TimedOutSessions> timed_out;
  bool wake_after = false;
  Status s = store_->Run([this, now, &timed_out, &wake_after](store::Connection& conn) -> Status {
    DomainContext ctx{&pins_, settings_.max_pin_failures, now};
    Services svc(conn, ctx);
    // Expired sessions are kept for the resume window (resume after a drop).
    auto counted = svc.TimedOutSessionsToPurge(settings_.resume_window_s);
    if (!counted.ok()) return counted.status();
    timed_out = std::move(*counted);
    // A save or loan request cut at its confirmation and never resumed is
    // told to her before its session goes (same transaction: told once).
    Messages messages(conn, NowMs());
    auto told = dialogs::NotifyDroppedActions(*notifier_, svc, messages, service_codes_,
                                              settings_.resume_window_s);
    if (!told.ok()) return told.status();
    if (*told > 0) wake_after = true;
    auto purged = svc.PurgeExpiredSessions(settings_.resume_window_s);
    if (!purged.ok()) return purged.status();
    auto active = svc.ActiveSessionCount();
    if (active.ok()) metrics_.active_sessions.Set(static_cast<double>(*active));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (wake_after) Wake();
  for (const auto& t : timed_out) {
    metrics_.timed_out.Inc({t.channel, NetworkLabel(t.network)}, static_cast<double>(t.sessions));
  }
  return Status::Ok();
}

void App::JanitorLoop() {
  // Expired sessions are purged once a minute; the loop wakes often so that
  // Stop() is prompt.
  int ticks = 0;
  while (!janitor_stop_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (++ticks < 300) continue;
    ticks = 0;
    // Once across instances sharing a database (see Store::HoldsRole).
    if (!store_->HoldsRole("session-janitor")) continue;
    Status s = PurgeSessions();
    if (!s.ok()) Log("warn", "session_purge_failed", {{"status", s.ToString()}});
  }
}

Result<LoanSchedulerSummary> App::RunLoanScheduler() {
  auto summary = gateway::RunLoanScheduler(*store_, programme_, notifier_.get(), clock_());
  if (!summary.ok()) {
    metrics_.scheduler_runs.Inc({"error"});
    return summary;
  }
  metrics_.scheduler_runs.Inc({"ok"});
  const LoanSchedulerSummary& s = *summary;
  if (s.expired > 0) metrics_.scheduler_changes.Inc({"expired"}, s.expired);
  if (s.in_arrears > 0) metrics_.scheduler_changes.Inc({"in_arrears"}, s.in_arrears);
  if (s.notices > 0 || s.reminders > 0) Wake();
  if (s.expired > 0 || s.in_arrears > 0) {
    Log("info", "loan_scheduler",
        {{"expired", std::to_string(s.expired)},
         {"in_arrears", std::to_string(s.in_arrears)},
         {"reminders", std::to_string(s.reminders)},
         {"notices", std::to_string(s.notices)}});
  }
  return summary;
}

void App::SchedulerLoop() {
  const auto interval = std::chrono::seconds(settings_.loans.scheduler_interval_s);
  std::unique_lock<std::mutex> lock(scheduler_mu_);
  while (!scheduler_stop_) {
    lock.unlock();
    // One tick across instances: the others wait for the holder to go.
    if (store_->HoldsRole("loan-scheduler")) {
      auto run = RunLoanScheduler();
      if (!run.ok()) Log("warn", "loan_scheduler_failed", {{"status", run.status().ToString()}});
    }
    lock.lock();
    scheduler_cv_.wait_for(lock, interval, [this] { return scheduler_stop_; });
  }
}

}  // namespace shg::gateway
