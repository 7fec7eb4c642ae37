// Real processes: every test bounds its waits and leaves no process behind (the runtime kills and
// reaps whatever is still running when it is destroyed).
#include "live/processes/process_runtime.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
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

TEST_F(LiveProcessRuntimeTest,
       ItsFilesAreWrittenBeforeItStartsAndAStopSignalOtherThanSigtermArrives) {
  LiveProcessRuntime runtime(loop_);
  const fs::path pod = directory_ / "pod";
  runtime::ProcessSpec spec =
      shell("trap 'echo quit; exit 7' QUIT; cat conf/app.conf; while :; do sleep 1; done");
  spec.directories = {pod.string()};
  spec.files = {{(pod / "app" / "conf" / "app.conf").string(), "listen 127.0.2.1:80\n"}};
  spec.working_dir = (pod / "app").string();
  std::optional<runtime::ProcessExit> exit;
  const auto id = runtime.start(spec, [&](const runtime::ProcessExit& e) { exit = e; });
  ASSERT_TRUE(id.is_ok()) << id.status().to_string();
  ASSERT_TRUE(run_until(loop_, [&] {
    return read_file(directory_ / "app.log").find("listen") != std::string::npos;
  }));
  ASSERT_TRUE(runtime.signal(*id, runtime::Signal::kQuit).is_ok());
  ASSERT_TRUE(run_until(loop_, [&] { return exit.has_value(); }));
  EXPECT_EQ(exit->kind, runtime::ExitKind::kExited);
  EXPECT_EQ(exit->exit_code, 7);
  // The shell's trap ran (its sleep, signalled with the group, may be reported as "Quit" first).
  const std::string log = read_file(directory_ / "app.log");
  EXPECT_EQ(log.rfind("listen 127.0.2.1:80\n", 0), 0U) << log;
  EXPECT_TRUE(log.ends_with("\nquit\n")) << log;
  runtime.remove_directory(pod.string());
  EXPECT_FALSE(fs::exists(pod));
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

// A process started with a key by a runtime that dies (a child of the test playing nodrop, which
// exits without destructors, as if killed); returns the main process's pid, -1 on failure. Its
// orphaned supervisor comes to the test, a subreaper (set by the caller).
int start_and_die(const LiveProcessRuntimeOptions& options, const runtime::ProcessSpec& spec) {
  int report[2];
  if (pipe(report) != 0) return -1;
  const pid_t spawner = fork();
  if (spawner < 0) return -1;
  if (spawner == 0) {
    close(report[0]);
    EpollLoop loop;
    LiveProcessRuntime runtime(loop, options);
    const auto id = runtime.start(spec, [](const runtime::ProcessExit&) {});
    const int pid = id.is_ok() ? runtime.os_pid(*id) : -1;
    [[maybe_unused]] const auto written = write(report[1], &pid, sizeof pid);
    _exit(0);
  }
  close(report[1]);
  int pid = -1;
  if (read(report[0], &pid, sizeof pid) != static_cast<ssize_t>(sizeof pid)) pid = -1;
  close(report[0]);
  waitpid(spawner, nullptr, 0);
  return pid;
}

// Reaps every exited child of the test (orphaned supervisors) until none is left, within a bound.
bool reap_until_no_child(EpollLoop& loop) {
  return run_until(loop, [] {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    return waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD;
  });
}

class AdoptionTest : public LiveProcessRuntimeTest {
 protected:
  void SetUp() override {
    LiveProcessRuntimeTest::SetUp();
    ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    // Far longer than sun_path's 108 bytes: socket paths must not depend on it.
    options_.socket_directory =
        (directory_ / std::string(100, 'd') / std::string(100, 'e') / "supervisors").string();
    options_.reconnect_timeout = seconds(20);
  }
  void TearDown() override {
    if (pid_ > 0 && !process_is_gone(pid_)) kill(-pid_, SIGKILL);
    reap_until_no_child(loop_);
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    LiveProcessRuntimeTest::TearDown();
  }
  runtime::ProcessSpec keyed(const std::string& script) {
    runtime::ProcessSpec spec = shell(script);
    spec.key = "nodrop://uid-1/app/1";
    return spec;
  }
  fs::path socket_file() const {
    return fs::path(options_.socket_directory) / socket_name_of("nodrop://uid-1/app/1");
  }

  LiveProcessRuntimeOptions options_;
  int pid_ = -1;
};

TEST_F(AdoptionTest, AProcessWithAKeyOutlivesItsRuntimeAndTheNextOneAdoptsItWithItsOutput) {
  // "late" is written while no runtime reads the pipe: the next one must get it.
  pid_ = start_and_die(options_, keyed("echo early; sleep 0.3; echo late; exec sleep 1000"));
  ASSERT_GT(pid_, 0);
  EXPECT_TRUE(fs::exists(socket_file()));
  loop_.run_once(std::chrono::milliseconds(500));
  ASSERT_FALSE(process_is_gone(pid_)) << "the process died with its runtime";

  LiveProcessRuntime runtime(loop_, options_);
  runtime::ProcessSpec spec = keyed("");
  spec.log_path = (directory_ / "adopted.log").string();
  std::optional<runtime::ProcessExit> exit;
  const auto id = runtime.adopt(spec, [&](const runtime::ProcessExit& e) { exit = e; });
  ASSERT_TRUE(id.is_ok()) << id.status().to_string();
  EXPECT_EQ(runtime.os_pid(*id), pid_);  // the same process, not a new one
  EXPECT_EQ(runtime.running(), 1U);
  ASSERT_TRUE(run_until(loop_, [&] {
    const std::string log = read_file(directory_ / "adopted.log");
    return log.find("early") != std::string::npos && log.find("late") != std::string::npos;
  })) << read_file(directory_ / "adopted.log");

  // The adopted process is signalled and reported as one started here.
  ASSERT_TRUE(runtime.signal(*id, runtime::Signal::kTerminate).is_ok());
  ASSERT_TRUE(run_until(loop_, [&] { return exit.has_value(); }));
  EXPECT_EQ(exit->kind, runtime::ExitKind::kSignaled);
  EXPECT_EQ(exit->signal_number, SIGTERM);
  EXPECT_TRUE(process_is_gone(pid_));
  EXPECT_FALSE(fs::exists(socket_file()));  // nothing left to adopt
}

TEST_F(AdoptionTest, AProcessNobodyAdoptsDiesWithItsGroupAfterTheReconnectTimeout) {
  options_.reconnect_timeout = std::chrono::milliseconds(300);
  const fs::path child_pid = directory_ / "child";
  pid_ = start_and_die(options_,
                       keyed("sleep 1000 & echo $! > " + child_pid.string() + "; exec sleep 1000"));
  ASSERT_GT(pid_, 0);
  ASSERT_TRUE(run_until(loop_, [&] { return !read_file(child_pid).empty(); }));
  const int child = std::stoi(read_file(child_pid));
  EXPECT_TRUE(run_until(loop_, [&] {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    // The supervisor removes its socket file once the group is dead, then exits.
    return process_is_gone(pid_) && process_is_gone(child) && !fs::exists(socket_file());
  }));
  if (!process_is_gone(child)) kill(child, SIGKILL);
  LiveProcessRuntime runtime(loop_, options_);
  const auto id = runtime.adopt(keyed(""), [](const runtime::ProcessExit&) {});
  EXPECT_EQ(id.status().code(), StatusCode::kNotFound);
}

TEST_F(AdoptionTest, NothingIsAdoptedUnderAnotherKeyOrFromAKilledSupervisor) {
  pid_ = start_and_die(options_, keyed("exec sleep 1000"));
  ASSERT_GT(pid_, 0);
  LiveProcessRuntime runtime(loop_, options_);
  runtime::ProcessSpec other = keyed("");
  other.key = "nodrop://uid-1/app/2";
  EXPECT_EQ(runtime.adopt(other, [](const runtime::ProcessExit&) {}).status().code(),
            StatusCode::kNotFound);

  // Its supervisor killed: the main process dies by PDEATHSIG, a socket file is left behind with
  // nothing listening, and the next adoption removes it.
  std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
  std::string text;
  std::getline(stat, text);
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  char state = 0;
  int supervisor = -1;
  fields >> state >> supervisor;
  ASSERT_GT(supervisor, 1);
  ASSERT_EQ(kill(supervisor, SIGKILL), 0);
  ASSERT_TRUE(reap_until_no_child(loop_));
  EXPECT_TRUE(run_until(loop_, [&] { return process_is_gone(pid_); }));
  EXPECT_TRUE(fs::exists(socket_file()));
  EXPECT_EQ(runtime.adopt(keyed(""), [](const runtime::ProcessExit&) {}).status().code(),
            StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(socket_file()));
  EXPECT_EQ(runtime.running(), 0U);
}

TEST_F(AdoptionTest, AProcessWithoutAKeyDiesWithItsRuntimeAtOnce) {
  pid_ = start_and_die(options_, shell("exec sleep 1000"));
  ASSERT_GT(pid_, 0);
  EXPECT_TRUE(run_until(loop_, [&] {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    return process_is_gone(pid_);
  }));
}

}  // namespace
}  // namespace nodrop::live
