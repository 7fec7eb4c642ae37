#include "live/lock_file.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

namespace nodrop::live {
namespace {

namespace fs = std::filesystem;

class LockFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("nodrop-lock-" + std::to_string(getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
    path_ = (directory_ / "lock").string();
  }
  void TearDown() override {
    if (child_ > 0) {
      kill(child_, SIGKILL);
      waitpid(child_, nullptr, 0);
    }
    fs::remove_all(directory_);
  }

  fs::path directory_;
  std::string path_;
  pid_t child_ = -1;
};

TEST_F(LockFileTest, OneHolderAtATimeAndTheLockGoesWithIt) {
  {
    auto first = LockFile::acquire(path_);
    ASSERT_TRUE(first.is_ok()) << first.status().to_string();
    EXPECT_EQ(fs::status(path_).permissions(), fs::perms::owner_read | fs::perms::owner_write);
    auto second = LockFile::acquire(path_);
    ASSERT_FALSE(second.is_ok());
    EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(second.status().message().find("held by this process"), std::string::npos);
    // The refused attempt did not release the first one's lock (a POSIX lock goes when its
    // process closes any descriptor of the file).
    auto third = LockFile::acquire(path_);
    EXPECT_FALSE(third.is_ok());
  }
  EXPECT_TRUE(LockFile::acquire(path_).is_ok());
}

TEST_F(LockFileTest, AnotherProcessIsNamedAndItsDeathReleasesTheLock) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  child_ = fork();
  if (child_ == 0) {
    auto held = LockFile::acquire(path_);
    const char byte = held.is_ok() ? 'y' : 'n';
    [[maybe_unused]] const auto written = write(ready[1], &byte, 1);
    pause();
    _exit(0);
  }
  close(ready[1]);
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  close(ready[0]);
  ASSERT_EQ(byte, 'y');
  auto refused = LockFile::acquire(path_);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("held by pid " + std::to_string(child_)),
            std::string::npos)
      << refused.status().message();
  // Killed with SIGKILL: no clean-up ran, and the lock is free.
  kill(child_, SIGKILL);
  waitpid(child_, nullptr, 0);
  child_ = -1;
  EXPECT_TRUE(LockFile::acquire(path_).is_ok());
}

}  // namespace
}  // namespace nodrop::live
