// PIN: entering it (with lockout), creating it, changing it.
// Handlers of StepRunner (dialogs/step_runner.h); stages and transitions:
// dialogs/dialog_machine.h.
#include "dialogs/step_runner.h"

#include "dialogs/receipts.h"

namespace shg::dialogs {

bool StepRunner::FourDigits(std::string_view in) {
  if (in.size() != 4) return false;
  for (char ch : in) {
    if (ch < '0' || ch > '9') return false;
  }
  return true;
}

Result<UssdReply> StepRunner::RePin(bool changing, std::string_view note) {
  if (changing) return CurrentPinScreen(ctx_, note);
  return EnterPinScreen(ctx_, member_.name, group_.name, note);
}

Result<UssdReply> StepRunner::OnPin(std::string_view in, bool changing) {
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
        return LockedNowScreen(ctx_, OfficerNames());
      }
      SHG_RETURN_IF_ERROR(Audit("pin.failed", "member:" + std::to_string(member_.id)));
      return RePin(changing, Format(T("wrong_pin"), {{"n", std::to_string(out->tries_left)}}));
    case PinCheck::kLocked:
      return LockedScreen(ctx_, OfficerNames());
    case PinCheck::kNotSet:
      st_.stage = Stage::kCreatePin;
      return CreatePinScreen(ctx_, member_.name, false, "");
  }
  return Status::Internal("unknown PIN check");
}

std::vector<std::string> StepRunner::OfficerNames() {
  std::vector<std::string> names;
  auto officers = svc_.GroupOfficers(member_.group_id);
  if (!officers.ok()) return names;  // the screen then names the role, not a person
  for (const Member& m : *officers) {
    if (m.id != member_.id) names.push_back(m.name);
  }
  return names;
}

std::string StepRunner::Digest(std::string_view pin) const {
  // Salted per session so the digest says nothing outside this session.
  return LetterHex(e_.pins_.Hash(pin, "new-pin:" + req_.channel + ":" + req_.session_id));
}

Result<UssdReply> StepRunner::ReNewPin(Stage stage, std::string_view note) {
  if (stage == Stage::kRepeatNewPin) return NewPinScreen(ctx_, note);
  return CreatePinScreen(ctx_, member_.name, st_.after_reset, note);
}

// At kCreatePin / kNewPin: `next` is the repeat stage.
Result<UssdReply> StepRunner::OnNewPin(std::string_view in, Stage next) {
  if (next == Stage::kRepeatNewPin && in == kKeyBack) return Settings("");
  Status valid = ValidateNewPin(in);
  if (!valid.ok()) return ReNewPin(next, T(FourDigits(in) ? "err_pin_weak" : "err_pin_format"));
  st_.pin_digest = Digest(in);
  st_.stage = next;
  return RepeatPinScreen(ctx_, "");
}

Result<UssdReply> StepRunner::OnRepeatPin(std::string_view in, bool changing) {
  bool same = !st_.pin_digest.empty() && ConstantTimeEquals(Digest(in), st_.pin_digest);
  st_.pin_digest.clear();
  if (!same) {
    st_.stage = changing ? Stage::kNewPin : Stage::kCreatePin;
    return ReNewPin(changing ? Stage::kRepeatNewPin : Stage::kRepeatPin, T("pin_mismatch"));
  }
  Status set = svc_.SetPin(member_.id, std::string(in));
  if (set.code() == Status::Code::kInvalidArgument ||
      set.code() == Status::Code::kAlreadyExists) {
    st_.stage = changing ? Stage::kNewPin : Stage::kCreatePin;
    return ReNewPin(changing ? Stage::kRepeatNewPin : Stage::kRepeatPin,
                    T(set.code() == Status::Code::kAlreadyExists ? "err_pin_same" : "err_pin_weak"));
  }
  SHG_RETURN_IF_ERROR(set);
  SHG_RETURN_IF_ERROR(Audit(changing ? "pin.changed" : "pin.set", "member:" + std::to_string(member_.id)));
  // A first PIN is hers alone; a change (or the PIN after a reset) is told
  // by SMS so that a change she did not make is noticed.
  if (changing || st_.after_reset) {
    SHG_RETURN_IF_ERROR(Notify([&](const Notifier& n, Messages& m) {
      return SendPinChanged(n, m, req_.channel, member_, group_, now_);
    }));
  }
  st_.after_reset = false;
  st_.authenticated = true;
  if (changing) return PinChangedScreen(ctx_);
  return MainMenu("");
}

}  // namespace shg::dialogs
