// The engine's step: session lookup, the phone check, dispatch to the handler
// of the session's stage (one table, below), session save. The handlers of
// each flow are in dialogs/flows/; the machine is written down in
// dialogs/dialog_machine.h.
#include "dialogs/engine.h"

#include <array>
#include <optional>

#include "dialogs/dialog_machine.h"
#include "dialogs/loan_notices.h"
#include "dialogs/screens.h"
#include "dialogs/session_state.h"
#include "dialogs/step_runner.h"
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
    case StepKind::kPhoneMismatch: return "phone_mismatch";
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

// The handler of each stage, in Stage order (session_state.h). kDone has
// none: a step on a finished session is answered as expired.
class StageHandlers {
 public:
  struct Entry {
    Stage stage;
    StepRunner::Handler handler;
  };
  using R = StepRunner;
  // clang-format off
  static constexpr std::array kTable = {
      Entry{Stage::kChooseMember,      &R::OnChooseMember},
      Entry{Stage::kEnterPin,          &R::OnEnterPin},
      Entry{Stage::kCreatePin,         &R::OnCreatePin},
      Entry{Stage::kRepeatPin,         &R::OnRepeatCreatedPin},
      Entry{Stage::kMainMenu,          &R::OnMainMenu},
      Entry{Stage::kSaveAmount,        &R::OnSaveAmount},
      Entry{Stage::kSaveConfirm,       &R::OnSaveConfirm},
      Entry{Stage::kStatement,         &R::OnStatement},
      Entry{Stage::kSettings,          &R::OnSettings},
      Entry{Stage::kLanguage,          &R::OnLanguage},
      Entry{Stage::kCurrentPin,        &R::OnCurrentPin},
      Entry{Stage::kNewPin,            &R::OnChangePin},
      Entry{Stage::kRepeatNewPin,      &R::OnRepeatChangedPin},
      Entry{Stage::kTasks,             &R::OnTasks},
      Entry{Stage::kPendingSavings,    &R::OnPendingSavings},
      Entry{Stage::kDecideSaving,      &R::OnDecideSaving},
      Entry{Stage::kDone,              nullptr},
      Entry{Stage::kResumeSave,        &R::OnResumeSave},
      Entry{Stage::kLoanAmount,        &R::OnLoanAmount},
      Entry{Stage::kLoanPurpose,       &R::OnLoanPurpose},
      Entry{Stage::kLoanTerm,          &R::OnLoanTerm},
      Entry{Stage::kLoanConfirm,       &R::OnLoanConfirm},
      Entry{Stage::kResumeLoan,        &R::OnResumeLoan},
      Entry{Stage::kMyLoan,            &R::OnMyLoan},
      Entry{Stage::kRepayAmount,       &R::OnRepayAmount},
      Entry{Stage::kRepayConfirm,      &R::OnRepayConfirm},
      Entry{Stage::kCancelLoanConfirm, &R::OnCancelLoanConfirm},
      Entry{Stage::kPendingLoans,      &R::OnPendingLoans},
      Entry{Stage::kDecideLoan,        &R::OnDecideLoan},
      Entry{Stage::kPendingRepayments, &R::OnPendingRepayments},
      Entry{Stage::kDecideRepayment,   &R::OnDecideRepayment},
      Entry{Stage::kBalance,           &R::OnInfo},
      Entry{Stage::kGroupInfo,         &R::OnInfo},
      Entry{Stage::kResetPinMembers,   &R::OnResetPinMembers},
      Entry{Stage::kResetPinConfirm,   &R::OnResetPinConfirm},
      Entry{Stage::kLoanConsent,       &R::OnLoanConsent},
      // --- fines and the social fund (issue 11) ---
      Entry{Stage::kPendingFines,      &R::OnPendingFines},
      Entry{Stage::kDecideFine,        &R::OnDecideFine},
      Entry{Stage::kFineMember,        &R::OnFineMember},
      Entry{Stage::kFineKind,          &R::OnFineKind},
      Entry{Stage::kFineConfirm,       &R::OnFineConfirm},
      Entry{Stage::kFineAmount,        &R::OnFineAmount},
      Entry{Stage::kSocialMember,      &R::OnSocialMember},
      Entry{Stage::kSocialConfirm,     &R::OnSocialConfirm},
  };
  // clang-format on

  static constexpr bool InStageOrder() {
    for (size_t i = 0; i < kTable.size(); ++i) {
      if (static_cast<size_t>(kTable[i].stage) != i + 1) return false;
    }
    return kTable.size() == static_cast<size_t>(kLastStage);
  }
};
static_assert(StageHandlers::InStageOrder(), "one handler entry per Stage, in Stage order");

Result<UssdReply> StepRunner::Dispatch(std::string_view in) {
  if (st_.authenticated && in == kKeyMain) return MainMenu("");
  const auto& table = StageHandlers::kTable;
  const size_t index = static_cast<size_t>(st_.stage) - 1;
  if (index >= table.size() || table[index].handler == nullptr) return Expired().value().reply;
  return (this->*table[index].handler)(in);
}

std::string StepRunner::PhoneKey() const {
  auto country = e_.options_.channel_country.find(req_.channel);
  auto phone = ParsePhone(
      req_.phone, country == e_.options_.channel_country.end() ? "KE" : country->second);
  // Salted for this use only: the key says nothing outside session binding.
  // 96 bits: no phone number can be found to match another's key, and the
  // session row (rewritten at every step) stays small.
  const std::string digest = e_.pins_.Hash(phone.ok() ? *phone : req_.phone, "ussd-session-phone");
  return LetterHex(std::string_view(digest).substr(0, 12));
}

Result<StepResult> StepRunner::Run() {
  auto loaded = svc_.LoadSession(req_.channel, req_.session_id);
  if (!loaded.ok()) return loaded.status();
  phone_key_ = PhoneKey();
  if (loaded->has_value()) {
    const SessionRecord& rec = **loaded;
    // Before the retry check: another phone must not even get the stored
    // answer (it is the first member's screen).
    if (!ConstantTimeEquals(rec.phone_key, phone_key_)) return PhoneMismatch();
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
    auto reply = Dispatch(req_.input);
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
  rec.phone_key = phone_key_;
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

Result<StepResult> StepRunner::Expired() {
  result_.kind = StepKind::kExpired;
  result_.reply = SessionExpiredScreen(ctx_, ServiceCode());
  return result_;
}

Result<StepResult> StepRunner::PhoneMismatch() {
  // Nothing of the session is loaded or saved; the screen is in the default
  // language (her language is hers to know).
  result_.kind = StepKind::kPhoneMismatch;
  result_.reply = OtherPhoneScreen(ctx_, ServiceCode());
  return result_;
}

int StepRunner::Choice(std::string_view in, int n) {
  if (in.empty() || in.size() > 2) return 0;
  int v = 0;
  for (char ch : in) {
    if (ch < '0' || ch > '9') return 0;
    v = v * 10 + (ch - '0');
  }
  return (v >= 1 && v <= n) ? v : 0;
}

Status StepRunner::Audit(const std::string& action, const std::string& subject,
                         const std::string& detail) {
  return svc_.Audit(AuditEntry{"member", std::to_string(member_.id), action, subject, req_.channel,
                               req_.request_id, detail});
}

Status StepRunner::NotifyLoanChange(const LoanChange& change) {
  return NotifyLoan([&](const Notifier& n, Messages& m) {
    return SendLoanNotices(n, m, svc_, req_.channel, change, e_.options_.loans);
  });
}

Result<StepResult> Engine::Step(Services& services, Messages* messages, const UssdRequest& request,
                                int64_t now) const {
  StepRunner runner(*this, services, messages, request, now);
  return runner.Run();
}

}  // namespace shg::dialogs
