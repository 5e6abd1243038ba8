// The shg-gateway command line: `shg-gateway <command> [--flag value]...`.
// Commands: serve, migrate, demo, add-group, add-member, add-training-module,
// record-training, reset-pin, check-ledger, outbox, loans, phone,
// fake-provider, partner-demo, help. Returns the process exit code
// (0 ok, 1 failure, 2 usage error).
//
// Commands that are not part of the gateway library come in `extra`, by
// name, and get the --flag values: the executable registers fake-provider
// (gateway/fake/fake_command.h), so that shg_gateway never links the fakes.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "gateway/cli/common.h"

namespace shg::cli {

using ExtraCommands = std::map<std::string, std::function<int(const CliFlags& flags)>>;

int Main(int argc, char** argv, const ExtraCommands& extra = {});

}  // namespace shg::cli
