#include "dialogs/gsm.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <unordered_map>

namespace shg::dialogs {
namespace {

// Marks a table slot with no character (ESC at 0x1B) and an undecodable byte.
constexpr char32_t kNone = 0xFFFFFFFF;
constexpr char32_t kReplacement = 0xFFFD;

// GSM 03.38 default alphabet, indexed by 7-bit code (providers.md 6.1).
constexpr std::array<char32_t, 128> kBasic = {
    // 0x00-0x0F
    U'@', U'\u00A3', U'$', U'\u00A5', U'\u00E8', U'\u00E9', U'\u00F9', U'\u00EC',  //
    U'\u00F2', U'\u00C7', U'\n', U'\u00D8', U'\u00F8', U'\r', U'\u00C5', U'\u00E5',
    // 0x10-0x1F
    U'\u0394', U'_', U'\u03A6', U'\u0393', U'\u039B', U'\u03A9', U'\u03A0', U'\u03A8',  //
    U'\u03A3', U'\u0398', U'\u039E', kNone, U'\u00C6', U'\u00E6', U'\u00DF', U'\u00C9',
    // 0x20-0x2F
    U' ', U'!', U'"', U'#', U'\u00A4', U'%', U'&', U'\'',  //
    U'(', U')', U'*', U'+', U',', U'-', U'.', U'/',
    // 0x30-0x3F
    U'0', U'1', U'2', U'3', U'4', U'5', U'6', U'7',  //
    U'8', U'9', U':', U';', U'<', U'=', U'>', U'?',
    // 0x40-0x4F
    U'\u00A1', U'A', U'B', U'C', U'D', U'E', U'F', U'G',  //
    U'H', U'I', U'J', U'K', U'L', U'M', U'N', U'O',
    // 0x50-0x5F
    U'P', U'Q', U'R', U'S', U'T', U'U', U'V', U'W',  //
    U'X', U'Y', U'Z', U'\u00C4', U'\u00D6', U'\u00D1', U'\u00DC', U'\u00A7',
    // 0x60-0x6F
    U'\u00BF', U'a', U'b', U'c', U'd', U'e', U'f', U'g',  //
    U'h', U'i', U'j', U'k', U'l', U'm', U'n', U'o',
    // 0x70-0x7F
    U'p', U'q', U'r', U's', U't', U'u', U'v', U'w',  //
    U'x', U'y', U'z', U'\u00E4', U'\u00F6', U'\u00F1', U'\u00FC', U'\u00E0',
};

constexpr uint8_t kEsc = 0x1B;

struct ExtensionEntry {
  char32_t code_point;
  uint8_t code;
};

// Extension table: ESC 0x1B followed by the code; 2 septets each.
constexpr std::array<ExtensionEntry, 10> kExtension = {{
    {U'\f', 0x0A},
    {U'^', 0x14},
    {U'{', 0x28},
    {U'}', 0x29},
    {U'\\', 0x2F},
    {U'[', 0x3C},
    {U'~', 0x3D},
    {U']', 0x3E},
    {U'|', 0x40},
    {U'\u20AC', 0x65},
}};

// A code point's place in GSM-7: not present, basic code, or extension code.
struct Gsm7Code {
  enum Kind { kAbsent, kBasicCode, kExtensionCode } kind;
  uint8_t code;
};

// Reverse lookup built once (thread-safe static initialisation).
const std::unordered_map<char32_t, Gsm7Code>& ReverseTable() {
  static const auto* const table = [] {
    auto* t = new std::unordered_map<char32_t, Gsm7Code>();
    for (size_t i = 0; i < kBasic.size(); ++i) {
      if (kBasic[i] != kNone) (*t)[kBasic[i]] = {Gsm7Code::kBasicCode, static_cast<uint8_t>(i)};
    }
    for (const ExtensionEntry& e : kExtension) (*t)[e.code_point] = {Gsm7Code::kExtensionCode, e.code};
    return t;
  }();
  return *table;
}

Gsm7Code LookupGsm7(char32_t cp) {
  if (cp == kNone) return {Gsm7Code::kAbsent, 0};
  const auto& table = ReverseTable();
  auto it = table.find(cp);
  return it == table.end() ? Gsm7Code{Gsm7Code::kAbsent, 0} : it->second;
}

bool IsContinuation(unsigned char b, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
  return b >= lo && b <= hi;
}

// Decodes one strict UTF-8 sequence at s[i]. Returns the bytes consumed
// (>= 1) and sets *cp; on any error consumes exactly one byte and sets kNone.
size_t DecodeOne(std::string_view s, size_t i, char32_t* cp) {
  const auto at = [&](size_t k) -> int {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : -1;
  };
  const auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    int b = at(k);
    return b >= 0 && IsContinuation(static_cast<unsigned char>(b), lo, hi);
  };
  const unsigned char b0 = static_cast<unsigned char>(s[i]);
  *cp = kNone;
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (!cont(1)) return 1;
    *cp = (char32_t{b0} & 0x1F) << 6 | (static_cast<char32_t>(at(1)) & 0x3F);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    // E0: no overlong forms; ED: no UTF-16 surrogates.
    const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = b0 == 0xED ? 0x9F : 0xBF;
    if (!cont(1, lo, hi) || !cont(2)) return 1;
    *cp = (char32_t{b0} & 0x0F) << 12 | (static_cast<char32_t>(at(1)) & 0x3F) << 6 |
          (static_cast<char32_t>(at(2)) & 0x3F);
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    // F0: no overlong forms; F4: nothing above U+10FFFF.
    const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = b0 == 0xF4 ? 0x8F : 0xBF;
    if (!cont(1, lo, hi) || !cont(2) || !cont(3)) return 1;
    *cp = (char32_t{b0} & 0x07) << 18 | (static_cast<char32_t>(at(1)) & 0x3F) << 12 |
          (static_cast<char32_t>(at(2)) & 0x3F) << 6 | (static_cast<char32_t>(at(3)) & 0x3F);
    return 4;
  }
  return 1;  // stray continuation byte, C0/C1 overlong lead, or F5-FF
}

// Calls f(cp, offset) for each code point; cp is kNone for each bad byte.
template <typename F>
void ForEachCodePoint(std::string_view s, F&& f) {
  size_t i = 0;
  while (i < s.size()) {
    char32_t cp;
    const size_t n = DecodeOne(s, i, &cp);
    f(cp, i);
    i += n;
  }
}

size_t Ucs2Units(char32_t cp) { return cp != kNone && cp > 0xFFFF ? 2 : 1; }

size_t Segments(size_t units, size_t single, size_t part) {
  if (units == 0) return 0;
  if (units <= single) return 1;
  return (units + part - 1) / part;
}

void AppendUtf16Be(char32_t unit, std::string* out) {
  out->push_back(static_cast<char>((unit >> 8) & 0xFF));
  out->push_back(static_cast<char>(unit & 0xFF));
}

}  // namespace

bool IsGsm7(std::string_view utf8) {
  bool all = true;
  ForEachCodePoint(utf8, [&](char32_t cp, size_t) {
    if (all && LookupGsm7(cp).kind == Gsm7Code::kAbsent) all = false;
  });
  return all;
}

size_t Gsm7Septets(std::string_view utf8) {
  size_t septets = 0;
  ForEachCodePoint(utf8, [&](char32_t cp, size_t) {
    septets += LookupGsm7(cp).kind == Gsm7Code::kExtensionCode ? 2 : 1;
  });
  return septets;
}

SmsLength MeasureSms(std::string_view utf8) {
  bool gsm7 = true;
  size_t septets = 0;
  size_t ucs2_units = 0;
  ForEachCodePoint(utf8, [&](char32_t cp, size_t) {
    const Gsm7Code code = LookupGsm7(cp);
    if (code.kind == Gsm7Code::kAbsent) gsm7 = false;
    septets += code.kind == Gsm7Code::kExtensionCode ? 2 : 1;
    ucs2_units += Ucs2Units(cp);
  });
  if (gsm7) {
    return {SmsEncoding::kGsm7, septets, Segments(septets, kGsm7SingleLimit, kGsm7PartLimit)};
  }
  return {SmsEncoding::kUcs2, ucs2_units, Segments(ucs2_units, kUcs2SingleLimit, kUcs2PartLimit)};
}

Result<std::string> EncodeGsm7(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  bool bad = false;
  char32_t bad_cp = kNone;
  size_t bad_offset = 0;
  ForEachCodePoint(utf8, [&](char32_t cp, size_t offset) {
    if (bad) return;
    const Gsm7Code code = LookupGsm7(cp);
    switch (code.kind) {
      case Gsm7Code::kBasicCode:
        out.push_back(static_cast<char>(code.code));
        break;
      case Gsm7Code::kExtensionCode:
        out.push_back(static_cast<char>(kEsc));
        out.push_back(static_cast<char>(code.code));
        break;
      case Gsm7Code::kAbsent:
        bad = true;
        bad_cp = cp;
        bad_offset = offset;
        break;
    }
  });
  if (bad) {
    char buf[80];
    if (bad_cp == kNone) {
      std::snprintf(buf, sizeof(buf), "invalid UTF-8 at byte %zu", bad_offset);
    } else {
      std::snprintf(buf, sizeof(buf), "U+%04X at byte %zu is not in the GSM 7-bit alphabet",
                    static_cast<unsigned>(bad_cp), bad_offset);
    }
    return Status::InvalidArgument(buf);
  }
  return out;
}

std::string EncodeUcs2(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() * 2);
  ForEachCodePoint(utf8, [&](char32_t cp, size_t) {
    if (cp == kNone) cp = kReplacement;
    if (cp > 0xFFFF) {
      const char32_t v = cp - 0x10000;
      AppendUtf16Be(0xD800 + (v >> 10), &out);
      AppendUtf16Be(0xDC00 + (v & 0x3FF), &out);
    } else {
      AppendUtf16Be(cp, &out);
    }
  });
  return out;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

Result<std::string> DecodeUcs2(std::string_view bytes) {
  if (bytes.size() % 2 != 0) return Status::InvalidArgument("UTF-16BE text has an odd byte count");
  std::string out;
  out.reserve(bytes.size() * 3 / 2);
  auto unit = [&](size_t i) {
    return static_cast<char32_t>(static_cast<unsigned char>(bytes[i]) << 8 |
                                 static_cast<unsigned char>(bytes[i + 1]));
  };
  for (size_t i = 0; i < bytes.size(); i += 2) {
    char32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < bytes.size()) {
      char32_t low = unit(i + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        AppendUtf8(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00), &out);
        i += 2;
        continue;
      }
    }
    if (u >= 0xD800 && u <= 0xDFFF) u = kReplacement;
    AppendUtf8(u, &out);
  }
  return out;
}

}  // namespace shg::dialogs
