// Gateway settings: the structs main() hands to each module, and their TOML
// loader/validator. Every option and its default is documented in
// config/gateway.example.toml; defaults here must match that file.
// Loading failures are start-up misconfiguration, reported as Status.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.h"
#include "domain/store/store.h"

namespace shg::config {

// The largest amount of one money action the validator accepts, in whole
// currency units ([limits] and [[mfi_partners]] max_amount_units and
// min_amount_units): the largest at which every USSD screen and SMS of
// every language still fits 160 characters with the longest names
// (tests/dialogs/screens_test.cc renders them all at this cap).
inline constexpr int64_t kMaxAmountUnitsCap = 100'000'000;

// One provider channel. Which fields a type uses is documented in
// config/gateway.example.toml; `secret` is never logged.
struct ChannelSettings {
  std::string id;            // e.g. "at-ke"; used in callback URLs
  std::string type;          // africastalking | twilio | kannel | hubtel
  std::string service_code;  // USSD code, e.g. "*384*7#" ("" = no USSD)
  std::string country = "KE";
  std::string callback_key;  // "" = no ?key= check (demo only)
  // --- sending SMS through the provider's send API ---
  // Sending is enabled when `username` is set.
  std::string api_base_url;     // "" = the provider's default (Kannel: required)
  bool sandbox = false;         // Africa's Talking: the sandbox API
  std::string username;         // AT username | Twilio Account SID | Kannel user | Hubtel client id
  std::string secret;           // AT API key | Twilio auth token | Kannel password | Hubtel secret
  std::string sender;           // from / sender id / short code ("" = provider default)
  // Kannel only: smsbox has a `global-sender` (or the sendsms-user a
  // `default-sender`), so a sending channel may leave `sender` empty.
  bool kannel_global_sender = false;
  std::string public_base_url;  // how the provider reaches us, "https://gw.example.org"
  std::string sms_via;          // notifications for members of this channel go out on this
                                // channel id ("" = this channel if it sends)
  double send_rate_per_s = 20;  // most send requests per second
  int connect_timeout_ms = 5000;
  int send_timeout_ms = 15000;  // whole send request

  bool sends() const { return !username.empty(); }
};

struct OutboxSettings {
  int workers = 4;                  // concurrent send requests (all channels)
  int max_attempts = 8;             // retryable failures before "failed"
  int64_t retry_base_ms = 2000;     // backoff: base * 2^(attempt-1), with jitter
  int64_t retry_max_ms = 600000;    // backoff cap
  int lease_s = 120;                // a leased ("sending") row is re-sent after this
  int poll_ms = 200;                // idle poll interval of the dispatcher
};

// [loans]: programme policy (domain.md "Loan lifecycle").
struct LoanPolicySettings {
  int64_t savings_multiple = 3;      // a loan is at most this times her confirmed savings
  int min_months = 3;                // months in the group before a first request
  int min_confirmed_savings = 6;     // confirmed savings before a first request
  int grace_days = 7;                // an instalment overdue this long puts the loan in arrears
  int request_expiry_days = 14;      // a request nobody acts on expires
  // A repayment she logs and a partner's report of the same amount match
  // when the claim was made within this many days of the report's paid_at
  // (one payment is counted once); 0: only by the report's claim_reference.
  int claim_match_window_days = 7;
  bool allow_topup = false;          // a new request while repaying without arrears
  bool group_loans = false;          // groups may lend from their own fund
  int group_loan_max_term_months = 3;
  int64_t group_loan_flat_rate_bp = 1000;  // flat, per year, basis points
  int partner_replay_window_s = 300;       // signed partner callbacks older than this are refused
  int scheduler_interval_s = 300;  // the loan scheduler (expiry, arrears, reminders) runs this often
};

// [[mfi_partners]]: a microfinance institution loans are referred to.
struct MfiPartnerSettings {
  std::string id;             // a-z 0-9 '-' (appears in callback URLs)
  std::string name;           // shown to members, e.g. "Imara Microfinance"
  std::string api_base_url;   // "" = no API: staff record its decisions with the CLI
  std::string secret;         // HMAC key for both directions (or secret_env)
  std::string currency = "KES";
  int64_t min_amount_units = 1000;   // product limits, whole currency units
  int64_t max_amount_units = 100000;
  std::vector<int> terms_months = {3, 6, 12};
  std::string interest_rule = "declining";  // flat | declining
  int64_t annual_rate_bp = 1800;            // per year, basis points
};

// [[fine_kinds]]: a kind of fine a group's officers record (issue 11),
// with the amount Record fine proposes, in whole units of the group's
// currency (the officer may change it). Its label is the catalogue key
// fine_kind_<id> in every language.
struct FineKindSettings {
  std::string id;           // 1..32 of a-z, 0-9, '_'
  int64_t amount_units = 0; // 1..kMaxAmountUnitsCap
};
// The most fine kinds a deployment lists (Record fine pages them on USSD).
inline constexpr size_t kMaxFineKinds = 12;

struct Settings {
  // [server]
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  int threads = 2;                 // HTTP worker threads
  size_t body_limit = 1024 * 1024;  // bytes (a member CSV import is the largest body)
  int read_timeout_ms = 30000;
  int write_timeout_ms = 10000;
  // [store]
  // [staff]: the staff API and dashboard.
  int api_requests_per_minute = 600;      // per API token (429 beyond)
  int staff_session_idle_s = 30 * 60;     // dashboard sign-out after this idle
  int staff_session_absolute_s = 12 * 3600;  // and after this, whatever happens
  bool staff_cookie_secure = false;       // "Secure" cookies: set when served over TLS

  std::string store_backend = "sqlite";  // sqlite | postgresql
  std::string db_path = "shg-gateway.db";
  std::string synchronous = "FULL";  // OFF | NORMAL | FULL
  int max_batch = 512;
  // PostgreSQL: postgresql://user@host:port/database, without a password;
  // the password comes from password_file or the password_env variable.
  std::string store_url;
  std::string store_password_file;
  std::string store_password_env = "SHG_STORE_PASSWORD";
  int store_pool_size = 4;
  // [security]
  std::string pepper_file;                       // file holding the PIN pepper
  std::string pepper_env = "SHG_PIN_PEPPER";     // or this environment variable
  int max_pin_failures = 3;
  // [dialogs]
  int session_timeout_s = 180;
  int resume_window_s = 300;
  std::string catalogue_dir = "config/lang";     // one <lang>.toml per language
  std::vector<std::string> languages = {"en", "sw"};
  std::string default_language = "en";
  // [limits]
  int64_t max_amount_units = 1000000;  // whole currency units per money action
  // [[currencies]] are built in (domain/money.h); listed in the example.
  // [outbox]
  OutboxSettings outbox;
  // [loans], [[loan_purposes]] (ids; labels are catalogue keys purpose_<id>),
  // [[mfi_partners]]
  LoanPolicySettings loans;
  std::vector<std::string> loan_purposes = {"vegetable_farming", "bakery",  "tailoring",
                                            "beauty_salon",      "bicycle_repair", "livestock",
                                            "retail_shop",       "other_business"};
  std::vector<MfiPartnerSettings> mfi_partners;
  // [[fine_kinds]]: listing any replaces this default list.
  std::vector<FineKindSettings> fine_kinds = {{"late", 50}, {"absent", 100}};
  std::vector<ChannelSettings> channels;
};

// Parses a TOML file over the defaults. InvalidArgument naming the key on a
// wrong type or value (unknown channel type, bad synchronous mode...).
Result<Settings> LoadSettings(const std::string& path);
Result<Settings> ParseSettings(const std::string& toml_text);

// The channel with this id, or nullptr.
const ChannelSettings* FindChannel(const Settings& s, std::string_view id);

// Reads the PIN pepper: the file if set, else the environment variable.
// InvalidArgument if neither yields at least 16 bytes.
Result<std::string> LoadPepper(const Settings& s);

// The database `s` names, for messages and logs: the SQLite file's path, or
// the PostgreSQL URL with any password replaced by ***.
std::string DatabaseName(const Settings& s);

// A password kept in a file: its first line, without a trailing CR or
// spaces. InvalidArgument naming the file if it cannot be read.
Result<std::string> ReadPasswordFile(const std::string& path);

// The store's options from [store]: for PostgreSQL the password is read from
// password_file (first line) or the password_env variable (either may be
// absent: libpq then tries ~/.pgpass or trust). Never logs it.
Result<store::StoreOptions> LoadStoreOptions(const Settings& s);

}  // namespace shg::config
