// The files a manifest verb (`nodrop check`, `nodrop validate`) reads, from the paths on its
// command line: a directory stands for every *.yaml, *.yml and *.json file below it, in name
// order; "-" (standard input) and any other path stand for themselves.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/status.h"

namespace nodrop::cli {

// Bounds against pointing a verb at "/": the files one run takes from directories, and the
// directory entries it looks at to find them (each costs a system call, and a tree can hold many
// entries that are not manifests).
inline constexpr std::size_t kMaxManifestFiles = 100'000;
inline constexpr std::size_t kMaxDirectoryEntries = 1'000'000;

struct ManifestFiles {
  std::vector<std::string> files;              // in the order of the inputs
  std::vector<std::string> empty_directories;  // directory inputs without a manifest below them
};

// The files named by the inputs, directories expanded. Symbolic links to directories are not
// followed (no loops); an entry whose type cannot be read (a dangling link) is skipped. Errors
// name the input: "DIR: cannot list the directory: REASON", "DIR: more than 100000 files",
// "DIR: more than 1000000 entries below the directory".
Result<ManifestFiles> expand_manifest_inputs(const std::vector<std::string>& inputs);

}  // namespace nodrop::cli
