// The garbage collector (pkg/controller/garbagecollector): objects whose owners are gone are
// deleted, so deleting a Deployment removes its ReplicaSets and their pods. Propagation as
// Kubernetes does it, chosen by the owner's deletion:
//
//   background  the owner goes at once; each dependent whose owner is gone is deleted in turn
//               (a ReplicaSet, then its pods: a level at a time)
//   foreground  the owner stays with the foregroundDeletion finalizer; its dependents are
//               deleted (in the foreground too), and the finalizer is removed once none is left
//   orphan      the owner stays with the orphan finalizer; each dependent loses its reference
//               to the owner, then the finalizer is removed
//
// An owner counts as gone only after a read of the store itself says so (the informers may not
// yet hold an owner created a moment ago), as Kubernetes' collector verifies absence with a live
// lookup. Work is keyed by owner uid.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "controller/controller_context.h"
#include "controller/reconciler.h"

namespace nodrop::controller {

class GarbageCollector {
 public:
  // watched: every informer whose objects own others or are owned (Deployments, ReplicaSets,
  // Pods, ...).
  GarbageCollector(ControllerContext context, std::vector<store::Informer*> watched);
  GarbageCollector(const GarbageCollector&) = delete;
  GarbageCollector& operator=(const GarbageCollector&) = delete;

  // Syncs nothing more.
  void stop() { reconciler_.stop(); }
  // Keys synced so far (benchmarks, metrics).
  std::uint64_t syncs() const { return reconciler_.syncs(); }

 private:
  SyncResult sync(const std::string& owner_uid);
  void observe(const store::ObjectPtr& object);
  void forget(const store::ObjectPtr& object);
  // Whether the store holds the object an owner reference names (same uid).
  bool owner_exists(const std::string& namespace_name, const api::OwnerReference& owner) const;

  ControllerContext context_;
  Reconciler reconciler_;
  std::map<std::string, store::ObjectKey> by_uid_;
  std::map<std::string, std::set<store::ObjectKey>> dependents_;  // owner uid → dependents
  std::map<store::ObjectKey, std::vector<std::string>> owners_;   // dependent → owner uids
};

}  // namespace nodrop::controller
