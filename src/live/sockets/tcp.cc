#include "live/sockets/tcp.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>

namespace nodrop::live {
namespace {

sockaddr_in to_socket_address(const Ipv4Endpoint& endpoint) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(endpoint.address.value);
  address.sin_port = htons(endpoint.port);
  return address;
}

Ipv4Endpoint from_socket_address(const sockaddr_in& address) {
  return {Ipv4Address{ntohl(address.sin_addr.s_addr)}, ntohs(address.sin_port)};
}

void set_int_option(int fd, int level, int name, int value) {
  setsockopt(fd, level, name, &value, sizeof value);
}

Status failed(const char* call, const Ipv4Endpoint& endpoint, int error_number) {
  std::string message = call;
  message.append(" ").append(endpoint.to_string()).append(": ").append(error_text(error_number));
  return io_error(std::move(message));
}

Connecting connect_failed(Connecting connecting, const char* call, int error_number) {
  connecting.socket.reset();
  connecting.outcome = io_outcome_of(error_number);
  connecting.error_number = error_number;
  connecting.failed_call = call;
  return connecting;
}

Result<Listener> bind_socket(const Ipv4Endpoint& endpoint, const ListenOptions& options) {
  Listener bound;
  bound.socket = FileDescriptor(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!bound.socket.is_open()) return failed("socket", endpoint, errno);
  set_int_option(bound.socket.fd(), SOL_SOCKET, SO_REUSEADDR, 1);
  if (options.reuse_port) set_int_option(bound.socket.fd(), SOL_SOCKET, SO_REUSEPORT, 1);
  const sockaddr_in address = to_socket_address(endpoint);
  if (bind(bound.socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return failed("bind", endpoint, errno);
  }
  Result<Ipv4Endpoint> local = local_endpoint(bound.socket.fd());
  if (!local) return local.status();
  bound.endpoint = *local;
  return bound;
}

// Binds a socket about to connect to source, any port. The port is picked at connect(), per
// destination: without IP_BIND_ADDRESS_NO_PORT, bind() would reserve a port of the source address
// for every destination at once. False with errno set.
bool bind_source(int fd, Ipv4Address source) {
  set_int_option(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1);
  const sockaddr_in from = to_socket_address(Ipv4Endpoint{source, 0});
  return bind(fd, reinterpret_cast<const sockaddr*>(&from), sizeof from) == 0;
}

}  // namespace

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
    case IoOutcome::kOutOfResources:
      return "out of resources";
    case IoOutcome::kError:
      return "error";
  }
  return "unknown";
}

IoOutcome io_outcome_of(int error_number) {
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
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
      return IoOutcome::kOutOfResources;
    default:
      return IoOutcome::kError;
  }
}

Result<Ipv4Endpoint> resolve_ipv4(const std::string& host, std::uint16_t port) {
  if (Result<Ipv4Address> numeric = parse_ipv4_address(host)) return Ipv4Endpoint{*numeric, port};
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int error = getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (error != 0 || found == nullptr) {
    return io_error("cannot resolve host \"" + host + "\": " + gai_strerror(error));
  }
  Ipv4Endpoint endpoint =
      from_socket_address(*reinterpret_cast<const sockaddr_in*>(found->ai_addr));
  endpoint.port = port;
  freeaddrinfo(found);
  return endpoint;
}

Connecting start_connect(const Ipv4Endpoint& endpoint, std::optional<Ipv4Address> source) {
  Connecting connecting;
  connecting.socket =
      FileDescriptor(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!connecting.socket.is_open()) return connect_failed(std::move(connecting), "socket", errno);
  const int fd = connecting.socket.fd();
  set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, 1);
  if (source && !bind_source(fd, *source))
    return connect_failed(std::move(connecting), "bind", errno);
  const sockaddr_in address = to_socket_address(endpoint);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
    connecting.outcome = IoOutcome::kDone;
    return connecting;
  }
  if (errno != EINPROGRESS) return connect_failed(std::move(connecting), "connect", errno);
  // To a server on this machine the handshake has usually completed inside connect() already: one
  // poll() tells, and saves waiting a loop turn for writability (and two epoll_ctl). To a remote
  // server it costs that one call.
  pollfd probe{fd, POLLOUT, 0};
  if (poll(&probe, 1, 0) != 1 || (probe.revents & POLLOUT) == 0) {
    connecting.outcome = IoOutcome::kWouldBlock;
    return connecting;
  }
  if ((probe.revents & (POLLERR | POLLHUP)) != 0) {
    return connect_failed(std::move(connecting), "connect", finish_connect(fd).error_number);
  }
  connecting.outcome = IoOutcome::kDone;
  return connecting;
}

IoResult finish_connect(int fd) {
  int error_number = 0;
  socklen_t length = sizeof error_number;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error_number, &length) != 0) error_number = errno;
  if (error_number == 0) return {IoOutcome::kDone, 0, 0};
  return {io_outcome_of(error_number), 0, error_number};
}

Connecting connect_blocking(const Ipv4Endpoint& endpoint, std::chrono::milliseconds timeout,
                            std::optional<Ipv4Address> source) {
  Connecting connecting;
  connecting.socket = FileDescriptor(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!connecting.socket.is_open()) return connect_failed(std::move(connecting), "socket", errno);
  const int fd = connecting.socket.fd();
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  limit.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, 1);
  if (source && !bind_source(fd, *source))
    return connect_failed(std::move(connecting), "bind", errno);
  const sockaddr_in address = to_socket_address(endpoint);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return connect_failed(std::move(connecting), "connect", errno);
  }
  connecting.outcome = IoOutcome::kDone;
  return connecting;
}

Result<Listener> listen_tcp(const Ipv4Endpoint& endpoint, const ListenOptions& options) {
  Result<Listener> bound = bind_socket(endpoint, options);
  if (!bound) return bound;
  if (listen(bound->socket.fd(), options.backlog) != 0) return failed("listen", endpoint, errno);
  return bound;
}

Result<Listener> bind_refusing_port(const Ipv4Endpoint& endpoint) {
  return bind_socket(endpoint, ListenOptions{});
}

Result<Ipv4Endpoint> local_endpoint(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return io_error("getsockname: " + error_text(errno));
  }
  return from_socket_address(address);
}

Accepted accept_connection(int listener_fd) {
  Accepted accepted;
  while (true) {
    sockaddr_in address{};
    socklen_t length = sizeof address;
    const int fd = accept4(listener_fd, reinterpret_cast<sockaddr*>(&address), &length,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, 1);
      accepted.socket = FileDescriptor(fd);
      accepted.peer = from_socket_address(address);
      accepted.outcome = IoOutcome::kDone;
      return accepted;
    }
    if (errno == EINTR) continue;
    // A connection reset while it waited is gone from the queue: nothing to take from it.
    accepted.outcome = errno == ECONNABORTED ? IoOutcome::kWouldBlock : io_outcome_of(errno);
    return accepted;
  }
}

IoResult read_some(int fd, char* buffer, std::size_t size) {
  while (true) {
    const ssize_t count = recv(fd, buffer, size, 0);
    if (count > 0) return {IoOutcome::kDone, static_cast<std::size_t>(count), 0};
    if (count == 0) return {IoOutcome::kClosed, 0, 0};
    if (errno == EINTR) continue;
    return {io_outcome_of(errno), 0, errno};
  }
}

IoResult write_some(int fd, const char* data, std::size_t size) {
  while (true) {
    const ssize_t count = send(fd, data, size, MSG_NOSIGNAL);
    if (count >= 0) return {IoOutcome::kDone, static_cast<std::size_t>(count), 0};
    if (errno == EINTR) continue;
    return {io_outcome_of(errno), 0, errno};
  }
}

void shutdown_write(int fd) { shutdown(fd, SHUT_WR); }

void close_with_reset(FileDescriptor& socket) {
  if (!socket.is_open()) return;
  const linger abort_on_close{1, 0};
  setsockopt(socket.fd(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  socket.reset();
}

}  // namespace nodrop::live
