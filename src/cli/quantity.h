// resource.Quantity as kubectl's describe needs it: parsed from the text a manifest gives
// ("100m", "64Mi", "1.5", "2e3"), compared, added, and written back in its canonical form, the
// way Quantity.String() writes it:
//
//   parsed   canonical   why
//   100m     100m        decimal, not a whole number: milli units
//   0.1      100m
//   1000m    1           a whole number: the largest power of 1000 that divides it
//   1500     1500
//   2000k    2M
//   64Mi     64Mi        binary: the largest power of 1024 that divides it
//   1024Ki   1Mi
//   1000Ki   1000Ki
//   512      512         binary below 1024: written as decimal
//
// Held as a count of milli units in 64 bits: enough for every CPU and memory amount a one-host
// cluster has (up to 8 PiB); finer amounts ("1n") are rounded up to the next milli unit, as
// MilliValue() rounds them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace nodrop::cli {

class Quantity {
 public:
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

  // Zero, written "0".
  Quantity() = default;
  // Null for text that is not a quantity.
  static std::optional<Quantity> parse(const std::string& text);

  std::int64_t milli_value() const { return milli_; }
  // Value(): whole units, rounded up.
  std::int64_t value() const;
  Format format() const { return format_; }

  // Add keeps the format of the left-hand side (of the first of a sum), as Quantity.Add does.
  Quantity& operator+=(const Quantity& other) {
    milli_ += other.milli_;
    return *this;
  }
  auto operator<=>(const Quantity& other) const { return milli_ <=> other.milli_; }
  bool operator==(const Quantity& other) const { return milli_ == other.milli_; }

  std::string to_string() const;

 private:
  std::int64_t milli_ = 0;
  Format format_ = Format::kDecimalSI;
};

}  // namespace nodrop::cli
