// Private to domain/*.cc: reading the rows every query of members and groups
// shares, so each SELECT lists its columns in this order:
//   member: id, group_id, phone, name, role, language, status,
//           pin_hash IS NOT NULL, pin_failed, pin_locked_at IS NOT NULL,
//           pin_must_change, joined_at
//   group:  id, name, country, currency, meeting_day, meeting_place, status
#pragma once

#include "domain/model.h"
#include "domain/result.h"
#include "domain/store/sqlite.h"

namespace shg {

// Internal for a role the schema's CHECK would not allow.
Result<Member> ReadMemberRow(const store::Statement& st);
Group ReadGroupRow(const store::Statement& st);

}  // namespace shg
