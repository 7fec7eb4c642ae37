// The TCP sockets a process group listens on, read from /proc as `ss -ltnp` does: the socket
// inodes among the open files of every process of the group (/proc/<pid>/fd, "socket:[inode]"),
// matched against the listening sockets of /proc/net/tcp and /proc/net/tcp6 (state 0A).
//
// Bounds: at most kMaxProcessesScanned processes, kMaxSocketsScanned descriptors and
// kMaxListeningSockets results; what lies beyond is not seen. A process that exits while it is
// read is skipped.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/process_runtime.h"

namespace nodrop::live {

constexpr std::size_t kMaxProcessesScanned = 65536;
constexpr std::size_t kMaxSocketsScanned = 65536;

// One listening socket of a /proc/net/tcp{,6} table.
struct ProcNetListener {
  runtime::ListeningSocket socket;
  std::uint64_t inode = 0;
};

// The listening sockets of a /proc/net/tcp (ipv6 false) or /proc/net/tcp6 text; lines it cannot
// read are skipped. Addresses as inet_ntop writes them ("0.0.0.0", "::", "127.0.2.5").
std::vector<ProcNetListener> parse_proc_net_tcp(std::string_view text, bool ipv6);

// The TCP sockets the processes of group `group` listen on, each once.
std::vector<runtime::ListeningSocket> listening_sockets_of_group(pid_t group);

}  // namespace nodrop::live
