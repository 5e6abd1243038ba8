#include "gateway/dashboard/dashboard.h"

#include <algorithm>
#include <chrono>
#include <functional>

#include "domain/pin.h"
#include "domain/staff.h"
#include "gateway/channels/form.h"
#include "gateway/dashboard/page.h"
#include "gateway/log.h"
#include "gateway/outbound/dispatcher.h"

namespace shg::gateway::dashboard {
namespace {

constexpr std::string_view kPrefix = "/staff";

// A small style sheet, inline (no external assets): readable on a small
// laptop and a phone (tables scroll sideways inside their box).
constexpr char kStyle[] = R"css(
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#f6f6f3}
header{background:#22543d;color:#fff;padding:.5rem 1rem}
header a,header button{color:#fff}
nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center}
nav .who{margin-left:auto;opacity:.9}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.2rem 0 1rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.5rem;margin:0;padding:0}
.figures div{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.5rem .75rem}
.figures dt{font-size:.8rem;color:#555}
.figures dd{margin:0;font-size:1.15rem;font-weight:600}
.scroll{overflow-x:auto;background:#fff;border:1px solid #ddd;border-radius:6px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f0f0ea;font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
form.inline{display:inline;margin:0}
button,input,select,textarea{font:inherit}
button{background:#2f6f4f;color:#fff;border:0;border-radius:4px;padding:.3rem .7rem;cursor:pointer}
header button{background:transparent;border:1px solid #fff8}
.small button{padding:.1rem .4rem;font-size:.85rem}
label{display:block;margin:.5rem 0 .2rem}
input[type=text],input[type=password],select,textarea{width:100%;max-width:22rem;padding:.35rem;border:1px solid #aaa;border-radius:4px}
.notice{background:#e6f4ea;border:1px solid #9bc5a5;padding:.5rem .75rem;border-radius:4px}
.error{background:#fdecea;border:1px solid #e0a19b;padding:.5rem .75rem;border-radius:4px}
.muted{color:#666}
svg{max-width:100%;height:auto;background:#fff;border:1px solid #ddd;border-radius:6px}
@media (max-width:40rem){main{padding:.5rem}th,td{padding:.3rem .4rem}}
)css";

// A decoded form or query as a map (a repeated name keeps its first value).
std::optional<std::map<std::string, std::string>> ParseFields(std::string_view encoded) {
  auto form = channels::ParseForm(encoded);
  if (!form.ok()) return std::nullopt;
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : form->pairs()) out.emplace(k, v);
  return out;
}

std::string CookieAttributes(const config::Settings& settings) {
  std::string a = "; Path=/staff; HttpOnly; SameSite=Strict";
  if (settings.staff_cookie_secure) a += "; Secure";
  return a;
}

void SecurityHeaders(http::Response& r) {
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "same-origin");
  // No script at all; the inline style sheet only; forms post here only.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                         "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
}

// The page around a view: header with the navigation for `who` (nullptr:
// signed out), the title, the body.
http::Response Page(const View& v, const Principal* who, const std::string& csrf) {
  http::Response r;
  SecurityHeaders(r);
  if (!v.location.empty()) {
    r.status = 303;
    r.headers.emplace_back("Location", v.location);
    r.content_type = "text/plain; charset=utf-8";
    r.body = "see " + v.location + "\n";
    return r;
  }
  r.status = v.status;
  r.content_type = "text/html; charset=utf-8";
  if (v.bare) {
    r.body = v.body;
    return r;
  }
  Html h;
  h.raw("<!doctype html>").open("html", {{"lang", "en"}}).open("head");
  h.empty("meta", {{"charset", "utf-8"}});
  h.empty("meta", {{"name", "viewport"}, {"content", "width=device-width, initial-scale=1"}});
  h.element("title", v.title + " - SHG staff");
  h.open("style").raw(kStyle).close("style").close("head").open("body");
  h.open("header").open("nav", {{"id", "nav"}});
  if (who != nullptr) {
    h.element("a", "Home", {{"href", "/staff/"}, {"id", "nav-home"}});
    h.element("a", "Loans", {{"href", "/staff/loans"}, {"id", "nav-loans"}});
    if (who->SeesAllGroups()) {
      h.element("a", "Messages", {{"href", "/staff/messages"}, {"id", "nav-messages"}});
      h.element("a", "Audit", {{"href", "/staff/audit"}, {"id", "nav-audit"}});
    }
    h.open("span", {{"class", "who"}, {"id", "signed-in-as"}})
        .text(who->user.display_name.empty() ? who->user.name : who->user.display_name)
        .text(std::string(" (") + StaffRoleName(who->user.role) + ")")
        .close("span");
    h.open("form", {{"method", "post"},
                    {"action", "/staff/logout"},
                    {"name", "logout"},
                    {"id", "logout-form"},
                    {"class", "inline"}});
    h.csrf(csrf).element("button", "Sign out", {{"type", "submit"}, {"id", "logout"}});
    h.close("form");
  } else {
    h.element("span", "SHG staff dashboard");
  }
  h.close("nav").close("header").open("main");
  h.element("h1", v.title, {{"id", "page-title"}});
  h.raw(v.body);
  h.close("main").close("body").close("html");
  r.body = h.take();
  return r;
}

View LoginView(const std::string& token, const std::string& error, const std::string& name) {
  View v;
  v.title = "Sign in";
  Html h;
  if (!error.empty()) h.element("p", error, {{"class", "error"}, {"id", "login-error"}});
  h.open("form", {{"method", "post"}, {"action", "/staff/login"}, {"name", "login"},
                  {"id", "login-form"}});
  h.csrf(token);
  h.element("label", "Name", {{"for", "login-name"}});
  h.empty("input", {{"type", "text"},
                    {"name", "name"},
                    {"id", "login-name"},
                    {"value", name},
                    {"autocomplete", "username"},
                    {"required", "required"}});
  h.element("label", "Password", {{"for", "login-password"}});
  h.empty("input", {{"type", "password"},
                    {"name", "password"},
                    {"id", "login-password"},
                    {"autocomplete", "current-password"},
                    {"required", "required"}});
  h.open("p").element("button", "Sign in", {{"type", "submit"}, {"id", "login-submit"}}).close("p");
  h.close("form");
  v.body = h.take();
  return v;
}

// The login form with a fresh login token (and its cookie).
http::Response LoginPage(const config::Settings& settings, int status, const std::string& error,
                         const std::string& name) {
  const std::string token = RandomHex(16);
  View v = LoginView(token, error, name);
  v.status = status;
  http::Response r = Page(v, nullptr, "");
  r.headers.emplace_back("Set-Cookie", std::string(kLoginCookie) + "=" + token +
                                           CookieAttributes(settings) + "; Max-Age=3600");
  return r;
}

http::Response ToLogin() {
  View v;
  v.location = "/staff/login";
  return Page(v, nullptr, "");
}

bool IsForm(const http::Request& request) {
  return request.Header("content-type").rfind("application/x-www-form-urlencoded", 0) == 0;
}

}  // namespace

std::string CookieValue(const std::string& header, std::string_view name) {
  std::string_view rest = header;
  while (!rest.empty()) {
    size_t end = rest.find(';');
    std::string_view pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
  }
  return "";
}

Dashboard::Dashboard(api::ApiDeps deps) : deps_(std::move(deps)) {
  AddHomeRoutes(routes_);
  AddGroupRoutes(routes_);
  AddMemberRoutes(routes_);
  AddLoanRoutes(routes_);
  AddMessageRoutes(routes_);
  AddAuditRoutes(routes_);
  AddImportRoutes(routes_);
  AddCycleRoutes(routes_);
}

Dashboard::~Dashboard() = default;

void Dashboard::Handle(http::Request&& request, http::Reply reply) {
  const std::string path = request.path;
  if (path == kPrefix) {
    View v;
    v.location = "/staff/";
    return reply(Page(v, nullptr, ""));
  }
  if (path == "/staff/login") {
    if (request.method == "GET") {
      // Signed in already: straight to the home page.
      const std::string cookie = CookieValue(request.Header("cookie"), kSessionCookie);
      const SessionLimits limits{deps_.settings->staff_session_idle_s,
                                 deps_.settings->staff_session_absolute_s};
      if (!cookie.empty() &&
          Staff(deps_.store->Reader(), deps_.clock()).ResumeSession(cookie, limits).ok()) {
        return reply(Page(Redirect("/staff/"), nullptr, ""));
      }
      return reply(LoginPage(*deps_.settings, 200, "", ""));
    }
    if (request.method == "POST") return Login(std::move(request), std::move(reply));
    return reply(Page(ErrorView(405, "use GET or POST"), nullptr, ""));
  }
  if (path == "/staff/logout") {
    if (request.method != "POST") return reply(Page(ErrorView(405, "use POST"), nullptr, ""));
    return Logout(std::move(request), std::move(reply));
  }

  const int64_t now = deps_.clock();
  const SessionLimits limits{deps_.settings->staff_session_idle_s,
                             deps_.settings->staff_session_absolute_s};
  const std::string cookie = CookieValue(request.Header("cookie"), kSessionCookie);
  if (cookie.empty()) return reply(ToLogin());
  auto session = Staff(deps_.store->Reader(), now).ResumeSession(cookie, limits);
  if (!session.ok()) {
    if (session.status().code() != Status::Code::kUnauthenticated) {
      return reply(Page(FromStatus(session.status()), nullptr, ""));
    }
    return reply(ToLogin());
  }

  const Route* route = nullptr;
  bool path_known = false;
  std::map<std::string, std::string> params;
  for (const Route& r : routes_) {
    if (!api::MatchPath(r.pattern, path, &params)) continue;
    path_known = true;
    if (r.method == request.method) {
      route = &r;
      break;
    }
  }
  if (route == nullptr) {
    View v = path_known ? ErrorView(405, "this page does not take " + request.method)
                        : ErrorView(404, "no such page");
    return reply(Page(v, &session->first, session->second));
  }
  auto query = ParseFields(request.query);
  if (!query) return reply(Page(ErrorView(400, "malformed query string"), &session->first,
                                session->second));

  struct Job {
    Principal who;
    std::string csrf, cookie;
    std::map<std::string, std::string> path, query, form;
    std::string request_id;
    bool wake = false;
    bool refused = false;  // the job rolled itself back: show `view`
    std::optional<View> view;
  };
  auto job = std::make_shared<Job>();
  job->who = std::move(session->first);
  job->csrf = std::move(session->second);
  job->cookie = cookie;
  job->path = std::move(params);
  job->query = std::move(*query);
  job->request_id = deps_.request_id();
  const DomainContext ctx{deps_.pins, deps_.settings->max_pin_failures, now};

  if (request.method == "GET") {
    Unit unit(deps_.store->Reader(), ctx, outbound::SystemNowMs());
    Screen s{job->who,      job->csrf,       job->path,        job->query,
             job->form,     job->request_id, now,              *deps_.settings,
             *deps_.programme, *deps_.notifier, &job->wake};
    View v;
    try {
      v = route->handler(s, unit);
    } catch (const std::exception& e) {
      Log("error", "dashboard_failed", {{"route", route->pattern}, {"what", e.what()}});
      v = ErrorView(500, "internal error");
    }
    http::Response page = Page(v, &job->who, job->csrf);
    // Activity keeps the session alive; the page is sent once that is
    // recorded (or not: a failed touch only shortens the session).
    deps_.store->Submit(
        [job, now](store::Connection& conn) { return Staff(conn, now).TouchSession(job->cookie); },
        [page = std::move(page), reply = std::move(reply)](const Status&) mutable {
          reply(std::move(page));
        });
    return;
  }

  // POST: a form body, then one writer job: the session again (it may have
  // ended meanwhile), the CSRF token, the role, the action and its audit.
  if (!IsForm(request)) {
    return reply(Page(ErrorView(415, "send the form (application/x-www-form-urlencoded)"),
                      &job->who, job->csrf));
  }
  auto form = ParseFields(request.body);
  if (!form) return reply(Page(ErrorView(400, "malformed form body"), &job->who, job->csrf));
  job->form = std::move(*form);
  deps_.store->Submit(
      [this, job, now, ctx, limits, route](store::Connection& conn) -> Status {
        Unit unit(conn, ctx, outbound::SystemNowMs());
        auto again = unit.staff.ResumeSession(job->cookie, limits);
        if (!again.ok()) {
          job->view = Redirect("/staff/login");
          job->refused = true;
          return Status::FailedPrecondition("signed out");
        }
        job->who = std::move(again->first);
        job->csrf = std::move(again->second);
        auto sent = job->form.find("csrf");
        if (sent == job->form.end() || !ConstantTimeEquals(sent->second, job->csrf)) {
          job->view = ErrorView(403, "this form has expired or did not come from this site: "
                                     "open the page again and resubmit");
          job->refused = true;
          return Status::PermissionDenied("csrf");
        }
        if (job->who.user.role == StaffRole::kReadOnly) {
          job->view = Forbidden("change anything");
          job->refused = true;
          return Status::PermissionDenied("read only");
        }
        Screen s{job->who,         job->csrf,       job->path,       job->query,
                 job->form,        job->request_id, now,             *deps_.settings,
                 *deps_.programme, *deps_.notifier, &job->wake};
        job->view = route->handler(s, unit);
        // An error answer leaves nothing behind (the job's savepoint).
        if (job->view->status >= 400) {
          job->refused = true;
          return Status::FailedPrecondition("dashboard error answer");
        }
        return unit.staff.TouchSession(job->cookie);
      },
      [this, job, route, reply = std::move(reply)](const Status& committed) {
        // Refused (signed out, CSRF, role, an error answer): rolled back by
        // us, the view says why.
        if (job->refused) return reply(Page(*job->view, &job->who, job->csrf));
        if (!committed.ok() || !job->view) {
          Log("error", "dashboard_write_failed",
              {{"route", route->pattern},
               {"request", job->request_id},
               {"status", committed.ToString()}});
          return reply(Page(FromStatus(committed), &job->who, job->csrf));
        }
        if (job->wake && deps_.wake_outbox) deps_.wake_outbox();
        reply(Page(*job->view, &job->who, job->csrf));
      });
}

void Dashboard::Login(http::Request&& request, http::Reply reply) {
  const config::Settings& settings = *deps_.settings;
  if (!IsForm(request)) return reply(LoginPage(settings, 415, "Send the sign-in form.", ""));
  auto form = ParseFields(request.body);
  if (!form) return reply(LoginPage(settings, 400, "Send the sign-in form.", ""));
  const std::string expected = CookieValue(request.Header("cookie"), kLoginCookie);
  auto token = form->find("csrf");
  if (expected.empty() || token == form->end() || !ConstantTimeEquals(token->second, expected)) {
    return reply(LoginPage(settings, 403, "The sign-in form expired: sign in again.", ""));
  }
  const std::string name = (*form)["name"];
  const std::string password = (*form)["password"];
  const int64_t now = deps_.clock();
  const auto steady = std::chrono::steady_clock::now();
  int wait = sign_ins_by_address_.Take(
      static_cast<int64_t>(std::hash<std::string>{}(request.remote_address)), steady);
  if (wait == 0) {
    wait = sign_ins_by_name_.Take(static_cast<int64_t>(std::hash<std::string>{}(name)), steady);
  }
  if (wait > 0) {
    Log("warn", "dashboard_sign_in_throttled", {{"remote", request.remote_address}});
    http::Response r = LoginPage(settings, 429,
                                 "Too many sign-in attempts: wait " + std::to_string(wait) +
                                     " seconds and try again.",
                                 "");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return reply(std::move(r));
  }
  // The slow hash runs here, on the HTTP thread, never on the writer.
  auto who = Staff(deps_.store->Reader(), now).SignIn(name, password);
  if (!who.ok()) {
    if (who.status().code() != Status::Code::kUnauthenticated) {
      return reply(Page(FromStatus(who.status()), nullptr, ""));
    }
    Log("info", "dashboard_sign_in_refused", {{"remote", request.remote_address}});
    return reply(LoginPage(settings, 200, "Wrong name or password.",
                           name.size() <= 64 ? name : ""));
  }
  struct Job {
    Principal who;
    OpenedSession session;
    std::string request_id;
  };
  auto job = std::make_shared<Job>();
  job->who = std::move(*who);
  job->request_id = deps_.request_id();
  const DomainContext ctx{deps_.pins, settings.max_pin_failures, now};
  deps_.store->Submit(
      [job, ctx](store::Connection& conn) -> Status {
        Unit unit(conn, ctx, outbound::SystemNowMs());
        auto opened = unit.staff.OpenSession(job->who.user.id);
        if (!opened.ok()) return opened.status();
        job->session = std::move(*opened);
        AuditEntry e;
        e.actor_kind = "staff";
        e.actor = job->who.actor();
        e.action = "staff.signed_in";
        e.subject = "staff:" + std::to_string(job->who.user.id);
        e.channel = "dashboard";
        e.request_id = job->request_id;
        return unit.services.Audit(e);
      },
      [job, &settings, reply = std::move(reply)](const Status& committed) {
        if (!committed.ok()) {
          return reply(Page(FromStatus(committed), nullptr, ""));
        }
        View v;
        v.location = "/staff/";
        http::Response r = Page(v, nullptr, "");
        r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=" +
                                                 job->session.cookie + CookieAttributes(settings));
        r.headers.emplace_back("Set-Cookie", std::string(kLoginCookie) + "=" +
                                                 CookieAttributes(settings) + "; Max-Age=0");
        reply(std::move(r));
      });
}

void Dashboard::Logout(http::Request&& request, http::Reply reply) {
  const config::Settings& settings = *deps_.settings;
  const std::string cookie = CookieValue(request.Header("cookie"), kSessionCookie);
  if (cookie.empty() || !IsForm(request)) return reply(ToLogin());
  auto form = ParseFields(request.body);
  if (!form) return reply(Page(ErrorView(400, "malformed form body"), nullptr, ""));
  const int64_t now = deps_.clock();
  const SessionLimits limits{settings.staff_session_idle_s, settings.staff_session_absolute_s};
  struct Job {
    std::string cookie, sent, request_id;
    Principal who;
    bool forbidden = false;
  };
  auto job = std::make_shared<Job>();
  job->cookie = cookie;
  job->sent = (*form)["csrf"];
  job->request_id = deps_.request_id();
  const DomainContext ctx{deps_.pins, settings.max_pin_failures, now};
  deps_.store->Submit(
      [job, ctx, limits](store::Connection& conn) -> Status {
        Unit unit(conn, ctx, outbound::SystemNowMs());
        auto session = unit.staff.ResumeSession(job->cookie, limits);
        if (!session.ok()) return Status::Ok();  // signed out already
        job->who = session->first;
        if (!ConstantTimeEquals(job->sent, session->second)) {
          job->forbidden = true;
          return Status::PermissionDenied("csrf");
        }
        SHG_RETURN_IF_ERROR(unit.staff.EndSession(job->cookie));
        AuditEntry e;
        e.actor_kind = "staff";
        e.actor = job->who.actor();
        e.action = "staff.signed_out";
        e.subject = "staff:" + std::to_string(job->who.user.id);
        e.channel = "dashboard";
        e.request_id = job->request_id;
        return unit.services.Audit(e);
      },
      [job, &settings, reply = std::move(reply)](const Status& committed) {
        if (job->forbidden) {
          return reply(Page(ErrorView(403, "this form has expired: open the page again"), nullptr,
                            ""));
        }
        if (!committed.ok()) return reply(Page(FromStatus(committed), nullptr, ""));
        http::Response r = ToLogin();
        r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=" +
                                                 CookieAttributes(settings) + "; Max-Age=0");
        reply(std::move(r));
      });
}

}  // namespace shg::gateway::dashboard
