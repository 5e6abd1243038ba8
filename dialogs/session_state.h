// The dialog state stored with a session: a small value serialised to a
// compact "key=value;..." string. It never contains a PIN: a PIN typed to
// be repeated is stored as a keyed digest encoded without digits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/result.h"

namespace shg::dialogs {

enum class Stage {
  kChooseMember = 1,
  kEnterPin,
  kCreatePin,
  kRepeatPin,
  kMainMenu,
  kSaveAmount,
  kSaveConfirm,
  kStatement,
  kSettings,
  kLanguage,
  kCurrentPin,
  kNewPin,
  kRepeatNewPin,
  kTasks,
  kPendingSavings,
  kDecideSaving,
  kDone,
  kResumeSave,  // offered to continue a save cut by the operator (values are stored: append only)
  // --- loans (menu 3 request, menu 4 my loan, group tasks) ---
  kLoanAmount,
  kLoanPurpose,
  kLoanTerm,
  kLoanConfirm,
  kResumeLoan,        // offered to continue a loan request cut at its confirmation
  kMyLoan,
  kRepayAmount,
  kRepayConfirm,
  kCancelLoanConfirm,
  kPendingLoans,      // group tasks: loan requests awaiting the group
  kDecideLoan,
  kPendingRepayments, // group tasks: repayments awaiting confirmation
  kDecideRepayment,
  // --- information screens that stay open (0 / 00 back to the main menu) ---
  kBalance,
  kGroupInfo,
  // --- group tasks: reset a member's locked PIN ---
  kResetPinMembers,
  kResetPinConfirm,
  // --- loan request: consent after the cost screen (kLoanConfirm) ---
  kLoanConsent,
  // --- group tasks: fines and the social fund (issue 11, flows/fine_tasks.cc) ---
  kPendingFines,   // fines awaiting the treasurer / chair
  kDecideFine,     // selected = the fine
  kFineMember,     // Record fine: whose (the group's members, paged)
  kFineKind,       // selected = the member; the configured kinds, paged
  kFineConfirm,    // selected = the member, fine_kind set, amount > 0
  kFineAmount,     // another amount than the configured one; selected, fine_kind set
  kSocialMember,   // Social fund: whose contribution (the group's members, paged)
  kSocialConfirm,  // selected = the member, amount = the cycle's contribution
};
inline constexpr Stage kLastStage = Stage::kSocialConfirm;

struct DialogState {
  Stage stage = Stage::kDone;
  std::string lang = "en";
  int64_t member_id = 0;
  std::vector<int64_t> candidates;  // members sharing the phone
  bool authenticated = false;
  bool after_reset = false;          // creating a PIN after a staff reset
  std::string pin_digest;            // first entry of a new PIN (keyed digest)
  int64_t amount = 0;                // minor units
  int page = 0;
  std::vector<int64_t> items;        // ids listed on the current page
  int64_t selected = 0;              // saving / loan / repayment being decided
  std::string purpose;               // loan purpose id chosen (a-z 0-9 '_' '-')
  int term = 0;                      // loan term chosen, months
  std::string fine_kind;             // Record fine: the kind chosen (a-z 0-9 '_')
};

std::string SerializeState(const DialogState& s);
Result<DialogState> ParseState(std::string_view text);
// Encodes bytes as letters 'a'..'p' (so no digit of a PIN can appear).
std::string LetterHex(std::string_view bytes);

}  // namespace shg::dialogs
