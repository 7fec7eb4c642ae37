#include "proxy/routing/endpoint.h"

namespace nodrop::proxy {

const char* endpoint_state_name(EndpointState state) {
  switch (state) {
    case EndpointState::kReady:
      return "ready";
    case EndpointState::kServingTerminating:
      return "serving-terminating";
    case EndpointState::kDraining:
      return "draining";
  }
  return "unknown";
}

}  // namespace nodrop::proxy
