#include "base/time.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdio>

namespace nodrop {
namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

void civil_from_days(std::int64_t days, std::int64_t* year, unsigned* month, unsigned* day) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned month_index = (5 * day_of_year + 2) / 153;
  *day = day_of_year - (153 * month_index + 2) / 5 + 1;
  *month = month_index < 10 ? month_index + 3 : month_index - 9;
  *year = static_cast<std::int64_t>(year_of_era) + era * 400 + (*month <= 2 ? 1 : 0);
}

}  // namespace

std::string format_rfc3339(WallTime time) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time.time_since_epoch()).count();
  const std::int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  const std::int64_t second_of_day = seconds - days * 86400;
  std::int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  civil_from_days(days, &year, &month, &day);
  char buffer[64];
  std::snprintf(
      buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(year),
      month, day, static_cast<long long>(second_of_day / 3600),
      static_cast<long long>(second_of_day / 60 % 60), static_cast<long long>(second_of_day % 60));
  return buffer;
}

std::string format_rfc3339_micro(WallTime time) {
  // Microseconds since the start of the second, floored as the seconds are.
  const auto since_epoch = std::chrono::floor<std::chrono::microseconds>(time.time_since_epoch());
  const auto micros = (since_epoch - std::chrono::floor<std::chrono::seconds>(since_epoch)).count();
  std::string text = format_rfc3339(time);  // "...:05Z"
  text.insert(text.size() - 1, fmt::format(".{:06}", micros));
  return text;
}

namespace {

// Reads exactly `count` ASCII digits at text[position]; false on anything else.
bool read_digits(const std::string& text, std::size_t position, std::size_t count,
                 std::int64_t* out) {
  if (position + count > text.size()) return false;
  std::int64_t value = 0;
  for (std::size_t i = position; i < position + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

bool expect_char(const std::string& text, std::size_t position, char expected) {
  return position < text.size() && text[position] == expected;
}

}  // namespace

bool parse_rfc3339(const std::string& text, WallTime* out) {
  std::int64_t year = 0;
  std::int64_t month = 0;
  std::int64_t day = 0;
  std::int64_t hour = 0;
  std::int64_t minute = 0;
  std::int64_t second = 0;
  const bool shape = read_digits(text, 0, 4, &year) && expect_char(text, 4, '-') &&
                     read_digits(text, 5, 2, &month) && expect_char(text, 7, '-') &&
                     read_digits(text, 8, 2, &day) &&
                     (expect_char(text, 10, 'T') || expect_char(text, 10, 't')) &&
                     read_digits(text, 11, 2, &hour) && expect_char(text, 13, ':') &&
                     read_digits(text, 14, 2, &minute) && expect_char(text, 16, ':') &&
                     read_digits(text, 17, 2, &second);
  if (!shape) return false;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return false;
  }
  std::size_t position = 19;
  std::int64_t nanos = 0;
  if (expect_char(text, position, '.')) {
    ++position;
    std::int64_t scale = 100000000;
    const std::size_t digits_start = position;
    while (position < text.size() && std::isdigit(static_cast<unsigned char>(text[position]))) {
      nanos += (text[position] - '0') * scale;
      scale /= 10;
      ++position;
    }
    if (position == digits_start) return false;
  }
  std::int64_t offset_seconds = 0;
  if (expect_char(text, position, 'Z') || expect_char(text, position, 'z')) {
    ++position;
  } else if (expect_char(text, position, '+') || expect_char(text, position, '-')) {
    std::int64_t offset_hour = 0;
    std::int64_t offset_minute = 0;
    if (!read_digits(text, position + 1, 2, &offset_hour) ||
        !expect_char(text, position + 3, ':') ||
        !read_digits(text, position + 4, 2, &offset_minute)) {
      return false;
    }
    offset_seconds = (offset_hour * 3600 + offset_minute * 60) * (text[position] == '+' ? 1 : -1);
    position += 6;
  } else {
    return false;
  }
  if (position != text.size()) return false;
  const std::int64_t seconds =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
      hour * 3600 + minute * 60 + second - offset_seconds;
  *out = WallTime(std::chrono::seconds(seconds) + std::chrono::nanoseconds(nanos));
  return true;
}

}  // namespace nodrop
