// The group's own money: savings cycles, fines, the social fund and the
// share-out (spec/domain.md "Cycle"). The state machine and the rules a
// cycle opens with are pure and live in cycle_rules.h; the share-out
// arithmetic in share_out.h; this is the stored side.
//
// Like Services and Loans, a Cycles object is a cheap view over one store
// connection, built per unit of work. Methods that change data REQUIRE the
// writer connection and run inside the caller's transaction (never
// BEGIN/COMMIT); each is atomic on its own (a SAVEPOINT), so a failure
// leaves nothing behind. Every change appends an audit_log row naming the
// actor ("cycle.start", "fine.confirm", "share_out.confirm", ...; subject
// "cycle:<id>", "fine:<id>", "social:<id>") in the same transaction.
//
// Money is int64 minor units of the group's currency; times Unix seconds.
//
// Every group has exactly one open cycle (planned, active or closing) from
// its creation (cycle 1, active, not lending: what a group did before
// cycles) until a share-out; then none until staff plan and start the
// next. Savings are logged only into the active or closing cycle
// (Services::LogSaving answers FailedPrecondition "cycle: ..." otherwise).
//
// Ledger (one book per group; chart in store/migrations.cc):
//   fine          "fine"           Dr group_loan_fund / Cr group_income        confirmed fine
//   contribution  "social_in"      Dr group_social_fund / Cr group_social_equity
//   payout        "social_out"     Dr group_social_equity / Cr group_social_fund
//   netting       "loan_repayment" Dr member_savings / Cr member_loan   her internal loan
//                 repaid from her share (a loan_repayments row, source staff,
//                 channel "share-out"), one per borrower
//   share-out     "share_out"      Dr each member_savings (what is left of it), Dr
//                 group_income (its balance), Dr group_carried (the residual carried
//                 in) / Cr group_loan_fund (the cash paid out), Cr group_carried (the
//                 new residual): one journal for the cycle, reference "SO-<cycle id>"
//   reinvestment  "saving"         Dr group_loan_fund / Cr member_savings: a confirmed
//                 saving of the next cycle, channel "reinvest"
// After the share-out the savings and income accounts are zero, the
// residual below one unit sits in group_carried (the next share-out shares
// it), and the social fund is untouched.
//
// Expected failures are Status values:
//   InvalidArgument     bad rules, amount, kind, reason (message "<field>: ...")
//   NotFound            no such group / cycle / member / fine
//   PermissionDenied    not an active treasurer/chair of her group, or her own
//   FailedPrecondition  the state does not allow it; the message starts with
//                       "state <name>:" for a cycle state, "cycle: " when the
//                       group has no cycle in the state needed
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/cycle_rules.h"
#include "domain/loans.h"
#include "domain/result.h"
#include "domain/services.h"
#include "domain/share_out.h"
#include "domain/store/sqlite.h"

namespace shg {

struct Cycle {
  int64_t id = 0;
  int64_t group_id = 0;
  int number = 0;  // 1, 2, ... within the group
  CycleState state = CycleState::kPlanned;
  CycleRules rules;
  std::string currency;    // the group's
  int64_t starts_at = 0;   // planned start; the actual start once active
  int64_t ends_at = 0;     // planned end (starts_at + length_months)
  int64_t carried_in = 0;  // residual taken from the previous share-out
  // Set by the share-out (0 / -1 before it):
  int64_t share_out_journal_id = 0;
  int64_t carried_out = -1;
  int64_t updated_at = 0;
};

// The money of a group's cycle now, from the ledger (minor units).
struct CycleFigures {
  Cycle cycle;
  int members = 0;               // active members
  int64_t savings = 0;           // members' posted savings (all belong to the cycle)
  int64_t pending_savings = 0;   // logged, awaiting the treasurer
  int64_t income = 0;            // group_income: internal-loan interest charged + fines
  int64_t carried = 0;           // group_carried: residual of the last share-out
  int64_t fund_cash = 0;         // group_loan_fund: the cash the group holds
  int64_t loans_out = 0;         // outstanding internal loans
  int internal_loans_open = 0;   // disbursed / in arrears internal loans
  int64_t social_fund = 0;       // group_social_fund cash (never shared out)
  int pending_fines = 0;
  int64_t pending_fines_amount = 0;
  int pending_repayments = 0;    // claims awaiting the treasurer
};

// One member's line of a share-out (preview or confirmed).
struct ShareOutRow {
  ShareOutLine line;       // savings, share, profit, netted, payout, still_owed
  std::string name;
  std::string phone;       // E.164 (for her SMS; mask it in logs)
  std::string language;
  std::string reference;   // confirmed: her line's 6-char code; "" in a preview
  int64_t loan_id = 0;     // her open internal loan netted (0 = none)
};

struct ShareOutPreview {
  Cycle cycle;
  int64_t savings = 0;       // sum of the members' savings
  int64_t income = 0;        // income + carried in: what is shared beyond savings
  int64_t fund = 0;          // savings + income
  int64_t distributed = 0;   // sum of shares (whole units)
  int64_t carried = 0;       // fund - distributed, below one unit
  int64_t total_payout = 0;  // cash paid out
  int64_t total_netted = 0;  // repaid internal loans
  int64_t social_fund = 0;   // shown, not shared
  std::vector<ShareOutRow> rows;  // every member with savings or a loan, by member id
  // Why ConfirmShareOut would refuse now (empty = it may be confirmed):
  // "state active: close the cycle first", "3 pending savings", "2 pending
  // fines", "1 pending repayment", "member 4 still owes KES 120.00 after
  // her share".
  std::vector<std::string> blockers;
};

enum class FineStatus { kPending, kConfirmed, kWaived };
const char* FineStatusName(FineStatus s);

struct Fine {
  int64_t id = 0;
  std::string reference;
  int64_t cycle_id = 0;
  int64_t group_id = 0;
  int64_t member_id = 0;
  std::string member_name;
  std::string kind;  // a configured fine kind: "late", "absent", ...
  int64_t amount = 0;
  std::string currency;
  std::string note;
  FineStatus status = FineStatus::kPending;
  int64_t created_at = 0;
};

struct SocialFundEntry {
  int64_t id = 0;
  std::string reference;
  int64_t cycle_id = 0;
  int64_t member_id = 0;
  std::string member_name;
  bool payout = false;     // false: a contribution
  int64_t amount = 0;
  std::string currency;
  std::string reason;      // payouts
  int64_t approved_by = 0; // payouts: the officer (member id)
  int64_t created_at = 0;
};

// What she sees of the cycle (USSD balance, BAL by SMS).
struct MemberCycleView {
  Cycle cycle;                 // the group's open cycle (or the last one)
  bool open = false;           // the group has an active / closing cycle
  int64_t savings = 0;         // her posted savings in it
  int64_t social_contributed = 0;  // her contributions in this cycle
  int64_t fines_pending = 0;   // her pending fines
  // Her share-out estimate today (share and payout of her line), when the
  // cycle is active or closing and she has savings; nullopt otherwise.
  std::optional<ShareOutLine> estimate;
};

// Who is to reinvest her payout into the cycle being started.
struct Reinvestment {
  bool everyone = false;             // every member of the last share-out with a payout
  std::vector<int64_t> member_ids;   // or these (each must have a payout)
};

class Cycles {
 public:
  // `programme` (for internal loans netted at share-out) and `ctx` are not
  // owned and must outlive the view.
  Cycles(store::Connection& conn, const DomainContext& ctx, const LoanProgramme& programme)
      : db_(conn), ctx_(ctx), programme_(programme) {}

  // --- cycles ---
  Result<Cycle> Get(int64_t cycle_id);
  // The group's open cycle (planned, active or closing); nullopt when none.
  Result<std::optional<Cycle>> OpenCycle(int64_t group_id);
  // The cycle savings, fines and loans go to now: active or closing.
  // FailedPrecondition "cycle: the group has no active cycle" otherwise.
  Result<Cycle> CurrentCycle(int64_t group_id);
  // The group's cycles, newest first.
  Result<std::vector<Cycle>> OfGroup(int64_t group_id);
  // A new cycle in state planned from `starts_at` (0 = ctx.now) for
  // rules.length_months. ValidateCycleRules (InvalidArgument); NotFound for
  // no such group; FailedPrecondition "cycle: ..." while the group has an
  // open cycle. A cycle shared out before is closed now (its residual is
  // the new cycle's carried_in).
  Result<Cycle> Plan(int64_t group_id, const CycleRules& rules, int64_t starts_at,
                     const Actor& actor);
  // planned -> active (starts_at becomes ctx.now). Each reinvesting member's
  // payout from the last share-out becomes a confirmed saving of this cycle
  // (channel "reinvest"); InvalidArgument "member_ids: ..." for a member
  // without a payout in it.
  Result<Cycle> Start(int64_t cycle_id, const Reinvestment& reinvest, const Actor& actor);
  // planned -> closed (never started).
  Result<Cycle> Cancel(int64_t cycle_id, const Actor& actor);
  // active -> closing: no new internal loans from now; savings, repayments
  // and fines still go to it.
  Result<Cycle> BeginClose(int64_t cycle_id, const Actor& actor);
  // closing -> active.
  Result<Cycle> Reopen(int64_t cycle_id, const Actor& actor);
  // The group's cycle figures now (its open cycle, else the last one).
  Result<CycleFigures> Figures(int64_t group_id);

  // --- share-out ---
  // Active or closing: the plan if it were confirmed now (blockers say
  // why it may not be yet). Shared out or closed: the confirmed lines
  // (references filled, no blockers). Planned: FailedPrecondition.
  Result<ShareOutPreview> PreviewShareOut(int64_t cycle_id);
  // closing -> shared_out when PreviewShareOut has no blockers
  // (FailedPrecondition naming the first otherwise): posts the netting
  // journals (each borrower's loan repaid from her share; her loan is then
  // repaid) and the one share-out journal, writes each member's line with a
  // fresh reference. Returns the confirmed preview. The caller sends each
  // member her SMS (rows with a share or a netted loan).
  Result<ShareOutPreview> ConfirmShareOut(int64_t cycle_id, const Actor& actor);
  // Her cycle as she sees it; NotFound for no such member.
  Result<MemberCycleView> MemberView(int64_t member_id);

  // --- fines ---
  // A pending fine in the group's current cycle. `kind` is 1..32 of a-z,
  // 0-9, '_' (the caller checks it against the configured kinds); amount
  // > 0; note <= 160 printable characters. FailedPrecondition for an
  // exited member or no current cycle.
  Result<Fine> RecordFine(int64_t member_id, const std::string& kind, int64_t amount,
                          const std::string& note, const Actor& actor);
  Result<Fine> GetFine(int64_t fine_id);
  // Pending fines of the group, oldest first (paged 1..1000).
  Result<std::vector<Fine>> PendingFines(int64_t group_id, int limit, int offset);
  // Her fines in the group's open cycle, newest first.
  Result<std::vector<Fine>> FinesOf(int64_t member_id, int limit, int offset);
  // Treasurer/chair decision: confirm posts the "fine" journal (she paid it
  // into the fund), waive records it. Checks in order: NotFound,
  // PermissionDenied (not an active officer of her group, or her own
  // fine), FailedPrecondition (already decided).
  Result<Fine> DecideFine(int64_t fine_id, int64_t decider_member_id, bool confirm,
                          const Actor& actor);

  // --- social fund ---
  // Her contribution (posted at once: the treasurer or staff records cash
  // received) in the current cycle; amount > 0.
  Result<SocialFundEntry> RecordContribution(int64_t member_id, int64_t amount,
                                             const Actor& actor);
  // A payout to her from the social fund: reason 1..160 printable
  // characters; `approved_by` an active treasurer/chair of her group other
  // than herself (PermissionDenied); FailedPrecondition when the fund holds
  // less than `amount`.
  Result<SocialFundEntry> RecordSocialPayout(int64_t member_id, int64_t amount,
                                             const std::string& reason, int64_t approved_by,
                                             const Actor& actor);
  // The group's social fund entries, newest first (paged).
  Result<std::vector<SocialFundEntry>> SocialFundEntries(int64_t group_id, int limit,
                                                         int offset);

 private:
  store::Connection& db_;
  const DomainContext& ctx_;
  const LoanProgramme& programme_;
};

}  // namespace shg
