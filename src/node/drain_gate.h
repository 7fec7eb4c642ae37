// Port: the drain gate of DESIGN.md §4. Before a terminating pod's preStop hook (and so before
// SIGTERM) the kubelet asks the gate whether every data plane has stopped sending the pod new
// work and its in-flight requests have finished. Profile `nodrop` uses the data plane's gate
// (server/drain_gate.h); profile `kubernetes` uses OpenDrainGate, which lets the pod proceed at
// once.
#pragma once

#include <functional>

#include "api/pod.h"
#include "runtime/event_loop.h"

namespace nodrop::node {

class DrainGate {
 public:
  virtual ~DrainGate() = default;
  // Calls `proceed` on the loop's thread, never inside this call, once the pod may go on to its
  // preStop hook; at the latest at `deadline` (the end of the grace period). `pod` carries its
  // status (status.podIP).
  virtual void wait_for_drain(const api::Pod& pod, runtime::Time deadline,
                              std::function<void()> proceed) = 0;
};

class OpenDrainGate final : public DrainGate {
 public:
  explicit OpenDrainGate(runtime::EventLoop& loop) : loop_(loop) {}
  void wait_for_drain(const api::Pod& /*pod*/, runtime::Time /*deadline*/,
                      std::function<void()> proceed) override {
    loop_.post(std::move(proceed));
  }

 private:
  runtime::EventLoop& loop_;
};

}  // namespace nodrop::node
