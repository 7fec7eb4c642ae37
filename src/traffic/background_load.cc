#include "traffic/background_load.h"

#include "live/file_descriptor.h"
#include "live/sockets/tcp.h"

namespace nodrop::traffic {
namespace {

constexpr runtime::Duration kStartDelay = std::chrono::milliseconds(5);
constexpr std::size_t kOtherFiles = 64;

}  // namespace

Result<std::unique_ptr<BackgroundLoad>> BackgroundLoad::start(const LoadOptions& options) {
  if (Status status = live::reserve_open_files(options.connections + kOtherFiles);
      !status.is_ok()) {
    return status;
  }
  Result<Ipv4Endpoint> endpoint = live::resolve_ipv4(options.target.host, options.target.port);
  if (!endpoint) return endpoint.status();
  return std::unique_ptr<BackgroundLoad>(new BackgroundLoad(options, *endpoint));
}

BackgroundLoad::BackgroundLoad(const LoadOptions& options, Ipv4Endpoint endpoint)
    : options_(options) {
  started_wall_ = loop_.clock().wall_now();
  recorder_.emplace(loop_.clock().now() + kStartDelay);
  generator_ = std::make_unique<LoadGenerator>(loop_, options_, endpoint, *recorder_);
  generator_->start([this] {
    finished_at_ = loop_.clock().now();
    loop_.stop();
  });
  thread_ = std::make_unique<live::Thread>([this] { loop_.run(); });
}

BackgroundLoad::~BackgroundLoad() {
  if (!finished_) {
    loop_.post_from_any_thread([this] { generator_->set_end(loop_.clock().now()); });
    thread_->join();
  }
}

void BackgroundLoad::mark(std::string label) {
  loop_.post_from_any_thread(
      [this, label = std::move(label)] { recorder_->mark(loop_.clock().now(), label); });
}

void BackgroundLoad::end_after(runtime::Duration settle) {
  loop_.post_from_any_thread([this, settle] { generator_->set_end(loop_.clock().now() + settle); });
}

Report BackgroundLoad::finish() {
  thread_->join();  // the loop stops once every request has its outcome
  finished_ = true;
  generator_.reset();
  Report report(std::move(*recorder_));
  report.options = options_;
  report.started_wall = started_wall_;
  report.elapsed = finished_at_ - report.recorder.start();
  return report;
}

}  // namespace nodrop::traffic
