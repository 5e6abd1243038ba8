#include "config/settings.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/money.h"

namespace shg::config {
namespace {

constexpr size_t kMinPepperBytes = 16;
constexpr int64_t kMaxBodyLimit = 16 * 1024 * 1024;
constexpr int64_t kMaxTimeoutMs = 600000;
// The countries domain/phone.h can parse numbers for.
constexpr std::string_view kCountries[] = {"KE", "UG", "TZ", "RW", "IN"};
constexpr std::string_view kChannelTypes[] = {"africastalking", "twilio", "kannel", "hubtel"};
// Types whose callbacks carry USSD sessions.
constexpr std::string_view kUssdChannelTypes[] = {"africastalking", "hubtel"};

std::string TypeName(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date/time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// One key of the document being read, named by its dotted path
// ("server.threads", "channels[0].id") in every error about it.
class Field {
 public:
  Field(const toml::node& node, std::string path) : node_(node), path_(std::move(path)) {}

  const toml::node& node() const { return node_; }
  const std::string& path() const { return path_; }

  Status Error(const std::string& what) const {
    std::string where = path_;
    const auto& begin = node_.source().begin;
    if (begin.line > 0) where += " (line " + std::to_string(begin.line) + ")";
    return Status::InvalidArgument(where + ": " + what);
  }

  template <typename T>
  Status Int(int64_t lo, int64_t hi, T* out) const {
    const auto* v = node_.as_integer();
    if (v == nullptr) return Error("expected an integer, got " + TypeName(node_));
    int64_t x = v->get();
    if (x < lo || x > hi) {
      return Error("must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                   ", got " + std::to_string(x));
    }
    *out = static_cast<T>(x);
    return Status::Ok();
  }

  // Any string, including "".
  Status String(std::string* out) const {
    const auto* v = node_.as_string();
    if (v == nullptr) return Error("expected a string, got " + TypeName(node_));
    *out = v->get();
    return Status::Ok();
  }

  Status Bool(bool* out) const {
    const auto* v = node_.as_boolean();
    if (v == nullptr) return Error("expected true or false, got " + TypeName(node_));
    *out = v->get();
    return Status::Ok();
  }

  // A number (integer or float) in [lo, hi].
  Status Number(double lo, double hi, double* out) const {
    double x = 0;
    if (const auto* i = node_.as_integer()) {
      x = static_cast<double>(i->get());
    } else if (const auto* d = node_.as_floating_point()) {
      x = d->get();
    } else {
      return Error("expected a number, got " + TypeName(node_));
    }
    if (!(x >= lo && x <= hi)) {
      return Error("must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    }
    *out = x;
    return Status::Ok();
  }

  // "" or an absolute http(s) URL without a trailing '/'.
  Status BaseUrl(std::string* out) const {
    SHG_RETURN_IF_ERROR(String(out));
    if (out->empty()) return Status::Ok();
    bool scheme = out->rfind("http://", 0) == 0 || out->rfind("https://", 0) == 0;
    if (!scheme || out->back() == '/' || out->find_first_of(" ?#") != std::string::npos) {
      return Error("expected a base URL like \"https://host[:port][/path]\" without a trailing "
                   "'/', query or spaces");
    }
    return Status::Ok();
  }

  Status NonEmptyString(std::string* out) const {
    SHG_RETURN_IF_ERROR(String(out));
    if (out->empty()) return Error("must not be empty");
    return Status::Ok();
  }

 private:
  const toml::node& node_;
  std::string path_;
};

using FieldReader = std::function<Status(const Field&)>;
struct KeyReader {
  std::string_view key;
  FieldReader read;
};

// Reads every key of the table `table_field` with its reader. A key without a
// reader is rejected so that a typo does not silently keep a default; each
// key in `required` must be present.
Status ReadTable(const Field& table_field, std::initializer_list<KeyReader> readers,
                 std::initializer_list<std::string_view> required = {}) {
  const toml::table* table = table_field.node().as_table();
  if (table == nullptr) {
    return table_field.Error("expected a table, got " + TypeName(table_field.node()));
  }
  for (auto&& [key, value] : *table) {
    std::string name(key.str());
    Field field(value, table_field.path().empty() ? name : table_field.path() + "." + name);
    const KeyReader* reader = nullptr;
    for (const KeyReader& r : readers) {
      if (r.key == name) reader = &r;
    }
    if (reader == nullptr) {
      return field.Error("unknown key (config/gateway.example.toml lists every option)");
    }
    SHG_RETURN_IF_ERROR(reader->read(field));
  }
  for (std::string_view key : required) {
    if (!table->contains(key)) {
      return table_field.Error("missing required key '" + std::string(key) + "'");
    }
  }
  return Status::Ok();
}

// Calls `read` for each element of an array of tables ([[name]]).
Status ForEachTable(const Field& array_field, const std::function<Status(const Field&)>& read) {
  const toml::array* array = array_field.node().as_array();
  if (array == nullptr) {
    return array_field.Error("expected an array of tables ([[" + array_field.path() + "]]), got " +
                             TypeName(array_field.node()));
  }
  for (size_t i = 0; i < array->size(); ++i) {
    SHG_RETURN_IF_ERROR(
        read(Field(*array->get(i), array_field.path() + "[" + std::to_string(i) + "]")));
  }
  return Status::Ok();
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

template <size_t N>
bool OneOf(std::string_view s, const std::string_view (&options)[N]) {
  for (std::string_view o : options) {
    if (s == o) return true;
  }
  return false;
}

template <size_t N>
std::string JoinList(const std::string_view (&options)[N]) {
  std::string out;
  for (std::string_view o : options) {
    if (!out.empty()) out += ", ";
    out += o;
  }
  return out;
}

// "HOST:PORT" or "[IPv6]:PORT"; port 0 asks the OS for a free port (tests).
Status ReadListen(const Field& f, Settings& s) {
  std::string listen;
  SHG_RETURN_IF_ERROR(f.NonEmptyString(&listen));
  const Status bad = f.Error("expected HOST:PORT (e.g. 127.0.0.1:8080), got '" + listen + "'");
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return bad;
  std::string host = listen.substr(0, colon);
  std::string port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return bad;  // a bare IPv6 address must be bracketed
  }
  if (host.empty() || !IsDigits(port) || port.size() > 5) return bad;
  int port_number = std::stoi(port);
  if (port_number > 65535) return f.Error("port must be between 0 and 65535, got " + port);
  s.listen_host = host;
  s.listen_port = static_cast<uint16_t>(port_number);
  return Status::Ok();
}

Status ReadLanguages(const Field& f, Settings& s) {
  const toml::array* array = f.node().as_array();
  if (array == nullptr) return f.Error("expected an array of strings, got " + TypeName(f.node()));
  if (array->empty()) return f.Error("must list at least one language");
  std::vector<std::string> languages;
  for (size_t i = 0; i < array->size(); ++i) {
    Field item(*array->get(i), f.path() + "[" + std::to_string(i) + "]");
    std::string lang;
    SHG_RETURN_IF_ERROR(item.NonEmptyString(&lang));
    bool ok = lang.size() >= 2 && lang.size() <= 3;
    for (char c : lang) ok = ok && c >= 'a' && c <= 'z';
    if (!ok) return item.Error("expected a lowercase ISO 639 code like \"en\", got '" + lang + "'");
    for (const std::string& other : languages) {
      if (other == lang) return item.Error("duplicate language '" + lang + "'");
    }
    languages.push_back(std::move(lang));
  }
  s.languages = std::move(languages);
  return Status::Ok();
}

Status ReadServer(const Field& f, Settings& s) {
  return ReadTable(
      f,
      {
          {"listen", [&](const Field& k) { return ReadListen(k, s); }},
          {"threads", [&](const Field& k) { return k.Int(1, 64, &s.threads); }},
          {"body_limit", [&](const Field& k) { return k.Int(1024, kMaxBodyLimit, &s.body_limit); }},
          {"read_timeout_ms",
           [&](const Field& k) { return k.Int(1, kMaxTimeoutMs, &s.read_timeout_ms); }},
          {"write_timeout_ms",
           [&](const Field& k) { return k.Int(1, kMaxTimeoutMs, &s.write_timeout_ms); }},
      });
}

Status ReadStaff(const Field& f, Settings& s) {
  return ReadTable(
      f, {
             {"api_requests_per_minute",
              [&](const Field& k) { return k.Int(1, 1000000, &s.api_requests_per_minute); }},
             {"session_idle_minutes",
              [&](const Field& k) {
                int minutes = 0;
                SHG_RETURN_IF_ERROR(k.Int(1, 24 * 60, &minutes));
                s.staff_session_idle_s = minutes * 60;
                return Status::Ok();
              }},
             {"session_absolute_hours",
              [&](const Field& k) {
                int hours = 0;
                SHG_RETURN_IF_ERROR(k.Int(1, 7 * 24, &hours));
                s.staff_session_absolute_s = hours * 3600;
                return Status::Ok();
              }},
             {"secure_cookies", [&](const Field& k) { return k.Bool(&s.staff_cookie_secure); }},
         });
}

Status ReadSynchronous(const Field& k, Settings& s) {
  std::string mode;
  SHG_RETURN_IF_ERROR(k.NonEmptyString(&mode));
  if (mode != "OFF" && mode != "NORMAL" && mode != "FULL") {
    return k.Error("expected OFF, NORMAL or FULL, got '" + mode + "'");
  }
  s.synchronous = mode;
  return Status::Ok();
}

Status ReadBackend(const Field& k, Settings& s) {
  std::string backend;
  SHG_RETURN_IF_ERROR(k.NonEmptyString(&backend));
  if (backend != "sqlite" && backend != "postgresql") {
    return k.Error("expected \"sqlite\" or \"postgresql\", got '" + backend + "'");
  }
  s.store_backend = backend;
  return Status::Ok();
}

// A password written into the URL would sit in a file that is read by many
// and copied into logs: refused, it belongs in password_file or password_env.
Status ReadStoreUrl(const Field& k, Settings& s) {
  std::string url;
  SHG_RETURN_IF_ERROR(k.NonEmptyString(&url));
  if (url.rfind("postgresql://", 0) != 0 && url.rfind("postgres://", 0) != 0) {
    return k.Error("expected a postgresql:// URL");
  }
  const size_t authority = url.find("://") + 3;
  const size_t at = url.find('@', authority);
  const size_t slash = url.find('/', authority);
  if (at != std::string::npos && (slash == std::string::npos || at < slash) &&
      url.find(':', authority) < at) {
    return k.Error("holds a password: put it in store.password_file or store.password_env");
  }
  if (url.find("password=") != std::string::npos) {
    return k.Error("holds a password: put it in store.password_file or store.password_env");
  }
  s.store_url = url;
  return Status::Ok();
}

Status ReadStore(const Field& f, Settings& s) {
  return ReadTable(
      f, {
             {"backend", [&](const Field& k) { return ReadBackend(k, s); }},
             {"path", [&](const Field& k) { return k.NonEmptyString(&s.db_path); }},
             {"synchronous", [&](const Field& k) { return ReadSynchronous(k, s); }},
             {"max_batch", [&](const Field& k) { return k.Int(1, 100000, &s.max_batch); }},
             {"url", [&](const Field& k) { return ReadStoreUrl(k, s); }},
             {"password_file", [&](const Field& k) { return k.String(&s.store_password_file); }},
             {"password_env", [&](const Field& k) { return k.String(&s.store_password_env); }},
             {"pool_size", [&](const Field& k) { return k.Int(1, 64, &s.store_pool_size); }},
         });
}

Status ReadSecurity(const Field& f, Settings& s) {
  return ReadTable(f, {
                          {"pepper_file", [&](const Field& k) { return k.String(&s.pepper_file); }},
                          {"pepper_env", [&](const Field& k) { return k.String(&s.pepper_env); }},
                          {"max_pin_failures",
                           [&](const Field& k) { return k.Int(1, 10, &s.max_pin_failures); }},
                      });
}

Status ReadDialogs(const Field& f, Settings& s) {
  return ReadTable(
      f,
      {
          {"session_timeout_s",
           [&](const Field& k) { return k.Int(1, 3600, &s.session_timeout_s); }},
          {"resume_window_s", [&](const Field& k) { return k.Int(0, 86400, &s.resume_window_s); }},
          {"catalogue_dir", [&](const Field& k) { return k.NonEmptyString(&s.catalogue_dir); }},
          {"languages", [&](const Field& k) { return ReadLanguages(k, s); }},
          {"default_language",
           [&](const Field& k) { return k.NonEmptyString(&s.default_language); }},
      });
}

// An amount of one money action in whole units, 1..kMaxAmountUnitsCap, with
// the reason for the cap in the error (the cap also keeps minor units far
// from int64 overflow).
Status AmountUnits(const Field& k, int64_t* out) {
  const auto* v = k.node().as_integer();
  if (v != nullptr && v->get() > kMaxAmountUnitsCap) {
    return k.Error("must be at most " + std::to_string(kMaxAmountUnitsCap) +
                   " (the largest amount every USSD screen and SMS fits in 160 characters), got " +
                   std::to_string(v->get()));
  }
  return k.Int(1, kMaxAmountUnitsCap, out);
}

Status ReadLimits(const Field& f, Settings& s) {
  return ReadTable(
      f, {
             {"max_amount_units",
              [&](const Field& k) { return AmountUnits(k, &s.max_amount_units); }},
         });
}

Status CheckChannelId(const Field& k, const std::string& id, const Settings& s) {
  for (char ch : id) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) {
      return k.Error("must use only a-z, 0-9 and '-' (it appears in callback URLs), got '" + id +
                     "'");
    }
  }
  for (const ChannelSettings& other : s.channels) {
    if (other.id == id) return k.Error("duplicate channel id '" + id + "'");
  }
  return Status::Ok();
}

// "*384*7#": '*', groups of digits separated by '*', then '#'.
bool IsServiceCode(std::string_view code) {
  if (code.size() < 3 || code.front() != '*' || code.back() != '#') return false;
  std::string_view body = code.substr(1, code.size() - 2);
  for (;;) {
    size_t star = body.find('*');
    if (!IsDigits(body.substr(0, star))) return false;
    if (star == std::string_view::npos) return true;
    body.remove_prefix(star + 1);
  }
}

Status ReadChannel(const Field& f, Settings& s) {
  ChannelSettings c;
  std::string secret_env;
  SHG_RETURN_IF_ERROR(ReadTable(
      f,
      {
          {"id",
           [&](const Field& k) {
             SHG_RETURN_IF_ERROR(k.NonEmptyString(&c.id));
             return CheckChannelId(k, c.id, s);
           }},
          {"type",
           [&](const Field& k) {
             SHG_RETURN_IF_ERROR(k.NonEmptyString(&c.type));
             if (OneOf(c.type, kChannelTypes)) return Status::Ok();
             return k.Error("unsupported channel type '" + c.type +
                            "' (supported: " + JoinList(kChannelTypes) + ")");
           }},
          {"service_code",
           [&](const Field& k) {
             SHG_RETURN_IF_ERROR(k.String(&c.service_code));
             if (c.service_code.empty() || IsServiceCode(c.service_code)) return Status::Ok();
             return k.Error("expected a USSD code like \"*384*7#\", got '" + c.service_code + "'");
           }},
          {"country",
           [&](const Field& k) {
             SHG_RETURN_IF_ERROR(k.NonEmptyString(&c.country));
             if (OneOf(c.country, kCountries)) return Status::Ok();
             return k.Error("unsupported country '" + c.country +
                            "' (supported: " + JoinList(kCountries) + ")");
           }},
          {"callback_key", [&](const Field& k) { return k.String(&c.callback_key); }},
          {"api_base_url", [&](const Field& k) { return k.BaseUrl(&c.api_base_url); }},
          {"sandbox", [&](const Field& k) { return k.Bool(&c.sandbox); }},
          {"username", [&](const Field& k) { return k.String(&c.username); }},
          {"secret", [&](const Field& k) { return k.String(&c.secret); }},
          {"secret_env", [&](const Field& k) { return k.String(&secret_env); }},
          {"sender", [&](const Field& k) { return k.String(&c.sender); }},
          {"kannel_global_sender", [&](const Field& k) { return k.Bool(&c.kannel_global_sender); }},
          {"public_base_url", [&](const Field& k) { return k.BaseUrl(&c.public_base_url); }},
          {"sms_via", [&](const Field& k) { return k.String(&c.sms_via); }},
          {"send_rate_per_s",
           [&](const Field& k) { return k.Number(0.01, 100000, &c.send_rate_per_s); }},
          {"connect_timeout_ms",
           [&](const Field& k) { return k.Int(1, kMaxTimeoutMs, &c.connect_timeout_ms); }},
          {"send_timeout_ms",
           [&](const Field& k) { return k.Int(1, kMaxTimeoutMs, &c.send_timeout_ms); }},
      },
      {"id", "type"}));
  if (!c.service_code.empty() && !OneOf(c.type, kUssdChannelTypes)) {
    return f.Error("channel type '" + c.type + "' has no USSD: remove service_code");
  }
  if (!secret_env.empty()) {
    if (!c.secret.empty()) return f.Error("set secret or secret_env, not both");
    const char* value = std::getenv(secret_env.c_str());
    if (value == nullptr || *value == '\0') {
      return f.Error("environment variable " + secret_env + " (secret_env) is not set");
    }
    c.secret = value;
  }
  if (c.sends()) {
    if (c.secret.empty()) return f.Error("sending (username set) needs secret or secret_env");
    if (c.type == "kannel" && c.api_base_url.empty()) {
      return f.Error("a kannel channel needs api_base_url (its sendsms interface, e.g. "
                     "\"http://127.0.0.1:13013\")");
    }
    if ((c.type == "twilio" || c.type == "hubtel") && c.sender.empty()) {
      return f.Error("a " + c.type + " channel that sends needs sender (the From number)");
    }
    // Without a from, smsbox refuses every send for good ("Sender missing
    // and no global set"): found at the first reply, not at start-up.
    if (c.type == "kannel" && c.sender.empty() && !c.kannel_global_sender) {
      return f.Error("kannel channel '" + c.id + "' sends but has no sender: set sender (the "
                     "from of every SMS), or kannel_global_sender = true if smsbox has a "
                     "global-sender (or the sendsms-user a default-sender)");
    }
  }
  if (c.kannel_global_sender && c.type != "kannel") {
    return f.Error("kannel_global_sender is for kannel channels only (channel '" + c.id +
                   "' is " + c.type + ")");
  }
  if (c.type == "twilio" && c.public_base_url.empty()) {
    return f.Error("a twilio channel needs public_base_url (the URL Twilio calls, used to check "
                   "X-Twilio-Signature)");
  }
  if (c.type == "twilio" && c.secret.empty()) {
    return f.Error("a twilio channel needs secret (the auth token that signs its callbacks)");
  }
  s.channels.push_back(std::move(c));
  return Status::Ok();
}

Status ReadLoans(const Field& f, Settings& s) {
  LoanPolicySettings& l = s.loans;
  return ReadTable(
      f, {
             {"savings_multiple", [&](const Field& k) { return k.Int(1, 100, &l.savings_multiple); }},
             {"min_months", [&](const Field& k) { return k.Int(0, 120, &l.min_months); }},
             {"min_confirmed_savings",
              [&](const Field& k) { return k.Int(0, 1000, &l.min_confirmed_savings); }},
             {"grace_days", [&](const Field& k) { return k.Int(0, 365, &l.grace_days); }},
             {"request_expiry_days",
              [&](const Field& k) { return k.Int(1, 365, &l.request_expiry_days); }},
             {"claim_match_window_days",
              [&](const Field& k) { return k.Int(0, 90, &l.claim_match_window_days); }},
             {"allow_topup", [&](const Field& k) { return k.Bool(&l.allow_topup); }},
             // Internal loans from the group's fund, under each cycle's rules.
             {"group_loans", [&](const Field& k) { return k.Bool(&l.group_loans); }},
             {"group_loan_max_term_months",
              [&](const Field& k) { return k.Int(1, 12, &l.group_loan_max_term_months); }},
             {"group_loan_flat_rate_bp",
              [&](const Field& k) { return k.Int(0, 10000, &l.group_loan_flat_rate_bp); }},
             {"partner_replay_window_s",
              [&](const Field& k) { return k.Int(1, 3600, &l.partner_replay_window_s); }},
             {"scheduler_interval_s",
              [&](const Field& k) { return k.Int(10, 86400, &l.scheduler_interval_s); }},
         });
}

// [[loan_purposes]]: business-investment purposes only (domain.md); each id
// needs a catalogue label purpose_<id> in every language.
Status ReadLoanPurpose(const Field& f, std::vector<std::string>& purposes, bool& replaced) {
  if (!replaced) {
    purposes.clear();  // listing purposes replaces the default list
    replaced = true;
  }
  std::string id;
  SHG_RETURN_IF_ERROR(ReadTable(f,
                                {{"id",
                                  [&](const Field& k) {
                                    SHG_RETURN_IF_ERROR(k.NonEmptyString(&id));
                                    for (char c : id) {
                                      if (!((c >= 'a' && c <= 'z') || c == '_')) {
                                        return k.Error("must use only a-z and '_', got '" + id + "'");
                                      }
                                    }
                                    for (const std::string& other : purposes) {
                                      if (other == id) return k.Error("duplicate purpose '" + id + "'");
                                    }
                                    return Status::Ok();
                                  }}},
                                {"id"}));
  purposes.push_back(std::move(id));
  return Status::Ok();
}

// [[fine_kinds]]: id (the kind Cycles::RecordFine stores) and the amount
// proposed, whole units.
Status ReadFineKind(const Field& f, std::vector<FineKindSettings>& kinds, bool& replaced) {
  if (!replaced) {
    kinds.clear();  // listing kinds replaces the default list
    replaced = true;
  }
  if (kinds.size() == kMaxFineKinds) {
    return f.Error("at most " + std::to_string(kMaxFineKinds) + " fine kinds");
  }
  FineKindSettings kind;
  SHG_RETURN_IF_ERROR(ReadTable(
      f,
      {{"id",
        [&](const Field& k) {
          SHG_RETURN_IF_ERROR(k.NonEmptyString(&kind.id));
          if (kind.id.size() > 32) return k.Error("must be at most 32 characters");
          for (char c : kind.id) {
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
              return k.Error("must use only a-z, 0-9 and '_', got '" + kind.id + "'");
            }
          }
          for (const FineKindSettings& other : kinds) {
            if (other.id == kind.id) return k.Error("duplicate fine kind '" + kind.id + "'");
          }
          return Status::Ok();
        }},
       {"amount", [&](const Field& k) { return AmountUnits(k, &kind.amount_units); }}},
      {"id", "amount"}));
  kinds.push_back(std::move(kind));
  return Status::Ok();
}

Status ReadMfiPartner(const Field& f, Settings& s) {
  MfiPartnerSettings p;
  std::string secret_env;
  SHG_RETURN_IF_ERROR(ReadTable(
      f,
      {
          {"id",
           [&](const Field& k) {
             SHG_RETURN_IF_ERROR(k.NonEmptyString(&p.id));
             for (char ch : p.id) {
               if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) {
                 return k.Error("must use only a-z, 0-9 and '-', got '" + p.id + "'");
               }
             }
             for (const MfiPartnerSettings& other : s.mfi_partners) {
               if (other.id == p.id) return k.Error("duplicate partner id '" + p.id + "'");
             }
             return Status::Ok();
           }},
          {"name", [&](const Field& k) { return k.NonEmptyString(&p.name); }},
          {"api_base_url", [&](const Field& k) { return k.BaseUrl(&p.api_base_url); }},
          {"secret", [&](const Field& k) { return k.String(&p.secret); }},
          {"secret_env", [&](const Field& k) { return k.String(&secret_env); }},
          {"currency",
           [&](const Field& k) {
             SHG_RETURN_IF_ERROR(k.NonEmptyString(&p.currency));
             if (FindCurrency(p.currency).ok()) return Status::Ok();
             return k.Error("currency '" + p.currency + "' is not in the built-in table");
           }},
          {"min_amount_units",
           [&](const Field& k) { return AmountUnits(k, &p.min_amount_units); }},
          {"max_amount_units",
           [&](const Field& k) { return AmountUnits(k, &p.max_amount_units); }},
          {"terms_months",
           [&](const Field& k) -> Status {
             const toml::array* a = k.node().as_array();
             if (a == nullptr || a->empty()) return k.Error("expected a non-empty array of months");
             p.terms_months.clear();
             for (size_t i = 0; i < a->size(); ++i) {
               int months = 0;
               SHG_RETURN_IF_ERROR(
                   Field(*a->get(i), k.path() + "[" + std::to_string(i) + "]").Int(1, 60, &months));
               p.terms_months.push_back(months);
             }
             return Status::Ok();
           }},
          {"interest_rule",
           [&](const Field& k) {
             SHG_RETURN_IF_ERROR(k.NonEmptyString(&p.interest_rule));
             if (p.interest_rule == "flat" || p.interest_rule == "declining") return Status::Ok();
             return k.Error("must be flat or declining, got '" + p.interest_rule + "'");
           }},
          {"annual_rate_bp", [&](const Field& k) { return k.Int(0, 10000, &p.annual_rate_bp); }},
      },
      {"id", "name"}));
  if (!secret_env.empty()) {
    if (!p.secret.empty()) return f.Error("set secret or secret_env, not both");
    const char* value = std::getenv(secret_env.c_str());
    if (value == nullptr || *value == '\0') {
      return f.Error("environment variable " + secret_env + " (secret_env) is not set");
    }
    p.secret = value;
  }
  if (!p.api_base_url.empty() && p.secret.size() < 16) {
    return f.Error("a partner with an API needs a secret of at least 16 bytes (it signs both ways)");
  }
  if (p.min_amount_units > p.max_amount_units) {
    return f.Error("min_amount_units is above max_amount_units");
  }
  s.mfi_partners.push_back(std::move(p));
  return Status::Ok();
}

Status ReadOutbox(const Field& f, Settings& s) {
  OutboxSettings& o = s.outbox;
  return ReadTable(
      f, {
             {"workers", [&](const Field& k) { return k.Int(1, 256, &o.workers); }},
             {"max_attempts", [&](const Field& k) { return k.Int(1, 100, &o.max_attempts); }},
             {"retry_base_ms", [&](const Field& k) { return k.Int(1, 3600000, &o.retry_base_ms); }},
             {"retry_max_ms", [&](const Field& k) { return k.Int(1, 86400000, &o.retry_max_ms); }},
             {"lease_s", [&](const Field& k) { return k.Int(1, 86400, &o.lease_s); }},
             {"poll_ms", [&](const Field& k) { return k.Int(1, 60000, &o.poll_ms); }},
         });
}

// [[currencies]] only document the built-in table; a mismatch means the
// operator expects a currency or exponent the code does not implement.
Status ReadCurrency(const Field& f) {
  Currency listed;
  SHG_RETURN_IF_ERROR(
      ReadTable(f,
                {
                    {"code",
                     [&](const Field& k) {
                       SHG_RETURN_IF_ERROR(k.NonEmptyString(&listed.code));
                       if (FindCurrency(listed.code).ok()) return Status::Ok();
                       return k.Error("currency '" + listed.code +
                                      "' is not in the built-in table (KES, UGX, TZS, RWF, INR)");
                     }},
                    {"exponent", [&](const Field& k) { return k.Int(0, 18, &listed.exponent); }},
                },
                {"code", "exponent"}));
  Result<Currency> builtin = FindCurrency(listed.code);
  if (builtin->exponent != listed.exponent) {
    return f.Error("currency " + listed.code + " has exponent " +
                   std::to_string(builtin->exponent) + " in the built-in table, not " +
                   std::to_string(listed.exponent));
  }
  return Status::Ok();
}

Result<Settings> ParseWithSource(const std::string& toml_text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    return Status::InvalidArgument(source + ":" + std::to_string(begin.line) + ":" +
                                   std::to_string(begin.column) + ": " +
                                   std::string(e.description()));
  }

  Settings s;
  auto read_channel = [&](const Field& c) { return ReadChannel(c, s); };
  bool purposes_replaced = false;
  bool fine_kinds_replaced = false;
  SHG_RETURN_IF_ERROR(
      ReadTable(Field(root, ""),
                {
                    {"server", [&](const Field& k) { return ReadServer(k, s); }},
                    {"store", [&](const Field& k) { return ReadStore(k, s); }},
                    {"staff", [&](const Field& k) { return ReadStaff(k, s); }},
                    {"security", [&](const Field& k) { return ReadSecurity(k, s); }},
                    {"dialogs", [&](const Field& k) { return ReadDialogs(k, s); }},
                    {"limits", [&](const Field& k) { return ReadLimits(k, s); }},
                    {"outbox", [&](const Field& k) { return ReadOutbox(k, s); }},
                    {"loans", [&](const Field& k) { return ReadLoans(k, s); }},
                    {"loan_purposes",
                     [&](const Field& k) {
                       return ForEachTable(k, [&](const Field& p) {
                         return ReadLoanPurpose(p, s.loan_purposes, purposes_replaced);
                       });
                     }},
                    {"fine_kinds",
                     [&](const Field& k) {
                       return ForEachTable(k, [&](const Field& p) {
                         return ReadFineKind(p, s.fine_kinds, fine_kinds_replaced);
                       });
                     }},
                    {"mfi_partners",
                     [&](const Field& k) {
                       return ForEachTable(k, [&](const Field& p) { return ReadMfiPartner(p, s); });
                     }},
                    {"channels", [&](const Field& k) { return ForEachTable(k, read_channel); }},
                    {"currencies", [&](const Field& k) { return ForEachTable(k, ReadCurrency); }},
                }));

  if (std::find(s.languages.begin(), s.languages.end(), s.default_language) == s.languages.end()) {
    std::string where = "dialogs.default_language";
    if (const toml::node* n = root.at_path("dialogs.default_language").node()) {
      where += " (line " + std::to_string(n->source().begin.line) + ")";
    }
    return Status::InvalidArgument(where + ": '" + s.default_language +
                                   "' is not in dialogs.languages");
  }
  for (const ChannelSettings& c : s.channels) {
    if (c.sms_via.empty()) continue;
    const ChannelSettings* via = FindChannel(s, c.sms_via);
    if (via == nullptr || !via->sends()) {
      return Status::InvalidArgument("channel '" + c.id + "': sms_via '" + c.sms_via +
                                     "' is not a configured channel that sends (username set)");
    }
  }
  if (s.outbox.retry_max_ms < s.outbox.retry_base_ms) {
    return Status::InvalidArgument("outbox.retry_max_ms must be at least outbox.retry_base_ms");
  }
  return s;
}

}  // namespace

const ChannelSettings* FindChannel(const Settings& s, std::string_view id) {
  for (const ChannelSettings& c : s.channels) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

Result<Settings> ParseSettings(const std::string& toml_text) {
  return ParseWithSource(toml_text, "<config>");
}

Result<Settings> LoadSettings(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read config file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::NotFound("cannot read config file '" + path + "'");
  return ParseWithSource(text.str(), path);
}

Result<std::string> LoadPepper(const Settings& s) {
  std::string pepper;
  std::string origin;
  if (!s.pepper_file.empty()) {
    origin = "security.pepper_file '" + s.pepper_file + "'";
    std::ifstream in(s.pepper_file, std::ios::binary);
    if (!in) return Status::InvalidArgument("cannot read " + origin);
    std::ostringstream text;
    text << in.rdbuf();
    pepper = text.str();
    // Editors and `echo` add a line ending; it is not part of the secret.
    while (!pepper.empty() && (pepper.back() == '\n' || pepper.back() == '\r')) pepper.pop_back();
  } else if (!s.pepper_env.empty()) {
    origin = "environment variable " + s.pepper_env;
    const char* value = std::getenv(s.pepper_env.c_str());
    if (value == nullptr) {
      return Status::InvalidArgument("no PIN pepper: set security.pepper_file or the " + origin);
    }
    pepper = value;
  } else {
    return Status::InvalidArgument(
        "no PIN pepper: set security.pepper_file or security.pepper_env");
  }
  if (pepper.size() < kMinPepperBytes) {
    // The length is reported, never the value.
    return Status::InvalidArgument("PIN pepper from " + origin + " must be at least " +
                                   std::to_string(kMinPepperBytes) + " bytes, got " +
                                   std::to_string(pepper.size()));
  }
  return pepper;
}

std::string DatabaseName(const Settings& s) {
  return s.store_backend == "postgresql" ? store::RedactedUrl(s.store_url) : s.db_path;
}

Result<std::string> ReadPasswordFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read '" + path + "'");
  std::string password;
  std::getline(in, password);
  while (!password.empty() && (password.back() == '\r' || password.back() == ' ')) {
    password.pop_back();
  }
  return password;
}

Result<store::StoreOptions> LoadStoreOptions(const Settings& s) {
  store::StoreOptions so;
  so.backend = s.store_backend;
  so.path = s.db_path;
  so.synchronous = s.synchronous;
  so.max_batch = s.max_batch;
  so.url = s.store_url;
  so.pool_size = s.store_pool_size;
  if (so.backend != "postgresql") return so;
  if (so.url.empty()) return Status::InvalidArgument("store.url is required for the postgresql backend");
  if (!s.store_password_file.empty()) {
    auto password = ReadPasswordFile(s.store_password_file);
    if (!password.ok()) {
      return Status::InvalidArgument("store.password_file: " + password.status().message());
    }
    so.password = *password;
  } else if (!s.store_password_env.empty()) {
    if (const char* value = std::getenv(s.store_password_env.c_str()); value != nullptr) {
      so.password = value;
    }
  }
  return so;
}

}  // namespace shg::config
