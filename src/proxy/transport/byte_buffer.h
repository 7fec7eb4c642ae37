// A fixed-capacity byte buffer for one direction of a proxied connection. The capacity is the
// limit: a full buffer stops reading from the producer (backpressure), never grows.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

#include "base/check.h"

namespace nodrop::proxy {

class ByteBuffer {
 public:
  explicit ByteBuffer(std::size_t capacity)
      : data_(std::make_unique<char[]>(capacity)), capacity_(capacity) {}

  std::string_view view() const { return {data_.get() + begin_, end_ - begin_}; }
  std::size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  std::size_t capacity() const { return capacity_; }
  // Bytes that can still be added (after compacting).
  std::size_t space() const { return capacity_ - size(); }

  void consume(std::size_t count) {
    NODROP_DCHECK(count <= size());
    begin_ += count;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  void clear() { begin_ = end_ = 0; }

  // Where a read may write, after moving the contents to the front if needed.
  char* write_position() {
    compact();
    return data_.get() + end_;
  }
  std::size_t write_space() const { return capacity_ - end_; }
  void commit(std::size_t count) {
    NODROP_DCHECK(count <= capacity_ - end_);
    end_ += count;
  }
  // Appends all of bytes; the caller has checked space().
  void append(std::string_view bytes) {
    NODROP_CHECK(bytes.size() <= space());
    compact();
    std::memcpy(data_.get() + end_, bytes.data(), bytes.size());
    end_ += bytes.size();
  }

 private:
  void compact() {
    if (begin_ == 0) return;
    std::memmove(data_.get(), data_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }

  std::unique_ptr<char[]> data_;
  std::size_t capacity_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace nodrop::proxy
