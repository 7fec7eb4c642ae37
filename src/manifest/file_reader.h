// The bytes of one manifest file, read within a bound that holds before the bytes are held: a
// file, a pipe or a device such as /dev/zero can make nodrop hold at most kMaxManifestBytes + 1.
#pragma once

#include <cstddef>
#include <istream>
#include <string>

#include "base/status.h"

namespace nodrop::manifest {

// The largest manifest file nodrop reads: a bound against a runaway generator or a wrong file. The
// YAML reader's node budget (yaml_reader.h) then bounds what the text may become.
inline constexpr std::size_t kMaxManifestBytes = 64 * 1024 * 1024;

// Reads the file at path. A regular file larger than the bound is refused by its size, before any
// byte is read; anything else is read in chunks and refused at the first byte past the bound.
// Errors say what went wrong without the path, which the caller puts first:
//   "cannot open the file", "is a directory", "cannot read the file",
//   "file is larger than 64 MiB", "not enough memory to read the file"
Result<std::string> read_manifest_file(const std::string& path);

// The same for a stream already open (standard input): refused at the first byte past the bound.
Result<std::string> read_manifest_stream(std::istream& stream);

}  // namespace nodrop::manifest
