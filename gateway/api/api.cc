#include "gateway/api/api.h"

#include <algorithm>
#include <cmath>

#include "gateway/api/openapi.h"
#include "gateway/channels/form.h"
#include "gateway/log.h"
#include "gateway/outbound/dispatcher.h"

namespace shg::gateway::api {
namespace {

constexpr std::string_view kPrefix = "/api/v1";
constexpr size_t kMaxIdempotencyKey = 200;

// The query string as a map (the last value of a name wins).
std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view query) {
  auto form = channels::ParseForm(query);
  if (!form.ok()) return std::nullopt;
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : form->pairs()) out[k] = v;
  return out;
}

std::string BearerToken(const http::Request& request) {
  const std::string h = request.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (h.size() <= kBearer.size()) return "";
  std::string scheme = h.substr(0, kBearer.size());
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "bearer ") return "";
  return h.substr(kBearer.size());
}

http::Response Unauthenticated(std::string_view message) {
  http::Response r = Render(Error(401, "unauthenticated", message), false);
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"shg-gateway\"");
  return r;
}

// Hex of the SHA-256 of what an Idempotency-Key promises is the same call.
std::string RequestHash(const http::Request& request) {
  return Sha256(request.method + " " + request.path + "\n" + request.query + "\n" + request.body);
}

bool WantsCsv(const http::Request& request, std::string* path) {
  if (path->size() > 4 && path->compare(path->size() - 4, 4, ".csv") == 0) {
    path->resize(path->size() - 4);
    return true;
  }
  return request.Header("accept").find("text/csv") != std::string::npos;
}

}  // namespace

bool MatchPath(std::string_view pattern, std::string_view path,
           std::map<std::string, std::string>* params) {
  params->clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const size_t pe = std::min(pattern.find('/'), pattern.size());
    const size_t se = std::min(path.find('/'), path.size());
    const std::string_view want = pattern.substr(0, pe), got = path.substr(0, se);
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      if (got.empty()) return false;
      auto decoded = channels::FormDecode(got);
      if (!decoded.ok()) return false;
      (*params)[std::string(want.substr(1, want.size() - 2))] = std::move(*decoded);
    } else if (want != got) {
      return false;
    }
    pattern.remove_prefix(pe);
    path.remove_prefix(se);
  }
  return true;
}

std::optional<int64_t> PositiveId(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v <= 0) return std::nullopt;
  return v;
}

int RateLimiter::Take(int64_t token_id, std::chrono::steady_clock::time_point now) {
  if (per_minute_ <= 0) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = buckets_.try_emplace(token_id);
  Bucket& b = it->second;
  const double capacity = per_minute_;
  if (inserted) {
    b.tokens = capacity;
  } else {
    const double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(capacity, b.tokens + elapsed * capacity / 60.0);
  }
  b.at = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) * 60.0 / capacity)));
}

StaffApi::StaffApi(ApiDeps deps)
    : deps_(std::move(deps)), limiter_(deps_.settings->api_requests_per_minute) {
  AddStaffRoutes(routes_);
  AddGroupRoutes(routes_);
  AddMemberRoutes(routes_);
  AddImportRoutes(routes_);
  AddTrainingRoutes(routes_);
  AddSavingsRoutes(routes_);
  AddLoanRoutes(routes_);
  AddReportRoutes(routes_);
  AddOpsRoutes(routes_);
  AddCycleRoutes(routes_);
}

std::vector<std::string> StaffApi::RouteList() const {
  std::vector<std::string> out;
  for (const Route& r : routes_) out.push_back(r.method + " " + r.pattern);
  return out;
}

void StaffApi::Handle(http::Request&& request, http::Reply reply) {
  std::string path = request.path;
  const bool csv = WantsCsv(request, &path);
  if (path == std::string(kPrefix) + "/openapi.json") {
    if (request.method != "GET") return reply(Render(Error(405, "bad_method", "use GET"), false));
    http::Response r;
    r.content_type = "application/json";
    r.body = OpenApiDocument();
    return reply(std::move(r));
  }
  const std::string token = BearerToken(request);
  if (token.empty()) return reply(Unauthenticated("an Authorization: Bearer token is required"));
  const int64_t now = deps_.clock();
  DomainContext ctx{deps_.pins, deps_.settings->max_pin_failures, now};
  auto principal = Staff(deps_.store->Reader(), now).Authenticate(token);
  if (!principal.ok()) {
    if (principal.status().code() != Status::Code::kUnauthenticated) {
      return reply(Render(FromStatus(principal.status()), false));
    }
    return reply(Unauthenticated(principal.status().message()));
  }
  if (int wait = limiter_.Take(principal->token_id, std::chrono::steady_clock::now()); wait > 0) {
    http::Response r = Render(Error(429, "rate_limited", "too many requests for this token"), false);
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return reply(std::move(r));
  }

  const Route* route = nullptr;
  bool path_known = false;
  std::map<std::string, std::string> params;
  for (const Route& r : routes_) {
    if (!MatchPath(r.pattern, path, &params)) continue;
    path_known = true;
    if (r.method == request.method) {
      route = &r;
      break;
    }
  }
  if (route == nullptr) {
    return reply(Render(path_known ? Error(405, "bad_method", "method not allowed on this path")
                                   : Error(404, "not_found", "no such route"),
                        false));
  }
  auto query = ParseQuery(request.query);
  if (!query) return reply(Render(Error(400, "bad_query", "malformed query string"), false));

  struct Job {
    Principal who;
    std::map<std::string, std::string> path, query;
    json::object body;
    std::string raw_body, content_type, request_id, idem_key, request_hash;
    bool wake = false;
    bool replayed = false;
    ApiAnswer answer;
  };
  auto job = std::make_shared<Job>();
  job->who = std::move(*principal);
  job->path = std::move(params);
  job->query = std::move(*query);
  job->content_type = request.Header("content-type");
  job->request_id = deps_.request_id();
  const bool write = request.method != "GET";
  // Before the body moves into the job (a CSV body does): the key promises
  // the same body.
  job->idem_key = request.Header("idempotency-key");
  if (write && !job->idem_key.empty() && job->idem_key.size() <= kMaxIdempotencyKey) {
    job->request_hash = RequestHash(request);
  }
  if (write && job->content_type.find("text/csv") == std::string::npos) {
    if (!request.body.empty()) {
      boost::system::error_code ec;
      json::value v = json::parse(request.body, ec);
      if (ec || !v.is_object()) {
        return reply(Render(Error(400, "bad_json", "the body must be a JSON object"), false));
      }
      job->body = std::move(v.as_object());
    }
  } else {
    job->raw_body = std::move(request.body);
  }
  auto run = [this, job, now, route](Unit& unit) {
    ApiCall call{job->who,         job->path,      job->query,      job->body,
                 job->raw_body,    job->content_type, job->request_id, now,
                 *deps_.settings,  *deps_.programme, *deps_.notifier, &job->wake};
    return route->handler(call, unit);
  };
  if (!write) {
    Unit unit(deps_.store->Reader(), ctx, outbound::SystemNowMs());
    ApiAnswer answer;
    try {
      answer = run(unit);
    } catch (const std::exception& e) {
      Log("error", "api_failed", {{"route", route->pattern}, {"what", e.what()}});
      answer = Error(500, "internal", "internal error");
    }
    return reply(Render(answer, csv));
  }

  if (job->idem_key.size() > kMaxIdempotencyKey) {
    return reply(Render(Error(400, "bad_header", "Idempotency-Key: at most 200 characters",
                              "Idempotency-Key"),
                        false));
  }
  deps_.store->Submit(
      [this, job, now, ctx, run](store::Connection& conn) -> Status {
        Unit unit(conn, ctx, outbound::SystemNowMs());
        if (!job->idem_key.empty()) {
          auto stored = unit.staff.FindAnswer(job->who.user.id, job->idem_key);
          if (!stored.ok()) return stored.status();
          if (stored->has_value()) {
            const StoredAnswer& first = **stored;
            if (first.request_hash != job->request_hash) {
              job->answer = Error(422, "idempotency_key_reused",
                                  "this Idempotency-Key was used for another request",
                                  "Idempotency-Key");
            } else {
              job->answer.status = first.status;
              boost::system::error_code ec;
              job->answer.body = json::parse(first.body, ec);
              job->replayed = true;
            }
            return Status::Ok();
          }
        }
        job->answer = run(unit);
        // An error answer leaves nothing behind (the job's savepoint).
        if (job->answer.status >= 400) return Status::FailedPrecondition("api error answer");
        if (!job->idem_key.empty()) {
          StoredAnswer a;
          a.request_hash = job->request_hash;
          a.status = job->answer.status;
          a.content_type = "application/json";
          a.body = json::serialize(job->answer.replay_body ? *job->answer.replay_body
                                                             : job->answer.body);
          SHG_RETURN_IF_ERROR(unit.staff.StoreAnswer(job->who.user.id, job->idem_key, a));
        }
        return Status::Ok();
      },
      [this, job, route, reply = std::move(reply)](const Status& committed) {
        if (!committed.ok() && job->answer.status < 400) {
          if (committed.code() == Status::Code::kUnavailable) {
            return reply(Render(Error(503, "unavailable", "temporarily unavailable, retry later"),
                                false));
          }
          Log("error", "api_write_failed",
              {{"route", route->pattern},
               {"request", job->request_id},
               {"status", committed.ToString()}});
          return reply(Render(FromStatus(committed), false));
        }
        if (job->wake && deps_.wake_outbox) deps_.wake_outbox();
        http::Response r = Render(job->answer, false);
        if (job->replayed) r.headers.emplace_back("Idempotent-Replayed", "true");
        r.headers.emplace_back("X-Request-Id", job->request_id);
        reply(std::move(r));
      });
}

}  // namespace shg::gateway::api
