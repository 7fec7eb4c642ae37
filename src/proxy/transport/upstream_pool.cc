#include "proxy/transport/upstream_pool.h"

#include <algorithm>

namespace nodrop::proxy {

UpstreamConnection::UpstreamConnection(live::EpollLoop& loop, live::FileDescriptor socket,
                                       const RoutedEndpoint& endpoint,
                                       std::optional<Ipv4Address> source, std::uint32_t interest)
    : loop_(loop),
      socket_(std::move(socket)),
      address_(endpoint.endpoint.address),
      source_(source),
      counters_(endpoint.counters) {
  counters_->open_connections.fetch_add(1, std::memory_order_relaxed);
  set_interest(interest);
}

UpstreamConnection::~UpstreamConnection() {
  watch_.remove_before_close(loop_);  // socket_ closes next
  counters_->open_connections.fetch_sub(1, std::memory_order_relaxed);
}

void UpstreamConnection::set_interest(std::uint32_t interest) {
  watch_.set(loop_, socket_.fd(), interest, [this](std::uint32_t events) { on_events(events); });
}

void UpstreamConnection::on_events(std::uint32_t events) {
  if (owner_ != nullptr) {
    owner_->on_upstream_events(events);
  } else if (idle_in_ != nullptr) {
    idle_in_->discard(this);  // destroys this
  }
}

std::unique_ptr<UpstreamConnection> UpstreamPool::take(const Ipv4Endpoint& address,
                                                       std::optional<Ipv4Address> source) {
  const auto found = idle_.find(Key{address, source});
  if (found == idle_.end() || found->second.empty()) return nullptr;
  std::unique_ptr<UpstreamConnection> connection = std::move(found->second.back());
  found->second.pop_back();
  connection->idle_in_ = nullptr;
  return connection;
}

void UpstreamPool::put(std::unique_ptr<UpstreamConnection> connection) {
  auto& list = idle_[key_of(*connection)];
  if (list.size() >= max_idle_per_endpoint_) return;  // overflow: the connection closes here
  connection->set_owner(nullptr);
  connection->set_interest(live::kReadable);
  connection->idle_in_ = this;
  connection->idle_since_ = loop_.clock().now();
  list.push_back(std::move(connection));
}

void UpstreamPool::discard(UpstreamConnection* connection) {
  auto& list = idle_[key_of(*connection)];
  std::erase_if(list, [&](const auto& held) { return held.get() == connection; });
}

void UpstreamPool::close_unpickable(const EndpointTable& table) {
  std::erase_if(idle_, [&](const auto& entry) { return !table.is_pickable(entry.first.address); });
}

void UpstreamPool::sweep(runtime::Time now) {
  for (auto& [key, list] : idle_) {
    // Oldest first: connections are pushed at the back as they become idle.
    std::erase_if(list, [&](const auto& held) { return now - held->idle_since_ >= idle_timeout_; });
  }
  std::erase_if(idle_, [](const auto& entry) { return entry.second.empty(); });
}

std::size_t UpstreamPool::idle_count() const {
  std::size_t count = 0;
  for (const auto& entry : idle_) count += entry.second.size();
  return count;
}

}  // namespace nodrop::proxy
