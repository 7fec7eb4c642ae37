#include "live/lock_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <utility>

namespace nodrop::live {
namespace {

using FileIdentity = std::pair<dev_t, ino_t>;

// The files this process holds a LockFile on: POSIX locks do not exclude the process itself.
std::mutex held_mutex;
std::set<FileIdentity>& held_files() {
  static std::set<FileIdentity> files;
  return files;
}

// A process's command line, its arguments joined by spaces; empty if it cannot be read.
std::string command_line_of(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\0') text.pop_back();
  for (char& c : text) {
    if (c == '\0') c = ' ';
  }
  return text;
}

flock whole_file(short type) {
  flock lock{};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0;
  lock.l_len = 0;  // to the end, however long
  return lock;
}

}  // namespace

struct LockFile::Held {
  std::string path;
  FileDescriptor fd;
  FileIdentity identity;
  ~Held() {
    std::lock_guard lock(held_mutex);
    held_files().erase(identity);
  }
};

LockFile::LockFile(std::unique_ptr<Held> held) : held_(std::move(held)) {}
LockFile::LockFile(LockFile&&) noexcept = default;
LockFile& LockFile::operator=(LockFile&&) noexcept = default;
LockFile::~LockFile() = default;

const std::string& LockFile::path() const { return held_->path; }

Result<LockFile> LockFile::acquire(const std::string& path) {
  std::lock_guard held(held_mutex);
  // Checked before opening: closing a second descriptor of a file this process holds the lock
  // on would release it.
  struct stat file {};
  if (::stat(path.c_str(), &file) == 0 && held_files().count({file.st_dev, file.st_ino}) != 0) {
    return Status(StatusCode::kFailedPrecondition,
                  path + " is held by this process (pid " + std::to_string(getpid()) + ")");
  }
  FileDescriptor fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.is_open()) return io_error("cannot open " + path + ": " + error_text(errno));
  if (fstat(fd.fd(), &file) != 0) return io_error("cannot stat " + path + ": " + error_text(errno));
  const FileIdentity identity{file.st_dev, file.st_ino};
  flock lock = whole_file(F_WRLCK);
  if (fcntl(fd.fd(), F_SETLK, &lock) != 0) {
    const int error = errno;
    if (error != EACCES && error != EAGAIN) {
      return io_error("cannot lock " + path + ": " + error_text(error));
    }
    flock holder = whole_file(F_WRLCK);
    std::string who = "another process";
    if (fcntl(fd.fd(), F_GETLK, &holder) == 0 && holder.l_type != F_UNLCK && holder.l_pid > 0) {
      who = "pid " + std::to_string(holder.l_pid);
      const std::string command = command_line_of(holder.l_pid);
      if (!command.empty()) who += " (" + command + ")";
    }
    return Status(StatusCode::kFailedPrecondition, path + " is held by " + who);
  }
  const std::string text = std::to_string(getpid()) + "\n";
  if (ftruncate(fd.fd(), 0) != 0 ||
      pwrite(fd.fd(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    return io_error("cannot write " + path + ": " + error_text(errno));
  }
  held_files().insert(identity);
  return LockFile(std::unique_ptr<Held>(new Held{path, std::move(fd), identity}));
}

}  // namespace nodrop::live
