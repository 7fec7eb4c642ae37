#include "traffic/run.h"

#include <fmt/format.h>

#include <memory>
#include <optional>

#include "live/file_descriptor.h"
#include "live/loop/epoll_loop.h"
#include "live/processes/command_process.h"
#include "live/processes/termination_signals.h"
#include "live/sockets/tcp.h"
#include "traffic/load_generator.h"

namespace nodrop::traffic {
namespace {

constexpr runtime::Duration kProgressPeriod = std::chrono::seconds(1);
// Leaves the loop a moment to settle before the first request is due.
constexpr runtime::Duration kStartDelay = std::chrono::milliseconds(5);

// Rewrites one line on the terminal once a second while the load runs.
class ProgressLine {
 public:
  ProgressLine(live::EpollLoop& loop, const Recorder& recorder, const LoadGenerator& generator,
               std::ostream* out)
      : loop_(loop), recorder_(recorder), generator_(generator), out_(out) {
    if (out_ != nullptr) timer_ = loop_.run_after(kProgressPeriod, [this] { tick(); });
  }
  ~ProgressLine() {
    if (timer_ != 0) loop_.cancel(timer_);
    if (out_ != nullptr && printed_) *out_ << "\r\033[K" << std::flush;  // clear the line
  }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

 private:
  void tick() {
    const double elapsed =
        std::chrono::duration<double>(loop_.clock().now() - recorder_.start()).count();
    *out_ << fmt::format("\r\033[K  {:6.1f}s  sent {}  ok {}  failed {}  in flight {}", elapsed,
                         recorder_.sent(), recorder_.count(Outcome::kOk), recorder_.failures(),
                         generator_.busy_connections())
          << std::flush;
    printed_ = true;
    timer_ = loop_.run_after(kProgressPeriod, [this] { tick(); });
  }

  live::EpollLoop& loop_;
  const Recorder& recorder_;
  const LoadGenerator& generator_;
  std::ostream* out_;
  runtime::TimerId timer_ = 0;
  bool printed_ = false;
};

// Ends the run early on SIGINT or SIGTERM: sending stops at once, requests in flight still get
// their outcome (bounded by --timeout), and the report is written as usual.
class InterruptWatch {
 public:
  InterruptWatch(live::EpollLoop& loop, Recorder& recorder, LoadGenerator& generator,
                 bool* interrupted)
      : loop_(loop) {
    Result<live::TerminationSignals> blocked = live::TerminationSignals::block();
    if (!blocked) return;  // the signals end the process as usual
    signals_.emplace(std::move(blocked).value());
    Recorder* const recorder_ptr = &recorder;
    LoadGenerator* const generator_ptr = &generator;
    watch_ = loop_.watch(signals_->fd(), live::kReadable,
                         [this, recorder_ptr, generator_ptr, interrupted](std::uint32_t) {
                           if (signals_->take() == 0) return;
                           const runtime::Time now = loop_.clock().now();
                           if (!*interrupted) recorder_ptr->mark(now, "interrupted");
                           *interrupted = true;
                           generator_ptr->set_end(now);
                         });
  }
  ~InterruptWatch() {
    if (watch_ != 0) loop_.unwatch(watch_);
  }
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

 private:
  live::EpollLoop& loop_;
  std::optional<live::TerminationSignals> signals_;
  live::WatchId watch_ = 0;
};

// Resolves the target and makes room for the connections (plus a few for the loop and files).
Result<Ipv4Endpoint> prepare(const LoadOptions& options) {
  constexpr std::size_t kOtherFiles = 64;
  if (Status status = live::reserve_open_files(options.connections + kOtherFiles);
      !status.is_ok()) {
    return invalid_argument(
        fmt::format("--connections {}: {}", options.connections, status.message()));
  }
  return live::resolve_ipv4(options.target.host, options.target.port);
}

}  // namespace

Result<Report> run_load(const LoadOptions& options, std::ostream* progress) {
  Result<Ipv4Endpoint> endpoint = prepare(options);
  if (!endpoint) return endpoint.status();
  live::EpollLoop loop;
  const runtime::WallTime started_wall = loop.clock().wall_now();
  Recorder recorder(loop.clock().now() + kStartDelay);
  runtime::Time finished_at{};
  bool interrupted = false;
  {
    LoadGenerator generator(loop, options, *endpoint, recorder);
    ProgressLine progress_line(loop, recorder, generator, progress);
    InterruptWatch interrupt_watch(loop, recorder, generator, &interrupted);
    generator.start([&] {
      finished_at = loop.clock().now();
      loop.stop();
    });
    loop.run();  // bounded: the generator finishes by duration + timeout
  }
  Report report(std::move(recorder));
  report.options = options;
  report.started_wall = started_wall;
  report.elapsed = finished_at - report.recorder.start();
  report.interrupted = interrupted;
  return report;
}

Result<Report> run_verify(const VerifyOptions& options, std::ostream* progress) {
  Result<Ipv4Endpoint> endpoint = prepare(options.load);
  if (!endpoint) return endpoint.status();
  live::EpollLoop loop;
  const runtime::WallTime started_wall = loop.clock().wall_now();
  Recorder recorder(loop.clock().now() + kStartDelay);
  runtime::Time finished_at{};
  bool interrupted = false;
  CommandRun command_run;
  command_run.argv = options.command;
  command_run.before = options.before;
  command_run.settle = options.settle;
  Status spawn_status;
  {
    LoadGenerator generator(loop, options.load, *endpoint, recorder);
    ProgressLine progress_line(loop, recorder, generator, progress);
    InterruptWatch interrupt_watch(loop, recorder, generator, &interrupted);
    std::unique_ptr<live::CommandProcess> command;
    live::WatchId exit_watch = 0;

    auto on_exit = [&] {
      Result<int> status = command->reap();
      if (!status) return;  // spurious wakeup: still running
      loop.unwatch(exit_watch);
      exit_watch = 0;
      const runtime::Time now = loop.clock().now();
      command_run.exit_status = *status;
      command_run.exited_at = now - recorder.start();
      recorder.mark(now, fmt::format("command exited {}", *status));
      generator.set_end(now + options.settle);
    };
    const runtime::TimerId start_timer = loop.run_at(recorder.start() + options.before, [&] {
      Result<live::CommandProcess> spawned = live::CommandProcess::spawn(options.command);
      const runtime::Time now = loop.clock().now();
      if (!spawned) {
        spawn_status = spawned.status();
        generator.set_end(now);
        return;
      }
      command = std::make_unique<live::CommandProcess>(std::move(spawned).value());
      command_run.started_at = now - recorder.start();
      recorder.mark(now, "command started");
      exit_watch =
          loop.watch(command->exit_fd(), live::kReadable, [&](std::uint32_t) { on_exit(); });
    });
    generator.start([&] {
      finished_at = loop.clock().now();
      loop.stop();
    });
    loop.run();  // bounded: the generator finishes by --duration + timeout
    loop.cancel(start_timer);
    if (exit_watch != 0) {
      // --duration ended before the command did.
      loop.unwatch(exit_watch);
      command->force_stop();
      command_run.killed_at_deadline = true;
      recorder.mark(loop.clock().now(), "command killed");
    }
    // command's destructor reaps it.
  }
  if (!spawn_status.is_ok()) return spawn_status;
  Report report(std::move(recorder));
  report.options = options.load;
  report.started_wall = started_wall;
  report.elapsed = finished_at - report.recorder.start();
  report.interrupted = interrupted;
  report.command = command_run;
  report.max_failures = options.max_failures;
  return report;
}

}  // namespace nodrop::traffic
