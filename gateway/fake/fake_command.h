// `shg-gateway fake-provider`: runs the fake SMS provider and a fake MFI
// partner for each [[mfi_partners]] entry with an api_base_url (see
// fake_provider.h) until SIGINT/SIGTERM, printing what would be sent.
// Flags: --listen HOST:PORT (default 127.0.0.1:9090), --gateway URL
// (default: [server] listen of the config), --config FILE.
//
// Lives with the fakes (shg_fakes), not in the gateway library: the
// executable registers it with cli::Main (gateway/main.cc).
#pragma once

#include "gateway/cli/common.h"

namespace shg::gateway {

// Returns the process exit code (0 after a clean stop, 1/2 as cli::Fail).
int FakeProviderCommand(const cli::CliFlags& flags);

}  // namespace shg::gateway
