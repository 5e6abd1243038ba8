// GET  /staff/messages            failed and stuck SMS (admin, read-only)
// POST /staff/messages/{id}/retry failed|cancelled -> queued (admin)
// Bodies are not shown (a one-time PIN's is redacted anyway); phones are
// masked for staff who do not manage members.
#include "gateway/dashboard/page.h"

namespace shg::gateway::dashboard {
namespace {

constexpr int kShown = 100;

void MessageTable(Html& h, const Screen& s, const std::vector<OutboundMessage>& rows,
                  const std::string& id, bool retry) {
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", id}});
  h.open("tr").element("th", "Id").element("th", "Channel").element("th", "Kind");
  h.element("th", "To").element("th", "Status").element("th", "Attempts", {{"class", "num"}});
  h.element("th", "Last error").element("th", "Updated");
  if (retry) h.element("th", "");
  h.close("tr");
  for (const OutboundMessage& m : rows) {
    const std::string mid = std::to_string(m.id);
    h.open("tr", {{"id", id + "-" + mid}, {"data-message", mid}});
    h.element("td", mid).element("td", m.channel).element("td", m.kind);
    h.element("td", PhoneFor(s.who, m.phone)).element("td", m.status);
    h.element("td", std::to_string(m.attempts), {{"class", "num"}});
    h.element("td", m.last_error).element("td", Time(m.updated_ms / 1000));
    if (retry) {
      h.open("td");
      if (!m.sensitive) {
        h.open("form", {{"method", "post"},
                        {"action", "/staff/messages/" + mid + "/retry"},
                        {"name", "retry-message"},
                        {"class", "inline small"},
                        {"id", "retry-message-" + mid}});
        h.csrf(s.csrf).element("button", "Retry", {{"type", "submit"}}).close("form");
      } else {
        h.element("span", "one-time PIN: reset again", {{"class", "muted"}});
      }
      h.close("td");
    }
    h.close("tr");
  }
  h.close("table").close("div");
}

View MessagesPage(Screen& s, Unit& unit) {
  if (auto e = CheckOperations(s)) return *e;
  auto failed = unit.messages.List("failed", kShown);
  if (!failed.ok()) return FromStatus(failed.status());
  auto stuck = unit.messages.List("stuck", kShown);
  if (!stuck.ok()) return FromStatus(stuck.status());
  View v;
  v.title = "Messages";
  Html h;
  Notice(h, s);
  h.element("h2", "Failed (" + std::to_string(failed->size()) + ")", {{"id", "failed-heading"}});
  MessageTable(h, s, *failed, "failed-messages", s.who.IsAdmin());
  h.element("h2", "Stuck (" + std::to_string(stuck->size()) + ")", {{"id", "stuck-heading"}});
  MessageTable(h, s, *stuck, "stuck-messages", false);
  if (failed->size() == static_cast<size_t>(kShown) || stuck->size() == static_cast<size_t>(kShown)) {
    h.element("p", "Only the newest " + std::to_string(kShown) + " of each are shown.",
              {{"class", "muted"}});
  }
  v.body = h.take();
  return v;
}

View Retry(Screen& s, Unit& unit) {
  if (!s.who.IsAdmin()) return Forbidden("retry messages");
  auto id = s.PathId("id");
  if (!id) return NotFound("message");
  if (Status st = unit.messages.Retry(*id); !st.ok()) return FromStatus(st);
  *s.wake_outbox = true;
  if (Status st = s.Audit(unit, "message.retried", "message:" + std::to_string(*id)); !st.ok()) {
    return FromStatus(st);
  }
  return Redirect("/staff/messages?done=retry");
}

}  // namespace

void AddMessageRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/staff/messages", MessagesPage});
  routes.push_back({"POST", "/staff/messages/{id}/retry", Retry});
}

}  // namespace shg::gateway::dashboard
