// The scheduler as a pure function: which node a pod goes to. A small subset of kube-scheduler's
// default profile:
//
//   filter  node schedulable and not NotReady; spec.nodeSelector; required nodeAffinity (any
//           term; a term needs all its matchExpressions/matchFields; In, NotIn, Exists,
//           DoesNotExist, Gt, Lt)
//   score   2 x preferred nodeAffinity (Σ weights of matching terms, scaled to 0..100)
//         + 2 x spreading (fewer pods of the same ReplicaSet on the node, scaled to 0..100)
//         + in-place surge bonus (below)
//   ties    the node name, smallest first (kube-scheduler picks at random; this stays
//           deterministic)
//
// In-place surge: for a Deployment behind an externalTrafficPolicy: Local Service, a node with no
// running pod of the Service has no local endpoint and drops the traffic the load balancer still
// sends it. When the caller says which pods the rollout is about to remove (pods_leaving), nodes
// that will lose more such pods than they have received replacements are preferred over any
// spreading preference, so every node keeps a running pod while its old pods go.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "api/pod.h"
#include "api/service.h"
#include "base/status.h"

namespace nodrop::controller {

// Score weights of the plugins above.
inline constexpr int kAffinityWeight = 2;
inline constexpr int kSpreadWeight = 2;
inline constexpr int kInPlaceSurgeBonus = 1000;  // dominates affinity and spreading (max 400)

struct SchedulingInput {
  const api::Pod* pod = nullptr;
  std::span<const api::Node> nodes;
  // Per node, the pods of the pod's own ReplicaSet placed there and active: what spreading
  // counts. same_set_on_node() counts them from a list of placed pods; a caller that keeps the
  // counts as pods come and go saves reading every pod for each pod it schedules.
  std::map<std::string, int> same_set_on_node;
  // Old pods the rollout is about to delete, when the pod backs an externalTrafficPolicy: Local
  // Service; empty otherwise.
  std::span<const api::Pod* const> pods_leaving{};
};

struct NodeScore {
  std::string node;
  int affinity = 0;  // 0..100
  int spread = 0;    // 0..100
  int surge = 0;     // 0 or kInPlaceSurgeBonus
  int total() const { return kAffinityWeight * affinity + kSpreadWeight * spread + surge; }
};

// The count above, from pods already placed (spec.nodeName set): those of the pod's ReplicaSet
// (the same controller, or for a pod without one the same labels), terminating and finished pods
// left out.
std::map<std::string, int> same_set_on_node(const api::Pod& pod,
                                            std::span<const api::Pod* const> placed);

// The nodes that pass the filters, scored, best first.
std::vector<NodeScore> score_nodes(const SchedulingInput& input);

// The chosen node, or FailedPrecondition "0/N nodes are available: ..." with the reasons.
Result<std::string> schedule(const SchedulingInput& input);

// nodeSelectorTerm matching over a node's labels and name.
bool node_matches_term(const api::Node& node, const api::NodeSelectorTerm& term);

}  // namespace nodrop::controller
