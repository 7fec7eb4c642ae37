// core/v1 Event's type: what every controller and the kubelet record for a person to read.
#pragma once

namespace nodrop::api {

enum class EventType { kNormal, kWarning };

// "Normal" or "Warning", as kubectl prints them.
const char* event_type_name(EventType type);

}  // namespace nodrop::api
