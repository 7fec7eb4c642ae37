#include "live/proxy_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nodrop::live {
namespace {

sockaddr_in to_sockaddr(std::uint32_t ipv4, std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(ipv4);
  address.sin_port = htons(port);
  return address;
}

Status errno_status(const std::string& what) { return io_error(what + ": " + error_text(errno)); }

void set_int_option(int fd, int level, int name, int value) {
  setsockopt(fd, level, name, &value, sizeof value);
}

}  // namespace

void ProxySocket::reset() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

Result<ProxySocket> listen_tcp(std::uint32_t ipv4, std::uint16_t port, bool reuse_port,
                               int backlog) {
  ProxySocket socket_fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!socket_fd.is_open()) return errno_status("socket");
  set_int_option(socket_fd.fd(), SOL_SOCKET, SO_REUSEADDR, 1);
  if (reuse_port) set_int_option(socket_fd.fd(), SOL_SOCKET, SO_REUSEPORT, 1);
  const sockaddr_in address = to_sockaddr(ipv4, port);
  if (bind(socket_fd.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return errno_status("bind");
  }
  if (listen(socket_fd.fd(), backlog) != 0) return errno_status("listen");
  return socket_fd;
}

Result<ProxySocket> duplicate_socket(int fd) {
  ProxySocket copy(fcntl(fd, F_DUPFD_CLOEXEC, 0));
  if (!copy.is_open()) return errno_status("dup");
  return copy;
}

Result<ProxySocket> bind_tcp(std::uint32_t ipv4, std::uint16_t port) {
  ProxySocket socket_fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!socket_fd.is_open()) return errno_status("socket");
  const sockaddr_in address = to_sockaddr(ipv4, port);
  if (bind(socket_fd.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return errno_status("bind");
  }
  return socket_fd;
}

Result<SocketPeer> local_address(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return errno_status("getsockname");
  }
  return SocketPeer{ntohl(address.sin_addr.s_addr), ntohs(address.sin_port)};
}

Accepted accept_client(int listen_fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  const int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&address), &length,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
  Accepted accepted;
  if (fd < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED || errno == EINTR) {
      accepted.status = AcceptStatus::kNoneWaiting;
    } else if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
      accepted.status = AcceptStatus::kOutOfDescriptors;
    } else {
      accepted.status = AcceptStatus::kError;
    }
    return accepted;
  }
  set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, 1);
  accepted.status = AcceptStatus::kAccepted;
  accepted.socket = ProxySocket(fd);
  accepted.peer = {ntohl(address.sin_addr.s_addr), ntohs(address.sin_port)};
  return accepted;
}

Connecting connect_tcp(std::uint32_t ipv4, std::uint16_t port) {
  Connecting connecting;
  connecting.socket = ProxySocket(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!connecting.socket.is_open()) {
    connecting.error = errno;
    return connecting;
  }
  set_int_option(connecting.socket.fd(), IPPROTO_TCP, TCP_NODELAY, 1);
  const sockaddr_in address = to_sockaddr(ipv4, port);
  if (connect(connecting.socket.fd(), reinterpret_cast<const sockaddr*>(&address),
              sizeof address) == 0) {
    return connecting;
  }
  if (errno == EINPROGRESS) {
    // To a server on this machine the handshake has usually completed inside connect() already:
    // one poll() tells, and saves waiting a loop turn for writability (and two epoll_ctl). To a
    // remote server it costs that one call.
    pollfd probe{connecting.socket.fd(), POLLOUT, 0};
    if (poll(&probe, 1, 0) != 1 || (probe.revents & POLLOUT) == 0) {
      connecting.in_progress = true;
      return connecting;
    }
    if ((probe.revents & (POLLERR | POLLHUP)) == 0) return connecting;
    errno = connect_error(connecting.socket.fd());
  }
  connecting.error = errno;
  connecting.socket.reset();
  return connecting;
}

int connect_error(int fd) {
  int error = 0;
  socklen_t length = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
  return error;
}

ProxyIoResult proxy_read_some(int fd, char* data, std::size_t size) {
  while (true) {
    const ssize_t got = recv(fd, data, size, 0);
    if (got > 0) return {ProxyIoStatus::kOk, static_cast<std::size_t>(got), 0};
    if (got == 0) return {ProxyIoStatus::kEof, 0, 0};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {ProxyIoStatus::kWouldBlock, 0, 0};
    return {ProxyIoStatus::kError, 0, errno};
  }
}

ProxyIoResult proxy_write_some(int fd, const char* data, std::size_t size) {
  while (true) {
    const ssize_t sent = send(fd, data, size, MSG_NOSIGNAL);
    if (sent >= 0) return {ProxyIoStatus::kOk, static_cast<std::size_t>(sent), 0};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {ProxyIoStatus::kWouldBlock, 0, 0};
    return {ProxyIoStatus::kError, 0, errno};
  }
}

void shutdown_write(int fd) { shutdown(fd, SHUT_WR); }

void set_reset_on_close(int fd) {
  linger option{};
  option.l_onoff = 1;
  option.l_linger = 0;
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, sizeof option);
}

bool is_connection_refused(int error) { return error == ECONNREFUSED; }
bool is_connection_reset(int error) {
  return error == ECONNRESET || error == EPIPE || error == ECONNABORTED;
}

std::string error_text(int error) { return std::strerror(error); }

}  // namespace nodrop::live
