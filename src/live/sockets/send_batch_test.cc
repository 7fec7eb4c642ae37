#include "live/sockets/send_batch.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <string>
#include <vector>

namespace nodrop::live {
namespace {

struct SocketPair {
  int fds[2] = {-1, -1};
  SocketPair() {
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
  }
  ~SocketPair() {
    close(fds[0]);
    close(fds[1]);
  }
  std::string read_all() const {
    std::string got;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = read(fds[1], buffer, sizeof buffer)) > 0) got.append(buffer, n);
    return got;
  }
};

// Where the kernel refuses io_uring the proxy sends one by one, and these tests are skipped (the
// proxy's tests run both ways).
constexpr const char* kNoIoUring = "io_uring is unavailable on this kernel";

TEST(SendBatch, SendsToEverySocketInOneSubmissionAndReportsEachResult) {
  auto batch = SendBatch::create(8);
  if (batch == nullptr) GTEST_SKIP() << kNoIoUring;
  SocketPair a, b, c;
  const std::string one = "first message", two = "second", three = "third one";
  batch->add(a.fds[0], one.data(), one.size(), 1);
  batch->add(b.fds[0], two.data(), two.size(), 2);
  batch->add(c.fds[0], three.data(), three.size(), 3);
  std::map<std::uint64_t, long> results;
  for (const auto& result : batch->finish()) results[result.tag] = result.value;
  EXPECT_EQ(results, (std::map<std::uint64_t, long>{{1, static_cast<long>(one.size())},
                                                    {2, static_cast<long>(two.size())},
                                                    {3, static_cast<long>(three.size())}}));
  EXPECT_EQ(a.read_all(), one);
  EXPECT_EQ(b.read_all(), two);
  EXPECT_EQ(c.read_all(), three);
  // The next round starts empty.
  EXPECT_TRUE(batch->finish().empty());
}

TEST(SendBatch, AFullSocketGivesEagainInsteadOfBlocking) {
  auto batch = SendBatch::create(8);
  if (batch == nullptr) GTEST_SKIP() << kNoIoUring;
  SocketPair pair;
  const std::string chunk(64 * 1024, 'x');
  while (write(pair.fds[0], chunk.data(), chunk.size()) > 0) {
  }
  batch->add(pair.fds[0], chunk.data(), chunk.size(), 7);
  const auto& results = batch->finish();
  ASSERT_EQ(results.size(), 1U);
  EXPECT_EQ(results[0].tag, 7U);
  EXPECT_EQ(results[0].value, -EAGAIN);
}

TEST(SendBatch, MoreSendsThanQueueEntriesAreAllSentInOrderPerSocket) {
  auto batch = SendBatch::create(4);
  if (batch == nullptr) GTEST_SKIP() << kNoIoUring;
  SocketPair pair;
  std::vector<std::string> parts;
  for (int i = 0; i < 10; ++i) parts.push_back("part" + std::to_string(i) + ";");
  std::string expected;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    batch->add(pair.fds[0], parts[i].data(), parts[i].size(), i);
    expected += parts[i];
  }
  EXPECT_EQ(batch->finish().size(), parts.size());
  EXPECT_EQ(pair.read_all(), expected);
}

TEST(SendBatch, ASendToAClosedPeerReportsTheError) {
  auto batch = SendBatch::create(4);
  if (batch == nullptr) GTEST_SKIP() << kNoIoUring;
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
  close(fds[1]);
  batch->add(fds[0], "x", 1, 9);  // MSG_NOSIGNAL: EPIPE, no SIGPIPE
  const auto& results = batch->finish();
  ASSERT_EQ(results.size(), 1U);
  EXPECT_EQ(results[0].value, -EPIPE);
  close(fds[0]);
}

}  // namespace
}  // namespace nodrop::live
