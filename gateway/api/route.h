// The staff API's route contract: what a route handler is given (ApiCall,
// Unit) and what it answers (ApiAnswer), and the helpers every route file
// shares (errors naming the field, body fields, paths, paging).
//
// A handler is a plain function run by gateway/api/api.cc:
//   - a GET handler runs on the HTTP thread over the thread's read-only
//     connection;
//   - a POST/PATCH handler runs as ONE job of the store's writer: what it
//     writes, its audit row and its Idempotency-Key record commit together,
//     and an answer >= 400 rolls all of it back.
// Handlers check what the principal may see or do themselves (403 for a
// role that may not, 404 for a group out of her reach), using the helpers
// below. They never echo a secret.
//
// Every amount is an integer in minor units of the `currency` beside it.
// Thread-safety: a handler runs on one thread with its own ApiCall/Unit.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.h"
#include "dialogs/notify.h"
#include "domain/loans.h"
#include "domain/messages.h"
#include "domain/pin.h"
#include "domain/services.h"
#include "domain/staff.h"

namespace shg::gateway::api {

namespace json = boost::json;

// A list page: the rows as JSON objects with these columns (also the CSV
// header, in this order), and the cursor of the next page ("" at the end).
struct Table {
  std::vector<std::string> columns;
  std::vector<json::object> rows;
  std::string next_cursor;
};

struct ApiAnswer {
  int status = 200;
  json::value body;               // rendered as JSON unless `table` is set
  std::optional<Table> table;     // a list: JSON {"data":[...],"next_cursor"} or CSV
  std::vector<std::pair<std::string, std::string>> headers;
  // Stored for an Idempotency-Key replay instead of `body`: an answer that
  // shows a secret once (a new token) is kept without it.
  std::optional<json::value> replay_body;
};

// {"error":{"code","message","field"}}; field "" is left out.
ApiAnswer Error(int status, std::string_view code, std::string_view message,
                std::string_view field = "");
// A domain Status as an answer: InvalidArgument 422, NotFound 404,
// AlreadyExists 409, FailedPrecondition 409, PermissionDenied 403,
// Unavailable 503, other 500 (message not shown). A message "field: text"
// names the field.
ApiAnswer FromStatus(const Status& status);
ApiAnswer Ok(json::value body, int status = 200);
ApiAnswer List(Table table);

// The services of one unit of work, over the connection the handler runs on.
struct Unit {
  store::Connection& conn;
  DomainContext ctx;
  Services services;
  Messages messages;
  Staff staff;
  Unit(store::Connection& c, const DomainContext& context, int64_t now_ms)
      : conn(c), ctx(context), services(c, ctx), messages(c, now_ms), staff(c, context.now) {}
  Unit(const Unit&) = delete;
};

// What the router hands a handler.
struct ApiCall {
  const Principal& who;
  std::map<std::string, std::string> path;   // {name} segments, decoded
  std::map<std::string, std::string> query;  // decoded; the last value wins
  json::object body;                         // JSON body (empty when none)
  std::string raw_body;                      // for text/csv bodies
  std::string content_type;
  std::string request_id;
  int64_t now = 0;
  const config::Settings& settings;
  const LoanProgramme& programme;
  const dialogs::Notifier& notifier;
  bool* wake_outbox;  // set true after queuing an SMS

  // Path segment as a positive id; nullopt when it is not one.
  std::optional<int64_t> PathId(const std::string& name) const;
  std::string Query(const std::string& name) const;
  // Writes the audit row of a staff write: actor, token, request id.
  Status Audit(Unit& unit, const std::string& action, const std::string& subject,
               const std::string& detail = "") const;
};

// Paging parameters: ?limit= (1..500, default 50) and ?cursor= (opaque,
// from next_cursor). A cursor is the last row's id, encoded.
struct Page {
  int limit = 50;
  int64_t after_id = 0;
};
// Parses the page; an answer (400 naming the field) when malformed.
std::optional<ApiAnswer> ParsePage(const ApiCall& call, Page* page);
std::string EncodeCursor(int64_t last_id);

// Body field readers: nullopt when absent; an error answer naming the field
// when present with the wrong type. `required` makes absence an error.
std::optional<ApiAnswer> StringField(const ApiCall& call, const char* name, std::string* out,
                                     bool required, size_t max_len = 200);
std::optional<ApiAnswer> IntField(const ApiCall& call, const char* name, int64_t* out,
                                  bool required);

// The 404 a principal gets for a group she may not see (it exists for her
// only if she may).
ApiAnswer NoSuchGroup();
ApiAnswer Forbidden(std::string_view what);
// Partners see loans only: 403 for them on groups and members.
std::optional<ApiAnswer> CheckNotPartner(const ApiCall& call);
// The group (into *out) if the principal may see it, else the 404 (or 403
// for a partner).
std::optional<ApiAnswer> CheckGroup(const ApiCall& call, Unit& unit, int64_t group_id,
                                    Group* out = nullptr);
// The member (into *out) if the principal may see her group, else 404.
std::optional<ApiAnswer> CheckMember(const ApiCall& call, Unit& unit, int64_t member_id,
                                     Member* out);
// 403 unless the principal may edit members (admin, field officer).
std::optional<ApiAnswer> CheckMayEdit(const ApiCall& call);

using Handler = std::function<ApiAnswer(ApiCall&, Unit&)>;

enum class Access { kRead, kWrite };

struct Route {
  std::string method;   // GET | POST | PATCH
  std::string pattern;  // "/api/v1/groups/{id}": {name} matches one segment
  Handler handler;
};

// Each route file adds its routes.
void AddStaffRoutes(std::vector<Route>& routes);
void AddGroupRoutes(std::vector<Route>& routes);
void AddMemberRoutes(std::vector<Route>& routes);
void AddImportRoutes(std::vector<Route>& routes);    // import_routes.cc
void AddTrainingRoutes(std::vector<Route>& routes);  // training_routes.cc
void AddSavingsRoutes(std::vector<Route>& routes);   // savings_routes.cc
void AddLoanRoutes(std::vector<Route>& routes);      // loan_routes.cc
void AddReportRoutes(std::vector<Route>& routes);    // report_routes.cc
void AddOpsRoutes(std::vector<Route>& routes);       // ops_routes.cc (audit, messages)
void AddCycleRoutes(std::vector<Route>& routes);     // cycle_routes.cc (issue 11)

// The fine kinds staff may record ("late", "absent", "other"; cycle_routes.cc).
const std::vector<std::string>& FineKinds();

// Masks a phone for lists shown to roles that do not manage members.
std::string MaskedPhone(const std::string& e164);

}  // namespace shg::gateway::api
