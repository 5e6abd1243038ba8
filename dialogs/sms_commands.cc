#include "dialogs/sms_commands.h"

#include <climits>
#include <initializer_list>
#include <utility>
#include <vector>

#include "dialogs/receipts.h"
#include "dialogs/screens.h"
#include "domain/cycles.h"
#include "domain/money.h"
#include "domain/phone.h"

namespace shg::dialogs {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}
bool IsLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// Upper-cased (ASCII letters only: other scripts are kept as typed), runs
// of white space collapsed to one space, trimmed, trailing ".!?" dropped.
std::string Normalize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
    if (IsSpace(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(Upper(c));
  }
  while (!out.empty() &&
         (out.back() == '.' || out.back() == '!' || out.back() == '?' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

constexpr std::pair<const char*, SmsCommand> kKeywords[] = {
    {"kw_balance", SmsCommand::kBalance},
    {"kw_save", SmsCommand::kSave},
    {"kw_help", SmsCommand::kHelp},
    {"kw_loan", SmsCommand::kLoan},
};

SmsCommand MatchKeyword(const Catalogue& catalogue, std::string_view word) {
  if (word.empty()) return SmsCommand::kNone;
  for (const std::string& lang : catalogue.languages()) {
    for (const auto& [key, command] : kKeywords) {
      std::string kw = Normalize(catalogue.Template(lang, key));
      if (kw == word) return command;
    }
  }
  return SmsCommand::kNone;
}

// Drops a leading currency code typed before the amount ("KES 200", "KES200").
std::string_view StripCurrency(std::string_view arg, std::string_view code) {
  if (code.empty() || arg.size() <= code.size() || arg.substr(0, code.size()) != code) return arg;
  std::string_view rest = arg.substr(code.size());
  if (rest.front() == ' ') return rest.substr(1);
  return IsDigit(rest.front()) ? rest : arg;
}

using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

}  // namespace

const char* SmsOutcomeName(SmsOutcome outcome) {
  switch (outcome) {
    case SmsOutcome::kDuplicate: return "duplicate";
    case SmsOutcome::kBadPhone: return "bad_phone";
    case SmsOutcome::kUnregistered: return "unregistered";
    case SmsOutcome::kUnregisteredQuiet: return "unregistered_quiet";
    case SmsOutcome::kBalance: return "balance";
    case SmsOutcome::kSave: return "save";
    case SmsOutcome::kHelp: return "help";
    case SmsOutcome::kLoan: return "loan";
    case SmsOutcome::kUnknown: return "unknown";
    case SmsOutcome::kSharedPhone: return "shared_phone";
    case SmsOutcome::kBadAmount: return "bad_amount";
    case SmsOutcome::kNoCycle: return "no_cycle";
  }
  return "unknown";
}

ParsedSms ParseSmsCommand(const Catalogue& catalogue, std::string_view text) {
  ParsedSms out;
  const std::string norm = Normalize(text);
  if (norm.empty()) return out;
  const size_t sp = norm.find(' ');
  std::string_view first = std::string_view(norm).substr(0, sp);
  std::string rest = sp == std::string::npos ? "" : norm.substr(sp + 1);
  out.command = MatchKeyword(catalogue, first);
  if (out.command == SmsCommand::kNone) {
    // "SAVE200": the keyword glued to the amount.
    size_t letters = 0;
    while (letters < first.size() && IsLetter(first[letters])) ++letters;
    if (letters == 0 || letters == first.size() || !IsDigit(first[letters])) return out;
    out.command = MatchKeyword(catalogue, first.substr(0, letters));
    if (out.command == SmsCommand::kNone) return out;
    std::string glued(first.substr(letters));
    rest = rest.empty() ? glued : glued + " " + rest;
  }
  out.argument = std::move(rest);
  return out;
}

SmsCommands::SmsCommands(const Catalogue& catalogue, const Notifier& notifier,
                         SmsCommandOptions options)
    : catalogue_(catalogue), notifier_(notifier), options_(std::move(options)) {}

std::string SmsCommands::CountryOf(const std::string& channel) const {
  auto it = options_.channel_country.find(channel);
  return it == options_.channel_country.end() ? "KE" : it->second;
}

std::string SmsCommands::ServiceCodeFor(const std::string& channel) const {
  auto it = options_.channel_service_code.find(channel);
  if (it != options_.channel_service_code.end() && !it->second.empty()) return it->second;
  const std::string country = CountryOf(channel);
  for (const auto& [other, code] : options_.channel_service_code) {
    if (!code.empty() && CountryOf(other) == country) return code;
  }
  return "";
}

// One SMS's handling: who sent it, what it asks, and the one reply.
class SmsRunner {
 public:
  SmsRunner(const Catalogue& catalogue, const Notifier& notifier, const SmsCommandOptions& options,
            Services& svc, Messages& messages, const InboundSmsEvent& event)
      : catalogue_(catalogue),
        notifier_(notifier),
        options_(options),
        svc_(svc),
        messages_(messages),
        ev_(event) {}

  Result<SmsOutcome> Run(const std::string& country, const std::string& service_code) {
    if (ev_.channel.empty() || ev_.provider_id.empty()) {
      return Status::InvalidArgument("an inbound SMS needs a channel and a provider id");
    }
    code_ = service_code;
    Result<std::string> phone = ParsePhone(ev_.from, country);
    std::vector<Member> members;
    if (phone.ok()) {
      auto found = svc_.MembersByPhone(*phone);
      if (!found.ok()) return found.status();
      members = std::move(*found);
    }
    auto fresh =
        messages_.RecordInbound(ev_.channel, ev_.provider_id, phone.ok() ? *phone : ev_.from,
                                members.size() == 1 ? members.front().id : 0, ev_.text);
    if (!fresh.ok()) return fresh.status();
    if (!*fresh) return SmsOutcome::kDuplicate;
    if (!phone.ok()) return SmsOutcome::kBadPhone;  // nowhere to reply to

    if (members.empty()) {
      auto first_today = messages_.ClaimUnregisteredReply(*phone);
      if (!first_today.ok()) return first_today.status();
      if (!*first_today) return SmsOutcome::kUnregisteredQuiet;
      to_ = SmsTo{0, *phone, options_.default_language, country, "", false};
      SHG_RETURN_IF_ERROR(Reply("reply_not_registered", "sms_not_registered", {}));
      return SmsOutcome::kUnregistered;
    }

    member_ = members.front();
    auto group = svc_.GetGroup(member_.group_id);
    if (!group.ok()) return group.status();
    group_ = std::move(*group);
    const bool shared = members.size() > 1;
    // A reply on a shared phone answers the phone, not one member (which
    // one texted is not known): no member and no name prefix. Otherwise it
    // is hers, on a phone of her own: no prefix either.
    to_ = shared ? SmsTo{0, *phone, member_.language, group_.country, "", false}
                 : SmsTo{member_.id, *phone, member_.language, group_.country,
                         ShortName(member_.name), /*shared_phone=*/false};
    lang_ =
        catalogue_.HasLanguage(member_.language) ? member_.language : notifier_.default_language();

    ParsedSms cmd = ParseSmsCommand(catalogue_, ev_.text);
    const bool personal = cmd.command == SmsCommand::kBalance || cmd.command == SmsCommand::kSave ||
                          (cmd.command == SmsCommand::kLoan && options_.loans != nullptr);
    if (shared && personal) {
      SHG_RETURN_IF_ERROR(Reply("reply_shared_phone", "sms_shared_phone", {{"code", code_}}));
      return SmsOutcome::kSharedPhone;
    }
    switch (cmd.command) {
      case SmsCommand::kBalance: return Balance();
      case SmsCommand::kSave: return Save(cmd.argument);
      case SmsCommand::kHelp:
        SHG_RETURN_IF_ERROR(Reply("reply_help", "sms_help", {{"code", code_}}));
        return SmsOutcome::kHelp;
      case SmsCommand::kLoan: return LoanStatus();
      case SmsCommand::kNone: break;
    }
    SHG_RETURN_IF_ERROR(Reply("reply_unknown", "sms_unknown", {}));
    return SmsOutcome::kUnknown;
  }

 private:
  // The one reply to this SMS; its key keeps it single even if the
  // inbound log were bypassed.
  Status Reply(std::string_view kind, std::string_view key, Fields fields) {
    auto id = notifier_.Send(messages_, ev_.channel, to_, kind, key, fields,
                             "reply:" + ev_.channel + ":" + ev_.provider_id);
    return id.status();
  }

  Result<Currency> GroupCurrency() const {
    auto cur = FindCurrency(group_.currency);
    if (!cur.ok())
      return Status::Internal("group " + std::to_string(group_.id) + " has an unknown currency");
    return cur;
  }

  Result<SmsOutcome> Balance() {
    auto b = svc_.BalancesFor(member_.id);
    if (!b.ok()) return b.status();
    auto cur = GroupCurrency();
    if (!cur.ok()) return cur.status();
    auto view = CurrentLoan();
    if (!view.ok()) return view.status();
    std::optional<Instalment> next;
    if (view->has_value() && CanLogRepayment((*view)->loan.state)) next = (*view)->status.next_due;
    const ScreenContext c = Words(*cur);
    const std::string loan = BalanceLoanText(c, b->loan_outstanding, next);
    static const LoanProgramme kNoProgramme;
    Cycles cycles(svc_.connection(), svc_.context(),
                  options_.loans != nullptr ? *options_.loans : kNoProgramme);
    auto cycle = cycles.MemberView(member_.id);
    if (!cycle.ok()) return cycle.status();
    const std::string text = BalanceSmsText(c, ShortName(member_.name), *b, loan, *cycle);
    auto id = notifier_.SendText(messages_, ev_.channel, to_, "reply_balance", text,
                                 "reply:" + ev_.channel + ":" + ev_.provider_id);
    if (!id.ok()) return id.status();
    return SmsOutcome::kBalance;
  }

  // Her language's words and her group's money format.
  ScreenContext Words(const Currency& currency) const {
    return ScreenContext{&catalogue_, lang_, currency};
  }

  // Her current loan; nullopt without a loan programme or when she never asked.
  Result<std::optional<LoanView>> CurrentLoan() {
    if (options_.loans == nullptr) return std::optional<LoanView>();
    Loans loans(svc_.connection(), svc_.context(), *options_.loans);
    return loans.CurrentLoan(member_.id);
  }

  Result<SmsOutcome> LoanStatus() {
    if (options_.loans == nullptr) {
      SHG_RETURN_IF_ERROR(Reply("reply_loan", "sms_loan_unavailable", {}));
      return SmsOutcome::kLoan;
    }
    auto view = CurrentLoan();
    if (!view.ok()) return view.status();
    if (!view->has_value()) {
      SHG_RETURN_IF_ERROR(Reply("reply_loan", "sms_loan_none", {{"code", code_}}));
      return SmsOutcome::kLoan;
    }
    const LoanView& v = **view;
    auto cur = FindCurrency(v.loan.currency);
    if (!cur.ok()) cur = GroupCurrency();
    if (!cur.ok()) return cur.status();
    const ScreenContext c = Words(*cur);
    const std::string state = LoanStateLabel(c, v.loan.state);
    if (CanLogRepayment(v.loan.state) && v.status.next_due.has_value()) {
      const std::string outstanding = c.Money(v.loan.outstanding);
      const std::string next = c.Money(v.status.next_due->total);
      const std::string date = ShortDate(v.status.next_due->due_at);
      SHG_RETURN_IF_ERROR(Reply("reply_loan", "sms_loan_status_repaying",
                                {{"ref", v.loan.reference},
                                 {"state", state},
                                 {"outstanding", outstanding},
                                 {"next", next},
                                 {"date", date}}));
      return SmsOutcome::kLoan;
    }
    const int64_t lent = v.loan.approved_amount > 0 ? v.loan.approved_amount : v.loan.amount;
    const std::string amount = c.Money(lent);
    SHG_RETURN_IF_ERROR(Reply("reply_loan", "sms_loan_status",
                              {{"amount", amount}, {"ref", v.loan.reference}, {"state", state}}));
    return SmsOutcome::kLoan;
  }

  Result<SmsOutcome> Save(std::string_view argument) {
    auto cur = GroupCurrency();
    if (!cur.ok()) return cur.status();
    std::string_view arg = StripCurrency(argument, cur->code);
    auto amount = arg.empty() ? Result<int64_t>(Status::InvalidArgument("no amount"))
                              : ParseAmountInput(arg, *cur, INT64_MAX / 4);
    if (!amount.ok()) {
      SHG_RETURN_IF_ERROR(Reply("reply_save_usage", "sms_save_usage", {{"currency", cur->code}}));
      return SmsOutcome::kBadAmount;
    }
    const int64_t max_minor = ToMinor(options_.max_amount_units, *cur);
    if (*amount > max_minor) {
      const std::string max = FormatMoney(max_minor, *cur);
      SHG_RETURN_IF_ERROR(Reply("reply_amount_max", "sms_amount_max", {{"max", max}}));
      return SmsOutcome::kBadAmount;
    }
    // Same key scheme as USSD's "<channel>:<session>:<step>": a retried
    // callback cannot log the saving twice.
    auto saving =
        svc_.LogSaving(member_.id, *amount, ev_.channel, ev_.channel + ":sms:" + ev_.provider_id);
    if (IsNoCycle(saving.status())) {
      SHG_RETURN_IF_ERROR(Reply("reply_save_no_cycle", "sms_save_no_cycle", {}));
      return SmsOutcome::kNoCycle;
    }
    if (!saving.ok()) return saving.status();
    SHG_RETURN_IF_ERROR(svc_.Audit(AuditEntry{
        "member", std::to_string(member_.id), "saving.logged",
        "saving:" + std::to_string(saving->id), ev_.channel, ev_.request_id,
        "amount=" + std::to_string(saving->amount) + " ref=" + saving->reference + " via=sms"}));
    auto balances = svc_.BalancesFor(member_.id);
    if (!balances.ok()) return balances.status();
    auto receipt = SendSavingLoggedReceipt(notifier_, messages_, svc_, ev_.channel, member_,
                                           group_, *saving, balances->savings_confirmed);
    if (!receipt.ok()) return receipt.status();
    return SmsOutcome::kSave;
  }

  const Catalogue& catalogue_;
  const Notifier& notifier_;
  const SmsCommandOptions& options_;
  Services& svc_;
  Messages& messages_;
  const InboundSmsEvent& ev_;
  std::string code_;
  SmsTo to_;
  Member member_;
  Group group_;
  std::string lang_;
};

Result<SmsOutcome> SmsCommands::Handle(Services& services, Messages& messages,
                                       const InboundSmsEvent& event) const {
  SmsRunner runner(catalogue_, notifier_, options_, services, messages, event);
  return runner.Run(CountryOf(event.channel), ServiceCodeFor(event.channel));
}

}  // namespace shg::dialogs
