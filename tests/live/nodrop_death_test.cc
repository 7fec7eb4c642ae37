// If nodrop dies, however it dies, a pod without a lifeline (no key, no socket directory: pods
// with one wait for the next nodrop, process_runtime_test.cc's AdoptionTest) dies with it: a
// helper program (pod_owner) plays nodrop, starts a pod whose command forks children and
// grandchildren that record their pids, and is killed with SIGKILL. Every recorded process must
// be gone, at once.
//
// The test process makes itself a child subreaper, so whatever the helper's tree orphans comes to
// the test rather than to pid 1: it can tell that none of the pod's processes was orphaned, and it
// cleans up everything it started, by pid and process group, never by name. Waits are bounded
// only to stop a hang; a slow machine never reaches the bound.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr auto kWaitLimit = std::chrono::seconds(20);
constexpr auto kPollInterval = std::chrono::milliseconds(10);

// Polls done() until it holds or kWaitLimit passes.
template <typename Predicate>
bool wait_until(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

std::vector<int> read_pids(const fs::path& path) {
  std::ifstream stream(path);
  std::vector<int> pids;
  for (int pid = 0; stream >> pid;) pids.push_back(pid);
  return pids;
}

// The parent pid of a live process, from /proc; -1 when it is gone.
int parent_of(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  const auto close_paren = text.rfind(')');
  if (close_paren == std::string::npos) return -1;
  std::istringstream fields(text.substr(close_paren + 2));
  char state = 0;
  int parent = -1;
  fields >> state >> parent;
  return parent;
}

// Gone: no process, not even a zombie, has this pid.
bool is_gone(int pid) { return kill(pid, 0) != 0 && errno == ESRCH; }

class NodropDeathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    char pattern[] = "/tmp/nodrop-death-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
  }

  void TearDown() override {
    // Whatever is left, killed by pid and group, then every child of ours reaped.
    if (main_pid_ > 0 && !is_gone(main_pid_)) kill(-main_pid_, SIGKILL);
    std::vector<int> started = read_pids(directory_ / "pids");
    for (int pid : read_pids(directory_ / "orphan")) started.push_back(pid);
    for (int pid : started) {
      if (!is_gone(pid)) kill(pid, SIGKILL);
    }
    if (owner_ > 0 && !is_gone(owner_)) kill(owner_, SIGKILL);
    reap_children_until([] { return waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD; },
                        std::chrono::seconds(2));
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    fs::remove_all(directory_);
  }

  // Starts pod_owner with the script; returns the pod's main pid as the helper reports it.
  int start_owner(const std::string& script) {
    int output[2];
    if (pipe(output) != 0) return -1;
    const std::string log = (directory_ / "app.log").string();
    owner_ = fork();
    if (owner_ == 0) {
      dup2(output[1], STDOUT_FILENO);
      close(output[0]);
      close(output[1]);
      execl(POD_OWNER_PATH, POD_OWNER_PATH, log.c_str(), script.c_str(), nullptr);
      _exit(127);
    }
    close(output[1]);
    char line[32] = {};
    std::size_t got = 0;
    while (got < sizeof line - 1) {
      const ssize_t n = read(output[0], line + got, 1);
      if (n <= 0 || line[got] == '\n') break;
      got += static_cast<std::size_t>(n);
    }
    close(output[0]);
    main_pid_ = static_cast<int>(std::strtol(line, nullptr, 10));  // 0 when it printed nothing
    return main_pid_;
  }

  // Reaps every exited child of the test (the helper, and whatever was orphaned to the test)
  // until done() holds or the limit passes; remembers which pids it reaped.
  template <typename Predicate>
  bool reap_children_until(Predicate done, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      for (;;) {
        const pid_t reaped = waitpid(-1, nullptr, WNOHANG);
        if (reaped <= 0) break;
        reaped_by_test_.insert(reaped);
      }
      if (done()) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(kPollInterval);
    }
  }

  fs::path directory_;
  pid_t owner_ = -1;
  int main_pid_ = -1;
  std::set<int> reaped_by_test_;
};

TEST_F(NodropDeathTest, SigkillOfNodropKillsEveryProcessOfThePodAndNoneIsOrphaned) {
  const std::string pids = (directory_ / "pids").string();
  const std::string orphan_file = (directory_ / "orphan").string();
  // The main shell records itself and two children (one a subshell with a child of its own): 4
  // pids; a subshell that exits at once leaves an orphan, recorded apart.
  const std::string script = "echo $$ >> " + pids + "; sleep 1000 & echo $! >> " + pids +
                             "; (sleep 1000 & echo $! >> " + pids + "; wait) & echo $! >> " + pids +
                             "; (sleep 1000 & echo $! > " + orphan_file + ".tmp; mv " +
                             orphan_file + ".tmp " + orphan_file + "); wait";
  const int main_pid = start_owner(script);
  ASSERT_GT(main_pid, 0);
  ASSERT_TRUE(wait_until(
      [&] { return read_pids(pids).size() == 4 && read_pids(orphan_file).size() == 1; }));
  std::vector<int> recorded = read_pids(pids);
  const int orphan = read_pids(orphan_file).front();
  recorded.push_back(orphan);
  EXPECT_EQ(recorded.front(), main_pid);
  const int supervisor = parent_of(main_pid);
  ASSERT_GT(supervisor, 1);
  EXPECT_NE(supervisor, owner_) << "the pod's main process runs under a supervisor";
  // The process orphaned while the pod runs is re-parented to the supervisor, not to pid 1.
  EXPECT_TRUE(wait_until([&] { return parent_of(orphan) == supervisor; }))
      << "parent of " << orphan << " is " << parent_of(orphan);

  ASSERT_EQ(kill(owner_, SIGKILL), 0);
  const bool all_gone = reap_children_until(
      [&] {
        for (int pid : recorded) {
          if (!is_gone(pid)) return false;
        }
        return is_gone(supervisor);
      },
      std::chrono::duration_cast<std::chrono::milliseconds>(kWaitLimit));
  EXPECT_TRUE(all_gone);
  for (int pid : recorded) {
    EXPECT_TRUE(is_gone(pid)) << "pid " << pid << " survived nodrop";
    EXPECT_EQ(reaped_by_test_.count(pid), 0U) << "pid " << pid << " was orphaned, not reaped";
  }
}

}  // namespace
