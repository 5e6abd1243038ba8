// shg-null-gateway: the same HTTP server and Africa's Talking adapter as
// shg-gateway, answering the benchmark's menu paths from memory with no
// store at all. It measures the ceiling that the HTTP stack, the adapter and
// the load generator leave on this machine, so the cost of the dialogs and
// the durable store can be read off against it. Not a product binary.
//
//   shg-null-gateway [PORT] [THREADS]     (default 18090, 2)
#include <cstdlib>
#include <iostream>
#include <string>

#include "gateway/channels/africastalking/ussd.h"
#include "gateway/http/server.h"

int main(int argc, char** argv) {
  shg::http::ServerOptions options;
  options.port = static_cast<uint16_t>(argc > 1 ? std::atoi(argv[1]) : 18090);
  options.threads = argc > 2 ? std::atoi(argv[2]) : 2;
  shg::http::Server server(options, [](shg::http::Request&& req, shg::http::Reply reply) {
    auto parsed = shg::channels::ParseAfricasTalkingUssd("at-ke", req.body);
    if (!parsed.ok()) return reply(shg::http::Response::Text(400, parsed.status().message()));
    // Balance: dial, PIN, "1" ends. Save: dial, PIN, "2", amount, "1" ends with a reference.
    shg::UssdReply answer{"Menu", false};
    if (parsed->step == 2 && parsed->input == "1") answer = {"Savings: KES 4,250", true};
    if (parsed->step == 4) answer = {"Saved KES 100. Ref ABC234", true};
    reply(shg::http::Response::Text(200, shg::channels::FormatAfricasTalkingUssd(answer)));
  });
  if (auto s = server.Start(); !s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  std::cout << "shg-null-gateway on 127.0.0.1:" << server.port() << std::endl;
  server.WaitForSignal();
  return 0;
}
