// Pickers choose the endpoint for a new request or connection among a table's pickable ones.
//
//   kRoundRobin         each pickable endpoint in turn.
//   kLeastOutstanding   power of two choices: two distinct endpoints at random, the one with fewer
//                       in-flight requests (ties to the first drawn). In-flight counts are the
//                       shared per-endpoint counters, so every worker sees the others' load.
//
// A Picker belongs to one worker (not thread-safe). Retries pass the endpoints already tried so
// that a retry goes elsewhere when anywhere else exists.
#pragma once

#include <cstddef>
#include <span>

#include "proxy/routing/endpoint_table.h"
#include "runtime/random.h"

namespace nodrop::proxy {

enum class PickerKind { kRoundRobin, kLeastOutstanding };
const char* picker_kind_name(PickerKind kind);
Result<PickerKind> parse_picker_kind(std::string_view text);  // "round-robin" | "least-outstanding"

class Picker {
 public:
  Picker(PickerKind kind, runtime::Random& random) : kind_(kind), random_(random) {}

  // The chosen endpoint, or nullptr if the table has none pickable outside `excluded`.
  const RoutedEndpoint* pick(const EndpointTable& table,
                             std::span<const Ipv4Endpoint> excluded = {});

 private:
  const RoutedEndpoint* pick_among(std::span<const RoutedEndpoint* const> candidates);

  PickerKind kind_;
  runtime::Random& random_;
  std::size_t next_ = 0;  // round-robin position
};

}  // namespace nodrop::proxy
