#include "domain/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>
#include <utility>

namespace shg {
namespace {

const std::string kEmptyString;
const std::vector<JsonValue> kEmptyArray;
const std::vector<JsonMember> kEmptyMembers;
const JsonValue kNull;

// Length of the valid UTF-8 sequence starting at s[i] (1..4) and its code
// point, or 0 when the bytes there are not a valid sequence.
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len;
  uint32_t min;
  uint32_t value;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, min = 0x80, value = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, min = 0x800, value = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, value = b0 & 0x07;
  } else {
    return 0;
  }
  if (s.size() - i < len) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    value = (value << 6) | (b & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  *cp = value;
  return len;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

constexpr uint32_t kReplacement = 0xFFFD;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// For a valid number literal that std::from_chars found out of double's
// range: whether it is too large (else too small). Uses the decimal order of
// magnitude: significant digits before the point, minus zeros after it,
// plus the exponent (saturated).
bool OutOfRangeMagnitudeIsLarge(std::string_view literal) {
  size_t i = literal[0] == '-' ? 1 : 0;
  int64_t order = 0;
  bool significant = false;
  for (; i < literal.size() && literal[i] >= '0' && literal[i] <= '9'; ++i) {
    if (literal[i] != '0') significant = true;
    if (significant) ++order;
  }
  if (!significant && i < literal.size() && literal[i] == '.') {
    for (++i; i < literal.size() && literal[i] == '0'; ++i) --order;
  }
  size_t e = literal.find_first_of("eE");
  if (e != std::string_view::npos) {
    bool negative = literal[e + 1] == '-';
    size_t k = e + 1 + ((literal[e + 1] == '-' || literal[e + 1] == '+') ? 1 : 0);
    int64_t exponent = 0;
    for (; k < literal.size(); ++k) {
      exponent = std::min<int64_t>(exponent * 10 + (literal[k] - '0'), int64_t{1} << 40);
    }
    order += negative ? -exponent : exponent;
  }
  return order > 0;
}

class Parser {
 public:
  Parser(std::string_view text, int max_depth) : s_(text), max_depth_(max_depth) {}

  Result<JsonValue> ParseDocument() {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    SkipWhitespace();
    JsonValue root;
    if (!ParseValue(0, &root)) return error_;
    SkipWhitespace();
    if (pos_ != s_.size()) {
      Fail("trailing characters");
      return error_;
    }
    return root;
  }

 private:
  bool Fail(const char* what) { return Fail(what, pos_); }
  bool Fail(const char* what, size_t at) {
    error_ = Status::InvalidArgument(std::string("JSON: ") + what + " at offset " +
                                     std::to_string(at));
    return false;
  }

  void SkipWhitespace() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }

  bool ConsumeLiteral(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return Fail("invalid literal");
    pos_ += word.size();
    return true;
  }

  bool ParseValue(int depth, JsonValue* out) {
    if (pos_ >= s_.size()) return Fail("unexpected end of input");
    switch (s_[pos_]) {
      case '{': return ParseObject(depth + 1, out);
      case '[': return ParseArray(depth + 1, out);
      case '"': {
        std::string str;
        if (!ParseString(&str)) return false;
        *out = JsonValue::String(std::move(str));
        return true;
      }
      case 't':
        if (!ConsumeLiteral("true")) return false;
        *out = JsonValue::Bool(true);
        return true;
      case 'f':
        if (!ConsumeLiteral("false")) return false;
        *out = JsonValue::Bool(false);
        return true;
      case 'n':
        if (!ConsumeLiteral("null")) return false;
        *out = JsonValue();
        return true;
      default:
        if (s_[pos_] == '-' || (s_[pos_] >= '0' && s_[pos_] <= '9')) return ParseNumber(out);
        return Fail("unexpected character");
    }
  }

  bool ParseObject(int depth, JsonValue* out) {
    if (depth > max_depth_) return Fail("nesting too deep");
    ++pos_;  // '{'
    std::vector<JsonMember> members;
    SkipWhitespace();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      *out = JsonValue::Object(std::move(members));
      return true;
    }
    while (true) {
      SkipWhitespace();
      if (pos_ >= s_.size()) return Fail("unexpected end of input");
      if (s_[pos_] != '"') return Fail("expected a member name");
      JsonMember member;
      if (!ParseString(&member.key)) return false;
      SkipWhitespace();
      if (pos_ >= s_.size()) return Fail("unexpected end of input");
      if (s_[pos_] != ':') return Fail("expected ':'");
      ++pos_;
      SkipWhitespace();
      if (!ParseValue(depth, &member.value)) return false;
      members.push_back(std::move(member));
      SkipWhitespace();
      if (pos_ >= s_.size()) return Fail("unexpected end of input");
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == '}') {
        ++pos_;
        *out = JsonValue::Object(std::move(members));
        return true;
      }
      return Fail("expected ',' or '}'");
    }
  }

  bool ParseArray(int depth, JsonValue* out) {
    if (depth > max_depth_) return Fail("nesting too deep");
    ++pos_;  // '['
    std::vector<JsonValue> elements;
    SkipWhitespace();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      *out = JsonValue::Array(std::move(elements));
      return true;
    }
    while (true) {
      SkipWhitespace();
      JsonValue element;
      if (!ParseValue(depth, &element)) return false;
      elements.push_back(std::move(element));
      SkipWhitespace();
      if (pos_ >= s_.size()) return Fail("unexpected end of input");
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == ']') {
        ++pos_;
        *out = JsonValue::Array(std::move(elements));
        return true;
      }
      return Fail("expected ',' or ']'");
    }
  }

  // Four hex digits at pos_ (advanced past them).
  bool ParseHex4(uint32_t* out) {
    if (s_.size() - pos_ < 4) return Fail("truncated \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      int d = HexDigit(s_[pos_ + k]);
      if (d < 0) return Fail("invalid \\u escape", pos_ + k);
      v = v * 16 + static_cast<uint32_t>(d);
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  bool ParseString(std::string* out) {
    ++pos_;  // opening quote
    out->clear();
    while (true) {
      // Copy the run of plain bytes in one go.
      size_t run = pos_;
      while (run < s_.size()) {
        auto c = static_cast<unsigned char>(s_[run]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++run;
      }
      out->append(s_.data() + pos_, run - pos_);
      pos_ = run;
      if (pos_ >= s_.size()) return Fail("unterminated string");
      auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return Fail("control character in string");
      if (c >= 0x80) {
        uint32_t cp;
        size_t len = DecodeUtf8(s_, pos_, &cp);
        if (len == 0) return Fail("invalid UTF-8 in string");
        out->append(s_.data() + pos_, len);
        pos_ += len;
        continue;
      }
      // Backslash.
      if (s_.size() - pos_ < 2) return Fail("unterminated string");
      char e = s_[pos_ + 1];
      pos_ += 2;
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          uint32_t unit = 0;
          if (!ParseHex4(&unit)) return false;
          uint32_t cp = unit;
          if (unit >= 0xD800 && unit <= 0xDBFF) {
            // A high surrogate: pair it with an immediately following low one.
            cp = kReplacement;
            if (s_.size() - pos_ >= 6 && s_[pos_] == '\\' && s_[pos_ + 1] == 'u') {
              size_t save = pos_;
              pos_ += 2;
              uint32_t low = 0;
              if (!ParseHex4(&low)) return false;
              if (low >= 0xDC00 && low <= 0xDFFF) {
                cp = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
              } else {
                pos_ = save;  // not a pair: the next escape stands alone
              }
            }
          } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
            cp = kReplacement;
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return Fail("invalid escape", pos_ - 1);
      }
    }
  }

  bool ParseNumber(JsonValue* out) {
    const size_t start = pos_;
    auto digit = [&](size_t i) { return i < s_.size() && s_[i] >= '0' && s_[i] <= '9'; };
    size_t i = pos_;
    if (s_[i] == '-') ++i;
    if (!digit(i)) return Fail("invalid number", i);
    if (s_[i] == '0') {
      ++i;
      if (digit(i)) return Fail("leading zero in number", i);
    } else {
      while (digit(i)) ++i;
    }
    if (i < s_.size() && s_[i] == '.') {
      ++i;
      if (!digit(i)) return Fail("invalid number", i);
      while (digit(i)) ++i;
    }
    if (i < s_.size() && (s_[i] == 'e' || s_[i] == 'E')) {
      ++i;
      if (i < s_.size() && (s_[i] == '+' || s_[i] == '-')) {
        ++i;
      }
      if (!digit(i)) return Fail("invalid number", i);
      while (digit(i)) ++i;
    }
    std::string_view literal = s_.substr(start, i - start);
    double value = 0;
    auto [ptr, ec] = std::from_chars(literal.data(), literal.data() + literal.size(), value);
    if (ec == std::errc::result_out_of_range) {
      value = OutOfRangeMagnitudeIsLarge(literal) ? std::numeric_limits<double>::infinity() : 0.0;
      if (literal[0] == '-') value = -value;
    } else if (ec != std::errc() || ptr != literal.data() + literal.size()) {
      return Fail("invalid number", start);
    }
    pos_ = i;
    *out = JsonValue::Number(value, std::string(literal));
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  int max_depth_;
  Status error_;
};

}  // namespace

const std::string& JsonValue::string_value() const {
  return type_ == Type::kString ? text_ : kEmptyString;
}

const std::string& JsonValue::number_literal() const {
  return type_ == Type::kNumber ? text_ : kEmptyString;
}

std::optional<int64_t> JsonValue::AsInt64() const {
  if (type_ != Type::kNumber) return std::nullopt;
  if (text_.find_first_of(".eE") == std::string::npos) {
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(text_.data(), text_.data() + text_.size(), v);
    if (ec != std::errc() || ptr != text_.data() + text_.size()) return std::nullopt;
    return v;
  }
  constexpr double kMaxExact = 9007199254740992.0;  // 2^53
  if (!std::isfinite(number_) || std::fabs(number_) > kMaxExact) return std::nullopt;
  if (std::trunc(number_) != number_) return std::nullopt;
  return static_cast<int64_t>(number_);
}

const std::vector<JsonValue>& JsonValue::array() const {
  return type_ == Type::kArray ? array_ : kEmptyArray;
}

const std::vector<JsonMember>& JsonValue::members() const {
  return type_ == Type::kObject ? members_ : kEmptyMembers;
}

size_t JsonValue::size() const {
  if (type_ == Type::kArray) return array_.size();
  if (type_ == Type::kObject) return members_.size();
  return 0;
}

const JsonValue* JsonValue::Find(std::string_view key) const {
  if (type_ != Type::kObject) return nullptr;
  for (const JsonMember& m : members_) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

const JsonValue& JsonValue::Get(std::string_view key) const {
  const JsonValue* v = Find(key);
  return v ? *v : kNull;
}

const JsonValue& JsonValue::At(size_t index) const {
  if (type_ != Type::kArray || index >= array_.size()) return kNull;
  return array_[index];
}

JsonValue JsonValue::Bool(bool b) {
  JsonValue v;
  v.type_ = Type::kBool;
  v.bool_ = b;
  return v;
}

JsonValue JsonValue::Number(double value, std::string literal) {
  JsonValue v;
  v.type_ = Type::kNumber;
  v.number_ = value;
  v.text_ = std::move(literal);
  return v;
}

JsonValue JsonValue::String(std::string s) {
  JsonValue v;
  v.type_ = Type::kString;
  v.text_ = std::move(s);
  return v;
}

JsonValue JsonValue::Array(std::vector<JsonValue> elements) {
  JsonValue v;
  v.type_ = Type::kArray;
  v.array_ = std::move(elements);
  return v;
}

JsonValue JsonValue::Object(std::vector<JsonMember> members) {
  JsonValue v;
  v.type_ = Type::kObject;
  v.members_ = std::move(members);
  return v;
}

std::optional<int64_t> JsonInteger(const JsonValue& v, size_t max_digits) {
  if (v.is_number()) return v.AsInt64();
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.string_value();
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  int64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

Result<JsonValue> ParseJson(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Status::InvalidArgument("JSON: document larger than " +
                                   std::to_string(limits.max_bytes) + " bytes");
  }
  return Parser(text, limits.max_depth).ParseDocument();
}

std::string JsonEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + s.size() / 8 + 2);
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      uint32_t cp;
      size_t len = DecodeUtf8(s, i, &cp);
      if (len == 0) {
        AppendUtf8(kReplacement, &out);
        ++i;
      } else {
        out.append(s.data() + i, len);
        i += len;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  out += JsonEscape(s);
  out += '"';
  return out;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    uint32_t cp;
    size_t len = DecodeUtf8(s, i, &cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    uint32_t cp;
    size_t len = DecodeUtf8(s, i, &cp);
    if (len == 0) {
      AppendUtf8(kReplacement, &out);
      ++i;
    } else {
      out.append(s.data() + i, len);
      i += len;
    }
  }
  return out;
}

}  // namespace shg
