// A log file with a size bound, as the kubelet rotates container logs: when the next write would
// take the file past max_bytes, it is renamed to "<path>.1" (replacing an older one) and a new
// file is started. The logs of one writer therefore take at most 2 × max_bytes on disk.
//
// One writer per path: two writers would rotate under each other.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace nodrop::live {

class BoundedLogFile {
 public:
  // Opens (appending to) path; an existing file counts towards the bound.
  static Result<BoundedLogFile> open(std::string path, std::uint64_t max_bytes);

  BoundedLogFile(BoundedLogFile&& other) noexcept;
  BoundedLogFile& operator=(BoundedLogFile&& other) noexcept;
  BoundedLogFile(const BoundedLogFile&) = delete;
  BoundedLogFile& operator=(const BoundedLogFile&) = delete;
  ~BoundedLogFile();

  // Writes all of data, rotating as needed. A write error is returned and the data dropped:
  // logging must never stop a process.
  Status write(std::string_view data);

  const std::string& path() const { return path_; }
  std::uint64_t bytes_in_current_file() const { return bytes_; }

 private:
  BoundedLogFile(std::string path, std::uint64_t max_bytes, int fd, std::uint64_t bytes)
      : path_(std::move(path)), max_bytes_(max_bytes), fd_(fd), bytes_(bytes) {}
  Status rotate();

  std::string path_;
  std::uint64_t max_bytes_ = 0;
  int fd_ = -1;
  std::uint64_t bytes_ = 0;
};

}  // namespace nodrop::live
