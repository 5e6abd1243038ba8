// Routes of members:
//   GET   /api/v1/members                 ?phone= &q= &group= &include_exited= &limit= &cursor=
//   GET   /api/v1/members/{id}            profile, balances, training progress, current loan
//   POST  /api/v1/groups/{id}/members     register one member
//   PATCH /api/v1/members/{id}            name, role, language, phone, exit
//   POST  /api/v1/members/{id}/pin-reset  one-time PIN by SMS (never shown to staff)
//   GET   /api/v1/members/{id}/statement  her savings lines, newest first
#include "dialogs/receipts.h"
#include "domain/directory.h"
#include "domain/phone.h"
#include "gateway/api/route.h"
#include "gateway/api/views.h"

namespace shg::gateway::api {
namespace {

ApiAnswer ListMembers(ApiCall& call, Unit& unit) {
  if (auto e = CheckNotPartner(call)) return *e;
  Page page;
  if (auto e = ParsePage(call, &page)) return *e;
  MemberFilter f;
  f.visible_to = call.who.SeesAllGroups() ? 0 : call.who.user.id;
  f.q = call.Query("q");
  const std::string group = call.Query("group");
  if (!group.empty()) {
    call.path["group"] = group;
    auto id = call.PathId("group");
    if (!id) return Error(400, "bad_query", "group: a group id", "group");
    f.group_id = *id;
  }
  const std::string phone = call.Query("phone");
  if (!phone.empty()) {
    // As staff type it: national numbers in the programme's first country.
    const std::string country = call.settings.channels.empty() ? "KE"
                                                               : call.settings.channels[0].country;
    auto e164 = ParsePhone(phone, country);
    if (!e164.ok()) return Error(400, "bad_query", "phone: " + e164.status().message(), "phone");
    f.phone = *e164;
  }
  const std::string exited = call.Query("include_exited");
  if (!exited.empty() && exited != "true" && exited != "false") {
    return Error(400, "bad_query", "include_exited: true or false", "include_exited");
  }
  f.include_exited = exited == "true";
  auto members = Directory(unit.conn, unit.ctx).Members(f, page.after_id, page.limit);
  if (!members.ok()) return FromStatus(members.status());
  Table t;
  t.columns = kMemberColumns;
  for (const Member& m : *members) t.rows.push_back(MemberJson(m, call.who));
  if (static_cast<int>(members->size()) == page.limit) {
    t.next_cursor = EncodeCursor(members->back().id);
  }
  return List(std::move(t));
}

ApiAnswer GetMember(ApiCall& call, Unit& unit) {
  auto id = call.PathId("id");
  if (!id) return Error(404, "not_found", "no such member");
  Member m;
  if (auto e = CheckMember(call, unit, *id, &m)) return *e;
  json::object out = MemberJson(m, call.who);
  auto balances = unit.services.BalancesFor(m.id);
  if (!balances.ok()) return FromStatus(balances.status());
  out["balances"] = BalancesJson(*balances);
  auto training = Directory(unit.conn, unit.ctx).Training(m.id);
  if (!training.ok()) return FromStatus(training.status());
  json::array modules;
  for (const TrainingProgress& t : *training) modules.push_back(TrainingJson(t));
  out["training"] = std::move(modules);
  auto completed = unit.services.CompletedTraining(m.id);
  if (!completed.ok()) return FromStatus(completed.status());
  out["training_completed"] = *completed;
  Loans loans(unit.conn, unit.ctx, call.programme);
  auto loan = loans.CurrentLoan(m.id);
  if (!loan.ok()) return FromStatus(loan.status());
  if (loan->has_value()) {
    const Loan& l = (*loan)->loan;
    out["loan"] = json::object{{"reference", l.reference},
                               {"state", LoanStateName(l.state)},
                               {"currency", l.currency},
                               {"amount", l.amount},
                               {"outstanding", l.outstanding},
                               {"partner_id", l.partner_id}};
  } else {
    out["loan"] = nullptr;
  }
  return Ok(std::move(out));
}

ApiAnswer AddMember(ApiCall& call, Unit& unit) {
  auto gid = call.PathId("id");
  if (!gid) return NoSuchGroup();
  Group group;
  if (auto e = CheckGroup(call, unit, *gid, &group)) return *e;
  if (auto e = CheckMayEdit(call)) return *e;
  Member m;
  std::string phone, role = "member";
  m.language = call.settings.default_language;
  if (auto e = StringField(call, "name", &m.name, true, 100)) return *e;
  if (auto e = StringField(call, "phone", &phone, true, 30)) return *e;
  if (auto e = StringField(call, "role", &role, false, 20)) return *e;
  if (auto e = StringField(call, "language", &m.language, false, 10)) return *e;
  auto e164 = ParsePhone(phone, group.country);
  if (!e164.ok()) return Error(422, "invalid", "phone: " + e164.status().message(), "phone");
  if (PhoneCountry(*e164) != group.country) {
    return Error(422, "invalid", "phone: not a number of the group's country (" + group.country + ")",
                 "phone");
  }
  auto parsed_role = ParseRole(role);
  if (!parsed_role) {
    return Error(422, "invalid", "role: member, treasurer, chair or secretary", "role");
  }
  const auto& langs = call.settings.languages;
  if (std::find(langs.begin(), langs.end(), m.language) == langs.end()) {
    return Error(422, "invalid", "language: not a configured language", "language");
  }
  m.group_id = group.id;
  m.phone = *e164;
  m.role = *parsed_role;
  m.joined_at = call.now;
  auto id = unit.services.AddMember(m);
  if (!id.ok()) return FromStatus(id.status());
  if (Status s = call.Audit(unit, "member.added", "member:" + std::to_string(*id)); !s.ok()) {
    return FromStatus(s);
  }
  auto added = unit.services.GetMember(*id);
  if (!added.ok()) return FromStatus(added.status());
  return Ok(MemberJson(*added, call.who), 201);
}

ApiAnswer PatchMember(ApiCall& call, Unit& unit) {
  auto id = call.PathId("id");
  if (!id) return Error(404, "not_found", "no such member");
  Member m;
  if (auto e = CheckMember(call, unit, *id, &m)) return *e;
  if (auto e = CheckMayEdit(call)) return *e;
  MemberChange c;
  std::string detail;
  for (const auto& kv : call.body) {
    const std::string key(kv.key());
    if (key == "exit") {
      if (!kv.value().is_bool()) return Error(422, "invalid", "exit: true or false", "exit");
      c.exit = kv.value().as_bool();
    } else if (key == "name" || key == "role" || key == "language" || key == "phone") {
      std::string value;
      if (auto e = StringField(call, key.c_str(), &value, true, 100)) return *e;
      if (key == "name") c.name = value;
      if (key == "role") c.role = value;
      if (key == "language") c.language = value;
      if (key == "phone") c.phone = value;
    } else {
      return Error(422, "invalid", key + ": not a field that can be changed", key);
    }
    detail += (detail.empty() ? "" : ",") + key;
  }
  Directory dir(unit.conn, unit.ctx);
  if (Status s = dir.UpdateMember(*id, c, call.settings.languages); !s.ok()) return FromStatus(s);
  if (Status s = call.Audit(unit, c.exit ? "member.exited" : "member.updated",
                            "member:" + std::to_string(*id), detail);
      !s.ok()) {
    return FromStatus(s);
  }
  auto updated = unit.services.GetMember(*id);
  if (!updated.ok()) return FromStatus(updated.status());
  return Ok(MemberJson(*updated, call.who));
}

ApiAnswer ResetPin(ApiCall& call, Unit& unit) {
  auto id = call.PathId("id");
  if (!id) return Error(404, "not_found", "no such member");
  Member m;
  if (auto e = CheckMember(call, unit, *id, &m)) return *e;
  if (auto e = CheckMayEdit(call)) return *e;
  if (!m.active) return Error(409, "conflict", "member: she has exited the group");
  auto group = unit.services.GetGroup(m.group_id);
  if (!group.ok()) return FromStatus(group.status());
  // The one-time PIN reaches her only by SMS: staff never see it, so with
  // no channel to her phone nothing is reset.
  if (call.notifier.routing().For("", group->country).empty()) {
    return Error(409, "no_sms_channel",
                 "no SMS channel reaches her country: reset her PIN with the CLI in person");
  }
  const std::string otp = NewOneTimePin();
  if (Status s = unit.services.ResetPin(m.id, otp); !s.ok()) return FromStatus(s);
  std::string code = "*384*7#";
  for (const auto& ch : call.settings.channels) {
    if (!ch.service_code.empty()) {
      code = ch.service_code;
      break;
    }
  }
  auto sent = dialogs::SendPinReset(call.notifier, unit.messages, "", m, *group, otp, code);
  if (!sent.ok()) return FromStatus(sent.status());
  *call.wake_outbox = true;
  if (Status s = call.Audit(unit, "pin.reset", "member:" + std::to_string(m.id),
                            "sms=" + std::to_string(*sent));
      !s.ok()) {
    return FromStatus(s);
  }
  return Ok(json::object{{"member_id", m.id}, {"sms_message_id", *sent}, {"must_change", true}});
}

ApiAnswer Statement(ApiCall& call, Unit& unit) {
  auto id = call.PathId("id");
  if (!id) return Error(404, "not_found", "no such member");
  Member m;
  if (auto e = CheckMember(call, unit, *id, &m)) return *e;
  Page page;
  if (auto e = ParsePage(call, &page)) return *e;
  // Statement lines have no id of their own: the cursor is an offset.
  const int offset = static_cast<int>(page.after_id);
  auto lines = unit.services.StatementFor(m.id, page.limit, offset);
  if (!lines.ok()) return FromStatus(lines.status());
  Table t;
  t.columns = {"at", "kind", "amount", "status", "reference", "balance_after"};
  for (const StatementLine& l : *lines) t.rows.push_back(StatementLineJson(l));
  if (static_cast<int>(lines->size()) == page.limit) t.next_cursor = EncodeCursor(offset + page.limit);
  return List(std::move(t));
}

}  // namespace

void AddMemberRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/members", ListMembers});
  routes.push_back({"GET", "/api/v1/members/{id}", GetMember});
  routes.push_back({"POST", "/api/v1/groups/{id}/members", AddMember});
  routes.push_back({"PATCH", "/api/v1/members/{id}", PatchMember});
  routes.push_back({"POST", "/api/v1/members/{id}/pin-reset", ResetPin});
  routes.push_back({"GET", "/api/v1/members/{id}/statement", Statement});
}

}  // namespace shg::gateway::api
