// The ports that pods hold on every address. Every pod is an address of one host, so an app that
// listens on 0.0.0.0 or [::] takes its port on every pod's address: the next pod that declares the
// port cannot listen on it. The kubelets of a cluster share one table, as they share the pod
// addresses (node/loopback_pool.h), so that the pod that cannot listen is told which pod holds its
// port.
//
// A pod worker holds a port when it finds its container listening on every address, and releases
// what the container held when it stops. Bounds: one entry per port (at most 65,536).
// Threading: the loop's thread only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace nodrop::node {

struct PortHolder {
  std::string pod;        // "<namespace>/<name>"
  std::string container;  // its container that listens
  std::string address;    // "0.0.0.0" or "[::]"
};

class EveryAddressPorts {
 public:
  // The last holder of a port wins (the earlier one has stopped, or will fail to listen).
  void hold(std::uint16_t port, PortHolder holder) { holders_[port] = std::move(holder); }
  // Forgets every port the container holds.
  void release(const std::string& pod, const std::string& container) {
    std::erase_if(holders_, [&](const auto& entry) {
      return entry.second.pod == pod && entry.second.container == container;
    });
  }
  const PortHolder* holder(std::uint16_t port) const {
    const auto found = holders_.find(port);
    return found == holders_.end() ? nullptr : &found->second;
  }

 private:
  std::map<std::uint16_t, PortHolder> holders_;
};

}  // namespace nodrop::node
