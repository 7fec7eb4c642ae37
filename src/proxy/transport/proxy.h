// The data plane: N workers (one epoll loop and one thread each) behind one listening address,
// routing to the endpoints of one TablePublisher.
//
//   auto proxy = Proxy::start(options);          // binds, starts the workers
//   proxy->set_endpoints(endpoints);             // publishes a generation; workers apply + ack
//   proxy->drain(); proxy->wait();               // graceful stop (SIGTERM)
//
// Threading: every method may be called from any thread, except that wait() and the destructor
// must not run on a worker thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/status.h"
#include "live/loop/system_clock.h"
#include "live/loop/thread.h"
#include "proxy/routing/endpoint_table.h"
#include "proxy/transport/proxy_metrics.h"
#include "proxy/transport/proxy_options.h"
#include "proxy/transport/worker.h"

namespace nodrop::proxy {

class Proxy {
 public:
  // InvalidArgument for options out of range; IoError when the address cannot be bound.
  static Result<std::unique_ptr<Proxy>> start(const ProxyOptions& options);
  ~Proxy();  // stop() and wait()
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  // The port actually bound (useful with port 0).
  std::uint16_t port() const { return port_; }
  TablePublisher& publisher() { return publisher_; }
  Result<Generation> set_endpoints(std::span<const Endpoint> endpoints) {
    return publisher_.publish(endpoints);
  }
  const ProxyMetrics& metrics() const { return metrics_; }
  // Whether the workers send each turn's bytes in one io_uring submission (options.batch_sends
  // and a kernel that allows it).
  bool batches_sends() const { return workers_.front()->batches_sends(); }

  // Stop accepting; let in-flight work finish, bounded by limits.drain_timeout; then stop.
  void drain();
  // Close everything now.
  void stop();
  // Returns when every worker has stopped.
  void wait();

 private:
  explicit Proxy(const ProxyOptions& options);

  const ProxyOptions options_;
  TablePublisher publisher_;
  ProxyMetrics metrics_;
  std::uint16_t port_ = 0;
  std::vector<std::unique_ptr<live::SystemRandom>> randoms_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<live::Thread>> threads_;
};

}  // namespace nodrop::proxy
