// Upstream connections and the per-worker pool of idle keep-alive ones.
//
// An UpstreamConnection is watched by the worker's loop for its whole life with one callback that
// goes to its current owner (an HTTP session) or, while idle in the pool, to the pool, which
// closes it on any event: an idle upstream connection that becomes readable was closed by the
// server or sent bytes nobody asked for.
//
// Bounds: at most max_idle_per_endpoint idle connections per endpoint and source address (the
// overflow is closed), each at most pool_idle_timeout old.
//
// A connection is reused only from the source address it was made from: a proxy that connects
// from each client's address (UpstreamSource::kClient) must not hand one client's connection to
// another.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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
  // `source`: the address it was connected from, or nullopt for the kernel's choice.
  UpstreamConnection(live::EpollLoop& loop, live::FileDescriptor socket,
                     const RoutedEndpoint& endpoint, std::optional<Ipv4Address> source,
                     std::uint32_t interest);
  ~UpstreamConnection();  // unwatches and closes; the endpoint's open_connections goes down
  UpstreamConnection(const UpstreamConnection&) = delete;
  UpstreamConnection& operator=(const UpstreamConnection&) = delete;

  int fd() const { return socket_.fd(); }
  const Ipv4Endpoint& address() const { return address_; }
  std::optional<Ipv4Address> source() const { return source_; }
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
  std::optional<Ipv4Address> source_;
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

  // An idle connection to address made from source, most recently used first; nullptr if none.
  std::unique_ptr<UpstreamConnection> take(const Ipv4Endpoint& address,
                                           std::optional<Ipv4Address> source);
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
  struct Key {
    Ipv4Endpoint address;
    std::optional<Ipv4Address> source;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const {
      const std::size_t source = key.source ? key.source->value + 1 : 0;
      return std::hash<Ipv4Endpoint>()(key.address) * 31 + source;
    }
  };
  static Key key_of(const UpstreamConnection& connection) {
    return {connection.address(), connection.source()};
  }
  void discard(UpstreamConnection* connection);

  live::EpollLoop& loop_;
  const std::size_t max_idle_per_endpoint_;
  const runtime::Duration idle_timeout_;
  std::unordered_map<Key, std::vector<std::unique_ptr<UpstreamConnection>>, KeyHash> idle_;
};

}  // namespace nodrop::proxy
