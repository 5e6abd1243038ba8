#include "gateway/cli/amounts.h"

#include <string>

namespace shg::cli {

Result<int64_t> ParseUnits(std::string_view text, const Currency& currency, int64_t max_minor) {
  std::string shown = "'";
  shown.append(text.substr(0, 32));
  shown += "'";
  if (text.empty()) return Status::InvalidArgument("amount is empty");
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  auto all_digits = [](std::string_view s) {
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  if (whole.empty() || !all_digits(whole) || !all_digits(fraction) ||
      (dot != std::string_view::npos && fraction.empty())) {
    return Status::InvalidArgument("amount " + shown +
                                   " must be whole currency units, e.g. 1500 or 1816.67");
  }
  if (static_cast<int>(fraction.size()) > currency.exponent) {
    return Status::InvalidArgument(
        "amount " + shown + ": " + currency.code +
        (currency.exponent == 0 ? " has no fraction"
                                : " has at most " + std::to_string(currency.exponent) +
                                      " decimal places"));
  }
  // Digit by digit with an overflow check: max_minor bounds the result, so
  // stopping as soon as it is exceeded also keeps int64 from overflowing.
  int64_t minor = 0;
  auto push = [&](char digit) {
    if (minor > max_minor / 10 || minor * 10 > max_minor - (digit - '0')) return false;
    minor = minor * 10 + (digit - '0');
    return true;
  };
  bool fits = true;
  for (char c : whole) fits = fits && push(c);
  for (char c : fraction) fits = fits && push(c);
  for (int i = static_cast<int>(fraction.size()); i < currency.exponent; ++i) {
    fits = fits && push('0');
  }
  if (!fits) return Status::InvalidArgument("amount " + shown + " is too large");
  if (minor == 0) return Status::InvalidArgument("amount " + shown + " must be above zero");
  return minor;
}

std::string UnitsText(int64_t minor, const Currency& currency) {
  const bool negative = minor < 0;
  // Via uint64 so that INT64_MIN has a magnitude.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  uint64_t scale = 1;
  for (int i = 0; i < currency.exponent; ++i) scale *= 10;
  std::string out = negative ? "-" : "";
  out += std::to_string(magnitude / scale);
  uint64_t fraction = magnitude % scale;
  if (fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, static_cast<size_t>(currency.exponent) - digits.size(), '0');
    out += "." + digits;
  }
  return out;
}

std::string MoneyText(int64_t minor, const std::string& currency_code) {
  Result<Currency> currency = FindCurrency(currency_code);
  if (!currency.ok()) return currency_code + " " + std::to_string(minor) + " (minor units)";
  return FormatMoney(minor, *currency);
}

}  // namespace shg::cli
