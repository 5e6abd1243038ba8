#include "domain/phone.h"

#include <array>
#include <string>
#include <string_view>

namespace shg {
namespace {

struct CountryPlan {
  std::string_view iso;           // ISO 3166 alpha-2
  std::string_view calling_code;  // without '+'
  size_t national_digits;         // without the trunk '0'
  std::string_view first_digits;  // allowed first national digits (mobile ranges)
};

constexpr std::array<CountryPlan, 5> kPlans = {{
    {"KE", "254", 9, "71"},
    {"UG", "256", 9, "7"},
    {"TZ", "255", 9, "67"},
    {"RW", "250", 9, "7"},
    {"IN", "91", 10, "6789"},
}};

const CountryPlan* FindPlanByIso(std::string_view iso) {
  for (const CountryPlan& p : kPlans) {
    if (p.iso == iso) return &p;
  }
  return nullptr;
}

const CountryPlan* FindPlanByPrefix(std::string_view digits) {
  for (const CountryPlan& p : kPlans) {
    if (digits.substr(0, p.calling_code.size()) == p.calling_code) return &p;
  }
  return nullptr;
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Result<std::string> CheckNational(const CountryPlan& plan, std::string_view national) {
  if (national.size() != plan.national_digits) {
    return Status::InvalidArgument("Phone number has the wrong number of digits for " +
                                   std::string(plan.iso));
  }
  if (plan.first_digits.find(national.front()) == std::string_view::npos) {
    return Status::InvalidArgument("Not a mobile number for " + std::string(plan.iso));
  }
  return "+" + std::string(plan.calling_code) + std::string(national);
}

Result<std::string> WithCallingCode(std::string_view digits) {
  const CountryPlan* plan = FindPlanByPrefix(digits);
  if (plan == nullptr) return Status::InvalidArgument("Unsupported country code");
  return CheckNational(*plan, digits.substr(plan->calling_code.size()));
}

}  // namespace

std::string_view PhoneCountry(std::string_view e164) {
  if (e164.empty() || e164.front() != '+') return "";
  const CountryPlan* plan = FindPlanByPrefix(e164.substr(1));
  return plan == nullptr ? std::string_view() : plan->iso;
}

Result<std::string> ParsePhone(std::string_view raw, std::string_view default_country) {
  std::string s;
  s.reserve(raw.size());
  for (char c : raw) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    s.push_back(c);
  }
  if (s.empty()) return Status::InvalidArgument("Enter a phone number");

  if (s.front() == '+') {
    std::string_view digits = std::string_view(s).substr(1);
    if (digits.empty() || !AllDigits(digits)) {
      return Status::InvalidArgument("Phone number must contain only digits");
    }
    return WithCallingCode(digits);
  }
  if (!AllDigits(s)) return Status::InvalidArgument("Phone number must contain only digits");

  std::string_view digits = s;
  // "00" is the international prefix in all five countries; no national
  // number starts with 0 after the trunk prefix, so this is unambiguous.
  if (digits.substr(0, 2) == "00") return WithCallingCode(digits.substr(2));

  const CountryPlan* home = FindPlanByIso(default_country);
  if (digits.front() == '0') {
    if (home == nullptr) {
      return Status::InvalidArgument("Unknown default country '" + std::string(default_country) +
                                     "'");
    }
    return CheckNational(*home, digits.substr(1));
  }
  // A national number typed without its trunk '0' has exactly the national
  // length; with a calling code it is always longer.
  if (home != nullptr && digits.size() == home->national_digits) {
    return CheckNational(*home, digits);
  }
  return WithCallingCode(digits);
}

std::string MaskPhone(std::string_view e164) {
  const std::string masked_whole(e164.size(), '*');
  if (e164.size() < 2 || e164.front() != '+') return masked_whole;
  std::string_view digits = e164.substr(1);
  if (!AllDigits(digits)) return masked_whole;
  const CountryPlan* plan = FindPlanByPrefix(digits);
  if (plan == nullptr) return masked_whole;
  // '+', the calling code and the first national digit stay visible.
  const size_t keep_front = 1 + plan->calling_code.size() + 1;
  const size_t keep_back = 4;
  if (e164.size() <= keep_front + keep_back) return masked_whole;
  std::string out(e164.substr(0, keep_front));
  out.append(e164.size() - keep_front - keep_back, '*');
  out.append(e164.substr(e164.size() - keep_back));
  return out;
}

}  // namespace shg
