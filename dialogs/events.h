// Normalised USSD events: what every channel adapter produces and consumes.
// Path-style providers (Africa's Talking) and session-style providers
// (Hubtel) both map onto "session id + step number + latest input".
#pragma once

#include <string>

namespace shg {

struct UssdRequest {
  std::string channel;       // configured channel id, e.g. "at-ke"
  std::string session_id;    // provider's session id
  std::string phone;         // as sent by the provider (parsed by the engine)
  std::string service_code;  // e.g. "*384*7#"
  std::string network;       // e.g. "63902"
  int step = 0;              // inputs so far: 0 on the dial, 1 after the first answer...
  std::string input;         // the latest input only ("" on the dial)
  std::string request_id;    // for audit and logs
};

struct UssdReply {
  std::string text;  // the screen, at most 160 characters
  bool end = false;  // END (true) or CON (false)
};

}  // namespace shg
