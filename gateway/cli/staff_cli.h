// Staff users and API tokens from the shell (issue 10), run by
// gateway/cli/commands.cc after it has loaded the settings:
//
//   staff add --name NAME --role admin|field_officer|read_only|partner
//             [--display-name TEXT] [--partner ID] [--groups 1,2] [--password-stdin]
//   staff list
//   staff disable --name NAME          (revokes her tokens, ends her sessions)
//   staff password --name NAME         (new password read from stdin)
//   staff assign --name NAME --group ID
//   token create --staff NAME [--name LABEL] [--expires DAYS]
//   token list [--staff NAME]
//   token revoke --id ID               (id or public id)
//
// A password is read from stdin (one line; never a flag: flags are seen by
// `ps` and kept in shell history). A token is printed once; only a hash of
// its secret is stored. Every change is audited as staff/--by ($USER).
// Exit codes: 0 done, 1 a failure, 2 a usage error or an invalid value.
#pragma once

#include <string>
#include <vector>

#include "config/settings.h"
#include "gateway/cli/common.h"

namespace shg::cli {

int StaffCommand(const std::vector<std::string>& words, const CliFlags& flags,
                 const config::Settings& settings);
int TokenCommand(const std::vector<std::string>& words, const CliFlags& flags,
                 const config::Settings& settings);

}  // namespace shg::cli
