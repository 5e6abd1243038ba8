// Status and Result<T>: expected failures as values (leveldb style).
//
// A Status is either OK or carries a Code and a human-readable message meant
// for logs and (where the caller chooses) for a 4xx reason. Result<T> holds a
// T on success or a non-OK Status. Both are cheap to move and not thread-safe
// to mutate concurrently (they are plain values).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace shg {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // bad input from a caller (re-ask / 400)
    kNotFound,
    kAlreadyExists,
    kFailedPrecondition,  // state does not allow it (e.g. already confirmed)
    kPermissionDenied,
    kUnauthenticated,
    kLocked,       // PIN locked
    kUnavailable,  // transient (busy database, shutting down)
    kInternal,
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return Status(Code::kInvalidArgument, std::move(m)); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status AlreadyExists(std::string m) { return Status(Code::kAlreadyExists, std::move(m)); }
  static Status FailedPrecondition(std::string m) { return Status(Code::kFailedPrecondition, std::move(m)); }
  static Status PermissionDenied(std::string m) { return Status(Code::kPermissionDenied, std::move(m)); }
  static Status Unauthenticated(std::string m) { return Status(Code::kUnauthenticated, std::move(m)); }
  static Status Locked(std::string m) { return Status(Code::kLocked, std::move(m)); }
  static Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T>: a T, or a non-OK Status. Accessing value() on an error is a bug
// (asserted in debug builds).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T& value() & { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  // The error; OK when the result holds a value.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

inline std::string Status::ToString() const {
  static const char* const kNames[] = {"OK", "INVALID_ARGUMENT", "NOT_FOUND", "ALREADY_EXISTS",
                                       "FAILED_PRECONDITION", "PERMISSION_DENIED", "UNAUTHENTICATED",
                                       "LOCKED", "UNAVAILABLE", "INTERNAL"};
  std::string s = kNames[static_cast<int>(code_)];
  if (!message_.empty()) s += ": " + message_;
  return s;
}

}  // namespace shg

#define SHG_RETURN_IF_ERROR(expr)            \
  do {                                       \
    ::shg::Status shg_status_ = (expr);      \
    if (!shg_status_.ok()) return shg_status_; \
  } while (0)
