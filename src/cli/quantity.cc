#include "cli/quantity.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <utility>

namespace nodrop::cli {
namespace {

struct Suffix {
  const char* text;
  long double multiplier;
  Quantity::Format format;
};

// Longest first, so "Mi" is taken before "M" and "m".
constexpr Suffix kSuffixes[] = {
    {"Ki", 1024.0L, Quantity::Format::kBinarySI},
    {"Mi", 1024.0L * 1024, Quantity::Format::kBinarySI},
    {"Gi", 1024.0L * 1024 * 1024, Quantity::Format::kBinarySI},
    {"Ti", 1024.0L * 1024 * 1024 * 1024, Quantity::Format::kBinarySI},
    {"Pi", 1024.0L * 1024 * 1024 * 1024 * 1024, Quantity::Format::kBinarySI},
    {"Ei", 1024.0L * 1024 * 1024 * 1024 * 1024 * 1024, Quantity::Format::kBinarySI},
    {"n", 1e-9L, Quantity::Format::kDecimalSI},
    {"u", 1e-6L, Quantity::Format::kDecimalSI},
    {"m", 1e-3L, Quantity::Format::kDecimalSI},
    {"k", 1e3L, Quantity::Format::kDecimalSI},
    {"M", 1e6L, Quantity::Format::kDecimalSI},
    {"G", 1e9L, Quantity::Format::kDecimalSI},
    {"T", 1e12L, Quantity::Format::kDecimalSI},
    {"P", 1e15L, Quantity::Format::kDecimalSI},
    {"E", 1e18L, Quantity::Format::kDecimalSI},
};

// A whole amount divided by base as often as it divides evenly (at most `limit` times).
std::pair<std::int64_t, int> reduce(std::int64_t amount, std::int64_t base, int limit) {
  int steps = 0;
  while (amount != 0 && amount % base == 0 && steps < limit) {
    amount /= base;
    ++steps;
  }
  return {amount, steps};
}

}  // namespace

std::optional<Quantity> Quantity::parse(const std::string& text) {
  std::size_t end = 0;
  if (end < text.size() && (text[end] == '+' || text[end] == '-')) ++end;
  bool digits = false;
  while (end < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[end])) != 0 || text[end] == '.')) {
    digits = digits || text[end] != '.';
    ++end;
  }
  if (!digits) return std::nullopt;
  const long double number = std::strtold(text.substr(0, end).c_str(), nullptr);
  const std::string suffix = text.substr(end);
  Quantity quantity;
  long double multiplier = 1;
  if (suffix.empty()) {
    quantity.format_ = Format::kDecimalSI;
  } else if (suffix[0] == 'e' || suffix[0] == 'E') {
    char* exponent_end = nullptr;
    const long exponent = std::strtol(suffix.c_str() + 1, &exponent_end, 10);
    if (suffix.size() == 1 || *exponent_end != '\0') return std::nullopt;
    multiplier = std::pow(10.0L, static_cast<long double>(exponent));
    quantity.format_ = Format::kDecimalExponent;
  } else {
    const Suffix* found = nullptr;
    for (const Suffix& candidate : kSuffixes) {
      if (suffix == candidate.text) found = &candidate;
    }
    if (found == nullptr) return std::nullopt;
    multiplier = found->multiplier;
    quantity.format_ = found->format;
  }
  const long double milli = std::ceil(number * multiplier * 1000.0L - 1e-9L);
  if (!(std::fabs(milli) < 9e18L)) return std::nullopt;
  quantity.milli_ = static_cast<std::int64_t>(milli);
  return quantity;
}

std::int64_t Quantity::value() const {
  return milli_ >= 0 ? (milli_ + 999) / 1000 : -((-milli_) / 1000);
}

std::string Quantity::to_string() const {
  if (milli_ == 0) return "0";
  Format format = format_;
  // Binary only for whole amounts of at least 1024 (Quantity.CanonicalizeBytes).
  if (format == Format::kBinarySI && (milli_ % 1000 != 0 || std::llabs(milli_) < 1024 * 1000)) {
    format = Format::kDecimalSI;
  }
  if (format == Format::kBinarySI) {
    static const char* const kBinary[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    const auto [amount, steps] = reduce(milli_ / 1000, 1024, 6);
    return std::to_string(amount) + kBinary[steps];
  }
  if (milli_ % 1000 != 0) {
    return std::to_string(milli_) + (format == Format::kDecimalExponent ? "e-3" : "m");
  }
  static const char* const kDecimal[] = {"", "k", "M", "G", "T", "P", "E"};
  const auto [amount, steps] = reduce(milli_ / 1000, 1000, 6);
  if (format == Format::kDecimalExponent) {
    return std::to_string(amount) + (steps == 0 ? "" : "e" + std::to_string(3 * steps));
  }
  return std::to_string(amount) + kDecimal[steps];
}

}  // namespace nodrop::cli
