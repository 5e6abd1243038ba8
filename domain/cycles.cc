// Cycles: the stored side of savings cycles, fines, the social fund and the
// share-out (contract in cycles.h).
#include "domain/cycles.h"

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <vector>

#include "domain/civil_date.h"
#include "domain/ledger.h"
#include "domain/loans_internal.h"
#include "domain/money.h"
#include "domain/officers.h"
#include "domain/paging.h"
#include "domain/refcode.h"

namespace shg {
namespace {

using store::Connection;
using store::Statement;

// Every cycle query selects these columns in this order (ReadCycle).
#define SHG_CYCLE_SELECT                                                                      \
  "SELECT c.id, c.group_id, c.number, c.state, c.lends, c.loan_savings_multiple,"             \
  " c.max_term_months, c.flat_rate_bp_per_month, c.social_fund_per_meeting,"                  \
  " c.share_out_unit, c.length_months, c.starts_at, c.ends_at, c.carried_in,"                 \
  " COALESCE(c.share_out_journal_id, 0), COALESCE(c.carried_out, -1), c.updated_at,"          \
  " g.currency FROM cycles c JOIN groups g ON g.id = c.group_id"

constexpr char kCycleById[] = SHG_CYCLE_SELECT " WHERE c.id = ?";
constexpr char kOpenCycle[] =
    SHG_CYCLE_SELECT " WHERE c.group_id = ? AND c.state IN ('planned', 'active', 'closing')";
constexpr char kCyclesOfGroup[] = SHG_CYCLE_SELECT " WHERE c.group_id = ? ORDER BY c.number DESC";
constexpr char kLastCycle[] =
    SHG_CYCLE_SELECT " WHERE c.group_id = ? ORDER BY c.number DESC LIMIT 1";
constexpr char kGroupCurrency[] = "SELECT currency FROM groups WHERE id = ?";
constexpr char kInsertCycle[] =
    "INSERT INTO cycles (group_id, number, state, lends, loan_savings_multiple,"
    " max_term_months, flat_rate_bp_per_month, social_fund_per_meeting, share_out_unit,"
    " length_months, starts_at, ends_at, carried_in, created_by, created_at, updated_at)"
    " VALUES (?, ?, 'planned', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr char kSetCycleState[] =
    "UPDATE cycles SET state = ?, updated_at = ? WHERE id = ? AND state = ?";
constexpr char kStartCycle[] =
    "UPDATE cycles SET state = 'active', starts_at = ?, ends_at = ?, updated_at = ?"
    " WHERE id = ? AND state = 'planned'";
constexpr char kShareOutCycle[] =
    "UPDATE cycles SET state = 'shared_out', share_out_journal_id = ?, carried_out = ?,"
    " updated_at = ? WHERE id = ? AND state = 'closing'";

// The members in a share-out: her savings balance (credit-normal, shown
// positive) for everybody with savings, or an open internal loan.
constexpr char kShareOutMembers[] =
    "SELECT m.id, m.name, m.phone, m.language, -a.balance FROM members m"
    " JOIN accounts a ON a.member_id = m.id AND a.kind = 'member_savings'"
    " WHERE m.group_id = ?1 AND (a.balance <> 0 OR EXISTS (SELECT 1 FROM loans l"
    "   WHERE l.member_id = m.id AND l.source = 'group'"
    "   AND l.state IN ('disbursed', 'in_arrears')))"
    " ORDER BY m.id";
constexpr char kConfirmedLines[] =
    "SELECT s.member_id, m.name, m.phone, m.language, s.savings, s.share, s.profit, s.netted,"
    " s.payout, s.reference FROM share_out_lines s JOIN members m ON m.id = s.member_id"
    " WHERE s.cycle_id = ? ORDER BY s.member_id";
constexpr char kInsertLine[] =
    "INSERT INTO share_out_lines (cycle_id, member_id, savings, share, profit, netted, payout,"
    " reference) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kLineReferenceTaken[] = "SELECT 1 FROM share_out_lines WHERE reference = ?";
constexpr char kGroupAccountBalance[] =
    "SELECT balance FROM accounts WHERE group_id = ? AND kind = ?"
    " AND member_id IS NULL AND partner_id IS NULL";
constexpr char kGroupCounts[] =
    "SELECT (SELECT COUNT(*) FROM members WHERE group_id = ?1 AND status = 'active'),"
    " (SELECT COALESCE(-SUM(a.balance), 0) FROM accounts a"
    "   WHERE a.group_id = ?1 AND a.kind = 'member_savings'),"
    " (SELECT COALESCE(SUM(amount), 0) FROM savings WHERE group_id = ?1 AND status = 'pending'),"
    " (SELECT COUNT(*) FROM savings WHERE group_id = ?1 AND status = 'pending'),"
    " (SELECT COUNT(*) FROM fines WHERE group_id = ?1 AND status = 'pending'),"
    " (SELECT COALESCE(SUM(amount), 0) FROM fines WHERE group_id = ?1 AND status = 'pending'),"
    " (SELECT COUNT(*) FROM loan_repayments WHERE group_id = ?1 AND status = 'pending')";

// The payouts of a cycle's share-out (for reinvestment).
constexpr char kPayoutOf[] =
    "SELECT payout FROM share_out_lines WHERE cycle_id = ? AND member_id = ?";
constexpr char kPayouts[] =
    "SELECT s.member_id FROM share_out_lines s JOIN members m ON m.id = s.member_id"
    " WHERE s.cycle_id = ? AND s.payout > 0 AND m.status = 'active' ORDER BY s.member_id";
constexpr char kMemberActive[] = "SELECT status FROM members WHERE id = ?";
constexpr char kSavingReferenceTaken[] = "SELECT 1 FROM savings WHERE reference = ?";
constexpr char kInsertReinvestment[] =
    "INSERT INTO savings (member_id, group_id, amount, currency, status, reference, channel,"
    " created_at, decided_at, journal_id, cycle_id)"
    " VALUES (?, ?, ?, ?, 'confirmed', ?, 'reinvest', ?, ?, ?, ?)";

// Her money in a cycle.
constexpr char kMemberGroup[] =
    "SELECT m.group_id, m.status, -a.balance FROM members m"
    " JOIN accounts a ON a.member_id = m.id AND a.kind = 'member_savings' WHERE m.id = ?";
constexpr char kMemberSocial[] =
    "SELECT COALESCE(SUM(amount), 0) FROM social_fund_entries"
    " WHERE member_id = ? AND cycle_id = ? AND kind = 'contribution'";
constexpr char kMemberFinesPending[] =
    "SELECT COALESCE(SUM(amount), 0) FROM fines WHERE member_id = ? AND status = 'pending'";

// Fines.
#define SHG_FINE_SELECT                                                                       \
  "SELECT f.id, f.reference, f.cycle_id, f.group_id, f.member_id, m.name, f.kind, f.amount,"  \
  " f.currency, f.note, f.status, f.created_at FROM fines f JOIN members m ON m.id = f.member_id"
constexpr char kFineById[] = SHG_FINE_SELECT " WHERE f.id = ?";
constexpr char kPendingFines[] = SHG_FINE_SELECT
    " WHERE f.group_id = ? AND f.status = 'pending' ORDER BY f.created_at, f.id LIMIT ? OFFSET ?";
constexpr char kFinesOf[] = SHG_FINE_SELECT
    " WHERE f.member_id = ? AND f.cycle_id = ? ORDER BY f.id DESC LIMIT ? OFFSET ?";
constexpr char kFineReferenceTaken[] = "SELECT 1 FROM fines WHERE reference = ?";
constexpr char kInsertFine[] =
    "INSERT INTO fines (reference, cycle_id, group_id, member_id, kind, amount, currency, note,"
    " recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr char kDecideFine[] =
    "UPDATE fines SET status = ?, decided_by = ?, decided_at = ?, journal_id = ?"
    " WHERE id = ? AND status = 'pending'";

// Social fund.
#define SHG_SOCIAL_SELECT                                                                     \
  "SELECT e.id, e.reference, e.cycle_id, e.member_id, m.name, e.kind, e.amount, e.currency,"  \
  " e.reason, COALESCE(e.approved_by, 0), e.created_at"                                       \
  " FROM social_fund_entries e JOIN members m ON m.id = e.member_id"
constexpr char kSocialById[] = SHG_SOCIAL_SELECT " WHERE e.id = ?";
constexpr char kSocialOfGroup[] =
    SHG_SOCIAL_SELECT " WHERE e.group_id = ? ORDER BY e.id DESC LIMIT ? OFFSET ?";
constexpr char kSocialReferenceTaken[] = "SELECT 1 FROM social_fund_entries WHERE reference = ?";
constexpr char kInsertSocial[] =
    "INSERT INTO social_fund_entries (reference, cycle_id, group_id, member_id, kind, amount,"
    " currency, reason, approved_by, recorded_by, created_at, journal_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";

constexpr char kFineKindChars[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
constexpr size_t kMaxTextChars = 160;

Result<Cycle> ReadCycle(const Statement& st) {
  Cycle c;
  c.id = st.Int(0);
  c.group_id = st.Int(1);
  c.number = static_cast<int>(st.Int(2));
  std::optional<CycleState> state = ParseCycleState(st.Text(3));
  if (!state) return Status::Internal("cycle " + std::to_string(c.id) + " has an unknown state");
  c.state = *state;
  c.rules.lends = st.Int(4) != 0;
  c.rules.loan_savings_multiple = st.Int(5);
  c.rules.max_term_months = static_cast<int>(st.Int(6));
  c.rules.flat_rate_bp_per_month = st.Int(7);
  c.rules.social_fund_per_meeting = st.Int(8);
  c.rules.share_out_unit = st.Int(9);
  c.rules.length_months = static_cast<int>(st.Int(10));
  c.starts_at = st.Int(11);
  c.ends_at = st.Int(12);
  c.carried_in = st.Int(13);
  c.share_out_journal_id = st.Int(14);
  c.carried_out = st.Int(15);
  c.updated_at = st.Int(16);
  c.currency = st.Text(17);
  return c;
}

Result<std::optional<Cycle>> OneCycle(Statement& st) {
  return store::QueryOptional(st, ReadCycle);
}

// The columns both share-out queries start with: member id, name, phone,
// language, savings.
ShareOutRow ReadRowHead(const Statement& st) {
  ShareOutRow r;
  r.line.member_id = st.Int(0);
  r.name = st.Text(1);
  r.phone = st.Text(2);
  r.language = st.Text(3);
  r.line.savings = st.Int(4);
  return r;
}

// The group's newest cycle: its open one when it has one (a group opens a
// cycle only after the last is shared out or cancelled, with the next
// number), else the last it had.
Result<std::optional<Cycle>> LatestCycle(Connection& db, int64_t group_id) {
  Statement& st = db.Prepare(kLastCycle);
  st.Bind(1, group_id);
  return OneCycle(st);
}

Result<Fine> ReadFine(const Statement& st) {
  Fine f;
  f.id = st.Int(0);
  f.reference = st.Text(1);
  f.cycle_id = st.Int(2);
  f.group_id = st.Int(3);
  f.member_id = st.Int(4);
  f.member_name = st.Text(5);
  f.kind = st.Text(6);
  f.amount = st.Int(7);
  f.currency = st.Text(8);
  f.note = st.Text(9);
  const std::string status = st.Text(10);
  if (status == "pending") {
    f.status = FineStatus::kPending;
  } else if (status == "confirmed") {
    f.status = FineStatus::kConfirmed;
  } else if (status == "waived") {
    f.status = FineStatus::kWaived;
  } else {
    return Status::Internal("fine " + std::to_string(f.id) + " has an unknown status");
  }
  f.created_at = st.Int(11);
  return f;
}

Result<std::vector<Fine>> ReadFines(Statement& st) {
  return store::CollectRows(st, ReadFine);
}

SocialFundEntry ReadSocial(const Statement& st) {
  SocialFundEntry e;
  e.id = st.Int(0);
  e.reference = st.Text(1);
  e.cycle_id = st.Int(2);
  e.member_id = st.Int(3);
  e.member_name = st.Text(4);
  e.payout = st.Text(5) == "payout";
  e.amount = st.Int(6);
  e.currency = st.Text(7);
  e.reason = st.Text(8);
  e.approved_by = st.Int(9);
  e.created_at = st.Int(10);
  return e;
}

// Minor units in one whole unit of `currency` (1 for an unknown one: groups
// are created only in built-in currencies).
int64_t MinorPerUnit(const std::string& currency) {
  Result<Currency> c = FindCurrency(currency);
  return c.ok() ? ToMinor(1, *c) : 1;
}

Status CycleStateError(CycleState state, const std::string& what) {
  return Status::FailedPrecondition(std::string("state ") + CycleStateName(state) + ": " + what);
}

std::string Recorder(const Actor& actor) { return actor.kind + ":" + actor.id; }

Status AuditAction(Connection& db, const DomainContext& ctx, const Actor& actor,
                   const std::string& action, const std::string& subject,
                   const std::string& detail) {
  if (actor.kind.empty() || actor.id.empty()) {
    return Status::InvalidArgument("actor: a kind and an id are required");
  }
  AuditEntry e;
  e.actor_kind = actor.kind;
  e.actor = actor.id;
  e.action = action;
  e.subject = subject;
  e.channel = actor.channel;
  e.request_id = actor.request_id;
  e.detail = detail;
  return Services(db, ctx).Audit(e);
}

// Posts a two-line journal: Dr `debit` / Cr `credit` by `amount`.
Result<int64_t> PostPair(Connection& db, const DomainContext& ctx, int64_t group_id,
                         const std::string& currency, std::string_view kind,
                         const std::string& reference, const std::string& memo,
                         ledger::AccountKind debit, ledger::AccountKind credit, int64_t amount,
                         int64_t member_id = 0) {
  auto account = [&](ledger::AccountKind k) -> Result<int64_t> {
    if (k == ledger::AccountKind::kMemberSavings || k == ledger::AccountKind::kMemberLoan) {
      return ledger::MemberAccount(db, member_id, k);
    }
    return ledger::GroupAccount(db, group_id, k);
  };
  Result<int64_t> dr = account(debit);
  if (!dr.ok()) return dr.status();
  Result<int64_t> cr = account(credit);
  if (!cr.ok()) return cr.status();
  const std::array<ledger::PostingLine, 2> lines = {{{*dr, amount}, {*cr, -amount}}};
  ledger::JournalEntry e;
  e.group_id = group_id;
  e.kind = kind;
  e.currency = currency;
  e.reference = reference;
  e.memo = memo;
  e.at = ctx.now;
  e.postings = lines;
  return ledger::Post(db, e);
}

Result<int64_t> GroupBalance(Connection& db, int64_t group_id, std::string_view kind) {
  Statement& st = db.Prepare(kGroupAccountBalance);
  st.Bind(1, group_id).Bind(2, kind);
  return store::QueryOne(st, [](const Statement& row) { return row.Int(0); },
                         Status::NotFound("group " + std::to_string(group_id) + " has no " +
                                          std::string(kind) + " account"));
}

struct MemberFacts {
  int64_t group_id = 0;
  bool active = false;
  int64_t savings = 0;
};

Result<MemberFacts> LoadMemberFacts(Connection& db, int64_t member_id) {
  Statement& st = db.Prepare(kMemberGroup);
  st.Bind(1, member_id);
  return store::QueryOne(
      st,
      [](const Statement& row) {
        return MemberFacts{row.Int(0), row.Text(1) == "active", row.Int(2)};
      },
      Status::NotFound("member " + std::to_string(member_id)));
}

// One social fund entry and its journal (contribution: Dr social fund / Cr
// social equity; payout the reverse), audited; runs in the caller's savepoint.
struct SocialWrite {
  int64_t cycle_id = 0;
  int64_t group_id = 0;
  int64_t member_id = 0;
  bool payout = false;
  int64_t amount = 0;
  std::string currency;
  std::string reason;       // payouts
  int64_t approved_by = 0;  // payouts
};

Result<SocialFundEntry> WriteSocialEntry(Connection& db, const DomainContext& ctx,
                                         const SocialWrite& w, const Actor& actor) {
  Result<std::string> reference = loans_internal::NewUniqueReference(db, kSocialReferenceTaken);
  if (!reference.ok()) return reference.status();
  const ledger::AccountKind cash = ledger::AccountKind::kGroupSocialFund;
  const ledger::AccountKind equity = ledger::AccountKind::kGroupSocialEquity;
  Result<int64_t> journal =
      PostPair(db, ctx, w.group_id, w.currency, w.payout ? "social_out" : "social_in", *reference,
               w.payout ? w.reason : "social fund contribution", w.payout ? equity : cash,
               w.payout ? cash : equity, w.amount);
  if (!journal.ok()) return journal.status();
  Statement& insert = db.Prepare(kInsertSocial);
  insert.Bind(1, *reference)
      .Bind(2, w.cycle_id)
      .Bind(3, w.group_id)
      .Bind(4, w.member_id)
      .Bind(5, std::string_view(w.payout ? "payout" : "contribution"))
      .Bind(6, w.amount)
      .Bind(7, w.currency)
      .Bind(8, w.reason);
  if (w.payout) {
    insert.Bind(9, w.approved_by);
  } else {
    insert.BindNull(9);
  }
  SHG_RETURN_IF_ERROR(
      insert.Bind(10, Recorder(actor)).Bind(11, ctx.now).Bind(12, *journal).Run());
  const int64_t id = db.ReturnedId();
  std::string detail = "ref=" + *reference + " amount=" + std::to_string(w.amount);
  if (w.payout) detail += " approved_by=" + std::to_string(w.approved_by);
  SHG_RETURN_IF_ERROR(AuditAction(db, ctx, actor, w.payout ? "social.payout" : "social.contribution",
                                  "social:" + std::to_string(id), detail));
  Statement& st = db.Prepare(kSocialById);
  st.Bind(1, id);
  return store::QueryOne(st, ReadSocial, Status::Internal("social fund entry vanished"));
}

}  // namespace

const char* FineStatusName(FineStatus s) {
  switch (s) {
    case FineStatus::kPending:
      return "pending";
    case FineStatus::kConfirmed:
      return "confirmed";
    case FineStatus::kWaived:
      return "waived";
  }
  return "pending";
}

// ------------------------------------------------------------------ cycles

Result<Cycle> Cycles::Get(int64_t cycle_id) {
  Statement& st = db_.Prepare(kCycleById);
  st.Bind(1, cycle_id);
  Result<std::optional<Cycle>> c = OneCycle(st);
  if (!c.ok()) return c.status();
  if (!c->has_value()) return Status::NotFound("cycle " + std::to_string(cycle_id));
  return std::move(**c);
}

Result<std::optional<Cycle>> Cycles::OpenCycle(int64_t group_id) {
  Statement& st = db_.Prepare(kOpenCycle);
  st.Bind(1, group_id);
  return OneCycle(st);
}

Result<Cycle> Cycles::CurrentCycle(int64_t group_id) {
  Result<std::optional<Cycle>> open = OpenCycle(group_id);
  if (!open.ok()) return open.status();
  if (!open->has_value() || (*open)->state == CycleState::kPlanned) {
    return Status::FailedPrecondition("cycle: the group has no active cycle");
  }
  return std::move(**open);
}

Result<std::vector<Cycle>> Cycles::OfGroup(int64_t group_id) {
  Statement& st = db_.Prepare(kCyclesOfGroup);
  st.Bind(1, group_id);
  return store::CollectRows(st, ReadCycle);
}

Result<Cycle> Cycles::Plan(int64_t group_id, const CycleRules& rules, int64_t starts_at,
                           const Actor& actor) {
  std::string currency;
  {
    Statement& st = db_.Prepare(kGroupCurrency);
    st.Bind(1, group_id);
    Result<std::string> found =
        store::QueryOne(st, [](const Statement& row) { return row.Text(0); },
                        Status::NotFound("group " + std::to_string(group_id)));
    if (!found.ok()) return found.status();
    currency = std::move(*found);
  }
  SHG_RETURN_IF_ERROR(ValidateCycleRules(rules, MinorPerUnit(currency)));
  if (starts_at < 0) return Status::InvalidArgument("starts_at: must be a Unix time");
  const int64_t start = starts_at == 0 ? ctx_.now : starts_at;
  return store::InSavepoint(db_, [&]() -> Result<Cycle> {
    Result<std::optional<Cycle>> open = OpenCycle(group_id);
    if (!open.ok()) return open.status();
    if (open->has_value()) {
      return Status::FailedPrecondition("cycle: cycle " + std::to_string((*open)->number) +
                                        " is still " + CycleStateName((*open)->state));
    }
    int number = 1;
    int64_t carried_in = 0;
    Result<std::optional<Cycle>> previous = LatestCycle(db_, group_id);
    if (!previous.ok()) return previous.status();
    if (previous->has_value()) {
      const Cycle& p = **previous;
      number = p.number + 1;
      if (p.state == CycleState::kSharedOut) {
        // The new cycle takes the residual: the shared-out one is done.
        Result<CycleState> closed = NextCycleState(p.state, CycleEvent::kClose);
        if (!closed.ok()) return closed.status();
        SHG_RETURN_IF_ERROR(db_.Prepare(kSetCycleState)
                                .Bind(1, std::string_view(CycleStateName(*closed)))
                                .Bind(2, ctx_.now)
                                .Bind(3, p.id)
                                .Bind(4, std::string_view(CycleStateName(p.state)))
                                .Run());
        SHG_RETURN_IF_ERROR(AuditAction(db_, ctx_, actor, "cycle.close",
                                        "cycle:" + std::to_string(p.id), ""));
        carried_in = std::max<int64_t>(p.carried_out, 0);
      }
    }
    SHG_RETURN_IF_ERROR(db_.Prepare(kInsertCycle)
                            .Bind(1, group_id)
                            .Bind(2, static_cast<int64_t>(number))
                            .Bind(3, static_cast<int64_t>(rules.lends ? 1 : 0))
                            .Bind(4, rules.loan_savings_multiple)
                            .Bind(5, static_cast<int64_t>(rules.max_term_months))
                            .Bind(6, rules.flat_rate_bp_per_month)
                            .Bind(7, rules.social_fund_per_meeting)
                            .Bind(8, rules.share_out_unit)
                            .Bind(9, static_cast<int64_t>(rules.length_months))
                            .Bind(10, start)
                            .Bind(11, AddCalendarMonths(start, rules.length_months))
                            .Bind(12, carried_in)
                            .Bind(13, Recorder(actor))
                            .Bind(14, ctx_.now)
                            .Bind(15, ctx_.now)
                            .Run());
    const int64_t id = db_.ReturnedId();
    SHG_RETURN_IF_ERROR(AuditAction(
        db_, ctx_, actor, "cycle.plan", "cycle:" + std::to_string(id),
        "number=" + std::to_string(number) + " lends=" + (rules.lends ? "1" : "0") +
            " rate_bp_month=" + std::to_string(rules.flat_rate_bp_per_month)));
    return Get(id);
  });
}

Result<Cycle> Cycles::Start(int64_t cycle_id, const Reinvestment& reinvest, const Actor& actor) {
  Result<Cycle> cycle = Get(cycle_id);
  if (!cycle.ok()) return cycle.status();
  Result<CycleState> next = NextCycleState(cycle->state, CycleEvent::kStart);
  if (!next.ok()) return CycleStateError(cycle->state, "only a planned cycle starts");
  return store::InSavepoint(db_, [&]() -> Result<Cycle> {
    SHG_RETURN_IF_ERROR(db_.Prepare(kStartCycle)
                            .Bind(1, ctx_.now)
                            .Bind(2, AddCalendarMonths(ctx_.now, cycle->rules.length_months))
                            .Bind(3, ctx_.now)
                            .Bind(4, cycle_id)
                            .Run());
    if (db_.Changes() != 1) return CycleStateError(cycle->state, "changed meanwhile");

    // Reinvestment: the payouts of the previous cycle's share-out.
    std::vector<int64_t> members = reinvest.member_ids;
    int64_t previous_id = 0;
    if (reinvest.everyone || !members.empty()) {
      Result<std::vector<Cycle>> all = OfGroup(cycle->group_id);
      if (!all.ok()) return all.status();
      for (const Cycle& c : *all) {
        if (c.number == cycle->number - 1 && c.share_out_journal_id != 0) previous_id = c.id;
      }
      if (previous_id == 0) {
        return Status::InvalidArgument("reinvest: the group has no share-out before this cycle");
      }
    }
    if (reinvest.everyone) {
      members.clear();
      Statement& st = db_.Prepare(kPayouts);
      st.Bind(1, previous_id);
      SHG_RETURN_IF_ERROR(
          store::ForEachRow(st, [&](const Statement& row) { members.push_back(row.Int(0)); }));
    }
    std::sort(members.begin(), members.end());
    if (std::adjacent_find(members.begin(), members.end()) != members.end()) {
      return Status::InvalidArgument("member_ids: a member is listed twice");
    }
    int64_t total = 0;
    for (int64_t member_id : members) {
      int64_t payout = 0;
      {
        Statement& st = db_.Prepare(kPayoutOf);
        st.Bind(1, previous_id).Bind(2, member_id);
        Result<int64_t> found = store::QueryInt(st, 0);
        if (!found.ok()) return found.status();
        payout = *found;
      }
      if (payout <= 0) {
        return Status::InvalidArgument("member_ids: member " + std::to_string(member_id) +
                                       " has no payout to reinvest");
      }
      {
        Statement& st = db_.Prepare(kMemberActive);
        st.Bind(1, member_id);
        Result<std::optional<std::string>> status =
            store::QueryOptional(st, [](const Statement& row) { return row.Text(0); });
        if (!status.ok()) return status.status();
        if (!status->has_value() || **status != "active") {
          return Status::InvalidArgument("member_ids: member " + std::to_string(member_id) +
                                         " is not active");
        }
      }
      Result<std::string> reference = loans_internal::NewUniqueReference(db_, kSavingReferenceTaken);
      if (!reference.ok()) return reference.status();
      // The cash never left the box: Dr fund / Cr her savings of the new cycle.
      Result<int64_t> journal = PostPair(
          db_, ctx_, cycle->group_id, cycle->currency, "saving", *reference,
          "reinvested share-out", ledger::AccountKind::kGroupLoanFund,
          ledger::AccountKind::kMemberSavings, payout, member_id);
      if (!journal.ok()) return journal.status();
      SHG_RETURN_IF_ERROR(db_.Prepare(kInsertReinvestment)
                              .Bind(1, member_id)
                              .Bind(2, cycle->group_id)
                              .Bind(3, payout)
                              .Bind(4, cycle->currency)
                              .Bind(5, *reference)
                              .Bind(6, ctx_.now)
                              .Bind(7, ctx_.now)
                              .Bind(8, *journal)
                              .Bind(9, cycle_id)
                              .Run());
      total += payout;
    }
    SHG_RETURN_IF_ERROR(AuditAction(db_, ctx_, actor, "cycle.start",
                                    "cycle:" + std::to_string(cycle_id),
                                    "reinvested_members=" + std::to_string(members.size()) +
                                        " reinvested=" + std::to_string(total)));
    return Get(cycle_id);
  });
}

namespace {

Result<Cycle> Transition(Cycles& cycles, Connection& db, const DomainContext& ctx,
                         int64_t cycle_id, CycleEvent event, const Actor& actor,
                         const char* action, const char* refusal) {
  Result<Cycle> cycle = cycles.Get(cycle_id);
  if (!cycle.ok()) return cycle.status();
  Result<CycleState> next = NextCycleState(cycle->state, event);
  if (!next.ok()) return CycleStateError(cycle->state, refusal);
  return store::InSavepoint(db, [&]() -> Result<Cycle> {
    SHG_RETURN_IF_ERROR(db.Prepare(kSetCycleState)
                            .Bind(1, std::string_view(CycleStateName(*next)))
                            .Bind(2, ctx.now)
                            .Bind(3, cycle_id)
                            .Bind(4, std::string_view(CycleStateName(cycle->state)))
                            .Run());
    if (db.Changes() != 1) return CycleStateError(cycle->state, "changed meanwhile");
    SHG_RETURN_IF_ERROR(
        AuditAction(db, ctx, actor, action, "cycle:" + std::to_string(cycle_id), ""));
    return cycles.Get(cycle_id);
  });
}

}  // namespace

Result<Cycle> Cycles::Cancel(int64_t cycle_id, const Actor& actor) {
  return Transition(*this, db_, ctx_, cycle_id, CycleEvent::kCancel, actor, "cycle.cancel",
                    "only a planned cycle is cancelled");
}

Result<Cycle> Cycles::BeginClose(int64_t cycle_id, const Actor& actor) {
  return Transition(*this, db_, ctx_, cycle_id, CycleEvent::kBeginClose, actor, "cycle.begin_close",
                    "only an active cycle is closed");
}

Result<Cycle> Cycles::Reopen(int64_t cycle_id, const Actor& actor) {
  return Transition(*this, db_, ctx_, cycle_id, CycleEvent::kReopen, actor, "cycle.reopen",
                    "only a closing cycle is reopened");
}

Result<CycleFigures> Cycles::Figures(int64_t group_id) {
  CycleFigures f;
  {
    Result<std::optional<Cycle>> latest = LatestCycle(db_, group_id);
    if (!latest.ok()) return latest.status();
    if (!latest->has_value()) return Status::NotFound("group " + std::to_string(group_id));
    f.cycle = std::move(**latest);
  }
  {
    Statement& st = db_.Prepare(kGroupCounts);
    st.Bind(1, group_id);
    Result<bool> read = store::QueryOne(
        st,
        [&f](const Statement& row) {
          f.members = static_cast<int>(row.Int(0));
          f.savings = row.Int(1);
          f.pending_savings = row.Int(2);
          f.pending_fines = static_cast<int>(row.Int(4));
          f.pending_fines_amount = row.Int(5);
          f.pending_repayments = static_cast<int>(row.Int(6));
          return true;
        },
        Status::Internal("group counts returned no row"));
    if (!read.ok()) return read.status();
  }
  Result<int64_t> income = GroupBalance(db_, group_id, "group_income");
  if (!income.ok()) return income.status();
  Result<int64_t> carried = GroupBalance(db_, group_id, "group_carried");
  if (!carried.ok()) return carried.status();
  Result<int64_t> fund = GroupBalance(db_, group_id, "group_loan_fund");
  if (!fund.ok()) return fund.status();
  Result<int64_t> social = GroupBalance(db_, group_id, "group_social_fund");
  if (!social.ok()) return social.status();
  f.income = -*income;
  f.carried = -*carried;
  f.fund_cash = *fund;
  f.social_fund = *social;
  Result<std::vector<Loan>> loans = loans_internal::OpenGroupLoans(db_, group_id);
  if (!loans.ok()) return loans.status();
  for (const Loan& l : *loans) {
    f.loans_out += l.outstanding;
    ++f.internal_loans_open;
  }
  return f;
}

// --------------------------------------------------------------- share-out

namespace {

std::string Plural(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

Result<ShareOutPreview> Cycles::PreviewShareOut(int64_t cycle_id) {
  Result<Cycle> cycle = Get(cycle_id);
  if (!cycle.ok()) return cycle.status();
  ShareOutPreview p;
  p.cycle = *cycle;
  Result<int64_t> social = GroupBalance(db_, cycle->group_id, "group_social_fund");
  if (!social.ok()) return social.status();
  p.social_fund = *social;

  if (cycle->state == CycleState::kPlanned) {
    return CycleStateError(cycle->state, "a planned cycle has nothing to share out");
  }
  if (cycle->share_out_journal_id != 0) {
    Statement& st = db_.Prepare(kConfirmedLines);
    st.Bind(1, cycle_id);
    SHG_RETURN_IF_ERROR(store::ForEachRow(st, [&p](const Statement& row) {
      ShareOutRow r = ReadRowHead(row);
      r.line.share = row.Int(5);
      r.line.profit = row.Int(6);
      r.line.netted = row.Int(7);
      r.line.payout = row.Int(8);
      r.reference = row.Text(9);
      p.savings += r.line.savings;
      p.distributed += r.line.share;
      p.total_payout += r.line.payout;
      p.total_netted += r.line.netted;
      p.rows.push_back(std::move(r));
    }));
    p.carried = std::max<int64_t>(cycle->carried_out, 0);
    p.fund = p.distributed + p.carried;
    p.income = p.fund - p.savings;
    return p;
  }

  // Open: the plan if confirmed now.
  std::vector<ShareOutMember> members;
  {
    Statement& st = db_.Prepare(kShareOutMembers);
    st.Bind(1, cycle->group_id);
    SHG_RETURN_IF_ERROR(store::ForEachRow(st, [&](const Statement& row) -> Status {
      ShareOutRow r = ReadRowHead(row);
      if (r.line.savings < 0) {
        return Status::Internal("member " + std::to_string(r.line.member_id) +
                                " has savings below zero");
      }
      members.push_back(ShareOutMember{r.line.member_id, r.line.savings, 0});
      p.rows.push_back(std::move(r));
      return Status::Ok();
    }));
  }
  Result<std::vector<Loan>> loans = loans_internal::OpenGroupLoans(db_, cycle->group_id);
  if (!loans.ok()) return loans.status();
  for (const Loan& l : *loans) {
    for (size_t i = 0; i < members.size(); ++i) {
      if (members[i].member_id != l.member_id) continue;
      members[i].loan_outstanding += l.outstanding;
      if (p.rows[i].loan_id == 0) p.rows[i].loan_id = l.id;
    }
  }
  Result<int64_t> income = GroupBalance(db_, cycle->group_id, "group_income");
  if (!income.ok()) return income.status();
  Result<int64_t> carried = GroupBalance(db_, cycle->group_id, "group_carried");
  if (!carried.ok()) return carried.status();
  p.income = -*income - *carried;
  Result<ShareOutPlan> plan = PlanShareOut(members, p.income, cycle->rules.share_out_unit);
  if (!plan.ok()) return plan.status();
  for (size_t i = 0; i < p.rows.size(); ++i) {
    p.rows[i].line = plan->lines[i];
    p.savings += plan->lines[i].savings;
  }
  p.fund = plan->fund;
  p.distributed = plan->distributed;
  p.carried = plan->carried;
  p.total_payout = plan->total_payout;
  p.total_netted = plan->total_netted;

  if (cycle->state == CycleState::kActive) {
    p.blockers.push_back("state active: close the cycle first");
  }
  // Everything pending is decided before the books are shared.
  {
    Statement& st = db_.Prepare(kGroupCounts);
    st.Bind(1, cycle->group_id);
    Result<std::optional<bool>> read = store::QueryOptional(st, [&p](const Statement& row) {
      if (row.Int(3) > 0) {
        p.blockers.push_back(Plural(row.Int(3), "pending saving", "pending savings"));
      }
      if (row.Int(4) > 0) p.blockers.push_back(Plural(row.Int(4), "pending fine", "pending fines"));
      if (row.Int(6) > 0) {
        p.blockers.push_back(Plural(row.Int(6), "pending repayment", "pending repayments"));
      }
      return true;
    });
    if (!read.ok()) return read.status();
  }
  Result<Currency> currency = FindCurrency(cycle->currency);
  if (!currency.ok()) return currency.status();
  for (const ShareOutRow& r : p.rows) {
    if (r.line.still_owed > 0) {
      p.blockers.push_back(r.name + " (member " + std::to_string(r.line.member_id) +
                           ") still owes " + FormatMoney(r.line.still_owed, *currency) +
                           " after her share");
    }
  }
  Result<int64_t> cash = GroupBalance(db_, cycle->group_id, "group_loan_fund");
  if (!cash.ok()) return cash.status();
  if (*cash < p.total_payout) {
    p.blockers.push_back("the fund holds " + FormatMoney(*cash, *currency) +
                         " but the share-out pays " + FormatMoney(p.total_payout, *currency));
  }
  if (p.rows.empty() && p.carried == 0) p.blockers.push_back("nothing to share out");
  return p;
}

Result<ShareOutPreview> Cycles::ConfirmShareOut(int64_t cycle_id, const Actor& actor) {
  Result<Cycle> cycle = Get(cycle_id);
  if (!cycle.ok()) return cycle.status();
  Result<CycleState> next = NextCycleState(cycle->state, CycleEvent::kShareOut);
  if (!next.ok()) return CycleStateError(cycle->state, "only a closing cycle is shared out");
  Result<ShareOutPreview> preview = PreviewShareOut(cycle_id);
  if (!preview.ok()) return preview.status();
  if (!preview->blockers.empty()) {
    std::string why;
    for (const std::string& b : preview->blockers) why += (why.empty() ? "" : "; ") + b;
    return Status::FailedPrecondition("share-out: " + why);
  }
  const int64_t group_id = cycle->group_id;
  return store::InSavepoint(db_, [&]() -> Result<ShareOutPreview> {
    // 1. Each borrower's internal loan repaid from her share.
    Result<std::vector<Loan>> loans = loans_internal::OpenGroupLoans(db_, group_id);
    if (!loans.ok()) return loans.status();
    std::map<int64_t, int64_t> to_net;  // member -> netted
    for (const ShareOutRow& r : preview->rows) {
      if (r.line.netted > 0) to_net[r.line.member_id] = r.line.netted;
    }
    for (const Loan& l : *loans) {
      auto it = to_net.find(l.member_id);
      if (it == to_net.end() || it->second == 0) continue;
      const int64_t amount = std::min(it->second, l.outstanding);
      SHG_RETURN_IF_ERROR(
          loans_internal::RepayFromShareOut(db_, ctx_, programme_, l, amount, actor));
      it->second -= amount;
    }

    // 2. The share-out journal.
    std::vector<ledger::PostingLine> lines;
    for (const ShareOutRow& r : preview->rows) {
      const int64_t left = r.line.savings - r.line.netted;  // her savings after netting
      if (left == 0) continue;
      Result<int64_t> account =
          ledger::MemberAccount(db_, r.line.member_id, ledger::AccountKind::kMemberSavings);
      if (!account.ok()) return account.status();
      lines.push_back({*account, left});
    }
    auto group_line = [&](ledger::AccountKind kind, std::string_view name,
                          int64_t extra_credit) -> Status {
      Result<int64_t> account = ledger::GroupAccount(db_, group_id, kind);
      if (!account.ok()) return account.status();
      Result<int64_t> balance = GroupBalance(db_, group_id, name);
      if (!balance.ok()) return balance.status();
      const int64_t amount = -*balance - extra_credit;  // zero it, then credit what stays
      if (amount != 0) lines.push_back({*account, amount});
      return Status::Ok();
    };
    SHG_RETURN_IF_ERROR(group_line(ledger::AccountKind::kGroupIncome, "group_income", 0));
    SHG_RETURN_IF_ERROR(
        group_line(ledger::AccountKind::kGroupCarried, "group_carried", preview->carried));
    if (preview->total_payout > 0) {
      Result<int64_t> fund = ledger::GroupAccount(db_, group_id, ledger::AccountKind::kGroupLoanFund);
      if (!fund.ok()) return fund.status();
      lines.push_back({*fund, -preview->total_payout});
    }
    if (lines.size() < 2) return Status::FailedPrecondition("share-out: nothing to share out");
    const std::string reference = "SO-" + std::to_string(cycle_id);
    const std::string memo = "share-out of cycle " + std::to_string(cycle->number);
    ledger::JournalEntry e;
    e.group_id = group_id;
    e.kind = "share_out";
    e.currency = cycle->currency;
    e.reference = reference;
    e.memo = memo;
    e.at = ctx_.now;
    e.postings = lines;
    Result<int64_t> journal = ledger::Post(db_, e);
    if (!journal.ok()) return journal.status();

    SHG_RETURN_IF_ERROR(db_.Prepare(kShareOutCycle)
                            .Bind(1, *journal)
                            .Bind(2, preview->carried)
                            .Bind(3, ctx_.now)
                            .Bind(4, cycle_id)
                            .Run());
    if (db_.Changes() != 1) return CycleStateError(cycle->state, "changed meanwhile");

    // 3. Each member's line, with her reference for the SMS.
    for (const ShareOutRow& r : preview->rows) {
      Result<std::string> ref = loans_internal::NewUniqueReference(db_, kLineReferenceTaken);
      if (!ref.ok()) return ref.status();
      SHG_RETURN_IF_ERROR(db_.Prepare(kInsertLine)
                              .Bind(1, cycle_id)
                              .Bind(2, r.line.member_id)
                              .Bind(3, r.line.savings)
                              .Bind(4, r.line.share)
                              .Bind(5, r.line.profit)
                              .Bind(6, r.line.netted)
                              .Bind(7, r.line.payout)
                              .Bind(8, *ref)
                              .Run());
    }
    SHG_RETURN_IF_ERROR(AuditAction(
        db_, ctx_, actor, "share_out.confirm", "cycle:" + std::to_string(cycle_id),
        "members=" + std::to_string(preview->rows.size()) +
            " distributed=" + std::to_string(preview->distributed) +
            " payout=" + std::to_string(preview->total_payout) +
            " netted=" + std::to_string(preview->total_netted) +
            " carried=" + std::to_string(preview->carried)));
    Result<ShareOutPreview> confirmed = PreviewShareOut(cycle_id);
    if (!confirmed.ok()) return confirmed.status();
    for (ShareOutRow& r : confirmed->rows) {
      for (const ShareOutRow& planned : preview->rows) {
        if (planned.line.member_id == r.line.member_id) r.loan_id = planned.loan_id;
      }
    }
    return confirmed;
  });
}

Result<MemberCycleView> Cycles::MemberView(int64_t member_id) {
  Result<MemberFacts> facts = LoadMemberFacts(db_, member_id);
  if (!facts.ok()) return facts.status();
  MemberCycleView v;
  v.savings = facts->savings;
  {
    Result<std::optional<Cycle>> latest = LatestCycle(db_, facts->group_id);
    if (!latest.ok()) return latest.status();
    if (latest->has_value()) v.cycle = std::move(**latest);
  }
  v.open = v.cycle.state == CycleState::kActive || v.cycle.state == CycleState::kClosing;
  if (v.cycle.id != 0) {
    Statement& st = db_.Prepare(kMemberSocial);
    st.Bind(1, member_id).Bind(2, v.cycle.id);
    Result<int64_t> social = store::QueryInt(st, 0);
    if (!social.ok()) return social.status();
    v.social_contributed = *social;
  }
  {
    Statement& st = db_.Prepare(kMemberFinesPending);
    st.Bind(1, member_id);
    Result<int64_t> fines = store::QueryInt(st, 0);
    if (!fines.ok()) return fines.status();
    v.fines_pending = *fines;
  }
  if (v.open && v.savings > 0) {
    Result<ShareOutPreview> preview = PreviewShareOut(v.cycle.id);
    if (!preview.ok()) return preview.status();
    for (const ShareOutRow& r : preview->rows) {
      if (r.line.member_id == member_id) v.estimate = r.line;
    }
  }
  return v;
}

// ------------------------------------------------------------------- fines

Result<Fine> Cycles::RecordFine(int64_t member_id, const std::string& kind, int64_t amount,
                                const std::string& note, const Actor& actor) {
  if (kind.empty() || kind.size() > 32 ||
      kind.find_first_not_of(kFineKindChars) != std::string::npos) {
    return Status::InvalidArgument("kind: 1..32 of a-z, 0-9 and _");
  }
  if (amount <= 0) return Status::InvalidArgument("amount: must be more than zero");
  if (!note.empty() && !loans_internal::IsPrintableText(note, kMaxTextChars)) {
    return Status::InvalidArgument("note: at most 160 printable characters");
  }
  Result<MemberFacts> facts = LoadMemberFacts(db_, member_id);
  if (!facts.ok()) return facts.status();
  if (!facts->active) {
    return Status::FailedPrecondition("member " + std::to_string(member_id) + " is not active");
  }
  Result<Cycle> cycle = CurrentCycle(facts->group_id);
  if (!cycle.ok()) return cycle.status();
  return store::InSavepoint(db_, [&]() -> Result<Fine> {
    Result<std::string> reference = loans_internal::NewUniqueReference(db_, kFineReferenceTaken);
    if (!reference.ok()) return reference.status();
    SHG_RETURN_IF_ERROR(db_.Prepare(kInsertFine)
                            .Bind(1, *reference)
                            .Bind(2, cycle->id)
                            .Bind(3, facts->group_id)
                            .Bind(4, member_id)
                            .Bind(5, kind)
                            .Bind(6, amount)
                            .Bind(7, cycle->currency)
                            .Bind(8, note)
                            .Bind(9, Recorder(actor))
                            .Bind(10, ctx_.now)
                            .Run());
    const int64_t id = db_.ReturnedId();
    SHG_RETURN_IF_ERROR(AuditAction(db_, ctx_, actor, "fine.record", "fine:" + std::to_string(id),
                                    "ref=" + *reference + " kind=" + kind +
                                        " amount=" + std::to_string(amount)));
    return GetFine(id);
  });
}

Result<Fine> Cycles::GetFine(int64_t fine_id) {
  Statement& st = db_.Prepare(kFineById);
  st.Bind(1, fine_id);
  Result<std::vector<Fine>> fines = ReadFines(st);
  if (!fines.ok()) return fines.status();
  if (fines->empty()) return Status::NotFound("fine " + std::to_string(fine_id));
  return std::move(fines->front());
}

Result<std::vector<Fine>> Cycles::PendingFines(int64_t group_id, int limit, int offset) {
  SHG_RETURN_IF_ERROR(CheckPage(limit, offset));
  Statement& st = db_.Prepare(kPendingFines);
  st.Bind(1, group_id).Bind(2, static_cast<int64_t>(limit)).Bind(3, static_cast<int64_t>(offset));
  return ReadFines(st);
}

Result<std::vector<Fine>> Cycles::FinesOf(int64_t member_id, int limit, int offset) {
  SHG_RETURN_IF_ERROR(CheckPage(limit, offset));
  Result<MemberFacts> facts = LoadMemberFacts(db_, member_id);
  if (!facts.ok()) return facts.status();
  Result<std::optional<Cycle>> open = OpenCycle(facts->group_id);
  if (!open.ok()) return open.status();
  if (!open->has_value()) return std::vector<Fine>();
  Statement& st = db_.Prepare(kFinesOf);
  st.Bind(1, member_id)
      .Bind(2, (*open)->id)
      .Bind(3, static_cast<int64_t>(limit))
      .Bind(4, static_cast<int64_t>(offset));
  return ReadFines(st);
}

Result<Fine> Cycles::DecideFine(int64_t fine_id, int64_t decider_member_id, bool confirm,
                                const Actor& actor) {
  Result<Fine> fine = GetFine(fine_id);
  if (!fine.ok()) return fine.status();
  SHG_RETURN_IF_ERROR(officers::CheckDecider(db_, decider_member_id, fine->group_id,
                                             fine->member_id, "fines", "fine"));
  if (fine->status != FineStatus::kPending) {
    return Status::FailedPrecondition("fine " + fine->reference + " is already " +
                                      FineStatusName(fine->status));
  }
  return store::InSavepoint(db_, [&]() -> Result<Fine> {
    Statement& update = db_.Prepare(kDecideFine);
    update.Bind(1, std::string_view(confirm ? "confirmed" : "waived"))
        .Bind(2, decider_member_id)
        .Bind(3, ctx_.now);
    if (confirm) {
      // She paid the fine into the box: Dr fund / Cr the cycle's income.
      Result<int64_t> journal =
          PostPair(db_, ctx_, fine->group_id, fine->currency, "fine", fine->reference,
                   "fine " + fine->kind, ledger::AccountKind::kGroupLoanFund,
                   ledger::AccountKind::kGroupIncome, fine->amount);
      if (!journal.ok()) return journal.status();
      update.Bind(4, *journal);
    } else {
      update.BindNull(4);
    }
    SHG_RETURN_IF_ERROR(update.Bind(5, fine_id).Run());
    if (db_.Changes() != 1) return Status::FailedPrecondition("fine is already decided");
    SHG_RETURN_IF_ERROR(AuditAction(db_, ctx_, actor, confirm ? "fine.confirm" : "fine.waive",
                                    "fine:" + std::to_string(fine_id),
                                    "ref=" + fine->reference +
                                        " decided_by=" + std::to_string(decider_member_id)));
    return GetFine(fine_id);
  });
}

// ------------------------------------------------------------- social fund

Result<SocialFundEntry> Cycles::RecordContribution(int64_t member_id, int64_t amount,
                                                   const Actor& actor) {
  if (amount <= 0) return Status::InvalidArgument("amount: must be more than zero");
  Result<MemberFacts> facts = LoadMemberFacts(db_, member_id);
  if (!facts.ok()) return facts.status();
  if (!facts->active) {
    return Status::FailedPrecondition("member " + std::to_string(member_id) + " is not active");
  }
  Result<Cycle> cycle = CurrentCycle(facts->group_id);
  if (!cycle.ok()) return cycle.status();
  SocialWrite w{cycle->id, facts->group_id, member_id, false, amount, cycle->currency, "", 0};
  return store::InSavepoint(db_, [&]() { return WriteSocialEntry(db_, ctx_, w, actor); });
}

Result<SocialFundEntry> Cycles::RecordSocialPayout(int64_t member_id, int64_t amount,
                                                   const std::string& reason, int64_t approved_by,
                                                   const Actor& actor) {
  if (amount <= 0) return Status::InvalidArgument("amount: must be more than zero");
  if (!loans_internal::IsPrintableText(reason, kMaxTextChars)) {
    return Status::InvalidArgument("reason: 1..160 printable characters");
  }
  Result<MemberFacts> facts = LoadMemberFacts(db_, member_id);
  if (!facts.ok()) return facts.status();
  SHG_RETURN_IF_ERROR(officers::CheckDecider(db_, approved_by, facts->group_id, member_id,
                                             "social fund payouts", "social fund payout"));
  Cycle cycle;
  {
    Result<std::optional<Cycle>> latest = LatestCycle(db_, facts->group_id);
    if (!latest.ok()) return latest.status();
    if (!latest->has_value()) return Status::Internal("group has no cycle");
    cycle = std::move(**latest);
  }
  Result<int64_t> fund = GroupBalance(db_, facts->group_id, "group_social_fund");
  if (!fund.ok()) return fund.status();
  if (*fund < amount) {
    return Status::FailedPrecondition("amount: the social fund holds " + std::to_string(*fund));
  }
  SocialWrite w{cycle.id, facts->group_id, member_id, true, amount, cycle.currency, reason,
                approved_by};
  return store::InSavepoint(db_, [&]() { return WriteSocialEntry(db_, ctx_, w, actor); });
}

Result<std::vector<SocialFundEntry>> Cycles::SocialFundEntries(int64_t group_id, int limit,
                                                               int offset) {
  SHG_RETURN_IF_ERROR(CheckPage(limit, offset));
  Statement& st = db_.Prepare(kSocialOfGroup);
  st.Bind(1, group_id).Bind(2, static_cast<int64_t>(limit)).Bind(3, static_cast<int64_t>(offset));
  return store::CollectRows(st, ReadSocial);
}

}  // namespace shg
