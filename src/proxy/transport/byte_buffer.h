// A fixed-capacity byte buffer for one direction of a proxied connection. The capacity is the
// limit: a full buffer stops reading from the producer (backpressure), never grows.
//
// Storage is taken from the worker's BufferPool only while the buffer holds bytes or is being
// read into, and given back with release() once it is empty: an idle keep-alive connection then
// holds no buffer at all (4 × 16 KiB per HTTP session otherwise, measured at 65 KiB per idle
// connection before this), and memory goes back to the pool, bounded, when connections go quiet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "base/check.h"

namespace nodrop::proxy {

// Spare buffers of one size, reused across connections of one worker (one thread). At most
// max_spare are kept; more given back are freed.
class BufferPool {
 public:
  BufferPool(std::size_t buffer_bytes, std::size_t max_spare)
      : buffer_bytes_(buffer_bytes), max_spare_(max_spare) {
    NODROP_CHECK(buffer_bytes > 0 && buffer_bytes <= std::size_t{1} << 30);
  }
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  std::size_t buffer_bytes() const { return buffer_bytes_; }
  std::unique_ptr<char[]> take() {
    if (spare_.empty()) return std::make_unique_for_overwrite<char[]>(buffer_bytes_);
    std::unique_ptr<char[]> buffer = std::move(spare_.back());
    spare_.pop_back();
    return buffer;
  }
  void give_back(std::unique_ptr<char[]> buffer) {
    if (spare_.size() < max_spare_) spare_.push_back(std::move(buffer));
  }
  std::size_t spare_count() const { return spare_.size(); }

 private:
  const std::size_t buffer_bytes_;
  const std::size_t max_spare_;
  std::vector<std::unique_ptr<char[]>> spare_;
};

class ByteBuffer {
 public:
  explicit ByteBuffer(BufferPool& pool) : pool_(pool) {}
  ~ByteBuffer() { release(); }
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;

  std::string_view view() const {
    return data_ ? std::string_view(data_.get() + begin_, end_ - begin_) : std::string_view();
  }
  std::size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  std::size_t capacity() const { return pool_.buffer_bytes(); }
  // Bytes that can still be added (after compacting).
  std::size_t space() const { return capacity() - size(); }
  // Whether storage is held (for tests and metrics).
  bool holds_storage() const { return data_ != nullptr; }

  void consume(std::size_t count) {
    NODROP_DCHECK(count <= size());
    begin_ += static_cast<std::uint32_t>(count);
    if (begin_ == end_) begin_ = end_ = 0;
  }
  void clear() { begin_ = end_ = 0; }
  // Gives the storage back to the pool if the buffer is empty.
  void release() {
    if (data_ && empty()) pool_.give_back(std::move(data_));
  }

  // Where a read may write, after taking storage and moving the contents to the front if needed.
  char* write_position() {
    acquire();
    compact();
    return data_.get() + end_;
  }
  std::size_t write_space() const { return capacity() - end_; }
  void commit(std::size_t count) {
    NODROP_DCHECK(data_ != nullptr && count <= write_space());
    end_ += static_cast<std::uint32_t>(count);
  }
  // Appends all of bytes; the caller has checked space().
  void append(std::string_view bytes) {
    NODROP_CHECK(bytes.size() <= space());
    if (bytes.empty()) return;
    acquire();
    compact();
    std::memcpy(data_.get() + end_, bytes.data(), bytes.size());
    end_ += static_cast<std::uint32_t>(bytes.size());
  }

 private:
  void acquire() {
    if (!data_) data_ = pool_.take();
  }
  void compact() {
    if (begin_ == 0) return;
    std::memmove(data_.get(), data_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }

  BufferPool& pool_;
  std::unique_ptr<char[]> data_;
  // Offsets fit 32 bits (BufferPool's buffers are KiBs): a buffer lives in every idle connection.
  std::uint32_t begin_ = 0;
  std::uint32_t end_ = 0;
};

}  // namespace nodrop::proxy
