// Routes of operations:
//   GET  /api/v1/audit                ?subject= &actor= &limit= &cursor=  newest first
//   GET  /api/v1/messages             ?status= &limit= &cursor=  the SMS outbox, newest first
//   POST /api/v1/messages/{id}/retry  failed|cancelled -> queued (as `outbox retry`)
//   POST /api/v1/messages/{id}/cancel queued|failed -> cancelled (as `outbox cancel`)
// Admin and read-only staff read both lists (403 for the other roles); only
// admin retries or cancels. A message's phone is masked, and a sensitive
// body (a one-time PIN) is never shown, whatever its status (the outbox
// redacts it only once sent). A retry or cancel that does not fit the
// message's status is 409 with "status" (its status now).
#include "domain/phone.h"
#include "domain/reports.h"
#include "gateway/api/route.h"

namespace shg::gateway::api {
namespace {

constexpr char kHiddenBody[] = "[hidden: one-time secret]";

std::optional<ApiAnswer> CheckReadsOperations(const ApiCall& call) {
  const StaffRole r = call.who.user.role;
  if (r != StaffRole::kAdmin && r != StaffRole::kReadOnly) return Forbidden("see operations");
  return std::nullopt;
}

json::object MessageJson(const OutboundMessage& m) {
  return {{"id", m.id},
          {"channel", m.channel},
          {"member_id", m.member_id == 0 ? json::value(nullptr) : json::value(m.member_id)},
          {"phone", MaskPhone(m.phone)},
          {"kind", m.kind},
          {"language", m.language},
          {"status", m.status},
          {"attempts", m.attempts},
          {"sensitive", m.sensitive},
          {"body", m.sensitive ? std::string(kHiddenBody) : m.body},
          {"segments", m.segments},
          {"last_error", m.last_error},
          {"provider_message_id", m.provider_message_id},
          {"created_ms", m.created_ms},
          {"updated_ms", m.updated_ms}};
}

const std::vector<std::string> kMessageColumns = {"id",
                                                  "channel",
                                                  "member_id",
                                                  "phone",
                                                  "kind",
                                                  "language",
                                                  "status",
                                                  "attempts",
                                                  "sensitive",
                                                  "body",
                                                  "segments",
                                                  "last_error",
                                                  "provider_message_id",
                                                  "created_ms",
                                                  "updated_ms"};

ApiAnswer ListAudit(ApiCall& call, Unit& unit) {
  if (auto e = CheckReadsOperations(call)) return *e;
  Page page;
  if (auto e = ParsePage(call, &page)) return *e;
  AuditFilter f;
  f.subject = call.Query("subject");
  f.actor = call.Query("actor");
  // Newest first: the cursor is the last (oldest) id shown.
  auto rows = Reports(unit.conn, call.now).Audit(f, page.after_id, page.limit);
  if (!rows.ok()) return FromStatus(rows.status());
  Table t;
  t.columns = {"id",      "at",      "actor_kind", "actor",  "action",
               "subject", "channel", "request_id", "detail", "token_id"};
  for (const AuditRow& a : *rows) {
    t.rows.push_back(
        {{"id", a.id},
         {"at", a.at},
         {"actor_kind", a.actor_kind},
         {"actor", a.actor},
         {"action", a.action},
         {"subject", a.subject},
         {"channel", a.channel},
         {"request_id", a.request_id},
         {"detail", a.detail},
         {"token_id", a.token_id == 0 ? json::value(nullptr) : json::value(a.token_id)}});
  }
  if (static_cast<int>(rows->size()) == page.limit) t.next_cursor = EncodeCursor(rows->back().id);
  return List(std::move(t));
}

ApiAnswer ListMessages(ApiCall& call, Unit& unit) {
  if (auto e = CheckReadsOperations(call)) return *e;
  Page page;
  if (auto e = ParsePage(call, &page)) return *e;
  const std::string status = call.Query("status");
  if (!status.empty() && status != "queued" && status != "sending" && status != "sent" &&
      status != "delivered" && status != "failed" && status != "cancelled") {
    return Error(400, "bad_query", "status: queued, sending, sent, delivered, failed or cancelled",
                 "status");
  }
  auto ids = Reports(unit.conn, call.now).MessageIds(status, page.after_id, page.limit);
  if (!ids.ok()) return FromStatus(ids.status());
  Table t;
  t.columns = kMessageColumns;
  for (int64_t id : *ids) {
    auto m = unit.messages.Get(id);
    if (!m.ok()) return FromStatus(m.status());
    t.rows.push_back(MessageJson(*m));
  }
  if (static_cast<int>(ids->size()) == page.limit) t.next_cursor = EncodeCursor(ids->back());
  return List(std::move(t));
}

ApiAnswer Operate(ApiCall& call, Unit& unit, bool retry) {
  if (call.who.user.role != StaffRole::kAdmin) {
    return Forbidden(retry ? "retry messages" : "cancel messages");
  }
  auto id = call.PathId("id");
  if (!id) return Error(404, "not_found", "no such message");
  auto before = unit.messages.Get(*id);
  if (!before.ok()) {
    return before.status().code() == Status::Code::kNotFound
               ? Error(404, "not_found", "no such message")
               : FromStatus(before.status());
  }
  Status s = retry ? unit.messages.Retry(*id) : unit.messages.Cancel(*id);
  if (!s.ok()) {
    if (s.code() != Status::Code::kFailedPrecondition) return FromStatus(s);
    ApiAnswer a = Error(409, "conflict", s.message());
    a.body.as_object()["status"] = before->status;
    return a;
  }
  if (Status a = call.Audit(unit, retry ? "message.retried" : "message.cancelled",
                            "message:" + std::to_string(*id), "from=" + before->status);
      !a.ok()) {
    return FromStatus(a);
  }
  if (retry) *call.wake_outbox = true;
  auto after = unit.messages.Get(*id);
  if (!after.ok()) return FromStatus(after.status());
  return Ok(MessageJson(*after));
}

ApiAnswer Retry(ApiCall& call, Unit& unit) { return Operate(call, unit, true); }
ApiAnswer Cancel(ApiCall& call, Unit& unit) { return Operate(call, unit, false); }

}  // namespace

void AddOpsRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/audit", ListAudit});
  routes.push_back({"GET", "/api/v1/messages", ListMessages});
  routes.push_back({"POST", "/api/v1/messages/{id}/retry", Retry});
  routes.push_back({"POST", "/api/v1/messages/{id}/cancel", Cancel});
}

}  // namespace shg::gateway::api
