#include "live/processes/listening_sockets.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace nodrop::live {
namespace {

constexpr std::string_view kListenState = "0A";

bool parse_hex(std::string_view text, std::uint32_t& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out, 16);
  return error == std::errc() && end == text.data() + text.size();
}

// "0100007F:1F90" (IPv4) or 32 hex digits and a port (IPv6): the kernel prints each 32-bit word
// of the address as the number its bytes make in this machine's order.
bool parse_local_address(std::string_view text, bool ipv6, runtime::ListeningSocket& out) {
  const std::size_t colon = text.find(':');
  const std::size_t words = ipv6 ? 4 : 1;
  if (colon != words * 8) return false;
  unsigned char bytes[16];
  for (std::size_t i = 0; i < words; ++i) {
    std::uint32_t word = 0;
    if (!parse_hex(text.substr(i * 8, 8), word)) return false;
    std::memcpy(bytes + i * 4, &word, 4);
  }
  std::uint32_t port = 0;
  if (!parse_hex(text.substr(colon + 1), port) || port > 65535) return false;
  char rendered[INET6_ADDRSTRLEN];
  if (inet_ntop(ipv6 ? AF_INET6 : AF_INET, bytes, rendered, sizeof rendered) == nullptr) {
    return false;
  }
  out.address = rendered;
  out.port = static_cast<std::uint16_t>(port);
  return true;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The group of a process, from /proc/<pid>/stat (the fifth field; the name before it may hold
// spaces and parentheses, so fields are counted after its last ')'); -1 when unreadable.
pid_t group_of(const std::string& pid) {
  std::ifstream stat("/proc/" + pid + "/stat");
  std::string line;
  std::getline(stat, line);
  const std::size_t name_end = line.rfind(')');
  if (name_end == std::string::npos) return -1;
  std::istringstream fields(line.substr(name_end + 1));
  std::string state;
  long parent = 0;
  long group = -1;
  if (!(fields >> state >> parent >> group)) return -1;
  return static_cast<pid_t>(group);
}

// Numeric entries of a /proc directory, at most `max`.
std::vector<std::string> numeric_entries(const std::string& path, std::size_t max) {
  std::vector<std::string> names;
  DIR* directory = opendir(path.c_str());
  if (directory == nullptr) return names;
  while (names.size() < max) {
    const dirent* entry = readdir(directory);
    if (entry == nullptr) break;
    const std::string_view name = entry->d_name;
    if (!name.empty() &&
        std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      names.emplace_back(name);
    }
  }
  closedir(directory);
  return names;
}

}  // namespace

std::vector<ProcNetListener> parse_proc_net_tcp(std::string_view text, bool ipv6) {
  std::vector<ProcNetListener> listeners;
  std::istringstream lines{std::string(text)};
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout;
    std::uint64_t inode = 0;
    if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode)) {
      continue;
    }
    ProcNetListener listener;
    if (state != kListenState || !parse_local_address(local, ipv6, listener.socket)) continue;
    listener.inode = inode;
    listeners.push_back(std::move(listener));
  }
  return listeners;
}

std::vector<runtime::ListeningSocket> listening_sockets_of_group(pid_t group) {
  std::set<std::uint64_t> inodes;
  for (const std::string& pid : numeric_entries("/proc", kMaxProcessesScanned)) {
    if (group_of(pid) != group) continue;
    const std::string fds = "/proc/" + pid + "/fd";
    for (const std::string& fd : numeric_entries(fds, kMaxSocketsScanned)) {
      char target[64];
      const ssize_t length = readlink((fds + "/" + fd).c_str(), target, sizeof target - 1);
      if (length <= 0) continue;
      const std::string_view link(target, static_cast<std::size_t>(length));
      constexpr std::string_view kPrefix = "socket:[";
      if (!link.starts_with(kPrefix) || !link.ends_with("]")) continue;
      std::uint64_t inode = 0;
      const std::string_view digits = link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1);
      if (std::from_chars(digits.data(), digits.data() + digits.size(), inode).ec == std::errc()) {
        inodes.insert(inode);
      }
      if (inodes.size() >= kMaxSocketsScanned) break;
    }
  }
  std::vector<runtime::ListeningSocket> sockets;
  for (const bool ipv6 : {false, true}) {
    for (ProcNetListener& listener :
         parse_proc_net_tcp(read_file(ipv6 ? "/proc/net/tcp6" : "/proc/net/tcp"), ipv6)) {
      if (inodes.count(listener.inode) == 0) continue;
      if (sockets.size() >= runtime::kMaxListeningSockets) return sockets;
      sockets.push_back(std::move(listener.socket));
    }
  }
  return sockets;
}

}  // namespace nodrop::live
