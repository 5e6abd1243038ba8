#include "dialogs/engine.h"

#include <algorithm>
#include <optional>

#include "dialogs/loan_notices.h"
#include "dialogs/receipts.h"
#include "dialogs/screens.h"
#include "dialogs/session_state.h"
#include "domain/money.h"
#include "domain/phone.h"

namespace shg::dialogs {

const char* StepKindName(StepKind k) {
  switch (k) {
    case StepKind::kNew: return "new";
    case StepKind::kContinued: return "continued";
    case StepKind::kDuplicate: return "duplicate";
    case StepKind::kExpired: return "expired";
    case StepKind::kUnknownPhone: return "unknown_phone";
    case StepKind::kBadPhone: return "bad_phone";
  }
  return "unknown";
}

Engine::Engine(const Catalogue& catalogue, const PinHasher& pins, EngineOptions options,
               const Notifier* notifier)
    : catalogue_(catalogue), pins_(pins), options_(std::move(options)), notifier_(notifier) {}

UssdReply Engine::TechnicalError() const {
  ScreenContext c{&catalogue_, options_.default_language, {}};
  return TechnicalErrorScreen(c);
}

// Runs one step: the state machine of ussd.md over the member's session.
// Each Handle* method consumes the latest input at one stage and returns the
// next screen, moving st_.stage; an invalid input re-shows the same stage's
// screen with a one-line reason.
class StepRunner {
 public:
  StepRunner(const Engine& engine, Services& svc, Messages* messages, const UssdRequest& req,
             int64_t now)
      : e_(engine), svc_(svc), messages_(messages), req_(req), now_(now) {
    ctx_.catalogue = &e_.catalogue_;
    ctx_.lang = e_.options_.default_language;
  }

  Result<StepResult> Run() {
    auto loaded = svc_.LoadSession(req_.channel, req_.session_id);
    if (!loaded.ok()) return loaded.status();
    if (loaded->has_value()) {
      const SessionRecord& rec = **loaded;
      if (req_.step <= rec.step) {  // operator retry: same answer, nothing applied
        result_.kind = StepKind::kDuplicate;
        result_.reply = UssdReply{rec.answer, rec.ended};
        return result_;
      }
      auto state = ParseState(rec.state);
      if (!state.ok()) return state.status();
      st_ = std::move(*state);
      stored_member_id_ = rec.member_id;
      ctx_.lang = st_.lang;
      phone_ = rec.phone;
      if (rec.ended || st_.stage == Stage::kDone) return Expired();
      if (st_.member_id != 0) SHG_RETURN_IF_ERROR(LoadMember(st_.member_id));
      result_.kind = StepKind::kContinued;
      auto reply = Handle(req_.input);
      if (!reply.ok()) return reply.status();
      result_.reply = std::move(*reply);
    } else {
      if (req_.step > 0) return Expired();
      result_.kind = StepKind::kNew;
      auto reply = Start();
      if (!reply.ok()) return reply.status();
      result_.reply = std::move(*reply);
    }
    result_.screen_cut = !FitScreen(&result_.reply);
    if (result_.reply.end) st_.stage = Stage::kDone;
    st_.lang = ctx_.lang;
    SessionRecord rec;
    rec.channel = req_.channel;
    rec.session_id = req_.session_id;
    rec.phone = phone_;
    rec.network = req_.network;
    rec.state = SerializeState(st_);
    rec.step = req_.step;
    rec.answer = result_.reply.text;
    rec.ended = result_.reply.end;
    rec.updated_at = now_;
    rec.expires_at = now_ + e_.options_.session_timeout_s;
    rec.member_id = st_.member_id;
    SHG_RETURN_IF_ERROR(svc_.SaveSession(rec));
    if (stored_member_id_.has_value() && *stored_member_id_ != st_.member_id) {
      SHG_RETURN_IF_ERROR(svc_.SetSessionMember(req_.channel, req_.session_id, st_.member_id));
    }
    return result_;
  }

 private:
  // --- session start and identification ---

  Result<StepResult> Expired() {
    result_.kind = StepKind::kExpired;
    result_.reply = SessionExpiredScreen(ctx_, ServiceCode());
    return result_;
  }

  std::string ServiceCode() const { return req_.service_code.empty() ? "the code" : req_.service_code; }

  Result<UssdReply> Start() {
    auto country = e_.options_.channel_country.find(req_.channel);
    auto phone = ParsePhone(req_.phone, country == e_.options_.channel_country.end() ? "KE" : country->second);
    if (!phone.ok()) {
      result_.kind = StepKind::kBadPhone;
      return NotRegisteredScreen(ctx_);
    }
    phone_ = MaskPhone(*phone);
    auto members = svc_.MembersByPhone(*phone);
    if (!members.ok()) return members.status();
    if (members->empty()) {
      result_.kind = StepKind::kUnknownPhone;
      return NotRegisteredScreen(ctx_);
    }
    if (members->size() == 1) return Select(members->front());
    st_.stage = Stage::kChooseMember;
    if (e_.catalogue_.HasLanguage(members->front().language)) ctx_.lang = members->front().language;
    for (const Member& m : *members) {
      if (st_.candidates.size() == static_cast<size_t>(kMembersPerPhone)) break;
      st_.candidates.push_back(m.id);
    }
    return ChooseMember("");
  }

  Result<UssdReply> ChooseMember(std::string_view note) {
    std::vector<std::string> names;
    for (int64_t id : st_.candidates) {
      auto m = svc_.GetMember(id);
      if (!m.ok()) return m.status();
      names.push_back(m->name);
    }
    return ChooseMemberScreen(ctx_, names, note);
  }

  Status LoadMember(int64_t id) {
    auto m = svc_.GetMember(id);
    if (!m.ok()) return m.status();
    member_ = std::move(*m);
    auto g = svc_.GetGroup(member_.group_id);
    if (!g.ok()) return g.status();
    group_ = std::move(*g);
    auto cur = FindCurrency(group_.currency);
    if (cur.ok()) ctx_.currency = *cur;
    return Status::Ok();
  }

  Result<UssdReply> Select(const Member& m) {
    SHG_RETURN_IF_ERROR(LoadMember(m.id));
    st_.member_id = m.id;
    st_.candidates.clear();
    if (e_.catalogue_.HasLanguage(member_.language)) ctx_.lang = member_.language;
    if (member_.pin_locked) return LockedScreen(ctx_);
    if (!member_.has_pin) {
      st_.stage = Stage::kCreatePin;
      return CreatePinScreen(ctx_, member_.name, false, "");
    }
    st_.stage = Stage::kEnterPin;
    return EnterPinScreen(ctx_, member_.name, group_.name, "");
  }

  // --- dispatch ---

  Result<UssdReply> Handle(std::string_view in) {
    if (st_.authenticated && in == kKeyMain) return MainMenu("");
    switch (st_.stage) {
      case Stage::kChooseMember: return OnChooseMember(in);
      case Stage::kEnterPin: return OnPin(in, /*changing=*/false);
      case Stage::kCreatePin: return OnNewPin(in, Stage::kRepeatPin);
      case Stage::kRepeatPin: return OnRepeatPin(in, /*changing=*/false);
      case Stage::kMainMenu: return OnMainMenu(in);
      case Stage::kSaveAmount: return OnSaveAmount(in);
      case Stage::kSaveConfirm: return OnSaveConfirm(in);
      case Stage::kStatement: return OnStatement(in);
      case Stage::kSettings: return OnSettings(in);
      case Stage::kLanguage: return OnLanguage(in);
      case Stage::kCurrentPin: return OnPin(in, /*changing=*/true);
      case Stage::kNewPin: return OnNewPin(in, Stage::kRepeatNewPin);
      case Stage::kRepeatNewPin: return OnRepeatPin(in, /*changing=*/true);
      case Stage::kTasks: return OnTasks(in);
      case Stage::kPendingSavings: return OnPendingSavings(in);
      case Stage::kDecideSaving: return OnDecideSaving(in);
      case Stage::kResumeSave: return OnResumeSave(in);
      case Stage::kLoanAmount: return OnLoanAmount(in);
      case Stage::kLoanPurpose: return OnLoanPurpose(in);
      case Stage::kLoanTerm: return OnLoanTerm(in);
      case Stage::kLoanConfirm: return OnLoanConfirm(in);
      case Stage::kResumeLoan: return OnResumeLoan(in);
      case Stage::kMyLoan: return OnMyLoan(in);
      case Stage::kRepayAmount: return OnRepayAmount(in);
      case Stage::kRepayConfirm: return OnRepayConfirm(in);
      case Stage::kCancelLoanConfirm: return OnCancelLoanConfirm(in);
      case Stage::kPendingLoans: return OnPendingLoans(in);
      case Stage::kDecideLoan: return OnDecideLoan(in);
      case Stage::kPendingRepayments: return OnPendingRepayments(in);
      case Stage::kDecideRepayment: return OnDecideRepayment(in);
      case Stage::kDone: break;
    }
    return Expired().value().reply;
  }

  // Parses "1".."n"; 0 when the input is not such a choice.
  static int Choice(std::string_view in, int n) {
    if (in.empty() || in.size() > 2) return 0;
    int v = 0;
    for (char ch : in) {
      if (ch < '0' || ch > '9') return 0;
      v = v * 10 + (ch - '0');
    }
    return (v >= 1 && v <= n) ? v : 0;
  }

  std::string T(std::string_view key) const { return ctx_.T(key); }

  Status Audit(const std::string& action, const std::string& subject, const std::string& detail = "") {
    return svc_.Audit(AuditEntry{"member", std::to_string(member_.id), action, subject, req_.channel,
                                 req_.request_id, detail});
  }

  Result<UssdReply> OnChooseMember(std::string_view in) {
    int n = Choice(in, static_cast<int>(st_.candidates.size()));
    if (n == 0) return ChooseMember(T("err_option"));
    auto m = svc_.GetMember(st_.candidates[n - 1]);
    if (!m.ok()) return m.status();
    return Select(*m);
  }

  // --- PIN ---

  static bool FourDigits(std::string_view in) {
    if (in.size() != 4) return false;
    for (char ch : in) {
      if (ch < '0' || ch > '9') return false;
    }
    return true;
  }

  Result<UssdReply> RePin(bool changing, std::string_view note) {
    if (changing) return CurrentPinScreen(ctx_, note);
    return EnterPinScreen(ctx_, member_.name, group_.name, note);
  }

  Result<UssdReply> OnPin(std::string_view in, bool changing) {
    if (changing && in == kKeyBack) return Settings("");
    if (!FourDigits(in)) return RePin(changing, T("err_pin_format"));  // a typo, not a guess
    auto out = svc_.VerifyPin(member_.id, std::string(in));
    if (!out.ok()) return out.status();
    switch (out->check) {
      case PinCheck::kOk:
        if (changing) {
          st_.stage = Stage::kNewPin;
          return NewPinScreen(ctx_, "");
        }
        if (out->must_change) {
          // A one-time PIN opens nothing but the PIN change ("00" included).
          st_.after_reset = true;
          st_.stage = Stage::kCreatePin;
          return CreatePinScreen(ctx_, member_.name, true, "");
        }
        st_.authenticated = true;
        return AfterLogin();
      case PinCheck::kWrong:
        result_.pin_failed = true;
        if (out->just_locked) {
          result_.pin_locked = true;
          SHG_RETURN_IF_ERROR(Audit("pin.locked", "member:" + std::to_string(member_.id)));
          SHG_RETURN_IF_ERROR(Notify([&](const Notifier& n, Messages& m) {
            return SendPinLocked(n, m, req_.channel, member_, group_, now_);
          }));
          return LockedNowScreen(ctx_);
        }
        SHG_RETURN_IF_ERROR(Audit("pin.failed", "member:" + std::to_string(member_.id)));
        return RePin(changing, Format(T("wrong_pin"), {{"n", std::to_string(out->tries_left)}}));
      case PinCheck::kLocked:
        return LockedScreen(ctx_);
      case PinCheck::kNotSet:
        st_.stage = Stage::kCreatePin;
        return CreatePinScreen(ctx_, member_.name, false, "");
    }
    return Status::Internal("unknown PIN check");
  }

  std::string Digest(std::string_view pin) const {
    // Salted per session so the digest says nothing outside this session.
    return LetterHex(e_.pins_.Hash(pin, "new-pin:" + req_.channel + ":" + req_.session_id));
  }

  Result<UssdReply> ReNewPin(Stage stage, std::string_view note) {
    if (stage == Stage::kRepeatNewPin) return NewPinScreen(ctx_, note);
    return CreatePinScreen(ctx_, member_.name, st_.after_reset, note);
  }

  // At kCreatePin / kNewPin: `next` is the repeat stage.
  Result<UssdReply> OnNewPin(std::string_view in, Stage next) {
    if (next == Stage::kRepeatNewPin && in == kKeyBack) return Settings("");
    Status valid = ValidateNewPin(in);
    if (!valid.ok()) return ReNewPin(next, T(FourDigits(in) ? "err_pin_weak" : "err_pin_format"));
    st_.pin_digest = Digest(in);
    st_.stage = next;
    return RepeatPinScreen(ctx_, "");
  }

  Result<UssdReply> OnRepeatPin(std::string_view in, bool changing) {
    bool same = !st_.pin_digest.empty() && ConstantTimeEquals(Digest(in), st_.pin_digest);
    st_.pin_digest.clear();
    if (!same) {
      st_.stage = changing ? Stage::kNewPin : Stage::kCreatePin;
      return ReNewPin(changing ? Stage::kRepeatNewPin : Stage::kRepeatPin, T("pin_mismatch"));
    }
    Status set = svc_.SetPin(member_.id, std::string(in));
    if (set.code() == Status::Code::kInvalidArgument) {
      st_.stage = changing ? Stage::kNewPin : Stage::kCreatePin;
      return ReNewPin(changing ? Stage::kRepeatNewPin : Stage::kRepeatPin, T("err_pin_weak"));
    }
    SHG_RETURN_IF_ERROR(set);
    SHG_RETURN_IF_ERROR(Audit(changing ? "pin.changed" : "pin.set", "member:" + std::to_string(member_.id)));
    st_.after_reset = false;
    st_.authenticated = true;
    if (changing) return PinChangedScreen(ctx_);
    return MainMenu("");
  }

  // --- resume after a drop ---

  // A money action counts as cut in the middle when its session stopped at
  // the confirmation screen (the amount chosen, nothing committed).
  static bool Resumable(const DialogState& s) {
    return (s.stage == Stage::kSaveConfirm || s.stage == Stage::kResumeSave) && s.amount > 0;
  }
  // A loan request counts as cut when it stopped at its confirmation with
  // every choice made (nothing was requested).
  static bool ResumableLoan(const DialogState& s) {
    return (s.stage == Stage::kLoanConfirm || s.stage == Stage::kResumeLoan) && s.amount > 0 &&
           !s.purpose.empty() && s.term > 0;
  }

  // Right after her PIN: offers to continue a money action of a session cut
  // within the resume window, else the main menu. The old session is ended
  // either way so it is offered once; nothing of it is committed.
  Result<UssdReply> AfterLogin() {
    const int window = e_.options_.resume_window_s;
    if (window > 0) {
      auto prev = svc_.LatestOtherSession(member_.id, req_.channel, req_.session_id, now_ - window);
      if (!prev.ok()) return prev.status();
      if (prev->has_value()) {
        const SessionRecord& old = **prev;
        auto state = ParseState(old.state);
        SHG_RETURN_IF_ERROR(svc_.EndSession(old.channel, old.session_id));
        if (state.ok() && state->member_id == member_.id && Resumable(*state)) {
          st_.amount = state->amount;
          st_.stage = Stage::kResumeSave;
          result_.resumed = true;
          return ResumeSaveScreen(ctx_, st_.amount, "");
        }
        if (state.ok() && state->member_id == member_.id && LoansOn() && ResumableLoan(*state)) {
          st_.amount = state->amount;
          st_.purpose = state->purpose;
          st_.term = state->term;
          st_.stage = Stage::kResumeLoan;
          result_.resumed = true;
          return ResumeLoanScreen(ctx_, st_.amount, "");
        }
      }
    }
    return MainMenu("");
  }

  Result<UssdReply> OnResumeSave(std::string_view in) {
    if (in == "1") {
      st_.stage = Stage::kSaveConfirm;
      return SaveConfirmScreen(ctx_, st_.amount, "");
    }
    if (in == "2" || in == kKeyMain || in == kKeyBack) return MainMenu("");
    return ResumeSaveScreen(ctx_, st_.amount, T("err_option"));
  }

  // --- main menu ---

  bool Manager() const { return CanManageGroup(member_.role); }

  Result<UssdReply> MainMenu(std::string_view note) {
    st_.stage = Stage::kMainMenu;
    st_.page = 0;
    st_.items.clear();
    st_.amount = 0;
    st_.selected = 0;
    st_.purpose.clear();
    st_.term = 0;
    return MainMenuScreen(ctx_, Manager(), note);
  }

  Result<UssdReply> OnMainMenu(std::string_view in) {
    int n = Choice(in, 9);
    switch (static_cast<MainItem>(n)) {
      case MainItem::kBalance: {
        auto b = svc_.BalancesFor(member_.id);
        if (!b.ok()) return b.status();
        auto next = NextInstalment();
        if (!next.ok()) return next.status();
        return BalanceScreen(ctx_, *b, *next);
      }
      case MainItem::kLoanRequest:
        return StartLoanRequest();
      case MainItem::kMyLoan:
        return MyLoan("");
      case MainItem::kSave:
        st_.stage = Stage::kSaveAmount;
        return SaveAmountScreen(ctx_, "");
      case MainItem::kStatement:
        st_.stage = Stage::kStatement;
        st_.page = 0;
        return Statement("");
      case MainItem::kGroup: {
        auto g = svc_.GroupSummaryFor(member_.group_id);
        if (!g.ok()) return g.status();
        return GroupScreen(ctx_, *g);
      }
      case MainItem::kSettings:
        return Settings("");
      case MainItem::kTasks:
        if (Manager()) return Tasks("");
        break;
    }
    if (in == kKeyBack) return GoodbyeScreen(ctx_);
    return MainMenuScreen(ctx_, Manager(), T("err_option"));
  }

  // --- save ---

  Result<UssdReply> OnSaveAmount(std::string_view in) {
    if (in == kKeyBack) return MainMenu("");
    const int64_t max_minor = ToMinor(e_.options_.max_amount_units, ctx_.currency);
    auto amount = ParseAmountInput(in, ctx_.currency, INT64_MAX / 4);
    if (!amount.ok()) {
      return SaveAmountScreen(ctx_, Format(T("err_amount"), {{"currency", ctx_.currency.code}}));
    }
    if (*amount > max_minor) {
      return SaveAmountScreen(ctx_, Format(T("err_amount_max"), {{"max", ctx_.Money(max_minor)}}));
    }
    st_.amount = *amount;
    st_.stage = Stage::kSaveConfirm;
    return SaveConfirmScreen(ctx_, st_.amount, "");
  }

  Result<UssdReply> OnSaveConfirm(std::string_view in) {
    if (in == "1") {
      // The key makes the saving idempotent even if a retry slipped past the
      // session's step check (e.g. a second gateway instance).
      std::string key = req_.channel + ":" + req_.session_id + ":" + std::to_string(req_.step);
      auto saving = svc_.LogSaving(member_.id, st_.amount, req_.channel, key);
      if (!saving.ok()) return saving.status();
      SHG_RETURN_IF_ERROR(Audit("saving.logged", "saving:" + std::to_string(saving->id),
            "amount=" + std::to_string(saving->amount) + " ref=" + saving->reference));
      SHG_RETURN_IF_ERROR(Notify([&](const Notifier& n, Messages& m) {
        return SendSavingLoggedReceipt(n, m, svc_, req_.channel, member_, group_, *saving);
      }));
      return SavedScreen(ctx_, saving->amount, saving->reference);
    }
    if (in == "2") return MainMenu(T("save_cancelled"));
    if (in == kKeyBack) {
      st_.stage = Stage::kSaveAmount;
      return SaveAmountScreen(ctx_, "");
    }
    return SaveConfirmScreen(ctx_, st_.amount, T("err_option"));
  }

  // --- statement ---

  Result<UssdReply> Statement(std::string_view note) {
    auto lines = svc_.StatementFor(member_.id, kStatementPerPage + 1, st_.page * kStatementPerPage);
    if (!lines.ok()) return lines.status();
    bool more = lines->size() > static_cast<size_t>(kStatementPerPage);
    if (more) lines->pop_back();
    return StatementScreen(ctx_, *lines, st_.page, more, note);
  }

  Result<UssdReply> OnStatement(std::string_view in) {
    if (in == kKeyBack) {
      if (st_.page == 0) return MainMenu("");
      --st_.page;
      return Statement("");
    }
    if (in == kKeyMore) {
      auto next = svc_.StatementFor(member_.id, 1, (st_.page + 1) * kStatementPerPage);
      if (!next.ok()) return next.status();
      if (next->empty()) return Statement(T("err_option"));  // already the last page
      ++st_.page;
      return Statement("");
    }
    return Statement(T("err_option"));
  }

  // --- settings ---

  Result<UssdReply> Settings(std::string_view note) {
    st_.stage = Stage::kSettings;
    st_.pin_digest.clear();
    return SettingsScreen(ctx_, note);
  }

  Result<UssdReply> OnSettings(std::string_view in) {
    if (in == "1") {
      st_.stage = Stage::kLanguage;
      return LanguageScreen(ctx_, "");
    }
    if (in == "2") {
      st_.stage = Stage::kCurrentPin;
      return CurrentPinScreen(ctx_, "");
    }
    if (in == kKeyBack) return MainMenu("");
    return SettingsScreen(ctx_, T("err_option"));
  }

  Result<UssdReply> OnLanguage(std::string_view in) {
    if (in == kKeyBack) return Settings("");
    const auto& codes = e_.catalogue_.languages();
    int n = Choice(in, static_cast<int>(std::min<size_t>(codes.size(), 9)));
    if (n == 0) return LanguageScreen(ctx_, T("err_option"));
    const std::string& code = codes[n - 1];
    SHG_RETURN_IF_ERROR(svc_.SetLanguage(member_.id, code));
    SHG_RETURN_IF_ERROR(Audit("member.language", "member:" + std::to_string(member_.id), "language=" + code));
    ctx_.lang = code;
    return MainMenu(Format(T("language_set"), {{"language", e_.catalogue_.LanguageName(code)}}));
  }

  // --- group tasks (treasurer / chair) ---

  Result<UssdReply> Tasks(std::string_view note) {
    st_.stage = Stage::kTasks;
    st_.selected = 0;
    TaskCounts counts;
    auto pending = svc_.PendingSavings(member_.group_id, 99, 0);
    if (!pending.ok()) return pending.status();
    counts.savings = static_cast<int>(pending->size());
    if (LoansOn()) {
      Loans loans = LoanBook();
      auto requests = loans.PendingRequests(member_.group_id, 99, 0);
      if (!requests.ok()) return requests.status();
      auto repayments = loans.PendingRepayments(member_.group_id, 99, 0);
      if (!repayments.ok()) return repayments.status();
      counts.loans = true;
      counts.loan_requests = static_cast<int>(requests->size());
      counts.repayments = static_cast<int>(repayments->size());
    }
    return TasksScreen(ctx_, counts, note);
  }

  Result<UssdReply> OnTasks(std::string_view in) {
    st_.page = 0;
    if (in == "1") return PendingList("");
    if (in == "2" && LoansOn()) return PendingLoans("");
    if (in == "3" && LoansOn()) return PendingRepaymentList("");
    if (in == kKeyBack) return MainMenu("");
    return Tasks(T("err_option"));
  }

  Result<UssdReply> PendingList(std::string_view note) {
    st_.stage = Stage::kPendingSavings;
    auto page = svc_.PendingSavings(member_.group_id, kTasksPerPage + 1, st_.page * kTasksPerPage);
    if (!page.ok()) return page.status();
    if (page->empty() && st_.page > 0) {  // the last item of this page was just handled
      st_.page = 0;
      page = svc_.PendingSavings(member_.group_id, kTasksPerPage + 1, 0);
      if (!page.ok()) return page.status();
    }
    bool more = page->size() > static_cast<size_t>(kTasksPerPage);
    if (more) page->pop_back();
    st_.items.clear();
    for (const Saving& s : *page) st_.items.push_back(s.id);
    return PendingSavingsScreen(ctx_, *page, st_.page, more, note);
  }

  Result<UssdReply> OnPendingSavings(std::string_view in) {
    if (in == kKeyBack) {
      if (st_.page > 0) {
        --st_.page;
        return PendingList("");
      }
      return Tasks("");
    }
    if (in == kKeyMore) {
      ++st_.page;
      return PendingList("");
    }
    int n = Choice(in, static_cast<int>(st_.items.size()));
    if (n == 0) return PendingList(T("err_option"));
    auto saving = svc_.GetSaving(st_.items[n - 1]);
    if (!saving.ok()) return saving.status();
    if (saving->status != SavingStatus::kPending) return PendingList(T("saving_already"));
    st_.selected = saving->id;
    st_.stage = Stage::kDecideSaving;
    return DecideSavingScreen(ctx_, *saving, "");
  }

  Result<UssdReply> OnDecideSaving(std::string_view in) {
    if (in == kKeyBack) return PendingList("");
    if (in != "1" && in != "2") {
      auto saving = svc_.GetSaving(st_.selected);
      if (!saving.ok()) return saving.status();
      return DecideSavingScreen(ctx_, *saving, T("err_option"));
    }
    const bool confirm = in == "1";
    auto saving = svc_.GetSaving(st_.selected);
    if (!saving.ok()) return saving.status();
    Status decided = svc_.DecideSaving(st_.selected, member_.id, confirm);
    if (decided.code() == Status::Code::kFailedPrecondition) return PendingList(T("saving_already"));
    if (decided.code() == Status::Code::kPermissionDenied) return PendingList(T("err_own_saving"));
    SHG_RETURN_IF_ERROR(decided);
    SHG_RETURN_IF_ERROR(Audit(confirm ? "saving.confirmed" : "saving.rejected", "saving:" + std::to_string(st_.selected),
          "ref=" + saving->reference));
    SHG_RETURN_IF_ERROR(Notify([&](const Notifier& n, Messages& m) {
      return SendSavingDecidedReceipt(n, m, svc_, req_.channel, st_.selected, confirm);
    }));
    st_.selected = 0;
    return PendingList(Format(T(confirm ? "saving_confirmed" : "saving_rejected"),
                              {{"amount", ctx_.Money(saving->amount)}, {"ref", saving->reference}}));
  }

  // --- loans ---

  bool LoansOn() const { return e_.options_.loans != nullptr; }
  const LoanProgramme& Programme() const { return *e_.options_.loans; }
  Loans LoanBook() { return Loans(svc_.connection(), svc_.context(), Programme()); }
  Actor MemberActor() const {
    return Actor{"member", std::to_string(member_.id), req_.channel, req_.request_id};
  }
  // The key makes a loan action idempotent like a save (see OnSaveConfirm).
  std::string StepKey() const {
    return req_.channel + ":" + req_.session_id + ":" + std::to_string(req_.step);
  }

  template <typename Send>
  Status NotifyLoan(Send&& send) {
    return Notify([&](const Notifier& n, Messages& m) -> Result<int64_t> {
      auto count = send(n, m);
      if (!count.ok()) return count.status();
      return static_cast<int64_t>(*count);
    });
  }
  Status NotifyLoanChange(const LoanChange& change) {
    return NotifyLoan([&](const Notifier& n, Messages& m) {
      return SendLoanNotices(n, m, svc_, req_.channel, change, e_.options_.loans);
    });
  }

  // Her next instalment while she repays, for the balance screen.
  Result<std::optional<Instalment>> NextInstalment() {
    if (!LoansOn()) return std::optional<Instalment>();
    auto view = LoanBook().CurrentLoan(member_.id);
    if (!view.ok()) return view.status();
    if (!view->has_value() || !CanLogRepayment((*view)->loan.state)) {
      return std::optional<Instalment>();
    }
    return (*view)->status.next_due;
  }

  // The most she may ask: her limit, and no more than one money action.
  int64_t MaxLoan(const LoanOffer& offer) const {
    return std::min(offer.max_amount, ToMinor(e_.options_.max_amount_units, ctx_.currency));
  }

  // Her offer now; a refusal (or a limit below the product's minimum) is
  // returned as the END screen to show instead.
  Result<LoanOffer> Offer(std::optional<UssdReply>* refused) {
    auto offer = LoanBook().OfferFor(member_.id);
    if (!offer.ok()) return offer.status();
    if (offer->refusal.empty() && MaxLoan(*offer) < offer->min_amount) {
      offer->refusal = IneligibleName(Ineligible::kAmountBelowMinimum);
    }
    if (!offer->refusal.empty()) {
      *refused = LoanRefusedScreen(ctx_, offer->refusal, Programme().policy);
    }
    return offer;
  }

  Result<UssdReply> StartLoanRequest() {
    if (!LoansOn()) return LoanUnavailableScreen(ctx_);
    st_.amount = 0;
    st_.purpose.clear();
    st_.term = 0;
    return LoanAmount("");
  }

  Result<UssdReply> LoanAmount(std::string_view note) {
    std::optional<UssdReply> refused;
    auto offer = Offer(&refused);
    if (!offer.ok()) return offer.status();
    if (refused) return *refused;
    st_.stage = Stage::kLoanAmount;
    return LoanAmountScreen(ctx_, offer->min_amount, MaxLoan(*offer), note);
  }

  Result<UssdReply> OnLoanAmount(std::string_view in) {
    if (in == kKeyBack) return MainMenu("");
    std::optional<UssdReply> refused;
    auto offer = Offer(&refused);
    if (!offer.ok()) return offer.status();
    if (refused) return *refused;
    const int64_t max = MaxLoan(*offer);
    auto amount = ParseAmountInput(in, ctx_.currency, INT64_MAX / 4);
    if (!amount.ok()) {
      return LoanAmountScreen(ctx_, offer->min_amount, max,
                              Format(T("err_amount"), {{"currency", ctx_.currency.code}}));
    }
    if (*amount > max) {
      return LoanAmountScreen(ctx_, offer->min_amount, max,
                              Format(T("loan_err_amount_max"), {{"max", ctx_.Money(max)}}));
    }
    if (*amount < offer->min_amount) {
      return LoanAmountScreen(
          ctx_, offer->min_amount, max,
          Format(T("loan_err_amount_min"), {{"min", ctx_.Money(offer->min_amount)}}));
    }
    st_.amount = *amount;
    st_.page = 0;
    return Purposes("");
  }

  Result<UssdReply> Purposes(std::string_view note) {
    st_.stage = Stage::kLoanPurpose;
    return LoanPurposeScreen(ctx_, Programme().purposes, st_.page, note);
  }

  Result<UssdReply> OnLoanPurpose(std::string_view in) {
    const std::vector<std::string>& all = Programme().purposes;
    const size_t first = static_cast<size_t>(st_.page) * kPurposesPerPage;
    if (in == kKeyBack) {
      if (st_.page > 0) {
        --st_.page;
        return Purposes("");
      }
      return LoanAmount("");
    }
    if (in == kKeyMore) {
      if (first + kPurposesPerPage >= all.size()) return Purposes(T("err_option"));
      ++st_.page;
      return Purposes("");
    }
    const size_t on_page =
        first < all.size() ? std::min<size_t>(kPurposesPerPage, all.size() - first) : 0;
    int n = Choice(in, static_cast<int>(on_page));
    if (n == 0) return Purposes(T("err_option"));
    st_.purpose = all[first + n - 1];
    return Terms("");
  }

  Result<UssdReply> Terms(std::string_view note) {
    std::optional<UssdReply> refused;
    auto offer = Offer(&refused);
    if (!offer.ok()) return offer.status();
    if (refused) return *refused;
    st_.stage = Stage::kLoanTerm;
    return LoanTermScreen(ctx_, offer->terms_months, note);
  }

  Result<UssdReply> OnLoanTerm(std::string_view in) {
    if (in == kKeyBack) return Purposes("");
    std::optional<UssdReply> refused;
    auto offer = Offer(&refused);
    if (!offer.ok()) return offer.status();
    if (refused) return *refused;
    const int shown = static_cast<int>(std::min<size_t>(offer->terms_months.size(), 9));
    int n = Choice(in, shown);
    if (n == 0) return LoanTermScreen(ctx_, offer->terms_months, T("err_option"));
    st_.term = offer->terms_months[n - 1];
    return LoanConfirm("");
  }

  Result<UssdReply> LoanConfirm(std::string_view note) {
    std::optional<UssdReply> refused;
    auto offer = Offer(&refused);
    if (!offer.ok()) return offer.status();
    if (refused) return *refused;
    st_.stage = Stage::kLoanConfirm;
    return LoanConfirmScreen(ctx_, st_.amount, st_.purpose, st_.term, offer->partner_name, note);
  }

  Result<UssdReply> OnLoanConfirm(std::string_view in) {
    if (in == "1") {
      LoanRequest request;
      request.member_id = member_.id;
      request.amount = st_.amount;
      request.purpose = st_.purpose;
      request.term_months = st_.term;
      request.consent = true;  // she chose "Confirm and share my record"
      request.channel = req_.channel;
      request.idempotency_key = StepKey();
      auto outcome = LoanBook().Request(request, MemberActor());
      if (!outcome.ok()) return outcome.status();
      if (!outcome->refusal.empty() || !outcome->loan.has_value()) {
        return LoanRefusedScreen(ctx_, outcome->refusal, Programme().policy);
      }
      const Loan& loan = *outcome->loan;
      SHG_RETURN_IF_ERROR(NotifyLoanChange(LoanChange{loan, {LoanState::kRequested}, true}));
      return LoanRequestedScreen(ctx_, loan.amount, loan.reference);
    }
    if (in == "2") return MainMenu(T("loan_request_cancelled"));
    if (in == kKeyBack) return Terms("");
    return LoanConfirm(T("err_option"));
  }

  Result<UssdReply> OnResumeLoan(std::string_view in) {
    if (in == "1") return LoanConfirm("");
    if (in == "2" || in == kKeyMain || in == kKeyBack) return MainMenu("");
    return ResumeLoanScreen(ctx_, st_.amount, T("err_option"));
  }

  // --- my loan ---

  Result<std::optional<LoanView>> CurrentLoan() { return LoanBook().CurrentLoan(member_.id); }

  Result<UssdReply> MyLoan(std::string_view note) {
    if (!LoansOn()) return LoanUnavailableScreen(ctx_);
    auto view = CurrentLoan();
    if (!view.ok()) return view.status();
    if (!view->has_value()) return NoLoanScreen(ctx_);
    st_.stage = Stage::kMyLoan;
    st_.selected = (*view)->loan.id;
    st_.amount = 0;
    return MyLoanScreen(ctx_, **view, note);
  }

  // What she may still log: outstanding minus her pending repayments, and
  // no more than one money action.
  int64_t RepayMax(const LoanView& v) const {
    const int64_t left = std::max<int64_t>(0, v.loan.outstanding - v.pending_repayments);
    return std::min(left, ToMinor(e_.options_.max_amount_units, ctx_.currency));
  }

  Result<UssdReply> OnMyLoan(std::string_view in) {
    if (in == kKeyBack) return MainMenu("");
    auto view = CurrentLoan();
    if (!view.ok()) return view.status();
    if (!view->has_value()) return NoLoanScreen(ctx_);
    const LoanView& v = **view;
    if (in == "1" && CanLogRepayment(v.loan.state)) {
      st_.selected = v.loan.id;
      st_.stage = Stage::kRepayAmount;
      return RepayAmountScreen(ctx_, RepayMax(v), "");
    }
    if (in == "2" && CanCancelLoan(v.loan.state)) {
      st_.selected = v.loan.id;
      st_.stage = Stage::kCancelLoanConfirm;
      return CancelLoanConfirmScreen(ctx_, v.loan, "");
    }
    return MyLoan(T("err_option"));
  }

  Result<UssdReply> OnRepayAmount(std::string_view in) {
    if (in == kKeyBack) return MyLoan("");
    auto view = CurrentLoan();
    if (!view.ok()) return view.status();
    if (!view->has_value() || !CanLogRepayment((*view)->loan.state)) {
      return LoanNotRepayingScreen(ctx_);
    }
    const int64_t max = RepayMax(**view);
    auto amount = ParseAmountInput(in, ctx_.currency, INT64_MAX / 4);
    if (!amount.ok()) {
      return RepayAmountScreen(ctx_, max,
                               Format(T("err_amount"), {{"currency", ctx_.currency.code}}));
    }
    // Amounts are typed in whole units: what is left rounded up to the next
    // unit logs exactly what is left (the last cents of a loan).
    if (*amount > max && *amount - max < ToMinor(1, ctx_.currency)) *amount = max;
    if (*amount > max || *amount <= 0) {
      return RepayAmountScreen(ctx_, max,
                               Format(T("loan_err_repay_max"), {{"max", ctx_.Money(max)}}));
    }
    st_.amount = *amount;
    st_.stage = Stage::kRepayConfirm;
    return RepayConfirmScreen(ctx_, st_.amount, (*view)->loan.reference, "");
  }

  Result<UssdReply> OnRepayConfirm(std::string_view in) {
    auto view = CurrentLoan();
    if (!view.ok()) return view.status();
    if (!view->has_value() || !CanLogRepayment((*view)->loan.state)) {
      return LoanNotRepayingScreen(ctx_);
    }
    const LoanView& v = **view;
    if (in == "1") {
      auto logged =
          LoanBook().LogRepayment(member_.id, st_.amount, req_.channel, StepKey(), MemberActor());
      if (logged.status().code() == Status::Code::kInvalidArgument) {
        st_.stage = Stage::kRepayAmount;
        return RepayAmountScreen(
            ctx_, RepayMax(v), Format(T("loan_err_repay_max"), {{"max", ctx_.Money(RepayMax(v))}}));
      }
      if (logged.status().code() == Status::Code::kFailedPrecondition)
        return LoanNotRepayingScreen(ctx_);
      if (!logged.ok()) return logged.status();
      RepaymentChange change;
      change.repayment = *logged;
      change.loan.loan = v.loan;
      SHG_RETURN_IF_ERROR(Notify([&](const Notifier& n, Messages& m) {
        return SendRepaymentNotice(n, m, svc_, req_.channel, change);
      }));
      return RepaymentLoggedScreen(ctx_, logged->amount, logged->reference);
    }
    if (in == "2") return MainMenu(T("repay_cancelled"));
    if (in == kKeyBack) {
      st_.stage = Stage::kRepayAmount;
      return RepayAmountScreen(ctx_, RepayMax(v), "");
    }
    return RepayConfirmScreen(ctx_, st_.amount, v.loan.reference, T("err_option"));
  }

  Result<UssdReply> OnCancelLoanConfirm(std::string_view in) {
    if (in == "1") {
      Loans loans = LoanBook();
      auto change = loans.Cancel(st_.selected, member_.id, MemberActor());
      if (change.status().code() == Status::Code::kFailedPrecondition) {
        auto loan = loans.Get(st_.selected);
        if (!loan.ok()) return loan.status();
        return LoanCancelTooLateScreen(ctx_, loan->state);
      }
      if (!change.ok()) return change.status();
      SHG_RETURN_IF_ERROR(NotifyLoanChange(*change));
      return LoanCancelledScreen(ctx_, change->loan.reference);
    }
    if (in == "2" || in == kKeyBack) return MyLoan("");
    auto loan = LoanBook().Get(st_.selected);
    if (!loan.ok()) return loan.status();
    return CancelLoanConfirmScreen(ctx_, *loan, T("err_option"));
  }

  // --- group tasks: loan requests ---

  Result<UssdReply> PendingLoans(std::string_view note) {
    st_.stage = Stage::kPendingLoans;
    Loans loans = LoanBook();
    auto page =
        loans.PendingRequests(member_.group_id, kTasksPerPage + 1, st_.page * kTasksPerPage);
    if (!page.ok()) return page.status();
    if (page->empty() && st_.page > 0) {  // the last item of this page was just handled
      st_.page = 0;
      page = loans.PendingRequests(member_.group_id, kTasksPerPage + 1, 0);
      if (!page.ok()) return page.status();
    }
    bool more = page->size() > static_cast<size_t>(kTasksPerPage);
    if (more) page->pop_back();
    st_.items.clear();
    for (const Loan& l : *page) st_.items.push_back(l.id);
    return PendingLoansScreen(ctx_, *page, st_.page, more, note);
  }

  Result<UssdReply> OnPendingLoans(std::string_view in) {
    if (in == kKeyBack) {
      if (st_.page > 0) {
        --st_.page;
        return PendingLoans("");
      }
      return Tasks("");
    }
    if (in == kKeyMore) {
      ++st_.page;
      return PendingLoans("");
    }
    int n = Choice(in, static_cast<int>(st_.items.size()));
    if (n == 0) return PendingLoans(T("err_option"));
    auto loan = LoanBook().Get(st_.items[n - 1]);
    if (!loan.ok()) return loan.status();
    if (loan->state != LoanState::kRequested) return PendingLoans(T("saving_already"));
    st_.selected = loan->id;
    st_.stage = Stage::kDecideLoan;
    return DecideLoanScreen(ctx_, *loan, "");
  }

  Result<UssdReply> OnDecideLoan(std::string_view in) {
    if (in == kKeyBack) return PendingLoans("");
    Loans loans = LoanBook();
    auto loan = loans.Get(st_.selected);
    if (!loan.ok()) return loan.status();
    if (in != "1" && in != "2") return DecideLoanScreen(ctx_, *loan, T("err_option"));
    const bool approve = in == "1";
    auto change = loans.GroupDecide(st_.selected, member_.id, approve, "", MemberActor());
    if (change.status().code() == Status::Code::kPermissionDenied)
      return PendingLoans(T("err_own_loan"));
    if (change.status().code() == Status::Code::kFailedPrecondition ||
        change.status().code() == Status::Code::kNotFound) {
      return PendingLoans(T("saving_already"));
    }
    if (!change.ok()) return change.status();
    SHG_RETURN_IF_ERROR(NotifyLoanChange(*change));
    st_.selected = 0;
    return PendingLoans(Format(T(approve ? "loan_approved_note" : "loan_declined_note"),
                               {{"ref", loan->reference}}));
  }

  // --- group tasks: repayments ---

  Result<UssdReply> PendingRepaymentList(std::string_view note) {
    st_.stage = Stage::kPendingRepayments;
    Loans loans = LoanBook();
    auto page =
        loans.PendingRepayments(member_.group_id, kTasksPerPage + 1, st_.page * kTasksPerPage);
    if (!page.ok()) return page.status();
    if (page->empty() && st_.page > 0) {
      st_.page = 0;
      page = loans.PendingRepayments(member_.group_id, kTasksPerPage + 1, 0);
      if (!page.ok()) return page.status();
    }
    bool more = page->size() > static_cast<size_t>(kTasksPerPage);
    if (more) page->pop_back();
    st_.items.clear();
    for (const Repayment& r : *page) st_.items.push_back(r.id);
    return PendingRepaymentsScreen(ctx_, *page, st_.page, more, note);
  }

  // The pending repayment `id` (listed on this page), or nullopt.
  Result<std::optional<Repayment>> PendingRepayment(int64_t id) {
    auto page = LoanBook().PendingRepayments(member_.group_id, 1000, 0);
    if (!page.ok()) return page.status();
    for (Repayment& r : *page) {
      if (r.id == id) return std::optional<Repayment>(std::move(r));
    }
    return std::optional<Repayment>();
  }

  Result<UssdReply> OnPendingRepayments(std::string_view in) {
    if (in == kKeyBack) {
      if (st_.page > 0) {
        --st_.page;
        return PendingRepaymentList("");
      }
      return Tasks("");
    }
    if (in == kKeyMore) {
      ++st_.page;
      return PendingRepaymentList("");
    }
    int n = Choice(in, static_cast<int>(st_.items.size()));
    if (n == 0) return PendingRepaymentList(T("err_option"));
    auto rep = PendingRepayment(st_.items[n - 1]);
    if (!rep.ok()) return rep.status();
    if (!rep->has_value()) return PendingRepaymentList(T("saving_already"));
    st_.selected = (*rep)->id;
    st_.stage = Stage::kDecideRepayment;
    return DecideRepaymentScreen(ctx_, **rep, "");
  }

  Result<UssdReply> OnDecideRepayment(std::string_view in) {
    if (in == kKeyBack) return PendingRepaymentList("");
    auto rep = PendingRepayment(st_.selected);
    if (!rep.ok()) return rep.status();
    if (!rep->has_value()) return PendingRepaymentList(T("saving_already"));
    if (in != "1" && in != "2") return DecideRepaymentScreen(ctx_, **rep, T("err_option"));
    const bool confirm = in == "1";
    auto change = LoanBook().DecideRepayment(st_.selected, member_.id, confirm, MemberActor());
    if (change.status().code() == Status::Code::kPermissionDenied) {
      return PendingRepaymentList(T("err_own_saving"));
    }
    if (change.status().code() == Status::Code::kFailedPrecondition ||
        change.status().code() == Status::Code::kNotFound) {
      return PendingRepaymentList(T("saving_already"));
    }
    if (!change.ok()) return change.status();
    SHG_RETURN_IF_ERROR(Notify([&](const Notifier& n, Messages& m) {
      return SendRepaymentNotice(n, m, svc_, req_.channel, *change);
    }));
    SHG_RETURN_IF_ERROR(NotifyLoanChange(change->loan));
    st_.selected = 0;
    return PendingRepaymentList(
        Format(T(confirm ? "saving_confirmed" : "saving_rejected"), {{"ref", (*rep)->reference}}));
  }

  // Queues an SMS when this engine sends them; `send` returns the message
  // id (0 when no channel can send to her).
  template <typename Send>
  Status Notify(Send&& send) {
    if (e_.notifier_ == nullptr || messages_ == nullptr) return Status::Ok();
    Result<int64_t> id = send(*e_.notifier_, *messages_);
    if (!id.ok()) return id.status();
    if (*id != 0) result_.sms_queued = true;
    return Status::Ok();
  }

  const Engine& e_;
  Services& svc_;
  Messages* messages_;
  const UssdRequest& req_;
  int64_t now_;
  DialogState st_;
  Member member_;
  Group group_;
  ScreenContext ctx_;
  StepResult result_;
  std::string phone_;  // masked: the session row is not a phone book
  std::optional<int64_t> stored_member_id_;  // of a session loaded from the store
};

Result<StepResult> Engine::Step(Services& services, Messages* messages, const UssdRequest& request,
                                int64_t now) const {
  StepRunner runner(*this, services, messages, request, now);
  return runner.Run();
}

}  // namespace shg::dialogs
