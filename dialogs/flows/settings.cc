// Settings: language (the PIN change is in pin.cc).
// Handlers of StepRunner (dialogs/step_runner.h); stages and transitions:
// dialogs/dialog_machine.h.
#include "dialogs/step_runner.h"

namespace shg::dialogs {

Result<UssdReply> StepRunner::Settings(std::string_view note) {
  st_.stage = Stage::kSettings;
  st_.pin_digest.clear();
  return SettingsScreen(ctx_, note);
}

Result<UssdReply> StepRunner::OnSettings(std::string_view in) {
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

Result<UssdReply> StepRunner::OnLanguage(std::string_view in) {
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

}  // namespace shg::dialogs
