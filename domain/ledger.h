// The double-entry ledger (private to domain/: callers use Services).
//
// Every group has its own book in its currency (chart of accounts and sign
// convention: domain/store/migrations.cc). A journal has two or more
// postings whose signed amounts (debit positive, credit negative) sum to
// zero, all on accounts of one group in the journal's currency. Posting a
// journal updates each account's cached balance in the same transaction.
// Nothing is updated or deleted: a mistake is corrected by Reverse(), which
// posts the negated postings referencing the original (once per journal).
//
// All functions REQUIRE the writer connection (except Check, which only
// reads) and run inside the caller's transaction; each is atomic on its own
// (a SAVEPOINT), so a failure leaves nothing behind.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "domain/result.h"
#include "domain/store/sqlite.h"

namespace shg::ledger {

enum class AccountKind {
  kGroupLoanFund,    // asset, debit-normal: cash of the group's loan fund
  kGroupSocialFund,  // asset, debit-normal: cash of the social (emergency) fund
  kMemberSavings,    // liability, credit-normal: her savings, owed to her
  kMemberLoan,       // asset, debit-normal: what she owes on loans
  kGroupIncome,      // income, credit-normal: internal-loan interest and fines
                     // of the open cycle (zeroed by the share-out)
  kGroupSocialEquity,  // equity, credit-normal: the members' social fund
  kGroupCarried,     // equity, credit-normal: share-out residual carried on
};

// Creates the group's accounts: loan fund, social fund, income, social
// fund equity, carried residual.
Status CreateGroupAccounts(store::Connection& db, int64_t group_id, std::string_view currency,
                           int64_t now);
// Creates a member's savings and loan accounts in her group's book.
Status CreateMemberAccounts(store::Connection& db, int64_t group_id, int64_t member_id,
                            std::string_view currency, int64_t now);

// Account ids; NotFound if the account does not exist.
Result<int64_t> GroupAccount(store::Connection& db, int64_t group_id, AccountKind kind);
Result<int64_t> MemberAccount(store::Connection& db, int64_t member_id, AccountKind kind);
// The group's clearing account with an MFI partner (kind mfi_clearing,
// liability, credit-normal: what passes between the group's members and the
// partner), created in the group's book on first use. InvalidArgument for an
// empty partner id; NotFound for no such group; Internal if an account
// exists in another currency.
Result<int64_t> PartnerClearingAccount(store::Connection& db, int64_t group_id,
                                       std::string_view partner_id, std::string_view currency,
                                       int64_t now);

struct PostingLine {
  int64_t account_id = 0;
  int64_t amount = 0;  // minor units; debit positive, credit negative, never 0
};

struct JournalEntry {
  int64_t group_id = 0;
  std::string_view kind;       // "saving", "reversal", ...
  std::string_view currency;   // every account must be in this currency
  std::string_view reference;  // the business reference (saving code...)
  std::string_view memo;
  int64_t at = 0;              // Unix seconds
  std::span<const PostingLine> postings;
};

// Posts a journal; returns its id. InvalidArgument if fewer than two
// postings, a zero amount, a non-zero (or overflowing) sum, or an account
// that is not in the group's book in that currency.
Result<int64_t> Post(store::Connection& db, const JournalEntry& entry);

// Posts the reversal of `journal_id` (negated postings, kind "reversal",
// same reference, reverses_journal_id set); returns the new journal's id.
// NotFound if no such journal; FailedPrecondition if it is already reversed
// or is itself a reversal.
Result<int64_t> Reverse(store::Connection& db, int64_t journal_id, std::string_view memo,
                        int64_t at);

// Checks the whole ledger: every journal has two or more postings summing to
// zero, every posting's account is in its journal's group and currency,
// every reversal exactly negates its original per account, and every
// account's cached balance equals the sum of its postings. Internal naming
// the first violation.
Status Check(store::Connection& db);

}  // namespace shg::ledger
