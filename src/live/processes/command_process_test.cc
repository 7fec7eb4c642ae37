#include "live/processes/command_process.h"

#include <gtest/gtest.h>

#include "live/loop/epoll_loop.h"

namespace nodrop::live {
namespace {

// Runs the loop until the command's exit fd is readable, then reaps it; bounded by 10 s.
Result<int> wait_on_loop(CommandProcess& command) {
  EpollLoop loop;
  bool exited = false;
  const WatchId watch = loop.watch(command.exit_fd(), kReadable, [&](std::uint32_t) {
    exited = true;
    loop.stop();
  });
  loop.run_after(std::chrono::seconds(10), [&] { loop.stop(); });
  loop.run();
  loop.unwatch(watch);
  if (!exited) return Status(StatusCode::kDeadlineExceeded, "the command did not exit in 10 s");
  return command.reap();
}

TEST(CommandProcess, ReportsTheExitStatusThroughTheLoop) {
  Result<CommandProcess> command = CommandProcess::spawn({"sh", "-c", "exit 3"});
  ASSERT_TRUE(command.is_ok()) << command.status().to_string();
  Result<int> status = wait_on_loop(*command);
  ASSERT_TRUE(status.is_ok()) << status.status().to_string();
  EXPECT_EQ(*status, 3);
}

TEST(CommandProcess, AKilledCommandReportsOneHundredTwentyEightPlusTheSignal) {
  Result<CommandProcess> command = CommandProcess::spawn({"sleep", "30"});
  ASSERT_TRUE(command.is_ok());
  command->force_stop();
  Result<int> status = wait_on_loop(*command);
  ASSERT_TRUE(status.is_ok());
  EXPECT_EQ(*status, 128 + 9);
}

TEST(CommandProcess, AProgramThatDoesNotExistIsAnErrorNotAnExitStatus) {
  Result<CommandProcess> command = CommandProcess::spawn({"/nonexistent/nodrop-no-such-program"});
  ASSERT_FALSE(command.is_ok());
  EXPECT_NE(command.status().message().find("nodrop-no-such-program"), std::string::npos);
  EXPECT_FALSE(CommandProcess::spawn({}).is_ok());
}

TEST(CommandProcess, DestroyingARunningCommandKillsAndReapsIt) {
  Result<CommandProcess> command = CommandProcess::spawn({"sleep", "30"});
  ASSERT_TRUE(command.is_ok());
  // The destructor at the end of this scope must return promptly, leaving no zombie.
}

}  // namespace
}  // namespace nodrop::live
