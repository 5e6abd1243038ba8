// The shg-gateway command line: `shg-gateway <command> [--flag value]...`.
// Commands: serve, migrate, demo, add-group, add-member, add-training-module,
// record-training, reset-pin, check-ledger, outbox, loans, phone,
// fake-provider, partner-demo, help. Returns the process exit code
// (0 ok, 1 failure, 2 usage error).
#pragma once

namespace shg::cli {

int Main(int argc, char** argv);

}  // namespace shg::cli
