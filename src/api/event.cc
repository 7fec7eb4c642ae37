#include "api/event.h"

namespace nodrop::api {

const char* event_type_name(EventType type) {
  switch (type) {
    case EventType::kNormal:
      return "Normal";
    case EventType::kWarning:
      return "Warning";
  }
  return "Normal";
}

}  // namespace nodrop::api
