#include "dialogs/screens.h"

#include <algorithm>
#include <ctime>

#include "dialogs/gsm.h"

namespace shg::dialogs {
namespace {

// Joins a note (if any) and the body lines with '\n'.
std::string Lines(std::string_view note, std::initializer_list<std::string_view> lines) {
  std::string out;
  if (!note.empty()) out.append(note);
  for (std::string_view l : lines) {
    if (l.empty()) continue;
    if (!out.empty()) out.push_back('\n');
    out.append(l);
  }
  return out;
}

std::string Option(std::string_view key, std::string_view label) {
  std::string s(key);
  s += ". ";
  s += label;
  return s;
}

std::string ListFooter(const ScreenContext& c, bool more) {
  std::string s;
  if (more) s = Option(kKeyMore, c.T("opt_more")) + "\n";
  s += Option(kKeyBack, c.T("opt_back"));
  return s;
}

// Cuts to `max` code points (never inside a UTF-8 sequence).
std::string CutChars(std::string_view text, size_t max) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (count == max) return std::string(text.substr(0, i));
      ++count;
    }
  }
  return std::string(text);
}

}  // namespace

size_t ScreenLength(std::string_view text) {
  size_t n = 0;
  for (unsigned char ch : text) n += (ch & 0xC0) != 0x80;
  return n;
}

std::string ShortName(std::string_view full_name, size_t max) {
  size_t start = full_name.find_first_not_of(' ');
  if (start == std::string_view::npos) return "";
  std::string_view rest = full_name.substr(start);
  return CutChars(rest.substr(0, rest.find(' ')), max);
}

std::string ShortDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d/%02d", tm.tm_mday % 100, (tm.tm_mon + 1) % 100);
  return buf;
}

UssdReply Con(std::string text) { return UssdReply{std::move(text), false}; }
UssdReply End(std::string text) { return UssdReply{std::move(text), true}; }

bool ScreenFits(std::string_view text) {
  const SmsLength m = MeasureSms(text);
  return m.units <= (m.encoding == SmsEncoding::kGsm7 ? kMaxScreenChars : kMaxUcs2ScreenUnits);
}

bool FitScreen(UssdReply* reply) {
  if (ScreenFits(reply->text)) return true;
  size_t chars = std::min(ScreenLength(reply->text), kMaxScreenChars);
  while (chars > 0 && !ScreenFits(CutChars(reply->text, chars))) --chars;
  reply->text = CutChars(reply->text, chars);
  return false;
}

UssdReply NotRegisteredScreen(const ScreenContext& c) { return End(c.T("not_registered")); }
UssdReply LockedScreen(const ScreenContext& c) { return End(c.T("locked")); }
UssdReply LockedNowScreen(const ScreenContext& c) { return End(c.T("locked_now")); }

UssdReply SessionExpiredScreen(const ScreenContext& c, std::string_view service_code) {
  return End(Format(c.T("session_expired"), {{"code", service_code}}));
}

UssdReply ChooseMemberScreen(const ScreenContext& c, const std::vector<std::string>& names,
                             std::string_view note) {
  std::string body = c.T("choose_member");
  for (size_t i = 0; i < names.size() && i < static_cast<size_t>(kMembersPerPhone); ++i) {
    body += "\n" + Option(std::to_string(i + 1), ShortName(names[i]));
  }
  return Con(Lines(note, {body}));
}

UssdReply EnterPinScreen(const ScreenContext& c, std::string_view name, std::string_view group,
                         std::string_view note) {
  if (!note.empty()) return Con(Lines(note, {c.T("enter_pin")}));
  return Con(Format(c.T("welcome_pin"),
                    {{"name", ShortName(name)}, {"group", CutChars(group, kMaxGroupChars)}}));
}

UssdReply CreatePinScreen(const ScreenContext& c, std::string_view name, bool after_reset,
                          std::string_view note) {
  const std::string& t = c.T(after_reset ? "reset_pin_new" : "create_pin");
  return Con(Lines(note, {Format(t, {{"name", ShortName(name)}})}));
}

UssdReply RepeatPinScreen(const ScreenContext& c, std::string_view note) {
  return Con(Lines(note, {c.T("repeat_pin")}));
}

UssdReply MainMenuScreen(const ScreenContext& c, bool manager, std::string_view note) {
  std::string body = Option("1", c.T("menu_balance")) + "\n" + Option("2", c.T("menu_save")) + "\n" +
                     Option("5", c.T("menu_statement")) + "\n" + Option("6", c.T("menu_group")) +
                     "\n" + Option("7", c.T("menu_settings"));
  if (manager) body += "\n" + Option("8", c.T("menu_tasks"));
  body += "\n" + Option("0", c.T("menu_exit"));
  return Con(Lines(note, {body}));
}

UssdReply BalanceScreen(const ScreenContext& c, const Balances& b) {
  std::string loan = b.loan_outstanding > 0 ? c.Money(b.loan_outstanding) : c.T("loan_none");
  return End(Format(c.T("balance"), {{"savings", c.Money(b.savings_confirmed)},
                                     {"pending", c.Money(b.savings_pending)},
                                     {"fund", c.Money(b.group_fund)},
                                     {"social", c.Money(b.social_fund)},
                                     {"loan", loan}}));
}

UssdReply SaveAmountScreen(const ScreenContext& c, std::string_view note) {
  return Con(Lines(note, {Format(c.T("save_amount"), {{"currency", c.currency.code}}),
                          Option(kKeyBack, c.T("opt_back"))}));
}

UssdReply SaveConfirmScreen(const ScreenContext& c, int64_t amount, std::string_view note) {
  return Con(Lines(note, {Format(c.T("save_confirm"), {{"amount", c.Money(amount)}}),
                          Option("1", c.T("opt_confirm")), Option("2", c.T("opt_cancel"))}));
}

UssdReply ResumeSaveScreen(const ScreenContext& c, int64_t amount, std::string_view note) {
  return Con(Lines(note, {Format(c.T("resume_save"), {{"amount", c.Money(amount)}}),
                          Option("1", c.T("opt_yes")), Option("2", c.T("opt_start_again"))}));
}

UssdReply SavedScreen(const ScreenContext& c, int64_t amount, std::string_view reference) {
  return End(Format(c.T("saved"), {{"amount", c.Money(amount)}, {"ref", reference}}));
}

UssdReply StatementScreen(const ScreenContext& c, const std::vector<StatementLine>& lines, int page,
                          bool more, std::string_view note) {
  // A note takes the title's place: list screens have no room for both.
  std::string body = !note.empty() ? std::string(note)
                                   : Format(c.T("statement_title"), {{"page", std::to_string(page + 1)},
                                                                     {"currency", c.currency.code}});
  if (lines.empty()) body += "\n" + c.T("statement_empty");
  for (const auto& l : lines) {
    const char* status_key = l.status == SavingStatus::kConfirmed ? "status_confirmed"
                             : l.status == SavingStatus::kRejected ? "status_rejected"
                                                                    : "status_pending";
    body += "\n" + Format(c.T("statement_line"), {{"date", ShortDate(l.at)},
                                                 {"amount", c.Number(l.amount)},
                                                 {"status", c.T(status_key)},
                                                 {"ref", l.reference}});
  }
  return Con(Lines("", {body, ListFooter(c, more)}));
}

UssdReply GroupScreen(const ScreenContext& c, const GroupSummary& g) {
  std::string meeting = g.group.meeting_day;
  if (!g.group.meeting_place.empty()) meeting += ", " + g.group.meeting_place;
  return End(Format(c.T("group_info"), {{"group", CutChars(g.group.name, kMaxGroupChars)},
                                       {"members", std::to_string(g.members)},
                                       {"savings", c.Money(g.group_savings)},
                                       {"loans", std::to_string(g.loans_out)},
                                       {"meeting", CutChars(meeting, 40)}}));
}

UssdReply SettingsScreen(const ScreenContext& c, std::string_view note) {
  return Con(Lines(note, {c.T("settings_title"), Option("1", c.T("settings_language")),
                          Option("2", c.T("settings_pin")), Option(kKeyBack, c.T("opt_back"))}));
}

UssdReply LanguageScreen(const ScreenContext& c, std::string_view note) {
  std::string body = c.T("language_title");
  const auto& codes = c.catalogue->languages();
  for (size_t i = 0; i < codes.size() && i < 9; ++i) {
    body += "\n" + Option(std::to_string(i + 1), CutChars(c.catalogue->LanguageName(codes[i]), 20));
  }
  return Con(Lines(note, {body, Option(kKeyBack, c.T("opt_back"))}));
}

UssdReply CurrentPinScreen(const ScreenContext& c, std::string_view note) {
  return Con(Lines(note, {c.T("change_pin_current")}));
}
UssdReply NewPinScreen(const ScreenContext& c, std::string_view note) {
  return Con(Lines(note, {c.T("change_pin_new")}));
}
UssdReply PinChangedScreen(const ScreenContext& c) { return End(c.T("pin_changed")); }

UssdReply TasksScreen(const ScreenContext& c, int pending_savings, std::string_view note) {
  return Con(Lines(note, {c.T("tasks_title"),
                          Option("1", Format(c.T("tasks_savings"),
                                             {{"count", std::to_string(pending_savings)}})),
                          Option(kKeyBack, c.T("opt_back"))}));
}

UssdReply PendingSavingsScreen(const ScreenContext& c, const std::vector<Saving>& items, int page,
                               bool more, std::string_view note) {
  std::string body = !note.empty() ? std::string(note)
                                   : Format(c.T("pending_title"), {{"page", std::to_string(page + 1)}});
  if (items.empty()) body += "\n" + c.T("pending_empty");
  for (size_t i = 0; i < items.size(); ++i) {
    body += "\n" + Option(std::to_string(i + 1), ShortName(items[i].member_name) + " " +
                                                     c.Money(items[i].amount));
  }
  return Con(Lines("", {body, ListFooter(c, more)}));
}

UssdReply DecideSavingScreen(const ScreenContext& c, const Saving& s, std::string_view note) {
  return Con(Lines(note, {Format(c.T("decide_saving"), {{"name", ShortName(s.member_name)},
                                                       {"amount", c.Money(s.amount)},
                                                       {"date", ShortDate(s.created_at)},
                                                       {"ref", s.reference}}),
                          Option("1", c.T("opt_confirm")), Option("2", c.T("opt_reject")),
                          Option(kKeyBack, c.T("opt_back"))}));
}

UssdReply GoodbyeScreen(const ScreenContext& c) { return End(c.T("goodbye")); }
UssdReply TechnicalErrorScreen(const ScreenContext& c) { return End(c.T("technical_error")); }

}  // namespace shg::dialogs
