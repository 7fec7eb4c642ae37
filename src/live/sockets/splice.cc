#include "live/sockets/splice.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace nodrop::live {
namespace {

// moved_nothing: what a splice that moved 0 bytes means (the sender closed, for a fill; the pipe
// was empty, for a drain).
IoResult splice_result(ssize_t moved, IoOutcome moved_nothing) {
  if (moved > 0) return {IoOutcome::kDone, static_cast<std::size_t>(moved), 0};
  if (moved == 0) return {moved_nothing, 0, 0};
  return {io_outcome_of(errno), 0, errno};
}

}  // namespace

Result<SplicePipe> SplicePipe::create() {
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    return Status(StatusCode::kResourceExhausted, "pipe2: " + error_text(errno));
  }
  SplicePipe pipe;
  pipe.read_end_ = FileDescriptor(fds[0]);
  pipe.write_end_ = FileDescriptor(fds[1]);
  return pipe;
}

IoResult SplicePipe::fill_from(int from, std::size_t max) {
  while (true) {
    const ssize_t moved =
        splice(from, nullptr, write_end_.fd(), nullptr, max, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (moved < 0 && errno == EINTR) continue;
    return splice_result(moved, IoOutcome::kClosed);
  }
}

IoResult SplicePipe::drain_to(int to, std::size_t max) {
  while (true) {
    const ssize_t moved =
        splice(read_end_.fd(), nullptr, to, nullptr, max, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (moved < 0 && errno == EINTR) continue;
    return splice_result(moved, IoOutcome::kWouldBlock);
  }
}

}  // namespace nodrop::live
