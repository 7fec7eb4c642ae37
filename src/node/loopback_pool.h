// Loopback addresses for nodes and pods (DESIGN.md §2): every node gets one of 127.0.1.1–254,
// every pod one of 127.0.2.1 upward (127.0.2.1 – 127.0.255.254). Linux routes all of 127/8 to
// the loopback interface, so they need no configuration.
//
// Reuse races: an address just released may still be named by an endpoint table that has not
// caught up, or by a socket in TIME_WAIT. So a released address is not handed out again until its
// quarantine has passed, unless the pool has nothing else. Allocation takes
//   1. the address released longest ago, if its quarantine has passed (keeps addresses compact);
//   2. else an address never used yet, lowest first;
//   3. else the address released longest ago anyway (the pool is otherwise exhausted);
//   4. else kResourceExhausted.
//
//   quarantine 120 s, pool .1–.3   allocate → .1, .2, .3   release .2 at t=0, .1 at t=10
//   allocate at t=50  → exhausted but for quarantined ones: .2 (oldest release)
//   allocate at t=130 → .1 (quarantine passed)
// Addresses ending in .0 or .255 are skipped: they read as network and broadcast addresses.
//
// Pure: time is passed in. Memory is bounded by the number of addresses in use or in quarantine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <set>

#include "base/ipv4.h"
#include "base/status.h"
#include "runtime/clock.h"

namespace nodrop::node {

class LoopbackPool {
 public:
  // Longer than Linux's TIME_WAIT (60 s) and than any endpoint propagation delay nodrop models.
  static constexpr runtime::Duration kDefaultQuarantine = std::chrono::seconds(120);

  static LoopbackPool for_nodes(runtime::Duration quarantine = kDefaultQuarantine);
  static LoopbackPool for_pods(runtime::Duration quarantine = kDefaultQuarantine);

  // All addresses from first to last inclusive (minus .0 and .255); both must be in 127/8.
  LoopbackPool(Ipv4Address first, Ipv4Address last, runtime::Duration quarantine);

  Result<Ipv4Address> allocate(runtime::Time now);
  // kFailedPrecondition if the address is not allocated from this pool (a double release).
  Status release(Ipv4Address address, runtime::Time now);
  // Takes this address (a pod's, kept across a restart of nodrop), as if allocated. Errors:
  // kInvalidArgument outside the pool or unusable, kAlreadyExists when allocated already.
  Status reserve(Ipv4Address address);

  bool is_allocated(Ipv4Address address) const { return allocated_.count(address) != 0; }
  std::size_t allocated_count() const { return allocated_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  struct Released {
    Ipv4Address address;
    runtime::Time at;
  };

  static bool usable(Ipv4Address address);

  Ipv4Address first_;
  Ipv4Address last_;
  runtime::Duration quarantine_;
  std::size_t capacity_ = 0;
  std::uint64_t next_fresh_;  // the next never-used candidate; past last_ when none is left
  std::set<Ipv4Address> allocated_;
  std::deque<Released> released_;  // oldest first: release times only grow
};

}  // namespace nodrop::node
