#include "controller/garbage_collector.h"

#include <algorithm>

namespace nodrop::controller {
namespace {

bool has_finalizer(const api::ObjectMeta& metadata, const char* finalizer) {
  return std::find(metadata.finalizers.begin(), metadata.finalizers.end(), finalizer) !=
         metadata.finalizers.end();
}

}  // namespace

GarbageCollector::GarbageCollector(ControllerContext context, std::vector<store::Informer*> watched)
    : context_(std::move(context)),
      reconciler_(context_.loop, context_.post,
                  [this](const std::string& uid) { return sync(uid); }) {
  for (store::Informer* informer : watched) {
    informer->add_handlers(
        {.on_add = [this](const store::ObjectPtr& object) { observe(object); },
         .on_update = [this](const store::ObjectPtr&,
                             const store::ObjectPtr& object) { observe(object); },
         .on_delete = [this](const store::ObjectPtr& object) { forget(object); }});
  }
}

void GarbageCollector::observe(const store::ObjectPtr& object) {
  const api::ObjectMeta& metadata = api::metadata_of(*object);
  const store::ObjectKey key = store::key_of(*object);
  by_uid_[metadata.uid] = key;
  // Its owners may have changed (orphaning removes them): index them afresh.
  for (const std::string& uid : owners_[key]) dependents_[uid].erase(key);
  std::vector<std::string>& owners = owners_[key];
  owners.clear();
  for (const api::OwnerReference& owner : metadata.owner_references) {
    owners.push_back(owner.uid);
    dependents_[owner.uid].insert(key);
    reconciler_.enqueue(owner.uid);  // a dangling reference is found by syncing its owner
  }
  // An owner being deleted with a finalizer of the collector's.
  if (metadata.deletion_timestamp.has_value() &&
      (has_finalizer(metadata, store::kForegroundDeletionFinalizer) ||
       has_finalizer(metadata, store::kOrphanFinalizer))) {
    reconciler_.enqueue(metadata.uid);
  }
}

void GarbageCollector::forget(const store::ObjectPtr& object) {
  const api::ObjectMeta& metadata = api::metadata_of(*object);
  const store::ObjectKey key = store::key_of(*object);
  by_uid_.erase(metadata.uid);
  for (const std::string& uid : owners_[key]) {
    dependents_[uid].erase(key);
    // The last dependent of an owner deleted in the foreground is gone: its finalizer can go.
    reconciler_.enqueue(uid);
  }
  owners_.erase(key);
  reconciler_.enqueue(metadata.uid);  // its dependents, if any, are orphans now
}

bool GarbageCollector::owner_exists(const std::string& namespace_name,
                                    const api::OwnerReference& owner) const {
  // Owners nodrop knows are namespaced like their dependents (Deployments, ReplicaSets, Services).
  Result<store::ObjectPtr> found = context_.store.get({owner.kind, namespace_name, owner.name});
  return found.is_ok() && api::metadata_of(**found).uid == owner.uid;
}

SyncResult GarbageCollector::sync(const std::string& owner_uid) {
  SyncResult result;
  const auto dependents_of = dependents_.find(owner_uid);
  if (dependents_of != dependents_.end() && dependents_of->second.empty()) {
    dependents_.erase(dependents_of);
  }

  store::ObjectPtr owner;
  if (const auto found = by_uid_.find(owner_uid); found != by_uid_.end()) {
    Result<store::ObjectPtr> current = context_.store.get(found->second);
    if (current && api::metadata_of(**current).uid == owner_uid) owner = *current;
  }
  // Most syncs are of an owner alive and well (every change of a dependent queues its owners):
  // they end here, before the dependents are copied, or each pod of a large ReplicaSet would copy
  // all of its siblings.
  const api::ObjectMeta* owner_metadata = owner == nullptr ? nullptr : &api::metadata_of(*owner);
  const bool foreground = owner_metadata != nullptr &&
                          has_finalizer(*owner_metadata, store::kForegroundDeletionFinalizer);
  const bool orphan =
      owner_metadata != nullptr && has_finalizer(*owner_metadata, store::kOrphanFinalizer);
  if (owner_metadata != nullptr &&
      (!owner_metadata->deletion_timestamp.has_value() || (!foreground && !orphan))) {
    return result;
  }
  // Copied, so that nothing the writes below set off can change what the loops walk.
  const auto still_there = dependents_.find(owner_uid);
  const std::set<store::ObjectKey> dependents =
      still_there == dependents_.end() ? std::set<store::ObjectKey>{} : still_there->second;

  if (owner == nullptr) {
    // Background: every dependent whose owners are all gone is deleted.
    for (const store::ObjectKey& key : dependents) {
      Result<store::ObjectPtr> dependent = context_.store.get(key);
      if (!dependent) continue;
      const api::ObjectMeta& metadata = api::metadata_of(**dependent);
      bool orphaned = !metadata.owner_references.empty();
      for (const api::OwnerReference& reference : metadata.owner_references) {
        if (reference.uid != owner_uid && owner_exists(metadata.namespace_name, reference)) {
          orphaned = false;
        }
        if (reference.uid == owner_uid && owner_exists(metadata.namespace_name, reference)) {
          orphaned = false;  // the owner exists after all (created a moment ago)
        }
      }
      if (!orphaned || metadata.deletion_timestamp.has_value()) continue;
      Result<store::ObjectPtr> deleted = context_.store.remove(key);
      if (!deleted && deleted.status().code() != StatusCode::kNotFound) result.retry = true;
    }
    return result;
  }

  bool all_gone = true;
  for (const store::ObjectKey& key : dependents) {
    Result<store::ObjectPtr> dependent = context_.store.get(key);
    if (!dependent) continue;
    if (orphan) {
      api::Object updated = **dependent;
      std::erase_if(
          api::metadata_of(updated).owner_references,
          [&](const api::OwnerReference& reference) { return reference.uid == owner_uid; });
      if (!context_.store.update(updated).is_ok()) result.retry = true;
    } else {
      all_gone = false;
      if (!api::metadata_of(**dependent).deletion_timestamp.has_value()) {
        Result<store::ObjectPtr> deleted =
            context_.store.remove(key, {.propagation = store::Propagation::kForeground});
        if (!deleted && deleted.status().code() != StatusCode::kNotFound) result.retry = true;
      }
    }
  }
  if (result.retry || (foreground && !all_gone)) return result;
  // Done with the dependents: the owner's finalizer goes (and with the last one, the owner).
  api::Object finished = *owner;
  std::erase_if(api::metadata_of(finished).finalizers, [&](const std::string& finalizer) {
    return finalizer == store::kForegroundDeletionFinalizer ||
           (orphan && finalizer == store::kOrphanFinalizer);
  });
  if (!context_.store.update(finished).is_ok()) result.retry = true;
  return result;
}

}  // namespace nodrop::controller
