#include "proxy/transport/proxy.h"

#include "live/sockets/tcp.h"

namespace nodrop::proxy {
namespace {

constexpr int kListenBacklog = 4096;

Status validate(const ProxyOptions& options) {
  if (options.workers < 1 || options.workers > kMaxProxyWorkers) {
    return invalid_argument("workers must be between 1 and " + std::to_string(kMaxProxyWorkers));
  }
  if (options.retry.max_attempts < 1) return invalid_argument("retry attempts must be at least 1");
  if (options.limits.max_connections < 1) {
    return invalid_argument("max connections must be at least 1");
  }
  if (options.no_endpoint == NoEndpointAction::kDrop && options.mode != ProxyMode::kTcp) {
    return invalid_argument("dropping connections without an endpoint is for L4 (tcp) only");
  }
  // A rewritten head (a few fields added) must fit in an empty buffer.
  if (options.limits.buffer_bytes < options.limits.http.max_head_bytes + 1024) {
    return invalid_argument("buffer size must exceed the maximum head size by 1 KiB");
  }
  return Status::ok();
}

}  // namespace

Proxy::Proxy(const ProxyOptions& options) : options_(options), publisher_(options.traffic) {}

Result<std::unique_ptr<Proxy>> Proxy::start(const ProxyOptions& options) {
  if (Status status = validate(options); !status.is_ok()) return status;
  std::unique_ptr<Proxy> proxy(new Proxy(options));
  std::vector<live::FileDescriptor> listeners;
  Ipv4Endpoint listen = options.listen;
  for (int i = 0; i < options.workers; ++i) {
    if (i > 0 && !options.reuse_port) {
      auto shared = listeners.front().duplicate();
      if (!shared.is_ok()) return shared.status();
      listeners.push_back(std::move(shared.value()));
      continue;
    }
    auto listener =
        live::listen_tcp(listen, {.backlog = kListenBacklog, .reuse_port = options.reuse_port});
    if (!listener.is_ok()) return io_error("cannot listen: " + listener.status().message());
    listen = listener->endpoint;  // the port the kernel chose, for the other workers' sockets
    listeners.push_back(std::move(listener->socket));
  }
  proxy->port_ = listen.port;
  for (int i = 0; i < options.workers; ++i) {
    proxy->randoms_.push_back(std::make_unique<live::SystemRandom>());
    proxy->workers_.push_back(std::make_unique<Worker>(
        proxy->publisher_.add_worker(), proxy->options_, std::move(listeners[i]), proxy->publisher_,
        proxy->metrics_, *proxy->randoms_.back()));
  }
  Proxy* raw = proxy.get();
  proxy->publisher_.set_listener([raw](std::shared_ptr<const EndpointTable> table) {
    for (const auto& worker : raw->workers_) worker->post_table(table);
  });
  for (const auto& worker : proxy->workers_) {
    Worker* running = worker.get();
    proxy->threads_.push_back(std::make_unique<live::Thread>([running] { running->run(); }));
  }
  return proxy;
}

Proxy::~Proxy() {
  stop();
  wait();
  publisher_.set_listener(nullptr);
}

void Proxy::drain() {
  for (const auto& worker : workers_) worker->post_drain();
}

void Proxy::stop() {
  for (const auto& worker : workers_) worker->post_stop();
}

void Proxy::wait() {
  for (const auto& thread : threads_) thread->join();
}

}  // namespace nodrop::proxy
