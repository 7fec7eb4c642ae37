// intstr.IntOrString: a field that holds either an int32 or a string ("25%", "http").
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace nodrop::api {

class IntOrString {
 public:
  IntOrString() = default;
  static IntOrString from_int(std::int32_t value) {
    IntOrString result;
    result.int_value_ = value;
    return result;
  }
  static IntOrString from_string(std::string value) {
    IntOrString result;
    result.is_string_ = true;
    result.string_value_ = std::move(value);
    return result;
  }

  bool is_string() const { return is_string_; }
  std::int32_t int_value() const { return int_value_; }
  const std::string& string_value() const { return string_value_; }
  // The value as a user wrote it: 3, or 25%.
  std::string to_string() const { return is_string_ ? string_value_ : std::to_string(int_value_); }

  bool operator==(const IntOrString&) const = default;

 private:
  bool is_string_ = false;
  std::int32_t int_value_ = 0;
  std::string string_value_;
};

// intstr.GetScaledValueFromIntOrPercent: an int is returned unchanged; "NN%" scales total, rounding
// up or down (exact integer arithmetic, which equals Kubernetes' float64 result because p*total is
// an integer). A string without a trailing '%' or with a non-integer percentage is an error.
//
//   value  total  round_up  result
//   3      10     any       3
//   "25%"  10     true      3      (2.5 -> 3)
//   "25%"  10     false     2
//   "0%"   0      any       0
//   "5"    10     any       error: invalid value for IntOrString: invalid type: string is not a
//   percentage
Result<std::int32_t> scaled_value_from_int_or_percent(const IntOrString& value, std::int32_t total,
                                                      bool round_up);

// The percentage of a "NN%" string, or an error when it is not one.
Result<std::int32_t> parse_percent(const std::string& text);

}  // namespace nodrop::api
