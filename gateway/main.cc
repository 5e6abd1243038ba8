// shg-gateway: the composition root is gateway/cli/commands.cc.
#include "gateway/cli/commands.h"

int main(int argc, char** argv) { return shg::cli::Main(argc, argv); }
