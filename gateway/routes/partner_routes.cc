#include "gateway/routes/partner_routes.h"

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <boost/json.hpp>

#include "dialogs/partner_events.h"
#include "domain/utf8.h"
#include "gateway/log.h"
#include "gateway/partners/callbacks.h"
#include "gateway/partners/signature.h"

namespace shg::gateway {
namespace {

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

http::Response JsonAnswer(int status, const boost::json::object& body) {
  http::Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = boost::json::serialize(body);
  r.body += '\n';
  return r;
}

// Error texts are ours or the domain's, never the body's; made valid UTF-8
// all the same.
http::Response JsonError(int status, std::string_view error) {
  return JsonAnswer(status, {{"error", SanitizeUtf8(error)}});
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

// The callback's body as the partner event it reports (`event` is one of
// the three labels); InvalidArgument naming the field when malformed.
Status ParseEvent(const char* event, const std::string& body, int64_t now,
                  dialogs::PartnerEvent* out) {
  if (event == std::string_view(kEventDecision)) {
    auto d = partners::ParseDecision(body);
    if (!d.ok()) return d.status();
    out->kind = dialogs::PartnerEventKind::kDecision;
    out->decision = std::move(d->decision);
    out->currency = std::move(d->currency);
  } else if (event == std::string_view(kEventDisbursement)) {
    auto d = partners::ParseDisbursement(body, now);
    if (!d.ok()) return d.status();
    out->kind = dialogs::PartnerEventKind::kDisbursement;
    out->amount = d->amount;
    out->currency = std::move(d->currency);
    out->at = d->disbursed_at;
    out->external_id = std::move(d->transaction_id);
  } else {
    auto r = partners::ParseRepayment(body, now);
    if (!r.ok()) return r.status();
    out->kind = dialogs::PartnerEventKind::kRepayment;
    out->external_id = std::move(r->payment_id);
    out->amount = r->amount;
    out->currency = std::move(r->currency);
    out->at = r->paid_at;
    out->claim_reference = std::move(r->claim_reference);
  }
  return Status::Ok();
}

// One partner callback, parsed and authenticated, and what recording it did.
struct PartnerJob {
  PartnerJob(const RouteEnv& e, const char* label) : env(e), event_label(label) {}

  const RouteEnv& env;
  const char* event_label;
  int64_t now = 0;
  std::string request_id;
  dialogs::PartnerEvent event;
  // Results, written by Run.
  std::string loan_reference;
  std::string state;  // after the event (ok) or as it is (conflict)
  bool changed = false;
  int sms = 0;

  Status Run(Unit& unit) {
    Loans loans(unit.conn, unit.ctx, env.programme);
    const Actor actor{"partner", event.partner_id, "partner-api", request_id};
    auto recorded = dialogs::RecordPartnerEvent(event, actor, loans, unit.services, unit.messages,
                                                &env.notifier, &env.programme);
    if (!recorded.ok()) {
      if (recorded.status().code() == Status::Code::kFailedPrecondition) {
        // Nothing was written (the domain's savepoint): the state as it is.
        auto loan = loans.PartnerLoan(event.partner_id, event.reference);
        if (loan.ok()) state = LoanStateName(loan->state);
      }
      return recorded.status();
    }
    changed = recorded->change.changed;
    state = LoanStateName(recorded->change.loan.state);
    loan_reference = recorded->change.loan.reference;
    sms = recorded->sms;
    return Status::Ok();
  }

  Answer Finish(const Status& outcome) {
    if (outcome.ok()) {
      if (sms > 0) env.dispatcher.Wake();
      Log("info", "partner_callback",
          {{"partner", event.partner_id},
           {"event", event_label},
           {"loan", loan_reference},
           {"state", state},
           {"changed", changed ? "true" : "false"},
           {"request", request_id}});
      return {JsonAnswer(200, {{"reference", loan_reference},
                               {"state", state},
                               {"changed", changed}}),
              changed ? "ok" : "replay"};
    }
    switch (outcome.code()) {
      case Status::Code::kInvalidArgument:
        return {JsonError(400, outcome.message()), "bad_request"};
      case Status::Code::kNotFound:
        return {JsonError(404, "unknown loan"), "unknown_loan"};
      case Status::Code::kFailedPrecondition:
      case Status::Code::kAlreadyExists:
        return {JsonAnswer(409, {{"error", SanitizeUtf8(outcome.message())}, {"state", state}}),
                "conflict"};
      case Status::Code::kUnavailable:
        return {JsonError(503, "temporarily unavailable, retry later"), "unavailable"};
      default:
        Log("error", "partner_callback_failed",
            {{"partner", event.partner_id},
             {"event", event_label},
             {"request", request_id},
             {"status", outcome.ToString()}});
        return {JsonError(500, "internal error"), "error"};
    }
  }
};

}  // namespace

void PartnerRoutes::Handle(http::Request&& request, http::Reply reply) const {
  std::string_view partner_in_path, reference, event_in_path;
  if (!ParsePartnerPath(request.path, &partner_in_path, &reference, &event_in_path)) {
    return Refuse(OutcomeCounter(env_.metrics.partner_callbacks, {"unknown", "other"}),
                  {JsonError(404, "no such route"), "no_route"}, reply);
  }
  const config::MfiPartnerSettings* partner = nullptr;
  for (const auto& p : env_.settings.mfi_partners) {
    if (p.id == partner_in_path) partner = &p;
  }
  // Labels come from closed sets: the path is the caller's.
  const char* event = PartnerEventLabel(event_in_path);
  const OutcomeCounter count(env_.metrics.partner_callbacks,
                             {partner != nullptr ? partner->id : "unknown", event});
  if (std::string_view(event) == "other") {
    return Refuse(count, {JsonError(404, "no such route"), "no_route"}, reply);
  }
  if (request.method != "POST") {
    return Refuse(count, {JsonError(405, "use POST"), "bad_method"}, reply);
  }
  // A partner without a secret has no API: staff record its events (CLI).
  if (partner == nullptr || partner->secret.empty()) {
    return Refuse(count, {JsonError(404, "unknown partner"), "unknown_partner"}, reply);
  }
  const int64_t now = env_.clock();
  // Header names arrive lower-cased (http::Request).
  Status auth = partners::Verify(partner->secret, request.Header("x-shg-timestamp"),
                                 request.Header("x-shg-signature"), request.body, now,
                                 env_.settings.loans.partner_replay_window_s);
  if (!auth.ok()) {
    Log("warn", "partner_callback_refused",
        {{"partner", partner->id}, {"event", event}, {"reason", auth.message()}});
    return Refuse(count, {JsonError(401, auth.message()), "unauthenticated"}, reply);
  }
  if (!IsReferenceLike(reference)) {
    return Refuse(count, {JsonError(404, "unknown loan"), "unknown_loan"}, reply);
  }
  auto job = std::make_shared<PartnerJob>(env_, event);
  job->now = now;
  job->request_id = env_.request_ids.Next();
  job->event.partner_id = partner->id;
  job->event.reference = std::string(reference);
  if (Status parsed = ParseEvent(event, request.body, now, &job->event); !parsed.ok()) {
    return Refuse(count, {JsonError(400, parsed.message()), "bad_request"}, reply);
  }
  SubmitAndAnswer(env_, std::move(job), count, std::move(reply));
}

}  // namespace shg::gateway
