#include "gateway/cli/loans_cli.h"

#include <cstdlib>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <utility>

#include "config/programme.h"
#include "dialogs/catalogue.h"
#include "dialogs/notify.h"
#include "dialogs/partner_events.h"
#include "domain/loans.h"
#include "domain/messages.h"
#include "domain/money.h"
#include "domain/phone.h"
#include "domain/pin.h"
#include "domain/services.h"
#include "domain/store/store.h"
#include "gateway/app.h"
#include "gateway/channels/form.h"
#include "gateway/cli/amounts.h"
#include "gateway/cli/common.h"
#include "gateway/loan_jobs.h"
#include "gateway/outbound/dispatcher.h"
#include "gateway/outbound/transport.h"

namespace shg::cli {
namespace {

// Loans never hash a PIN; the services only need some pepper.
constexpr char kUnusedPepper[] = "unused-by-the-loan-commands-0000";

int Usage(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return 2;
}

// Accepts only the flags a subcommand knows (config and db are global).
Status OnlyFlags(const CliFlags& flags, std::initializer_list<const char*> known) {
  for (const auto& [name, value] : flags) {
    if (name == "config" || name == "db" || name == "by") continue;
    bool ok = false;
    for (const char* k : known) ok = ok || name == k;
    if (!ok) return Status::InvalidArgument("unknown flag --" + name);
  }
  return Status::Ok();
}

// 1..max_digits ASCII digits.
std::optional<int64_t> Digits(const std::string& s, size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::string Date(int64_t unix_seconds) {
  if (unix_seconds <= 0) return "-";
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

// The member SMS of the commands: a notifier built as reset-pin builds one,
// or none when no channel sends (the changes are still recorded).
struct Sms {
  std::optional<dialogs::Catalogue> catalogue;
  std::unique_ptr<dialogs::Notifier> notifier;
};

Status MakeSms(const config::Settings& settings, Sms& sms) {
  dialogs::SmsRouting routing = gateway::SmsRoutingFor(settings);
  if (routing.by_country.empty() && routing.via.empty()) return Status::Ok();
  auto catalogue = dialogs::Catalogue::Load(settings.catalogue_dir, settings.languages);
  if (!catalogue.ok()) return catalogue.status();
  sms.catalogue.emplace(std::move(*catalogue));
  sms.notifier = std::make_unique<dialogs::Notifier>(*sms.catalogue, std::move(routing),
                                                      settings.default_language);
  return Status::Ok();
}

std::string SmsNote(const Sms& sms, int queued) {
  if (!sms.notifier) return "no SMS (no channel sends)";
  return queued == 1 ? "1 SMS queued" : std::to_string(queued) + " SMS queued";
}

// What every loan command works with.
class LoanCli {
 public:
  LoanCli(const config::Settings& settings, const CliFlags& flags)
      : settings_(settings),
        flags_(flags),
        programme_(config::LoanProgrammeFrom(settings)),
        pins_(kUnusedPepper),
        now_(gateway::SystemNow()) {
    std::string by = Flag(flags, "by");
    if (by.empty()) {
      const char* user = std::getenv("USER");
      by = user != nullptr && *user != '\0' ? user : "cli";
    }
    actor_ = Actor{"staff", by, "cli", ""};
  }

  // Opens the store, and for commands that change loans (`with_sms`) builds
  // the SMS notifier (loads the catalogues).
  Status Open(bool with_sms) {
    auto store = OpenStore(settings_);
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    if (with_sms) SHG_RETURN_IF_ERROR(MakeSms(settings_, sms_));
    return Status::Ok();
  }

  int List();
  int Show(const std::string& reference);
  int Decide(const std::string& reference, const std::string& decision);
  int Disburse(const std::string& reference);
  int Repay(const std::string& reference);
  int RunScheduler();

 private:
  DomainContext Context() const { return DomainContext{&pins_, settings_.max_pin_failures, now_}; }
  // The loan of `reference`, read before a change (to parse amounts in its
  // currency and to name its partner).
  Result<Loan> Read(const std::string& reference) {
    DomainContext ctx = Context();
    Loans loans(store_->Reader(), ctx, programme_);
    return loans.GetByReference(reference);
  }
  Result<int64_t> Amount(const Loan& loan, const std::string& flag) {
    const std::string text = Flag(flags_, flag);
    if (text.empty()) return Status::InvalidArgument("--" + flag + " is required");
    auto currency = FindCurrency(loan.currency);
    if (!currency.ok()) return currency.status();
    return ParseUnits(text, *currency, kMaxLoanPrincipal);
  }
  Result<int64_t> At() {
    const std::string text = Flag(flags_, "at");
    if (text.empty()) return now_;
    std::optional<int64_t> at = Digits(text, 12);
    if (!at) return Status::InvalidArgument("--at must be Unix seconds");
    return *at;
  }
  // Money a partner moved on a loan (a disbursement, a repayment).
  struct Movement {
    Loan loan;           // read before the change
    int64_t amount = 0;  // --amount, minor units of the loan's currency
    std::string id;      // the partner's id of the movement
    int64_t at = 0;      // --at, else now
  };
  // Reads a movement's flags: --amount, --`id_flag` (`id_what` names it when
  // missing) and --at. nullopt with `m` filled, else the exit code (the
  // error printed).
  std::optional<int> ReadMovement(const std::string& reference, const char* id_flag,
                                  const std::string& id_what, Movement& m) {
    if (Status s = OnlyFlags(flags_, {"amount", id_flag, "at"}); !s.ok()) return Fail(s);
    auto loan = Read(reference);
    if (!loan.ok()) return Fail(loan.status());
    auto amount = Amount(*loan, "amount");
    if (!amount.ok()) return Fail(amount.status());
    m.id = Flag(flags_, id_flag);
    if (m.id.empty()) return Usage("--" + std::string(id_flag) + " (" + id_what + ") is required");
    auto at = At();
    if (!at.ok()) return Fail(at.status());
    m.loan = std::move(*loan);
    m.amount = *amount;
    m.at = *at;
    return std::nullopt;
  }
  // The partner event of a movement on the loan of `reference`.
  static dialogs::PartnerEvent MovementEvent(dialogs::PartnerEventKind kind,
                                             const std::string& reference, const Movement& m) {
    dialogs::PartnerEvent event;
    event.kind = kind;
    event.partner_id = m.loan.partner_id;
    event.reference = reference;
    event.amount = m.amount;
    event.at = m.at;
    event.external_id = m.id;
    return event;
  }
  // A failed change: the error, and for a state error the loan's state now.
  int ChangeFailed(const Status& s, const std::string& reference) {
    int rc = Fail(s);
    if (s.code() == Status::Code::kFailedPrecondition) {
      Result<Loan> now = Read(reference);
      if (now.ok()) {
        std::cerr << "loan " << reference << " is " << LoanStateName(now->state)
                  << "; nothing was changed\n";
      }
    }
    return rc;
  }
  // Runs `fn(loans, services, messages)` as one durable unit of work.
  template <typename Fn>
  Status Write(Fn fn) {
    return store_->Run([&](store::Connection& conn) -> Status {
      DomainContext ctx = Context();
      Services services(conn, ctx);
      Loans loans(conn, ctx, programme_);
      Messages messages(conn, outbound::SystemNowMs());
      return fn(loans, services, messages);
    });
  }
  // Records what the partner told staff and queues her SMS about it, in
  // one durable unit of work: the same path as the partner's callback
  // (dialogs/partner_events.h). Sets `result`.
  Status Record(const dialogs::PartnerEvent& event, dialogs::PartnerEventResult& result) {
    return Write([&](Loans& loans, Services& services, Messages& messages) -> Status {
      auto r = dialogs::RecordPartnerEvent(event, actor_, loans, services, messages,
                                           sms_.notifier.get(), &programme_);
      if (!r.ok()) return r.status();
      result = std::move(*r);
      return Status::Ok();
    });
  }
  const LoanProduct* Product(const std::string& partner_id) const {
    for (const LoanProduct& p : programme_.products) {
      if (p.partner_id == partner_id) return &p;
    }
    return nullptr;
  }

  const config::Settings& settings_;
  const CliFlags& flags_;
  const LoanProgramme programme_;
  PinHasher pins_;
  const int64_t now_;
  Actor actor_;
  Sms sms_;
  std::unique_ptr<store::Store> store_;
};

int LoanCli::List() {
  if (Status s = OnlyFlags(flags_, {"state", "limit", "offset"}); !s.ok()) return Fail(s);
  const std::string state = Flag(flags_, "state");
  if (!state.empty() && !ParseLoanState(state)) {
    return Usage("--state must be a loan state (requested, group_approved, referred_to_mfi, "
                 "approved, disbursed, in_arrears, repaid, declined, cancelled, expired, "
                 "written_off)");
  }
  std::optional<int64_t> limit =
      Digits(Flag(flags_, "limit").empty() ? "50" : Flag(flags_, "limit"), 4);
  std::optional<int64_t> offset =
      Digits(Flag(flags_, "offset").empty() ? "0" : Flag(flags_, "offset"), 9);
  if (!limit || *limit < 1 || !offset) return Usage("--limit must be 1..9999, --offset >= 0");
  DomainContext ctx = Context();
  Loans loans(store_->Reader(), ctx, programme_);
  auto rows = loans.List(state, static_cast<int>(*limit), static_cast<int>(*offset));
  if (!rows.ok()) return Fail(rows.status());
  std::ostringstream out;
  out << "reference\tstate\tmember\tphone\tgroup\tamount\tterm\tpartner\toutstanding\t"
         "updated (UTC)\n";
  for (const Loan& l : *rows) {
    out << l.reference << '\t' << LoanStateName(l.state) << '\t' << l.member_name << '\t'
        << MaskPhone(l.member_phone) << '\t' << l.group_id << '\t'
        << MoneyText(l.amount, l.currency) << '\t' << l.term_months << "m\t"
        << (l.partner_id.empty() ? "-" : l.partner_id) << '\t'
        << MoneyText(l.outstanding, l.currency) << '\t' << Date(l.updated_at) << '\n';
  }
  out << rows->size() << " loan(s)\n";
  std::cout << out.str();
  return 0;
}

int LoanCli::Show(const std::string& reference) {
  if (Status s = OnlyFlags(flags_, {}); !s.ok()) return Fail(s);
  DomainContext ctx = Context();
  Loans loans(store_->Reader(), ctx, programme_);
  auto loan = loans.GetByReference(reference);
  if (!loan.ok()) return Fail(loan.status());
  auto schedule = loans.Schedule(loan->id);
  if (!schedule.ok()) return Fail(schedule.status());
  auto repayments = loans.RepaymentsOf(loan->id);
  if (!repayments.ok()) return Fail(repayments.status());
  auto history = loans.History(loan->id);
  if (!history.ok()) return Fail(history.status());
  const Loan& l = *loan;
  auto money = [&](int64_t minor) { return MoneyText(minor, l.currency); };
  const LoanProduct* product = Product(l.partner_id);

  std::ostringstream out;
  out << "loan " << l.reference << ": " << LoanStateName(l.state) << "\n"
      << "  member       " << l.member_name << " (" << MaskPhone(l.member_phone) << "), member "
      << l.member_id << ", group " << l.group_id << "\n"
      << "  request      " << money(l.amount) << " for " << l.purpose << " over "
      << l.term_months << " months, " << Date(l.created_at) << " UTC; consent "
      << (l.consent_at > 0 ? Date(l.consent_at) + " UTC" : std::string("none")) << "\n"
      << "  partner      " << (l.partner_id.empty() ? "-" : l.partner_id);
  if (product != nullptr) {
    out << " (" << product->partner_name << (product->has_api ? ", API" : ", no API: staff record")
        << ")";
  }
  out << "\n";
  if (l.approved_amount > 0) {
    out << "  terms        " << money(l.approved_amount) << " over " << l.approved_term_months
        << " months, " << InterestRuleName(l.rule) << " " << l.annual_rate_bp << " bp a year\n";
  }
  if (!l.decline_reason.empty()) out << "  reason       " << l.decline_reason << "\n";
  if (l.disbursed_at > 0) out << "  disbursed    " << Date(l.disbursed_at) << " UTC\n";
  out << "  ledger       charged " << money(l.charged) << ", repaid " << money(l.repaid)
      << ", outstanding " << money(l.outstanding) << "\n";
  if (!schedule->empty()) {
    ScheduleStatus status = StatusAfter(*schedule, l.repaid, now_);
    out << "  overdue      " << money(status.overdue) << "\n";
    if (status.next_due) {
      out << "  next due     #" << status.next_due->number << " " << money(status.next_due->total)
          << " on " << Date(status.next_due->due_at) << " UTC\n";
    }
    out << "schedule (" << status.instalments_paid << " of " << schedule->size() << " paid)\n"
        << "  #\tdue (UTC)\tprincipal\tinterest\ttotal\n";
    for (const Instalment& i : *schedule) {
      out << "  " << i.number << '\t' << Date(i.due_at) << '\t' << money(i.principal) << '\t'
          << money(i.interest) << '\t' << money(i.total) << '\n';
    }
  }
  out << "repayments (" << repayments->size() << ")\n";
  for (const Repayment& r : *repayments) {
    out << "  " << r.reference << '\t' << RepaymentStatusName(r.status) << '\t' << money(r.amount)
        << '\t' << r.source << '\t' << (r.external_id.empty() ? "-" : r.external_id) << '\t'
        << Date(r.created_at) << '\n';
  }
  out << "history (UTC)\n";
  for (const std::string& line : *history) {
    // "<unix seconds> from->to event actor": the time as a date.
    size_t space = line.find(' ');
    std::optional<int64_t> at = Digits(line.substr(0, space), 12);
    out << "  " << (at && space != std::string::npos ? Date(*at) + line.substr(space) : line)
        << '\n';
  }
  std::cout << out.str();
  return 0;
}

int LoanCli::Decide(const std::string& reference, const std::string& decision) {
  if (decision != "approve" && decision != "decline") {
    return Usage("loans decide REF approve|decline");
  }
  const bool approve = decision == "approve";
  Status flags_ok = approve ? OnlyFlags(flags_, {"amount", "term", "rule", "rate"})
                            : OnlyFlags(flags_, {"reason"});
  if (!flags_ok.ok()) return Fail(flags_ok);
  auto loan = Read(reference);
  if (!loan.ok()) return Fail(loan.status());
  PartnerDecision d;
  d.approved = approve;
  if (approve) {
    auto amount = Amount(*loan, "amount");
    if (!amount.ok()) return Fail(amount.status());
    std::optional<int64_t> term = Digits(Flag(flags_, "term"), 2);
    if (!term) return Usage("--term (months) is required");
    const LoanProduct* product = Product(loan->partner_id);
    const std::string rule = Flag(flags_, "rule");
    if (rule.empty() && product == nullptr) return Usage("--rule is required (no product)");
    if (!rule.empty() && rule != "flat" && rule != "declining") {
      return Usage("--rule must be flat or declining");
    }
    std::optional<int64_t> rate = Digits(Flag(flags_, "rate"), 5);
    if (Flag(flags_, "rate").empty()) {
      if (product == nullptr) return Usage("--rate is required (no product)");
      rate = product->annual_rate_bp;
    }
    if (!rate) return Usage("--rate must be basis points a year (1800 = 18%)");
    d.amount = *amount;
    d.term_months = static_cast<int>(*term);
    d.rule = rule.empty() ? product->rule
                          : (rule == "flat" ? InterestRule::kFlat : InterestRule::kDeclining);
    d.annual_rate_bp = *rate;
  } else {
    d.reason = Flag(flags_, "reason");
    if (d.reason.empty()) return Usage("--reason is required (shown to the member)");
  }
  dialogs::PartnerEvent event;
  event.kind = dialogs::PartnerEventKind::kDecision;
  event.partner_id = loan->partner_id;
  event.reference = reference;
  event.decision = std::move(d);
  dialogs::PartnerEventResult result;
  Status s = Record(event, result);
  if (!s.ok()) return ChangeFailed(s, reference);
  const LoanChange& change = result.change;
  const int queued = result.sms;
  const Loan& l = change.loan;
  if (!change.changed) {
    std::cout << "loan " << reference << " was already " << LoanStateName(l.state)
              << " with this decision: nothing changed\n";
    return 0;
  }
  if (approve) {
    std::cout << "loan " << reference << " approved: " << MoneyText(l.approved_amount, l.currency)
              << " over " << l.approved_term_months << " months, " << InterestRuleName(l.rule)
              << " " << l.annual_rate_bp << " bp a year; " << SmsNote(sms_, queued) << "\n";
  } else {
    std::cout << "loan " << reference << " declined; " << SmsNote(sms_, queued) << "\n";
  }
  return 0;
}

int LoanCli::Disburse(const std::string& reference) {
  Movement m;
  if (auto refused = ReadMovement(reference, "tx", "the partner's transaction id", m)) {
    return *refused;
  }
  const std::string& tx = m.id;
  dialogs::PartnerEventResult result;
  Status s = Record(MovementEvent(dialogs::PartnerEventKind::kDisbursement, reference, m), result);
  if (!s.ok()) return ChangeFailed(s, reference);
  const LoanChange& change = result.change;
  const int queued = result.sms;
  const Loan& l = change.loan;
  if (!change.changed) {
    std::cout << "loan " << reference << " was already disbursed by transaction " << tx
              << ": nothing changed\n";
    return 0;
  }
  std::cout << "loan " << reference << " disbursed: " << MoneyText(m.amount, l.currency)
            << " (transaction " << tx << "); outstanding " << MoneyText(l.outstanding, l.currency)
            << "; " << SmsNote(sms_, queued) << "\n";
  return 0;
}

int LoanCli::Repay(const std::string& reference) {
  Movement m;
  if (auto refused = ReadMovement(reference, "payment-id", "the partner's payment id", m)) {
    return *refused;
  }
  const std::string& payment_id = m.id;
  dialogs::PartnerEventResult result;
  Status s = Record(MovementEvent(dialogs::PartnerEventKind::kRepayment, reference, m), result);
  if (!s.ok()) return ChangeFailed(s, reference);
  const int queued = result.sms;
  const Loan& l = result.change.loan;
  if (!result.change.changed) {
    std::cout << "payment " << payment_id << " was already recorded on loan " << reference
              << " (repayment " << result.repayment.reference << "): nothing changed\n";
    return 0;
  }
  std::cout << "repayment " << result.repayment.reference << " of "
            << MoneyText(result.repayment.amount, l.currency) << " recorded on loan " << reference
            << " (payment " << payment_id << "); outstanding "
            << MoneyText(l.outstanding, l.currency) << ", loan " << LoanStateName(l.state) << "; "
            << SmsNote(sms_, queued) << "\n";
  return 0;
}

int LoanCli::RunScheduler() {
  if (Status s = OnlyFlags(flags_, {}); !s.ok()) return Fail(s);
  auto run = gateway::RunLoanScheduler(*store_, programme_, sms_.notifier.get(), now_);
  if (!run.ok()) return Fail(run.status());
  std::cout << "loan scheduler: " << run->expired << " expired, " << run->in_arrears
            << " in arrears (" << SmsNote(sms_, run->notices) << "), " << run->reminders
            << " instalment(s) due within a day (one reminder each)\n";
  return 0;
}

}  // namespace

int LoansCommand(const std::vector<std::string>& args, const CliFlags& flags,
                 const config::Settings& settings) {
  const std::string sub = args.empty() ? "" : args[0];
  struct Shape {
    const char* name;
    size_t words;  // positional words after the subcommand
  };
  static constexpr Shape kShapes[] = {{"list", 0},     {"show", 1},  {"decide", 2},
                                      {"disburse", 1}, {"repay", 1}, {"run-scheduler", 0}};
  const Shape* shape = nullptr;
  for (const Shape& s : kShapes) {
    if (sub == s.name) shape = &s;
  }
  if (shape == nullptr) {
    return Usage("loans needs list, show, decide, disburse, repay or run-scheduler");
  }
  if (args.size() != shape->words + 1) {
    return Usage(std::string("loans ") + shape->name +
                 (shape->words == 0   ? " takes no argument"
                  : shape->words == 1 ? " needs the loan reference"
                                      : " needs the loan reference and approve|decline"));
  }
  LoanCli cli(settings, flags);
  if (Status s = cli.Open(sub != "list" && sub != "show"); !s.ok()) return Fail(s);
  if (sub == "list") return cli.List();
  if (sub == "show") return cli.Show(args[1]);
  if (sub == "decide") return cli.Decide(args[1], args[2]);
  if (sub == "disburse") return cli.Disburse(args[1]);
  if (sub == "repay") return cli.Repay(args[1]);
  return cli.RunScheduler();
}

int PartnerDemoCommand(const std::vector<std::string>& args, const CliFlags& flags,
                       const config::Settings& settings) {
  if (args.size() != 2 || (args[0] != "approve" && args[0] != "decline" &&
                           args[0] != "disburse" && args[0] != "repay")) {
    return Usage("partner-demo approve|decline|disburse|repay REF [--amount U] ...");
  }
  if (Status s = OnlyFlags(flags, {"amount", "term", "rule", "rate", "reason", "partner", "fake"});
      !s.ok()) {
    return Fail(s);
  }
  // The fake partner: --partner / --fake, else the first configured partner
  // served under /mfi/<id>.
  std::string partner = Flag(flags, "partner");
  std::string fake = Flag(flags, "fake");
  for (const config::MfiPartnerSettings& p : settings.mfi_partners) {
    const std::string suffix = "/mfi/" + p.id;
    const std::string& url = p.api_base_url;
    if (url.size() <= suffix.size() || url.compare(url.size() - suffix.size(), suffix.size(),
                                                   suffix) != 0) {
      continue;
    }
    if (!partner.empty() && partner != p.id) continue;
    if (partner.empty()) partner = p.id;
    if (fake.empty()) fake = url.substr(0, url.size() - suffix.size());
    break;
  }
  if (partner.empty()) partner = "imara";
  if (fake.empty()) fake = "http://127.0.0.1:9090";
  while (!fake.empty() && fake.back() == '/') fake.pop_back();

  std::string query = "ref=" + channels::UrlEncode(args[1]);
  for (const char* name : {"amount", "term", "rule", "rate", "reason"}) {
    if (!Flag(flags, name).empty()) query += std::string("&") + name + "=" +
                                             channels::UrlEncode(Flag(flags, name));
  }
  channels::HttpCall call;
  call.method = "POST";
  call.url = fake + "/control/mfi/" + channels::UrlEncode(partner) + "/" + args[0] + "?" + query;
  call.content_type = "application/x-www-form-urlencoded";
  outbound::Transport transport;
  outbound::TransportOptions options;
  options.connect_timeout_ms = 2000;
  options.total_timeout_ms = 20000;
  channels::HttpOutcome out = transport.Perform(call, options);
  if (out.failure != channels::TransportFailure::kNone) {
    std::cerr << "error: the fake partner at " << fake << " did not answer ("
              << channels::TransportFailureName(out.failure)
              << "); is `shg-gateway fake-provider` running?\n";
    return 1;
  }
  const bool from_fake = out.body.find("\"fake-mfi:") != std::string::npos;
  while (!out.body.empty() && (out.body.back() == '\n' || out.body.back() == '\r')) {
    out.body.pop_back();
  }
  if (out.status >= 200 && out.status < 300) {
    std::cout << partner << " " << args[0] << " " << args[1] << ": gateway answered "
              << out.status << " " << out.body << "\n";
    return 0;
  }
  std::cerr << "error: " << partner << " " << args[0] << " " << args[1] << ": "
            << (from_fake ? "the fake partner answered " : "gateway answered ") << out.status
            << " " << out.body << "\n";
  return 1;
}

}  // namespace shg::cli
