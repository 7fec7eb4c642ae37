// The load generator: sends the requests of a Schedule over a bounded set of connections on one
// event loop, and records one outcome per request.
//
// Open loop (a --rate): request i is due at its intended time whether or not earlier ones were
// answered. A due request takes an idle connection, or opens one while fewer than --connections
// are open; when all are busy it waits in the backlog, which costs no memory (the backlog is the
// index range [next request, due count)). Latency and timeouts count from the intended time, so a
// stalled server shows up in every request it delayed (no coordinated omission).
//
// Closed loop (--rate max): every connection sends its next request as soon as the last one is
// answered, until the duration ends; for measuring capacity, latency counts from the actual send.
//
// Lifecycle of a connection slot (every switch over it is exhaustive):
//   kClosed ──connect──► kConnecting ──connected──► kSending ──written──► kReceiving
//      ▲                                               ▲                      │ answer (keep-alive)
//      └── failure, timeout, close, new-connection ────┴─── kIdle ◄────────────┘
//
// Threading: everything runs on the loop's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/response_reader.h"
#include "live/file_descriptor.h"
#include "live/loop/epoll_loop.h"
#include "live/loop/precise_timer.h"
#include "live/sockets/tcp.h"
#include "traffic/load_options.h"
#include "traffic/recorder.h"
#include "traffic/schedule.h"

namespace nodrop::traffic {

class LoadGenerator {
 public:
  // How often timeouts and the end of the run are checked: the precision of a timeout.
  static constexpr runtime::Duration kSweepPeriod = std::chrono::milliseconds(10);

  // The run starts at recorder.start() and lasts options.duration. endpoint is the target's
  // resolved address. The loop and the recorder must outlive the generator.
  LoadGenerator(live::EpollLoop& loop, const LoadOptions& options, Ipv4Endpoint endpoint,
                Recorder& recorder);
  ~LoadGenerator();
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  // Schedules the first send; on_finished runs on the loop once every request has its outcome.
  void start(std::function<void()> on_finished);
  // Moves the end of sending (verify ends its load a settle time after the command exits).
  // Clamped to [start, start + options.duration].
  void set_end(runtime::Time end);

  bool finished() const { return finished_; }
  std::uint64_t started_requests() const { return next_index_; }
  std::uint32_t busy_connections() const { return busy_; }
  std::uint32_t open_connections() const { return open_; }

 private:
  enum class SlotState { kClosed, kConnecting, kSending, kReceiving, kIdle };
  struct Slot {
    SlotState state = SlotState::kClosed;
    live::FileDescriptor socket;
    live::WatchId watch = 0;
    bool watching_writable = false;
    runtime::Time intended{};
    std::size_t written = 0;
    http::ResponseReader parser;
    std::size_t echo_received = 0;
  };

  bool open_loop() const { return schedule_.has_value(); }
  runtime::Time end() const;
  bool has_due(runtime::Time now) const;
  bool sending_done(runtime::Time now) const;

  void pump();
  void expire_backlog(runtime::Time now);
  void schedule_tick(runtime::Time now);
  void sweep();
  void check_finished(runtime::Time now);

  void start_request(std::size_t slot_index, runtime::Time intended);
  void connect(std::size_t slot_index);
  void on_event(std::size_t slot_index, std::uint32_t events);
  void on_connected(std::size_t slot_index);
  void write_request(std::size_t slot_index);
  void read_response(std::size_t slot_index);
  void set_writable_interest(Slot& slot, bool writable);
  // Records the slot's request and frees the slot: idle when keep_alive, else closed.
  void complete(std::size_t slot_index, Outcome outcome, int status_code, bool keep_alive);
  void close_slot(std::size_t slot_index);

  live::EpollLoop& loop_;
  const LoadOptions options_;
  std::uint64_t connects_ = 0;  // connections opened, for the round robin over options_.sources
  const Ipv4Endpoint endpoint_;
  const std::string request_;
  Recorder& recorder_;
  std::optional<Schedule> schedule_;  // open loop only
  runtime::Time closed_loop_end_{};

  std::vector<Slot> slots_;
  std::vector<std::size_t> idle_;    // slots in kIdle, most recently used last
  std::vector<std::size_t> closed_;  // slots in kClosed
  std::uint32_t busy_ = 0;           // slots in kConnecting, kSending or kReceiving
  std::uint32_t open_ = 0;           // slots not in kClosed
  std::uint64_t next_index_ = 0;     // the next request to start
  live::PreciseTimer tick_timer_;    // the next send tick, to the microsecond
  runtime::TimerId sweep_timer_ = 0;
  bool pumping_ = false;
  bool started_ = false;
  bool finished_ = false;
  std::function<void()> on_finished_;
  std::vector<char> read_buffer_;
};

}  // namespace nodrop::traffic
