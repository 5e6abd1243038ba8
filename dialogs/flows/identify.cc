// Identification: the dial, the shared-phone choice, her PIN state.
// Handlers of StepRunner (dialogs/step_runner.h); stages and transitions:
// dialogs/dialog_machine.h.
#include "dialogs/step_runner.h"

#include "domain/phone.h"

namespace shg::dialogs {

Result<UssdReply> StepRunner::Start() {
  auto country = e_.options_.channel_country.find(req_.channel);
  auto phone = ParsePhone(req_.phone, country == e_.options_.channel_country.end() ? "KE" : country->second);
  if (!phone.ok()) {
    result_.kind = StepKind::kBadPhone;
    return NotRegisteredScreen(ctx_);
  }
  phone_ = MaskPhone(*phone);
  auto members = svc_.MembersByPhone(*phone);
  if (!members.ok()) return members.status();
  if (members->empty()) {
    result_.kind = StepKind::kUnknownPhone;
    return NotRegisteredScreen(ctx_);
  }
  if (members->size() == 1) return Select(members->front());
  st_.stage = Stage::kChooseMember;
  if (e_.catalogue_.HasLanguage(members->front().language)) ctx_.lang = members->front().language;
  for (const Member& m : *members) {
    if (st_.candidates.size() == static_cast<size_t>(kMembersPerPhone)) break;
    st_.candidates.push_back(m.id);
  }
  return ChooseMember("");
}

Result<UssdReply> StepRunner::ChooseMember(std::string_view note) {
  std::vector<std::string> names;
  for (int64_t id : st_.candidates) {
    auto m = svc_.GetMember(id);
    if (!m.ok()) return m.status();
    names.push_back(m->name);
  }
  return ChooseMemberScreen(ctx_, names, note);
}

Status StepRunner::LoadMember(int64_t id) {
  auto m = svc_.GetMember(id);
  if (!m.ok()) return m.status();
  member_ = std::move(*m);
  auto g = svc_.GetGroup(member_.group_id);
  if (!g.ok()) return g.status();
  group_ = std::move(*g);
  auto cur = FindCurrency(group_.currency);
  if (cur.ok()) ctx_.currency = *cur;
  return Status::Ok();
}

Result<UssdReply> StepRunner::Select(const Member& m) {
  SHG_RETURN_IF_ERROR(LoadMember(m.id));
  st_.member_id = m.id;
  st_.candidates.clear();
  if (e_.catalogue_.HasLanguage(member_.language)) ctx_.lang = member_.language;
  if (member_.pin_locked) return LockedScreen(ctx_, OfficerNames());
  if (!member_.has_pin) {
    st_.stage = Stage::kCreatePin;
    return CreatePinScreen(ctx_, member_.name, false, "");
  }
  st_.stage = Stage::kEnterPin;
  return EnterPinScreen(ctx_, member_.name, group_.name, "");
}

Result<UssdReply> StepRunner::OnChooseMember(std::string_view in) {
  int n = Choice(in, static_cast<int>(st_.candidates.size()));
  if (n == 0) return ChooseMember(T("err_option"));
  auto m = svc_.GetMember(st_.candidates[n - 1]);
  if (!m.ok()) return m.status();
  return Select(*m);
}

}  // namespace shg::dialogs
