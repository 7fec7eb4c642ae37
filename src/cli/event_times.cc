#include "cli/event_times.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "apiserver/tables.h"
#include "cli/node_paths.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

std::string last_seen(const Node& event) {
  if (std::string series = text_at(event, {"series", "lastObservedTime"}); !series.empty()) {
    return series;
  }
  const std::string last = text_at(event, {"lastTimestamp"});
  return last.empty() ? text_at(event, {"eventTime"}) : last;
}

// duration.HumanDuration of the time since timestamp, "<unknown>" without one.
std::string age(const std::string& timestamp, WallTime now) {
  WallTime time;
  if (!parse_rfc3339(timestamp, &time)) return "<unknown>";
  return apiserver::human_duration(now - time);
}

}  // namespace

std::vector<const Node*> events_by_last_seen(const Node& event_list) {
  std::vector<std::pair<WallTime, const Node*>> keyed;
  if (const Node* items = node_at(event_list, {"items"}); items != nullptr) {
    for (const Node& event : items->items()) {
      WallTime seen{};
      parse_rfc3339(last_seen(event), &seen);  // none: the epoch, first
      keyed.emplace_back(seen, &event);
    }
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const Node*> sorted;
  for (const auto& [seen, event] : keyed) sorted.push_back(event);
  return sorted;
}

std::string event_interval(const Node& event, WallTime now) {
  const std::string event_time = text_at(event, {"eventTime"});
  const std::string first =
      age(event_time.empty() ? text_at(event, {"firstTimestamp"}) : event_time, now);
  if (node_at(event, {"series"}) != nullptr) {
    return fmt::format("{} (x{} over {})", age(text_at(event, {"series", "lastObservedTime"}), now),
                       integer_at(event, {"series", "count"}), first);
  }
  if (const std::int64_t count = integer_at(event, {"count"}); count > 1) {
    return fmt::format("{} (x{} over {})", age(text_at(event, {"lastTimestamp"}), now), count,
                       first);
  }
  return first;
}

std::string event_message(const Node& event) {
  std::string message = text_at(event, {"message"});
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!message.empty() && is_space(message.back())) message.pop_back();
  const auto first = std::find_if_not(message.begin(), message.end(), is_space);
  message.erase(message.begin(), first);
  return message;
}

}  // namespace nodrop::cli
