#include "live/proxy_blocking_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>

namespace nodrop::live {

Result<BlockingClient> BlockingClient::connect(std::uint32_t ipv4, std::uint16_t port,
                                               std::chrono::milliseconds timeout) {
  ProxySocket socket_fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket_fd.is_open()) return io_error("socket: " + error_text(errno));
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  limit.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(socket_fd.fd(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  setsockopt(socket_fd.fd(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  const int one = 1;
  setsockopt(socket_fd.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(ipv4);
  address.sin_port = htons(port);
  if (::connect(socket_fd.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return Status(errno == ECONNREFUSED ? StatusCode::kUnavailable : StatusCode::kIoError,
                  "connect: " + error_text(errno));
  }
  return BlockingClient(std::move(socket_fd));
}

Status BlockingClient::send_all(std::string_view data) {
  while (!data.empty()) {
    const ssize_t sent = send(socket_.fd(), data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return {StatusCode::kDeadlineExceeded, "send timed out"};
      return io_error("send: " + error_text(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
  return Status::ok();
}

Result<std::string> BlockingClient::receive_some(std::size_t max) {
  std::string data(max, '\0');
  while (true) {
    const ssize_t got = recv(socket_.fd(), data.data(), data.size(), 0);
    if (got >= 0) {
      data.resize(static_cast<std::size_t>(got));
      return data;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return Status(StatusCode::kDeadlineExceeded, "receive timed out");
    }
    return io_error("recv: " + error_text(errno));
  }
}

Result<std::string> BlockingClient::receive_until_close(std::size_t max_bytes) {
  std::string all;
  while (all.size() < max_bytes) {
    auto some = receive_some();
    if (!some.is_ok()) return some.status();
    if (some->empty()) return all;
    all += *some;
  }
  return Status(StatusCode::kResourceExhausted, "peer sent more than the limit");
}

void BlockingClient::shutdown_write() { shutdown(socket_.fd(), SHUT_WR); }

void BlockingClient::reset() {
  set_reset_on_close(socket_.fd());
  socket_.reset();
}

}  // namespace nodrop::live
