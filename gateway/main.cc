// shg-gateway: the composition root is gateway/cli/commands.cc; the
// executable adds the command that runs the fakes (shg_fakes), which the
// gateway library does not link.
#include "gateway/cli/commands.h"
#include "gateway/fake/fake_command.h"

int main(int argc, char** argv) {
  return shg::cli::Main(argc, argv, {{"fake-provider", shg::gateway::FakeProviderCommand}});
}
