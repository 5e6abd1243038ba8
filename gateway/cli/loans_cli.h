// Staff commands for loans and the demo partner (issue 4), run by
// gateway/cli/commands.cc after it has loaded the settings:
//
//   loans list [--state S] [--limit N] [--offset N]
//   loans show REF                     terms, schedule, repayments, history, outstanding
//   loans decide REF approve --amount U --term N [--rule flat|declining] [--rate BP]
//   loans decide REF decline --reason TEXT
//   loans disburse REF --amount U --tx ID [--at UNIX]
//   loans repay REF --payment-id ID --amount U [--at UNIX]
//   loans run-scheduler
//   partner-demo approve|decline|disburse|repay REF [--amount U] [--term N] [--rule R]
//                [--rate BP] [--reason TEXT] [--partner ID] [--fake URL]
//
// decide / disburse / repay record what a partner without an API told staff,
// through the same code as its signed callback (dialogs/partner_events.h
// RecordPartnerEvent; the partner is the loan's partner_id), as
// Actor{"staff", --by | $USER | "cli", "cli", ""}, which also queues the
// member's SMS in the same transaction when a channel can send to her. U is whole currency units of the loan, cents
// allowed ("1816.67", gateway/cli/amounts.h). Rule and rate default to the
// partner's product.
//
// partner-demo drives the fake partner of `shg-gateway fake-provider`
// through its control endpoint (gateway/fake/fake_provider.h); the partner
// and the fake's address default to the first [[mfi_partners]] entry whose
// api_base_url ends in /mfi/<id> (else "imara" on http://127.0.0.1:9090).
//
// Output goes to stdout, errors to stderr ("error: ..."). Exit codes: 0 done
// (also for an idempotent replay, which says "nothing changed"), 1 a failure
// (unknown loan, an event that does not fit the loan's state: the message
// names the current state, the gateway refused a partner-demo call), 2 a
// usage error or an invalid value.
#pragma once

#include <string>
#include <vector>

#include "config/settings.h"
#include "gateway/cli/common.h"

namespace shg::cli {

// `args` are the words after "loans" before the first --flag (the
// subcommand first); `flags` the --flag values (config and db already
// applied to `settings`).
int LoansCommand(const std::vector<std::string>& args, const CliFlags& flags,
                 const config::Settings& settings);

// `args` are the words after "partner-demo" before the first --flag.
int PartnerDemoCommand(const std::vector<std::string>& args, const CliFlags& flags,
                       const config::Settings& settings);

}  // namespace shg::cli
