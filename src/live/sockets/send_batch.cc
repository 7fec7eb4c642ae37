#include "live/sockets/send_batch.h"

#include <liburing.h>
#include <sys/socket.h>

#include <cerrno>

#include "base/check.h"

namespace nodrop::live {

struct SendBatch::Ring {
  io_uring ring{};
  bool ready = false;
  ~Ring() {
    if (ready) io_uring_queue_exit(&ring);
  }
};

std::unique_ptr<SendBatch> SendBatch::create(unsigned entries) {
  auto ring = std::make_unique<Ring>();
  if (io_uring_queue_init(entries, &ring->ring, 0) != 0) return nullptr;
  ring->ready = true;
  return std::unique_ptr<SendBatch>(new SendBatch(std::move(ring)));
}

SendBatch::SendBatch(std::unique_ptr<Ring> ring) : ring_(std::move(ring)) {}

SendBatch::~SendBatch() = default;

void SendBatch::add(int fd, const char* data, std::size_t size, std::uint64_t tag) {
  if (finished_) {
    results_.clear();
    finished_ = false;
  }
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_->ring);
  if (sqe == nullptr) {  // the submission queue is full: send what is queued first
    submit_and_reap();
    sqe = io_uring_get_sqe(&ring_->ring);
    NODROP_CHECK(sqe != nullptr);
  }
  io_uring_prep_send(sqe, fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, tag);
  ++unreaped_;
}

void SendBatch::submit_and_reap() {
  while (unreaped_ > 0) {
    const int submitted = io_uring_submit_and_wait(&ring_->ring, static_cast<unsigned>(unreaped_));
    NODROP_CHECK(submitted >= 0 || submitted == -EINTR || submitted == -EAGAIN);
    io_uring_cqe* cqe = nullptr;
    while (unreaped_ > 0 && io_uring_peek_cqe(&ring_->ring, &cqe) == 0) {
      results_.push_back({io_uring_cqe_get_data64(cqe), cqe->res});
      io_uring_cqe_seen(&ring_->ring, cqe);
      --unreaped_;
    }
  }
}

const std::vector<SendBatch::Result>& SendBatch::finish() {
  if (finished_) results_.clear();
  submit_and_reap();
  finished_ = true;
  return results_;
}

}  // namespace nodrop::live
