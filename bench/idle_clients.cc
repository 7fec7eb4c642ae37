// idle_clients ADDR PORT COUNT HOLD: opens COUNT keep-alive connections to an HTTP proxy, sends one
// request on each and reads its response (so the proxy has used every buffer a connection needs),
// prints "idle COUNT", keeps the connections open and silent for HOLD (a duration: 5s), closes
// them all, prints "closed" and exits. bench/idle_memory.sh reads the proxy's memory between the
// two lines and after.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "base/flags.h"
#include "base/ipv4.h"
#include "live/sockets/blocking_client.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: idle_clients ADDR PORT COUNT HOLD\n");
    return 2;
  }
  auto address = nodrop::parse_ipv4_endpoint(std::string(argv[1]) + ":" + std::string(argv[2]));
  const long count = std::strtol(argv[3], nullptr, 10);
  auto hold = nodrop::parse_duration(argv[4], true);
  if (!address || count < 1 || count > 100'000 || !hold) {
    std::fprintf(stderr, "idle_clients: bad arguments\n");
    return 2;
  }
  const std::string request = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n";
  std::vector<nodrop::live::BlockingClient> clients;
  clients.reserve(static_cast<std::size_t>(count));
  for (long i = 0; i < count; ++i) {
    auto client = nodrop::live::BlockingClient::connect(*address, std::chrono::seconds(10));
    if (!client) {
      std::fprintf(stderr, "idle_clients: connection %ld: %s\n", i,
                   client.status().to_string().c_str());
      return 1;
    }
    if (auto sent = client->send_all(request); !sent.is_ok()) {
      std::fprintf(stderr, "idle_clients: %s\n", sent.to_string().c_str());
      return 1;
    }
    auto answer = client->receive_some();
    if (!answer || answer->rfind("HTTP/1.1 200", 0) != 0) {
      std::fprintf(stderr, "idle_clients: connection %ld got no 200\n", i);
      return 1;
    }
    clients.push_back(std::move(client.value()));
  }
  std::printf("idle %ld\n", count);
  std::fflush(stdout);
  std::this_thread::sleep_for(*hold);
  clients.clear();
  std::printf("closed\n");
  std::fflush(stdout);
  return 0;
}
