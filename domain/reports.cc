#include "domain/reports.h"

#include <algorithm>

#include "domain/loans_internal.h"
#include "domain/paging.h"

namespace shg {
namespace {

using store::Statement;

// Scope of a group column: ?V visible_to, ?G group id.
#define SHG_GROUP_SCOPE(col, v, g)                                                       \
  " AND (" v " = 0 OR " col " IN (SELECT group_id FROM staff_groups WHERE staff_id = " v \
  ")) AND (" g " = 0 OR " col " = " g ")"

constexpr char kLoanPage[] =
    SHG_LOAN_SELECT " WHERE l.id > ?1" SHG_GROUP_SCOPE("l.group_id", "?2", "?3")
    " AND (?4 = '' OR l.state = ?4) AND (?5 = '' OR l.partner_id = ?5)"
    " ORDER BY l.id LIMIT ?6";
constexpr char kLoansInScope[] =
    SHG_LOAN_SELECT " WHERE TRUE" SHG_GROUP_SCOPE("l.group_id", "?1", "?2")
    " AND (?3 = '' OR l.partner_id = ?3) ORDER BY l.id";
constexpr char kLoanEvents[] =
    "SELECT id, at, event, COALESCE(from_state, ''), to_state, actor_kind, actor, detail"
    " FROM loan_events WHERE loan_id = ? ORDER BY id";
// The ledger's outstanding: her loan accounts (debit-normal) or, for one
// partner, the groups' clearing accounts with it (credit-normal).
constexpr char kLoanBalances[] =
    "SELECT a.currency, COALESCE(SUM(a.balance * a.normal), 0) FROM accounts a"
    " WHERE a.kind = 'member_loan'" SHG_GROUP_SCOPE("a.group_id", "?1", "?2")
    " GROUP BY a.currency ORDER BY a.currency";
constexpr char kClearingBalances[] =
    "SELECT a.currency, COALESCE(SUM(a.balance * a.normal), 0) FROM accounts a"
    " WHERE a.kind = 'mfi_clearing' AND a.partner_id = ?3"
    SHG_GROUP_SCOPE("a.group_id", "?1", "?2")
    " GROUP BY a.currency ORDER BY a.currency";
// Credits to a savings account are savings confirmed, debits reversals.
#define SHG_SAVINGS_BY_MONTH(month) \
  "SELECT " month " AS month," \
  " j.group_id, g.name, j.currency," \
  " SUM(CASE WHEN p.amount < 0 THEN -p.amount ELSE 0 END)," \
  " SUM(CASE WHEN p.amount > 0 THEN p.amount ELSE 0 END), -SUM(p.amount), COUNT(DISTINCT j.id)" \
  " FROM journals j JOIN postings p ON p.journal_id = j.id" \
  " JOIN accounts a ON a.id = p.account_id JOIN groups g ON g.id = j.group_id" \
  " WHERE a.kind = 'member_savings'" SHG_GROUP_SCOPE("j.group_id", "?1", "?2") \
  " GROUP BY month, j.group_id, g.name, j.currency ORDER BY month, j.group_id, j.currency" \
  " LIMIT ?3 OFFSET ?4"
// Months are UTC calendar months (created_at is Unix seconds).
constexpr store::DialectSql kSavingsByMonth = {
    SHG_SAVINGS_BY_MONTH("strftime('%Y-%m', j.created_at, 'unixepoch')"),
    SHG_SAVINGS_BY_MONTH("to_char(to_timestamp(j.created_at) AT TIME ZONE 'UTC', 'YYYY-MM')")};
constexpr char kTraining[] =
    "SELECT m.id, m.step, m.title,"
    " (SELECT COUNT(*) FROM training_records r JOIN members mb ON mb.id = r.member_id"
    "   WHERE r.module_id = m.id AND mb.status = 'active'"
    SHG_GROUP_SCOPE("mb.group_id", "?1", "?2") "),"
    " (SELECT COUNT(*) FROM members mb WHERE mb.status = 'active'"
    SHG_GROUP_SCOPE("mb.group_id", "?1", "?2") ")"
    " FROM training_modules m ORDER BY m.step, m.id";
constexpr char kAudit[] =
    "SELECT id, at, actor_kind, actor, action, subject, channel, request_id, detail,"
    " COALESCE(token_id, 0) FROM audit_log"
    " WHERE (?1 = 0 OR id < ?1) AND (?2 = '' OR subject = ?2) AND (?3 = '' OR actor = ?3)"
    " ORDER BY id DESC LIMIT ?4";
constexpr char kMessageIds[] =
    "SELECT id FROM messages WHERE (?1 = 0 OR id < ?1) AND (?2 = '' OR status = ?2)"
    " ORDER BY id DESC LIMIT ?3";

#undef SHG_GROUP_SCOPE

constexpr int64_t kDay = 24 * 60 * 60;

}  // namespace

int64_t ShareBp(int64_t part, int64_t whole) {
  if (whole <= 0) return 0;
  const __int128 num = static_cast<__int128>(part) * 10000 * 2 + whole;
  return static_cast<int64_t>(num / (static_cast<__int128>(whole) * 2));
}

std::string BpPercent(int64_t bp) {
  const bool negative = bp < 0;
  const int64_t v = negative ? -bp : bp;
  std::string cents = std::to_string(v % 100);
  if (cents.size() < 2) cents.insert(cents.begin(), '0');
  return (negative ? "-" : "") + std::to_string(v / 100) + "." + cents + "%";
}

Result<std::vector<Loan>> Reports::LoanPage(const LoanFilter& f, int64_t after_id, int limit) {
  SHG_RETURN_IF_ERROR(CheckPage(limit, 0));
  if (!f.state.empty() && !ParseLoanState(f.state)) {
    return Status::InvalidArgument("state: unknown loan state '" + f.state + "'");
  }
  Statement& st = db_.Prepare(kLoanPage);
  st.Bind(1, after_id)
      .Bind(2, f.visible_to)
      .Bind(3, f.group_id)
      .Bind(4, f.state)
      .Bind(5, f.partner_id)
      .Bind(6, static_cast<int64_t>(limit));
  return loans_internal::ReadLoans(st);
}

Result<std::vector<LoanEventRow>> Reports::LoanEvents(int64_t loan_id) {
  Statement& st = db_.Prepare(kLoanEvents);
  st.Bind(1, loan_id);
  return store::CollectRows(st, [](const Statement& row) {
    LoanEventRow e;
    e.id = row.Int(0);
    e.at = row.Int(1);
    e.event = row.Text(2);
    e.from_state = row.Text(3);
    e.to_state = row.Text(4);
    e.actor_kind = row.Text(5);
    e.actor = row.Text(6);
    e.detail = row.Text(7);
    return e;
  });
}

Result<std::vector<CurrencyPortfolio>> Reports::Portfolio(const PortfolioFilter& f) {
  std::map<std::string, CurrencyPortfolio> by_currency;
  {
    Statement& st = db_.Prepare(f.partner_id.empty() ? kLoanBalances : kClearingBalances);
    st.Bind(1, f.visible_to).Bind(2, f.group_id);
    if (!f.partner_id.empty()) st.Bind(3, f.partner_id);
    SHG_RETURN_IF_ERROR(store::ForEachRow(st, [&by_currency](const Statement& row) {
      CurrencyPortfolio& p = by_currency[row.Text(0)];
      p.currency = row.Text(0);
      p.outstanding = row.Int(1);
    }));
  }
  Statement& st = db_.Prepare(kLoansInScope);
  st.Bind(1, f.visible_to).Bind(2, f.group_id).Bind(3, f.partner_id);
  auto loans = loans_internal::ReadLoans(st);
  if (!loans.ok()) return loans.status();
  for (const Loan& l : *loans) {
    CurrencyPortfolio& p = by_currency[l.currency];
    p.currency = l.currency;
    ++p.loans;
    LoanFigure& s = p.by_state[LoanStateName(l.state)];
    ++s.loans;
    s.outstanding += l.outstanding;
    if (l.state != LoanState::kDisbursed && l.state != LoanState::kInArrears) continue;
    auto schedule = loans_internal::LoadSchedule(db_, l.id);
    if (!schedule.ok()) return schedule.status();
    const ScheduleStatus status = StatusAfter(*schedule, l.repaid, now_);
    if (!status.next_due || status.next_due->due_at >= now_) continue;
    const int64_t days = (now_ - status.next_due->due_at) / kDay;
    if (days < 1) continue;
    const size_t bucket = days <= 30 ? 0 : days <= 60 ? 1 : days <= 90 ? 2 : 3;
    ++p.arrears[bucket].loans;
    p.arrears[bucket].outstanding += l.outstanding;
    if (days > 30) p.par30_outstanding += l.outstanding;
  }
  std::vector<CurrencyPortfolio> out;
  for (auto& [currency, p] : by_currency) {
    if (p.loans == 0 && p.outstanding == 0) continue;
    p.par30_bp = ShareBp(p.par30_outstanding, p.outstanding);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<SavingsMonth>> Reports::SavingsByMonth(int64_t visible_to, int64_t group_id,
                                                          int limit, int offset) {
  SHG_RETURN_IF_ERROR(CheckPage(limit, offset));
  Statement& st = db_.Prepare(kSavingsByMonth);
  st.Bind(1, visible_to)
      .Bind(2, group_id)
      .Bind(3, static_cast<int64_t>(limit))
      .Bind(4, static_cast<int64_t>(offset));
  return store::CollectRows(st, [](const Statement& row) {
    SavingsMonth m;
    m.month = row.Text(0);
    m.group_id = row.Int(1);
    m.group_name = row.Text(2);
    m.currency = row.Text(3);
    m.confirmed = row.Int(4);
    m.reversed = row.Int(5);
    m.net = row.Int(6);
    m.journals = row.Int(7);
    return m;
  });
}

Result<std::vector<TrainingFigure>> Reports::Training(int64_t visible_to, int64_t group_id) {
  Statement& st = db_.Prepare(kTraining);
  st.Bind(1, visible_to).Bind(2, group_id);
  return store::CollectRows(st, [](const Statement& row) {
    TrainingFigure t;
    t.module_id = row.Text(0);
    t.step = static_cast<int>(row.Int(1));
    t.title = row.Text(2);
    t.completed = row.Int(3);
    t.active_members = row.Int(4);
    return t;
  });
}

Result<std::vector<AuditRow>> Reports::Audit(const AuditFilter& f, int64_t before_id, int limit) {
  SHG_RETURN_IF_ERROR(CheckPage(limit, 0));
  Statement& st = db_.Prepare(kAudit);
  st.Bind(1, before_id).Bind(2, f.subject).Bind(3, f.actor).Bind(4, static_cast<int64_t>(limit));
  return store::CollectRows(st, [](const Statement& row) {
    AuditRow a;
    a.id = row.Int(0);
    a.at = row.Int(1);
    a.actor_kind = row.Text(2);
    a.actor = row.Text(3);
    a.action = row.Text(4);
    a.subject = row.Text(5);
    a.channel = row.Text(6);
    a.request_id = row.Text(7);
    a.detail = row.Text(8);
    a.token_id = row.Int(9);
    return a;
  });
}

Result<std::vector<int64_t>> Reports::MessageIds(const std::string& status, int64_t before_id,
                                                 int limit) {
  SHG_RETURN_IF_ERROR(CheckPage(limit, 0));
  Statement& st = db_.Prepare(kMessageIds);
  st.Bind(1, before_id).Bind(2, status).Bind(3, static_cast<int64_t>(limit));
  return store::CollectRows(st, [](const Statement& row) { return row.Int(0); });
}

}  // namespace shg
