#include "live/tcp_io.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nodrop::live {
namespace {

sockaddr_in to_sockaddr(const Ipv4Endpoint& endpoint) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(endpoint.address);
  address.sin_port = htons(endpoint.port);
  return address;
}

IoOutcome outcome_of_errno(int error_number) {
  switch (error_number) {
    case EAGAIN:
    case EINPROGRESS:
      return IoOutcome::kWouldBlock;
    case ECONNREFUSED:
      return IoOutcome::kRefused;
    case ECONNRESET:
    case EPIPE:
    case ECONNABORTED:
      return IoOutcome::kReset;
    default:
      return IoOutcome::kError;
  }
}

void set_no_delay(int fd) {
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

std::string Ipv4Endpoint::to_string() const {
  return fmt::format("{}.{}.{}.{}:{}", address >> 24, (address >> 16) & 0xff, (address >> 8) & 0xff,
                     address & 0xff, port);
}

Result<Ipv4Endpoint> resolve_ipv4(const std::string& host, std::uint16_t port) {
  in_addr numeric{};
  if (inet_pton(AF_INET, host.c_str(), &numeric) == 1) {
    return Ipv4Endpoint{ntohl(numeric.s_addr), port};
  }
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int error = getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (error != 0 || found == nullptr) {
    return io_error(fmt::format("cannot resolve host \"{}\": {}", host, gai_strerror(error)));
  }
  const auto* address = reinterpret_cast<const sockaddr_in*>(found->ai_addr);
  const Ipv4Endpoint endpoint{ntohl(address->sin_addr.s_addr), port};
  freeaddrinfo(found);
  return endpoint;
}

const char* io_outcome_name(IoOutcome outcome) {
  switch (outcome) {
    case IoOutcome::kDone:
      return "done";
    case IoOutcome::kWouldBlock:
      return "would block";
    case IoOutcome::kClosed:
      return "closed";
    case IoOutcome::kRefused:
      return "refused";
    case IoOutcome::kReset:
      return "reset";
    case IoOutcome::kError:
      return "error";
  }
  return "unknown";
}

ConnectStart start_connect(const Ipv4Endpoint& endpoint) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return {-1, IoOutcome::kError, errno};
  set_no_delay(fd);
  const sockaddr_in address = to_sockaddr(endpoint);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
    return {fd, IoOutcome::kDone, 0};
  }
  const int error_number = errno;
  const IoOutcome outcome = outcome_of_errno(error_number);
  if (outcome == IoOutcome::kWouldBlock) return {fd, outcome, 0};
  close(fd);
  return {-1, outcome, error_number};
}

IoResult finish_connect(int fd) {
  int error_number = 0;
  socklen_t length = sizeof error_number;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error_number, &length) != 0) error_number = errno;
  if (error_number == 0) return {IoOutcome::kDone, 0, 0};
  return {outcome_of_errno(error_number), 0, error_number};
}

IoResult read_some(int fd, char* buffer, std::size_t size) {
  while (true) {
    const ssize_t count = read(fd, buffer, size);
    if (count > 0) return {IoOutcome::kDone, static_cast<std::size_t>(count), 0};
    if (count == 0) return {IoOutcome::kClosed, 0, 0};
    if (errno == EINTR) continue;
    return {outcome_of_errno(errno), 0, errno};
  }
}

IoResult write_some(int fd, const char* data, std::size_t size) {
  while (true) {
    const ssize_t count = send(fd, data, size, MSG_NOSIGNAL);
    if (count >= 0) return {IoOutcome::kDone, static_cast<std::size_t>(count), 0};
    if (errno == EINTR) continue;
    return {outcome_of_errno(errno), 0, errno};
  }
}

void close_socket(int fd) {
  if (fd >= 0) close(fd);
}

void close_socket_with_reset(int fd) {
  if (fd < 0) return;
  const linger abort_on_close{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  close(fd);
}

namespace {

Result<Listener> bind_socket(const Ipv4Endpoint& endpoint) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return io_error(fmt::format("socket: {}", std::strerror(errno)));
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const sockaddr_in address = to_sockaddr(endpoint);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error_number = errno;
    close(fd);
    return io_error(fmt::format("bind {}: {}", endpoint.to_string(), std::strerror(error_number)));
  }
  sockaddr_in bound{};
  socklen_t length = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  return Listener{fd, Ipv4Endpoint{endpoint.address, ntohs(bound.sin_port)}};
}

}  // namespace

Result<Listener> listen_tcp(const Ipv4Endpoint& endpoint, int backlog) {
  Result<Listener> bound = bind_socket(endpoint);
  if (!bound) return bound;
  if (listen(bound->fd, backlog) != 0) {
    const int error_number = errno;
    close(bound->fd);
    return io_error(
        fmt::format("listen {}: {}", endpoint.to_string(), std::strerror(error_number)));
  }
  return bound;
}

ConnectStart accept_connection(int listener_fd) {
  while (true) {
    const int fd = accept4(listener_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      set_no_delay(fd);
      return {fd, IoOutcome::kDone, 0};
    }
    if (errno == EINTR) continue;
    return {-1, outcome_of_errno(errno), errno};
  }
}

Result<Listener> bind_refusing_port(const Ipv4Endpoint& endpoint) { return bind_socket(endpoint); }

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
