// Plays nodrop for the tests: starts one pod, `sh -c SCRIPT` with its log at LOG_PATH, prints the
// pod's main pid on stdout, then runs the event loop until it is killed (or for at most
// kRunLimit, so a test that forgets it leaves nothing running for long).
//
// Usage: pod_owner LOG_PATH SCRIPT
#include <chrono>
#include <cstdio>
#include <string>

#include "live/loop/epoll_loop.h"
#include "live/processes/process_runtime.h"

namespace {

constexpr auto kRunLimit = std::chrono::minutes(2);

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: pod_owner LOG_PATH SCRIPT\n");
    return 2;
  }
  nodrop::live::EpollLoop loop;
  nodrop::live::LiveProcessRuntime runtime(loop);
  nodrop::runtime::ProcessSpec spec;
  spec.argv = {"sh", "-c", argv[2]};
  spec.log_path = argv[1];
  bool exited = false;
  const auto id = runtime.start(spec, [&](const nodrop::runtime::ProcessExit&) { exited = true; });
  if (!id.is_ok()) {
    std::fprintf(stderr, "pod_owner: %s\n", id.status().to_string().c_str());
    return 1;
  }
  std::printf("%d\n", runtime.os_pid(*id));
  std::fflush(stdout);
  const auto deadline = loop.clock().now() + kRunLimit;
  while (!exited && loop.clock().now() < deadline) loop.run_once(std::chrono::milliseconds(100));
  return 0;
}
