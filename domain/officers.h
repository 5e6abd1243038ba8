// Private to domain/*.cc: who may decide a member's money action (a saving,
// a loan request, a repayment she logged). Not part of any contract outside
// the domain's own sources.
#pragma once

#include <cstdint>
#include <string_view>

#include "domain/result.h"
#include "domain/store/sqlite.h"

namespace shg::officers {

// OK when `decider` is an active treasurer or chair of `group_id` and not
// `subject_member` (no one decides her own). NotFound "member <id>" for no
// such decider; otherwise PermissionDenied "only an active treasurer or
// chair of the group decides <decided>" or "a treasurer or chair may not
// decide her own <own>". Reads on the caller's connection.
Status CheckDecider(store::Connection& db, int64_t decider, int64_t group_id,
                    int64_t subject_member, std::string_view decided, std::string_view own);

}  // namespace shg::officers
