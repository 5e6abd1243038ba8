// Gateway settings: the structs main() hands to each module, and their TOML
// loader/validator. Every option and its default is documented in
// config/gateway.example.toml; defaults here must match that file.
// Loading failures are start-up misconfiguration, reported as Status.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/result.h"

namespace shg::config {

struct ChannelSettings {
  std::string id;            // e.g. "at-ke"; used in callback URLs
  std::string type;          // "africastalking" (more types with messaging)
  std::string service_code;  // e.g. "*384*7#"
  std::string country = "KE";
  std::string callback_key;  // "" = no ?key= check (demo only)
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
  std::vector<ChannelSettings> channels;
};

// Parses a TOML file over the defaults. InvalidArgument naming the key on a
// wrong type or value (unknown channel type, bad synchronous mode...).
Result<Settings> LoadSettings(const std::string& path);
Result<Settings> ParseSettings(const std::string& toml_text);

// Reads the PIN pepper: the file if set, else the environment variable.
// InvalidArgument if neither yields at least 16 bytes.
Result<std::string> LoadPepper(const Settings& s);

}  // namespace shg::config
