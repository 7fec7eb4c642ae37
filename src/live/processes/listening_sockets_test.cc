#include "live/processes/listening_sockets.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace nodrop::live {
namespace {

// From a Linux /proc/net/tcp and /proc/net/tcp6 (x86: each address word printed little-endian).
constexpr const char* kTcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode\n"
    "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
    "4242 1 0000000000000000 100 0 0 10 0\n"
    "   1: 0502007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
    "4243 1 0000000000000000 100 0 0 10 0\n"
    "   2: 0502007F:0050 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 "
    "4244 1 0000000000000000 20 4 30 10 -1\n"
    "   3: garbage\n";
constexpr const char* kTcp6 =
    "  sl  local_address                         remote_address                        st "
    "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000     0        0 5151 1 0000000000000000 100 0 0 10 0\n";

TEST(ProcNetTcp, ReadsListeningSocketsWithTheirAddressPortAndInode) {
  const std::vector<ProcNetListener> listeners = parse_proc_net_tcp(kTcp, false);
  ASSERT_EQ(listeners.size(), 2U);  // the established connection and the garbage are skipped
  if (htonl(1) != 1) {              // the sample's words are little-endian
    EXPECT_EQ(listeners[0].socket, (runtime::ListeningSocket{"0.0.0.0", 8080}));
    EXPECT_EQ(listeners[0].inode, 4242U);
    EXPECT_EQ(listeners[1].socket, (runtime::ListeningSocket{"127.0.2.5", 80}));
  }
  const std::vector<ProcNetListener> six = parse_proc_net_tcp(kTcp6, true);
  ASSERT_EQ(six.size(), 1U);
  EXPECT_EQ(six[0].socket, (runtime::ListeningSocket{"::", 8080}));
  EXPECT_EQ(six[0].inode, 5151U);
}

// A real socket of this test's own process group, on an address of the range this file may use.
TEST(ListeningSocketsOfGroup, FindsTheGroupsListeningSocketAndNotItsOtherSockets) {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  ASSERT_EQ(inet_pton(AF_INET, "127.0.162.1", &address.sin_addr), 1);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const int unlistened = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(unlistened, 0);
  ASSERT_EQ(listen(listener, 1), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const runtime::ListeningSocket expected{"127.0.162.1", ntohs(address.sin_port)};

  const std::vector<runtime::ListeningSocket> sockets = listening_sockets_of_group(getpgrp());
  EXPECT_EQ(std::count(sockets.begin(), sockets.end(), expected), 1);
  close(listener);
  const std::vector<runtime::ListeningSocket> after = listening_sockets_of_group(getpgrp());
  EXPECT_EQ(std::count(after.begin(), after.end(), expected), 0);
  close(unlistened);
}

}  // namespace
}  // namespace nodrop::live
