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

namespace shg::config {

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

struct Settings {
  // [server]
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  int threads = 2;                 // HTTP worker threads
  size_t body_limit = 64 * 1024;   // bytes
  int read_timeout_ms = 30000;
  int write_timeout_ms = 10000;
  // [store]
  std::string db_path = "shg-gateway.db";
  std::string synchronous = "FULL";  // OFF | NORMAL | FULL
  int max_batch = 512;
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

}  // namespace shg::config
