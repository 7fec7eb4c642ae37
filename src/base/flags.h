// Reading a command line: the one flag reader every verb uses, so that each takes its flags the
// same way: `--name value` or `--name=value`, switches without a value, positional arguments in
// any order, "--" ending the flags.
//
//   FlagReader flags(args);
//   while (flags.next()) {
//     if (!flags.at_flag()) { files.push_back(flags.argument()); continue; }
//     if (flags.is("--strict")) { strict = true; continue; }
//     if (flags.is("-o", "--output")) {
//       Result<std::string> output = flags.value();
//       if (!output) return output.status();  // "-o needs a value"
//       continue;
//     }
//     return flags.unknown();  // "unknown flag --x": known or not before any value is taken
//   }
//
// Every error is an InvalidArgument Status whose message names the flag as the user wrote it.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace nodrop {

// "500ms", "10s", "1.5m", "1h" (the forms Kubernetes' and Go's users write). 0 is refused unless
// allow_zero; at most a million seconds.
Result<std::chrono::nanoseconds> parse_duration(std::string_view text, bool allow_zero);

class FlagReader {
 public:
  explicit FlagReader(std::span<const std::string> args) : args_(args) {}

  // Moves to the next argument (after the value of the current flag, if it took one); false when
  // there is none left.
  bool next();
  // Whether the current argument is a flag: starts with '-', is not "-" alone (standard input, a
  // positional argument), and comes before a "--".
  bool at_flag() const { return at_flag_; }
  // The current argument as written.
  const std::string& argument() const { return args_[index_]; }
  // Whether the current flag is one of these names ("--output" matches "--output=json" too).
  bool is(std::string_view name) const;
  bool is(std::string_view name, std::string_view other_name) const {
    return is(name) || is(other_name);
  }

  // The current flag's value: after its "=", else the next argument. For a switch, is_switch()
  // refuses a value given with "=".
  Result<std::string> value();
  Status is_switch() const;
  // The value read by parse (a function from std::string_view to Result<T>); its error is
  // prefixed with the flag's name.
  template <typename Parse>
  auto parsed(Parse parse) -> decltype(parse(std::string_view())) {
    Result<std::string> text = value();
    if (!text) return text.status();
    auto result = parse(std::string_view(*text));
    if (!result) return error(result.status().message());
    return result;
  }
  // The value as a whole number in [min, max].
  Result<std::int64_t> count(std::int64_t min, std::int64_t max);
  // The value as a duration (parse_duration), in [min, max].
  Result<std::chrono::nanoseconds> duration(std::chrono::nanoseconds min,
                                            std::chrono::nanoseconds max);

  // "unknown flag --x".
  Status unknown() const;
  // "--x: message", for a value the caller found wrong.
  Status error(const std::string& message) const;
  // Everything after "--" (for verbs that run a command), once next() has returned false or
  // reached it.
  std::span<const std::string> rest_after_separator() const;

 private:
  std::string_view name() const;

  std::span<const std::string> args_;
  std::size_t index_ = 0;
  std::size_t flag_index_ = 0;  // the current flag, also once value() has moved past its value
  bool started_ = false;
  bool at_flag_ = false;
  bool after_separator_ = false;
  std::size_t separator_ = 0;
};

}  // namespace nodrop
