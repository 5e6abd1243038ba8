#include "domain/money.h"

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace shg {
namespace {

struct CurrencyRow {
  std::string_view code;
  int exponent;
};

constexpr std::array<CurrencyRow, 5> kCurrencies = {{
    {"KES", 2},
    {"UGX", 0},
    {"TZS", 2},
    {"RWF", 0},
    {"INR", 2},
}};

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

int64_t Pow10(int exponent) {
  int64_t p = 1;
  for (int i = 0; i < exponent; ++i) p *= 10;
  return p;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// "12500" -> "12,500".
std::string GroupThousands(uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

// Returns the digits of an integer part ("1,500" or "1500") without
// separators, or "" if a separator is misplaced or a character is not a digit.
std::string IntegerDigits(std::string_view part) {
  std::string digits;
  if (part.find(',') == std::string_view::npos) {
    for (char c : part) {
      if (!IsDigit(c)) return "";
      digits.push_back(c);
    }
    return digits;
  }
  // With separators: a first group of 1-3 digits (no leading zero), then
  // groups of exactly 3. "15,00" is most likely a mistyped "1,500" or "15.00",
  // so it is re-asked rather than guessed.
  size_t group_start = 0;
  bool first = true;
  for (size_t i = 0; i <= part.size(); ++i) {
    if (i < part.size() && part[i] != ',') {
      if (!IsDigit(part[i])) return "";
      digits.push_back(part[i]);
      continue;
    }
    size_t len = i - group_start;
    if (first) {
      if (len < 1 || len > 3 || part[group_start] == '0') return "";
      first = false;
    } else if (len != 3) {
      return "";
    }
    group_start = i + 1;
  }
  return digits;
}

}  // namespace

Result<Currency> FindCurrency(std::string_view code) {
  for (const CurrencyRow& row : kCurrencies) {
    if (row.code == code) return Currency{std::string(row.code), row.exponent};
  }
  return Status::NotFound("unknown currency '" + std::string(code) + "'");
}

Result<int64_t> ParseAmountInput(std::string_view input, const Currency& currency,
                                 int64_t max_minor) {
  std::string_view s = Trim(input);
  if (s.empty()) return Status::InvalidArgument("Enter an amount");
  if (s.front() == '-') return Status::InvalidArgument("Amount must be more than 0");
  if (s.front() == '+') return Status::InvalidArgument("Enter the amount in digits only");

  std::string_view integer_part = s;
  size_t dot = s.find('.');
  if (dot != std::string_view::npos) {
    integer_part = s.substr(0, dot);
    std::string_view fraction = s.substr(dot + 1);
    // Only "200.0" / "200.00": a longer run ("200.000") reads as a thousands
    // separator in some locales and is ambiguous.
    if (fraction.empty() || fraction.size() > 2) {
      return Status::InvalidArgument("Enter the amount in digits only");
    }
    for (char c : fraction) {
      if (!IsDigit(c)) return Status::InvalidArgument("Enter the amount in digits only");
      if (c != '0') {
        return Status::InvalidArgument("Enter an amount in whole " + currency.code);
      }
    }
  }
  if (integer_part.empty()) return Status::InvalidArgument("Enter the amount in digits only");

  for (char c : integer_part) {
    if (!IsDigit(c) && c != ',') return Status::InvalidArgument("Enter the amount in digits only");
  }
  std::string digits = IntegerDigits(integer_part);
  if (digits.empty()) {
    return Status::InvalidArgument("Use commas only between thousands, e.g. 1,500");
  }

  const int64_t scale = Pow10(currency.exponent);
  auto above_limit = [&] {
    return Status::InvalidArgument("Amount is above the limit of " +
                                   FormatMoney(max_minor, currency));
  };
  int64_t whole = 0;
  for (char c : digits) {
    int d = c - '0';
    if (whole > (kMax - d) / 10) return above_limit();
    whole = whole * 10 + d;
  }
  if (whole == 0) return Status::InvalidArgument("Amount must be more than 0");
  if (whole > kMax / scale) return above_limit();
  int64_t minor = whole * scale;
  if (minor > max_minor) return above_limit();
  return minor;
}

std::string FormatMoney(int64_t minor, const Currency& currency) {
  // Magnitude in unsigned arithmetic so INT64_MIN does not overflow.
  uint64_t magnitude = minor < 0 ? static_cast<uint64_t>(0) - static_cast<uint64_t>(minor)
                                 : static_cast<uint64_t>(minor);
  const uint64_t scale = static_cast<uint64_t>(Pow10(currency.exponent));
  uint64_t whole = magnitude / scale;
  uint64_t fraction = magnitude % scale;

  std::string out;
  if (minor < 0) out.push_back('-');
  out += currency.code;
  out.push_back(' ');
  out += GroupThousands(whole);
  if (fraction != 0) {
    std::string f = std::to_string(fraction);
    out.push_back('.');
    out.append(static_cast<size_t>(currency.exponent) - f.size(), '0');
    out += f;
  }
  return out;
}

int64_t ToMinor(int64_t whole_units, const Currency& currency) {
  return whole_units * Pow10(currency.exponent);
}

}  // namespace shg
