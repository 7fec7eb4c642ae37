// An owning file descriptor: a socket, a pipe end, a signalfd. It closes what it holds when it is
// destroyed or given another, so an early return cannot leak one; it moves, and never copies.
#pragma once

#include <cstddef>
#include <utility>

#include "base/status.h"

namespace nodrop::live {

class FileDescriptor {
 public:
  FileDescriptor() = default;
  // Takes ownership of fd (-1: holds nothing).
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int fd() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }
  // Closes the descriptor (if any); the object then holds nothing.
  void reset();
  // A second descriptor, close-on-exec, for the same open file (a listening socket that several
  // workers accept from).
  Result<FileDescriptor> duplicate() const;

 private:
  int fd_ = -1;
};

// The text of an errno value ("Connection refused"), for messages.
std::string error_text(int error_number);

// Raises the soft limit on open files toward the hard limit so that `needed` descriptors fit; an
// error naming both numbers when even the hard limit is too low.
Status reserve_open_files(std::size_t needed);

}  // namespace nodrop::live
