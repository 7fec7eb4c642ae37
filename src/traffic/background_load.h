// A load on a loop and thread of its own, steered from another thread while it runs: marks on its
// timeline, and an end decided once the caller knows it (a rollout's scenarios, the demo).
//
//   auto load = BackgroundLoad::start(options);   // options.duration bounds the whole run
//   load->mark("template changed");
//   load->end_after(std::chrono::seconds(1));     // sending stops 1 s from now
//   traffic::Report report = load->finish();      // every request has its outcome
//
// Threading: every method is called from one controlling thread; the load runs on its own.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/status.h"
#include "live/loop/epoll_loop.h"
#include "live/loop/thread.h"
#include "traffic/load_generator.h"
#include "traffic/load_options.h"
#include "traffic/report.h"

namespace nodrop::traffic {

class BackgroundLoad {
 public:
  // Resolves the target and starts sending at once.
  static Result<std::unique_ptr<BackgroundLoad>> start(const LoadOptions& options);
  ~BackgroundLoad();  // ends sending now, if finish() was not called, and joins
  BackgroundLoad(const BackgroundLoad&) = delete;
  BackgroundLoad& operator=(const BackgroundLoad&) = delete;

  // Puts a mark on the timeline at the current time.
  void mark(std::string label);
  // Sending stops `settle` from now (or at options.duration, whichever is first).
  void end_after(runtime::Duration settle);
  // Waits until every request has its outcome, then returns the report. Once.
  Report finish();

 private:
  BackgroundLoad(const LoadOptions& options, Ipv4Endpoint endpoint);

  const LoadOptions options_;
  live::EpollLoop loop_;
  runtime::WallTime started_wall_{};
  std::optional<Recorder> recorder_;
  std::unique_ptr<LoadGenerator> generator_;
  runtime::Time finished_at_{};
  std::unique_ptr<live::Thread> thread_;
  bool finished_ = false;
};

}  // namespace nodrop::traffic
