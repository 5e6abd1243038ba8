// JSON views of domain values for the staff API (one shape per entity, so
// that every route, its CSV form and the OpenAPI document agree). Amounts
// are integers in minor units of the "currency" beside them; times are Unix
// seconds. Thread-safe (pure functions).
#pragma once

#include <boost/json.hpp>

#include "domain/directory.h"
#include "domain/loans.h"
#include "domain/model.h"
#include "domain/staff.h"

namespace shg::gateway::api {

// Column lists of the list routes (the CSV header order).
extern const std::vector<std::string> kGroupColumns;
extern const std::vector<std::string> kMemberColumns;
extern const std::vector<std::string> kStaffColumns;

boost::json::object StaffJson(const StaffUser& u);
boost::json::object GroupJson(const Group& g);
boost::json::object OverviewJson(const GroupOverview& o);
// The phone in full for staff who manage members, masked for the others.
boost::json::object MemberJson(const Member& m, const Principal& who);
boost::json::object BalancesJson(const Balances& b);
boost::json::object TrainingJson(const TrainingProgress& t);
boost::json::object StatementLineJson(const StatementLine& l);

}  // namespace shg::gateway::api
