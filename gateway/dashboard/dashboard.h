// The staff dashboard: server-rendered HTML under /staff/ for programme
// staff, over the same domain code as the staff API (gateway/api/). No
// JavaScript anywhere: every page works with it off; a small inline style
// sheet, no external assets.
//
// Sign-in: POST /staff/login checks a staff user's password (Staff::SignIn,
// PBKDF2) and opens a session: cookie "shg_session" (HttpOnly,
// SameSite=Strict, Path=/staff, Secure when [staff] cookie_secure), signed
// out after staff_session_idle_s idle or staff_session_absolute_s. The login
// form itself carries a token bound to a short-lived "shg_login" cookie
// (login CSRF). A page without a live session is 303 to /staff/login.
//
// Every form carries the session's CSRF token (field "csrf", compared in
// constant time); a POST without it or with a wrong one is 403 and changes
// nothing. Read-only staff get 403 for every POST but sign-out. Roles as in
// domain/staff.h: a field officer sees her groups only (404 for another),
// a partner only its MFI's loans. Staff actions are audited with channel
// "dashboard".
//
// Routes (GET unless noted):
//   /staff/login               sign-in form; POST signs in; POST /staff/logout
//   /staff/                    home: groups, members, savings, pending, loans,
//                              arrears, outbox health
//   /staff/groups/{id}         members, savings by month (SVG), training
//                              matrix, pending savings and repayments
//   /staff/members/{id}        balances, statement, loan, training
//   POST /staff/members/{id}/pin-reset   one-time PIN by SMS (never shown)
//   POST /staff/members/{id}/training    record a module
//   /staff/groups/{id}/import  member CSV: POST action=check (dry run, errors
//                              table) | action=commit (all rows or none)
//   /staff/loans               pipeline by state, arrears, loans list
//   /staff/messages            failed and stuck SMS; POST .../{id}/retry (admin)
//   /staff/audit               audit log (admin, read-only)
//   /staff/groups/{id}/cycle   the group's savings cycle (issue 11, cycles.cc):
//                              rules, figures, plan/start/close/reopen, fines,
//                              social fund; /staff/cycles/{id}/share-out the
//                              preview and its confirmation, .../share-out/print
//                              the printable sheet (no navigation)
//
// Thread-safety: Handle() is called concurrently by the server threads.
#pragma once

#include <string>
#include <vector>

#include "gateway/api/api.h"
#include "gateway/http/server.h"

namespace shg::gateway::dashboard {

struct Route;

inline constexpr char kSessionCookie[] = "shg_session";
inline constexpr char kLoginCookie[] = "shg_login";

class Dashboard {
 public:
  // The staff API's dependencies (store, settings, clock, ...), borrowed.
  explicit Dashboard(api::ApiDeps deps);
  ~Dashboard();
  void Handle(http::Request&& request, http::Reply reply);

 private:
  void Login(http::Request&& request, http::Reply reply);
  void Logout(http::Request&& request, http::Reply reply);
  api::ApiDeps deps_;
  std::vector<Route> routes_;
  // Sign-in attempts (each costs a slow hash): per name, so a password is
  // not guessed, and per remote address, so the slow hash cannot tie up the
  // server threads. Beyond them: 429 with Retry-After.
  api::RateLimiter sign_ins_by_name_{kSignInsPerNamePerMinute};
  api::RateLimiter sign_ins_by_address_{kSignInsPerAddressPerMinute};

 public:
  static constexpr int kSignInsPerNamePerMinute = 5;
  static constexpr int kSignInsPerAddressPerMinute = 30;
};

// The value of cookie `name` in a Cookie header ("" when absent).
std::string CookieValue(const std::string& header, std::string_view name);

}  // namespace shg::gateway::dashboard
