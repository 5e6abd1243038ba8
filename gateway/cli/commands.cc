#include "gateway/cli/commands.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <ctime>
#include <iostream>
#include <sstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.h"
#include "domain/demo.h"
#include "domain/phone.h"
#include "domain/pin.h"
#include "domain/services.h"
#include "domain/store/store.h"
#include "gateway/app.h"
#include "dialogs/catalogue.h"
#include "dialogs/notify.h"
#include "dialogs/receipts.h"
#include "domain/messages.h"
#include "gateway/cli/common.h"
#include "gateway/cli/loans_cli.h"
#include "gateway/cli/phone.h"
#include "gateway/cli/staff_cli.h"
#include "gateway/cli/store_cli.h"
#include "gateway/outbound/dispatcher.h"

namespace shg::cli {
namespace {

constexpr char kUsage[] = R"(usage: shg-gateway <command> [options]

commands:
  serve            run the gateway      [--config F] [--listen HOST:PORT] [--db PATH]
                                        [--threads N] [--synchronous OFF|NORMAL|FULL]
  migrate          apply schema migrations to the database   [--config F] [--db PATH]
  migrate-store    copy a programme's SQLite database into an empty PostgreSQL one, ledger
                   checked: --from sqlite:PATH --to postgresql://USER@HOST:PORT/DB
                   [--password-file F]   (else the SHG_STORE_PASSWORD variable)
  demo             load the demo data into an empty database [--config F] [--db PATH]
                                        [--members N (default 30)]
  add-group        --name NAME --country KE --currency KES [--meeting-day D] [--meeting-place P]
  add-member       --group ID --phone PHONE --name NAME [--role member|treasurer|chair|secretary]
                   [--language en|sw] [--allow-foreign-phone]   (a phone of another country
                   than the group's; the same phone and name twice in a group is refused)
  add-training-module --id MODULE_ID --step 1..4 --title TITLE   (steps 1-2 make "trained")
  record-training  --member ID --module MODULE_ID [--by STAFF]
  reset-pin        --member ID [--by STAFF]   prints a one-time PIN she must change
  check-ledger     verify every journal balances and cached balances match postings
  outbox list      outgoing SMS, newest first  [--status queued|sending|sent|delivered|failed|
                   cancelled|stuck] [--limit N (default 50)]
  outbox show      one message and its events  --id N
  outbox retry     queue a failed or cancelled message again  --id N
  outbox cancel    cancel a queued or failed message          --id N
  fake-provider    a local fake SMS provider (AT, Twilio, Kannel, Hubtel send APIs) that
                   prints what would be sent and sends delivery reports back, and a fake
                   MFI partner for each [[mfi_partners]] entry (served at /mfi/<id>)
                   [--listen 127.0.0.1:9090] [--gateway URL (default: [server] listen)]
  partner-demo     tell the fake partner to call the gateway as the MFI would:
                   approve|decline|disburse|repay REF [--amount U] [--term N] [--reason T]
                   [--rule flat|declining] [--rate BP] [--partner ID] [--fake URL]
  loans list       loans, newest first [--state S] [--limit N (default 50)] [--offset N]
  loans show       REF: terms, schedule, repayments, history, outstanding
  loans decide     REF approve --amount U --term N [--rule flat|declining] [--rate BP]
                   REF decline --reason TEXT        (a partner's decision, for a partner
                   without an API; likewise:)
  loans disburse   REF --amount U --tx ID [--at UNIX]
  loans repay      REF --payment-id ID --amount U [--at UNIX]
  loans run-scheduler   expire stale requests, mark arrears, queue due reminders now
                   (U = whole currency units, cents allowed: 1816.67; --by STAFF, default $USER)
  staff add        --name NAME --role admin|field_officer|read_only|partner [--display-name T]
                   [--partner ID] [--groups 1,2] [--password-stdin]  (password: one line on stdin)
  staff list       staff users, their roles and groups
  staff disable    --name NAME   (revokes her tokens, ends her dashboard sessions)
  staff password   --name NAME   (the new password: one line on stdin)
  staff assign     --name NAME --group ID   (a field officer's group)
  token create     --staff NAME [--name LABEL] [--expires DAYS]   prints the token ONCE
  token list       [--staff NAME]
  token revoke     --id ID
  phone            interactive feature-phone simulator (Africa's Talking format)
                   --url http://127.0.0.1:8080 --channel at-ke --phone +254700000001 [--key K]

Every command takes --config FILE (default config/gateway.toml if present) and --db PATH.
Only serve, migrate and demo create the database; the others need an existing one.
The PIN pepper is read from [security].pepper_file or the SHG_PIN_PEPPER environment variable.
)";

using Flags = CliFlags;

// Flags that take no value (set to "true" when given).
constexpr std::string_view kSwitches[] = {"--allow-foreign-phone", "--password-stdin"};

Result<Flags> ParseFlags(int argc, char** argv, int first) {
  Flags flags;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (std::find(std::begin(kSwitches), std::end(kSwitches), a) != std::end(kSwitches)) {
      flags[a.substr(2)] = "true";
      continue;
    }
    if (a.rfind("--", 0) != 0 || i + 1 >= argc) {
      return Status::InvalidArgument("expected --flag value, got '" + a + "'");
    }
    flags[a.substr(2)] = argv[++i];
  }
  return flags;
}

// Runs `fn` with domain services on the writer, in one durable transaction.
template <typename Fn>
Status WithServices(store::Store& store, const PinHasher& pins, const config::Settings& s, Fn fn) {
  return store.Run([&](store::Connection& conn) -> Status {
    DomainContext ctx{&pins, s.max_pin_failures, gateway::SystemNow()};
    Services svc(conn, ctx);
    return fn(svc);
  });
}

int Serve(const Flags& flags) {
  auto settings = LoadConfig(flags);
  if (!settings.ok()) return Fail(settings.status());
  auto pepper = config::LoadPepper(*settings);
  if (!pepper.ok()) return Fail(pepper.status());
  // Blocked before any thread starts (threads inherit the mask), so SIGINT
  // and SIGTERM are only ever taken by sigwait below: a signal arriving
  // during start-up still means a clean stop.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto app = gateway::App::Create(*settings, *pepper);
  if (!app.ok()) return Fail(app.status());
  if (Status s = (*app)->Start(); !s.ok()) return Fail(s);
  std::cout << "shg-gateway listening on http://" << settings->listen_host << ":" << (*app)->port()
            << " (database " << config::DatabaseName(*settings) << "); Ctrl-C to stop" << std::endl;
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cout << "shg-gateway stopping (" << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
            << "): finishing requests in flight" << std::endl;
  (*app)->Stop();
  app->reset();  // drains the store: every acknowledged write is durable
  std::cout << "shg-gateway stopped" << std::endl;
  return 0;
}

int Migrate(const Flags& flags) {
  auto settings = LoadConfig(flags);
  if (!settings.ok()) return Fail(settings.status());
  // Open applies pending migrations; creating the file is this command's job.
  auto store = OpenStore(*settings, StoreAccess::kCreate);
  if (!store.ok()) return Fail(store.status());
  std::cout << "database " << config::DatabaseName(*settings) << " is at schema version "
            << store::LatestSchemaVersion() << "\n";
  return 0;
}

int Demo(const Flags& flags) {
  auto settings = LoadConfig(flags);
  if (!settings.ok()) return Fail(settings.status());
  auto pepper = config::LoadPepper(*settings);
  if (!pepper.ok()) return Fail(pepper.status());
  int members = std::atoi(Flag(flags, "members", "30").c_str());
  if (members < 30) return Fail(Status::InvalidArgument("--members must be at least 30"));
  auto store = OpenStore(*settings, StoreAccess::kCreate);
  if (!store.ok()) return Fail(store.status());
  PinHasher pins(*pepper);
  Status s = LoadDemo(**store, pins, members, gateway::SystemNow());
  if (!s.ok()) return Fail(s);
  std::cout << "demo data loaded into " << config::DatabaseName(*settings) << " (" << members
            << " members; every PIN is 2580 except Faith's, which is not set)\n";
  return 0;
}

int Admin(const std::string& command, const Flags& flags) {
  auto settings = LoadConfig(flags);
  if (!settings.ok()) return Fail(settings.status());
  // Only reset-pin hashes a PIN; the others do not need the pepper.
  std::string pepper = "unused-by-this-command-000000";
  if (command == "reset-pin") {
    auto p = config::LoadPepper(*settings);
    if (!p.ok()) return Fail(p.status());
    pepper = *p;
  }
  auto store = OpenStore(*settings);
  if (!store.ok()) return Fail(store.status());
  PinHasher pins(pepper);
  std::string output;
  const std::string by = Flag(flags, "by", "staff");
  Status s = WithServices(**store, pins, *settings, [&](Services& svc) -> Status {
    if (command == "add-group") {
      Group g;
      g.name = Flag(flags, "name");
      g.country = Flag(flags, "country");
      g.currency = Flag(flags, "currency");
      g.meeting_day = Flag(flags, "meeting-day");
      g.meeting_place = Flag(flags, "meeting-place");
      if (g.name.empty() || g.country.empty() || g.currency.empty()) {
        return Status::InvalidArgument("add-group needs --name, --country and --currency");
      }
      auto id = svc.AddGroup(g);
      if (!id.ok()) return id.status();
      output = "group " + std::to_string(*id) + " added\n";
      return svc.Audit({"staff", by, "group.added", "group:" + std::to_string(*id), "cli", "", ""});
    }
    if (command == "add-member") {
      auto group = svc.GetGroup(std::atoll(Flag(flags, "group").c_str()));
      if (!group.ok()) return group.status();
      auto phone = ParsePhone(Flag(flags, "phone"), group->country);
      if (!phone.ok()) return Status::InvalidArgument("--phone: " + phone.status().message());
      // A typo in the country code reaches nobody in her group's network
      // (and their SMS go out on another country's channel).
      if (PhoneCountry(*phone) != group->country && Flag(flags, "allow-foreign-phone").empty()) {
        return Status::InvalidArgument(
            "--phone: " + MaskPhone(*phone) + " is a " + std::string(PhoneCountry(*phone)) +
            " number but group " + std::to_string(group->id) + " is in " + group->country +
            " (--allow-foreign-phone registers it anyway)");
      }
      auto role = ParseRole(Flag(flags, "role", "member"));
      if (!role) return Status::InvalidArgument("--role must be member, treasurer, chair or secretary");
      Member m;
      m.group_id = group->id;
      m.phone = *phone;
      m.name = Flag(flags, "name");
      m.role = *role;
      m.language = Flag(flags, "language", settings->default_language);
      m.joined_at = gateway::SystemNow();
      if (m.name.empty()) return Status::InvalidArgument("add-member needs --name");
      auto id = svc.AddMember(m);
      if (!id.ok()) return id.status();
      output = "member " + std::to_string(*id) + " added (" + MaskPhone(m.phone) + ")\n";
      return svc.Audit({"staff", by, "member.added", "member:" + std::to_string(*id), "cli", "", ""});
    }
    if (command == "add-training-module") {
      int step = std::atoi(Flag(flags, "step").c_str());
      if (step < 1 || step > 4) return Status::InvalidArgument("--step must be 1..4 (programme step)");
      SHG_RETURN_IF_ERROR(svc.UpsertTrainingModule(Flag(flags, "id"), step, Flag(flags, "title")));
      output = "training module " + Flag(flags, "id") + " (step " + std::to_string(step) +
               ") saved\n";
      return svc.Audit(
          {"staff", by, "training.module", "module:" + Flag(flags, "id"), "cli", "", ""});
    }
    if (command == "record-training") {
      int64_t member = std::atoll(Flag(flags, "member").c_str());
      SHG_RETURN_IF_ERROR(svc.RecordTraining(member, Flag(flags, "module"), by));
      auto done = svc.CompletedTraining(member);
      if (!done.ok()) return done.status();
      output = std::string("training recorded; completed training: ") + (*done ? "yes" : "no") + "\n";
      return svc.Audit({"staff", by, "training.recorded", "member:" + std::to_string(member), "cli", "",
                        "module=" + Flag(flags, "module")});
    }
    if (command == "reset-pin") {
      int64_t member_id = std::atoll(Flag(flags, "member").c_str());
      auto member = svc.GetMember(member_id);
      if (!member.ok()) return member.status();
      auto group = svc.GetGroup(member->group_id);
      if (!group.ok()) return group.status();
      std::string otp = NewOneTimePin();
      SHG_RETURN_IF_ERROR(svc.ResetPin(member_id, otp));
      // The one-time PIN goes to her phone by SMS (the outbox row is in this
      // transaction; a running gateway sends it). Staff never see it unless
      // no channel can send SMS to her.
      dialogs::SmsRouting routing = gateway::SmsRoutingFor(*settings);
      Result<int64_t> sent = int64_t{0};
      if (!routing.For("", group->country).empty()) {
        auto catalogue = dialogs::Catalogue::Load(settings->catalogue_dir, settings->languages);
        if (!catalogue.ok()) return catalogue.status();
        dialogs::Notifier notifier(*catalogue, std::move(routing), settings->default_language);
        std::string code = "*384*7#";
        for (const auto& ch : settings->channels) {
          if (!ch.service_code.empty()) {
            code = ch.service_code;
            break;
          }
        }
        Messages messages(svc.connection(), outbound::SystemNowMs());
        sent = dialogs::SendPinReset(notifier, messages, "", *member, *group, otp, code);
        if (!sent.ok()) return sent.status();
      }
      if (*sent != 0) {
        output = "PIN of member " + std::to_string(member_id) + " reset; the one-time PIN is sent by "
                 "SMS to " + MaskPhone(member->phone) + " (message " + std::to_string(*sent) +
                 "); she must change it at next login\n";
      } else {
        output = "no channel can send SMS to her: give her this one-time PIN in person: " + otp +
                 " (she must change it at next login)\n";
      }
      return svc.Audit({"staff", by, "pin.reset", "member:" + std::to_string(member_id), "cli", "",
                        *sent != 0 ? "sms=" + std::to_string(*sent) : "sms=none"});
    }
    if (command == "check-ledger") {
      SHG_RETURN_IF_ERROR(svc.CheckLedger());
      output = "ledger ok: every journal balances and cached balances match postings\n";
      return Status::Ok();
    }
    return Status::InvalidArgument("unknown command " + command);
  });
  if (!s.ok()) return Fail(s);
  std::cout << output;
  return 0;
}

std::string FormatTime(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

int Outbox(const std::string& sub, const Flags& flags) {
  if (sub != "list" && sub != "show" && sub != "retry" && sub != "cancel") {
    return Fail(Status::InvalidArgument("unknown outbox command '" + sub +
                                        "' (list, show, retry, cancel)"));
  }
  auto settings = LoadConfig(flags);
  if (!settings.ok()) return Fail(settings.status());
  auto store = OpenStore(*settings);
  if (!store.ok()) return Fail(store.status());
  const int64_t id = std::atoll(Flag(flags, "id", "0").c_str());
  std::ostringstream out;
  Status s = (*store)->Run([&](store::Connection& conn) -> Status {
    Messages messages(conn, outbound::SystemNowMs());
    if (sub == "list") {
      int limit = std::atoi(Flag(flags, "limit", "50").c_str());
      auto rows = messages.List(Flag(flags, "status"), limit);
      if (!rows.ok()) return rows.status();
      out << "id\tchannel\tto\tkind\tstatus\tattempts\tcreated (UTC)\tlast error\n";
      for (const OutboundMessage& m : *rows) {
        out << m.id << '\t' << m.channel << '\t' << MaskPhone(m.phone) << '\t' << m.kind << '\t'
            << m.status << '\t' << m.attempts << '\t' << FormatTime(m.created_ms) << '\t'
            << m.last_error << '\n';
      }
      out << rows->size() << " message(s)\n";
      return Status::Ok();
    }
    if (id <= 0) return Status::InvalidArgument("outbox " + sub + " needs --id N");
    if (sub == "show") {
      auto m = messages.Get(id);
      if (!m.ok()) return m.status();
      out << "message " << m->id << " on " << m->channel << " to " << MaskPhone(m->phone) << " ("
          << m->kind << ", " << m->language << ", " << m->encoding << " x" << m->segments
          << "): " << m->status << ", attempts " << m->attempts;
      if (!m->provider_message_id.empty()) out << ", provider id " << m->provider_message_id;
      out << "\ntext: " << m->body << "\n";
      auto events = messages.Events(id);
      if (!events.ok()) return events.status();
      for (const std::string& e : *events) out << "  " << e << "\n";
      return Status::Ok();
    }
    if (sub == "retry") {
      SHG_RETURN_IF_ERROR(messages.Retry(id));
      out << "message " << id << " queued again (a running gateway sends it at its next poll)\n";
      return Status::Ok();
    }
    if (sub == "cancel") {
      SHG_RETURN_IF_ERROR(messages.Cancel(id));
      out << "message " << id << " cancelled\n";
      return Status::Ok();
    }
    return Status::InvalidArgument("unknown outbox command '" + sub +
                                   "' (list, show, retry, cancel)");
  });
  if (!s.ok()) return Fail(s);
  std::cout << out.str();
  return 0;
}

}  // namespace

int Main(int argc, char** argv, const ExtraCommands& extra) {
  if (argc < 2 || std::string(argv[1]) == "help" || std::string(argv[1]) == "--help") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  if (command == "phone") {
    std::vector<std::string> args(argv + 2, argv + argc);
    auto options = ParsePhoneArgs(args);
    if (!options.ok()) return Fail(options.status());
    if (options->help) {
      std::cout << PhoneUsage();
      return 0;
    }
    return RunPhone(*options, std::cin, std::cout);
  }
  if (command == "outbox") {
    if (argc < 3) {
      std::cerr << "error: outbox needs list, show, retry or cancel\n\n" << kUsage;
      return 2;
    }
    auto flags = ParseFlags(argc, argv, 3);
    if (!flags.ok()) return Fail(flags.status());
    return Outbox(argv[2], *flags);
  }
  if (command == "loans" || command == "partner-demo" || command == "staff" ||
      command == "token") {
    // Words (subcommand, reference, decision) come before the --flags.
    int first_flag = 2;
    while (first_flag < argc && std::string(argv[first_flag]).rfind("--", 0) != 0) ++first_flag;
    std::vector<std::string> words(argv + 2, argv + first_flag);
    auto flags = ParseFlags(argc, argv, first_flag);
    if (!flags.ok()) return Fail(flags.status());
    auto settings = LoadConfig(*flags);
    if (!settings.ok()) return Fail(settings.status());
    if (command == "staff") return StaffCommand(words, *flags, *settings);
    if (command == "token") return TokenCommand(words, *flags, *settings);
    return command == "loans" ? LoansCommand(words, *flags, *settings)
                              : PartnerDemoCommand(words, *flags, *settings);
  }
  auto flags = ParseFlags(argc, argv, 2);
  if (!flags.ok()) {
    std::cerr << "error: " << flags.status().message() << "\n\n" << kUsage;
    return 2;
  }
  if (command == "serve") return Serve(*flags);
  if (command == "migrate") return Migrate(*flags);
  if (command == "migrate-store") return MigrateStoreCommand(*flags);
  if (command == "demo") return Demo(*flags);
  if (auto found = extra.find(command); found != extra.end()) return found->second(*flags);
  if (command == "add-group" || command == "add-member" || command == "add-training-module" ||
      command == "record-training" ||
      command == "reset-pin" || command == "check-ledger") {
    return Admin(command, *flags);
  }
  std::cerr << "error: unknown command '" << command << "'\n\n" << kUsage;
  return 2;
}

}  // namespace shg::cli
