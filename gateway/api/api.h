// The staff API: JSON under /api/v1 for programme staff and partner MFIs.
//
// Every call carries "Authorization: Bearer shg_..." (domain/staff.h):
//   401 + WWW-Authenticate: Bearer   missing, wrong, revoked or expired token
//   429 + Retry-After (seconds)      the token's rate limit is spent
//   403                              the role may not do this
//   404                              no such route / thing, or a group out of reach
// Errors are {"error":{"code","message","field"}}; a field names the input
// at fault. Lists are cursor-paginated ({"data":[...],"next_cursor"}) and
// served as CSV for "Accept: text/csv" or a ".csv" suffix on the path.
// A POST with an Idempotency-Key replays the first answer for the same key
// and body (header Idempotent-Replayed: true), and is 422 for another body.
// GET /api/v1/openapi.json serves the OpenAPI 3 document (no token needed).
//
// Routes and their handlers: gateway/api/*_routes.cc over route.h.
// Thread-safety: Handle() is called concurrently by the server threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/settings.h"
#include "dialogs/notify.h"
#include "domain/loans.h"
#include "domain/pin.h"
#include "domain/store/store.h"
#include "gateway/api/route.h"
#include "gateway/http/server.h"

namespace shg::gateway::api {

// Per-token token bucket: `per_minute` calls, refilled continuously.
// Thread-safe.
class RateLimiter {
 public:
  explicit RateLimiter(int per_minute) : per_minute_(per_minute) {}
  // 0 when the call may proceed, else the seconds to wait (>= 1).
  int Take(int64_t token_id, std::chrono::steady_clock::time_point now);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at;
  };
  int per_minute_;
  std::mutex mu_;
  std::unordered_map<int64_t, Bucket> buckets_;
};

struct ApiDeps {
  store::Store* store = nullptr;
  const config::Settings* settings = nullptr;
  const PinHasher* pins = nullptr;
  const LoanProgramme* programme = nullptr;
  const dialogs::Notifier* notifier = nullptr;
  std::function<int64_t()> clock;           // Unix seconds
  std::function<std::string()> request_id;  // a new request id
  std::function<void()> wake_outbox;        // after an SMS is queued
};

class StaffApi {
 public:
  explicit StaffApi(ApiDeps deps);
  void Handle(http::Request&& request, http::Reply reply);
  // The routes as "METHOD pattern", for the OpenAPI check.
  std::vector<std::string> RouteList() const;

 private:
  ApiDeps deps_;
  std::vector<Route> routes_;
  RateLimiter limiter_;
};

// Matches a route pattern ("/api/v1/groups/{id}": {name} matches one
// non-empty segment) against a path; fills the named segments, %-decoded.
// Shared with the dashboard's router.
bool MatchPath(std::string_view pattern, std::string_view path,
               std::map<std::string, std::string>* params);
// A decimal id > 0 of at most 18 digits, else nullopt (path segments).
std::optional<int64_t> PositiveId(std::string_view text);

// Renders an answer as the HTTP response (JSON, or CSV when `csv`).
http::Response Render(const ApiAnswer& answer, bool csv);
// One CSV field (RFC 4180), defused against spreadsheet formulas.
std::string CsvField(const json::value& v);

}  // namespace shg::gateway::api
