#include "api/int_or_string.h"

#include <charconv>

namespace nodrop::api {

Result<std::int32_t> parse_percent(const std::string& text) {
  if (text.size() < 2 || text.back() != '%') {
    return invalid_argument(
        "invalid value for IntOrString: invalid type: string is not a percentage");
  }
  std::int32_t percent = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size() - 1;
  const auto [stop, error] = std::from_chars(begin, end, percent);
  if (error != std::errc() || stop != end) {
    return invalid_argument("invalid value for IntOrString: invalid value \"" + text + "\"");
  }
  return percent;
}

Result<std::int32_t> scaled_value_from_int_or_percent(const IntOrString& value, std::int32_t total,
                                                      bool round_up) {
  if (!value.is_string()) return value.int_value();
  const Result<std::int32_t> percent = parse_percent(value.string_value());
  if (!percent.is_ok()) return percent.status();
  const std::int64_t product = static_cast<std::int64_t>(*percent) * total;
  if (round_up) {
    // ceil for non-negative products; Kubernetes' math.Ceil for negative ones rounds toward zero.
    return static_cast<std::int32_t>(product >= 0 ? (product + 99) / 100 : product / 100);
  }
  return static_cast<std::int32_t>(product >= 0 ? product / 100 : (product - 99) / 100);
}

}  // namespace nodrop::api
