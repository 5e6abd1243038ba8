#include "gateway/app.h"

#include <chrono>

#include "gateway/channels/africastalking/ussd.h"
#include "gateway/log.h"

namespace shg::gateway {
namespace {

constexpr char kRouteUssd[] = "ussd";

// Splits "/channels/{id}/{route}"; false if the path has another shape.
bool ParseChannelPath(std::string_view path, std::string_view* id, std::string_view* route) {
  constexpr std::string_view kPrefix = "/channels/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return false;
  path.remove_prefix(kPrefix.size());
  size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  *id = path.substr(0, slash);
  *route = path.substr(slash + 1);
  return !route->empty() && route->find('/') == std::string_view::npos;
}

}  // namespace

int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

App::App(const config::Settings& settings, std::string pepper, Clock clock)
    : settings_(settings),
      pins_(std::move(pepper)),
      clock_(std::move(clock)),
      request_prefix_(RandomHex(4) + "-") {
  requests_ = &registry_.AddCounter("shg_http_requests_total",
                                    "HTTP requests by channel, route and outcome.",
                                    {"channel", "route", "outcome"});
  ussd_steps_ = &registry_.AddCounter("shg_ussd_steps_total",
                                      "USSD steps by channel and kind (new, continued, duplicate, "
                                      "expired, unknown_phone, bad_phone).",
                                      {"channel", "kind"});
  pin_failures_ = &registry_.AddCounter("shg_pin_failures_total",
                                        "Wrong PINs entered, and whether the attempt locked the PIN.",
                                        {"channel", "locked"});
  timed_out_ = &registry_.AddCounter(
      "shg_ussd_sessions_timed_out_total",
      "USSD sessions that expired waiting for input (cut by the operator or abandoned), "
      "counted when purged, by channel and network.",
      {"channel", "network"});
  screen_cut_ = &registry_.AddCounter("shg_screen_overflow_total",
                                      "Screens cut at 160 characters (a catalogue defect).",
                                      {"channel"});
  ussd_latency_ = &registry_.AddHistogram(
      "shg_ussd_answer_seconds", "Time from USSD request parsed to answer ready (durable).",
      {"channel"}, {0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5});
  commit_latency_ = &registry_.AddHistogram(
      "shg_store_commit_seconds", "Duration of one group commit of the store writer.", {},
      {0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1});
  active_sessions_ = &registry_.AddGauge("shg_ussd_sessions_active",
                                         "USSD sessions not yet expired (refreshed by the janitor "
                                         "and on scrape).");
}

App::~App() { Stop(); }

Result<std::unique_ptr<App>> App::Create(const config::Settings& settings, std::string pepper,
                                         Clock clock) {
  std::unique_ptr<App> app(new App(settings, std::move(pepper), std::move(clock)));
  store::StoreOptions so;
  so.path = settings.db_path;
  so.synchronous = settings.synchronous;
  so.max_batch = settings.max_batch;
  auto store = store::Store::Open(so);
  if (!store.ok()) return store.status();
  app->store_ = std::move(*store);
  app->store_->set_commit_observer(
      [h = app->commit_latency_](double seconds, size_t) { h->Observe({}, seconds); });

  auto catalogue = dialogs::Catalogue::Load(settings.catalogue_dir, settings.languages);
  if (!catalogue.ok()) return catalogue.status();
  app->catalogue_ = std::make_unique<dialogs::Catalogue>(std::move(*catalogue));

  dialogs::EngineOptions eo;
  eo.session_timeout_s = settings.session_timeout_s;
  eo.max_amount_units = settings.max_amount_units;
  eo.default_language = settings.default_language;
  for (const auto& ch : settings.channels) eo.channel_country[ch.id] = ch.country;
  app->engine_ = std::make_unique<dialogs::Engine>(*app->catalogue_, app->pins_, std::move(eo));
  return app;
}

void App::Handle(http::Request&& request, http::Reply reply) {
  const std::string& path = request.path;
  if (path == "/healthz") {
    if (request.method != "GET") return reply(http::Response::Text(405, "use GET\n"));
    auto& conn = store_->Reader();
    auto ok = conn.Exec("SELECT 1");
    return reply(ok.ok() ? http::Response::Text(200, "ok\n")
                         : http::Response::Text(503, "store unavailable\n"));
  }
  if (path == "/metrics") {
    if (request.method != "GET") return reply(http::Response::Text(405, "use GET\n"));
    DomainContext ctx{&pins_, settings_.max_pin_failures, clock_()};
    Services svc(store_->Reader(), ctx);
    if (auto n = svc.ActiveSessionCount(); n.ok()) active_sessions_->Set(static_cast<double>(*n));
    http::Response r = http::Response::Text(200, registry_.Render());
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return reply(std::move(r));
  }
  std::string_view channel_id, route;
  if (!ParseChannelPath(path, &channel_id, &route)) {
    return reply(http::Response::Text(404, "no such route\n"));
  }
  const config::ChannelSettings* channel = nullptr;
  for (const auto& ch : settings_.channels) {
    if (ch.id == channel_id) channel = &ch;
  }
  if (channel == nullptr) {
    // Labels come from a closed set: a path is attacker-controlled.
    requests_->Inc({"unknown", route == kRouteUssd ? kRouteUssd : "other", "no_channel"});
    return reply(http::Response::Text(404, "unknown channel\n"));
  }
  if (route == kRouteUssd && channel->type == "africastalking") {
    if (request.method != "POST") {
      requests_->Inc({channel->id, kRouteUssd, "bad_method"});
      return reply(http::Response::Text(405, "use POST\n"));
    }
    return HandleUssd(*channel, std::move(request), std::move(reply));
  }
  requests_->Inc({channel->id, "other", "no_route"});
  return reply(http::Response::Text(404, "no such route for this channel\n"));
}

void App::HandleUssd(const config::ChannelSettings& channel, http::Request&& request,
                     http::Reply reply) {
  const auto started = std::chrono::steady_clock::now();
  if (!channels::CheckCallbackKey(request.query, channel.callback_key)) {
    requests_->Inc({channel.id, kRouteUssd, "forbidden"});
    return reply(http::Response::Text(403, "bad or missing callback key\n"));
  }
  auto parsed = channels::ParseAfricasTalkingUssd(channel.id, request.body);
  if (!parsed.ok()) {
    requests_->Inc({channel.id, kRouteUssd, "bad_request"});
    return reply(http::Response::Text(400, parsed.status().message() + "\n"));
  }
  // The job owns everything it needs: it runs on the writer thread, inside
  // the batch transaction, so the session and any money action it causes
  // commit together. The writer's connection keeps its page cache warm (a
  // reader's is dropped after every commit, and re-reading costs a system
  // call per page: measured slower, see the README).
  struct Job {
    UssdRequest req;
    Result<dialogs::StepResult> result = Status::Internal("not run");
  };
  auto job = std::make_shared<Job>();
  job->req = std::move(*parsed);
  job->req.request_id = request_prefix_ + std::to_string(++request_counter_);
  const int64_t now = clock_();
  store_->Submit(
      [this, job, now](store::Connection& conn) -> Status {
        DomainContext ctx{&pins_, settings_.max_pin_failures, now};
        Services svc(conn, ctx);
        job->result = engine_->Step(svc, job->req, now);
        return job->result.status();
      },
      [this, job, reply = std::move(reply), started](const Status& committed) {
        const std::string& ch = job->req.channel;
        UssdReply answer;
        if (committed.ok() && job->result.ok()) {
          const dialogs::StepResult& r = *job->result;
          answer = r.reply;
          ussd_steps_->Inc({ch, dialogs::StepKindName(r.kind)});
          if (r.pin_failed) pin_failures_->Inc({ch, r.pin_locked ? "true" : "false"});
          if (r.screen_cut) screen_cut_->Inc({ch});
          requests_->Inc({ch, kRouteUssd, "ok"});
        } else {
          // Rolled back: nothing was applied; the member is told so.
          Log("error", "ussd_step_failed",
              {{"channel", ch},
               {"status", committed.ok() ? job->result.status().ToString() : committed.ToString()}});
          answer = engine_->TechnicalError();
          requests_->Inc({ch, kRouteUssd, "error"});
        }
        ussd_latency_->Observe(
            {ch}, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        reply(http::Response::Text(200, channels::FormatAfricasTalkingUssd(answer)));
      });
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
  janitor_stop_ = false;
  janitor_ = std::thread([this] { JanitorLoop(); });
  Log("info", "listening", {{"address", settings_.listen_host + ":" + std::to_string(port())},
                            {"db", settings_.db_path},
                            {"synchronous", settings_.synchronous},
                            {"threads", std::to_string(settings_.threads)}});
  return Status::Ok();
}

uint16_t App::port() const { return server_ ? server_->port() : 0; }

void App::Stop() {
  if (server_) server_->Stop();
  janitor_stop_ = true;
  if (janitor_.joinable()) janitor_.join();
}

namespace {

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

Status App::PurgeSessions() {
  const int64_t now = clock_();
  std::vector<TimedOutSessions> timed_out;
  Status s = store_->Run([this, now, &timed_out](store::Connection& conn) -> Status {
    DomainContext ctx{&pins_, settings_.max_pin_failures, now};
    Services svc(conn, ctx);
    auto counted = svc.TimedOutSessionsToPurge();
    if (!counted.ok()) return counted.status();
    timed_out = std::move(*counted);
    auto purged = svc.PurgeExpiredSessions();
    if (!purged.ok()) return purged.status();
    auto active = svc.ActiveSessionCount();
    if (active.ok()) active_sessions_->Set(static_cast<double>(*active));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  for (const auto& t : timed_out) {
    timed_out_->Inc({t.channel, NetworkLabel(t.network)}, static_cast<double>(t.sessions));
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
    Status s = PurgeSessions();
    if (!s.ok()) Log("warn", "session_purge_failed", {{"status", s.ToString()}});
  }
}

}  // namespace shg::gateway
