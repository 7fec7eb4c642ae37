// The drain gate of profile `nodrop` (DESIGN.md §4): a terminating pod goes on to its preStop hook
// (and so to SIGTERM) only once no hop can send it new work and the work it has is done.
//
// The gate sees every table the Service path publishes: the node proxies and the front load
// balancers reach their data plane through data_plane(), which passes everything on and keeps,
// per listener, the latest table and for each backend the last generation that could pick it.
// Workers acknowledge generations (DataPlaneListener::applied); the gate hears of each one and
// re-checks the pods it holds.
//
//   1 removed    For every listener: the pod's address is not pickable in its latest table, and
//                every worker has applied the first table without it. One exception, Local
//                Services: a node proxy keeps its node's last, terminating pod (kube-proxy's
//                fallback, so in-flight connections may go on); there the condition is that no
//                listener may pick that node proxy's address (the front load balancer dropped the
//                node after its health check failed), acknowledged the same way. A clusterIP
//                listener (Cluster policy, never a backend of another listener) gets no
//                exception: like a Cluster nodePort it drops the pod once another endpoint of
//                the Service is ready anywhere, and keeps it (kube-proxy's fallback) while it is
//                the last serving one, so the grace period bounds that wait.
//                Event RemovedFromRotation.
//   2 drained    Every listener's counters for the pod's endpoints show no request in flight (L7)
//                and no open connection (L4, tunnels). Event Drained.
//
// Each step is bounded by the pod's grace period: at its end the gate records a Warning
// DrainTimeout naming what was still outstanding, and lets the pod go on (preStop, SIGTERM and
// SIGKILL then follow as in Kubernetes, with no time left for the hook).
//
// Threading: everything runs on the cluster's loop; acknowledgements arrive on the data plane's
// worker threads and are passed to the loop through `post`, coalesced.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "node/drain_gate.h"
#include "runtime/event_loop.h"
#include "server/data_plane.h"
#include "store/event_recorder.h"
#include "store/informer.h"

namespace nodrop::server {

struct DrainGatePorts {
  runtime::EventLoop& loop;
  store::Post post;  // onto loop, from any thread
  store::EventRecorder& events;
  DataPlane& data_plane;  // the real one, wrapped by data_plane()
};

class DataPlaneDrainGate final : public node::DrainGate {
 public:
  static constexpr auto kCounterPollInterval = std::chrono::milliseconds(1);

  explicit DataPlaneDrainGate(DrainGatePorts ports);
  ~DataPlaneDrainGate() override;
  DataPlaneDrainGate(const DataPlaneDrainGate&) = delete;
  DataPlaneDrainGate& operator=(const DataPlaneDrainGate&) = delete;

  // What the node proxies and load balancers listen through, so the gate sees their tables. Its
  // listeners must be destroyed before the gate.
  DataPlane& data_plane();

  void wait_for_drain(const api::Pod& pod, runtime::Time deadline,
                      std::function<void()> proceed) override;

  // From now on every pod goes on at once, and those held go on now: the node is shutting down
  // and its data plane with it, so nothing will take the pods out of rotation.
  void open();

  // Pods held now (for tests).
  std::size_t waiting() const { return waiting_.size(); }

 private:
  class TrackingDataPlane;
  class TrackingListener;
  struct Tracked;  // one listener's tables, as the gate knows them
  struct Waiting {
    api::Pod pod;
    Ipv4Address address{};
    std::function<void()> proceed;
    bool removed = false;  // step 1 passed
    std::optional<runtime::TimerId> deadline_timer;
  };

  // Step 1 for one address: the listeners that may still send it new work, described ("" if
  // none).
  std::string still_routing(Ipv4Address address) const;
  // Step 2: the requests and connections still open to the address, described ("" if none).
  std::string still_open(Ipv4Address address) const;
  void check();
  void schedule_check();  // from any thread
  void schedule_poll();
  void finish(std::uint64_t id);  // posts its proceed
  void record(const Waiting& waiting, api::EventType type, const std::string& reason,
              const std::string& message);

  DrainGatePorts ports_;
  std::unique_ptr<TrackingDataPlane> tracking_;
  std::set<Tracked*> listeners_;
  std::map<std::uint64_t, Waiting> waiting_;
  std::uint64_t next_id_ = 1;
  std::optional<runtime::TimerId> poll_timer_;
  bool open_ = false;
  // Shared with the acknowledgement callbacks on the workers' threads.
  struct Signal;
  std::shared_ptr<Signal> signal_;
};

}  // namespace nodrop::server
