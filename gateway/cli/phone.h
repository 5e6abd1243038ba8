// `shg-gateway phone`: an interactive feature-phone simulator for the
// Africa's Talking USSD callback (POST /channels/{channel}/ussd).
//
// It plays the role of Africa's Talking: each dial gets a fresh random
// sessionId ("sim-" + 16 hex digits); every reply re-posts the form fields
// sessionId, serviceCode, phoneNumber, networkCode and text, where text is all
// the inputs of the session joined with '*' ("" on the dial). Screens are
// printed framed like a phone display. Nothing is masked: it is the user's
// own phone and PIN.
//
// Thread-safety: none needed; RunPhone blocks the calling thread.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "domain/result.h"

namespace shg::cli {

struct PhoneOptions {
  // Base URL of the gateway, http:// or https://, without a path.
  std::string url = "http://127.0.0.1:8080";
  // Channel id: the request goes to {url}/channels/{channel}/ussd.
  std::string channel = "at-ke";
  // MSISDN sent as phoneNumber, e.g. "+254700000001". Required.
  std::string phone;
  // Per-channel callback secret, sent as ?key=...; empty = none.
  std::string key;
  // serviceCode field (the code the user "dials").
  std::string service_code = "*384*7#";
  // networkCode field (MCC+MNC; 63902 is Safaricom Kenya).
  std::string network_code = "63902";
  // --help / -h was given: print PhoneUsage() and exit 0; nothing else is set.
  bool help = false;
};

// Parses the arguments that follow the `phone` sub-command:
//   --url X --channel Y --phone Z [--key K] [--service-code C] [--network-code N]
// ("--flag=value" is accepted too). --phone is required. --help or -h
// anywhere returns options with `help` set (and no other check). On a missing
// value, an unknown flag or a bad value, returns InvalidArgument whose message
// ends with the usage text.
Result<PhoneOptions> ParsePhoneArgs(const std::vector<std::string>& args);

// The usage text of the `phone` sub-command.
const char* PhoneUsage();

// Plays USSD sessions: dials, prints each screen, reads one line of input from
// `in` per CON screen and posts the accumulated text, until END; then asks
// "Dial again? [y/N]". Typing "q" (or end of input) quits.
// HTTP via libcurl (connect timeout 5 s, total 15 s per request).
// Returns the process exit code: 0 when the user quits or declines to dial
// again; 1 after a network error, an HTTP status other than 200 or an answer
// that starts with neither "CON " nor "END " (all printed with the status
// code and body).
int RunPhone(const PhoneOptions& options, std::istream& in, std::ostream& out);

}  // namespace shg::cli
