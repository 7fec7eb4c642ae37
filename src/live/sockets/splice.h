// Zero-copy forwarding between two sockets through a kernel pipe (splice(2)), for the proxy's L4
// mode. Bytes go socket -> pipe -> socket without entering user space.
#pragma once

#include <cstddef>

#include "base/status.h"
#include "live/file_descriptor.h"
#include "live/sockets/tcp.h"

namespace nodrop::live {

// A non-blocking pipe: the buffer of one direction of one L4 connection.
class SplicePipe {
 public:
  static Result<SplicePipe> create();
  SplicePipe() = default;
  SplicePipe(SplicePipe&&) = default;
  SplicePipe& operator=(SplicePipe&&) = default;

  bool is_open() const { return read_end_.is_open(); }
  // Moves up to max bytes from socket `from` into the pipe. kClosed when the peer closed.
  IoResult fill_from(int from, std::size_t max);
  // Moves up to max bytes from the pipe into socket `to`.
  IoResult drain_to(int to, std::size_t max);

 private:
  FileDescriptor read_end_;
  FileDescriptor write_end_;
};

// The capacity a SplicePipe holds (the kernel's default pipe size).
inline constexpr std::size_t kSplicePipeCapacity = 64 * 1024;

}  // namespace nodrop::live
