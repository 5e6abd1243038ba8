#include "domain/share_out.h"

#include <algorithm>
#include <numeric>
#include <unordered_set>

namespace shg {
namespace {

using Wide = __int128;

}  // namespace

Result<ShareOutPlan> PlanShareOut(std::span<const ShareOutMember> members, int64_t income,
                                  int64_t unit) {
  if (unit < 1) return Status::InvalidArgument("unit: at least 1 minor unit");
  int64_t total_savings = 0;
  std::unordered_set<int64_t> ids;
  for (const ShareOutMember& m : members) {
    if (m.savings < 0) return Status::InvalidArgument("savings: negative for a member");
    if (m.loan_outstanding < 0) return Status::InvalidArgument("loan: negative for a member");
    if (!ids.insert(m.member_id).second) {
      return Status::InvalidArgument("member: " + std::to_string(m.member_id) + " twice");
    }
    if (__builtin_add_overflow(total_savings, m.savings, &total_savings)) {
      return Status::InvalidArgument("savings: the sum is too large");
    }
  }
  ShareOutPlan plan;
  if (__builtin_add_overflow(total_savings, income, &plan.fund)) {
    return Status::InvalidArgument("income: the fund is too large");
  }
  if (plan.fund < 0) return Status::InvalidArgument("income: a loss larger than the savings");

  const int64_t units = total_savings == 0 ? 0 : plan.fund / unit;
  struct Quota {
    size_t index;
    int64_t part;       // floor(units * savings / S)
    int64_t remainder;  // (units * savings) mod S, compared across members (same S)
  };
  std::vector<Quota> quotas;
  quotas.reserve(members.size());
  int64_t given = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    if (total_savings == 0) {
      quotas.push_back({i, 0, 0});
      continue;
    }
    const Wide product = static_cast<Wide>(units) * members[i].savings;
    const int64_t part = static_cast<int64_t>(product / total_savings);
    quotas.push_back({i, part, static_cast<int64_t>(product % total_savings)});
    given += part;
  }
  // The units left (fewer than the members with a remainder) go to the
  // largest remainders; ties to the smaller member id.
  int64_t left = units - given;
  std::vector<size_t> order(quotas.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (quotas[a].remainder != quotas[b].remainder) {
      return quotas[a].remainder > quotas[b].remainder;
    }
    return members[quotas[a].index].member_id < members[quotas[b].index].member_id;
  });
  for (size_t k = 0; k < order.size() && left > 0; ++k, --left) ++quotas[order[k]].part;

  plan.lines.reserve(members.size());
  for (const Quota& q : quotas) {
    const ShareOutMember& m = members[q.index];
    ShareOutLine line;
    line.member_id = m.member_id;
    line.savings = m.savings;
    line.share = q.part * unit;  // <= fund: no overflow
    line.profit = line.share - line.savings;
    line.netted = std::min(m.loan_outstanding, line.share);
    line.payout = line.share - line.netted;
    line.still_owed = m.loan_outstanding - line.netted;
    plan.distributed += line.share;
    plan.total_payout += line.payout;
    plan.total_netted += line.netted;
    plan.lines.push_back(line);
  }
  plan.carried = plan.fund - plan.distributed;
  return plan;
}

}  // namespace shg
