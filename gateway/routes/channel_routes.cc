#include "gateway/routes/channel_routes.h"

#include <chrono>
#include <memory>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/messages.h"
#include "gateway/log.h"

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

// A callback the adapter could not read: 404 when it takes no such callback
// on this route (NotFound), else 400 with the reason.
Answer Unreadable(const Status& parsed) {
  const bool none = parsed.code() == Status::Code::kNotFound;
  return {http::Response::Text(none ? 404 : 400, parsed.message() + "\n"),
          none ? "no_route" : "bad_request"};
}

Answer RetryLater() {
  return {http::Response::Text(503, "temporarily unavailable, retry later\n"), "error"};
}

// One USSD step. The writer's connection keeps its page cache warm (a
// reader's is dropped after every commit, and re-reading costs a system
// call per page: measured slower, see the README).
struct UssdJob {
  UssdJob(const RouteEnv& e, const channels::Adapter& a, std::chrono::steady_clock::time_point t)
      : env(e), adapter(a), started(t) {}

  const RouteEnv& env;
  const channels::Adapter& adapter;
  std::chrono::steady_clock::time_point started;
  int64_t now = 0;
  channels::UssdCallback callback;
  Result<dialogs::StepResult> result = Status::Internal("not run");

  Status Run(Unit& unit) {
    result = env.engine.Step(unit.services, &unit.messages, callback.request, now);
    return result.status();
  }

  Answer Finish(const Status& outcome) {
    const std::string& ch = adapter.id();
    UssdReply screen;
    const char* counted = "ok";
    if (outcome.ok()) {
      const dialogs::StepResult& r = *result;
      screen = r.reply;
      env.metrics.ussd_steps.Inc({ch, dialogs::StepKindName(r.kind)});
      if (r.pin_failed) env.metrics.pin_failures.Inc({ch, r.pin_locked ? "true" : "false"});
      if (r.screen_cut) env.metrics.screen_cut.Inc({ch});
      if (r.sms_queued) env.dispatcher.Wake();
    } else {
      // Rolled back: nothing was applied; the member is told so.
      Log("error", "ussd_step_failed", {{"channel", ch}, {"status", outcome.ToString()}});
      screen = env.engine.TechnicalError();
      counted = "error";
    }
    env.metrics.ussd_latency.Observe(
        {ch}, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    return {adapter.FormatUssd(callback, screen), counted};
  }
};

// One inbound SMS through the SMS commands.
struct SmsJob {
  SmsJob(const RouteEnv& e, const channels::Adapter& a) : env(e), adapter(a) {}

  const RouteEnv& env;
  const channels::Adapter& adapter;
  int64_t now = 0;
  dialogs::InboundSmsEvent event;
  Result<dialogs::SmsOutcome> result = Status::Internal("not run");

  Status Run(Unit& unit) {
    result = env.sms_commands.Handle(unit.services, unit.messages, event);
    return result.status();
  }

  Answer Finish(const Status& outcome) {
    const std::string& ch = adapter.id();
    if (outcome.ok()) {
      env.metrics.sms_inbound.Inc({ch, dialogs::SmsOutcomeName(*result)});
      env.dispatcher.Wake();
      return {adapter.InboundSmsAck(), "ok"};
    }
    // Nothing was recorded: a 503 makes the provider retry (AT retries every
    // minute for hours), and the retry is processed once.
    Log("error", "sms_inbound_failed", {{"channel", ch}, {"status", outcome.ToString()}});
    return RetryLater();
  }
};

// Delivery reports applied to the outbox.
struct ReportsJob {
  ReportsJob(const RouteEnv& e, const channels::Adapter& a) : env(e), adapter(a) {}

  const RouteEnv& env;
  const channels::Adapter& adapter;
  int64_t now = 0;
  std::vector<channels::DeliveryReport> reports;
  std::vector<ReportMatch> matches;

  Status Run(Unit& unit) {
    matches.clear();
    for (const auto& r : reports) {
      auto match = unit.messages.ApplyReport(adapter.id(), r.message_id, r.provider_message_id,
                                             ToReportedState(r.state), r.provider_status,
                                             r.reason);
      if (!match.ok()) return match.status();
      matches.push_back(*match);
    }
    return Status::Ok();
  }

  Answer Finish(const Status& outcome) {
    const std::string& ch = adapter.id();
    if (!outcome.ok()) {
      Log("error", "delivery_report_failed", {{"channel", ch}, {"status", outcome.ToString()}});
      return RetryLater();
    }
    for (size_t i = 0; i < reports.size() && i < matches.size(); ++i) {
      env.metrics.reports.Inc(
          {ch, channels::DeliveryStateName(reports[i].state), MatchName(matches[i])});
    }
    // Unknown ids get 200 too (providers.md): the report is kept.
    return {http::Response::Text(200, ""), "ok"};
  }
};

}  // namespace

void ChannelRoutes::Handle(http::Request&& request, http::Reply reply) const {
  std::string_view channel_id, route;
  if (!ParseChannelPath(request.path, &channel_id, &route)) {
    return reply(http::Response::Text(404, "no such route\n"));
  }
  auto found = adapters_.find(channel_id);
  if (found == adapters_.end()) {
    // Labels come from a closed set: a path is attacker-controlled.
    return Refuse(OutcomeCounter(env_.metrics.requests, {"unknown", RouteLabel(route)}),
                  {http::Response::Text(404, "unknown channel\n"), "no_channel"}, reply);
  }
  const channels::Adapter& adapter = *found->second;
  const char* label = RouteLabel(route);
  const OutcomeCounter count(env_.metrics.requests, {adapter.id(), label});
  if (std::string_view(label) == "other") {
    return Refuse(count,
                  {http::Response::Text(404, "no such route for this channel\n"), "no_route"},
                  reply);
  }
  const bool get_allowed = route == kRouteSms || route == kRouteStatus;  // Kannel uses GET
  if (request.method != "POST" && !(get_allowed && request.method == "GET")) {
    return Refuse(count,
                  {http::Response::Text(405, get_allowed ? "use POST or GET\n" : "use POST\n"),
                   "bad_method"},
                  reply);
  }
  if (!adapter.Authenticate(request)) {
    return Refuse(count,
                  {http::Response::Text(403, "callback authentication failed\n"), "forbidden"},
                  reply);
  }
  if (route == kRouteUssd || route == kRouteUssdEnd) {
    return Ussd(adapter, std::move(request), std::move(reply), route == kRouteUssdEnd);
  }
  if (route == kRouteSms) return Sms(adapter, std::move(request), std::move(reply));
  return Reports(adapter, std::move(request), std::move(reply));
}

void ChannelRoutes::Ussd(const channels::Adapter& adapter, http::Request&& request,
                         http::Reply reply, bool end_route) const {
  const auto started = std::chrono::steady_clock::now();
  const OutcomeCounter count(env_.metrics.requests,
                             {adapter.id(), end_route ? kRouteUssdEnd : kRouteUssd});
  auto parsed = adapter.ParseUssd(request, end_route);
  if (!parsed.ok()) return Refuse(count, Unreadable(parsed.status()), reply);
  if (parsed->kind == channels::UssdCallback::Kind::kEnded) {
    // The session stays as it is: a session cut mid-action can be resumed,
    // one that ended normally was marked ended by the dialog.
    static const std::set<std::string> kStatuses = {"success", "incomplete", "failed", "release",
                                                    "timeout"};
    env_.metrics.ussd_ends.Inc(
        {adapter.id(), kStatuses.count(parsed->end_status) ? parsed->end_status : "other"});
    return Refuse(count, {adapter.FormatUssd(*parsed, UssdReply{}), "ok"}, reply);
  }
  auto job = std::make_shared<UssdJob>(env_, adapter, started);
  job->callback = std::move(*parsed);
  job->callback.request.request_id = env_.request_ids.Next();
  job->now = env_.clock();
  // A step is counted under the ussd route whichever route carried it.
  SubmitAndAnswer(env_, std::move(job),
                  OutcomeCounter(env_.metrics.requests, {adapter.id(), kRouteUssd}),
                  std::move(reply));
}

void ChannelRoutes::Sms(const channels::Adapter& adapter, http::Request&& request,
                        http::Reply reply) const {
  const OutcomeCounter count(env_.metrics.requests, {adapter.id(), kRouteSms});
  auto parsed = adapter.ParseInboundSms(request);
  if (!parsed.ok()) return Refuse(count, Unreadable(parsed.status()), reply);
  auto job = std::make_shared<SmsJob>(env_, adapter);
  job->event.channel = adapter.id();
  job->event.provider_id = std::move(parsed->provider_id);
  job->event.from = std::move(parsed->from);
  job->event.text = std::move(parsed->text);
  job->event.request_id = env_.request_ids.Next();
  job->now = env_.clock();
  SubmitAndAnswer(env_, std::move(job), count, std::move(reply));
}

void ChannelRoutes::Reports(const channels::Adapter& adapter, http::Request&& request,
                            http::Reply reply) const {
  const OutcomeCounter count(env_.metrics.requests, {adapter.id(), kRouteStatus});
  auto parsed = adapter.ParseStatus(request);
  if (!parsed.ok()) return Refuse(count, Unreadable(parsed.status()), reply);
  auto job = std::make_shared<ReportsJob>(env_, adapter);
  job->reports = std::move(*parsed);
  job->now = env_.clock();
  SubmitAndAnswer(env_, std::move(job), count, std::move(reply));
}

}  // namespace shg::gateway
