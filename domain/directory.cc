#include "domain/directory.h"

#include <algorithm>

#include "domain/paging.h"
#include "domain/phone.h"
#include "domain/rows.h"

namespace shg {
namespace {

using store::Statement;

// One statement per list, its filters written as "(? = '' OR ...)" so the
// SQL is fixed (cached, portable) whatever the caller filters on.
constexpr char kGroups[] =
    "SELECT id, name, country, currency, meeting_day, meeting_place, status FROM groups"
    " WHERE id > ?"
    " AND (? = 0 OR id IN (SELECT group_id FROM staff_groups WHERE staff_id = ?))"
    " AND (? = '' OR status = ?) AND (? = '' OR country = ?)"
    " AND (? = '' OR lower(name) LIKE ?)"
    " ORDER BY id LIMIT ?";
constexpr char kMembers[] =
    "SELECT id, group_id, phone, name, role, language, status, pin_hash IS NOT NULL,"
    " pin_failed, pin_locked_at IS NOT NULL, pin_must_change, joined_at FROM members"
    " WHERE id > ?"
    " AND (? = 0 OR group_id IN (SELECT group_id FROM staff_groups WHERE staff_id = ?))"
    " AND (? = 0 OR group_id = ?) AND (? = '' OR phone = ?)"
    " AND (? = '' OR lower(name) LIKE ?) AND (? = 1 OR status = 'active')"
    " ORDER BY id LIMIT ?";
// The same rows for a phone, on the members_phone index (staff look members
// up by phone all day: the generic query's "(? = '' OR phone = ?)" would
// scan the table).
constexpr char kMembersOnPhone[] =
    "SELECT id, group_id, phone, name, role, language, status, pin_hash IS NOT NULL,"
    " pin_failed, pin_locked_at IS NOT NULL, pin_must_change, joined_at FROM members"
    " WHERE phone = ? AND id > ?"
    " AND (? = 0 OR group_id IN (SELECT group_id FROM staff_groups WHERE staff_id = ?))"
    " AND (? = 0 OR group_id = ?)"
    " AND (? = '' OR lower(name) LIKE ?) AND (? = 1 OR status = 'active')"
    " ORDER BY id LIMIT ?";
constexpr char kOverviewCounts[] =
    "SELECT"
    " (SELECT COUNT(*) FROM members WHERE group_id = ? AND status = 'active'),"
    " (SELECT COALESCE(SUM(balance * normal), 0) FROM accounts"
    "   WHERE group_id = ? AND kind = 'member_savings'),"
    " (SELECT COALESCE(SUM(balance * normal), 0) FROM accounts"
    "   WHERE group_id = ? AND kind = 'group_loan_fund'),"
    " (SELECT COALESCE(SUM(balance * normal), 0) FROM accounts"
    "   WHERE group_id = ? AND kind = 'group_social_fund'),"
    " (SELECT COUNT(*) FROM savings WHERE group_id = ? AND status = 'pending'),"
    " (SELECT COALESCE(SUM(amount), 0) FROM savings WHERE group_id = ? AND status = 'pending'),"
    " (SELECT COUNT(*) FROM loan_repayments WHERE group_id = ? AND status = 'pending'),"
    " (SELECT COUNT(*) FROM loans WHERE group_id = ? AND state = 'requested')";
constexpr char kLoansByState[] =
    "SELECT state, COUNT(*) FROM loans WHERE group_id = ? GROUP BY state ORDER BY state";
constexpr char kUpdateGroup[] =
    "UPDATE groups SET name = ?, meeting_day = ?, meeting_place = ?, status = ? WHERE id = ?";
constexpr char kUpdateMember[] =
    "UPDATE members SET name = ?, role = ?, language = ?, phone = ? WHERE id = ?";
constexpr char kExitMember[] =
    "UPDATE members SET status = 'exited', exited_at = ? WHERE id = ? AND status = 'active'";
constexpr char kSameMemberOnPhone[] =
    "SELECT id, name FROM members WHERE group_id = ? AND phone = ? AND status = 'active'"
    " AND id <> ?";
constexpr char kOpenLoan[] =
    "SELECT COUNT(*) FROM loans WHERE member_id = ?"
    " AND state NOT IN ('repaid', 'declined', 'cancelled', 'expired', 'written_off')";
constexpr char kTraining[] =
    "SELECT m.id, m.step, m.title, COALESCE(r.completed_at, 0), COALESCE(r.recorded_by, '')"
    " FROM training_modules m LEFT JOIN training_records r"
    "   ON r.module_id = m.id AND r.member_id = ?"
    " ORDER BY m.step, m.id";
constexpr char kGroupSavings[] =
    "SELECT s.id, s.member_id, s.group_id, s.amount, s.currency, s.status, s.reference,"
    " s.created_at, m.name FROM savings s JOIN members m ON m.id = s.member_id"
    " WHERE s.group_id = ? AND s.id > ? AND (? = '' OR s.status = ?) ORDER BY s.id LIMIT ?";
constexpr char kModules[] =
    "SELECT id, step, title FROM training_modules ORDER BY step, id";

std::string Like(const std::string& q) {
  std::string lowered;
  for (char c : q) {
    if (c == '%' || c == '_' || c == '\\') continue;  // literal search only
    lowered += static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  }
  return "%" + lowered + "%";
}

// A name compared as the duplicate check does: ASCII case and spacing aside.
std::string Folded(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\t') continue;
    out += static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  }
  return out;
}


bool IsGroupStatus(std::string_view s) {
  return s == "forming" || s == "active" || s == "graduated" || s == "closed";
}

}  // namespace

Result<std::vector<Group>> Directory::Groups(const GroupFilter& f, int64_t after_id, int limit) {
  SHG_RETURN_IF_ERROR(CheckPage(limit, 0));
  Statement& st = db_.Prepare(kGroups);
  const std::string like = f.q.empty() ? "" : Like(f.q);
  st.Bind(1, after_id)
      .Bind(2, f.visible_to)
      .Bind(3, f.visible_to)
      .Bind(4, f.status)
      .Bind(5, f.status)
      .Bind(6, f.country)
      .Bind(7, f.country)
      .Bind(8, like)
      .Bind(9, like)
      .Bind(10, static_cast<int64_t>(limit));
  return store::CollectRows(st, ReadGroupRow);
}

Result<GroupOverview> Directory::Overview(int64_t group_id) {
  Services svc(db_, ctx_);
  auto group = svc.GetGroup(group_id);
  if (!group.ok()) return group.status();
  GroupOverview o;
  o.group = std::move(*group);
  {
    Statement& st = db_.Prepare(kOverviewCounts);
    for (int i = 1; i <= 8; ++i) st.Bind(i, group_id);
    auto read = store::QueryOne(
        st,
        [&o](const Statement& row) {
          o.members = static_cast<int>(row.Int(0));
          o.savings_confirmed = row.Int(1);
          o.group_fund = row.Int(2);
          o.social_fund = row.Int(3);
          o.pending_savings = static_cast<int>(row.Int(4));
          o.pending_savings_amount = row.Int(5);
          o.pending_repayments = static_cast<int>(row.Int(6));
          o.pending_loan_requests = static_cast<int>(row.Int(7));
          return true;
        },
        Status::Internal("group overview returned no row"));
    if (!read.ok()) return read.status();
  }
  Statement& st = db_.Prepare(kLoansByState);
  st.Bind(1, group_id);
  SHG_RETURN_IF_ERROR(store::ForEachRow(st, [&o](const Statement& row) {
    o.loans_by_state[row.Text(0)] = static_cast<int>(row.Int(1));
  }));
  return o;
}

Status Directory::UpdateGroup(int64_t group_id, const GroupChange& c) {
  Services svc(db_, ctx_);
  auto group = svc.GetGroup(group_id);
  if (!group.ok()) return group.status();
  Group g = std::move(*group);
  if (c.name) {
    if (c.name->empty() || c.name->size() > 100) {
      return Status::InvalidArgument("name: 1 to 100 characters");
    }
    g.name = *c.name;
  }
  if (c.meeting_day) g.meeting_day = *c.meeting_day;
  if (c.meeting_place) g.meeting_place = *c.meeting_place;
  if (c.status) {
    if (!IsGroupStatus(*c.status)) {
      return Status::InvalidArgument("status: forming, active, graduated or closed");
    }
    g.status = *c.status;
  }
  return db_.Prepare(kUpdateGroup)
      .Bind(1, g.name)
      .Bind(2, g.meeting_day)
      .Bind(3, g.meeting_place)
      .Bind(4, g.status)
      .Bind(5, group_id)
      .Run();
}

Result<std::vector<Member>> Directory::Members(const MemberFilter& f, int64_t after_id,
                                               int limit) {
  SHG_RETURN_IF_ERROR(CheckPage(limit, 0));
  const std::string like = f.q.empty() ? "" : Like(f.q);
  const int64_t exited = f.include_exited ? 1 : 0;
  Statement& st = db_.Prepare(f.phone.empty() ? kMembers : kMembersOnPhone);
  if (f.phone.empty()) {
    st.Bind(1, after_id)
        .Bind(2, f.visible_to)
        .Bind(3, f.visible_to)
        .Bind(4, f.group_id)
        .Bind(5, f.group_id)
        .Bind(6, f.phone)
        .Bind(7, f.phone)
        .Bind(8, like)
        .Bind(9, like)
        .Bind(10, exited)
        .Bind(11, static_cast<int64_t>(limit));
  } else {
    st.Bind(1, f.phone)
        .Bind(2, after_id)
        .Bind(3, f.visible_to)
        .Bind(4, f.visible_to)
        .Bind(5, f.group_id)
        .Bind(6, f.group_id)
        .Bind(7, like)
        .Bind(8, like)
        .Bind(9, exited)
        .Bind(10, static_cast<int64_t>(limit));
  }
  return store::CollectRows(st, ReadMemberRow);
}

Result<std::vector<Member>> Directory::AllMembers(int64_t group_id) {
  MemberFilter f;
  f.group_id = group_id;
  f.include_exited = true;
  std::vector<Member> all;
  int64_t after = 0;
  for (;;) {
    auto page = Members(f, after, 1000);
    if (!page.ok()) return page.status();
    const bool last = page->size() < 1000;
    if (!page->empty()) after = page->back().id;
    for (Member& m : *page) all.push_back(std::move(m));
    if (last) break;
  }
  return all;
}

Status Directory::UpdateMember(int64_t member_id, const MemberChange& c,
                               const std::vector<std::string>& languages) {
  Services svc(db_, ctx_);
  auto member = svc.GetMember(member_id);
  if (!member.ok()) return member.status();
  Member m = std::move(*member);
  if (!m.active) return Status::FailedPrecondition("member: she has exited the group");
  auto group = svc.GetGroup(m.group_id);
  if (!group.ok()) return group.status();
  if (c.name) {
    if (c.name->empty() || c.name->size() > 100) {
      return Status::InvalidArgument("name: 1 to 100 characters");
    }
    m.name = *c.name;
  }
  if (c.role) {
    auto role = ParseRole(*c.role);
    if (!role) return Status::InvalidArgument("role: member, treasurer, chair or secretary");
    m.role = *role;
  }
  if (c.language) {
    if (std::find(languages.begin(), languages.end(), *c.language) == languages.end()) {
      return Status::InvalidArgument("language: not a configured language");
    }
    m.language = *c.language;
  }
  if (c.phone) {
    auto phone = ParsePhone(*c.phone, group->country);
    if (!phone.ok()) return Status::InvalidArgument("phone: " + phone.status().message());
    if (PhoneCountry(*phone) != group->country) {
      return Status::InvalidArgument("phone: not a number of the group's country (" +
                                     group->country + ")");
    }
    m.phone = *phone;
  }
  {
    Statement& st = db_.Prepare(kSameMemberOnPhone);
    st.Bind(1, m.group_id).Bind(2, m.phone).Bind(3, m.id);
    SHG_RETURN_IF_ERROR(store::ForEachRow(st, [&m](const Statement& row) -> Status {
      if (Folded(row.Text(1)) == Folded(m.name)) {
        return Status::AlreadyExists("phone: another member of the group with this name has it");
      }
      return Status::Ok();
    }));
  }
  if (c.exit) {
    Statement& st = db_.Prepare(kOpenLoan);
    st.Bind(1, m.id);
    Result<int64_t> open = store::QueryInt(st, 0);
    if (!open.ok()) return open.status();
    if (*open > 0) {
      return Status::FailedPrecondition("exit: she has a loan still open");
    }
  }
  return store::InSavepoint(db_, [&]() -> Status {
    SHG_RETURN_IF_ERROR(db_.Prepare(kUpdateMember)
                            .Bind(1, m.name)
                            .Bind(2, RoleName(m.role))
                            .Bind(3, m.language)
                            .Bind(4, m.phone)
                            .Bind(5, m.id)
                            .Run());
    if (c.exit) return db_.Prepare(kExitMember).Bind(1, ctx_.now).Bind(2, m.id).Run();
    return Status::Ok();
  });
}

Result<std::vector<TrainingProgress>> Directory::Training(int64_t member_id) {
  Statement& st = db_.Prepare(kTraining);
  st.Bind(1, member_id);
  return store::CollectRows(st, [](const Statement& row) {
    TrainingProgress t;
    t.module_id = row.Text(0);
    t.step = static_cast<int>(row.Int(1));
    t.title = row.Text(2);
    t.completed_at = row.Int(3);
    t.recorded_by = row.Text(4);
    return t;
  });
}

Result<std::vector<Saving>> Directory::Savings(int64_t group_id, const std::string& status,
                                               int64_t after_id, int limit) {
  SHG_RETURN_IF_ERROR(CheckPage(limit, 0));
  if (!status.empty() && status != "pending" && status != "confirmed" && status != "rejected") {
    return Status::InvalidArgument("status: pending, confirmed or rejected");
  }
  Statement& st = db_.Prepare(kGroupSavings);
  st.Bind(1, group_id)
      .Bind(2, after_id)
      .Bind(3, status)
      .Bind(4, status)
      .Bind(5, static_cast<int64_t>(limit));
  return store::CollectRows(st, [](const Statement& row) -> Result<Saving> {
    Saving s;
    s.id = row.Int(0);
    s.member_id = row.Int(1);
    s.group_id = row.Int(2);
    s.amount = row.Int(3);
    s.currency = row.Text(4);
    const std::string state = row.Text(5);
    if (state == "pending") {
      s.status = SavingStatus::kPending;
    } else if (state == "confirmed") {
      s.status = SavingStatus::kConfirmed;
    } else if (state == "rejected") {
      s.status = SavingStatus::kRejected;
    } else {
      return Status::Internal("saving " + std::to_string(s.id) + " has an unknown status");
    }
    s.reference = row.Text(6);
    s.created_at = row.Int(7);
    s.member_name = row.Text(8);
    return s;
  });
}

Result<std::vector<TrainingProgress>> Directory::Modules() {
  Statement& st = db_.Prepare(kModules);
  return store::CollectRows(st, [](const Statement& row) {
    TrainingProgress t;
    t.module_id = row.Text(0);
    t.step = static_cast<int>(row.Int(1));
    t.title = row.Text(2);
    return t;
  });
}

}  // namespace shg
