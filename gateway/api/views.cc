#include "gateway/api/views.h"

#include "domain/phone.h"

namespace shg::gateway::api {

namespace json = boost::json;

const std::vector<std::string> kGroupColumns = {"id",          "name",          "country",
                                                "currency",    "meeting_day",   "meeting_place",
                                                "status"};
const std::vector<std::string> kMemberColumns = {"id",       "group_id", "name",   "phone",
                                                 "role",     "language", "status", "has_pin",
                                                 "pin_locked", "joined_at"};
const std::vector<std::string> kStaffColumns = {"id",         "name",   "display_name",
                                                "role",       "partner_id", "status",
                                                "has_password", "groups"};

json::object StaffJson(const StaffUser& u) {
  json::array groups;
  for (int64_t g : u.groups) groups.push_back(g);
  return {{"id", u.id},
          {"name", u.name},
          {"display_name", u.display_name},
          {"role", StaffRoleName(u.role)},
          {"partner_id", u.partner_id.empty() ? json::value(nullptr) : json::value(u.partner_id)},
          {"status", u.active ? "active" : "disabled"},
          {"has_password", u.has_password},
          {"groups", std::move(groups)}};
}

json::object GroupJson(const Group& g) {
  return {{"id", g.id},
          {"name", g.name},
          {"country", g.country},
          {"currency", g.currency},
          {"meeting_day", g.meeting_day},
          {"meeting_place", g.meeting_place},
          {"status", g.status}};
}

json::object OverviewJson(const GroupOverview& o) {
  json::object loans;
  for (const auto& [state, n] : o.loans_by_state) loans[state] = n;
  json::object out = GroupJson(o.group);
  out["members"] = o.members;
  out["savings_confirmed"] = o.savings_confirmed;
  out["group_fund"] = o.group_fund;
  out["social_fund"] = o.social_fund;
  out["pending"] = json::object{{"savings", o.pending_savings},
                                {"savings_amount", o.pending_savings_amount},
                                {"repayments", o.pending_repayments},
                                {"loan_requests", o.pending_loan_requests}};
  out["loans_by_state"] = std::move(loans);
  return out;
}

json::object MemberJson(const Member& m, const Principal& who) {
  return {{"id", m.id},
          {"group_id", m.group_id},
          {"name", m.name},
          {"phone", who.MayEditMembers() ? m.phone : MaskPhone(m.phone)},
          {"role", RoleName(m.role)},
          {"language", m.language},
          {"status", m.active ? "active" : "exited"},
          {"has_pin", m.has_pin},
          {"pin_locked", m.pin_locked},
          {"joined_at", m.joined_at}};
}

json::object BalancesJson(const Balances& b) {
  return {{"currency", b.currency},
          {"savings_confirmed", b.savings_confirmed},
          {"savings_pending", b.savings_pending},
          {"group_fund", b.group_fund},
          {"social_fund", b.social_fund},
          {"loan_outstanding", b.loan_outstanding}};
}

json::object TrainingJson(const TrainingProgress& t) {
  return {{"module_id", t.module_id},
          {"step", t.step},
          {"title", t.title},
          {"completed", t.completed_at != 0},
          {"completed_at", t.completed_at == 0 ? json::value(nullptr) : json::value(t.completed_at)},
          {"recorded_by", t.recorded_by}};
}

json::object StatementLineJson(const StatementLine& l) {
  return {{"at", l.at},
          {"kind", l.kind},
          {"amount", l.amount},
          {"status", SavingStatusName(l.status)},
          {"reference", l.reference},
          {"balance_after", l.balance_after}};
}

}  // namespace shg::gateway::api
