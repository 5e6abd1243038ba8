// Reference codes for money actions: 6 characters from an unambiguous
// alphabet (no 0/O/1/I), random from the OS CSPRNG. Uniqueness is enforced
// by the store (UNIQUE column; callers retry on collision). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "domain/result.h"

namespace shg {

inline constexpr std::string_view kReferenceAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
std::string NewReferenceCode();
bool IsReferenceCode(std::string_view s);

// Collisions in a row before giving up on a fresh code: with 32^6 codes a
// collision is rare, several in a row mean something else is wrong.
inline constexpr int kReferenceAttempts = 8;

// The retry on collision: calls `attempt(code)` (-> Result<std::optional<T>>)
// with a fresh NewReferenceCode() until it returns a value or an error; an
// empty optional means `code` collided. Unavailable "could not allocate a
// unique reference code" after kReferenceAttempts collisions.
template <typename T, typename Attempt>
Result<T> WithFreshReference(Attempt attempt) {
  for (int i = 0; i < kReferenceAttempts; ++i) {
    Result<std::optional<T>> r = attempt(NewReferenceCode());
    if (!r.ok()) return r.status();
    if (r->has_value()) return std::move(**r);
  }
  return Status::Unavailable("could not allocate a unique reference code");
}

}  // namespace shg
