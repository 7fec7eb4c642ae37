#include "live/file_descriptor.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nodrop::live {

void FileDescriptor::reset() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

Result<FileDescriptor> FileDescriptor::duplicate() const {
  FileDescriptor copy(fcntl(fd_, F_DUPFD_CLOEXEC, 0));
  if (!copy.is_open()) return io_error("dup: " + error_text(errno));
  return copy;
}

std::string error_text(int error_number) { return std::strerror(error_number); }

Status reserve_open_files(std::size_t needed) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return io_error("getrlimit(RLIMIT_NOFILE) failed");
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed) {
      return Status(StatusCode::kResourceExhausted,
                    fmt::format("{} open files are needed but the limit is {} (ulimit -n)", needed,
                                limit.rlim_max));
    }
    limit.rlim_cur = needed;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      return io_error(fmt::format("cannot raise the open-file limit to {}", needed));
    }
  }
  return Status::ok();
}

}  // namespace nodrop::live
