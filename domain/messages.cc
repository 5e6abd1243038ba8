#include "domain/messages.h"

#include <algorithm>

namespace shg {

using store::Statement;

namespace {

constexpr char kRedacted[] = "[redacted after sending]";

constexpr char kInsert[] =
    "INSERT INTO messages (channel, member_id, phone, kind, language, body, sensitive, encoding,"
    " segments, status, attempts, next_attempt_ms, dedupe_key, created_ms, updated_ms)"
    " VALUES (?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, NULLIF(?, ''), ?, ?)"
    " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id";
constexpr char kByDedupeKey[] = "SELECT id FROM messages WHERE dedupe_key = ?";
// The redundant `status IN ('queued', 'sending')` is the WHERE of the
// partial index messages_due: SQLite uses a partial index only when the
// query repeats that term, and without it these queries read every queued
// row through messages_status (and sort them) on each lease round.
#define SHG_SELECT_DUE                                                              \
  "SELECT id FROM messages WHERE channel = ? AND status IN ('queued', 'sending')"    \
  " AND ((status = 'queued' AND next_attempt_ms <= ?)"                                \
  " OR (status = 'sending' AND lease_until_ms <= ?)) ORDER BY next_attempt_ms, id LIMIT ?"
// PostgreSQL: rows another instance is leasing right now are skipped.
constexpr store::DialectSql kSelectDue = {SHG_SELECT_DUE, SHG_SELECT_DUE " FOR UPDATE SKIP LOCKED"};
// Per-recipient order (member SMS channels): as kSelectDue, without the rows
// that have an OLDER unfinished member SMS to the same phone. The subquery
// repeats the WHERE of the partial index messages_open_by_phone (migration
// 4) word for word, so that SQLite uses it: one index probe per row.
#define SHG_DUE_IN_ORDER_SELECT                                                        \
  "SELECT id FROM messages WHERE channel = ? AND status IN ('queued', 'sending')"      \
  " AND ((status = 'queued' AND next_attempt_ms <= ?)"                                  \
  " OR (status = 'sending' AND lease_until_ms <= ?))"                                   \
  " AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.phone = messages.phone"            \
  " AND o.id < messages.id AND o.status IN ('queued', 'sending')"                       \
  " AND o.channel NOT GLOB 'partner:*')"                                                \
  " ORDER BY next_attempt_ms, id LIMIT ?"
// PostgreSQL: each phone's first open member SMS (DISTINCT ON over the
// partial index messages_open_by_phone, whose WHERE it repeats), joined to
// the due rows. The NOT EXISTS form is planned as a nested loop over the
// whole open set when the table's statistics are young (a burst queued
// before autovacuum's ANALYZE): 1,000 queued rows took 0.3 s per lease, this
// 1.3 ms. Rows another instance is leasing right now are skipped, not
// waited for.
#define SHG_FIRST_OPEN_PER_PHONE                                                        \
  " JOIN (SELECT DISTINCT ON (phone) id FROM messages"                                  \
  " WHERE status IN ('queued', 'sending') AND channel !~ '^partner:'"                   \
  " ORDER BY phone, id) first_open ON first_open.id = m.id"
constexpr store::DialectSql kSelectDueInOrder = {
    SHG_DUE_IN_ORDER_SELECT,
    "SELECT m.id FROM messages m" SHG_FIRST_OPEN_PER_PHONE
    " WHERE m.channel = ? AND m.status IN ('queued', 'sending')"
    " AND ((m.status = 'queued' AND m.next_attempt_ms <= ?)"
    " OR (m.status = 'sending' AND m.lease_until_ms <= ?))"
    " ORDER BY m.next_attempt_ms, m.id LIMIT ? FOR UPDATE OF m SKIP LOCKED"};
constexpr char kLease[] =
    "UPDATE messages SET status = 'sending', attempts = attempts + 1, lease_until_ms = ?,"
    " updated_ms = ? WHERE id = ?";
constexpr char kNextDue[] =
    "SELECT MIN(next_attempt_ms) FROM messages WHERE channel = ?"
    " AND status IN ('queued', 'sending') AND status = 'queued'";
// A queued row waiting behind an older one to its phone is not due (the
// older one's outcome wakes the dispatcher); same subquery as kSelectDueInOrder.
constexpr store::DialectSql kNextDueInOrder = {
    "SELECT MIN(next_attempt_ms) FROM messages WHERE channel = ?"
    " AND status IN ('queued', 'sending') AND status = 'queued'"
    " AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.phone = messages.phone"
    " AND o.id < messages.id AND o.status IN ('queued', 'sending')"
    " AND o.channel NOT GLOB 'partner:*')",
    "SELECT MIN(m.next_attempt_ms) FROM messages m" SHG_FIRST_OPEN_PER_PHONE
    " WHERE m.channel = ? AND m.status = 'queued'"};
constexpr char kNextLeaseExpiry[] =
    "SELECT MIN(lease_until_ms) FROM messages WHERE channel = ? AND status = 'sending'";
constexpr char kGet[] =
    "SELECT id, channel, COALESCE(member_id, 0), phone, kind, language, body, sensitive, encoding,"
    " segments, status, attempts, next_attempt_ms, COALESCE(lease_until_ms, 0),"
    " COALESCE(provider_message_id, ''), COALESCE(provider_status, ''),"
    " COALESCE(last_error, ''), created_ms, updated_ms FROM messages WHERE id = ?";
constexpr char kAccept[] =
    "UPDATE messages SET provider_message_id = NULLIF(?, ''), sent_ms = ?, updated_ms = ?,"
    " lease_until_ms = NULL, last_error = NULL,"
    " status = CASE WHEN status = 'sending' THEN 'sent' ELSE status END,"
    " body = CASE WHEN sensitive = 1 THEN ? ELSE body END WHERE id = ?";
constexpr char kRetry[] =
    "UPDATE messages SET status = 'queued', next_attempt_ms = ?, last_error = ?,"
    " lease_until_ms = NULL, updated_ms = ?, attempts = attempts - ? WHERE id = ?"
    " AND status = 'sending'";
constexpr char kFail[] =
    "UPDATE messages SET status = 'failed', last_error = ?, lease_until_ms = NULL,"
    " updated_ms = ?, final_ms = ?, body = CASE WHEN sensitive = 1 THEN ? ELSE body END"
    " WHERE id = ? AND status IN ('queued', 'sending')";
constexpr char kByProviderId[] =
    "SELECT id FROM messages WHERE channel = ? AND provider_message_id = ? ORDER BY id DESC"
    " LIMIT 1";
constexpr char kStatusOf[] = "SELECT status FROM messages WHERE id = ?";
constexpr char kFinalize[] =
    "UPDATE messages SET status = ?, provider_status = ?, last_error = NULLIF(?, ''),"
    " updated_ms = ?, final_ms = ?, lease_until_ms = NULL,"
    " body = CASE WHEN sensitive = 1 THEN ? ELSE body END WHERE id = ?";
constexpr char kSetProviderStatus[] =
    "UPDATE messages SET provider_status = ?, updated_ms = ? WHERE id = ?";
constexpr char kInsertEvent[] =
    "INSERT INTO message_events (message_id, at_ms, event, detail) VALUES (?, ?, ?, ?)";
constexpr char kInsertOrphan[] =
    "INSERT INTO orphan_reports (channel, provider_message_id, state, provider_status, reason,"
    " at_ms) VALUES (?, ?, ?, ?, ?, ?)";
constexpr char kOrphansFor[] =
    "SELECT id, state, provider_status, reason FROM orphan_reports"
    " WHERE channel = ? AND provider_message_id = ? ORDER BY id";
constexpr char kDeleteOrphan[] = "DELETE FROM orphan_reports WHERE id = ?";
constexpr char kChannelOf[] = "SELECT channel FROM messages WHERE id = ?";
constexpr char kInsertInbound[] =
    "INSERT INTO inbound_messages (channel, provider_id, phone, member_id, text, received_ms)"
    " VALUES (?, ?, ?, NULLIF(?, 0), ?, ?) ON CONFLICT (channel, provider_id) DO NOTHING";
constexpr char kClaimUnregistered[] =
    "INSERT INTO unregistered_replies (phone, day) VALUES (?, ?) ON CONFLICT DO NOTHING";
constexpr char kListAny[] =
    "SELECT id FROM messages ORDER BY id DESC LIMIT ?";
constexpr char kListStatus[] =
    "SELECT id FROM messages WHERE status = ? ORDER BY id DESC LIMIT ?";
constexpr char kListStuck[] =
    "SELECT id FROM messages WHERE status IN ('queued', 'sending')"
    " AND (next_attempt_ms < ? OR attempts > 0) ORDER BY id DESC LIMIT ?";
constexpr char kRetryOp[] =
    "UPDATE messages SET status = 'queued', attempts = 0, next_attempt_ms = ?, updated_ms = ?,"
    " final_ms = NULL, last_error = NULL WHERE id = ? AND status IN ('failed', 'cancelled')"
    " AND sensitive = 0";
constexpr char kCancelOp[] =
    "UPDATE messages SET status = 'cancelled', updated_ms = ?, final_ms = ?, lease_until_ms = NULL,"
    " body = CASE WHEN sensitive = 1 THEN ? ELSE body END"
    " WHERE id = ? AND status IN ('queued', 'failed')";
constexpr char kStats[] =
    "SELECT channel, COUNT(*), MIN(created_ms) FROM messages"
    " WHERE status IN ('queued', 'sending') GROUP BY channel ORDER BY channel";
constexpr char kEvents[] =
    "SELECT event, detail FROM message_events WHERE message_id = ? ORDER BY id";

OutboundMessage ReadMessage(const Statement& st) {
  OutboundMessage m;
  m.id = st.Int(0);
  m.channel = st.Text(1);
  m.member_id = st.Int(2);
  m.phone = st.Text(3);
  m.kind = st.Text(4);
  m.language = st.Text(5);
  m.body = st.Text(6);
  m.sensitive = st.Int(7) != 0;
  m.encoding = st.Text(8);
  m.segments = static_cast<int>(st.Int(9));
  m.status = st.Text(10);
  m.attempts = static_cast<int>(st.Int(11));
  m.next_attempt_ms = st.Int(12);
  m.lease_until_ms = st.Int(13);
  m.provider_message_id = st.Text(14);
  m.provider_status = st.Text(15);
  m.last_error = st.Text(16);
  m.created_ms = st.Int(17);
  m.updated_ms = st.Int(18);
  return m;
}

bool IsE164(const std::string& phone) {
  if (phone.size() < 8 || phone.size() > 16 || phone[0] != '+' || phone[1] == '0') return false;
  return std::all_of(phone.begin() + 1, phone.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Ids selected by a one-column query, then read one by one (the lists are
// short: operator views and leases).
Result<std::vector<int64_t>> Ids(Statement& st) {
  return store::CollectRows(st, [](const Statement& row) { return row.Int(0); });
}

const char* kStateNames[] = {"sent", "buffered", "delivered", "failed"};

Result<ReportedState> StateFromName(const std::string& name) {
  for (int i = 0; i < 4; ++i) {
    if (name == kStateNames[i]) return static_cast<ReportedState>(i);
  }
  return Status::Internal("unknown stored report state");
}

}  // namespace

const char* ReportedStateName(ReportedState s) { return kStateNames[static_cast<int>(s)]; }

Result<int64_t> Messages::Enqueue(const NewMessage& m) {
  if (m.channel.empty()) return Status::InvalidArgument("a message needs a channel");
  if (m.body.empty()) return Status::InvalidArgument("a message needs a body");
  if (!IsE164(m.phone)) return Status::InvalidArgument("recipient is not an E.164 number");
  if (m.encoding != "gsm7" && m.encoding != "ucs2") {
    return Status::InvalidArgument("encoding must be gsm7 or ucs2");
  }
  if (m.segments < 1) return Status::InvalidArgument("segments must be at least 1");
  Statement& ins = db_.Prepare(kInsert);
  SHG_RETURN_IF_ERROR(ins.Bind(1, m.channel)
                          .Bind(2, m.member_id)
                          .Bind(3, m.phone)
                          .Bind(4, m.kind)
                          .Bind(5, m.language)
                          .Bind(6, m.body)
                          .Bind(7, static_cast<int64_t>(m.sensitive ? 1 : 0))
                          .Bind(8, m.encoding)
                          .Bind(9, static_cast<int64_t>(m.segments))
                          .Bind(10, now_ms_)
                          .Bind(11, m.dedupe_key)
                          .Bind(12, now_ms_)
                          .Bind(13, now_ms_)
                          .Run());
  if (db_.Changes() == 1) {
    int64_t id = db_.ReturnedId();
    SHG_RETURN_IF_ERROR(AddEvent(id, "queued", m.kind));
    return id;
  }
  Statement& st = db_.Prepare(kByDedupeKey);
  st.Bind(1, m.dedupe_key);
  return store::QueryOne(st, [](const Statement& row) { return row.Int(0); },
                         Status::Internal("message insert ignored without a dedupe match"));
}

bool IsMemberSmsChannel(std::string_view channel) {
  return channel.substr(0, std::string_view(kReferralChannelPrefix).size()) !=
         kReferralChannelPrefix;
}

Result<std::vector<OutboundMessage>> Messages::LeaseDue(const std::string& channel, int limit,
                                                        int64_t lease_ms) {
  Statement& sel = db_.Prepare(IsMemberSmsChannel(channel) ? kSelectDueInOrder.In(db_.dialect()) : kSelectDue.In(db_.dialect()));
  sel.Bind(1, channel).Bind(2, now_ms_).Bind(3, now_ms_).Bind(4, static_cast<int64_t>(limit));
  auto ids = Ids(sel);
  if (!ids.ok()) return ids.status();
  std::vector<OutboundMessage> out;
  out.reserve(ids->size());
  for (int64_t id : *ids) {
    SHG_RETURN_IF_ERROR(
        db_.Prepare(kLease).Bind(1, now_ms_ + lease_ms).Bind(2, now_ms_).Bind(3, id).Run());
    auto m = Get(id);
    if (!m.ok()) return m.status();
    out.push_back(std::move(*m));
  }
  return out;
}

Result<std::optional<int64_t>> Messages::NextDue(const std::string& channel) {
  std::optional<int64_t> next;
  for (const char* sql :
       {IsMemberSmsChannel(channel) ? kNextDueInOrder.In(db_.dialect()) : kNextDue, kNextLeaseExpiry}) {
    Statement& st = db_.Prepare(sql);
    st.Bind(1, channel);
    Result<std::optional<bool>> read = store::QueryOptional(st, [&next](const Statement& row) {
      if (!row.IsNull(0)) next = next ? std::min(*next, row.Int(0)) : row.Int(0);
      return true;
    });
    if (!read.ok()) return read.status();
  }
  return next;
}

Result<OutboundMessage> Messages::Get(int64_t id) {
  Statement& st = db_.Prepare(kGet);
  st.Bind(1, id);
  return store::QueryOne(st, ReadMessage, Status::NotFound("no message " + std::to_string(id)));
}

Status Messages::MarkAccepted(int64_t id, const std::string& provider_message_id) {
  return store::InSavepoint(db_, [&]() -> Status {
    SHG_RETURN_IF_ERROR(db_.Prepare(kAccept)
                            .Bind(1, provider_message_id)
                            .Bind(2, now_ms_)
                            .Bind(3, now_ms_)
                            .Bind(4, std::string_view(kRedacted))
                            .Bind(5, id)
                            .Run());
    if (db_.Changes() == 0) return Status::NotFound("no message " + std::to_string(id));
    SHG_RETURN_IF_ERROR(AddEvent(id, "accepted", provider_message_id));
    if (provider_message_id.empty()) return Status::Ok();
    std::string channel;
    {
      Statement& st = db_.Prepare(kChannelOf);
      st.Bind(1, id);
      Result<std::optional<std::string>> found =
          store::QueryOptional(st, [](const Statement& row) { return row.Text(0); });
      if (!found.ok()) return found.status();
      channel = found->value_or(std::string());
    }
    struct Orphan {
      int64_t id;
      std::string state, provider_status, reason;
    };
    std::vector<Orphan> orphans;
    {
      Statement& st = db_.Prepare(kOrphansFor);
      st.Bind(1, channel).Bind(2, provider_message_id);
      SHG_RETURN_IF_ERROR(store::ForEachRow(st, [&orphans](const Statement& row) {
        orphans.push_back({row.Int(0), row.Text(1), row.Text(2), row.Text(3)});
      }));
    }
    for (const Orphan& o : orphans) {
      auto state = StateFromName(o.state);
      if (!state.ok()) return state.status();
      ReportMatch match;
      SHG_RETURN_IF_ERROR(ApplyToMessage(id, *state, o.provider_status, o.reason, &match));
      SHG_RETURN_IF_ERROR(db_.Prepare(kDeleteOrphan).Bind(1, o.id).Run());
    }
    return Status::Ok();
  });
}

Status Messages::MarkRetry(int64_t id, int64_t next_attempt_ms, const std::string& error,
                           bool count_attempt) {
  SHG_RETURN_IF_ERROR(db_.Prepare(kRetry)
                          .Bind(1, next_attempt_ms)
                          .Bind(2, error)
                          .Bind(3, now_ms_)
                          .Bind(4, static_cast<int64_t>(count_attempt ? 0 : 1))
                          .Bind(5, id)
                          .Run());
  if (db_.Changes() == 0) {
    return Status::FailedPrecondition("message " + std::to_string(id) + " is not being sent");
  }
  return AddEvent(id, count_attempt ? "retry" : "throttled", error);
}

Status Messages::MarkFailed(int64_t id, const std::string& error) {
  SHG_RETURN_IF_ERROR(db_.Prepare(kFail)
                          .Bind(1, error)
                          .Bind(2, now_ms_)
                          .Bind(3, now_ms_)
                          .Bind(4, std::string_view(kRedacted))
                          .Bind(5, id)
                          .Run());
  if (db_.Changes() == 0) {
    return Status::FailedPrecondition("message " + std::to_string(id) + " is not queued or sending");
  }
  return AddEvent(id, "failed", error);
}

Status Messages::ApplyToMessage(int64_t id, ReportedState state,
                                const std::string& provider_status, const std::string& reason,
                                ReportMatch* match) {
  std::string status;
  {
    Statement& st = db_.Prepare(kStatusOf);
    st.Bind(1, id);
    Result<std::string> found =
        store::QueryOne(st, [](const Statement& row) { return row.Text(0); },
                        Status::NotFound("no message " + std::to_string(id)));
    if (!found.ok()) return found.status();
    status = std::move(*found);
  }
  std::string detail = provider_status;
  if (!reason.empty()) detail += " (" + reason + ")";
  const bool final_report = state == ReportedState::kDelivered || state == ReportedState::kFailed;
  // A delivered report for a message queued for a retry means an earlier
  // attempt did reach the provider (e.g. its answer timed out): sending it
  // again would give her a second copy.
  const bool open = status == "sending" || status == "sent" ||
                    (status == "queued" && state == ReportedState::kDelivered);
  if (open && final_report) {
    const char* to = state == ReportedState::kDelivered ? "delivered" : "failed";
    SHG_RETURN_IF_ERROR(db_.Prepare(kFinalize)
                            .Bind(1, std::string_view(to))
                            .Bind(2, provider_status)
                            .Bind(3, reason)
                            .Bind(4, now_ms_)
                            .Bind(5, now_ms_)
                            .Bind(6, std::string_view(kRedacted))
                            .Bind(7, id)
                            .Run());
    *match = ReportMatch::kApplied;
  } else if (open) {
    SHG_RETURN_IF_ERROR(
        db_.Prepare(kSetProviderStatus).Bind(1, provider_status).Bind(2, now_ms_).Bind(3, id).Run());
    *match = ReportMatch::kApplied;
  } else {
    *match = ReportMatch::kStale;
  }
  return AddEvent(id, std::string("report:") + ReportedStateName(state), detail);
}

Result<ReportMatch> Messages::ApplyReport(const std::string& channel, int64_t message_id,
                                          const std::string& provider_message_id,
                                          ReportedState state, const std::string& provider_status,
                                          const std::string& reason) {
  if (message_id == 0 && provider_message_id.empty()) {
    return Status::InvalidArgument("a delivery report needs a message id");
  }
  int64_t id = message_id;
  if (id != 0) {
    Statement& st = db_.Prepare(kChannelOf);
    st.Bind(1, id);
    Result<std::optional<std::string>> found =
        store::QueryOptional(st, [](const Statement& row) { return row.Text(0); });
    if (!found.ok()) return found.status();
    // Our id from another channel's callback is not this channel's message.
    if (!found->has_value() || **found != channel) return ReportMatch::kUnknown;
  } else {
    Statement& st = db_.Prepare(kByProviderId);
    st.Bind(1, channel).Bind(2, provider_message_id);
    Result<int64_t> found = store::QueryInt(st, 0);  // 0: not (yet) recorded
    if (!found.ok()) return found.status();
    id = *found;
  }
  if (id == 0) {
    // The report may have overtaken the recording of the send's answer.
    SHG_RETURN_IF_ERROR(db_.Prepare(kInsertOrphan)
                            .Bind(1, channel)
                            .Bind(2, provider_message_id)
                            .Bind(3, std::string_view(ReportedStateName(state)))
                            .Bind(4, provider_status)
                            .Bind(5, reason)
                            .Bind(6, now_ms_)
                            .Run());
    return ReportMatch::kUnknown;
  }
  ReportMatch match = ReportMatch::kApplied;
  SHG_RETURN_IF_ERROR(ApplyToMessage(id, state, provider_status, reason, &match));
  return match;
}

Result<bool> Messages::RecordInbound(const std::string& channel, const std::string& provider_id,
                                     const std::string& phone, int64_t member_id,
                                     const std::string& text) {
  SHG_RETURN_IF_ERROR(db_.Prepare(kInsertInbound)
                          .Bind(1, channel)
                          .Bind(2, provider_id)
                          .Bind(3, phone)
                          .Bind(4, member_id)
                          .Bind(5, text)
                          .Bind(6, now_ms_)
                          .Run());
  return db_.Changes() == 1;
}

Result<bool> Messages::ClaimUnregisteredReply(const std::string& phone) {
  const int64_t day = now_ms_ / 86400000;
  SHG_RETURN_IF_ERROR(db_.Prepare(kClaimUnregistered).Bind(1, phone).Bind(2, day).Run());
  return db_.Changes() == 1;
}

Result<std::vector<OutboundMessage>> Messages::List(const std::string& status, int limit,
                                                    int64_t stuck_after_ms) {
  if (limit < 1 || limit > 10000) return Status::InvalidArgument("limit must be 1..10000");
  Result<std::vector<int64_t>> ids = std::vector<int64_t>();
  if (status.empty()) {
    Statement& st = db_.Prepare(kListAny);
    st.Bind(1, static_cast<int64_t>(limit));
    ids = Ids(st);
  } else if (status == "stuck") {
    Statement& st = db_.Prepare(kListStuck);
    st.Bind(1, now_ms_ - stuck_after_ms).Bind(2, static_cast<int64_t>(limit));
    ids = Ids(st);
  } else {
    static constexpr const char* kStatuses[] = {"queued", "sending",  "sent",
                                                "delivered", "failed", "cancelled"};
    if (std::find(std::begin(kStatuses), std::end(kStatuses), status) == std::end(kStatuses)) {
      return Status::InvalidArgument(
          "status must be queued, sending, sent, delivered, failed, cancelled or stuck");
    }
    Statement& st = db_.Prepare(kListStatus);
    st.Bind(1, status).Bind(2, static_cast<int64_t>(limit));
    ids = Ids(st);
  }
  if (!ids.ok()) return ids.status();
  std::vector<OutboundMessage> out;
  for (int64_t id : *ids) {
    auto m = Get(id);
    if (!m.ok()) return m.status();
    out.push_back(std::move(*m));
  }
  return out;
}

Status Messages::Retry(int64_t id) {
  SHG_RETURN_IF_ERROR(
      db_.Prepare(kRetryOp).Bind(1, now_ms_).Bind(2, now_ms_).Bind(3, id).Run());
  if (db_.Changes() == 0) {
    auto m = Get(id);
    if (!m.ok()) return m.status();
    if (m->sensitive && (m->status == "failed" || m->status == "cancelled")) {
      // Its body is redacted: a retry would send the placeholder.
      return Status::FailedPrecondition("message " + std::to_string(id) +
                                        " held a one-time secret and was redacted; issue a new one");
    }
    return Status::FailedPrecondition("message " + std::to_string(id) + " is " + m->status +
                                      "; only failed or cancelled messages can be retried");
  }
  return AddEvent(id, "operator_retry", "");
}

Status Messages::Cancel(int64_t id) {
  SHG_RETURN_IF_ERROR(db_.Prepare(kCancelOp)
                          .Bind(1, now_ms_)
                          .Bind(2, now_ms_)
                          .Bind(3, std::string_view(kRedacted))
                          .Bind(4, id)
                          .Run());
  if (db_.Changes() == 0) {
    auto m = Get(id);
    if (!m.ok()) return m.status();
    return Status::FailedPrecondition("message " + std::to_string(id) + " is " + m->status +
                                      "; only queued or failed messages can be cancelled");
  }
  return AddEvent(id, "operator_cancel", "");
}

Result<std::vector<QueueStats>> Messages::Stats() {
  Statement& st = db_.Prepare(kStats);
  return store::CollectRows(
      st, [](const Statement& row) { return QueueStats{row.Text(0), row.Int(1), row.Int(2)}; });
}

Result<std::vector<std::string>> Messages::Events(int64_t id) {
  Statement& st = db_.Prepare(kEvents);
  st.Bind(1, id);
  return store::CollectRows(st, [](const Statement& row) {
    std::string e = row.Text(0);
    std::string d = row.Text(1);
    return d.empty() ? e : e + " " + d;
  });
}

Status Messages::AddEvent(int64_t id, const std::string& event, const std::string& detail) {
  return db_.Prepare(kInsertEvent).Bind(1, id).Bind(2, now_ms_).Bind(3, event).Bind(4, detail).Run();
}

}  // namespace shg
