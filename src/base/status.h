// Errors as values (leveldb's Status): a Status is ok or carries a code and a message for a person.
// Result<T> holds either a T or a non-ok Status; g++ 12 has no std::expected.
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "base/check.h"

namespace nodrop {

enum class StatusCode {
  kOk,
  kInvalidArgument,  // the user's input is wrong
  kNotFound,
  kAlreadyExists,
  kConflict,  // written against a stale version of the object (Kubernetes' 409)
  kExpired,   // asked for a version no longer kept (Kubernetes' 410 Gone)
  kFailedPrecondition,
  kResourceExhausted,  // a bound was reached
  kUnavailable,        // try again later
  kDeadlineExceeded,
  kIoError,
  kInternal,
};

const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: message", or "OK".
  std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string message) {
  return {StatusCode::kInvalidArgument, std::move(message)};
}
inline Status not_found(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
inline Status io_error(std::string message) { return {StatusCode::kIoError, std::move(message)}; }
inline Status conflict(std::string message) { return {StatusCode::kConflict, std::move(message)}; }
inline Status internal_error(std::string message) {
  return {StatusCode::kInternal, std::move(message)};
}

// A value or the error that stopped its making: a Status by default, or a type of the module's
// own where callers read the error's parts (manifest::YamlError: its line and column).
template <typename T, typename E = Status>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(E error) : value_(std::move(error)) {   // NOLINT(google-explicit-constructor)
    if constexpr (std::is_same_v<E, Status>) NODROP_CHECK(!std::get<Status>(value_).is_ok());
  }

  bool is_ok() const { return std::holds_alternative<T>(value_); }
  explicit operator bool() const { return is_ok(); }

  const Status& status() const requires std::is_same_v<E, Status> {
    static const Status kOkStatus;
    return is_ok() ? kOkStatus : std::get<Status>(value_);
  }
  const E& error() const {
    NODROP_CHECK(!is_ok());
    return std::get<E>(value_);
  }
  T& value() & {
    NODROP_CHECK(is_ok());
    return std::get<T>(value_);
  }
  const T& value() const& {
    NODROP_CHECK(is_ok());
    return std::get<T>(value_);
  }
  T&& value() && {
    NODROP_CHECK(is_ok());
    return std::get<T>(std::move(value_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, E> value_;
};

}  // namespace nodrop
