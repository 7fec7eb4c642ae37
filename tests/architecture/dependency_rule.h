// The dependency rule of DESIGN.md §3, as a checker over a source tree.
//
//  1. A module includes headers only from itself and from the modules it may use (transitively).
//  2. No OS header, clock read, sleep, process or socket call, or unseeded randomness outside
//     src/live/: everything nondeterministic comes through a runtime port.
//  3. The YAML library is included only in src/manifest/, SQLite only in src/store/.
//
// Tests (*_test.cc) may in addition use `sim`, so that timing rules run in virtual time.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace nodrop::architecture {

struct Violation {
  std::string file;  // relative to the source root, e.g. "controller/rolling.cc"
  int line = 0;
  std::string rule;  // "include-direction", "os-header", "clock-or-os-call", "library-header"
  std::string detail;
};

// Module name -> the modules it may include directly (DESIGN.md §3). The checker closes it
// transitively.
std::map<std::string, std::set<std::string>> design_module_graph();

// Checks every .h and .cc under source_root (the project's src/ directory).
std::vector<Violation> check_source_tree(const std::filesystem::path& source_root);

std::string to_string(const Violation& violation);

}  // namespace nodrop::architecture
