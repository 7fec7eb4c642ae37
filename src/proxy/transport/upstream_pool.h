// Upstream connections and the per-worker pool of idle keep-alive ones.
//
// An UpstreamConnection is watched by the worker's loop for its whole life with one callback that
// goes to its current owner (an HTTP session) or, while idle in the pool, to the pool, which
// closes it on any event: an idle upstream connection that becomes readable was closed by the
// server or sent bytes nobody asked for.
//
// Bounds: at most max_idle_per_endpoint idle connections per endpoint (the overflow is closed),
// each at most pool_idle_timeout old.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "live/file_descriptor.h"
#include "live/loop/epoll_loop.h"
#include "proxy/routing/endpoint_table.h"

namespace nodrop::proxy {

class UpstreamPool;

class UpstreamOwner {
 public:
  virtual void on_upstream_events(std::uint32_t events) = 0;

 protected:
  ~UpstreamOwner() = default;
};

class UpstreamConnection {
 public:
  // Takes the socket (connected or connecting) and starts watching it with `interest`.
  UpstreamConnection(live::EpollLoop& loop, live::FileDescriptor socket,
                     const RoutedEndpoint& endpoint, std::uint32_t interest);
  ~UpstreamConnection();  // unwatches and closes; the endpoint's open_connections goes down
  UpstreamConnection(const UpstreamConnection&) = delete;
  UpstreamConnection& operator=(const UpstreamConnection&) = delete;

  int fd() const { return socket_.fd(); }
  const Ipv4Endpoint& address() const { return address_; }
  EndpointCounters& counters() { return *counters_; }
  void set_owner(UpstreamOwner* owner) { owner_ = owner; }
  // Changes the events watched; 0 watches nothing (after EOF, when level-triggered hangups would
  // otherwise wake the loop without end).
  void set_interest(std::uint32_t interest);

 private:
  friend class UpstreamPool;
  void on_events(std::uint32_t events);

  live::EpollLoop& loop_;
  live::FileDescriptor socket_;
  Ipv4Endpoint address_;
  std::shared_ptr<EndpointCounters> counters_;
  live::FdWatch watch_;
  UpstreamOwner* owner_ = nullptr;
  UpstreamPool* idle_in_ = nullptr;
  runtime::Time idle_since_{};
};

class UpstreamPool {
 public:
  UpstreamPool(live::EpollLoop& loop, std::size_t max_idle_per_endpoint,
               runtime::Duration idle_timeout)
      : loop_(loop), max_idle_per_endpoint_(max_idle_per_endpoint), idle_timeout_(idle_timeout) {}

  // An idle connection to address, most recently used first; nullptr if none.
  std::unique_ptr<UpstreamConnection> take(const Ipv4Endpoint& address);
  // Keeps a connection whose last response ended cleanly; closes it if the pool is full.
  void put(std::unique_ptr<UpstreamConnection> connection);
  // Closes idle connections to endpoints the table no longer lets us pick.
  void close_unpickable(const EndpointTable& table);
  // Closes idle connections older than the idle timeout.
  void sweep(runtime::Time now);
  void close_all() { idle_.clear(); }
  std::size_t idle_count() const;

 private:
  friend class UpstreamConnection;
  void discard(UpstreamConnection* connection);

  live::EpollLoop& loop_;
  const std::size_t max_idle_per_endpoint_;
  const runtime::Duration idle_timeout_;
  std::unordered_map<Ipv4Endpoint, std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
};

}  // namespace nodrop::proxy
