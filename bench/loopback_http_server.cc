// A loopback HTTP/1.1 (or TCP echo) server for benchmarks and demonstrations of `nodrop load`:
// live::LoopbackServer (the server of the tests) on one thread, answering every request 200 with
// a small body, keep-alive. It runs until it is killed.
//
//   loopback_http_server [--address 127.0.0.1] [--port 0] [--port-file FILE] [--echo]
//
// With --port 0 the kernel picks a port; it is printed on stdout and written to --port-file.
#include <charconv>
#include <fstream>
#include <iostream>
#include <string>

#include "live/loop/epoll_loop.h"
#include "live/sockets/loopback_server.h"
#include "live/sockets/tcp.h"

int main(int argc, char** argv) {
  using nodrop::live::LoopbackServer;
  std::string address = "127.0.0.1";
  unsigned port = 0;
  std::string port_file;
  LoopbackServer::Mode mode = LoopbackServer::Mode::kHttp;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--echo") {
      mode = LoopbackServer::Mode::kEcho;
    } else if ((flag == "--address" || flag == "--port" || flag == "--port-file") && i + 1 < argc) {
      const std::string value = argv[++i];
      if (flag == "--address") address = value;
      if (flag == "--port-file") port_file = value;
      if (flag == "--port") {
        const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), port);
        if (error != std::errc() || end != value.data() + value.size() || port > 65535) {
          std::cerr << "loopback_http_server: bad --port " << value << "\n";
          return 2;
        }
      }
    } else {
      std::cerr
          << "usage: loopback_http_server [--address A] [--port P] [--port-file F] [--echo]\n";
      return 2;
    }
  }
  auto endpoint = nodrop::live::resolve_ipv4(address, static_cast<std::uint16_t>(port));
  if (!endpoint) {
    std::cerr << "loopback_http_server: " << endpoint.status().message() << "\n";
    return 2;
  }
  if (!endpoint->address.is_loopback()) {
    std::cerr << "loopback_http_server: " << address << " is not a loopback address\n";
    return 2;
  }
  nodrop::live::EpollLoop loop;
  auto server = LoopbackServer::start(loop, *endpoint, mode, nullptr);
  if (!server) {
    std::cerr << "loopback_http_server: " << server.status().message() << "\n";
    return 1;
  }
  const auto bound_port = (*server)->endpoint().port;
  std::cout << bound_port << std::endl;
  if (!port_file.empty()) {
    // Written whole under a temporary name, then renamed, so a reader never sees half a number.
    const std::string temporary = port_file + ".tmp";
    std::ofstream(temporary) << bound_port << "\n";
    std::rename(temporary.c_str(), port_file.c_str());
  }
  loop.run();
  return 0;
}
