#include "node/loopback_pool.h"

#include "base/check.h"

namespace nodrop::node {

LoopbackPool LoopbackPool::for_nodes(runtime::Duration quarantine) {
  return LoopbackPool(Ipv4Address::of(127, 0, 1, 1), Ipv4Address::of(127, 0, 1, 254), quarantine);
}

LoopbackPool LoopbackPool::for_pods(runtime::Duration quarantine) {
  return LoopbackPool(Ipv4Address::of(127, 0, 2, 1), Ipv4Address::of(127, 0, 255, 254), quarantine);
}

bool LoopbackPool::usable(Ipv4Address address) {
  const std::uint32_t last_octet = address.value & 0xff;
  return last_octet != 0 && last_octet != 255;
}

LoopbackPool::LoopbackPool(Ipv4Address first, Ipv4Address last, runtime::Duration quarantine)
    : first_(first), last_(last), quarantine_(quarantine), next_fresh_(first.value) {
  NODROP_CHECK(first.value >> 24 == 127 && last.value >> 24 == 127 && first <= last);
  NODROP_CHECK(quarantine >= runtime::Duration::zero());
  for (std::uint64_t value = first.value; value <= last.value; ++value) {
    if (usable({static_cast<std::uint32_t>(value)})) ++capacity_;
  }
}

Result<Ipv4Address> LoopbackPool::allocate(runtime::Time now) {
  const auto take_oldest_release = [this] {
    const Ipv4Address reused = released_.front().address;
    released_.pop_front();
    allocated_.insert(reused);
    return reused;
  };
  if (!released_.empty() && now - released_.front().at >= quarantine_) {
    return take_oldest_release();
  }
  while (next_fresh_ <= last_.value) {
    const Ipv4Address candidate{static_cast<std::uint32_t>(next_fresh_++)};
    if (usable(candidate) && allocated_.count(candidate) == 0) {  // not reserved
      allocated_.insert(candidate);
      return candidate;
    }
  }
  // Still in quarantine, but the best choice left: it has had the longest time for old routes
  // to it to go away.
  if (!released_.empty()) return take_oldest_release();
  return Status(StatusCode::kResourceExhausted, "all " + std::to_string(capacity_) +
                                                    " addresses from " + first_.to_string() +
                                                    " to " + last_.to_string() + " are in use");
}

Status LoopbackPool::release(Ipv4Address address, runtime::Time now) {
  if (allocated_.erase(address) == 0) {
    return {StatusCode::kFailedPrecondition,
            "address " + address.to_string() + " is not allocated from this pool"};
  }
  NODROP_CHECK(released_.empty() || released_.back().at <= now);
  released_.push_back({address, now});
  return Status::ok();
}

Status LoopbackPool::reserve(Ipv4Address address) {
  if (address < first_ || last_ < address || !usable(address)) {
    return invalid_argument("address " + address.to_string() + " is not in the pool " +
                            first_.to_string() + "-" + last_.to_string());
  }
  if (!allocated_.insert(address).second) {
    return {StatusCode::kAlreadyExists, "address " + address.to_string() + " is allocated"};
  }
  std::erase_if(released_, [&](const Released& released) { return released.address == address; });
  return Status::ok();
}

}  // namespace nodrop::node
