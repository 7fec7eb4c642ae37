// The supervisor directly: pods are tied to nodrop's process, not to the thread that spawned
// them. Real processes; every wait is bounded and everything started is killed and reaped.
#include "live/processes/pod_supervisor.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace nodrop::live {
namespace {

TEST(PodSupervisorTest, APodOutlivesTheThreadThatSpawnedIt) {
  const std::vector<std::string> argv = {"sleep", "1000"};
  const std::vector<std::pair<std::string, std::string>> env;
  const std::string working_dir;
  int output[2];
  ASSERT_EQ(pipe(output), 0);
  Result<SupervisedChild> child = internal_error("not started");
  std::thread spawner([&] { child = spawn_supervised({&argv, &env, &working_dir, output[1]}); });
  spawner.join();
  close(output[1]);
  ASSERT_TRUE(child.is_ok()) << child.status().to_string();
  // PR_SET_PDEATHSIG on the pod would have fired when the thread exited; the supervisor has none.
  // A slow machine only makes this wait easier to pass.
  pollfd exited{child->supervisor_pidfd, POLLIN, 0};
  EXPECT_EQ(poll(&exited, 1, 300), 0) << "the pod died with its spawning thread";
  EXPECT_EQ(kill(child->pid, 0), 0);

  const int pid = child->pid;
  kill_and_reap_supervised(child.value());
  EXPECT_NE(kill(pid, 0), 0);  // reaped by the supervisor
  close(output[0]);
}

TEST(PodSupervisorTest, TheMainProcessExitIsReportedExactly) {
  const std::vector<std::string> argv = {"sh", "-c", "kill -USR1 $$"};
  const std::vector<std::pair<std::string, std::string>> env;
  const std::string working_dir;
  int output[2];
  ASSERT_EQ(pipe(output), 0);
  Result<SupervisedChild> child = spawn_supervised({&argv, &env, &working_dir, output[1]});
  close(output[1]);
  ASSERT_TRUE(child.is_ok()) << child.status().to_string();
  const runtime::ProcessExit exit = reap_supervised(*child);  // blocks until the supervisor exits
  EXPECT_EQ(exit.kind, runtime::ExitKind::kSignaled);
  EXPECT_EQ(exit.signal_number, SIGUSR1);
  close(output[0]);
}

}  // namespace
}  // namespace nodrop::live
