#include "gateway/app.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "config/programme.h"
#include "dialogs/dropped_actions.h"
#include "dialogs/loan_notices.h"
#include "domain/json.h"
#include "domain/messages.h"
#include "domain/phone.h"
#include "gateway/log.h"
#include "gateway/partners/callbacks.h"
#include "gateway/partners/signature.h"

namespace shg::gateway {
namespace {

constexpr char kRouteUssd[] = "ussd";
constexpr char kRouteUssdEnd[] = "ussd-end";
constexpr char kRouteSms[] = "sms";
constexpr char kRouteStatus[] = "status";

// A route as a metric label, from a closed set.
const char* RouteLabel(std::string_view route) {
  for (const char* r : {kRouteUssd, kRouteUssdEnd, kRouteSms, kRouteStatus}) {
    if (route == r) return r;
  }
  return "other";
}

int64_t NowMs() { return outbound::SystemNowMs(); }

ReportedState ToReportedState(channels::DeliveryState s) {
  switch (s) {
    case channels::DeliveryState::kSent: return ReportedState::kSent;
    case channels::DeliveryState::kBuffered: return ReportedState::kBuffered;
    case channels::DeliveryState::kDelivered: return ReportedState::kDelivered;
    case channels::DeliveryState::kFailed: return ReportedState::kFailed;
  }
  return ReportedState::kSent;
}

const char* MatchName(ReportMatch m) {
  switch (m) {
    case ReportMatch::kApplied: return "applied";
    case ReportMatch::kStale: return "stale";
    case ReportMatch::kUnknown: return "unknown";
  }
  return "unknown";
}

constexpr char kEventDecision[] = "decision";
constexpr char kEventDisbursement[] = "disbursement";
constexpr char kEventRepayments[] = "repayments";

// A partner callback's event as a metric label, from a closed set.
const char* PartnerEventLabel(std::string_view event) {
  for (const char* e : {kEventDecision, kEventDisbursement, kEventRepayments}) {
    if (event == e) return e;
  }
  return "other";
}

// Splits "/partners/{partner_id}/loans/{reference}/{event}"; false if the
// path has another shape.
bool ParsePartnerPath(std::string_view path, std::string_view* partner,
                      std::string_view* reference, std::string_view* event) {
  constexpr std::string_view kPrefix = "/partners/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return false;
  path.remove_prefix(kPrefix.size());
  std::string_view parts[4];
  for (int i = 0; i < 4; ++i) {
    size_t slash = path.find('/');
    if (i == 3) {
      if (slash != std::string_view::npos) return false;
      parts[i] = path;
    } else {
      if (slash == std::string_view::npos) return false;
      parts[i] = path.substr(0, slash);
      path.remove_prefix(slash + 1);
    }
    if (parts[i].empty()) return false;
  }
  if (parts[1] != "loans") return false;
  *partner = parts[0];
  *reference = parts[2];
  *event = parts[3];
  return true;
}

http::Response JsonAnswer(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  r.body += '\n';
  return r;
}

http::Response JsonError(int status, std::string_view error) {
  return JsonAnswer(status, "{\"error\":" + JsonQuote(error) + "}");
}

// A loan reference as it may appear in a path: short and alphanumeric (it
// is logged, so nothing else gets through).
bool IsReferenceLike(std::string_view s) {
  if (s.empty() || s.size() > 16) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      return false;
    }
  }
  return true;
}

// One partner callback, parsed and authenticated, and what recording it did.
struct PartnerJob {
  std::string partner_id;
  std::string reference;  // from the path
  const char* event = "";
  std::string request_id;
  partners::DecisionCallback decision;
  partners::DisbursementCallback disbursement;
  partners::RepaymentCallback repayment;
  // Results, written on the writer thread before `done` runs.
  std::string loan_reference;
  std::string state;  // after the event (ok) or as it is (conflict)
  bool changed = false;
  int sms = 0;
};

// Records the event and queues the member's SMS, in the caller's unit of
// work. The domain's Status is the answer (see App).
Status ApplyPartnerEvent(PartnerJob& job, Loans& loans, Services& services, Messages& messages,
                         const dialogs::Notifier& notifier, const LoanProgramme& programme) {
  const Actor actor{"partner", job.partner_id, "partner-api", job.request_id};
  const std::string_view event = job.event;
  const std::string& currency = event == kEventDecision       ? job.decision.currency
                                : event == kEventDisbursement ? job.disbursement.currency
                                                              : job.repayment.currency;
  if (!currency.empty()) {
    auto loan = loans.PartnerLoan(job.partner_id, job.reference);
    if (!loan.ok()) return loan.status();
    if (loan->currency != currency) return Status::InvalidArgument("currency is not the loan's");
  }
  LoanChange change;
  if (event == kEventDecision) {
    auto c =
        loans.RecordPartnerDecision(job.partner_id, job.reference, job.decision.decision, actor);
    if (!c.ok()) return c.status();
    change = std::move(*c);
  } else if (event == kEventDisbursement) {
    const partners::DisbursementCallback& d = job.disbursement;
    auto c = loans.RecordDisbursement(job.partner_id, job.reference, d.amount, d.disbursed_at,
                                      d.transaction_id, actor);
    if (!c.ok()) return c.status();
    change = std::move(*c);
  } else {
    const partners::RepaymentCallback& r = job.repayment;
    auto c = loans.RecordPartnerRepayment(job.partner_id, job.reference, r.payment_id, r.amount,
                                          r.paid_at, actor, r.claim_reference);
    if (!c.ok()) return c.status();
    if (c->loan.changed) {
      auto id = dialogs::SendRepaymentNotice(notifier, messages, services, "", *c);
      if (!id.ok()) return id.status();
      if (*id != 0) ++job.sms;
    }
    change = std::move(c->loan);
  }
  job.changed = change.changed;
  job.state = LoanStateName(change.loan.state);
  job.loan_reference = change.loan.reference;
  auto queued = dialogs::SendLoanNotices(notifier, messages, services, "", change, &programme);
  if (!queued.ok()) return queued.status();
  job.sms += *queued;
  return Status::Ok();
}

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
  ussd_ends_ = &registry_.AddCounter("shg_ussd_session_end_total",
                                     "End-of-session notifications from providers, by status "
                                     "(success, incomplete, failed, release, timeout).",
                                     {"channel", "status"});
  sms_inbound_ = &registry_.AddCounter(
      "shg_sms_inbound_total",
      "Inbound SMS by outcome (balance, save, help, loan, unknown, duplicate, unregistered...).",
      {"channel", "outcome"});
  reports_ = &registry_.AddCounter(
      "shg_delivery_reports_total",
      "Delivery reports by state and match (applied, stale = already final, unknown = no such "
      "message yet).",
      {"channel", "state", "match"});
  sends_ = &registry_.AddCounter("shg_sms_sends_total",
                                 "SMS send attempts by outcome (accepted, permanent, retryable, "
                                 "throttled, gave_up).",
                                 {"channel", "outcome"});
  send_latency_ = &registry_.AddHistogram(
      "shg_sms_send_seconds", "Duration of one send request to the provider.", {"channel"},
      {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30});
  outbox_queued_ = &registry_.AddLabeledGauge(
      "shg_outbox_queued", "Messages queued or being sent (refreshed on scrape).", {"channel"});
  outbox_oldest_ = &registry_.AddLabeledGauge(
      "shg_outbox_oldest_queued_seconds",
      "Age of the oldest message still queued or being sent (refreshed on scrape).", {"channel"});
  partner_callbacks_ = &registry_.AddCounter(
      "shg_partner_callbacks_total",
      "MFI partner callbacks by partner (configured id, or unknown), event (decision, "
      "disbursement, repayments, other) and outcome (ok, replay, bad_request, unauthenticated, "
      "unknown_partner, unknown_loan, conflict, bad_method, no_route, unavailable, error).",
      {"partner", "event", "outcome"});
  scheduler_runs_ = &registry_.AddCounter("shg_loan_scheduler_runs_total",
                                          "Runs of the loan scheduler by outcome (ok, error).",
                                          {"outcome"});
  scheduler_changes_ = &registry_.AddCounter(
      "shg_loan_scheduler_changes_total",
      "Loans the scheduler moved to expired or in_arrears, by change.",
      {"change"});
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
  // A purpose without a label would show its bare id on the member's screen.
  const std::vector<std::string> keys = app->catalogue_->Keys();
  for (const std::string& purpose : settings.loan_purposes) {
    if (std::find(keys.begin(), keys.end(), "purpose_" + purpose) == keys.end()) {
      return Status::InvalidArgument("loan purpose '" + purpose + "' has no label purpose_" +
                                     purpose + " in the " + settings.languages.front() +
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
  deps.request_id = [a = app.get()] {
    return a->request_prefix_ + std::to_string(++a->request_counter_);
  };
  deps.wake_outbox = [a = app.get()] { a->Wake(); };
  app->dashboard_ = std::make_unique<dashboard::Dashboard>(deps);
  app->api_ = std::make_unique<api::StaffApi>(std::move(deps));

  app->dispatcher_ = std::make_unique<outbound::Dispatcher>(*app->store_, std::move(senders),
                                                            settings.outbox);
  app->dispatcher_->set_observer(
      [sends = app->sends_, latency = app->send_latency_](
          const std::string& channel, const std::string& outcome, double seconds) {
        sends->Inc({channel, outcome});
        if (seconds > 0) latency->Observe({channel}, seconds);
      });
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
    outbox_queued_->Set({id}, queued);
    outbox_oldest_->Set({id}, oldest);
  }
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
    RefreshOutboxGauges();
    http::Response r = http::Response::Text(200, registry_.Render());
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return reply(std::move(r));
  }
  if (path.rfind("/partners/", 0) == 0) return HandlePartner(std::move(request), std::move(reply));
  if (path.rfind("/api/", 0) == 0) return api_->Handle(std::move(request), std::move(reply));
  if (path == "/staff" || path.rfind("/staff/", 0) == 0) {
    return dashboard_->Handle(std::move(request), std::move(reply));
  }
  std::string_view channel_id, route;
  if (!ParseChannelPath(path, &channel_id, &route)) {
    return reply(http::Response::Text(404, "no such route\n"));
  }
  auto found = adapters_.find(channel_id);
  if (found == adapters_.end()) {
    // Labels come from a closed set: a path is attacker-controlled.
    requests_->Inc({"unknown", RouteLabel(route), "no_channel"});
    return reply(http::Response::Text(404, "unknown channel\n"));
  }
  const channels::Adapter& adapter = *found->second;
  const std::string& id = adapter.id();
  const char* label = RouteLabel(route);
  if (std::string_view(label) == "other") {
    requests_->Inc({id, label, "no_route"});
    return reply(http::Response::Text(404, "no such route for this channel\n"));
  }
  const bool get_allowed = route == kRouteSms || route == kRouteStatus;  // Kannel uses GET
  if (request.method != "POST" && !(get_allowed && request.method == "GET")) {
    requests_->Inc({id, label, "bad_method"});
    return reply(http::Response::Text(405, get_allowed ? "use POST or GET\n" : "use POST\n"));
  }
  if (!adapter.Authenticate(request)) {
    requests_->Inc({id, label, "forbidden"});
    return reply(http::Response::Text(403, "callback authentication failed\n"));
  }
  if (route == kRouteUssd || route == kRouteUssdEnd) {
    return HandleUssd(adapter, std::move(request), std::move(reply), route == kRouteUssdEnd);
  }
  if (route == kRouteSms) return HandleSms(adapter, std::move(request), std::move(reply));
  return HandleStatus(adapter, std::move(request), std::move(reply));
}

void App::HandleUssd(const channels::Adapter& adapter, http::Request&& request, http::Reply reply,
                     bool end_route) {
  const auto started = std::chrono::steady_clock::now();
  const std::string& id = adapter.id();
  const char* route = end_route ? kRouteUssdEnd : kRouteUssd;
  auto parsed = adapter.ParseUssd(request, end_route);
  if (!parsed.ok()) {
    bool none = parsed.status().code() == Status::Code::kNotFound;
    requests_->Inc({id, route, none ? "no_route" : "bad_request"});
    return reply(http::Response::Text(none ? 404 : 400, parsed.status().message() + "\n"));
  }
  if (parsed->kind == channels::UssdCallback::Kind::kEnded) {
    // The session stays as it is: a session cut mid-action can be resumed,
    // one that ended normally was marked ended by the dialog.
    static const std::set<std::string> kStatuses = {"success", "incomplete", "failed", "release",
                                                    "timeout"};
    ussd_ends_->Inc({id, kStatuses.count(parsed->end_status) ? parsed->end_status : "other"});
    requests_->Inc({id, route, "ok"});
    return reply(adapter.FormatUssd(*parsed, UssdReply{}));
  }
  // The job owns everything it needs: it runs on the writer thread, inside
  // the batch transaction, so the session, any money action and the SMS it
  // causes commit together. The writer's connection keeps its page cache
  // warm (a reader's is dropped after every commit, and re-reading costs a
  // system call per page: measured slower, see the README).
  struct Job {
    channels::UssdCallback callback;
    Result<dialogs::StepResult> result = Status::Internal("not run");
  };
  auto job = std::make_shared<Job>();
  job->callback = std::move(*parsed);
  job->callback.request.request_id = request_prefix_ + std::to_string(++request_counter_);
  const int64_t now = clock_();
  store_->Submit(
      [this, job, now](store::Connection& conn) -> Status {
        DomainContext ctx{&pins_, settings_.max_pin_failures, now};
        Services svc(conn, ctx);
        Messages messages(conn, NowMs());
        job->result = engine_->Step(svc, &messages, job->callback.request, now);
        return job->result.status();
      },
      [this, job, &adapter, reply = std::move(reply), started](const Status& committed) {
        const std::string& ch = adapter.id();
        UssdReply answer;
        if (committed.ok() && job->result.ok()) {
          const dialogs::StepResult& r = *job->result;
          answer = r.reply;
          ussd_steps_->Inc({ch, dialogs::StepKindName(r.kind)});
          if (r.pin_failed) pin_failures_->Inc({ch, r.pin_locked ? "true" : "false"});
          if (r.screen_cut) screen_cut_->Inc({ch});
          if (r.sms_queued) Wake();
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
        reply(adapter.FormatUssd(job->callback, answer));
      });
}

void App::HandleSms(const channels::Adapter& adapter, http::Request&& request, http::Reply reply) {
  const std::string& id = adapter.id();
  auto parsed = adapter.ParseInboundSms(request);
  if (!parsed.ok()) {
    bool none = parsed.status().code() == Status::Code::kNotFound;
    requests_->Inc({id, kRouteSms, none ? "no_route" : "bad_request"});
    return reply(http::Response::Text(none ? 404 : 400, parsed.status().message() + "\n"));
  }
  struct Job {
    dialogs::InboundSmsEvent event;
    Result<dialogs::SmsOutcome> result = Status::Internal("not run");
  };
  auto job = std::make_shared<Job>();
  job->event.channel = id;
  job->event.provider_id = std::move(parsed->provider_id);
  job->event.from = std::move(parsed->from);
  job->event.text = std::move(parsed->text);
  job->event.request_id = request_prefix_ + std::to_string(++request_counter_);
  const int64_t now = clock_();
  store_->Submit(
      [this, job, now](store::Connection& conn) -> Status {
        DomainContext ctx{&pins_, settings_.max_pin_failures, now};
        Services svc(conn, ctx);
        Messages messages(conn, NowMs());
        job->result = sms_commands_->Handle(svc, messages, job->event);
        return job->result.status();
      },
      [this, job, &adapter, reply = std::move(reply)](const Status& committed) {
        const std::string& ch = adapter.id();
        if (committed.ok() && job->result.ok()) {
          sms_inbound_->Inc({ch, dialogs::SmsOutcomeName(*job->result)});
          requests_->Inc({ch, kRouteSms, "ok"});
          Wake();
          return reply(adapter.InboundSmsAck());
        }
        // Nothing was recorded: a 503 makes the provider retry (AT retries
        // every minute for hours), and the retry is processed once.
        Log("error", "sms_inbound_failed",
            {{"channel", ch},
             {"status", committed.ok() ? job->result.status().ToString() : committed.ToString()}});
        requests_->Inc({ch, kRouteSms, "error"});
        reply(http::Response::Text(503, "temporarily unavailable, retry later\n"));
      });
}

void App::HandleStatus(const channels::Adapter& adapter, http::Request&& request,
                       http::Reply reply) {
  const std::string& id = adapter.id();
  auto parsed = adapter.ParseStatus(request);
  if (!parsed.ok()) {
    bool none = parsed.status().code() == Status::Code::kNotFound;
    requests_->Inc({id, kRouteStatus, none ? "no_route" : "bad_request"});
    return reply(http::Response::Text(none ? 404 : 400, parsed.status().message() + "\n"));
  }
  struct Job {
    std::vector<channels::DeliveryReport> reports;
    std::vector<ReportMatch> matches;
  };
  auto job = std::make_shared<Job>();
  job->reports = std::move(*parsed);
  store_->Submit(
      [job, id](store::Connection& conn) -> Status {
        Messages messages(conn, NowMs());
        job->matches.clear();
        for (const auto& r : job->reports) {
          auto match = messages.ApplyReport(id, r.message_id, r.provider_message_id,
                                            ToReportedState(r.state), r.provider_status, r.reason);
          if (!match.ok()) return match.status();
          job->matches.push_back(*match);
        }
        return Status::Ok();
      },
      [this, job, &adapter, reply = std::move(reply)](const Status& committed) {
        const std::string& ch = adapter.id();
        if (!committed.ok()) {
          Log("error", "delivery_report_failed", {{"channel", ch}, {"status", committed.ToString()}});
          requests_->Inc({ch, kRouteStatus, "error"});
          return reply(http::Response::Text(503, "temporarily unavailable, retry later\n"));
        }
        for (size_t i = 0; i < job->reports.size() && i < job->matches.size(); ++i) {
          reports_->Inc({ch, channels::DeliveryStateName(job->reports[i].state),
                         MatchName(job->matches[i])});
        }
        requests_->Inc({ch, kRouteStatus, "ok"});
        // Unknown ids get 200 too (providers.md): the report is kept.
        reply(http::Response::Text(200, ""));
      });
}

void App::HandlePartner(http::Request&& request, http::Reply reply) {
  std::string_view partner_in_path, reference, event_in_path;
  if (!ParsePartnerPath(request.path, &partner_in_path, &reference, &event_in_path)) {
    partner_callbacks_->Inc({"unknown", "other", "no_route"});
    return reply(JsonError(404, "no such route"));
  }
  const config::MfiPartnerSettings* partner = nullptr;
  for (const auto& p : settings_.mfi_partners) {
    if (p.id == partner_in_path) partner = &p;
  }
  // Labels come from closed sets: the path is the caller's.
  const std::string partner_label = partner != nullptr ? partner->id : "unknown";
  const char* event = PartnerEventLabel(event_in_path);
  auto count = [counter = partner_callbacks_, partner_label, event](const char* outcome) {
    counter->Inc({partner_label, event, outcome});
  };
  if (std::string_view(event) == "other") {
    count("no_route");
    return reply(JsonError(404, "no such route"));
  }
  if (request.method != "POST") {
    count("bad_method");
    return reply(JsonError(405, "use POST"));
  }
  // A partner without a secret has no API: staff record its events (CLI).
  if (partner == nullptr || partner->secret.empty()) {
    count("unknown_partner");
    return reply(JsonError(404, "unknown partner"));
  }
  const int64_t now = clock_();
  // Header names arrive lower-cased (http::Request).
  Status auth = partners::Verify(partner->secret, request.Header("x-shg-timestamp"),
                                 request.Header("x-shg-signature"), request.body, now,
                                 settings_.loans.partner_replay_window_s);
  if (!auth.ok()) {
    count("unauthenticated");
    Log("warn", "partner_callback_refused",
        {{"partner", partner->id}, {"event", event}, {"reason", auth.message()}});
    return reply(JsonError(401, auth.message()));
  }
  if (!IsReferenceLike(reference)) {
    count("unknown_loan");
    return reply(JsonError(404, "unknown loan"));
  }
  auto job = std::make_shared<PartnerJob>();
  job->partner_id = partner->id;
  job->reference = std::string(reference);
  job->event = event;
  job->request_id = request_prefix_ + std::to_string(++request_counter_);
  Status parsed;
  if (job->event == std::string_view(kEventDecision)) {
    auto d = partners::ParseDecision(request.body);
    if (d.ok()) job->decision = std::move(*d);
    parsed = d.status();
  } else if (job->event == std::string_view(kEventDisbursement)) {
    auto d = partners::ParseDisbursement(request.body, now);
    if (d.ok()) job->disbursement = std::move(*d);
    parsed = d.status();
  } else {
    auto r = partners::ParseRepayment(request.body, now);
    if (r.ok()) job->repayment = std::move(*r);
    parsed = r.status();
  }
  if (!parsed.ok()) {
    count("bad_request");
    return reply(JsonError(400, parsed.message()));
  }
  store_->Submit(
      [this, job, now](store::Connection& conn) -> Status {
        DomainContext ctx{&pins_, settings_.max_pin_failures, now};
        Loans loans(conn, ctx, programme_);
        Services services(conn, ctx);
        Messages messages(conn, NowMs());
        Status s = ApplyPartnerEvent(*job, loans, services, messages, *notifier_, programme_);
        if (s.code() == Status::Code::kFailedPrecondition) {
          // Nothing was written (the domain's savepoint): the state as it is.
          auto loan = loans.PartnerLoan(job->partner_id, job->reference);
          if (loan.ok()) job->state = LoanStateName(loan->state);
        }
        return s;
      },
      [this, job, count, reply = std::move(reply)](const Status& committed) {
        if (committed.ok()) {
          count(job->changed ? "ok" : "replay");
          if (job->sms > 0) Wake();
          Log("info", "partner_callback",
              {{"partner", job->partner_id},
               {"event", job->event},
               {"loan", job->loan_reference},
               {"state", job->state},
               {"changed", job->changed ? "true" : "false"},
               {"request", job->request_id}});
          return reply(JsonAnswer(200, "{\"reference\":" + JsonQuote(job->loan_reference) +
                                           ",\"state\":" + JsonQuote(job->state) +
                                           ",\"changed\":" + (job->changed ? "true" : "false") +
                                           "}"));
        }
        switch (committed.code()) {
          case Status::Code::kInvalidArgument:
            count("bad_request");
            return reply(JsonError(400, committed.message()));
          case Status::Code::kNotFound:
            count("unknown_loan");
            return reply(JsonError(404, "unknown loan"));
          case Status::Code::kFailedPrecondition:
          case Status::Code::kAlreadyExists:
            count("conflict");
            return reply(JsonAnswer(409, "{\"error\":" + JsonQuote(committed.message()) +
                                             ",\"state\":" + JsonQuote(job->state) + "}"));
          case Status::Code::kUnavailable:
            count("unavailable");
            return reply(JsonError(503, "temporarily unavailable, retry later"));
          default:
            count("error");
            Log("error", "partner_callback_failed",
                {{"partner", job->partner_id},
                 {"event", job->event},
                 {"request", job->request_id},
                 {"status", committed.ToString()}});
            return reply(JsonError(500, "internal error"));
        }
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
  dispatcher_->Start();
  janitor_stop_ = false;
  janitor_ = std::thread([this] { JanitorLoop(); });
  {
    std::lock_guard<std::mutex> lock(scheduler_mu_);
    scheduler_stop_ = false;
  }
  scheduler_ = std::thread([this] { SchedulerLoop(); });
  Log("info", "listening", {{"address", settings_.listen_host + ":" + std::to_string(port())},
                            {"db", settings_.db_path},
                            {"synchronous", settings_.synchronous},
                            {"threads", std::to_string(settings_.threads)}});
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
    if (active.ok()) active_sessions_->Set(static_cast<double>(*active));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (wake_after) Wake();
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

namespace shg::gateway {

Result<LoanSchedulerSummary> App::RunLoanScheduler() {
  auto summary = gateway::RunLoanScheduler(*store_, programme_, notifier_.get(), clock_());
  if (!summary.ok()) {
    scheduler_runs_->Inc({"error"});
    return summary;
  }
  scheduler_runs_->Inc({"ok"});
  const LoanSchedulerSummary& s = *summary;
  if (s.expired > 0) scheduler_changes_->Inc({"expired"}, s.expired);
  if (s.in_arrears > 0) scheduler_changes_->Inc({"in_arrears"}, s.in_arrears);
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
    auto run = RunLoanScheduler();
    if (!run.ok()) Log("warn", "loan_scheduler_failed", {{"status", run.status().ToString()}});
    lock.lock();
    scheduler_cv_.wait_for(lock, interval, [this] { return scheduler_stop_; });
  }
}

}  // namespace shg::gateway
