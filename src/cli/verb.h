// A CLI verb: one file per verb (STYLE.md §9), listed in verbs.cc.
//
// A verb receives its arguments (without the program name and the verb) and two streams, and
// returns the process exit status. Verbs never call exit(): the caller owns the process.
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nodrop::cli {

using Args = std::vector<std::string>;

struct Verb {
  std::string_view name;
  std::string_view summary;  // one line for `nodrop help`
  int (*run)(const Args& args, std::ostream& out, std::ostream& err);
};

// Every verb of the binary, in the order `nodrop help` lists them.
std::span<const Verb> verbs();

// Dispatches argv[1] to its verb. Exit status 2 for a command that does not exist; 1, after a
// message, when the verb runs out of memory (std::bad_alloc never ends the process).
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// Exit statuses shared by all verbs.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the command ran and found a problem
inline constexpr int kExitUsage = 2;    // bad command line, or input that could not be read

}  // namespace nodrop::cli
