// One owner of a directory at a time (a data dir: one nodrop): an exclusive lock on a file in it,
// held while the LockFile lives, and released by the kernel when its process ends, however it
// ends (kill -9 included), so there is never a stale lock to clean up.
//
// The lock is a POSIX record lock (fcntl F_SETLK) on the whole file. Unlike flock() and open file
// description locks, it is not inherited by fork(): the pods' supervisors, forks of nodrop that
// outlive it, never hold the data dir of a nodrop that died. F_GETLK names the holder's pid, so a
// second nodrop can say which one runs. (A POSIX lock is released when its process closes any
// descriptor of the file: only this class opens it; and it does not exclude the process's own
// threads, so the class also refuses a second LockFile on the same file within one process.)
//
// The file also holds the owner's pid, for people; the lock, not the text, decides.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "live/file_descriptor.h"

namespace nodrop::live {

class LockFile {
 public:
  // Takes the lock on path (made owner-only if missing) and writes this process's pid in it.
  // kFailedPrecondition when another process holds it: "held by pid 1234 (nodrop up --data-dir
  // /x)", from the lock and that process's command line.
  static Result<LockFile> acquire(const std::string& path);

  LockFile(LockFile&&) noexcept;
  LockFile& operator=(LockFile&&) noexcept;
  ~LockFile();

  const std::string& path() const;

 private:
  struct Held;  // the descriptor (the lock goes with it) and the file's identity in this process
  explicit LockFile(std::unique_ptr<Held> held);

  std::unique_ptr<Held> held_;
};

}  // namespace nodrop::live
