#include "traffic/load_generator.h"

#include <algorithm>
#include <string_view>

#include "base/check.h"

namespace nodrop::traffic {
namespace {

constexpr std::size_t kReadBufferBytes = 64 * std::size_t{1024};

}  // namespace

LoadGenerator::LoadGenerator(live::EpollLoop& loop, const LoadOptions& options,
                             Ipv4Endpoint endpoint, Recorder& recorder)
    : loop_(loop),
      options_(options),
      endpoint_(endpoint),
      request_(build_request(options)),
      recorder_(recorder),
      slots_(options.connections),
      tick_timer_(loop),
      read_buffer_(kReadBufferBytes) {
  NODROP_CHECK(options.connections >= 1 && options.connections <= LoadOptions::kMaxConnections);
  NODROP_CHECK(options.duration > runtime::Duration::zero() &&
               options.duration <= LoadOptions::kMaxDuration);
  const runtime::Time start = recorder.start();
  if (options.rate_per_second) {
    schedule_.emplace(start, *options.rate_per_second, start + options.duration);
  } else {
    closed_loop_end_ = start + options.duration;
  }
  closed_.reserve(slots_.size());
  idle_.reserve(slots_.size());
  // Pop order: slot 0 first.
  for (std::size_t i = slots_.size(); i > 0; --i) closed_.push_back(i - 1);
}

LoadGenerator::~LoadGenerator() {
  if (sweep_timer_ != 0) loop_.cancel(sweep_timer_);
  for (Slot& slot : slots_) {
    if (slot.state == SlotState::kClosed) continue;
    loop_.unwatch(slot.watch);
  }
}

void LoadGenerator::start(std::function<void()> on_finished) {
  NODROP_CHECK(!started_);
  started_ = true;
  on_finished_ = std::move(on_finished);
  tick_timer_.arm(recorder_.start(), [this] { pump(); });
  sweep_timer_ = loop_.run_at(recorder_.start() + kSweepPeriod, [this] { sweep(); });
}

void LoadGenerator::set_end(runtime::Time end) {
  const runtime::Time start = recorder_.start();
  end = std::clamp(end, start, start + options_.duration);
  if (schedule_) {
    schedule_->set_end(end);
  } else {
    closed_loop_end_ = end;
  }
}

runtime::Time LoadGenerator::end() const { return schedule_ ? schedule_->end() : closed_loop_end_; }

bool LoadGenerator::has_due(runtime::Time now) const {
  if (schedule_) return next_index_ < schedule_->due_count(now);
  return now >= recorder_.start() && now < closed_loop_end_;
}

bool LoadGenerator::sending_done(runtime::Time now) const {
  if (schedule_) return next_index_ >= schedule_->total();
  return now >= closed_loop_end_;
}

void LoadGenerator::pump() {
  if (finished_ || pumping_) return;
  pumping_ = true;
  const runtime::Time now = loop_.clock().now();
  expire_backlog(now);
  // In the closed loop a request that fails at once (refused) frees its connection at once, and
  // "due" never runs out: one start per connection per pump bounds the loop. The next pump comes
  // with the next answer or sweep.
  std::size_t closed_loop_starts = 0;
  while (has_due(now) && (schedule_ || closed_loop_starts++ < slots_.size())) {
    const runtime::Time intended = schedule_ ? schedule_->intended(next_index_) : now;
    std::size_t slot_index = 0;
    if (!idle_.empty()) {
      slot_index = idle_.back();
      idle_.pop_back();
    } else if (!closed_.empty()) {
      slot_index = closed_.back();
      closed_.pop_back();
    } else {
      break;  // every connection is busy: the rest waits in the backlog
    }
    ++next_index_;
    recorder_.record_send(intended, now);
    start_request(slot_index, intended);
  }
  pumping_ = false;
  schedule_tick(now);
  check_finished(now);
}

void LoadGenerator::expire_backlog(runtime::Time now) {
  if (!schedule_) return;
  const std::uint64_t due = schedule_->due_count(now);
  while (next_index_ < due && schedule_->intended(next_index_) + options_.timeout <= now) {
    // Never sent: no connection came free within the timeout.
    recorder_.record(schedule_->intended(next_index_), now, Outcome::kTimeout, 0);
    ++next_index_;
  }
}

void LoadGenerator::schedule_tick(runtime::Time now) {
  if (!schedule_ || tick_timer_.armed()) return;
  const std::uint64_t due = schedule_->due_count(now);
  if (due >= schedule_->total()) return;
  tick_timer_.arm(schedule_->intended(due), [this] { pump(); });
}

void LoadGenerator::sweep() {
  sweep_timer_ = 0;
  const runtime::Time now = loop_.clock().now();
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    Slot& slot = slots_[i];
    switch (slot.state) {
      case SlotState::kConnecting:
      case SlotState::kSending:
      case SlotState::kReceiving:
        if (slot.intended + options_.timeout <= now) {
          complete(i, Outcome::kTimeout, 0, false);
        }
        break;
      case SlotState::kClosed:
      case SlotState::kIdle:
        break;
    }
  }
  pump();
  if (!finished_) sweep_timer_ = loop_.run_after(kSweepPeriod, [this] { sweep(); });
}

void LoadGenerator::check_finished(runtime::Time now) {
  if (finished_ || !sending_done(now) || busy_ != 0) return;
  finished_ = true;
  idle_.clear();
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].state != SlotState::kClosed) close_slot(i);
  }
  tick_timer_.disarm();
  if (sweep_timer_ != 0) loop_.cancel(sweep_timer_);
  sweep_timer_ = 0;
  if (on_finished_) loop_.post(std::move(on_finished_));
}

void LoadGenerator::start_request(std::size_t slot_index, runtime::Time intended) {
  Slot& slot = slots_[slot_index];
  slot.intended = intended;
  slot.written = 0;
  slot.echo_received = 0;
  slot.parser.reset(options_.method);
  ++busy_;
  switch (slot.state) {
    case SlotState::kIdle:
      slot.state = SlotState::kSending;
      write_request(slot_index);
      break;
    case SlotState::kClosed:
      connect(slot_index);
      break;
    case SlotState::kConnecting:
    case SlotState::kSending:
    case SlotState::kReceiving:
      NODROP_CHECK(false && "a busy connection was given a second request");
  }
}

void LoadGenerator::connect(std::size_t slot_index) {
  Slot& slot = slots_[slot_index];
  std::optional<Ipv4Address> source;
  if (options_.sources) {
    source = Ipv4Address{options_.sources->first +
                         static_cast<std::uint32_t>(connects_ % options_.sources->size())};
    ++connects_;
  }
  live::Connecting started = live::start_connect(endpoint_, source);
  switch (started.outcome) {
    case live::IoOutcome::kDone:
    case live::IoOutcome::kWouldBlock:
      break;
    case live::IoOutcome::kRefused:
      --busy_;
      recorder_.record(slot.intended, loop_.clock().now(), Outcome::kConnectRefused, 0);
      closed_.push_back(slot_index);
      return;
    case live::IoOutcome::kClosed:
    case live::IoOutcome::kReset:
    case live::IoOutcome::kOutOfResources:
    case live::IoOutcome::kError:
      --busy_;
      recorder_.record(slot.intended, loop_.clock().now(), Outcome::kConnectError, 0);
      closed_.push_back(slot_index);
      return;
  }
  slot.socket = std::move(started.socket);
  ++open_;
  slot.state = SlotState::kConnecting;
  slot.watching_writable = true;
  slot.watch =
      loop_.watch(slot.socket.fd(), live::kWritable,
                  [this, slot_index](std::uint32_t events) { on_event(slot_index, events); });
  if (started.outcome == live::IoOutcome::kDone) on_connected(slot_index);
}

void LoadGenerator::on_event(std::size_t slot_index, std::uint32_t events) {
  Slot& slot = slots_[slot_index];
  switch (slot.state) {
    case SlotState::kConnecting: {
      const live::IoResult result = live::finish_connect(slot.socket.fd());
      switch (result.outcome) {
        case live::IoOutcome::kDone:
          on_connected(slot_index);
          break;
        case live::IoOutcome::kWouldBlock:
          break;  // not yet
        case live::IoOutcome::kRefused:
          complete(slot_index, Outcome::kConnectRefused, 0, false);
          break;
        case live::IoOutcome::kClosed:
        case live::IoOutcome::kReset:
        case live::IoOutcome::kOutOfResources:
        case live::IoOutcome::kError:
          complete(slot_index, Outcome::kConnectError, 0, false);
          break;
      }
      break;
    }
    case SlotState::kSending:
      if (events & (live::kReadable | live::kHangup)) {
        read_response(slot_index);  // an early answer or a reset; the parser decides
      } else if (events & live::kWritable) {
        write_request(slot_index);
      }
      break;
    case SlotState::kReceiving:
      read_response(slot_index);
      break;
    case SlotState::kIdle: {
      // An idle keep-alive connection has nothing to say: the server closed it, or sent bytes
      // that belong to no request. Either way it cannot carry the next request.
      const live::IoResult result =
          live::read_some(slot.socket.fd(), read_buffer_.data(), read_buffer_.size());
      if (result.outcome != live::IoOutcome::kWouldBlock) {
        idle_.erase(std::find(idle_.begin(), idle_.end(), slot_index));
        close_slot(slot_index);
        pump();
      }
      break;
    }
    case SlotState::kClosed:
      break;
  }
}

void LoadGenerator::on_connected(std::size_t slot_index) {
  Slot& slot = slots_[slot_index];
  slot.state = SlotState::kSending;
  set_writable_interest(slot, false);
  write_request(slot_index);
}

void LoadGenerator::set_writable_interest(Slot& slot, bool writable) {
  if (slot.watching_writable == writable) return;
  slot.watching_writable = writable;
  loop_.modify(slot.watch, writable ? live::kReadable | live::kWritable : live::kReadable);
}

void LoadGenerator::write_request(std::size_t slot_index) {
  Slot& slot = slots_[slot_index];
  while (slot.written < request_.size()) {
    const live::IoResult result = live::write_some(slot.socket.fd(), request_.data() + slot.written,
                                                   request_.size() - slot.written);
    switch (result.outcome) {
      case live::IoOutcome::kDone:
        slot.written += result.bytes;
        break;
      case live::IoOutcome::kWouldBlock:
        set_writable_interest(slot, true);
        return;
      case live::IoOutcome::kRefused:
      case live::IoOutcome::kClosed:
      case live::IoOutcome::kReset:
      case live::IoOutcome::kOutOfResources:
      case live::IoOutcome::kError:
        complete(slot_index, Outcome::kReset, 0, false);
        return;
    }
  }
  slot.state = SlotState::kReceiving;
  set_writable_interest(slot, false);
}

void LoadGenerator::read_response(std::size_t slot_index) {
  Slot& slot = slots_[slot_index];
  const bool echo = options_.target.protocol == Protocol::kTcpEcho;
  while (true) {
    const live::IoResult result =
        live::read_some(slot.socket.fd(), read_buffer_.data(), read_buffer_.size());
    switch (result.outcome) {
      case live::IoOutcome::kDone: {
        const std::string_view data(read_buffer_.data(), result.bytes);
        if (echo) {
          const std::size_t expected = request_.size() - slot.echo_received;
          if (data.size() > expected ||
              data != std::string_view(request_).substr(slot.echo_received, data.size())) {
            complete(slot_index, Outcome::kInvalidResponse, 0, false);
            return;
          }
          slot.echo_received += data.size();
          if (slot.echo_received == request_.size()) {
            complete(slot_index, Outcome::kOk, 0, options_.mode == ConnectionMode::kKeepAlive);
            return;
          }
        } else {
          const std::size_t used = slot.parser.feed(data);
          if (slot.parser.invalid()) {
            complete(slot_index, Outcome::kInvalidResponse, slot.parser.status_code(), false);
            return;
          }
          if (slot.parser.complete()) {
            // Bytes after the answer belong to no request: the connection cannot be trusted.
            const bool reusable = options_.mode == ConnectionMode::kKeepAlive &&
                                  slot.parser.keep_alive() && used == data.size();
            complete(slot_index, outcome_of_status(slot.parser.status_code()),
                     slot.parser.status_code(), reusable);
            return;
          }
        }
        if (result.bytes < read_buffer_.size()) return;  // drained for now
        break;
      }
      case live::IoOutcome::kWouldBlock:
        return;
      case live::IoOutcome::kClosed:
        if (!echo && slot.parser.finish_at_close()) {
          complete(slot_index, outcome_of_status(slot.parser.status_code()),
                   slot.parser.status_code(), false);
        } else {
          complete(slot_index, Outcome::kTruncated, echo ? 0 : slot.parser.status_code(), false);
        }
        return;
      case live::IoOutcome::kRefused:
      case live::IoOutcome::kReset:
      case live::IoOutcome::kOutOfResources:
      case live::IoOutcome::kError:
        complete(slot_index, Outcome::kReset, 0, false);
        return;
    }
  }
}

void LoadGenerator::complete(std::size_t slot_index, Outcome outcome, int status_code,
                             bool keep_alive) {
  Slot& slot = slots_[slot_index];
  const runtime::Time now = loop_.clock().now();
  recorder_.record(slot.intended, now, outcome, status_code);
  --busy_;
  if (keep_alive) {
    slot.state = SlotState::kIdle;
    idle_.push_back(slot_index);
  } else {
    close_slot(slot_index);
  }
  pump();
}

void LoadGenerator::close_slot(std::size_t slot_index) {
  Slot& slot = slots_[slot_index];
  NODROP_CHECK(slot.state != SlotState::kClosed);
  loop_.unwatch(slot.watch);
  slot.socket.reset();
  slot.watch = 0;
  slot.state = SlotState::kClosed;
  --open_;
  closed_.push_back(slot_index);
}

}  // namespace nodrop::traffic
