#include "gateway/fake/fake_command.h"

#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <utility>

#include "domain/loan_schedule.h"
#include "gateway/cli/common.h"
#include "gateway/fake/fake_provider.h"

namespace shg::gateway {

int FakeProviderCommand(const cli::CliFlags& flags) {
  FakeProviderOptions o;
  std::string listen = cli::Flag(flags, "listen", "127.0.0.1:9090");
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return cli::Fail(Status::InvalidArgument("--listen HOST:PORT"));
  }
  o.host = listen.substr(0, colon);
  o.port = static_cast<uint16_t>(std::atoi(listen.substr(colon + 1).c_str()));
  o.gateway_url = cli::Flag(flags, "gateway");
  // Callback keys of the configured channels, so delivery reports pass; the
  // MFI partners (their secrets sign both ways); the gateway's address.
  if (!cli::Flag(flags, "config").empty() || std::filesystem::exists("config/gateway.toml")) {
    cli::CliFlags config_flags = flags;
    config_flags.erase("listen");  // ours, not the gateway's
    auto settings = cli::LoadConfig(config_flags);
    if (!settings.ok()) return cli::Fail(settings.status());
    for (const auto& ch : settings->channels) o.callback_keys[ch.id] = ch.callback_key;
    for (const auto& p : settings->mfi_partners) {
      if (p.api_base_url.empty()) continue;  // no API: nothing to fake
      FakeMfiPartnerOptions partner;
      partner.id = p.id;
      partner.name = p.name;
      partner.secret = p.secret;
      partner.currency = p.currency;
      partner.rule = p.interest_rule == "flat" ? InterestRule::kFlat : InterestRule::kDeclining;
      partner.annual_rate_bp = p.annual_rate_bp;
      o.mfi_partners.push_back(std::move(partner));
    }
    o.mfi_replay_window_s = settings->loans.partner_replay_window_s;
    if (o.gateway_url.empty()) {
      // A wildcard listen address is reached on loopback.
      std::string host = settings->listen_host;
      if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
      if (host == "::" || host == "[::]") host = "[::1]";
      if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
      o.gateway_url = "http://" + host + ":" + std::to_string(settings->listen_port);
    }
  }
  if (o.gateway_url.empty()) o.gateway_url = "http://127.0.0.1:8080";
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  FakeProvider fake(o);
  if (Status s = fake.Start(); !s.ok()) return cli::Fail(s);
  std::cout << "fake-provider listening on http://" << o.host << ":" << fake.port()
            << " (delivery reports to " << o.gateway_url << "); Ctrl-C to stop" << std::endl;
  for (const auto& p : o.mfi_partners) {
    std::cout << "fake-mfi: " << p.id << " (" << p.name << ") takes referrals at http://"
              << o.host << ":" << fake.port() << "/mfi/" << p.id
              << "; drive it with `shg-gateway partner-demo approve|decline|disburse|repay REF`"
              << std::endl;
  }
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  fake.Stop();
  std::cout << "fake-provider stopped after " << fake.Messages().size() << " message(s)"
            << (o.mfi_partners.empty()
                    ? std::string()
                    : " and " + std::to_string(fake.Referrals().size()) + " referral(s)")
            << std::endl;
  return 0;
}

}  // namespace shg::gateway
