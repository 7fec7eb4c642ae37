// core/v1 Event: what every controller and the kubelet record for a person to read ("Scheduled",
// "Killing", "ScalingReplicaSet"), stored like any object so that `kubectl get events` and the
// demo's timeline read them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/meta.h"

namespace nodrop::api {

enum class EventType { kNormal, kWarning };

// "Normal" or "Warning", as kubectl prints them.
const char* event_type_name(EventType type);

struct EventSource {
  std::string component;  // "kubelet", "deployment-controller"
  std::string host;       // the node, for the kubelet
  bool operator==(const EventSource&) const = default;
};

struct Event {
  ObjectMeta metadata;
  ObjectReference involved_object;
  std::string reason;
  std::string message;
  EventType type = EventType::kNormal;
  EventSource source;
  std::optional<WallTime> first_timestamp;
  std::optional<WallTime> last_timestamp;
  std::int32_t count = 0;
  // A MicroTime: microseconds, for ordering within a second (a rollout's timeline).
  std::optional<WallTime> event_time;
  std::string reporting_component;
  std::string reporting_instance;
  bool operator==(const Event&) const = default;
};

}  // namespace nodrop::api
