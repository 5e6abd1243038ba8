// Group tasks for the group's own money (issue 11), the task menu's second
// page: fines to confirm or waive (5), recording a fine (6) and a social
// fund contribution (7). Handlers of StepRunner (dialogs/step_runner.h);
// stages and transitions: dialogs/dialog_machine.h. The changes go through
// domain/cycles.h, which writes their audit rows; the member's SMS are
// queued in the same transaction (dialogs/receipts.h).
#include <algorithm>

#include "dialogs/receipts.h"
#include "dialogs/step_runner.h"
#include "domain/directory.h"
#include "domain/money.h"

namespace shg::dialogs {

Cycles StepRunner::CycleBook() {
  // Without a loan programme no internal loan can exist to be netted.
  static const LoanProgramme kNoProgramme;
  return Cycles(svc_.connection(), svc_.context(), LoansOn() ? Programme() : kNoProgramme);
}

Result<UssdReply> StepRunner::CycleTasks(std::string_view note) {
  st_.page = 1;
  st_.items.clear();
  st_.amount = 0;
  st_.fine_kind.clear();
  return Tasks(note);
}

// --- 5. Fines to confirm ---

Result<UssdReply> StepRunner::PendingFineList(std::string_view note) {
  st_.stage = Stage::kPendingFines;
  st_.selected = 0;
  Cycles cycles = CycleBook();
  auto page = cycles.PendingFines(member_.group_id, kTasksPerPage + 1, st_.page * kTasksPerPage);
  if (!page.ok()) return page.status();
  if (page->empty() && st_.page > 0) {  // the last one of this page was just decided
    st_.page = 0;
    page = cycles.PendingFines(member_.group_id, kTasksPerPage + 1, 0);
    if (!page.ok()) return page.status();
  }
  const bool more = page->size() > static_cast<size_t>(kTasksPerPage);
  if (more) page->pop_back();
  st_.items.clear();
  for (const Fine& f : *page) st_.items.push_back(f.id);
  return PendingFinesScreen(ctx_, *page, st_.page, more, note, member_.id);
}

Result<UssdReply> StepRunner::OnPendingFines(std::string_view in) {
  if (in == kKeyBack) {
    if (st_.page > 0) {
      --st_.page;
      return PendingFineList("");
    }
    return CycleTasks("");
  }
  if (in == kKeyMore) {
    if (st_.items.size() < static_cast<size_t>(kTasksPerPage)) {
      return PendingFineList(T("err_option"));
    }
    ++st_.page;
    return PendingFineList("");
  }
  const int n = Choice(in, static_cast<int>(st_.items.size()));
  if (n == 0) return PendingFineList(T("err_option"));
  auto fine = CycleBook().GetFine(st_.items[n - 1]);
  if (!fine.ok()) return fine.status();
  if (fine->status != FineStatus::kPending) return PendingFineList(T("saving_already"));
  st_.selected = fine->id;
  return DecideFine("");
}

Result<UssdReply> StepRunner::DecideFine(std::string_view note) {
  auto fine = CycleBook().GetFine(st_.selected);
  if (!fine.ok()) return fine.status();
  st_.stage = Stage::kDecideFine;
  return DecideFineScreen(ctx_, *fine, note);
}

Result<UssdReply> StepRunner::OnDecideFine(std::string_view in) {
  if (in == kKeyBack) return PendingFineList("");
  if (in != "1" && in != "2") return DecideFine(T("err_option"));
  const bool confirm = in == "1";
  auto decided = CycleBook().DecideFine(st_.selected, member_.id, confirm, MemberActor());
  const Status::Code code = decided.status().code();
  if (code == Status::Code::kFailedPrecondition) return PendingFineList(T("saving_already"));
  if (code == Status::Code::kPermissionDenied) return PendingFineList(T("err_own_fine"));
  if (!decided.ok()) return decided.status();
  const Fine& fine = *decided;
  SHG_RETURN_IF_ERROR(Notify([&](const Notifier& n, Messages& m) {
    return SendFineDecidedReceipt(n, m, svc_, req_.channel, fine, confirm);
  }));
  return PendingFineList(Format(T(confirm ? "fine_confirmed" : "fine_waived"),
                                {{"ref", fine.reference}}));
}

// --- the group's members, to pick from ---

Result<std::vector<Member>> StepRunner::MemberPage(bool* more) {
  Directory directory(svc_.connection(), svc_.context());
  MemberFilter filter;
  filter.group_id = member_.group_id;
  // A group has tens of members: the pages up to this one are read again
  // rather than keeping a keyset cursor in the session.
  auto read = [&](int page) {
    const int limit = std::min(1000, (page + 1) * kTasksPerPage + 1);
    return directory.Members(filter, 0, limit);
  };
  auto all = read(st_.page);
  if (!all.ok()) return all.status();
  if (all->size() <= static_cast<size_t>(st_.page) * kTasksPerPage && st_.page > 0) {
    st_.page = 0;  // past the last page (members left meanwhile)
    all = read(0);
    if (!all.ok()) return all.status();
  }
  const size_t first = static_cast<size_t>(st_.page) * kTasksPerPage;
  const size_t end = std::min(all->size(), first + kTasksPerPage);
  *more = all->size() > end;
  std::vector<Member> page(all->begin() + static_cast<std::ptrdiff_t>(first),
                           all->begin() + static_cast<std::ptrdiff_t>(end));
  st_.items.clear();
  for (const Member& m : page) st_.items.push_back(m.id);
  return page;
}

// --- 6. Record fine: member, kind, (amount), confirm ---

Result<UssdReply> StepRunner::FineMembers(std::string_view note) {
  st_.stage = Stage::kFineMember;
  st_.selected = 0;
  st_.amount = 0;
  st_.fine_kind.clear();
  bool more = false;
  auto page = MemberPage(&more);
  if (!page.ok()) return page.status();
  return MemberPickScreen(ctx_, "fine_member_title", *page, more, note);
}

Result<UssdReply> StepRunner::OnFineMember(std::string_view in) {
  if (in == kKeyBack) {
    if (st_.page > 0) {
      --st_.page;
      return FineMembers("");
    }
    return CycleTasks("");
  }
  if (in == kKeyMore) {
    if (st_.items.size() < static_cast<size_t>(kTasksPerPage)) return FineMembers(T("err_option"));
    ++st_.page;
    return FineMembers("");
  }
  const int n = Choice(in, static_cast<int>(st_.items.size()));
  if (n == 0) return FineMembers(T("err_option"));
  st_.selected = st_.items[n - 1];
  st_.page = 0;
  return FineKinds("");
}

Result<UssdReply> StepRunner::FineKinds(std::string_view note) {
  const std::vector<FineKindOption>& kinds = e_.options_.fine_kinds;
  if (kinds.empty()) return CycleTasks(T("fine_kinds_none"));
  auto target = svc_.GetMember(st_.selected);
  if (!target.ok()) return target.status();
  st_.stage = Stage::kFineKind;
  st_.amount = 0;
  st_.fine_kind.clear();
  std::vector<FineKindChoice> choices;
  for (const FineKindOption& k : kinds) {
    choices.push_back(FineKindChoice{k.id, ToMinor(k.amount_units, ctx_.currency)});
  }
  if (static_cast<size_t>(st_.page) * kFineKindsPerPage >= choices.size()) st_.page = 0;
  return FineKindScreen(ctx_, target->name, choices, st_.page, note);
}

Result<UssdReply> StepRunner::OnFineKind(std::string_view in) {
  const std::vector<FineKindOption>& kinds = e_.options_.fine_kinds;
  const size_t first = static_cast<size_t>(st_.page) * kFineKindsPerPage;
  if (in == kKeyBack) {
    if (st_.page > 0) {
      --st_.page;
      return FineKinds("");
    }
    return FineMembers("");
  }
  if (in == kKeyMore) {
    if (first + kFineKindsPerPage >= kinds.size()) return FineKinds(T("err_option"));
    ++st_.page;
    return FineKinds("");
  }
  // Numbered on across pages, like the loan purposes.
  const size_t on_page =
      first < kinds.size() ? std::min<size_t>(kFineKindsPerPage, kinds.size() - first) : 0;
  const int n = Choice(in, static_cast<int>(first + on_page));
  if (n == 0 || static_cast<size_t>(n) <= first) return FineKinds(T("err_option"));
  st_.fine_kind = kinds[n - 1].id;
  st_.amount = ToMinor(kinds[n - 1].amount_units, ctx_.currency);
  return FineConfirm("");
}

const FineKindOption* StepRunner::FineKindById(std::string_view id) const {
  for (const FineKindOption& k : e_.options_.fine_kinds) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

Result<UssdReply> StepRunner::FineConfirm(std::string_view note) {
  auto target = svc_.GetMember(st_.selected);
  if (!target.ok()) return target.status();
  st_.stage = Stage::kFineConfirm;
  return FineConfirmScreen(ctx_, target->name, st_.fine_kind, st_.amount, note);
}

Result<UssdReply> StepRunner::OnFineConfirm(std::string_view in) {
  if (in == kKeyBack) {
    // Back to the page of kinds that lists hers.
    const std::vector<FineKindOption>& kinds = e_.options_.fine_kinds;
    const FineKindOption* kind = FineKindById(st_.fine_kind);
    st_.page = kind == nullptr ? 0
                               : static_cast<int>((kind - kinds.data()) / kFineKindsPerPage);
    return FineKinds("");
  }
  if (in == "2") {
    st_.stage = Stage::kFineAmount;
    return FineAmountScreen(ctx_, "");
  }
  if (in != "1") return FineConfirm(T("err_option"));
  if (!Manager()) return MainMenu(T("err_option"));  // her role changed during the session
  auto target = svc_.GetMember(st_.selected);
  if (!target.ok()) return target.status();
  auto fine = CycleBook().RecordFine(st_.selected, st_.fine_kind, st_.amount, "", MemberActor());
  if (IsNoCycle(fine.status())) return CycleTasks(T("cycle_none"));
  // She left the group meanwhile: the list no longer has her.
  if (fine.status().code() == Status::Code::kFailedPrecondition) {
    return FineMembers(T("member_not_active"));
  }
  if (!fine.ok()) return fine.status();
  SHG_RETURN_IF_ERROR(Notify([&](const Notifier& n, Messages& m) {
    return SendFineRecordedReceipt(n, m, svc_, req_.channel, *fine);
  }));
  // Back to the members: a meeting records several fines in a row.
  return FineMembers(Format(T("fine_recorded"), {{"amount", ctx_.Money(fine->amount)},
                                                 {"name", ShortName(target->name)},
                                                 {"ref", fine->reference}}));
}

Result<UssdReply> StepRunner::OnFineAmount(std::string_view in) {
  if (in == kKeyBack) return FineConfirm("");
  const int64_t max_minor = ToMinor(e_.options_.max_amount_units, ctx_.currency);
  auto amount = ParseAmountInput(in, ctx_.currency, INT64_MAX / 4);
  if (!amount.ok()) {
    return FineAmountScreen(ctx_, Format(T("err_amount"), {{"currency", ctx_.currency.code}}));
  }
  if (*amount > max_minor) {
    return FineAmountScreen(ctx_, Format(T("err_amount_max"), {{"max", ctx_.Money(max_minor)}}));
  }
  st_.amount = *amount;
  return FineConfirm("");
}

// --- 7. Social fund: a member's contribution of the cycle's amount ---

Result<UssdReply> StepRunner::SocialMembers(std::string_view note) {
  auto cycle = CycleBook().CurrentCycle(member_.group_id);
  if (IsNoCycle(cycle.status())) return CycleTasks(T("cycle_none"));
  if (!cycle.ok()) return cycle.status();
  if (cycle->rules.social_fund_per_meeting <= 0) return CycleTasks(T("social_none"));
  st_.stage = Stage::kSocialMember;
  st_.selected = 0;
  st_.amount = 0;
  bool more = false;
  auto page = MemberPage(&more);
  if (!page.ok()) return page.status();
  return MemberPickScreen(ctx_, "social_member_title", *page, more, note);
}

Result<UssdReply> StepRunner::OnSocialMember(std::string_view in) {
  if (in == kKeyBack) {
    if (st_.page > 0) {
      --st_.page;
      return SocialMembers("");
    }
    return CycleTasks("");
  }
  if (in == kKeyMore) {
    if (st_.items.size() < static_cast<size_t>(kTasksPerPage)) {
      return SocialMembers(T("err_option"));
    }
    ++st_.page;
    return SocialMembers("");
  }
  const int n = Choice(in, static_cast<int>(st_.items.size()));
  if (n == 0) return SocialMembers(T("err_option"));
  st_.selected = st_.items[n - 1];
  return SocialConfirm("");
}

Result<UssdReply> StepRunner::SocialConfirm(std::string_view note) {
  auto cycle = CycleBook().CurrentCycle(member_.group_id);
  if (IsNoCycle(cycle.status())) return CycleTasks(T("cycle_none"));
  if (!cycle.ok()) return cycle.status();
  if (cycle->rules.social_fund_per_meeting <= 0) return CycleTasks(T("social_none"));
  auto target = svc_.GetMember(st_.selected);
  if (!target.ok()) return target.status();
  st_.stage = Stage::kSocialConfirm;
  st_.amount = cycle->rules.social_fund_per_meeting;
  return SocialConfirmScreen(ctx_, target->name, st_.amount, note);
}

Result<UssdReply> StepRunner::OnSocialConfirm(std::string_view in) {
  if (in == kKeyBack) return SocialMembers("");
  if (in != "1") return SocialConfirm(T("err_option"));
  if (!Manager()) return MainMenu(T("err_option"));  // her role changed during the session
  auto target = svc_.GetMember(st_.selected);
  if (!target.ok()) return target.status();
  // The amount she was shown is the amount recorded.
  auto entry = CycleBook().RecordContribution(st_.selected, st_.amount, MemberActor());
  if (IsNoCycle(entry.status())) return CycleTasks(T("cycle_none"));
  if (entry.status().code() == Status::Code::kFailedPrecondition) {
    return SocialMembers(T("member_not_active"));
  }
  if (!entry.ok()) return entry.status();
  SHG_RETURN_IF_ERROR(Notify([&](const Notifier& n, Messages& m) {
    return SendContributionReceipt(n, m, svc_, req_.channel, *entry);
  }));
  return SocialMembers(Format(T("social_recorded"), {{"amount", ctx_.Money(entry->amount)},
                                                     {"name", ShortName(target->name)},
                                                     {"ref", entry->reference}}));
}

}  // namespace shg::dialogs
