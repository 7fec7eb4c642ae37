#include "proxy/routing/picker.h"

#include <algorithm>
#include <vector>

namespace nodrop::proxy {

const char* picker_kind_name(PickerKind kind) {
  switch (kind) {
    case PickerKind::kRoundRobin:
      return "round-robin";
    case PickerKind::kLeastOutstanding:
      return "least-outstanding";
  }
  return "unknown";
}

Result<PickerKind> parse_picker_kind(std::string_view text) {
  if (text == "round-robin") return PickerKind::kRoundRobin;
  if (text == "least-outstanding") return PickerKind::kLeastOutstanding;
  return invalid_argument("unknown picker \"" + std::string(text) +
                          "\"; expected round-robin or least-outstanding");
}

const RoutedEndpoint* Picker::pick(const EndpointTable& table,
                                   std::span<const Ipv4Endpoint> excluded) {
  const auto candidates = table.pickable();
  if (excluded.empty()) return pick_among(candidates);
  // A retry: the rare path, so a small copy is fine.
  std::vector<const RoutedEndpoint*> remaining;
  for (const RoutedEndpoint* routed : candidates) {
    if (std::find(excluded.begin(), excluded.end(), routed->endpoint.address) == excluded.end()) {
      remaining.push_back(routed);
    }
  }
  return pick_among(remaining);
}

const RoutedEndpoint* Picker::pick_among(std::span<const RoutedEndpoint* const> candidates) {
  const std::size_t count = candidates.size();
  if (count == 0) return nullptr;
  if (count == 1) return candidates[0];
  switch (kind_) {
    case PickerKind::kRoundRobin:
      return candidates[next_++ % count];
    case PickerKind::kLeastOutstanding: {
      const std::size_t first = random_.uniform(count);
      std::size_t second = random_.uniform(count - 1);
      if (second >= first) ++second;  // two distinct endpoints
      const auto load = [&](std::size_t i) {
        return candidates[i]->counters->in_flight_requests.load(std::memory_order_relaxed);
      };
      return load(second) < load(first) ? candidates[second] : candidates[first];
    }
  }
  return nullptr;
}

}  // namespace nodrop::proxy
