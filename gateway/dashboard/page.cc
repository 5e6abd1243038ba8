// Shared helpers of the dashboard's screens (page.h).
#include <ctime>

#include "domain/money.h"
#include "domain/phone.h"
#include "gateway/api/api.h"
#include "gateway/dashboard/page.h"

namespace shg::gateway::dashboard {

std::optional<int64_t> Screen::PathId(const std::string& name) const {
  auto it = path.find(name);
  if (it == path.end()) return std::nullopt;
  return api::PositiveId(it->second);
}

std::string Screen::Query(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? "" : it->second;
}

std::string Screen::Field(const std::string& name) const {
  auto it = form.find(name);
  return it == form.end() ? "" : it->second;
}

int64_t Screen::QueryInt(const std::string& name) const {
  const std::string v = Query(name);
  if (v.empty() || v.size() > 18) return 0;
  int64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return n;
}

Status Screen::Audit(Unit& unit, const std::string& action, const std::string& subject,
                     const std::string& detail) const {
  AuditEntry e;
  e.actor_kind = "staff";
  e.actor = who.actor();
  e.action = action;
  e.subject = subject;
  e.channel = "dashboard";
  e.request_id = request_id;
  e.detail = detail;
  e.token_id = 0;
  return unit.services.Audit(e);
}

View ErrorView(int status, std::string_view message) {
  View v;
  v.status = status;
  v.title = status == 404 ? "Not found" : status == 403 ? "Not allowed" : "Something went wrong";
  Html h;
  h.element("p", message, {{"class", "error"}, {"id", "error"}});
  h.open("p").element("a", "Back to the home page", {{"href", "/staff/"}}).close("p");
  v.body = h.take();
  return v;
}

View NotFound(std::string_view what) { return ErrorView(404, "No such " + std::string(what) + "."); }

View Forbidden(std::string_view what) {
  return ErrorView(403, "Your role may not " + std::string(what) + ".");
}

View FromStatus(const Status& s) {
  switch (s.code()) {
    case Status::Code::kInvalidArgument: return ErrorView(422, s.message());
    case Status::Code::kNotFound: return ErrorView(404, s.message());
    case Status::Code::kAlreadyExists:
    case Status::Code::kFailedPrecondition:
    case Status::Code::kLocked: return ErrorView(409, s.message());
    case Status::Code::kPermissionDenied: return ErrorView(403, s.message());
    case Status::Code::kUnavailable:
      return ErrorView(503, "Temporarily unavailable: try again in a moment.");
    default: return ErrorView(500, "Internal error.");
  }
}

View Redirect(std::string location) {
  View v;
  v.location = std::move(location);
  return v;
}

std::optional<View> CheckGroup(const Screen& s, Unit& unit, int64_t group_id, Group* out) {
  if (s.who.user.role == StaffRole::kPartner) return Forbidden("see groups or members");
  if (!s.who.MaySeeGroup(group_id)) return NotFound("group");
  auto g = unit.services.GetGroup(group_id);
  if (!g.ok()) {
    if (g.status().code() == Status::Code::kNotFound) return NotFound("group");
    return FromStatus(g.status());
  }
  if (out != nullptr) *out = std::move(*g);
  return std::nullopt;
}

std::optional<View> CheckMember(const Screen& s, Unit& unit, int64_t member_id, Member* out) {
  if (s.who.user.role == StaffRole::kPartner) return Forbidden("see groups or members");
  auto m = unit.services.GetMember(member_id);
  if (!m.ok() || !s.who.MaySeeGroup(m->group_id)) {
    if (!m.ok() && m.status().code() != Status::Code::kNotFound) return FromStatus(m.status());
    return NotFound("member");
  }
  *out = std::move(*m);
  return std::nullopt;
}

std::optional<View> CheckOperations(const Screen& s) {
  if (!s.who.SeesAllGroups()) return Forbidden("see the operations pages");
  return std::nullopt;
}

std::string Money(int64_t minor, const std::string& currency) {
  auto c = FindCurrency(currency);
  if (!c.ok()) return currency + " " + std::to_string(minor) + " (minor units)";
  return FormatMoney(minor, *c);
}

namespace {
std::string FormatTime(int64_t unix_seconds, const char* format) {
  if (unix_seconds == 0) return "";
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}
}  // namespace

std::string Time(int64_t unix_seconds) { return FormatTime(unix_seconds, "%Y-%m-%d %H:%M UTC"); }
std::string Date(int64_t unix_seconds) { return FormatTime(unix_seconds, "%Y-%m-%d"); }

std::string PhoneFor(const Principal& who, const std::string& e164) {
  return who.MayEditMembers() ? e164 : MaskPhone(e164);
}

void NextLink(Html& h, const std::string& path, const std::string& param, int64_t value,
              std::string_view extra_query) {
  std::string href = path + "?" + param + "=" + std::to_string(value);
  if (!extra_query.empty()) href += "&" + std::string(extra_query);
  h.open("p").element("a", "Next page", {{"href", href}, {"rel", "next"},
                                         {"id", "next-" + param}}).close("p");
}

void Notice(Html& h, const Screen& s) {
  const std::string done = s.Query("done");
  std::string text;
  if (done == "pin-reset") text = "A one-time PIN was sent to her by SMS. She must change it at her next login.";
  if (done == "training") text = "Training recorded.";
  if (done == "retry") text = "The message is queued again.";
  if (done == "import") text = "Members imported.";
  if (!text.empty()) h.element("p", text, {{"class", "notice"}, {"id", "notice"}});
}

Result<std::vector<MonthTotal>> SavingsByMonth(Unit& unit, int64_t group_id) {
  Directory dir(unit.conn, unit.ctx);
  MemberFilter f;
  f.group_id = group_id;
  f.include_exited = true;  // her savings stay in the group's books
  std::map<std::string, int64_t> by_month;
  int64_t after = 0;
  while (true) {
    auto members = dir.Members(f, after, 1000);
    if (!members.ok()) return members.status();
    for (const Member& m : *members) {
      for (int offset = 0;; offset += 1000) {
        auto lines = unit.services.StatementFor(m.id, 1000, offset);
        if (!lines.ok()) return lines.status();
        for (const StatementLine& l : *lines) {
          // Posted lines only: what moved her savings account.
          const bool posted = l.kind == "reversal" || l.status == SavingStatus::kConfirmed;
          if (posted) by_month[FormatTime(l.at, "%Y-%m")] += l.amount;
        }
        if (lines->size() < 1000) break;
      }
    }
    if (members->size() < 1000) break;
    after = members->back().id;
  }
  std::vector<MonthTotal> out;
  for (const auto& [month, amount] : by_month) out.push_back({month, amount});
  return out;
}

}  // namespace shg::gateway::dashboard
