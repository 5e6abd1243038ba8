// The dashboard's screen contract (private to gateway/dashboard/): what a
// screen handler is given (Screen, plus the staff API's api::Unit over the
// connection it runs on) and what it answers (View), and the helpers the
// screen files share (layout, money, times, access checks).
//
// Like the staff API (gateway/api/route.h):
//   - a GET screen runs on the HTTP thread over the thread's read-only
//     connection;
//   - a POST action runs as ONE job of the store's writer: what it writes
//     and its audit row (channel "dashboard") commit together, and an answer
//     >= 400 rolls all of it back. A successful action answers 303 to the
//     page to show next (post/redirect/get).
// dashboard.cc has checked the session, and for a POST the CSRF token and
// that the role writes at all, before a handler runs; handlers check what
// the principal may see (404 for a group out of her reach, 403 for a role).
// Every figure comes from the domain queries the API uses (Directory,
// Services, Loans, Messages): never a sum of our own.
// Thread-safety: a handler runs on one thread with its own Screen/Unit.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.h"
#include "dialogs/notify.h"
#include "domain/directory.h"
#include "domain/loans.h"
#include "domain/staff.h"
#include "gateway/api/route.h"
#include "gateway/dashboard/html.h"

namespace shg::gateway::dashboard {

using api::Unit;

struct View {
  int status = 200;
  std::string title;     // <title> and <h1>; escaped by the layout
  std::string body;      // markup built with Html
  std::string location;  // non-empty: 303 See Other to this path
  // The body is the whole document (a printable sheet): no layout, no
  // navigation; it brings its own <html>, title and print style.
  bool bare = false;
};

struct Screen {
  const Principal& who;
  const std::string& csrf;                   // the session's token, for forms
  std::map<std::string, std::string> path;   // {name} segments
  std::map<std::string, std::string> query;  // decoded; last value wins
  std::map<std::string, std::string> form;   // POST body fields (decoded)
  std::string request_id;
  int64_t now = 0;
  const config::Settings& settings;
  const LoanProgramme& programme;
  const dialogs::Notifier& notifier;
  bool* wake_outbox;  // set true after queuing an SMS

  std::optional<int64_t> PathId(const std::string& name) const;
  std::string Query(const std::string& name) const;
  std::string Field(const std::string& name) const;
  // A non-negative integer query parameter (paging); 0 when absent or bad.
  int64_t QueryInt(const std::string& name) const;
  // The audit row of a staff action: actor the staff user, channel
  // "dashboard", the request id.
  Status Audit(Unit& unit, const std::string& action, const std::string& subject,
               const std::string& detail = "") const;
};

using Handler = std::function<View(Screen&, Unit&)>;

struct Route {
  std::string method;   // GET | POST
  std::string pattern;  // "/staff/groups/{id}"
  Handler handler;
};

void AddHomeRoutes(std::vector<Route>& routes);      // home.cc
void AddGroupRoutes(std::vector<Route>& routes);     // groups.cc
void AddMemberRoutes(std::vector<Route>& routes);    // members.cc
void AddLoanRoutes(std::vector<Route>& routes);      // loans.cc
void AddMessageRoutes(std::vector<Route>& routes);   // messages.cc
void AddAuditRoutes(std::vector<Route>& routes);     // audit.cc
void AddImportRoutes(std::vector<Route>& routes);    // import_page.cc
void AddCycleRoutes(std::vector<Route>& routes);     // cycles.cc (issue 11)

// --- answers ---
View ErrorView(int status, std::string_view message);
View NotFound(std::string_view what);  // 404 "no such <what>"
View Forbidden(std::string_view what);  // 403 "your role may not <what>"
// A domain failure as a page: InvalidArgument 422, NotFound 404,
// AlreadyExists / FailedPrecondition 409, PermissionDenied 403,
// Unavailable 503, other 500 (message not shown).
View FromStatus(const Status& s);
View Redirect(std::string location);

// --- access (as gateway/api/route.h) ---
// The group if the principal may see it; else the view to answer (404 for
// a group out of reach, 403 for a partner).
std::optional<View> CheckGroup(const Screen& s, Unit& unit, int64_t group_id, Group* out);
std::optional<View> CheckMember(const Screen& s, Unit& unit, int64_t member_id, Member* out);
// Admin and read-only staff only (messages, audit).
std::optional<View> CheckOperations(const Screen& s);

// --- formatting ---
// FormatMoney in the currency's units ("KES 4,250"); an unknown currency
// code shows the minor units with the code.
std::string Money(int64_t minor, const std::string& currency);
// "2026-12-01 14:03 UTC"; "" for 0.
std::string Time(int64_t unix_seconds);
std::string Date(int64_t unix_seconds);  // "2026-12-01"
// The phone as this principal may see it (masked unless she edits members).
std::string PhoneFor(const Principal& who, const std::string& e164);
// A "Next page" link to `path` with `param`=`value` (kept query: none).
void NextLink(Html& h, const std::string& path, const std::string& param, int64_t value,
              std::string_view extra_query = "");
// <p class="notice" id="notice"> for ?done= codes the actions redirect with.
void Notice(Html& h, const Screen& s);

// The savings of a group by calendar month (UTC) of each line: confirmed
// savings and reversals of every member's statement (StatementFor), so the
// months sum to GroupOverview::savings_confirmed. Oldest month first.
struct MonthTotal {
  std::string month;  // "2026-11"
  int64_t amount = 0;
};
Result<std::vector<MonthTotal>> SavingsByMonth(Unit& unit, int64_t group_id);
// An inline SVG bar chart (svg_chart.cc): <svg id="savings-chart">, one
// <rect> per month with data-month / data-amount, labels in the currency.
void SavingsChart(Html& h, const std::vector<MonthTotal>& months, const std::string& currency);

}  // namespace shg::gateway::dashboard
