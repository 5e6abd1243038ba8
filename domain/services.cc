// Services: training, audit, dialog sessions and the ledger check. Groups,
// members and PINs are in members.cc; savings and balances in savings.cc.
#include "domain/services.h"

#include <string>

#include "domain/ledger.h"

namespace shg {
namespace {

using store::Statement;

constexpr char kUpsertModule[] =
    "INSERT INTO training_modules (id, step, title) VALUES (?, ?, ?)"
    " ON CONFLICT (id) DO UPDATE SET step = excluded.step, title = excluded.title";
constexpr char kMemberExists[] = "SELECT 1 FROM members WHERE id = ?";
constexpr char kModuleExists[] = "SELECT 1 FROM training_modules WHERE id = ?";
// The first completion stands: recording it again changes nothing.
constexpr char kInsertTraining[] =
    "INSERT INTO training_records (member_id, module_id, completed_at, recorded_by)"
    " VALUES (?, ?, ?, ?) ON CONFLICT (member_id, module_id) DO NOTHING";
// Modules of steps 1 and 2, and how many of them she has completed.
constexpr char kTrainingProgress[] =
    "SELECT COUNT(*), COUNT(r.module_id) FROM training_modules t"
    " LEFT JOIN training_records r ON r.module_id = t.id AND r.member_id = ?"
    " WHERE t.step IN (1, 2)";
constexpr char kInsertAudit[] =
    "INSERT INTO audit_log (at, actor_kind, actor, action, subject, channel, request_id, detail)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
// A staff API action also names its token (migration 7).
constexpr char kInsertAuditWithToken[] =
    "INSERT INTO audit_log (at, actor_kind, actor, action, subject, channel, request_id, detail,"
    " token_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kLoadSession[] =
    "SELECT phone, state, step, answer, ended, updated_at, expires_at, network,"
    " COALESCE(member_id, 0), phone_key FROM ussd_sessions"
    " WHERE channel = ? AND session_id = ? AND expires_at >= ?";
constexpr char kLatestOtherSession[] =
    "SELECT channel, session_id, phone, state, step, answer, ended, updated_at, expires_at,"
    " network FROM ussd_sessions WHERE member_id = ? AND updated_at >= ? AND ended = 0"
    " AND NOT (channel = ? AND session_id = ?) ORDER BY updated_at DESC, id DESC LIMIT 1";
constexpr char kEndSession[] =
    "UPDATE ussd_sessions SET ended = 1 WHERE channel = ? AND session_id = ?";
constexpr char kSaveSession[] =
    "INSERT INTO ussd_sessions (channel, session_id, phone, state, step, answer, ended,"
    " updated_at, expires_at, network, member_id, phone_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " ?, NULLIF(?, 0), ?) ON CONFLICT (channel, session_id) DO UPDATE SET phone = excluded.phone,"
    " state = excluded.state, step = excluded.step, answer = excluded.answer,"
    " ended = excluded.ended, updated_at = excluded.updated_at, expires_at = excluded.expires_at,"
    " network = excluded.network";
// Separate from the upsert so that the member index is only written when a
// session's member is identified, not at every step.
constexpr char kSetSessionMember[] =
    "UPDATE ussd_sessions SET member_id = NULLIF(?, 0) WHERE channel = ? AND session_id = ?";
constexpr char kTimedOutSessions[] =
    "SELECT channel, network, COUNT(*) FROM ussd_sessions WHERE expires_at < ? AND ended = 0"
    " GROUP BY channel, network";
constexpr char kUnendedSessionsToPurge[] =
    "SELECT channel, session_id, state, member_id FROM ussd_sessions"
    " WHERE expires_at < ? AND ended = 0 AND member_id IS NOT NULL ORDER BY id";
constexpr char kPurgeSessions[] = "DELETE FROM ussd_sessions WHERE expires_at < ?";
constexpr char kActiveSessions[] =
    "SELECT COUNT(*) FROM ussd_sessions WHERE expires_at >= ? AND ended = 0";

// Binds parameters 1..9 of the session upsert, in column order.
Statement& BindSession(Statement& st, const SessionRecord& s, int64_t now) {
  return st.Bind(1, s.channel)
      .Bind(2, s.session_id)
      .Bind(3, s.phone)
      .Bind(4, s.state)
      .Bind(5, static_cast<int64_t>(s.step))
      .Bind(6, s.answer)
      .Bind(7, static_cast<int64_t>(s.ended ? 1 : 0))
      .Bind(8, s.updated_at != 0 ? s.updated_at : now)
      .Bind(9, s.expires_at);
}

bool IsActorKind(std::string_view s) {
  return s == "member" || s == "staff" || s == "system" || s == "partner";
}

}  // namespace

// ----------------------------------------------------------------- training

Status Services::UpsertTrainingModule(const std::string& module_id, int step,
                                      const std::string& title) {
  if (module_id.empty() || title.empty()) {
    return Status::InvalidArgument("a training module needs an id and a title");
  }
  if (step < 1 || step > 4) return Status::InvalidArgument("training step must be 1..4");
  return db_.Prepare(kUpsertModule)
      .Bind(1, module_id)
      .Bind(2, static_cast<int64_t>(step))
      .Bind(3, title)
      .Run();
}

Status Services::RecordTraining(int64_t member_id, const std::string& module_id,
                                const std::string& by) {
  if (by.empty()) return Status::InvalidArgument("training must be recorded by someone");
  Result<bool> member = store::HasRow(db_.Prepare(kMemberExists).Bind(1, member_id));
  if (!member.ok()) return member.status();
  if (!*member) return Status::NotFound("member " + std::to_string(member_id));
  Result<bool> module = store::HasRow(db_.Prepare(kModuleExists).Bind(1, module_id));
  if (!module.ok()) return module.status();
  if (!*module) return Status::NotFound("training module '" + module_id + "'");
  return db_.Prepare(kInsertTraining)
      .Bind(1, member_id)
      .Bind(2, module_id)
      .Bind(3, ctx_.now)
      .Bind(4, by)
      .Run();
}

Result<bool> Services::CompletedTraining(int64_t member_id) {
  Result<bool> member = store::HasRow(db_.Prepare(kMemberExists).Bind(1, member_id));
  if (!member.ok()) return member.status();
  if (!*member) return Status::NotFound("member " + std::to_string(member_id));
  Statement& st = db_.Prepare(kTrainingProgress);
  st.Bind(1, member_id);
  return store::QueryOne(
      st,
      [](const Statement& row) {
        const int64_t modules = row.Int(0);
        const int64_t completed = row.Int(1);
        // With no modules configured nobody has completed the training: an empty
        // programme must not make every member eligible for a loan.
        return modules > 0 && completed == modules;
      },
      Status::Internal("training query returned no row"));
}

// -------------------------------------------------------------------- audit

Status Services::Audit(const AuditEntry& e) {
  if (!IsActorKind(e.actor_kind)) {
    return Status::InvalidArgument("actor_kind must be member, staff, system or partner");
  }
  if (e.actor.empty() || e.action.empty()) {
    return Status::InvalidArgument("an audit entry needs an actor and an action");
  }
  Statement& st = db_.Prepare(e.token_id != 0 ? kInsertAuditWithToken : kInsertAudit);
  st.Bind(1, ctx_.now)
      .Bind(2, e.actor_kind)
      .Bind(3, e.actor)
      .Bind(4, e.action)
      .Bind(5, e.subject)
      .Bind(6, e.channel)
      .Bind(7, e.request_id)
      .Bind(8, e.detail);
  if (e.token_id != 0) st.Bind(9, e.token_id);
  return st.Run();
}

// ---------------------------------------------------------- dialog sessions

Result<std::optional<SessionRecord>> Services::LoadSession(const std::string& channel,
                                                           const std::string& session_id) {
  Statement& st = db_.Prepare(kLoadSession);
  st.Bind(1, channel).Bind(2, session_id).Bind(3, ctx_.now);
  return store::QueryOptional(st, [&](const Statement& row) {
    SessionRecord s;
    s.channel = channel;
    s.session_id = session_id;
    s.phone = row.Text(0);
    s.state = row.Text(1);
    s.step = static_cast<int>(row.Int(2));
    s.answer = row.Text(3);
    s.ended = row.Int(4) != 0;
    s.updated_at = row.Int(5);
    s.expires_at = row.Int(6);
    s.network = row.Text(7);
    s.member_id = row.Int(8);
    s.phone_key = row.Text(9);
    return s;
  });
}

Result<std::optional<SessionRecord>> Services::LatestOtherSession(int64_t member_id,
                                                                 const std::string& channel,
                                                                 const std::string& session_id,
                                                                 int64_t since) {
  Statement& st = db_.Prepare(kLatestOtherSession);
  st.Bind(1, member_id).Bind(2, since).Bind(3, channel).Bind(4, session_id);
  return store::QueryOptional(st, [member_id](const Statement& row) {
    SessionRecord s;
    s.channel = row.Text(0);
    s.session_id = row.Text(1);
    s.phone = row.Text(2);
    s.state = row.Text(3);
    s.step = static_cast<int>(row.Int(4));
    s.answer = row.Text(5);
    s.ended = row.Int(6) != 0;
    s.updated_at = row.Int(7);
    s.expires_at = row.Int(8);
    s.network = row.Text(9);
    s.member_id = member_id;
    return s;
  });
}

Status Services::SetSessionMember(const std::string& channel, const std::string& session_id,
                                  int64_t member_id) {
  return db_.Prepare(kSetSessionMember).Bind(1, member_id).Bind(2, channel).Bind(3, session_id).Run();
}

Status Services::EndSession(const std::string& channel, const std::string& session_id) {
  return db_.Prepare(kEndSession).Bind(1, channel).Bind(2, session_id).Run();
}

Status Services::SaveSession(const SessionRecord& s) {
  if (s.channel.empty() || s.session_id.empty()) {
    return Status::InvalidArgument("a session needs a channel and a session id");
  }
  return BindSession(db_.Prepare(kSaveSession), s, ctx_.now)
      .Bind(10, s.network)
      .Bind(11, s.member_id)
      .Bind(12, s.phone_key)
      .Run();
}

Result<std::vector<TimedOutSessions>> Services::TimedOutSessionsToPurge(int64_t keep_s) {
  Statement& st = db_.Prepare(kTimedOutSessions);
  st.Bind(1, ctx_.now - keep_s);
  return store::CollectRows(st, [](const Statement& row) {
    return TimedOutSessions{row.Text(0), row.Text(1), row.Int(2)};
  });
}

Result<std::vector<SessionRecord>> Services::UnendedSessionsToPurge(int64_t keep_s) {
  Statement& st = db_.Prepare(kUnendedSessionsToPurge);
  st.Bind(1, ctx_.now - keep_s);
  return store::CollectRows(st, [](const Statement& row) {
    SessionRecord s;
    s.channel = row.Text(0);
    s.session_id = row.Text(1);
    s.state = row.Text(2);
    s.member_id = row.Int(3);
    return s;
  });
}

Result<int> Services::PurgeExpiredSessions(int64_t keep_s) {
  SHG_RETURN_IF_ERROR(db_.Prepare(kPurgeSessions).Bind(1, ctx_.now - keep_s).Run());
  return db_.Changes();
}

Result<int64_t> Services::ActiveSessionCount() {
  Statement& st = db_.Prepare(kActiveSessions);
  st.Bind(1, ctx_.now);
  return store::QueryInt(st, 0);
}

// ------------------------------------------------------------------- ledger

Status Services::CheckLedger() { return ledger::Check(db_); }

}  // namespace shg
