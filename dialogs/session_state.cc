#include "dialogs/session_state.h"

#include <charconv>

namespace shg::dialogs {
namespace {

void Put(std::string* out, char key, int64_t v) {
  out->push_back(key);
  out->push_back('=');
  out->append(std::to_string(v));
  out->push_back(';');
}

std::string JoinIds(const std::vector<int64_t>& ids) {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) s.push_back(',');
    s += std::to_string(ids[i]);
  }
  return s;
}

bool ParseInt(std::string_view s, int64_t* v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseIds(std::string_view s, std::vector<int64_t>* ids) {
  while (!s.empty()) {
    size_t comma = s.find(',');
    int64_t v;
    if (!ParseInt(s.substr(0, comma), &v)) return false;
    ids->push_back(v);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return true;
}

// Purpose ids are configuration ids: they never carry the separators.
bool IsPurposeId(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

std::string LetterHex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(static_cast<char>('a' + (b >> 4)));
    out.push_back(static_cast<char>('a' + (b & 0xF)));
  }
  return out;
}

std::string SerializeState(const DialogState& s) {
  std::string out;
  out.reserve(64);
  Put(&out, 's', static_cast<int>(s.stage));
  out += "l=" + s.lang + ";";
  if (s.member_id) Put(&out, 'm', s.member_id);
  if (!s.candidates.empty()) out += "c=" + JoinIds(s.candidates) + ";";
  if (s.authenticated) Put(&out, 'a', 1);
  if (s.after_reset) Put(&out, 'r', 1);
  if (!s.pin_digest.empty()) out += "d=" + s.pin_digest + ";";
  if (s.amount) Put(&out, 'v', s.amount);
  if (s.page) Put(&out, 'p', s.page);
  if (!s.items.empty()) out += "i=" + JoinIds(s.items) + ";";
  if (s.selected) Put(&out, 'x', s.selected);
  if (!s.purpose.empty()) out += "u=" + s.purpose + ";";
  if (s.term) Put(&out, 't', s.term);
  if (!s.fine_kind.empty()) out += "k=" + s.fine_kind + ";";
  return out;
}

Result<DialogState> ParseState(std::string_view text) {
  DialogState s;
  while (!text.empty()) {
    size_t semi = text.find(';');
    std::string_view field = text.substr(0, semi);
    text.remove_prefix(semi == std::string_view::npos ? text.size() : semi + 1);
    if (field.size() < 2 || field[1] != '=') return Status::Internal("bad session state field");
    std::string_view value = field.substr(2);
    int64_t v = 0;
    bool ok = true;
    switch (field[0]) {
      case 's':
        ok = ParseInt(value, &v) && v >= 1 && v <= static_cast<int>(kLastStage);
        s.stage = static_cast<Stage>(v);
        break;
      case 'l': s.lang = std::string(value); break;
      case 'm': ok = ParseInt(value, &s.member_id); break;
      case 'c': ok = ParseIds(value, &s.candidates); break;
      case 'a': s.authenticated = value == "1"; break;
      case 'r': s.after_reset = value == "1"; break;
      case 'd': s.pin_digest = std::string(value); break;
      case 'v': ok = ParseInt(value, &s.amount); break;
      case 'p': ok = ParseInt(value, &v); s.page = static_cast<int>(v); break;
      case 'i': ok = ParseIds(value, &s.items); break;
      case 'x': ok = ParseInt(value, &s.selected); break;
      case 'u':
        ok = IsPurposeId(value);
        s.purpose = std::string(value);
        break;
      case 'k':
        ok = IsPurposeId(value);
        s.fine_kind = std::string(value);
        break;
      case 't': ok = ParseInt(value, &v) && v > 0 && v <= 1200; s.term = static_cast<int>(v); break;
      default: ok = false;
    }
    if (!ok) return Status::Internal("bad session state field");
  }
  return s;
}

}  // namespace shg::dialogs
