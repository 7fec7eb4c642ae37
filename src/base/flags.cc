#include "base/flags.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace nodrop {

Result<std::chrono::nanoseconds> parse_duration(std::string_view text, bool allow_zero) {
  std::size_t unit_start = 0;
  while (unit_start < text.size() &&
         ((text[unit_start] >= '0' && text[unit_start] <= '9') || text[unit_start] == '.')) {
    ++unit_start;
  }
  const std::string_view number = text.substr(0, unit_start);
  const std::string_view unit = text.substr(unit_start);
  double value = 0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  double unit_seconds = 0;
  if (unit == "ms") {
    unit_seconds = 1e-3;
  } else if (unit == "s") {
    unit_seconds = 1;
  } else if (unit == "m") {
    unit_seconds = 60;
  } else if (unit == "h") {
    unit_seconds = 3600;
  }
  const double seconds = value * unit_seconds;
  if (number.empty() || error != std::errc() || end != number.data() + number.size() ||
      unit_seconds == 0 || !std::isfinite(seconds) || seconds > 1e6) {
    return invalid_argument(fmt::format(
        "\"{}\" is not a duration; write a number and a unit: 500ms, 10s, 1.5m, 1h", text));
  }
  const auto duration =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(seconds));
  if (duration <= std::chrono::nanoseconds::zero() && !allow_zero) {
    return invalid_argument(fmt::format("\"{}\": the duration must be more than zero", text));
  }
  return duration;
}

bool FlagReader::next() {
  if (started_) {
    ++index_;
  } else {
    started_ = true;
  }
  if (index_ < args_.size() && !after_separator_ && args_[index_] == "--") {
    after_separator_ = true;
    separator_ = index_;
    ++index_;
  }
  if (index_ >= args_.size()) {
    at_flag_ = false;
    return false;
  }
  flag_index_ = index_;
  const std::string& argument = args_[index_];
  at_flag_ = !after_separator_ && argument.size() > 1 && argument[0] == '-';
  return true;
}

std::string_view FlagReader::name() const {
  const std::string_view argument = args_[flag_index_];
  return argument.substr(0, argument.find('='));
}

bool FlagReader::is(std::string_view name) const { return at_flag_ && this->name() == name; }

Status FlagReader::error(const std::string& message) const {
  return invalid_argument(fmt::format("{}: {}", name(), message));
}

Result<std::string> FlagReader::value() {
  const std::string& argument = args_[flag_index_];
  const auto equals = argument.find('=');
  if (equals != std::string::npos) return argument.substr(equals + 1);
  if (index_ + 1 >= args_.size() || (args_[index_ + 1] == "--" && !after_separator_)) {
    return invalid_argument(fmt::format("{} needs a value", name()));
  }
  return args_[++index_];
}

Status FlagReader::is_switch() const {
  if (args_[flag_index_].find('=') != std::string::npos) return error("takes no value");
  return Status::ok();
}

Result<std::int64_t> FlagReader::count(std::int64_t min, std::int64_t max) {
  Result<std::string> text = value();
  if (!text) return text.status();
  std::int64_t number = 0;
  const auto [end, error_code] = std::from_chars(text->data(), text->data() + text->size(), number);
  if (text->empty() || error_code != std::errc() || end != text->data() + text->size() ||
      number < min || number > max) {
    return error(fmt::format("\"{}\": expected a whole number from {} to {}", *text, min, max));
  }
  return number;
}

Result<std::chrono::nanoseconds> FlagReader::duration(std::chrono::nanoseconds min,
                                                      std::chrono::nanoseconds max) {
  Result<std::string> text = value();
  if (!text) return text.status();
  Result<std::chrono::nanoseconds> parsed = parse_duration(*text, min.count() == 0);
  if (!parsed) return error(parsed.status().message());
  if (*parsed < min || *parsed > max) {
    const auto as_text = [](std::chrono::nanoseconds duration) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
      return ms % 1000 == 0 ? fmt::format("{}s", ms / 1000) : fmt::format("{}ms", ms);
    };
    return error(fmt::format("\"{}\": expected from {} to {}", *text, as_text(min), as_text(max)));
  }
  return parsed;
}

Status FlagReader::unknown() const {
  return invalid_argument(fmt::format("unknown flag {}", name()));
}

std::span<const std::string> FlagReader::rest_after_separator() const {
  if (!after_separator_) return {};
  return args_.subspan(separator_ + 1);
}

}  // namespace nodrop
