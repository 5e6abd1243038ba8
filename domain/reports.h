// Read-only queries for programme staff and partners (the staff API's
// loans list, loan history, reports and operations lists): keyset-paged
// lists, and report figures computed from the ledger and the stored rows.
//
// Scope: `visible_to` > 0 restricts a query to the groups assigned to that
// staff user (a field officer); 0 means every group. `partner_id` "" means
// every partner.
//
// Money is int64 minor units of the `currency` beside it; times are Unix
// seconds (messages: the outbox's own milliseconds, see messages.h).
//
// A Reports object is a cheap view over one connection (a reader is
// enough: nothing here writes). Thread-safety: as its connection.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "domain/loans.h"
#include "domain/result.h"
#include "domain/store/sqlite.h"

namespace shg {

struct LoanFilter {
  int64_t visible_to = 0;
  int64_t group_id = 0;    // 0 = any
  std::string state;       // "" = any, else a LoanStateName
  std::string partner_id;  // "" = any
};

// One row of loan_events (oldest first in LoanEvents).
struct LoanEventRow {
  int64_t id = 0;
  int64_t at = 0;
  std::string event;       // a LoanEventName, or "request" for the creation
  std::string from_state;  // "" for the creation
  std::string to_state;
  std::string actor_kind;  // member | staff | partner | system
  std::string actor;
  std::string detail;
};

struct PortfolioFilter {
  int64_t visible_to = 0;
  int64_t group_id = 0;    // 0 = any
  std::string partner_id;  // "" = every partner
};

struct LoanFigure {
  int64_t loans = 0;
  int64_t outstanding = 0;  // minor units
};

// Age buckets of arrears: whole days since the due date of a loan's oldest
// instalment not fully paid (as of `now`), for loans disbursed or in
// arrears: 1-30, 31-60, 61-90, 91 and more ("90+").
inline constexpr std::array<const char*, 4> kArrearsBuckets = {"1-30", "31-60", "61-90", "90+"};

// The portfolio in one currency.
struct CurrencyPortfolio {
  std::string currency;
  // From the ledger: the balances of the member_loan accounts of the
  // groups in scope (with a partner: the balances of the groups'
  // mfi_clearing accounts with that partner, which mirror exactly the
  // member_loan postings of its loans).
  int64_t outstanding = 0;
  int64_t loans = 0;                           // every loan in scope, any state
  std::map<std::string, LoanFigure> by_state;  // state name -> loans, their outstanding
  std::array<LoanFigure, 4> arrears{};         // by kArrearsBuckets
  // Portfolio at risk: the outstanding of loans with an instalment more
  // than 30 days overdue, and its share of `outstanding` in basis points
  // (rounded half up; 0 when nothing is outstanding).
  int64_t par30_outstanding = 0;
  int64_t par30_bp = 0;
};

// Confirmed savings of one group in one calendar month (UTC), from the
// posted journals on its members' savings accounts: savings credited, the
// reversals posted that month, and net = confirmed - reversed.
struct SavingsMonth {
  std::string month;  // "YYYY-MM"
  int64_t group_id = 0;
  std::string group_name;
  std::string currency;
  int64_t confirmed = 0;
  int64_t reversed = 0;
  int64_t net = 0;
  int64_t journals = 0;
};

// One training module: active members in scope who completed it, and the
// active members in scope.
struct TrainingFigure {
  std::string module_id;
  int step = 0;
  std::string title;
  int64_t completed = 0;
  int64_t active_members = 0;
};

struct AuditRow {
  int64_t id = 0;
  int64_t at = 0;
  std::string actor_kind;
  std::string actor;
  std::string action;
  std::string subject;
  std::string channel;
  std::string request_id;
  std::string detail;
  int64_t token_id = 0;  // 0 when not made with an API token
};

struct AuditFilter {
  std::string subject;  // exact ("loan:12"); "" = any
  std::string actor;    // exact; "" = any
};

class Reports {
 public:
  Reports(store::Connection& conn, int64_t now) : db_(conn), now_(now) {}

  // Loans with id > after_id, by id, at most `limit` (1..1000).
  // InvalidArgument for an unknown state.
  Result<std::vector<Loan>> LoanPage(const LoanFilter& filter, int64_t after_id, int limit);
  Result<std::vector<LoanEventRow>> LoanEvents(int64_t loan_id);

  // Per currency, by currency code; currencies with no loan in scope and
  // nothing outstanding are left out.
  Result<std::vector<CurrencyPortfolio>> Portfolio(const PortfolioFilter& filter);

  // By month, then group, then currency; `offset` rows skipped.
  Result<std::vector<SavingsMonth>> SavingsByMonth(int64_t visible_to, int64_t group_id, int limit,
                                                   int offset);
  // Every configured module, by step then id.
  Result<std::vector<TrainingFigure>> Training(int64_t visible_to, int64_t group_id);

  // Newest first: rows with id < before_id (0 = from the newest).
  Result<std::vector<AuditRow>> Audit(const AuditFilter& filter, int64_t before_id, int limit);
  // Outbox message ids, newest first, id < before_id (0 = from the newest);
  // status "" = any.
  Result<std::vector<int64_t>> MessageIds(const std::string& status, int64_t before_id, int limit);

 private:
  store::Connection& db_;
  int64_t now_;
};

// Basis points of part/whole rounded half up (0 when whole <= 0), and as a
// percentage with two decimals ("12.34%").
int64_t ShareBp(int64_t part, int64_t whole);
std::string BpPercent(int64_t bp);

}  // namespace shg
