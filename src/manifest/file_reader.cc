#include "manifest/file_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <new>
#include <system_error>

namespace nodrop::manifest {
namespace {

Status too_large() {
  return Status(StatusCode::kResourceExhausted,
                fmt::format("file is larger than {} MiB", kMaxManifestBytes / (1024 * 1024)));
}

// Reads to the end of the stream, or refuses it when one more byte follows the bound's worth.
// expected_size is the size the file says it has (0 when unknown), reserved at once so that the
// text is not moved as it grows; otherwise the text doubles from 1 MiB up to the bound (2^26, so
// libstdc++'s own doubling never takes it past). Bytes are read a chunk at a time, so that no more
// memory is touched than the stream has given.
Result<std::string> read_bounded(std::istream& stream, std::size_t expected_size) {
  constexpr std::size_t kChunkBytes = 1024 * 1024;
  std::string text;
  try {
    text.reserve(std::min(expected_size, kMaxManifestBytes));
    for (;;) {
      const std::size_t held = text.size();
      if (held == text.capacity() || held == kMaxManifestBytes) {
        // Full: grow only when there is more to read.
        if (stream.peek() == std::char_traits<char>::eof()) break;
        if (held == kMaxManifestBytes) return too_large();
        text.reserve(std::min(std::max(2 * held, kChunkBytes), kMaxManifestBytes));
      }
      const std::size_t wanted =
          std::min(kChunkBytes, std::min(text.capacity(), kMaxManifestBytes) - held);
      text.resize(held + wanted);
      stream.read(text.data() + held, static_cast<std::streamsize>(wanted));
      const auto got = static_cast<std::size_t>(stream.gcount());
      text.resize(held + got);
      if (got < wanted) break;  // the end of the file, or an error
    }
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kResourceExhausted, "not enough memory to read the file");
  }
  if (stream.bad()) return io_error("cannot read the file");
  return text;
}

}  // namespace

Result<std::string> read_manifest_file(const std::string& path) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (std::filesystem::is_directory(status)) return io_error("is a directory");
  std::size_t expected_size = 0;
  if (std::filesystem::is_regular_file(status)) {
    expected_size = std::filesystem::file_size(path, error);
    if (error) expected_size = 0;
    if (expected_size > kMaxManifestBytes) return too_large();
  }
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return io_error("cannot open the file");
  return read_bounded(stream, expected_size);
}

Result<std::string> read_manifest_stream(std::istream& stream) { return read_bounded(stream, 0); }

}  // namespace nodrop::manifest
