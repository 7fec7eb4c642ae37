// CrashLoopBackOff: client-go's flowcontrol.Backoff as the kubelet uses it
// (reference/k8s-semantics.md §2.3), with the time passed in. Keys are per pod and container.
//
//   next(key, event, now)        no entry, or expired  → backoff = initial
//                                otherwise             → backoff = min(2 × backoff, max)
//                                then lastUpdate = now
//   in_backoff_since(key, event, now)
//                                no entry              → false
//                                event − lastUpdate > 2 × max (expired) → false
//                                otherwise             → now − event < backoff
//
// The kubelet checks in_backoff_since(key, finishedAt) when a container has exited; if it is not
// in backoff it calls next() and restarts at once. With initial 10 s and max 300 s the restart
// delays after successive crashes, from finishedAt, are 0, 10, 20, 40, 80, 160, 300, 300 … s, and
// a container that ran for more than 10 minutes starts the sequence again.
//
// Memory: one entry per key; forget() a key when its pod goes away.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "runtime/clock.h"

namespace nodrop::node {

class RestartBackoff {
 public:
  static constexpr runtime::Duration kKubeletInitial = std::chrono::seconds(10);
  static constexpr runtime::Duration kKubeletMax = std::chrono::seconds(300);

  RestartBackoff(runtime::Duration initial = kKubeletInitial, runtime::Duration max = kKubeletMax);

  void next(const std::string& key, runtime::Time event_time, runtime::Time now);
  // The current backoff of key; zero without an entry.
  runtime::Duration get(const std::string& key) const;
  bool in_backoff_since(const std::string& key, runtime::Time event_time, runtime::Time now) const;
  // When in_backoff_since(key, event_time, t) turns false: event_time + backoff; nullopt when it
  // is already false at now.
  std::optional<runtime::Time> backoff_ends(const std::string& key, runtime::Time event_time,
                                            runtime::Time now) const;
  void forget(const std::string& key) { entries_.erase(key); }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    runtime::Duration backoff{};
    runtime::Time last_update{};
  };
  bool has_expired(runtime::Time event_time, runtime::Time last_update) const {
    return event_time - last_update > 2 * max_;
  }

  runtime::Duration initial_;
  runtime::Duration max_;
  std::map<std::string, Entry> entries_;
};

}  // namespace nodrop::node
