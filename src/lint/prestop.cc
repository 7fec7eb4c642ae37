#include "lint/prestop.h"

#include <cctype>

namespace nodrop::lint {
namespace {

// The longest sleep worth reading: a day. Longer values are not a drain, and the bound keeps the
// arithmetic far from overflow.
constexpr std::int64_t kMaxSleepSeconds = 24 * 60 * 60;

bool is_sleep_program(const std::string& program) {
  return program == "sleep" ||
         (program.size() > 6 && program.compare(program.size() - 6, 6, "/sleep") == 0);
}

bool is_shell(const std::string& program) {
  for (const char* shell : {"sh", "bash", "ash", "dash", "/bin/sh", "/bin/bash", "/bin/ash",
                            "/bin/dash", "/usr/bin/sh", "/usr/bin/bash", "/bin/busybox"}) {
    if (program == shell) return true;
  }
  return false;
}

// "sleep 10 && nginx -s quit": the first command of a shell script, if it is a sleep.
std::optional<std::int64_t> script_sleep_seconds(std::string_view script) {
  std::size_t at = 0;
  auto skip_spaces = [&] {
    while (at < script.size() && std::isspace(static_cast<unsigned char>(script[at])) != 0) ++at;
  };
  skip_spaces();
  if (script.substr(at, 4) == "exec") {
    at += 4;
    skip_spaces();
  }
  std::size_t word_end = at;
  while (word_end < script.size() &&
         std::isspace(static_cast<unsigned char>(script[word_end])) == 0 &&
         script[word_end] != ';') {
    ++word_end;
  }
  if (!is_sleep_program(std::string(script.substr(at, word_end - at)))) return std::nullopt;
  at = word_end;
  skip_spaces();
  std::size_t argument_end = at;
  while (argument_end < script.size() &&
         std::isspace(static_cast<unsigned char>(script[argument_end])) == 0 &&
         script[argument_end] != ';' && script[argument_end] != '&' &&
         script[argument_end] != '|') {
    ++argument_end;
  }
  return parse_sleep_argument(script.substr(at, argument_end - at));
}

}  // namespace

std::optional<std::int64_t> parse_sleep_argument(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t whole = 0;
  std::size_t at = 0;
  while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) != 0) {
    whole = whole * 10 + (text[at] - '0');
    if (whole > kMaxSleepSeconds) whole = kMaxSleepSeconds + 1;  // saturate; rejected below
    ++at;
  }
  if (at == 0) return std::nullopt;
  if (at < text.size() && text[at] == '.') {  // a fraction: the kubelet truncates it anyway
    ++at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) != 0) ++at;
  }
  std::int64_t unit_seconds = 1;
  if (at < text.size()) {
    if (at + 1 != text.size()) return std::nullopt;
    switch (text[at]) {
      case 's':
        unit_seconds = 1;
        break;
      case 'm':
        unit_seconds = 60;
        break;
      case 'h':
        unit_seconds = 3600;
        break;
      case 'd':
        unit_seconds = 86400;
        break;
      default:
        return std::nullopt;
    }
  }
  if (whole > kMaxSleepSeconds) return kMaxSleepSeconds;
  const std::int64_t seconds = whole * unit_seconds;
  return seconds > kMaxSleepSeconds ? kMaxSleepSeconds : seconds;
}

std::optional<std::int64_t> prestop_sleep_seconds(const api::Handler& hook) {
  if (hook.sleep.has_value()) return hook.sleep->seconds;
  if (!hook.exec.has_value() || hook.exec->command.empty()) return std::nullopt;
  const std::vector<std::string>& command = hook.exec->command;
  if (is_sleep_program(command[0])) {
    if (command.size() != 2) return std::nullopt;
    return parse_sleep_argument(command[1]);
  }
  if (is_shell(command[0])) {
    // sh -c "script", or busybox sh -c "script"
    std::size_t flag = 1;
    if (command[0] == "/bin/busybox" && command.size() > 1 && command[1] == "sh") flag = 2;
    if (command.size() == flag + 2 && (command[flag] == "-c" || command[flag] == "-ec")) {
      return script_sleep_seconds(command[flag + 1]);
    }
  }
  return std::nullopt;
}

}  // namespace nodrop::lint
