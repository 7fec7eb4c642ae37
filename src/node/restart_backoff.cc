#include "node/restart_backoff.h"

#include <algorithm>

#include "base/check.h"

namespace nodrop::node {

RestartBackoff::RestartBackoff(runtime::Duration initial, runtime::Duration max)
    : initial_(initial), max_(max) {
  NODROP_CHECK(initial > runtime::Duration::zero() && initial <= max);
}

void RestartBackoff::next(const std::string& key, runtime::Time event_time, runtime::Time now) {
  const auto found = entries_.find(key);
  if (found == entries_.end() || has_expired(event_time, found->second.last_update)) {
    entries_[key] = Entry{initial_, now};
    return;
  }
  Entry& entry = found->second;
  entry.backoff = std::min(2 * entry.backoff, max_);
  entry.last_update = now;
}

runtime::Duration RestartBackoff::get(const std::string& key) const {
  const auto found = entries_.find(key);
  return found == entries_.end() ? runtime::Duration::zero() : found->second.backoff;
}

bool RestartBackoff::in_backoff_since(const std::string& key, runtime::Time event_time,
                                      runtime::Time now) const {
  const auto found = entries_.find(key);
  if (found == entries_.end()) return false;
  if (has_expired(event_time, found->second.last_update)) return false;
  return now - event_time < found->second.backoff;
}

std::optional<runtime::Time> RestartBackoff::backoff_ends(const std::string& key,
                                                          runtime::Time event_time,
                                                          runtime::Time now) const {
  if (!in_backoff_since(key, event_time, now)) return std::nullopt;
  return event_time + entries_.at(key).backoff;
}

}  // namespace nodrop::node
