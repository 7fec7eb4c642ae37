#include "live/processes/bounded_log_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/check.h"
#include "runtime/process_runtime.h"

namespace nodrop::live {
namespace {

int open_for_append(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

}  // namespace

Result<BoundedLogFile> BoundedLogFile::open(std::string path, std::uint64_t max_bytes) {
  if (max_bytes < runtime::kMinLogBytesMax) {
    return invalid_argument("log size bound " + std::to_string(max_bytes) + " is below " +
                            std::to_string(runtime::kMinLogBytesMax) + " bytes");
  }
  const int fd = open_for_append(path);
  if (fd < 0) return io_error("log file \"" + path + "\": " + std::strerror(errno));
  struct stat info {};
  fstat(fd, &info);
  return BoundedLogFile(std::move(path), max_bytes, fd, static_cast<std::uint64_t>(info.st_size));
}

BoundedLogFile::BoundedLogFile(BoundedLogFile&& other) noexcept
    : path_(std::move(other.path_)),
      max_bytes_(other.max_bytes_),
      fd_(std::exchange(other.fd_, -1)),
      bytes_(other.bytes_) {}

BoundedLogFile& BoundedLogFile::operator=(BoundedLogFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    path_ = std::move(other.path_);
    max_bytes_ = other.max_bytes_;
    fd_ = std::exchange(other.fd_, -1);
    bytes_ = other.bytes_;
  }
  return *this;
}

BoundedLogFile::~BoundedLogFile() {
  if (fd_ >= 0) close(fd_);
}

Status BoundedLogFile::rotate() {
  close(fd_);
  fd_ = -1;
  const std::string previous = path_ + ".1";
  if (std::rename(path_.c_str(), previous.c_str()) != 0) {
    return io_error("rotating \"" + path_ + "\": " + std::strerror(errno));
  }
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return io_error("log file \"" + path_ + "\": " + std::strerror(errno));
  bytes_ = 0;
  return Status::ok();
}

Status BoundedLogFile::write(std::string_view data) {
  while (!data.empty()) {
    if (bytes_ >= max_bytes_ || fd_ < 0) {
      if (Status rotated = rotate(); !rotated.is_ok()) return rotated;
    }
    const std::size_t room = static_cast<std::size_t>(max_bytes_ - bytes_);
    const std::size_t chunk = std::min(room, data.size());
    const ssize_t written = ::write(fd_, data.data(), chunk);
    if (written < 0) {
      if (errno == EINTR) continue;
      return io_error("writing \"" + path_ + "\": " + std::strerror(errno));
    }
    bytes_ += static_cast<std::uint64_t>(written);
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return Status::ok();
}

}  // namespace nodrop::live
