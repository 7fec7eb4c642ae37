// Records core/v1 Events in the store for the controllers and kubelets, as client-go's
// EventRecorder with its correlator does: an event repeated for the same object (same reason,
// message, type and source) within ten minutes raises the stored event's count and lastTimestamp
// instead of adding one. Events live an hour (the API server's --event-ttl), and at most
// kMaxEvents are kept: the oldest go first.
//
// Every event also gets an eventTime with microseconds, so a rollout's steps can be ordered and
// drawn on a timeline.
//
// Not thread-safe: one event loop owns it (writes to the store are thread-safe, the bookkeeping
// here is not).
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <tuple>

#include "api/event.h"
#include "runtime/event_loop.h"
#include "store/store.h"

namespace nodrop::store {

struct EventSourceName {
  std::string component;  // "kubelet", "deployment-controller"
  std::string host;       // the node, for a kubelet
};

class EventRecorder {
 public:
  static constexpr std::size_t kMaxEvents = 10'000;
  static constexpr auto kTimeToLive = std::chrono::hours(1);
  static constexpr auto kAggregationWindow = std::chrono::minutes(10);

  EventRecorder(Store& store, runtime::EventLoop& loop);
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // Takes on the Events the store holds (a restart): each lives an hour from its lastTimestamp,
  // and those older go now. Call once, before record().
  void track_stored();

  // field_path names the part of the object ("spec.containers{app}"), or "".
  void record(const EventSourceName& source, const api::Object& involved, api::EventType type,
              const std::string& reason, const std::string& message,
              const std::string& field_path = "");

 private:
  struct Recorded {
    std::string namespace_name;
    std::string name;
    runtime::Time at;
  };
  using Key = std::tuple<std::string, std::string, std::string, std::string, std::string,
                         std::string, int>;  // uid, field path, reason, message, component, host,
                                             // type
  void expire();

  Store& store_;
  runtime::EventLoop& loop_;
  std::map<Key, Recorded> recent_;  // for aggregation
  std::deque<Recorded> stored_;     // oldest first, for the bounds
  runtime::TimerId expiry_timer_ = 0;
  std::uint64_t sequence_ = 0;
};

}  // namespace nodrop::store
