// Real processes: every test bounds its waits and leaves no process behind (the runtime kills and
// reaps whatever is still running when it is destroyed).
#include "live/processes/process_runtime.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace nodrop::live {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

// Only stops a hang; a slow machine never reaches it.
constexpr auto kWaitLimit = seconds(20);

template <typename Predicate>
bool run_until(EpollLoop& loop, Predicate done) {
  const runtime::Time deadline = loop.clock().now() + kWaitLimit;
  while (!done()) {
    if (loop.clock().now() >= deadline) return false;
    loop.run_once(std::chrono::milliseconds(10));
  }
  return true;
}

std::string read_file(const fs::path& path) {
  std::ifstream stream(path);
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}

// True when pid names no live process: gone, or a zombie nobody of ours holds.
bool process_is_gone(int pid) {
  if (kill(pid, 0) != 0) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  const auto close_paren = text.rfind(')');
  return close_paren != std::string::npos && text.size() > close_paren + 2 &&
         text[close_paren + 2] == 'Z';
}

class LiveProcessRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/nodrop-process-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
  }
  void TearDown() override { fs::remove_all(directory_); }

  runtime::ProcessSpec shell(const std::string& script) {
    runtime::ProcessSpec spec;
    spec.argv = {"sh", "-c", script};
    spec.log_path = (directory_ / "app.log").string();
    return spec;
  }

  EpollLoop loop_;
  fs::path directory_;
};

TEST_F(LiveProcessRuntimeTest, RunsTheCommandWithItsEnvironmentAndDirectoryAndReportsTheExitCode) {
  LiveProcessRuntime runtime(loop_);
  runtime::ProcessSpec spec = shell("echo \"$GREETING from $(pwd)\"; echo oops >&2; exit 3");
  spec.env = {{"GREETING", "hello"}};
  spec.working_dir = directory_.string();
  std::optional<runtime::ProcessExit> exit;
  const auto id = runtime.start(spec, [&](const runtime::ProcessExit& e) { exit = e; });
  ASSERT_TRUE(id.is_ok()) << id.status().to_string();
  EXPECT_EQ(runtime.running(), 1U);
  ASSERT_TRUE(run_until(loop_, [&] { return exit.has_value(); }));
  EXPECT_EQ(exit->kind, runtime::ExitKind::kExited);
  EXPECT_EQ(exit->exit_code, 3);
  EXPECT_EQ(runtime.running(), 0U);
  EXPECT_EQ(read_file(directory_ / "app.log"), "hello from " + directory_.string() + "\noops\n");
}

TEST_F(LiveProcessRuntimeTest, AMissingCommandIsAClearErrorAndNoProcess) {
  LiveProcessRuntime runtime(loop_);
  runtime::ProcessSpec spec = shell("");
  spec.argv = {"no-such-command-for-nodrop", "--flag"};
  bool exited = false;
  const auto id = runtime.start(spec, [&](const runtime::ProcessExit&) { exited = true; });
  ASSERT_FALSE(id.is_ok());
  EXPECT_EQ(id.status().code(), StatusCode::kNotFound);
  EXPECT_NE(id.status().message().find("no-such-command-for-nodrop"), std::string::npos);
  EXPECT_EQ(runtime.running(), 0U);

  spec.argv = {(directory_ / "missing").string()};
  const auto by_path = runtime.start(spec, [&](const runtime::ProcessExit&) { exited = true; });
  EXPECT_EQ(by_path.status().code(), StatusCode::kNotFound) << by_path.status().to_string();
  loop_.run_once(std::chrono::milliseconds(0));
  EXPECT_FALSE(exited);
}

TEST_F(LiveProcessRuntimeTest, AWorkingDirectoryThatDoesNotExistIsAnInvalidArgument) {
  LiveProcessRuntime runtime(loop_);
  runtime::ProcessSpec spec = shell("true");
  spec.working_dir = (directory_ / "nowhere").string();
  const auto id = runtime.start(spec, [](const runtime::ProcessExit&) {});
  ASSERT_FALSE(id.is_ok());
  EXPECT_EQ(id.status().code(), StatusCode::kInvalidArgument) << id.status().to_string();
  EXPECT_NE(id.status().message().find("nowhere"), std::string::npos);
}

TEST_F(LiveProcessRuntimeTest, SigtermReachesEveryProcessOfTheGroup) {
  LiveProcessRuntime runtime(loop_);
  const fs::path pids = directory_ / "pids";
  // The shell forks two children and waits; all three must get the signal.
  runtime::ProcessSpec spec =
      shell("sleep 1000 & echo $! >> " + pids.string() + "; sleep 1000 & echo $! >> " +
            pids.string() + "; echo started; wait");
  std::optional<runtime::ProcessExit> exit;
  const auto id = runtime.start(spec, [&](const runtime::ProcessExit& e) { exit = e; });
  ASSERT_TRUE(id.is_ok());
  ASSERT_TRUE(run_until(loop_, [&] {
    return read_file(directory_ / "app.log").find("started") != std::string::npos;
  }));
  std::vector<int> children;
  std::istringstream lines(read_file(pids));
  for (int pid = 0; lines >> pid;) children.push_back(pid);
  ASSERT_EQ(children.size(), 2U);

  ASSERT_TRUE(runtime.signal(*id, runtime::Signal::kTerminate).is_ok());
  ASSERT_TRUE(run_until(loop_, [&] { return exit.has_value(); }));
  EXPECT_EQ(exit->kind, runtime::ExitKind::kSignaled);
  EXPECT_EQ(exit->signal_number, SIGTERM);
  EXPECT_EQ(exit->container_exit_code(), 143);
  for (int child : children) {
    EXPECT_TRUE(run_until(loop_, [&] { return process_is_gone(child); })) << child;
  }
}

TEST_F(LiveProcessRuntimeTest, AProcessIgnoringSigtermStopsOnlyAtSigkill) {
  LiveProcessRuntime runtime(loop_);
  runtime::ProcessSpec spec = shell("trap '' TERM; echo trapped; while :; do sleep 1; done");
  std::optional<runtime::ProcessExit> exit;
  const auto id = runtime.start(spec, [&](const runtime::ProcessExit& e) { exit = e; });
  ASSERT_TRUE(id.is_ok());
  ASSERT_TRUE(run_until(loop_, [&] {
    return read_file(directory_ / "app.log").find("trapped") != std::string::npos;
  }));
  ASSERT_TRUE(runtime.signal(*id, runtime::Signal::kTerminate).is_ok());
  // Let the loop turn: the signal is ignored, the process keeps running.
  loop_.run_once(std::chrono::milliseconds(100));
  EXPECT_FALSE(exit.has_value());
  ASSERT_TRUE(runtime.signal(*id, runtime::Signal::kKill).is_ok());
  ASSERT_TRUE(run_until(loop_, [&] { return exit.has_value(); }));
  EXPECT_EQ(exit->kind, runtime::ExitKind::kSignaled);
  EXPECT_EQ(exit->signal_number, SIGKILL);
  EXPECT_EQ(exit->container_exit_code(), 137);
}

TEST_F(LiveProcessRuntimeTest, SignallingAProcessThatExitedIsNotFound) {
  LiveProcessRuntime runtime(loop_);
  bool exited = false;
  const auto id =
      runtime.start(shell("exit 0"), [&](const runtime::ProcessExit&) { exited = true; });
  ASSERT_TRUE(id.is_ok());
  ASSERT_TRUE(run_until(loop_, [&] { return exited; }));
  EXPECT_EQ(runtime.signal(*id, runtime::Signal::kKill).code(), StatusCode::kNotFound);
  EXPECT_EQ(runtime.os_pid(*id), -1);
}

TEST_F(LiveProcessRuntimeTest, TheLogIsRotatedAtItsBound) {
  LiveProcessRuntime runtime(loop_);
  runtime::ProcessSpec spec =
      shell("i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done");
  spec.log_bytes_max = 8 * 1024;
  bool exited = false;
  ASSERT_TRUE(runtime.start(spec, [&](const runtime::ProcessExit&) { exited = true; }).is_ok());
  ASSERT_TRUE(run_until(loop_, [&] { return exited; }));
  const fs::path log = directory_ / "app.log";
  EXPECT_LE(fs::file_size(log), 8U * 1024);
  EXPECT_EQ(fs::file_size(fs::path(log.string() + ".1")), 8U * 1024);
  EXPECT_NE(read_file(log).find("line-1999\n"), std::string::npos);
}

TEST_F(LiveProcessRuntimeTest, DestroyingTheRuntimeKillsAndReapsWhatIsStillRunning) {
  int pid = -1;
  {
    LiveProcessRuntime runtime(loop_);
    const auto id = runtime.start(shell("exec sleep 1000"), [](const runtime::ProcessExit&) {
      ADD_FAILURE() << "no exit callback after destruction";
    });
    ASSERT_TRUE(id.is_ok());
    pid = runtime.os_pid(*id);
    ASSERT_GT(pid, 0);
  }
  EXPECT_NE(kill(pid, 0), 0);  // reaped: the pid names nothing
}

TEST_F(LiveProcessRuntimeTest, ProcessesDieWhenTheirSpawnerDies) {
  // A child of the test plays nodrop: it starts a process, reports its pid, and dies abruptly.
  // Its orphaned supervisor comes to the test (a subreaper), which reaps it: no zombie is left.
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  int report[2];
  ASSERT_EQ(pipe(report), 0);
  const pid_t spawner = fork();
  ASSERT_GE(spawner, 0);
  if (spawner == 0) {
    close(report[0]);
    EpollLoop loop;
    LiveProcessRuntime runtime(loop);
    runtime::ProcessSpec spec = shell("exec sleep 1000");
    const auto id = runtime.start(spec, [](const runtime::ProcessExit&) {});
    const int pid = id.is_ok() ? runtime.os_pid(*id) : -1;
    [[maybe_unused]] const auto written = write(report[1], &pid, sizeof pid);
    _exit(0);  // no destructors: as if nodrop crashed
  }
  close(report[1]);
  int pid = -1;
  ASSERT_EQ(read(report[0], &pid, sizeof pid), static_cast<ssize_t>(sizeof pid));
  close(report[0]);
  ASSERT_EQ(waitpid(spawner, nullptr, 0), spawner);
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(run_until(loop_, [&] {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    return kill(pid, 0) != 0 && waitpid(-1, nullptr, WNOHANG) < 0;  // gone, no child left
  }));
  if (!process_is_gone(pid)) kill(pid, SIGKILL);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
}

}  // namespace
}  // namespace nodrop::live
