// Screens: pure functions from data to the text of one USSD screen, in the
// member's language, with the 160-character limit enforced.
//
// Every screen the engine can show is one function here, so a test renders
// them all with worst-case data (longest names, largest amounts) in every
// language. Names are shortened to fit (first name, at most kMaxNameChars);
// list screens show a fixed number of items per page with "98 More".
//
// Thread-safety: pure; a ScreenContext only borrows the catalogue.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dialogs/catalogue.h"
#include "dialogs/events.h"
#include "domain/cycles.h"
#include "domain/loans.h"
#include "domain/model.h"
#include "domain/money.h"

namespace shg::dialogs {

// A screen in the GSM 7-bit alphabet: at most 160 septets (an extension
// character such as '€' or '[' costs 2). A screen that needs UCS-2 (Hindi,
// Tamil...): at most 80 UTF-16 units, what 160 octets carry.
inline constexpr size_t kMaxScreenChars = 160;
inline constexpr size_t kMaxUcs2ScreenUnits = 80;
inline constexpr size_t kMaxNameChars = 16;
inline constexpr size_t kMaxGroupChars = 24;
inline constexpr int kStatementPerPage = 3;
inline constexpr int kTasksPerPage = 3;
inline constexpr int kMembersPerPhone = 5;  // choices shown on a shared phone
inline constexpr int kPurposesPerPage = 4;  // loan purposes per screen ("98 More")
inline constexpr int kTermsPerPage = 3;     // repayment periods per screen ("98 More")
inline constexpr size_t kMaxPurposeChars = 22;  // a purpose label as shown
inline constexpr size_t kMaxPartnerChars = 24;  // an MFI partner's name as shown

// Menu keys common to every screen (ussd.md).
inline constexpr std::string_view kKeyBack = "0";
inline constexpr std::string_view kKeyMain = "00";
inline constexpr std::string_view kKeyMore = "98";

// Main-menu keys (ussd.md "Menu tree").
enum class MainItem {
  kBalance = 1,
  kSave = 2,
  kLoanRequest = 3,
  kMyLoan = 4,
  kStatement = 5,
  kGroup = 6,
  kSettings = 7,
  kTasks = 8,
};

struct ScreenContext {
  const Catalogue* catalogue = nullptr;
  std::string lang = "en";
  Currency currency{"KES", 2};
  const std::string& T(std::string_view key) const { return catalogue->Template(lang, key); }
  std::string Money(int64_t minor) const { return FormatMoney(minor, currency); }
  // The amount without its currency code ("12,500"), for dense lists.
  std::string Number(int64_t minor) const {
    std::string m = Money(minor);
    size_t at = m.find(currency.code);
    if (at != std::string::npos) m.erase(at, currency.code.size() + 1);
    return m;
  }
};

// Counts characters (UTF-8 code points).
size_t ScreenLength(std::string_view text);
// True when the screen fits its limit in its encoding (see kMaxScreenChars),
// counted by the same code that measures SMS (gsm.h).
bool ScreenFits(std::string_view text);
// The display form of a name: first word, at most `max` characters.
std::string ShortName(std::string_view full_name, size_t max = kMaxNameChars);
// "27/11" in UTC, no words: the statement's last resort, and callers not yet
// on DayMonth.
std::string ShortDate(int64_t unix_seconds);

// --- calendar words (catalogue of c.lang; all dates in UTC) ---
// weekday_<1..7>, ISO 8601 (1 = Monday); "" out of range.
std::string WeekdayName(const ScreenContext& c, int iso_weekday);
// month_<1..12> ("November", "Novemba"); "" out of range.
std::string MonthName(const ScreenContext& c, int month);
// 1..7 for an English weekday as groups store it ("Tuesday", "tue", any
// case), 0 for anything else.
int ParseWeekday(std::string_view word);
// The meeting day in c.lang: a stored text that starts with an English
// weekday has that word translated ("Tuesday, 2 pm" -> "Jumanne, 2 pm");
// any other text is shown as stored.
std::string MeetingDayText(const ScreenContext& c, std::string_view stored);
// "27 Nov" (month_short_<m>): dates on screens within the year.
std::string DayMonth(const ScreenContext& c, int64_t unix_seconds);
// "27 Nov 2026": statement lines.
std::string FullDate(const ScreenContext& c, int64_t unix_seconds);
// "27 November" (month_<m>): dates in SMS, which have the room.
std::string LongDayMonth(const ScreenContext& c, int64_t unix_seconds);
// Cuts to `max` code points, never inside a UTF-8 sequence.
std::string CutChars(std::string_view text, size_t max);

// --- loan words shared by screens and SMS (catalogue of c.lang) ---
// purpose_<id>, cut to kMaxPurposeChars; the id with spaces for '_' when the
// catalogue has no label.
std::string PurposeLabel(const ScreenContext& c, std::string_view purpose_id);
// loan_state_<name>: her loan's state in words.
std::string LoanStateLabel(const ScreenContext& c, LoanState s);
// The "Loan:" value of her balance: "none", the outstanding amount, or the
// outstanding with the next instalment (balance_loan, its date as DayMonth)
// while she repays.
std::string BalanceLoanText(const ScreenContext& c, int64_t outstanding,
                            const std::optional<Instalment>& next_due);
// What My loan offers in each state.
inline bool CanLogRepayment(LoanState s) {
  return s == LoanState::kDisbursed || s == LoanState::kInArrears;
}
inline bool CanCancelLoan(LoanState s) {
  return s == LoanState::kRequested || s == LoanState::kGroupApproved;
}
// loan_err_<refusal> with the policy's numbers filled; loan_err_other for a
// reason the catalogue does not know (never a "[key]" on screen).
std::string LoanRefusalText(const ScreenContext& c, std::string_view refusal,
                            const LoanPolicy& policy);
// An annual rate in percent without trailing zeros: 1800 -> "18", 1850 ->
// "18.5", 1825 -> "18.25". REQUIRES bp >= 0.
std::string PercentText(int64_t annual_rate_bp);
// loan_rate_flat / loan_rate_declining: "Interest 18%/yr, declining",
// "Riba 18% kwa mwaka, ...".
std::string RateText(const ScreenContext& c, int64_t annual_rate_bp, InterestRule rule);

// --- what a request would cost (pure; shared by the engine, screens and SMS) ---
// The product a request goes to: `partner_id`'s product lending in
// `currency`; nullptr when `programme` is null or has none.
const LoanProduct* ProductOf(const LoanProgramme* programme, std::string_view partner_id,
                             std::string_view currency);
// QuoteLoan of `amount` over `term_months` at the product's rule and rate:
// the figures the disbursement will use if the lender approves these terms.
Result<LoanQuote> QuoteFor(const LoanProduct& product, int64_t amount, int term_months,
                           const Currency& currency);
// One quote per product term, in the product's order; a term whose schedule
// cannot be built for `amount` (less than a whole unit a month) is left out,
// so choices must be mapped through the returned quotes.
std::vector<LoanQuote> TermQuotes(const LoanProduct& product, int64_t amount,
                                  const Currency& currency);

// --- quotes with the group's fund (issue 11: internal group loans) ---
// The quote of `amount` over `term_months` for her offer: the product's
// (`product`, may be null) when it offers that term and the amount is
// within its minimum and offer.mfi_max_amount; otherwise the fund's flat
// rate (group_loan quote) when the term is at most
// offer.group_max_term_months and the amount at most offer.group_max_amount;
// otherwise InvalidArgument "term_months: ...".
Result<LoanQuote> OfferQuote(const LoanOffer& offer, const LoanProduct* product, int64_t amount,
                             int term_months, const Currency& currency);
// One OfferQuote per term of offer.terms_months that has one, ascending.
std::vector<LoanQuote> OfferQuotes(const LoanOffer& offer, const LoanProduct* product,
                                   int64_t amount, const Currency& currency);
// What a stored request was quoted at: the product's quote (partner's
// product in `programme` offering the term), else
// with `programme`->group_loans and a cycle on the loan, the flat quote at
// the cycle's rate when the term is 1..3; nullopt otherwise.
std::optional<LoanQuote> RequestQuote(const Loan& loan, const LoanProgramme* programme,
                                      const Currency& currency);
// RateText, or for a group loan's quote its monthly flat rate
// (loan_rate_flat_month: "Interest 10%/month, flat").
std::string QuoteRateText(const ScreenContext& c, const LoanQuote& quote);

// A finished screen. `error` screens prefix a one-line reason.
UssdReply Con(std::string text);
UssdReply End(std::string text);
// Enforces the limit on a built screen: text that does not fit is cut at a
// code point boundary until it does (and counted as a defect by the caller);
// returns true if it fit.
bool FitScreen(UssdReply* reply);

// --- the screens (the `note` argument is an optional first line: a reason
// for re-asking or the outcome of the previous action) ---
UssdReply NotRegisteredScreen(const ScreenContext& c);
UssdReply LockedScreen(const ScreenContext& c);
UssdReply LockedNowScreen(const ScreenContext& c);
// The same, naming who can reset it: the first names of up to two of
// `officers` (full names of her group's treasurers and chairs, herself left
// out); none -> the screens above.
UssdReply LockedScreen(const ScreenContext& c, const std::vector<std::string>& officers);
UssdReply LockedNowScreen(const ScreenContext& c, const std::vector<std::string>& officers);
UssdReply SessionExpiredScreen(const ScreenContext& c, std::string_view service_code);
// END for a step whose phone is not the one that opened the session.
UssdReply OtherPhoneScreen(const ScreenContext& c, std::string_view service_code);
UssdReply ChooseMemberScreen(const ScreenContext& c, const std::vector<std::string>& names,
                             std::string_view note);
UssdReply EnterPinScreen(const ScreenContext& c, std::string_view name, std::string_view group,
                         std::string_view note);
UssdReply CreatePinScreen(const ScreenContext& c, std::string_view name, bool after_reset,
                          std::string_view note);
UssdReply RepeatPinScreen(const ScreenContext& c, std::string_view note);
UssdReply MainMenuScreen(const ScreenContext& c, bool manager, std::string_view note);
// CON, ending "00. Main menu" and, when it fits, "0. Back" (both lead to
// the main menu; the engine keeps the session at this screen's stage).
// `next_due`: her loan's next instalment while she repays (nullopt
// otherwise); it gives way when very large amounts leave no room.
UssdReply BalanceScreen(const ScreenContext& c, const Balances& b,
                        const std::optional<Instalment>& next_due = std::nullopt);
UssdReply SaveAmountScreen(const ScreenContext& c, std::string_view note);
UssdReply SaveConfirmScreen(const ScreenContext& c, int64_t amount, std::string_view note);
// After her PIN, a member whose previous session was cut at the save
// confirmation: "Continue saving KES 500? 1. Yes 2. Start again".
UssdReply ResumeSaveScreen(const ScreenContext& c, int64_t amount, std::string_view note);
// END: "Saved KES 200, pending confirmation. Confirmed savings: KES 4,250.
// Ref K7P2QX". `confirmed_savings`: her confirmed savings (Balances::
// savings_confirmed), which the pending saving does not change yet.
UssdReply SavedScreen(const ScreenContext& c, int64_t amount, std::string_view reference,
                      int64_t confirmed_savings);
// The older form without her savings ("pending treasurer confirmation").
UssdReply SavedScreen(const ScreenContext& c, int64_t amount, std::string_view reference);
// List screens (statement, pending savings) show the note in place of their
// title. `lines` holds at most kStatementPerPage entries of page `page`.
// Each line: full date ("03 Mar 2026"), amount, status, her running balance
// (StatementLine::balance_after, "bal 4,250"), reference. What does not fit
// gives way for the whole page: first the balances, then the full date
// (ShortDate "03/03"); with worst-case amounts neither is shown.
UssdReply StatementScreen(const ScreenContext& c, const std::vector<StatementLine>& lines, int page,
                          bool more, std::string_view note);
// CON like BalanceScreen; the meeting day in c.lang (MeetingDayText).
UssdReply GroupScreen(const ScreenContext& c, const GroupSummary& g);
UssdReply SettingsScreen(const ScreenContext& c, std::string_view note);
UssdReply LanguageScreen(const ScreenContext& c, std::string_view note);
UssdReply CurrentPinScreen(const ScreenContext& c, std::string_view note);
UssdReply NewPinScreen(const ScreenContext& c, std::string_view note);
UssdReply PinChangedScreen(const ScreenContext& c);
// What waits for the group's officers. Loan lines are shown only with a
// loan programme (`loans`).
struct TaskCounts {
  int savings = 0;
  bool loans = false;
  int loan_requests = 0;
  int repayments = 0;
  int locked_pins = 0;  // members of the group whose PIN is locked (item 4)
  int fines = 0;        // pending fines of the group (item 5, page 2)
};
// Page 0 (the first page: items 1-4 and "98. More"); with a note the title
// gives way when both do not fit.
UssdReply TasksScreen(const ScreenContext& c, const TaskCounts& counts, std::string_view note);
// Page `page` of the task menu: 0 as above; 1 the group's own money:
// "5. Fines to confirm (n)", "6. Record fine", "7. Social fund", "0. Back".
// Every item's number works on either page.
UssdReply TasksScreen(const ScreenContext& c, const TaskCounts& counts, int page,
                      std::string_view note);
// `items` holds at most kTasksPerPage pending savings of page `page`.
// `viewer_member_id`: the officer looking; her own items are marked
// "(yours)" (another officer must decide them).
UssdReply PendingSavingsScreen(const ScreenContext& c, const std::vector<Saving>& items, int page,
                               bool more, std::string_view note, int64_t viewer_member_id);
// Without marks (the viewer unknown).
UssdReply PendingSavingsScreen(const ScreenContext& c, const std::vector<Saving>& items, int page,
                               bool more, std::string_view note);
UssdReply DecideSavingScreen(const ScreenContext& c, const Saving& s, std::string_view note);

// --- loans: request (main menu 3) ---
// END: the engine has no loan programme.
UssdReply LoanUnavailableScreen(const ScreenContext& c);
// END: LoanRefusalText.
UssdReply LoanRefusedScreen(const ScreenContext& c, std::string_view refusal,
                            const LoanPolicy& policy);
// Amount entry showing the product's minimum and her maximum.
UssdReply LoanAmountScreen(const ScreenContext& c, int64_t min_amount, int64_t max_amount,
                           std::string_view note);
// Page `page` (from 0) of `purposes` (all ids, display order),
// kPurposesPerPage per screen, numbered on across pages: the first number
// on page p is p * kPurposesPerPage + 1 (PurposeNumber), so a number always
// names the same purpose; "98 More" when more follow.
// On this and the term screen a note takes the title's place.
UssdReply LoanPurposeScreen(const ScreenContext& c, const std::vector<std::string>& purposes,
                            int page, std::string_view note);
// The number shown for purposes[index] (from 0): index + 1 on every page.
inline int PurposeNumber(size_t index) { return static_cast<int>(index) + 1; }
// Page `page` (from 0) of the repayment periods with each one's monthly
// instalment (`quotes`: TermQuotes, display order), kTermsPerPage per screen
// numbered from 1, "98 More" when more follow: "1. 6 months: KES 1,817/month".
UssdReply LoanTermScreen(const ScreenContext& c, const std::vector<LoanQuote>& quotes, int page,
                         std::string_view note);
// The first of the two confirmation screens: what the loan costs her,
// before any consent. The amount and term, the monthly instalment (and the
// last one when it differs, if it fits), the total to repay and the rate;
// "1. Continue" (to LoanConsentScreen), "2. Cancel", "0. Back" (to the
// terms). A note takes the amount line's place when both would not fit.
UssdReply LoanConfirmScreen(const ScreenContext& c, const LoanQuote& quote,
                            std::string_view note);
// The second: amount and purpose, and the consent to share her record with
// the partner: "1. Confirm, share my record with <partner>" (the request is
// made), "2. Cancel", "0. Back" (to the figures). Without a partner (only
// the group's fund may lend): "1. Confirm".
UssdReply LoanConsentScreen(const ScreenContext& c, int64_t amount, std::string_view purpose_id,
                            std::string_view partner_name, std::string_view note);
// Deprecated, for the engine's current calls until it is wired to the
// screens above: the periods without instalments (at most 9), and the
// summary without figures with the consent on one screen.
UssdReply LoanTermScreen(const ScreenContext& c, const std::vector<int>& terms_months,
                         std::string_view note);
UssdReply LoanConfirmScreen(const ScreenContext& c, int64_t amount, std::string_view purpose_id,
                            int term_months, std::string_view partner_name,
                            std::string_view note);
UssdReply LoanRequestedScreen(const ScreenContext& c, int64_t amount, std::string_view reference);
// After her PIN, a member whose previous session was cut at the loan
// confirmation: "Continue loan request KES 10,000? 1. Yes 2. Start again".
UssdReply ResumeLoanScreen(const ScreenContext& c, int64_t amount, std::string_view note);

// --- loans: my loan (main menu 4) ---
UssdReply NoLoanScreen(const ScreenContext& c);
// Status in words, outstanding, the next instalment (or what is overdue
// since when), pending repayments; CON
// with "1. Log repayment" (CanLogRepayment) or "2. Cancel request"
// (CanCancelLoan), else END. An approved loan whose lender changed the
// amount or the term also shows the new term's instalment and total and
// what she asked (QuoteLoan of the approved terms; these lines give way to
// a note when both would not fit).
UssdReply MyLoanScreen(const ScreenContext& c, const LoanView& v, std::string_view note);
// `max_amount`: what she may still log (outstanding minus pending).
UssdReply RepayAmountScreen(const ScreenContext& c, int64_t max_amount, std::string_view note);
UssdReply RepayConfirmScreen(const ScreenContext& c, int64_t amount, std::string_view loan_ref,
                             std::string_view note);
UssdReply RepaymentLoggedScreen(const ScreenContext& c, int64_t amount,
                                std::string_view reference);
// END: the partner had already reported the payment she logged; it is
// counted once, under the report's reference.
UssdReply RepaymentAlreadyReportedScreen(const ScreenContext& c, int64_t amount,
                                         std::string_view report_reference);
UssdReply CancelLoanConfirmScreen(const ScreenContext& c, const Loan& loan, std::string_view note);
UssdReply LoanCancelledScreen(const ScreenContext& c, std::string_view reference);
// END: a loan that moved on meanwhile ("Too late to cancel: ...").
UssdReply LoanCancelTooLateScreen(const ScreenContext& c, LoanState state);
// END: a repayment for a loan that is not being repaid.
UssdReply LoanNotRepayingScreen(const ScreenContext& c);

// --- loans: group tasks ---
// The task lists mark the viewing officer's own items like
// PendingSavingsScreen; the overloads without `viewer_member_id` mark none.
UssdReply PendingLoansScreen(const ScreenContext& c, const std::vector<Loan>& items, int page,
                             bool more, std::string_view note, int64_t viewer_member_id);
UssdReply PendingLoansScreen(const ScreenContext& c, const std::vector<Loan>& items, int page,
                             bool more, std::string_view note);
// The request and what the officers weigh: her confirmed savings
// (Balances::savings_confirmed of loan.member_id) and whether she completed
// the business training (Services::CompletedTraining), "Savings KES 4,250,
// trained".
UssdReply DecideLoanScreen(const ScreenContext& c, const Loan& loan, int64_t confirmed_savings,
                           bool trained, std::string_view note);
// The request alone.
UssdReply DecideLoanScreen(const ScreenContext& c, const Loan& loan, std::string_view note);
// With the group's own fund (programme group_loans on): the options that
// apply, with fixed numbers so a key never changes meaning between screens:
// "1. Approve from group fund" (options.from_fund), "2. Refer to <partner>"
// (options.refer), "3. Decline", "0. Back".
inline constexpr char kKeyFromFund[] = "1";
inline constexpr char kKeyRefer[] = "2";
inline constexpr char kKeyDeclineLoan[] = "3";
UssdReply DecideLoanScreen(const ScreenContext& c, const Loan& loan, int64_t confirmed_savings,
                           bool trained, const GroupDecisionOptions& options,
                           std::string_view note);
UssdReply PendingRepaymentsScreen(const ScreenContext& c, const std::vector<Repayment>& items,
                                  int page, bool more, std::string_view note,
                                  int64_t viewer_member_id);
UssdReply PendingRepaymentsScreen(const ScreenContext& c, const std::vector<Repayment>& items,
                                  int page, bool more, std::string_view note);
// A claim to confirm or reject, with the newest payment the partner has
// already reported on that loan near its date (r.partner_reported), so the
// officer does not confirm a payment twice.
UssdReply DecideRepaymentScreen(const ScreenContext& c, const Repayment& r,
                                std::string_view note);

// --- the group's own money (issue 11): balance, My group, fines, social fund ---
// Fine kinds per screen of Record fine ("98 More"), numbered on across pages.
inline constexpr int kFineKindsPerPage = 3;
inline constexpr size_t kMaxFineKindChars = 16;  // a fine kind's label as shown

// Her balance with her cycle (Cycles::MemberView): the lines of the screen
// above, then her pending fines (when any), her savings in the cycle (only
// when they differ from her savings account), her share-out estimate
// (balance_estimate, "Share-out est. KES 4,862", when the view has one) or,
// without an active / closing cycle, that the last one was shared out or
// when the next starts. What does not fit gives way in this order: the
// estimate, the next instalment, the cycle lines, the fines; "0. Back"
// before each of them (and back when their going leaves room).
UssdReply BalanceScreen(const ScreenContext& c, const Balances& b,
                        const std::optional<Instalment>& next_due, const MemberCycleView& cycle);
// The BAL / SALIO reply: sms_balance (name, savings, pending, group fund,
// `loan_text` as BalanceLoanText gives it), then, while the whole stays in
// one SMS part (160 GSM-7 characters, measured by gsm.h), her pending
// fines (when any), the social fund and her share-out estimate (when the
// view has one). They give way in the reverse order: the estimate first.
std::string BalanceSmsText(const ScreenContext& c, std::string_view first_name,
                           const Balances& b, std::string_view loan_text,
                           const MemberCycleView& cycle);
// My group with the cycle's money (Cycles::Figures), on two pages.
// Page 0: the group, members, group savings, the fund's cash (fund_cash),
// internal loans out (loans_out), "98. More". Page 1: the social fund, the
// cycle and its end date (or that it was shared out / when it starts), the
// meeting and, when `share_out_total` is set (an officer looking at an
// active or closing cycle: PreviewShareOut's distributed), the share-out
// estimate for the group. Both pages end "00. Main menu" and, when it
// fits, "0. Back" (page 1: back to page 0).
UssdReply GroupScreen(const ScreenContext& c, const GroupSummary& g, const CycleFigures& f,
                      int page, std::optional<int64_t> share_out_total);
// fine_kind_<id>, cut to kMaxFineKindChars; the id with spaces for '_'
// when the catalogue has no label.
std::string FineKindLabel(const ScreenContext& c, std::string_view kind);
// Pending fines of page `page` (at most kTasksPerPage), the viewer's own
// marked like PendingSavingsScreen.
UssdReply PendingFinesScreen(const ScreenContext& c, const std::vector<Fine>& items, int page,
                             bool more, std::string_view note, int64_t viewer_member_id);
// The fine with "1. Confirm paid" (Cycles::DecideFine confirm: she paid
// it into the fund), "2. Waive", "0. Back".
UssdReply DecideFineScreen(const ScreenContext& c, const Fine& f, std::string_view note);
// A page of the group's members ("Amina W.") to pick from, under the title
// `title_key` (a note takes its place), like ResetPinMembersScreen.
UssdReply MemberPickScreen(const ScreenContext& c, std::string_view title_key,
                           const std::vector<Member>& members, bool more, std::string_view note);
// A fine kind offered with its proposed amount (minor units).
struct FineKindChoice {
  std::string id;
  int64_t amount = 0;
};
// Page `page` of `kinds` for the member `name`: "1. Late KES 50",
// kFineKindsPerPage a screen, numbered on across pages, "98 More".
UssdReply FineKindScreen(const ScreenContext& c, std::string_view name,
                         const std::vector<FineKindChoice>& kinds, int page,
                         std::string_view note);
// "Record a fine (Late) of KES 50 for Amina W.?" 1. Confirm, 2. Other
// amount, 0. Back.
UssdReply FineConfirmScreen(const ScreenContext& c, std::string_view name, std::string_view kind,
                            int64_t amount, std::string_view note);
UssdReply FineAmountScreen(const ScreenContext& c, std::string_view note);
// "Amina W. paid KES 100 to the social fund?" 1. Confirm, 0. Back.
UssdReply SocialConfirmScreen(const ScreenContext& c, std::string_view name, int64_t amount,
                              std::string_view note);
// The refusal of a saving (Services::LogSaving) or a fine while the group
// has no active or closing cycle: FailedPrecondition "cycle: ...".
inline bool IsNoCycle(const Status& s) {
  return s.code() == Status::Code::kFailedPrecondition && s.message().rfind("cycle:", 0) == 0;
}
// END for Save while the group has no active or closing cycle.
UssdReply SaveNoCycleScreen(const ScreenContext& c);

UssdReply GoodbyeScreen(const ScreenContext& c);
UssdReply TechnicalErrorScreen(const ScreenContext& c);

// --- group tasks: reset a member's locked PIN ---
// `members` holds at most kTasksPerPage locked members of the page
// ("Amina W.", numbered 1.. on every page like the other task lists).
UssdReply ResetPinMembersScreen(const ScreenContext& c, const std::vector<Member>& members,
                                bool more, std::string_view note);
UssdReply ResetPinConfirmScreen(const ScreenContext& c, std::string_view name,
                                std::string_view note);

}  // namespace shg::dialogs
