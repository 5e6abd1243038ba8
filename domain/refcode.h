// Reference codes for money actions: 6 characters from an unambiguous
// alphabet (no 0/O/1/I), random from the OS CSPRNG. Uniqueness is enforced
// by the store (UNIQUE column; callers retry on collision). Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace shg {

inline constexpr std::string_view kReferenceAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
std::string NewReferenceCode();
bool IsReferenceCode(std::string_view s);

}  // namespace shg
