// The share-out of a savings cycle (domain.md, "Cycle"): the arithmetic
// alone, exact to the minor unit. Pure: no store, no clock; thread-safe.
//
// The distributable fund is the members' cycle savings plus the cycle's
// income (interest on internal loans, fines; negative for a loss), all in
// minor units of the group's currency. It is shared in proportion to each
// member's savings, in whole share-out units (e.g. 100 = whole shillings of
// KES):
//
//   units      = floor(fund / unit)           what can be paid in whole units
//   carried    = fund - units * unit          below one unit: to the next cycle
//   quota_i    = units * savings_i / S        S = sum of savings (exact rational)
//   part_i     = floor(quota_i), plus one unit for the (units - sum floors)
//                members with the largest remainders, ties by member id
//                (largest-remainder / Hamilton method)
//   share_i    = part_i * unit                sum of shares = units * unit, exactly
//
// Her outstanding internal loan is netted against her share:
//   netted_i   = min(loan_i, share_i)
//   payout_i   = share_i - netted_i           the cash she receives
//   still_owed = loan_i - netted_i            what she still owes (share too small)
//
// Properties (tested over random groups, tests/domain/share_out_test.cc):
// the shares sum to units * unit exactly; each share is within one unit of
// her exact proportional share of that amount (share_i - unit < exact_i <
// share_i + unit); more savings never gets a smaller share; zero savings
// gets zero; intermediate products are 128-bit, so no overflow for any
// int64 amounts whose sum fits in int64.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "domain/result.h"

namespace shg {

struct ShareOutMember {
  int64_t member_id = 0;
  int64_t savings = 0;           // her savings in the cycle, minor units, >= 0
  int64_t loan_outstanding = 0;  // her internal loan still owed, minor units, >= 0
};

struct ShareOutLine {
  int64_t member_id = 0;
  int64_t savings = 0;
  int64_t share = 0;       // her part of the distributed amount (whole units)
  int64_t profit = 0;      // share - savings (negative after a loss)
  int64_t netted = 0;      // of her share, what repays her internal loan
  int64_t payout = 0;      // share - netted: the cash she receives
  int64_t still_owed = 0;  // loan_outstanding - netted
};

struct ShareOutPlan {
  int64_t fund = 0;         // savings + income
  int64_t distributed = 0;  // sum of shares = units * unit
  int64_t carried = 0;      // fund - distributed, 0 <= carried < unit
  int64_t total_payout = 0;
  int64_t total_netted = 0;
  std::vector<ShareOutLine> lines;  // in the order of the input
};

// InvalidArgument for: unit < 1, a negative savings or loan, a repeated
// member id, a fund below zero (a loss larger than the savings), sums that
// overflow int64. No members, or no savings at all, shares nothing: the
// whole fund is carried.
Result<ShareOutPlan> PlanShareOut(std::span<const ShareOutMember> members, int64_t income,
                                  int64_t unit);

}  // namespace shg
