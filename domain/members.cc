// Services: groups, members, language and PINs.
#include <algorithm>
#include <string>

#include "domain/civil_date.h"
#include "domain/ledger.h"
#include "domain/money.h"
#include "domain/officers.h"
#include "domain/paging.h"
#include "domain/phone.h"
#include "domain/rows.h"
#include "domain/services.h"

namespace shg {
namespace {

using store::Statement;

constexpr char kInsertGroup[] =
    "INSERT INTO groups (name, country, currency, meeting_day, meeting_place, status,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr char kInsertFirstCycle[] =
    "INSERT INTO cycles (group_id, number, state, lends, loan_savings_multiple,"
    " max_term_months, flat_rate_bp_per_month, social_fund_per_meeting, share_out_unit,"
    " length_months, starts_at, ends_at, created_by, created_at, updated_at)"
    " VALUES (?1, 1, 'active', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'group', ?9, ?9)";

constexpr char kSelectGroup[] =
    "SELECT id, name, country, currency, meeting_day, meeting_place, status"
    " FROM groups WHERE id = ?";
constexpr char kInsertMember[] =
    "INSERT INTO members (group_id, phone, name, role, language, status, joined_at,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
// Column order shared by the two member queries (see ReadMemberRow, domain/rows.h).
constexpr char kSelectMember[] =
    "SELECT id, group_id, phone, name, role, language, status, pin_hash IS NOT NULL,"
    " pin_failed, pin_locked_at IS NOT NULL, pin_must_change, joined_at"
    " FROM members WHERE id = ?";
constexpr char kMembersByPhone[] =
    "SELECT id, group_id, phone, name, role, language, status, pin_hash IS NOT NULL,"
    " pin_failed, pin_locked_at IS NOT NULL, pin_must_change, joined_at"
    " FROM members WHERE phone = ? AND status = 'active' ORDER BY id";
// Her phone's active registrations in one group (the duplicate check).
constexpr char kMembersOnPhoneInGroup[] =
    "SELECT id, name FROM members WHERE group_id = ? AND phone = ? AND status = 'active'"
    " ORDER BY id";
// Same rows as kMembersByPhone, counted on the members_phone index alone
// (asked for every member SMS: is her phone shared?).
constexpr char kActiveOnPhone[] =
    "SELECT COUNT(*) FROM members WHERE phone = ? AND status = 'active'";
constexpr char kSetLanguage[] = "UPDATE members SET language = ? WHERE id = ?";
constexpr char kSelectPin[] =
    "SELECT status, pin_hash, pin_salt, pin_failed, pin_locked_at IS NOT NULL, pin_must_change"
    " FROM members WHERE id = ?";
// One failure more, counted in SQL (two instances answering two wrong PINs
// at once each add one) and locking at the limit; none when the PIN is
// locked meanwhile. SET expressions read the row as it was.
constexpr char kRecordPinFailure[] =
    "UPDATE members SET pin_failed = pin_failed + 1,"
    " pin_locked_at = CASE WHEN pin_failed + 1 >= ?2 THEN ?3 ELSE NULL END"
    " WHERE id = ?1 AND pin_locked_at IS NULL RETURNING pin_failed";
constexpr char kClearPinFailures[] = "UPDATE members SET pin_failed = 0 WHERE id = ?";
constexpr char kStorePin[] =
    "UPDATE members SET pin_hash = ?, pin_salt = ?, pin_failed = 0, pin_locked_at = NULL,"
    " pin_must_change = ? WHERE id = ?";
// Active members of a group whose PIN is locked, longest locked first.
constexpr char kLockedMembers[] =
    "SELECT id, group_id, phone, name, role, language, status, pin_hash IS NOT NULL,"
    " pin_failed, pin_locked_at IS NOT NULL, pin_must_change, joined_at"
    " FROM members WHERE group_id = ? AND status = 'active' AND pin_locked_at IS NOT NULL"
    " ORDER BY pin_locked_at, id LIMIT ? OFFSET ?";
// Active treasurers and chairs of a group: treasurers first.
constexpr char kGroupOfficers[] =
    "SELECT id, group_id, phone, name, role, language, status, pin_hash IS NOT NULL,"
    " pin_failed, pin_locked_at IS NOT NULL, pin_must_change, joined_at"
    " FROM members WHERE group_id = ? AND status = 'active' AND role IN ('treasurer', 'chair')"
    " ORDER BY role = 'chair', id";

bool IsUpperAlpha(std::string_view s, size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// A language tag as configured ("en", "sw", "pt-BR"): 2..8 letters or '-'.
bool IsLanguageTag(std::string_view s) {
  return s.size() >= 2 && s.size() <= 8 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
         });
}

bool IsGroupStatus(std::string_view s) {
  return s == "forming" || s == "active" || s == "graduated" || s == "closed";
}


// A name as staff mean it: ASCII case and runs of spaces do not make another
// person ("Amina  wekesa" is "Amina Wekesa").
std::string NameKey(std::string_view name) {
  std::string key;
  for (char c : name) {
    if (c == ' ' || c == '\t') {
      if (!key.empty() && key.back() != ' ') key.push_back(' ');
    } else {
      key.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
  }
  if (!key.empty() && key.back() == ' ') key.pop_back();
  return key;
}

bool IsFourDigits(std::string_view pin) {
  return pin.size() == 4 && std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<Member> ReadMemberRow(const Statement& st) {
  Member m;
  m.id = st.Int(0);
  m.group_id = st.Int(1);
  m.phone = st.Text(2);
  m.name = st.Text(3);
  std::optional<Role> role = ParseRole(st.Text(4));
  if (!role) return Status::Internal("member " + std::to_string(m.id) + " has an unknown role");
  m.role = *role;
  m.language = st.Text(5);
  m.active = st.Text(6) == "active";
  m.has_pin = st.Int(7) != 0;
  m.pin_failed = static_cast<int>(st.Int(8));
  m.pin_locked = st.Int(9) != 0;
  m.pin_must_change = st.Int(10) != 0;
  m.joined_at = st.Int(11);
  return m;
}

Group ReadGroupRow(const Statement& st) {
  Group g;
  g.id = st.Int(0);
  g.name = st.Text(1);
  g.country = st.Text(2);
  g.currency = st.Text(3);
  g.meeting_day = st.Text(4);
  g.meeting_place = st.Text(5);
  g.status = st.Text(6);
  return g;
}

// ------------------------------------------------------- groups and members

Result<int64_t> Services::AddGroup(const Group& g, const std::optional<CycleRules>& first_cycle) {
  if (g.name.empty() || g.name.size() > 100) {
    return Status::InvalidArgument("group name must be 1..100 characters");
  }
  if (!IsUpperAlpha(g.country, 2)) {
    return Status::InvalidArgument("country must be an ISO 3166 alpha-2 code like KE");
  }
  Result<Currency> currency = FindCurrency(g.currency);
  if (!currency.ok()) return Status::InvalidArgument("unknown currency '" + g.currency + "'");
  if (!IsGroupStatus(g.status)) {
    return Status::InvalidArgument("group status must be forming, active, graduated or closed");
  }
  CycleRules rules;
  rules.share_out_unit = ToMinor(1, *currency);
  if (first_cycle) {
    rules = *first_cycle;
    SHG_RETURN_IF_ERROR(ValidateCycleRules(rules, ToMinor(1, *currency)));
  }
  return store::InSavepoint(db_, [&]() -> Result<int64_t> {
    SHG_RETURN_IF_ERROR(db_.Prepare(kInsertGroup)
                            .Bind(1, g.name)
                            .Bind(2, g.country)
                            .Bind(3, g.currency)
                            .Bind(4, g.meeting_day)
                            .Bind(5, g.meeting_place)
                            .Bind(6, g.status)
                            .Bind(7, ctx_.now)
                            .Run());
    const int64_t id = db_.ReturnedId();
    SHG_RETURN_IF_ERROR(ledger::CreateGroupAccounts(db_, id, g.currency, ctx_.now));
    // Cycle 1, active from now (domain/cycles.h); staff plan the next ones.
    SHG_RETURN_IF_ERROR(db_.Prepare(kInsertFirstCycle)
                            .Bind(1, id)
                            .Bind(2, static_cast<int64_t>(rules.lends ? 1 : 0))
                            .Bind(3, rules.loan_savings_multiple)
                            .Bind(4, static_cast<int64_t>(rules.max_term_months))
                            .Bind(5, rules.flat_rate_bp_per_month)
                            .Bind(6, rules.social_fund_per_meeting)
                            .Bind(7, rules.share_out_unit)
                            .Bind(8, static_cast<int64_t>(rules.length_months))
                            .Bind(9, ctx_.now)
                            .Bind(10, AddCalendarMonths(ctx_.now, rules.length_months))
                            .Run());
    return id;
  });
}

Result<int64_t> Services::AddMember(const Member& m) {
  if (m.name.empty() || m.name.size() > 100) {
    return Status::InvalidArgument("member name must be 1..100 characters");
  }
  if (!IsLanguageTag(m.language)) {
    return Status::InvalidArgument("language must be a tag like en or sw");
  }
  Result<Group> group = GetGroup(m.group_id);
  if (!group.ok()) return group.status();
  // E.164 as stored and matched on every callback: the parser must give the
  // number back unchanged.
  Result<std::string> phone = ParsePhone(m.phone, group->country);
  if (m.phone.empty() || m.phone.front() != '+' || !phone.ok() || *phone != m.phone) {
    return Status::InvalidArgument("phone must be an E.164 number like +254700000001");
  }
  const int64_t joined_at = m.joined_at != 0 ? m.joined_at : ctx_.now;
  return store::InSavepoint(db_, [&]() -> Result<int64_t> {
    // A shared phone is several people with their own names; the same name
    // again is the same woman registered twice (two ledgers, one person).
    {
      Statement& st = db_.Prepare(kMembersOnPhoneInGroup);
      st.Bind(1, m.group_id).Bind(2, m.phone);
      SHG_RETURN_IF_ERROR(store::ForEachRow(st, [&m](const Statement& row) -> Status {
        if (NameKey(row.Text(1)) == NameKey(m.name)) {
          return Status::AlreadyExists(
              "phone: " + MaskPhone(m.phone) + " is already registered in group " +
              std::to_string(m.group_id) + " to " + row.Text(1) + " (member " +
              std::to_string(row.Int(0)) +
              "): a duplicate registration (a shared phone needs another name)");
        }
        return Status::Ok();
      }));
    }
    SHG_RETURN_IF_ERROR(db_.Prepare(kInsertMember)
                            .Bind(1, m.group_id)
                            .Bind(2, m.phone)
                            .Bind(3, m.name)
                            .Bind(4, std::string_view(RoleName(m.role)))
                            .Bind(5, m.language)
                            .Bind(6, std::string_view(m.active ? "active" : "exited"))
                            .Bind(7, joined_at)
                            .Bind(8, ctx_.now)
                            .Run());
    const int64_t id = db_.ReturnedId();
    SHG_RETURN_IF_ERROR(ledger::CreateMemberAccounts(db_, m.group_id, id, group->currency, ctx_.now));
    return id;
  });
}

Result<Group> Services::GetGroup(int64_t group_id) {
  Statement& st = db_.Prepare(kSelectGroup);
  st.Bind(1, group_id);
  return store::QueryOne(st, ReadGroupRow, Status::NotFound("group " + std::to_string(group_id)));
}

Result<Member> Services::GetMember(int64_t member_id) {
  Statement& st = db_.Prepare(kSelectMember);
  st.Bind(1, member_id);
  return store::QueryOne(st, ReadMemberRow,
                         Status::NotFound("member " + std::to_string(member_id)));
}

Result<std::vector<Member>> Services::MembersByPhone(const std::string& e164) {
  Statement& st = db_.Prepare(kMembersByPhone);
  st.Bind(1, e164);
  return store::CollectRows(st, ReadMemberRow);
}

Result<int> Services::ActiveMembersOnPhone(const std::string& e164) {
  Statement& st = db_.Prepare(kActiveOnPhone);
  st.Bind(1, e164);
  Result<int64_t> active = store::QueryInt(st, 0);
  if (!active.ok()) return active.status();
  return static_cast<int>(*active);
}

Status Services::SetLanguage(int64_t member_id, const std::string& language) {
  if (!IsLanguageTag(language)) {
    return Status::InvalidArgument("language must be a tag like en or sw");
  }
  SHG_RETURN_IF_ERROR(db_.Prepare(kSetLanguage).Bind(1, language).Bind(2, member_id).Run());
  if (db_.Changes() == 0) return Status::NotFound("member " + std::to_string(member_id));
  return Status::Ok();
}

// ---------------------------------------------------------------------- PIN

Result<PinOutcome> Services::VerifyPin(int64_t member_id, const std::string& pin) {
  std::string hash;
  std::string salt;
  int failed = 0;
  bool must_change = false;
  {
    Statement& st = db_.Prepare(kSelectPin);
    st.Bind(1, member_id);
    struct PinRow {
      bool active = false;
      bool locked = false;
      bool set = false;
    };
    Result<PinRow> row = store::QueryOne(
        st,
        [&](const Statement& r) {
          hash = r.Blob(1);
          salt = r.Blob(2);
          failed = static_cast<int>(r.Int(3));
          must_change = r.Int(5) != 0;
          return PinRow{r.Text(0) == "active", r.Int(4) != 0, !r.IsNull(1)};
        },
        Status::NotFound("member " + std::to_string(member_id)));
    if (!row.ok()) return row.status();
    if (!row->active) {
      return Status::FailedPrecondition("member " + std::to_string(member_id) + " is not active");
    }
    PinOutcome out;
    if (row->locked) {
      out.check = PinCheck::kLocked;
      return out;
    }
    if (!row->set) {
      out.check = PinCheck::kNotSet;
      return out;
    }
  }

  PinOutcome out;
  if (ctx_.pins->Verify(pin, salt, hash)) {
    // The common login writes nothing; only a previous failure is cleared.
    if (failed != 0) SHG_RETURN_IF_ERROR(db_.Prepare(kClearPinFailures).Bind(1, member_id).Run());
    out.check = PinCheck::kOk;
    out.must_change = must_change;
    return out;
  }
  const int max_failures = std::max(1, ctx_.max_pin_failures);
  Statement& st = db_.Prepare(kRecordPinFailure);
  st.Bind(1, member_id).Bind(2, static_cast<int64_t>(max_failures)).Bind(3, ctx_.now);
  auto counted = store::QueryOptional(st, [](const Statement& row) { return row.Int(0); });
  if (!counted.ok()) return counted.status();
  if (!counted->has_value()) {
    out.check = PinCheck::kLocked;  // another attempt locked it meanwhile
    return out;
  }
  failed = static_cast<int>(**counted);
  out.check = PinCheck::kWrong;
  out.tries_left = std::max(0, max_failures - failed);
  out.just_locked = failed >= max_failures;
  return out;
}

Status Services::SetPin(int64_t member_id, const std::string& pin) {
  SHG_RETURN_IF_ERROR(ValidateNewPin(pin));
  std::string old_hash;
  std::string old_salt;
  bool must_change = false;
  {
    Statement& st = db_.Prepare(kSelectPin);
    st.Bind(1, member_id);
    Result<bool> read = store::QueryOne(
        st,
        [&](const Statement& row) {
          if (!row.IsNull(1)) {
            old_hash = row.Blob(1);
            old_salt = row.Blob(2);
            must_change = row.Int(5) != 0;
          }
          return true;
        },
        Status::NotFound("member " + std::to_string(member_id)));
    if (!read.ok()) return read.status();
  }
  // A "change" to the same digits changes nothing a thief would notice; and
  // a one-time PIN was sent by SMS (and seen by whoever read it).
  if (!old_hash.empty() && ctx_.pins->Verify(pin, old_salt, old_hash)) {
    return Status::AlreadyExists(must_change ? "choose a PIN different from the one-time PIN"
                                             : "the new PIN is the current PIN");
  }
  const std::string salt = NewSalt();
  return db_.Prepare(kStorePin)
      .BindBlob(1, ctx_.pins->Hash(pin, salt))
      .BindBlob(2, salt)
      .Bind(3, int64_t{0})
      .Bind(4, member_id)
      .Run();
}

Status Services::ResetPin(int64_t member_id, const std::string& one_time_pin) {
  if (!IsFourDigits(one_time_pin)) {
    return Status::InvalidArgument("a one-time PIN is 4 digits");
  }
  const std::string salt = NewSalt();
  SHG_RETURN_IF_ERROR(db_.Prepare(kStorePin)
                          .BindBlob(1, ctx_.pins->Hash(one_time_pin, salt))
                          .BindBlob(2, salt)
                          .Bind(3, int64_t{1})
                          .Bind(4, member_id)
                          .Run());
  if (db_.Changes() == 0) return Status::NotFound("member " + std::to_string(member_id));
  return Status::Ok();
}

Status Services::ResetPinByOfficer(int64_t member_id, int64_t officer_id,
                                  const std::string& one_time_pin) {
  Result<Member> member = GetMember(member_id);
  if (!member.ok()) return member.status();
  SHG_RETURN_IF_ERROR(officers::CheckDecider(db_, officer_id, member->group_id, member_id,
                                             "PIN resets", "PIN"));
  if (!member->active) {
    return Status::FailedPrecondition("member " + std::to_string(member_id) + " is not active");
  }
  return ResetPin(member_id, one_time_pin);
}

namespace {

Result<std::vector<Member>> ReadMembers(Statement& st) {
  return store::CollectRows(st, ReadMemberRow);
}

}  // namespace

Result<std::vector<Member>> Services::LockedMembers(int64_t group_id, int limit, int offset) {
  SHG_RETURN_IF_ERROR(CheckPage(limit, offset));
  return ReadMembers(db_.Prepare(kLockedMembers)
                         .Bind(1, group_id)
                         .Bind(2, static_cast<int64_t>(limit))
                         .Bind(3, static_cast<int64_t>(offset)));
}

Result<std::vector<Member>> Services::GroupOfficers(int64_t group_id) {
  return ReadMembers(db_.Prepare(kGroupOfficers).Bind(1, group_id));
}

}  // namespace shg
