#include "dialogs/screens.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
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

// "1. <label>" lines of a numbered list, one per line, from `first`.
std::string Numbered(const std::vector<std::string>& labels, int first = 1) {
  std::string s;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) s.push_back('\n');
    s += Option(std::to_string(first + static_cast<int>(i)), labels[i]);
  }
  return s;
}

// "00. Main menu" and "0. Back" under an information screen; `with_back`
// false leaves Back out where the screen has no room (both keys work).
std::string InfoFooter(const ScreenContext& c, bool with_back) {
  std::string s = Option(kKeyMain, c.T("opt_main"));
  if (with_back) s += "\n" + Option(kKeyBack, c.T("opt_back"));
  return s;
}

// The first screen of `candidates` (most complete first) that fits, else
// the last one.
UssdReply FirstThatFits(const std::vector<UssdReply>& candidates) {
  for (const UssdReply& r : candidates) {
    if (ScreenFits(r.text)) return r;
  }
  return candidates.back();
}

std::tm Utc(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

std::string TwoDigits(int n) {
  char buf[4];
  std::snprintf(buf, sizeof buf, "%02d", n % 100);
  return buf;
}

// A task list line: "Grace KES 500", and "Grace KES 500 (yours)" for the
// viewer's own, her name cut so that the mark costs no more room than the
// longest name: a list never grows by marking.
std::string TaskLine(const ScreenContext& c, std::string_view name, int64_t amount,
                     bool viewers_own) {
  if (!viewers_own) return ShortName(name) + " " + c.Money(amount);
  const std::string& mark = c.T("mark_yours");
  const size_t mark_chars = ScreenLength(mark) + 1;
  const size_t room = kMaxNameChars > mark_chars ? kMaxNameChars - mark_chars : 1;
  return ShortName(name, room) + " " + c.Money(amount) + " " + mark;
}

}  // namespace

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

std::string WeekdayName(const ScreenContext& c, int iso_weekday) {
  if (iso_weekday < 1 || iso_weekday > 7) return "";
  return c.T("weekday_" + std::to_string(iso_weekday));
}

std::string MonthName(const ScreenContext& c, int month) {
  if (month < 1 || month > 12) return "";
  return c.T("month_" + std::to_string(month));
}

int ParseWeekday(std::string_view word) {
  static constexpr std::string_view kDays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                               "friday", "saturday", "sunday"};
  std::string lower;
  for (char ch : word) {
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  }
  for (int i = 0; i < 7; ++i) {
    if (lower == kDays[i] || lower == kDays[i].substr(0, 3)) return i + 1;
  }
  return 0;
}

std::string MeetingDayText(const ScreenContext& c, std::string_view stored) {
  size_t end = 0;
  while (end < stored.size() && std::isalpha(static_cast<unsigned char>(stored[end]))) ++end;
  const int day = ParseWeekday(stored.substr(0, end));
  if (day == 0) return std::string(stored);
  return WeekdayName(c, day) + std::string(stored.substr(end));
}

std::string DayMonth(const ScreenContext& c, int64_t unix_seconds) {
  const std::tm tm = Utc(unix_seconds);
  return TwoDigits(tm.tm_mday) + " " + c.T("month_short_" + std::to_string(tm.tm_mon + 1));
}

std::string FullDate(const ScreenContext& c, int64_t unix_seconds) {
  const std::tm tm = Utc(unix_seconds);
  return DayMonth(c, unix_seconds) + " " + std::to_string(tm.tm_year + 1900);
}

std::string LongDayMonth(const ScreenContext& c, int64_t unix_seconds) {
  const std::tm tm = Utc(unix_seconds);
  return std::to_string(tm.tm_mday) + " " + MonthName(c, tm.tm_mon + 1);
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

namespace {

// "Wanjiru or Grace": the first names of up to two officers.
std::string OfficerNames(const ScreenContext& c, const std::vector<std::string>& officers) {
  std::string out;
  for (size_t i = 0; i < officers.size() && i < 2; ++i) {
    if (i > 0) out += " " + c.T("word_or") + " ";
    out += ShortName(officers[i]);
  }
  return out;
}

}  // namespace

UssdReply LockedScreen(const ScreenContext& c, const std::vector<std::string>& officers) {
  if (officers.empty()) return LockedScreen(c);
  return End(Format(c.T("locked_ask"), {{"names", OfficerNames(c, officers)}}));
}

UssdReply LockedNowScreen(const ScreenContext& c, const std::vector<std::string>& officers) {
  if (officers.empty()) return LockedNowScreen(c);
  return End(Format(c.T("locked_now_ask"), {{"names", OfficerNames(c, officers)}}));
}

UssdReply SessionExpiredScreen(const ScreenContext& c, std::string_view service_code) {
  return End(Format(c.T("session_expired"), {{"code", service_code}}));
}

UssdReply OtherPhoneScreen(const ScreenContext& c, std::string_view service_code) {
  return End(Format(c.T("session_other_phone"), {{"code", service_code}}));
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
                     Option("3", c.T("menu_loan_request")) + "\n" +
                     Option("4", c.T("menu_my_loan")) + "\n" +
                     Option("5", c.T("menu_statement")) + "\n" + Option("6", c.T("menu_group")) +
                     "\n" + Option("7", c.T("menu_settings"));
  if (manager) body += "\n" + Option("8", c.T("menu_tasks"));
  body += "\n" + Option("0", c.T("menu_exit"));
  return Con(Lines(note, {body}));
}

UssdReply BalanceScreen(const ScreenContext& c, const Balances& b,
                        const std::optional<Instalment>& next_due) {
  auto render = [&](const std::optional<Instalment>& next, bool with_back) {
    return Con(Format(c.T("balance"), {{"savings", c.Money(b.savings_confirmed)},
                                       {"pending", c.Money(b.savings_pending)},
                                       {"fund", c.Money(b.group_fund)},
                                       {"social", c.Money(b.social_fund)},
                                       {"loan", BalanceLoanText(c, b.loan_outstanding, next)}}) +
               "\n" + InfoFooter(c, with_back));
  };
  // Very large balances leave no room: "0. Back" (00 does the same here)
  // gives way first, then the next instalment (My loan has it).
  return FirstThatFits({render(next_due, true), render(next_due, false),
                        render(std::nullopt, true), render(std::nullopt, false)});
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

UssdReply SavedScreen(const ScreenContext& c, int64_t amount, std::string_view reference,
                      int64_t confirmed_savings) {
  return End(Format(c.T("saved_balance"), {{"amount", c.Money(amount)},
                                           {"savings", c.Money(confirmed_savings)},
                                           {"ref", reference}}));
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
  auto render = [&](bool with_balance, bool full_date) {
    std::string text = body;
    for (const auto& l : lines) {
      const char* status_key = l.status == SavingStatus::kConfirmed ? "status_confirmed"
                               : l.status == SavingStatus::kRejected ? "status_rejected"
                                                                      : "status_pending";
      const std::string balance = c.Number(l.balance_after);
      text += "\n" + Format(c.T(with_balance ? "statement_line_balance" : "statement_line"),
                            {{"date", full_date ? FullDate(c, l.at) : ShortDate(l.at)},
                             {"amount", c.Number(l.amount)},
                             {"status", c.T(status_key)},
                             {"balance", balance},
                             {"ref", l.reference}});
    }
    return Con(Lines("", {text, ListFooter(c, more)}));
  };
  // All or nothing on a page: large amounts leave no room for the balance
  // column, then for the full date, which gives way to "21/09" (the worst
  // case has neither); typical pages have both.
  return FirstThatFits({render(true, true), render(false, true), render(false, false)});
}

UssdReply GroupScreen(const ScreenContext& c, const GroupSummary& g) {
  std::string meeting = MeetingDayText(c, g.group.meeting_day);
  if (!g.group.meeting_place.empty()) meeting += ", " + g.group.meeting_place;
  auto render = [&](bool with_back) {
    return Con(Format(c.T("group_info"), {{"group", CutChars(g.group.name, kMaxGroupChars)},
                                         {"members", std::to_string(g.members)},
                                         {"savings", c.Money(g.group_savings)},
                                         {"loans", std::to_string(g.loans_out)},
                                         {"meeting", CutChars(meeting, 40)}}) +
               "\n" + InfoFooter(c, with_back));
  };
  return FirstThatFits({render(true), render(false)});
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

UssdReply TasksScreen(const ScreenContext& c, const TaskCounts& counts, std::string_view note) {
  return TasksScreen(c, counts, 0, note);
}

UssdReply TasksScreen(const ScreenContext& c, const TaskCounts& counts, int page,
                      std::string_view note) {
  if (page > 0) {
    return Con(Lines(note, {c.T("tasks_title"),
                          Option("5", Format(c.T("tasks_fines"),
                                             {{"count", std::to_string(counts.fines)}})),
                          Option("6", c.T("tasks_record_fine")), Option("7", c.T("tasks_social")),
                          Option(kKeyBack, c.T("opt_back"))}));
  }
  std::string loans;
  if (counts.loans) {
    const std::string requests = std::to_string(counts.loan_requests);
    const std::string repayments = std::to_string(counts.repayments);
    loans = Option("2", Format(c.T("tasks_loans"), {{"count", requests}})) + "\n" +
            Option("3", Format(c.T("tasks_repayments"), {{"count", repayments}}));
  }
  auto render = [&](bool with_title) {
    return Con(Lines(note, {with_title ? c.T("tasks_title") : "",
                            Option("1", Format(c.T("tasks_savings"),
                                               {{"count", std::to_string(counts.savings)}})),
                            loans,
                            Option("4", Format(c.T("tasks_pin_reset"),
                                               {{"count", std::to_string(counts.locked_pins)}})),
                            Option(kKeyMore, c.T("opt_more")), Option(kKeyBack, c.T("opt_back"))}));
  };
  // With a note and large counts the title gives way.
  return FirstThatFits({render(true), render(false)});
}

UssdReply PendingSavingsScreen(const ScreenContext& c, const std::vector<Saving>& items, int page,
                               bool more, std::string_view note, int64_t viewer_member_id) {
  std::string body = !note.empty() ? std::string(note)
                                   : Format(c.T("pending_title"), {{"page", std::to_string(page + 1)}});
  if (items.empty()) body += "\n" + c.T("pending_empty");
  for (size_t i = 0; i < items.size(); ++i) {
    const bool own = viewer_member_id != 0 && items[i].member_id == viewer_member_id;
    body += "\n" + Option(std::to_string(i + 1),
                          TaskLine(c, items[i].member_name, items[i].amount, own));
  }
  return Con(Lines("", {body, ListFooter(c, more)}));
}

UssdReply PendingSavingsScreen(const ScreenContext& c, const std::vector<Saving>& items, int page,
                               bool more, std::string_view note) {
  return PendingSavingsScreen(c, items, page, more, note, /*viewer_member_id=*/0);
}

UssdReply DecideSavingScreen(const ScreenContext& c, const Saving& s, std::string_view note) {
  return Con(Lines(note, {Format(c.T("decide_saving"), {{"name", ShortName(s.member_name)},
                                                       {"amount", c.Money(s.amount)},
                                                       {"date", DayMonth(c, s.created_at)},
                                                       {"ref", s.reference}}),
                          Option("1", c.T("opt_confirm")), Option("2", c.T("opt_reject")),
                          Option(kKeyBack, c.T("opt_back"))}));
}

// --- loans ---

namespace {

std::string Months(const ScreenContext& c, int months) {
  return Format(c.T("loan_term_option"), {{"n", std::to_string(months)}});
}

// The amount lent: the lender's once approved, else the amount asked.
int64_t LoanAmount(const Loan& l) { return l.approved_amount > 0 ? l.approved_amount : l.amount; }

// my_loan_terms and my_loan_asked when the lender approved another amount or
// term than she asked (none otherwise, or when the terms give no schedule).
std::vector<std::string> ChangedTermsLines(const ScreenContext& c, const Loan& l) {
  if (l.approved_amount <= 0 || l.approved_term_months <= 0) return {};
  if (l.approved_amount == l.amount && l.approved_term_months == l.term_months) return {};
  LoanTerms terms;
  terms.principal = l.approved_amount;
  terms.term_months = l.approved_term_months;
  terms.annual_rate_bp = l.annual_rate_bp;
  terms.rule = l.rule;
  terms.currency = c.currency;
  terms.group_loan = l.source == LoanSource::kGroup;
  Result<LoanQuote> q = QuoteLoan(terms);
  if (!q.ok()) return {};
  return {Format(c.T("my_loan_terms"), {{"term", Months(c, q->term_months)},
                                        {"instalment", c.Money(q->instalment)},
                                        {"total", c.Money(q->total_repay)}}),
          Format(c.T("my_loan_asked"),
                 {{"amount", c.Money(l.amount)}, {"term", Months(c, l.term_months)}})};
}

}  // namespace

std::string PurposeLabel(const ScreenContext& c, std::string_view purpose_id) {
  std::string key = "purpose_" + std::string(purpose_id);
  const std::string& label = c.T(key);
  if (!label.empty() && label.front() != '[') return CutChars(label, kMaxPurposeChars);
  std::string plain(purpose_id);
  std::replace(plain.begin(), plain.end(), '_', ' ');
  return CutChars(plain, kMaxPurposeChars);
}

std::string LoanStateLabel(const ScreenContext& c, LoanState s) {
  return c.T(std::string("loan_state_") + LoanStateName(s));
}

std::string BalanceLoanText(const ScreenContext& c, int64_t outstanding,
                            const std::optional<Instalment>& next_due) {
  if (outstanding <= 0) return c.T("loan_none");
  if (!next_due.has_value()) return c.Money(outstanding);
  return Format(c.T("balance_loan"), {{"outstanding", c.Money(outstanding)},
                                      {"next", c.Number(next_due->total)},
                                      {"date", DayMonth(c, next_due->due_at)}});
}

std::string LoanRefusalText(const ScreenContext& c, std::string_view refusal,
                            const LoanPolicy& policy) {
  const std::string& t = c.T("loan_err_" + std::string(refusal));
  const std::string& tmpl = (t.empty() || t.front() == '[') ? c.T("loan_err_other") : t;
  return Format(tmpl, {{"months", std::to_string(policy.min_months)},
                       {"count", std::to_string(policy.min_confirmed_savings)}});
}

std::string PercentText(int64_t annual_rate_bp) {
  std::string s = std::to_string(annual_rate_bp / 100);
  const int64_t hundredths = annual_rate_bp % 100;
  if (hundredths != 0) {
    s.push_back('.');
    s.push_back(static_cast<char>('0' + hundredths / 10));
    if (hundredths % 10 != 0) s.push_back(static_cast<char>('0' + hundredths % 10));
  }
  return s;
}

std::string RateText(const ScreenContext& c, int64_t annual_rate_bp, InterestRule rule) {
  return Format(c.T(rule == InterestRule::kFlat ? "loan_rate_flat" : "loan_rate_declining"),
                {{"rate", PercentText(annual_rate_bp)}});
}

const LoanProduct* ProductOf(const LoanProgramme* programme, std::string_view partner_id,
                             std::string_view currency) {
  if (programme == nullptr) return nullptr;
  for (const LoanProduct& p : programme->products) {
    if (p.partner_id == partner_id && p.currency == currency) return &p;
  }
  return nullptr;
}

Result<LoanQuote> QuoteFor(const LoanProduct& product, int64_t amount, int term_months,
                           const Currency& currency) {
  LoanTerms terms;
  terms.principal = amount;
  terms.term_months = term_months;
  terms.annual_rate_bp = product.annual_rate_bp;
  terms.rule = product.rule;
  terms.currency = currency;
  return QuoteLoan(terms);
}

std::vector<LoanQuote> TermQuotes(const LoanProduct& product, int64_t amount,
                                  const Currency& currency) {
  std::vector<LoanQuote> out;
  for (int months : product.terms_months) {
    Result<LoanQuote> q = QuoteFor(product, amount, months, currency);
    if (q.ok()) out.push_back(*q);
  }
  return out;
}

Result<LoanQuote> OfferQuote(const LoanOffer& offer, const LoanProduct* product, int64_t amount,
                             int term_months, const Currency& currency) {
  if (product != nullptr && amount >= product->min_amount && amount <= offer.mfi_max_amount &&
      std::find(product->terms_months.begin(), product->terms_months.end(), term_months) !=
          product->terms_months.end()) {
    return QuoteFor(*product, amount, term_months, currency);
  }
  if (offer.group_max_amount > 0 && amount <= offer.group_max_amount && term_months >= 1 &&
      term_months <= offer.group_max_term_months) {
    LoanTerms terms;
    terms.principal = amount;
    terms.term_months = term_months;
    terms.annual_rate_bp = offer.group_annual_rate_bp;
    terms.rule = InterestRule::kFlat;
    terms.currency = currency;
    terms.group_loan = true;
    return QuoteLoan(terms);
  }
  return Status::InvalidArgument("term_months: not offered for this amount");
}

std::vector<LoanQuote> OfferQuotes(const LoanOffer& offer, const LoanProduct* product,
                                   int64_t amount, const Currency& currency) {
  std::vector<LoanQuote> out;
  for (int months : offer.terms_months) {
    Result<LoanQuote> q = OfferQuote(offer, product, amount, months, currency);
    if (q.ok()) out.push_back(*q);
  }
  return out;
}

std::optional<LoanQuote> RequestQuote(const Loan& loan, const LoanProgramme* programme,
                                      const Currency& currency) {
  if (const LoanProduct* p = ProductOf(programme, loan.partner_id, currency.code)) {
    const bool offers = std::find(p->terms_months.begin(), p->terms_months.end(),
                                  loan.term_months) != p->terms_months.end();
    if (offers) {
      Result<LoanQuote> q = QuoteFor(*p, loan.amount, loan.term_months, currency);
      if (q.ok()) return *q;
    }
  }
  if (programme != nullptr && programme->group_loans && loan.cycle_id != 0 &&
      loan.term_months >= 1 && loan.term_months <= 3) {
    LoanTerms terms;
    terms.principal = loan.amount;
    terms.term_months = loan.term_months;
    terms.annual_rate_bp = loan.cycle_flat_rate_bp_per_month * 12;
    terms.rule = InterestRule::kFlat;
    terms.currency = currency;
    terms.group_loan = true;
    Result<LoanQuote> q = QuoteLoan(terms);
    if (q.ok()) return *q;
  }
  return std::nullopt;
}

std::string QuoteRateText(const ScreenContext& c, const LoanQuote& quote) {
  if (!quote.group_loan) return RateText(c, quote.annual_rate_bp, quote.rule);
  // Stored per year (x12); the group agreed it per month. Whole basis points.
  return Format(c.T("loan_rate_flat_month"), {{"rate", PercentText(quote.annual_rate_bp / 12)}});
}

UssdReply LoanUnavailableScreen(const ScreenContext& c) { return End(c.T("loan_unavailable")); }

UssdReply LoanRefusedScreen(const ScreenContext& c, std::string_view refusal,
                            const LoanPolicy& policy) {
  return End(LoanRefusalText(c, refusal, policy));
}

UssdReply LoanAmountScreen(const ScreenContext& c, int64_t min_amount, int64_t max_amount,
                           std::string_view note) {
  return Con(Lines(note, {Format(c.T("loan_amount"), {{"currency", c.currency.code},
                                                      {"min", c.Money(min_amount)},
                                                      {"max", c.Money(max_amount)}}),
                          Option(kKeyBack, c.T("opt_back"))}));
}

UssdReply LoanPurposeScreen(const ScreenContext& c, const std::vector<std::string>& purposes,
                            int page, std::string_view note) {
  const size_t first = static_cast<size_t>(std::max(page, 0)) * kPurposesPerPage;
  std::vector<std::string> labels;
  for (size_t i = first; i < purposes.size() && labels.size() < kPurposesPerPage; ++i) {
    labels.push_back(PurposeLabel(c, purposes[i]));
  }
  const bool more = first + labels.size() < purposes.size();
  // A note takes the title's place, as on the other list screens.
  const std::string title = note.empty() ? c.T("loan_purpose_title") : std::string(note);
  return Con(Lines("", {title, Numbered(labels, PurposeNumber(first)), ListFooter(c, more)}));
}

UssdReply LoanTermScreen(const ScreenContext& c, const std::vector<LoanQuote>& quotes, int page,
                         std::string_view note) {
  const size_t first = static_cast<size_t>(std::max(page, 0)) * kTermsPerPage;
  std::vector<std::string> labels;
  for (size_t i = first; i < quotes.size() && labels.size() < kTermsPerPage; ++i) {
    labels.push_back(Format(c.T("loan_term_quote"), {{"term", Months(c, quotes[i].term_months)},
                                                    {"instalment", c.Money(quotes[i].instalment)}}));
  }
  const bool more = first + labels.size() < quotes.size();
  const std::string title = note.empty() ? c.T("loan_term_title") : std::string(note);
  return Con(Lines("", {title, Numbered(labels), ListFooter(c, more)}));
}

UssdReply LoanConfirmScreen(const ScreenContext& c, const LoanQuote& quote,
                            std::string_view note) {
  const std::string head = Format(c.T("loan_quote_head"), {{"amount", c.Money(quote.principal)},
                                                          {"term", Months(c, quote.term_months)}});
  const std::string level = c.Money(quote.instalment);
  const std::string total =
      Format(c.T("loan_quote_total"), {{"total", c.Money(quote.total_repay)}});
  const std::string rate = QuoteRateText(c, quote);
  auto render = [&](std::string_view first, const std::string& instalment) {
    return Con(Lines(note, {first, instalment, total, rate, Option("1", c.T("opt_continue")),
                            Option("2", c.T("opt_cancel")), Option(kKeyBack, c.T("opt_back"))}));
  };
  const std::string plain = Format(c.T("loan_quote_instalment"), {{"instalment", level}});
  // In order: everything; without the last instalment (it differs by a few
  // units); a re-asked screen without the amount she saw a moment ago.
  if (quote.last_instalment != quote.instalment) {
    UssdReply with_last = render(head, Format(c.T("loan_quote_instalments"),
                                              {{"instalment", level},
                                               {"last", c.Money(quote.last_instalment)}}));
    if (ScreenFits(with_last.text)) return with_last;
  }
  UssdReply full = render(head, plain);
  if (note.empty() || ScreenFits(full.text)) return full;
  return render("", plain);
}

UssdReply LoanConsentScreen(const ScreenContext& c, int64_t amount, std::string_view purpose_id,
                            std::string_view partner_name, std::string_view note) {
  std::string partner = CutChars(partner_name, kMaxPartnerChars);
  // A name cut after a word would leave a double space before the next one.
  while (!partner.empty() && partner.back() == ' ') partner.pop_back();
  // Only the group's fund may lend: nothing of hers is shared.
  const std::string confirm = partner.empty()
                                  ? c.T("opt_confirm")
                                  : Format(c.T("opt_loan_consent"), {{"partner", partner}});
  return Con(
      Lines(note, {Format(c.T("loan_consent"), {{"amount", c.Money(amount)},
                                                {"purpose", PurposeLabel(c, purpose_id)}}),
                   Option("1", confirm),
                   Option("2", c.T("opt_cancel")), Option(kKeyBack, c.T("opt_back"))}));
}

UssdReply LoanTermScreen(const ScreenContext& c, const std::vector<int>& terms_months,
                         std::string_view note) {
  std::vector<std::string> labels;
  for (size_t i = 0; i < terms_months.size() && i < 9; ++i) {
    labels.push_back(Months(c, terms_months[i]));
  }
  const std::string title = note.empty() ? c.T("loan_term_title") : std::string(note);
  return Con(Lines("", {title, Numbered(labels), Option(kKeyBack, c.T("opt_back"))}));
}

UssdReply LoanConfirmScreen(const ScreenContext& c, int64_t amount, std::string_view purpose_id,
                            int term_months, std::string_view partner_name, std::string_view note) {
  return Con(
      Lines(note, {Format(c.T("loan_confirm"), {{"amount", c.Money(amount)},
                                                {"purpose", PurposeLabel(c, purpose_id)},
                                                {"term", Months(c, term_months)}}),
                   Option("1", Format(c.T("opt_loan_consent"),
                                      {{"partner", CutChars(partner_name, kMaxPartnerChars)}})),
                   Option("2", c.T("opt_cancel"))}));
}

UssdReply LoanRequestedScreen(const ScreenContext& c, int64_t amount, std::string_view reference) {
  return End(Format(c.T("loan_requested"), {{"amount", c.Money(amount)}, {"ref", reference}}));
}

UssdReply ResumeLoanScreen(const ScreenContext& c, int64_t amount, std::string_view note) {
  return Con(Lines(note, {Format(c.T("resume_loan"), {{"amount", c.Money(amount)}}),
                          Option("1", c.T("opt_yes")), Option("2", c.T("opt_start_again"))}));
}

UssdReply NoLoanScreen(const ScreenContext& c) { return End(c.T("loan_none_yet")); }

UssdReply MyLoanScreen(const ScreenContext& c, const LoanView& v, std::string_view note) {
  const Loan& l = v.loan;
  std::string body = Format(c.T("my_loan"), {{"amount", c.Money(LoanAmount(l))},
                                             {"ref", l.reference},
                                             {"state", LoanStateLabel(c, l.state)}});
  if (CanLogRepayment(l.state)) {
    // Most important first; the last ones give way when a screen with very
    // large amounts would not fit.
    std::vector<std::string> lines = {
        Format(c.T("my_loan_outstanding"), {{"amount", c.Money(l.outstanding)}})};
    // While something is overdue the first unpaid instalment is in the past:
    // the overdue line names its date instead of a "next" one.
    const int64_t since = v.status.next_due.has_value() ? v.status.next_due->due_at : 0;
    if (v.status.overdue > 0) {
      lines.push_back(Format(c.T("my_loan_overdue"),
                             {{"amount", c.Money(v.status.overdue)}, {"date", ShortDate(since)}}));
    } else if (v.status.next_due.has_value()) {
      lines.push_back(
          Format(c.T("my_loan_next"), {{"amount", c.Money(v.status.next_due->total)},
                                       {"date", ShortDate(v.status.next_due->due_at)}}));
    }
    if (v.pending_repayments > 0) {
      lines.push_back(Format(c.T("my_loan_pending"), {{"amount", c.Money(v.pending_repayments)}}));
    }
    for (size_t keep = lines.size();; --keep) {
      std::string text = body;
      for (size_t i = 0; i < keep; ++i) text += "\n" + lines[i];
      UssdReply r = Con(Lines(
          note, {text, Option("1", c.T("opt_log_repayment")), Option(kKeyBack, c.T("opt_back"))}));
      if (keep <= 1 || ScreenFits(r.text)) return r;
    }
  }
  if (CanCancelLoan(l.state)) {
    return Con(Lines(
        note, {body, Option("2", c.T("opt_cancel_request")), Option(kKeyBack, c.T("opt_back"))}));
  }
  if (l.state == LoanState::kDeclined && !l.decline_reason.empty()) {
    body += "\n" + CutChars(l.decline_reason, 60);
  }
  if (l.state == LoanState::kApproved) {
    // The lender changed her terms: what she will pay now, then what she asked.
    std::vector<std::string> lines = ChangedTermsLines(c, l);
    for (size_t keep = lines.size();; --keep) {
      std::string text = body;
      for (size_t i = 0; i < keep; ++i) text += "\n" + lines[i];
      UssdReply r = End(Lines(note, {text}));
      if (keep == 0 || ScreenFits(r.text)) return r;
    }
  }
  return End(Lines(note, {body}));
}

UssdReply RepayAmountScreen(const ScreenContext& c, int64_t max_amount, std::string_view note) {
  return Con(Lines(note, {Format(c.T("repay_amount"),
                                 {{"currency", c.currency.code}, {"max", c.Money(max_amount)}}),
                          Option(kKeyBack, c.T("opt_back"))}));
}

UssdReply RepayConfirmScreen(const ScreenContext& c, int64_t amount, std::string_view loan_ref,
                             std::string_view note) {
  return Con(
      Lines(note, {Format(c.T("repay_confirm"), {{"amount", c.Money(amount)}, {"ref", loan_ref}}),
                   Option("1", c.T("opt_confirm")), Option("2", c.T("opt_cancel"))}));
}

UssdReply RepaymentLoggedScreen(const ScreenContext& c, int64_t amount,
                                std::string_view reference) {
  return End(Format(c.T("repay_logged"), {{"amount", c.Money(amount)}, {"ref", reference}}));
}

UssdReply RepaymentAlreadyReportedScreen(const ScreenContext& c, int64_t amount,
                                         std::string_view report_reference) {
  return End(Format(c.T("repay_already_reported"),
                    {{"amount", c.Money(amount)}, {"ref", report_reference}}));
}

UssdReply CancelLoanConfirmScreen(const ScreenContext& c, const Loan& loan, std::string_view note) {
  return Con(Lines(note, {Format(c.T("loan_cancel_confirm"),
                                 {{"amount", c.Money(loan.amount)}, {"ref", loan.reference}}),
                          Option("1", c.T("opt_yes_cancel")), Option("2", c.T("opt_no"))}));
}

UssdReply LoanCancelledScreen(const ScreenContext& c, std::string_view reference) {
  return End(Format(c.T("loan_cancelled"), {{"ref", reference}}));
}

UssdReply LoanCancelTooLateScreen(const ScreenContext& c, LoanState state) {
  return End(Format(c.T("loan_cancel_too_late"), {{"state", LoanStateLabel(c, state)}}));
}

UssdReply LoanNotRepayingScreen(const ScreenContext& c) { return End(c.T("loan_not_repaying")); }

UssdReply PendingLoansScreen(const ScreenContext& c, const std::vector<Loan>& items, int page,
                             bool more, std::string_view note, int64_t viewer_member_id) {
  std::string body = !note.empty()
                         ? std::string(note)
                         : Format(c.T("pending_loans_title"), {{"page", std::to_string(page + 1)}});
  if (items.empty()) body += "\n" + c.T("pending_empty");
  for (size_t i = 0; i < items.size(); ++i) {
    const bool own = viewer_member_id != 0 && items[i].member_id == viewer_member_id;
    body += "\n" + Option(std::to_string(i + 1),
                          TaskLine(c, items[i].member_name, items[i].amount, own));
  }
  return Con(Lines("", {body, ListFooter(c, more)}));
}

UssdReply PendingLoansScreen(const ScreenContext& c, const std::vector<Loan>& items, int page,
                             bool more, std::string_view note) {
  return PendingLoansScreen(c, items, page, more, note, /*viewer_member_id=*/0);
}

namespace {

std::string DecideLoanText(const ScreenContext& c, const Loan& loan) {
  return Format(c.T("decide_loan"), {{"name", ShortName(loan.member_name)},
                                     {"amount", c.Money(loan.amount)},
                                     {"purpose", PurposeLabel(c, loan.purpose)},
                                     {"term", Months(c, loan.term_months)},
                                     {"ref", loan.reference}});
}

UssdReply DecideLoan(const ScreenContext& c, std::string_view text, std::string_view member,
                     std::string_view note) {
  return Con(Lines(note, {text, member, Option("1", c.T("opt_approve")),
                          Option("2", c.T("opt_decline")), Option(kKeyBack, c.T("opt_back"))}));
}

}  // namespace

UssdReply DecideLoanScreen(const ScreenContext& c, const Loan& loan, int64_t confirmed_savings,
                           bool trained, std::string_view note) {
  const std::string member =
      Format(c.T("decide_loan_member"),
             {{"savings", c.Money(confirmed_savings)},
              {"training", c.T(trained ? "training_done" : "training_not_done")}});
  // Very large amounts leave no room for the reference (the list she chose
  // from and the outcome note name it), then for her savings and training.
  const std::string short_text = Format(c.T("decide_loan_short"),
                                        {{"name", ShortName(loan.member_name)},
                                         {"amount", c.Money(loan.amount)},
                                         {"purpose", PurposeLabel(c, loan.purpose)},
                                         {"term", Months(c, loan.term_months)}});
  return FirstThatFits({DecideLoan(c, DecideLoanText(c, loan), member, note),
                        DecideLoan(c, short_text, member, note),
                        DecideLoan(c, DecideLoanText(c, loan), "", note)});
}

UssdReply DecideLoanScreen(const ScreenContext& c, const Loan& loan, std::string_view note) {
  return DecideLoan(c, DecideLoanText(c, loan), "", note);
}

UssdReply DecideLoanScreen(const ScreenContext& c, const Loan& loan, int64_t confirmed_savings,
                           bool trained, const GroupDecisionOptions& options,
                           std::string_view note) {
  std::string partner = CutChars(options.partner_name, kMaxPartnerChars);
  while (!partner.empty() && partner.back() == ' ') partner.pop_back();
  std::string choices;
  if (options.from_fund) choices += Option(kKeyFromFund, c.T("opt_approve_fund")) + "\n";
  if (options.refer) {
    choices += Option(kKeyRefer, Format(c.T("opt_refer"), {{"partner", partner}})) + "\n";
  }
  choices += Option(kKeyDeclineLoan, c.T("opt_decline")) + "\n" + Option(kKeyBack, c.T("opt_back"));
  const std::string member =
      Format(c.T("decide_loan_member"),
             {{"savings", c.Money(confirmed_savings)},
              {"training", c.T(trained ? "training_done" : "training_not_done")}});
  const std::string short_text = Format(c.T("decide_loan_short"),
                                        {{"name", ShortName(loan.member_name)},
                                         {"amount", c.Money(loan.amount)},
                                         {"purpose", PurposeLabel(c, loan.purpose)},
                                         {"term", Months(c, loan.term_months)}});
  auto render = [&](std::string_view text, std::string_view who) {
    return Con(Lines(note, {text, who, choices}));
  };
  return FirstThatFits({render(DecideLoanText(c, loan), member), render(short_text, member),
                        render(DecideLoanText(c, loan), ""), render(short_text, "")});
}

UssdReply PendingRepaymentsScreen(const ScreenContext& c, const std::vector<Repayment>& items,
                                  int page, bool more, std::string_view note,
                                  int64_t viewer_member_id) {
  std::string body =
      !note.empty() ? std::string(note)
                    : Format(c.T("pending_repayments_title"), {{"page", std::to_string(page + 1)}});
  if (items.empty()) body += "\n" + c.T("pending_empty");
  for (size_t i = 0; i < items.size(); ++i) {
    const bool own = viewer_member_id != 0 && items[i].member_id == viewer_member_id;
    body += "\n" + Option(std::to_string(i + 1),
                          TaskLine(c, items[i].member_name, items[i].amount, own));
  }
  return Con(Lines("", {body, ListFooter(c, more)}));
}

UssdReply PendingRepaymentsScreen(const ScreenContext& c, const std::vector<Repayment>& items,
                                  int page, bool more, std::string_view note) {
  return PendingRepaymentsScreen(c, items, page, more, note, /*viewer_member_id=*/0);
}

UssdReply DecideRepaymentScreen(const ScreenContext& c, const Repayment& r, std::string_view note) {
  std::string reported;
  if (!r.partner_reported.empty()) {
    // With the partner's report beside it, the claim line is the short
    // form (no loan reference) so both fit one screen.
    const PartnerReport& newest = r.partner_reported.back();
    reported = Format(c.T("decide_repayment_reported"),
                      {{"amount", c.Money(newest.amount)}, {"date", DayMonth(c, newest.paid_at)}});
  }
  const char* claim_key = reported.empty() ? "decide_repayment" : "decide_repayment_claim";
  return Con(Lines(note, {Format(c.T(claim_key), {{"name", ShortName(r.member_name)},
                                                           {"amount", c.Money(r.amount)},
                                                           {"date", DayMonth(c, r.created_at)},
                                                           {"loan_ref", r.loan_reference},
                                                           {"ref", r.reference}}),
                          reported, Option("1", c.T("opt_confirm")), Option("2", c.T("opt_reject")),
                          Option(kKeyBack, c.T("opt_back"))}));
}

UssdReply GoodbyeScreen(const ScreenContext& c) { return End(c.T("goodbye")); }
UssdReply TechnicalErrorScreen(const ScreenContext& c) { return End(c.T("technical_error")); }

// --- group tasks: PIN reset ---

namespace {

// "Amina W.": first name and the initial of the last, so two Aminas of a
// group can be told apart.
std::string NameAndInitial(std::string_view full_name) {
  std::string out = ShortName(full_name);
  const size_t last = full_name.find_last_of(' ');
  if (last != std::string_view::npos && last + 1 < full_name.size() &&
      full_name.find_first_not_of(' ') < last) {
    out += " " + CutChars(full_name.substr(last + 1), 1) + ".";
  }
  return out;
}

}  // namespace

UssdReply ResetPinMembersScreen(const ScreenContext& c, const std::vector<Member>& members,
                                bool more, std::string_view note) {
  std::string body = !note.empty() ? std::string(note) : c.T("reset_pin_title");
  if (members.empty()) body += "\n" + c.T("reset_pin_empty");
  for (size_t i = 0; i < members.size(); ++i) {
    body += "\n" + Option(std::to_string(i + 1), NameAndInitial(members[i].name));
  }
  return Con(Lines("", {body, ListFooter(c, more)}));
}

UssdReply ResetPinConfirmScreen(const ScreenContext& c, std::string_view name,
                                std::string_view note) {
  return Con(Lines(note, {Format(c.T("reset_pin_confirm"), {{"name", NameAndInitial(name)}}),
                          Option("1", c.T("reset_pin_do")), Option(kKeyBack, c.T("opt_back"))}));
}

// --- the group's own money (issue 11) ---

namespace {

bool Has(const ScreenContext& c, std::string_view key) {
  const std::string& t = c.T(key);
  return !t.empty() && t.front() != '[';
}

// The line of a cycle that is not taking savings: shared out (or closed
// after it), or planned with its start date.
std::string CycleStateLine(const ScreenContext& c, const Cycle& cycle, std::string_view shared_key,
                           std::string_view planned_key) {
  if (cycle.id == 0) return "";
  const std::string n = std::to_string(cycle.number);
  if (cycle.state == CycleState::kPlanned) {
    return Format(c.T(planned_key), {{"n", n}, {"date", FullDate(c, cycle.starts_at)}});
  }
  if (cycle.state == CycleState::kSharedOut || cycle.state == CycleState::kClosed) {
    return Format(c.T(shared_key), {{"n", n}});
  }
  return "";
}

}  // namespace

std::string FineKindLabel(const ScreenContext& c, std::string_view kind) {
  const std::string key = "fine_kind_" + std::string(kind);
  if (Has(c, key)) return CutChars(c.T(key), kMaxFineKindChars);
  std::string plain(kind);
  std::replace(plain.begin(), plain.end(), '_', ' ');
  return CutChars(plain, kMaxFineKindChars);
}

UssdReply BalanceScreen(const ScreenContext& c, const Balances& b,
                        const std::optional<Instalment>& next_due, const MemberCycleView& cycle) {
  const std::string fines =
      cycle.fines_pending > 0
          ? Format(c.T("balance_fines"), {{"amount", c.Money(cycle.fines_pending)}})
          : "";
  std::string cycle_line;
  if (cycle.open && cycle.savings != b.savings_confirmed) {
    cycle_line = Format(c.T("balance_cycle_savings"), {{"n", std::to_string(cycle.cycle.number)},
                                                      {"amount", c.Money(cycle.savings)}});
  } else if (!cycle.open) {
    cycle_line = CycleStateLine(c, cycle.cycle, "balance_shared_out", "balance_next_cycle");
  }
  const std::string estimate =
      cycle.estimate.has_value()
          ? Format(c.T("balance_estimate"), {{"amount", c.Money(cycle.estimate->share)}})
          : "";
  auto render = [&](bool next, bool with_estimate, bool with_cycle, bool with_fines,
                    bool with_back) {
    std::string text =
        Format(c.T("balance"), {{"savings", c.Money(b.savings_confirmed)},
                                {"pending", c.Money(b.savings_pending)},
                                {"fund", c.Money(b.group_fund)},
                                {"social", c.Money(b.social_fund)},
                                {"loan", BalanceLoanText(c, b.loan_outstanding,
                                                         next ? next_due : std::nullopt)}});
    return Con(Lines("", {text, with_fines ? fines : "", with_cycle ? cycle_line : "",
                          with_estimate ? estimate : "", InfoFooter(c, with_back)}));
  };
  std::vector<UssdReply> candidates;
  // Most complete first; each level with and without "0. Back".
  const bool levels[][4] = {{true, true, true, true},  {true, false, true, true},
                            {false, false, true, true}, {false, false, false, true},
                            {false, false, false, false}};
  for (const auto& l : levels) {
    candidates.push_back(render(l[0], l[1], l[2], l[3], true));
    candidates.push_back(render(l[0], l[1], l[2], l[3], false));
  }
  return FirstThatFits(candidates);
}

std::string BalanceSmsText(const ScreenContext& c, std::string_view first_name,
                           const Balances& b, std::string_view loan_text,
                           const MemberCycleView& cycle) {
  const std::string base = Format(c.T("sms_balance"), {{"name", first_name},
                                                       {"savings", c.Money(b.savings_confirmed)},
                                                       {"pending", c.Money(b.savings_pending)},
                                                       {"fund", c.Money(b.group_fund)},
                                                       {"loan", loan_text}});
  // In the order they give way: the estimate first.
  std::vector<std::string> extras;
  if (cycle.fines_pending > 0) {
    extras.push_back(Format(c.T("sms_balance_fines"), {{"amount", c.Money(cycle.fines_pending)}}));
  }
  extras.push_back(Format(c.T("sms_balance_social"), {{"amount", c.Money(b.social_fund)}}));
  if (cycle.estimate.has_value()) {
    extras.push_back(
        Format(c.T("sms_balance_estimate"), {{"amount", c.Money(cycle.estimate->share)}}));
  }
  for (size_t keep = extras.size();; --keep) {
    std::string text = base;
    for (size_t i = 0; i < keep; ++i) text += extras[i];
    const SmsLength len = MeasureSms(text);
    if (keep == 0 || (len.encoding == SmsEncoding::kGsm7 ? len.units <= kGsm7SingleLimit
                                                          : len.units <= kUcs2SingleLimit)) {
      return text;
    }
  }
}

UssdReply GroupScreen(const ScreenContext& c, const GroupSummary& g, const CycleFigures& f,
                      int page, std::optional<int64_t> share_out_total) {
  if (page <= 0) {
    const std::string body =
        Format(c.T("group_money"), {{"group", CutChars(g.group.name, kMaxGroupChars)},
                                    {"members", std::to_string(g.members)},
                                    {"savings", c.Money(g.group_savings)},
                                    {"cash", c.Money(f.fund_cash)},
                                    {"loans", c.Money(f.loans_out)}});
    auto render = [&](bool with_back) {
      return Con(Lines("", {body, Option(kKeyMore, c.T("opt_more")), InfoFooter(c, with_back)}));
    };
    return FirstThatFits({render(true), render(false)});
  }
  std::string meeting = MeetingDayText(c, g.group.meeting_day);
  if (!g.group.meeting_place.empty()) meeting += ", " + g.group.meeting_place;
  const Cycle& cy = f.cycle;
  const bool open = cy.state == CycleState::kActive || cy.state == CycleState::kClosing;
  const std::string key = open ? "group_cycle"
                          : cy.state == CycleState::kPlanned ? "group_cycle_planned"
                                                             : "group_cycle_shared_out";
  const std::string total =
      share_out_total.has_value()
          ? Format(c.T("group_share_out"), {{"amount", c.Money(*share_out_total)}})
          : "";
  auto render = [&](size_t meeting_chars, bool with_back) {
    const std::string body =
        Format(c.T(key), {{"social", c.Money(f.social_fund)},
                          {"n", std::to_string(cy.number)},
                          {"date", FullDate(c, open ? cy.ends_at : cy.starts_at)},
                          {"meeting", CutChars(meeting, meeting_chars)}});
    return Con(Lines("", {body, total, InfoFooter(c, with_back)}));
  };
  // A long meeting place gives way after "0. Back" (page 0 is a 0 away).
  return FirstThatFits({render(40, true), render(40, false), render(24, false),
                        render(12, false)});
}

UssdReply PendingFinesScreen(const ScreenContext& c, const std::vector<Fine>& items, int page,
                             bool more, std::string_view note, int64_t viewer_member_id) {
  std::string body = !note.empty()
                         ? std::string(note)
                         : Format(c.T("pending_fines_title"), {{"page", std::to_string(page + 1)}});
  if (items.empty()) body += "\n" + c.T("pending_empty");
  for (size_t i = 0; i < items.size(); ++i) {
    const bool own = viewer_member_id != 0 && items[i].member_id == viewer_member_id;
    body += "\n" + Option(std::to_string(i + 1),
                          TaskLine(c, items[i].member_name, items[i].amount, own));
  }
  return Con(Lines("", {body, ListFooter(c, more)}));
}

UssdReply DecideFineScreen(const ScreenContext& c, const Fine& f, std::string_view note) {
  return Con(Lines(note, {Format(c.T("decide_fine"), {{"name", ShortName(f.member_name)},
                                                     {"kind", FineKindLabel(c, f.kind)},
                                                     {"amount", c.Money(f.amount)},
                                                     {"date", DayMonth(c, f.created_at)},
                                                     {"ref", f.reference}}),
                          Option("1", c.T("opt_fine_paid")), Option("2", c.T("opt_fine_waive")),
                          Option(kKeyBack, c.T("opt_back"))}));
}

UssdReply MemberPickScreen(const ScreenContext& c, std::string_view title_key,
                           const std::vector<Member>& members, bool more, std::string_view note) {
  std::string body = !note.empty() ? std::string(note) : c.T(title_key);
  if (members.empty()) body += "\n" + c.T("members_empty");
  for (size_t i = 0; i < members.size(); ++i) {
    body += "\n" + Option(std::to_string(i + 1), NameAndInitial(members[i].name));
  }
  return Con(Lines("", {body, ListFooter(c, more)}));
}

UssdReply FineKindScreen(const ScreenContext& c, std::string_view name,
                         const std::vector<FineKindChoice>& kinds, int page,
                         std::string_view note) {
  std::string body = !note.empty() ? std::string(note)
                                   : Format(c.T("fine_for_title"), {{"name", NameAndInitial(name)}});
  if (kinds.empty()) body += "\n" + c.T("fine_kinds_none");
  const size_t first = static_cast<size_t>(std::max(page, 0)) * kFineKindsPerPage;
  for (size_t i = first; i < kinds.size() && i < first + kFineKindsPerPage; ++i) {
    body += "\n" + Option(std::to_string(i + 1),
                          FineKindLabel(c, kinds[i].id) + " " + c.Money(kinds[i].amount));
  }
  return Con(Lines("", {body, ListFooter(c, first + kFineKindsPerPage < kinds.size())}));
}

UssdReply FineConfirmScreen(const ScreenContext& c, std::string_view name, std::string_view kind,
                            int64_t amount, std::string_view note) {
  return Con(Lines(note, {Format(c.T("fine_confirm"), {{"name", NameAndInitial(name)},
                                                      {"kind", FineKindLabel(c, kind)},
                                                      {"amount", c.Money(amount)}}),
                          Option("1", c.T("opt_confirm")), Option("2", c.T("opt_other_amount")),
                          Option(kKeyBack, c.T("opt_back"))}));
}

UssdReply FineAmountScreen(const ScreenContext& c, std::string_view note) {
  return Con(Lines(note, {Format(c.T("fine_amount"), {{"currency", c.currency.code}}),
                          Option(kKeyBack, c.T("opt_back"))}));
}

UssdReply SocialConfirmScreen(const ScreenContext& c, std::string_view name, int64_t amount,
                              std::string_view note) {
  return Con(Lines(note, {Format(c.T("social_confirm"),
                                 {{"name", NameAndInitial(name)}, {"amount", c.Money(amount)}}),
                          Option("1", c.T("opt_confirm")), Option(kKeyBack, c.T("opt_back"))}));
}

UssdReply SaveNoCycleScreen(const ScreenContext& c) { return End(c.T("save_no_cycle")); }

}  // namespace shg::dialogs
