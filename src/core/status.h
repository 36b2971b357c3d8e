// Status and Result<T>: how every fallible operation in Xinyong reports failure.
// Codes follow Abseil's canonical set; exactly one place (server/http_status.cc) maps them to
// HTTP statuses. Both types are [[nodiscard]]; to drop one on purpose write `.IgnoreError()`.
// Thread-safety: plain values, safe to copy between threads.
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace xinyong {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument = 1,     // the caller's input is malformed; retrying the same input fails again
  kNotFound = 2,            // the named object does not exist
  kAlreadyExists = 3,       // an object with that identity exists already
  kFailedPrecondition = 4,  // the system is not in a state that allows the operation
  kPermissionDenied = 5,    // the caller may not do this
  kResourceExhausted = 6,   // a size or count limit was exceeded
  kUnavailable = 7,         // transient; retry may succeed
  kDataLoss = 8,            // stored data is corrupt or unreadable
  kInternal = 9,            // a bug or an invariant broken inside Xinyong
};

// Returns the stable lower-case name of a code ("invalid_argument"), used in API errors.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_argument: message" or "ok".
  std::string ToString() const;
  // The one searchable way to drop a Status on purpose.
  void IgnoreError() const {}

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result constructed from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  void IgnoreError() const {}

 private:
  std::variant<T, Status> v_;
};

}  // namespace xinyong

#define XY_CONCAT_INNER(a, b) a##b
#define XY_CONCAT(a, b) XY_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define XY_RETURN_IF_ERROR(expr)                   \
  do {                                             \
    ::xinyong::Status xy_status_ = (expr);         \
    if (!xy_status_.ok()) return xy_status_;       \
  } while (0)

// `XY_ASSIGN_OR_RETURN(auto x, F());` — binds the value or returns the Status.
#define XY_ASSIGN_OR_RETURN(lhs, expr) \
  XY_ASSIGN_OR_RETURN_IMPL(XY_CONCAT(xy_result_, __LINE__), lhs, expr)
#define XY_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
