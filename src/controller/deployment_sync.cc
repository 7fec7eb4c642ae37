#include "controller/deployment_sync.h"

#include <algorithm>

#include "controller/deployment_util.h"

namespace nodrop::controller {
namespace {

using std::chrono::seconds;

bool owned_by(const api::ObjectMeta& metadata, const api::Deployment& deployment) {
  const api::OwnerReference* owner = metadata.controller_ref();
  if (owner == nullptr || owner->kind != "Deployment") return false;
  if (!deployment.metadata.uid.empty()) return owner->uid == deployment.metadata.uid;
  return owner->name == deployment.metadata.name;
}

void record_event(SyncState& state, EventType type, std::string reason, std::string message) {
  state.plan.events.push_back(Event{type, std::move(reason), std::move(message)});
}

void update_deployment_status(SyncState& state) {
  DeploymentAction action;
  action.type = DeploymentActionType::kUpdateDeploymentStatus;
  action.deployment = state.deployment;
  state.plan.actions.push_back(std::move(action));
}

void update_deployment(SyncState& state) {
  DeploymentAction action;
  action.type = DeploymentActionType::kUpdateDeployment;
  action.deployment = state.deployment;
  state.plan.actions.push_back(std::move(action));
}

void update_replica_set(SyncState& state, ReplicaSetIndex index, std::int32_t replicas_before) {
  DeploymentAction action;
  action.type = DeploymentActionType::kUpdateReplicaSet;
  action.replica_set = state.replica_sets[index];
  action.replicas_before = replicas_before;
  state.plan.actions.push_back(std::move(action));
}

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

// The ReplicaSets as syncRolloutStatus sees them: copies taken before scaling.
std::vector<api::ReplicaSet> snapshot(const SyncState& state,
                                      const std::vector<ReplicaSetIndex>& indices) {
  std::vector<api::ReplicaSet> copies;
  copies.reserve(indices.size());
  for (const ReplicaSetIndex index : indices) copies.push_back(state.replica_sets[index]);
  return copies;
}

const api::ReplicaSet* find_new_in(const std::vector<api::ReplicaSet>& copies,
                                   const std::optional<ReplicaSetIndex>& new_rs,
                                   const SyncState& state) {
  if (!new_rs) return nullptr;
  for (const api::ReplicaSet& copy : copies) {
    if (copy.metadata.name == state.replica_sets[*new_rs].metadata.name) return &copy;
  }
  return nullptr;
}

}  // namespace

std::vector<const api::ReplicaSet*> SyncState::view(
    const std::vector<ReplicaSetIndex>& indices) const {
  std::vector<const api::ReplicaSet*> result;
  result.reserve(indices.size());
  for (const ReplicaSetIndex index : indices) result.push_back(&replica_sets[index]);
  return result;
}

std::vector<ReplicaSetIndex> ReplicaSetGroups::all() const {
  std::vector<ReplicaSetIndex> result = old;
  if (new_rs) result.push_back(*new_rs);
  return result;
}

ReplicaSetGroups find_replica_sets(const SyncState& state) {
  std::vector<ReplicaSetIndex> order(state.replica_sets.size());
  for (ReplicaSetIndex i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](ReplicaSetIndex a, ReplicaSetIndex b) {
    return created_before(state.replica_sets[a], state.replica_sets[b]);
  });
  ReplicaSetGroups groups;
  for (const ReplicaSetIndex index : order) {
    if (!groups.new_rs && equal_ignore_hash(state.replica_sets[index].spec.template_spec,
                                            state.deployment.spec.template_spec)) {
      groups.new_rs = index;
    }
  }
  for (ReplicaSetIndex i = 0; i < state.replica_sets.size(); ++i) {
    if (!groups.new_rs || i != *groups.new_rs) groups.old.push_back(i);
  }
  return groups;
}

std::vector<ReplicaSetIndex> filter_active(const SyncState& state,
                                           const std::vector<ReplicaSetIndex>& indices) {
  std::vector<ReplicaSetIndex> active;
  for (const ReplicaSetIndex index : indices) {
    if (spec_replicas(state.replica_sets[index]) > 0) active.push_back(index);
  }
  return active;
}

Result<ReplicaSetGroups> get_all_replica_sets_and_sync_revision(SyncState& state,
                                                                bool create_if_missing) {
  ReplicaSetGroups groups = find_replica_sets(state);
  api::Deployment& d = state.deployment;
  const std::string new_revision = std::to_string(max_revision(state.view(groups.old)) + 1);

  if (groups.new_rs) {
    api::ReplicaSet& rs = state.replica_sets[*groups.new_rs];
    const bool annotations_updated = set_new_replica_set_annotations(
        d, rs, new_revision, /*exists=*/true, kMaxRevisionHistoryLengthInChars);
    const bool min_ready_needs_update = rs.spec.min_ready_seconds != d.spec.min_ready_seconds;
    if (annotations_updated || min_ready_needs_update) {
      // Kubernetes returns right after this write: the Deployment's revision follows next sync.
      rs.spec.min_ready_seconds = d.spec.min_ready_seconds;
      update_replica_set(state, *groups.new_rs, spec_replicas(rs));
      return groups;
    }
    bool needs_update =
        set_deployment_revision(d, rs.metadata.annotations[api::kRevisionAnnotation]);
    if (has_progress_deadline(d) &&
        deployment_condition(d.status, kDeploymentProgressing) == nullptr) {
      set_deployment_condition(
          d.status,
          new_deployment_condition(kDeploymentProgressing, api::ConditionStatus::kTrue,
                                   kFoundNewReplicaSetReason,
                                   "Found new replica set " + quoted(rs.metadata.name), state.now));
      needs_update = true;
    }
    if (needs_update) update_deployment_status(state);
    return groups;
  }

  if (!create_if_missing) return groups;

  api::ReplicaSet rs;
  const std::string hash = compute_hash(d.spec.template_spec, d.status.collision_count);
  rs.metadata.name = d.metadata.name + "-" + hash;
  rs.metadata.namespace_name = d.metadata.namespace_name;
  rs.metadata.creation_timestamp = state.now;
  api::OwnerReference owner;
  owner.api_version = "apps/v1";
  owner.kind = "Deployment";
  owner.name = d.metadata.name;
  owner.uid = d.metadata.uid;
  owner.controller = true;
  owner.block_owner_deletion = true;
  rs.metadata.owner_references.push_back(owner);
  rs.spec.template_spec = d.spec.template_spec;
  rs.spec.template_spec.metadata.labels[api::kPodTemplateHashLabel] = hash;
  rs.metadata.labels = rs.spec.template_spec.metadata.labels;
  rs.spec.selector = d.spec.selector;
  rs.spec.selector.match_labels[api::kPodTemplateHashLabel] = hash;
  rs.spec.has_selector = true;
  rs.spec.min_ready_seconds = d.spec.min_ready_seconds;
  rs.spec.replicas = 0;
  std::vector<const api::ReplicaSet*> all = state.view(groups.old);
  all.push_back(&rs);
  const Result<std::int32_t> replicas = new_rs_new_replicas(d, all, rs);
  if (!replicas.is_ok()) return replicas.status();
  rs.spec.replicas = *replicas;
  set_new_replica_set_annotations(d, rs, new_revision, /*exists=*/false,
                                  kMaxRevisionHistoryLengthInChars);

  // Create returns AlreadyExists when the name is taken. An owned RS with that name and an equal
  // template would have been found above, so a taken name is a hash collision.
  bool taken = std::find(state.other_replica_set_names.begin(), state.other_replica_set_names.end(),
                         rs.metadata.name) != state.other_replica_set_names.end();
  for (const api::ReplicaSet& existing : state.replica_sets) {
    taken = taken || existing.metadata.name == rs.metadata.name;
  }
  if (taken) {
    d.status.collision_count = d.status.collision_count.value_or(0) + 1;
    update_deployment_status(state);
    return Status(StatusCode::kAlreadyExists,
                  "replicasets.apps " + quoted(rs.metadata.name) + " already exists");
  }

  DeploymentAction create;
  create.type = DeploymentActionType::kCreateReplicaSet;
  create.replica_set = rs;
  state.plan.actions.push_back(create);
  if (*replicas > 0) {
    record_event(state, EventType::kNormal, "ScalingReplicaSet",
                 "Scaled up replica set " + rs.metadata.name + " to " + std::to_string(*replicas));
  }
  state.replica_sets.push_back(std::move(rs));
  groups.new_rs = state.replica_sets.size() - 1;
  const api::ReplicaSet& created = state.replica_sets.back();

  bool needs_update = set_deployment_revision(d, new_revision);
  if (has_progress_deadline(d)) {
    set_deployment_condition(
        d.status, new_deployment_condition(
                      kDeploymentProgressing, api::ConditionStatus::kTrue, kNewReplicaSetReason,
                      "Created new replica set " + quoted(created.metadata.name), state.now));
    needs_update = true;
  }
  if (needs_update) update_deployment_status(state);
  return groups;
}

bool scale_replica_set(SyncState& state, ReplicaSetIndex index, std::int32_t new_scale) {
  api::ReplicaSet& rs = state.replica_sets[index];
  const std::int32_t replicas = desired_replicas(state.deployment);
  const std::int32_t max_replicas = replicas + max_surge(state.deployment);
  const std::int32_t old_scale = spec_replicas(rs);
  const bool size_needs_update = old_scale != new_scale;
  if (!size_needs_update && !replicas_annotations_need_update(rs, replicas, max_replicas)) {
    return false;
  }
  rs.spec.replicas = new_scale;
  set_replicas_annotations(rs, replicas, max_replicas);
  update_replica_set(state, index, old_scale);
  if (!size_needs_update) return false;
  record_event(state, EventType::kNormal, "ScalingReplicaSet",
               std::string("Scaled ") + (old_scale < new_scale ? "up" : "down") + " replica set " +
                   rs.metadata.name + " to " + std::to_string(new_scale) + " from " +
                   std::to_string(old_scale));
  return true;
}

bool scale_replica_set_and_record_event(SyncState& state, ReplicaSetIndex index,
                                        std::int32_t new_scale) {
  if (spec_replicas(state.replica_sets[index]) == new_scale) return false;
  return scale_replica_set(state, index, new_scale);
}

Result<bool> reconcile_new_replica_set(SyncState& state, const std::vector<ReplicaSetIndex>& all,
                                       ReplicaSetIndex new_rs) {
  const std::int32_t replicas = desired_replicas(state.deployment);
  const std::int32_t current = spec_replicas(state.replica_sets[new_rs]);
  if (current == replicas) return false;
  if (current > replicas) return scale_replica_set_and_record_event(state, new_rs, replicas);
  const Result<std::int32_t> count =
      new_rs_new_replicas(state.deployment, state.view(all), state.replica_sets[new_rs]);
  if (!count.is_ok()) return count.status();
  return scale_replica_set_and_record_event(state, new_rs, *count);
}

// A worked example (Kubernetes' own, from reconcileOldReplicaSets): replicas 10, maxUnavailable 2,
// maxSurge 3. The new RS was scaled to 3 but its pods cannot start (bad image):
//   allPods 13, minAvailable 8, newRSUnavailable 3 -> maxScaledDown 13 - 8 - 3 = 2
// so at most 2 old pods go, and only while 8 stay available. Without newRSUnavailable the old RS
// could be scaled to 5 and the Deployment would be left with 5 available pods.
//
//   allPods  minAvailable  newRSUnavailable  maxScaledDown
//   13       8             3                 2
//   10       9             0                 1      (maxSurge 0, maxUnavailable 0 -> 1)
//   10       8             2                 0      (no-op: new pods not yet available)
Result<bool> reconcile_old_replica_sets(SyncState& state, const std::vector<ReplicaSetIndex>& all,
                                        std::vector<ReplicaSetIndex> old, ReplicaSetIndex new_rs) {
  if (sum_spec_replicas(state.view(old)) == 0) return false;
  const std::int32_t all_pods = sum_spec_replicas(state.view(all));
  const std::int32_t min_available_count =
      desired_replicas(state.deployment) - max_unavailable(state.deployment);
  const api::ReplicaSet& new_replica_set = state.replica_sets[new_rs];
  const std::int32_t new_rs_unavailable =
      spec_replicas(new_replica_set) - new_replica_set.status.available_replicas;
  const std::int32_t max_scaled_down = all_pods - min_available_count - new_rs_unavailable;
  if (max_scaled_down <= 0) return false;

  // Unhealthy replicas first, or they would block the rollout (kubernetes#16737). Errors are
  // swallowed as in Kubernetes 1.28 (the next sync retries).
  const Result<std::int32_t> cleaned = cleanup_unhealthy_replicas(state, old, max_scaled_down);
  if (!cleaned.is_ok()) return false;
  std::vector<ReplicaSetIndex> all_after = old;
  all_after.push_back(new_rs);
  const Result<std::int32_t> scaled_down =
      scale_down_old_replica_sets_for_rolling_update(state, all_after, old);
  if (!scaled_down.is_ok()) return false;
  return *cleaned + *scaled_down > 0;
}

Result<std::int32_t> cleanup_unhealthy_replicas(SyncState& state, std::vector<ReplicaSetIndex>& old,
                                                std::int32_t max_cleanup) {
  std::sort(old.begin(), old.end(), [&](ReplicaSetIndex a, ReplicaSetIndex b) {
    return created_before(state.replica_sets[a], state.replica_sets[b]);
  });
  std::int32_t total = 0;
  for (const ReplicaSetIndex index : old) {
    if (total >= max_cleanup) break;
    const api::ReplicaSet& rs = state.replica_sets[index];
    const std::int32_t spec = spec_replicas(rs);
    if (spec == 0) continue;
    if (spec == rs.status.available_replicas) continue;  // no unhealthy replicas
    const std::int32_t count = std::min(max_cleanup - total, spec - rs.status.available_replicas);
    const std::int32_t new_count = spec - count;
    if (new_count > spec) {
      return internal_error(
          "when cleaning up unhealthy replicas, got invalid request to scale down " +
          rs.metadata.name + " " + std::to_string(spec) + " -> " + std::to_string(new_count));
    }
    scale_replica_set_and_record_event(state, index, new_count);
    total += count;
  }
  return total;
}

Result<std::int32_t> scale_down_old_replica_sets_for_rolling_update(
    SyncState& state, const std::vector<ReplicaSetIndex>& all, std::vector<ReplicaSetIndex> old) {
  const std::int32_t min_available_count =
      desired_replicas(state.deployment) - max_unavailable(state.deployment);
  const std::int32_t available = sum_available_replicas(state.view(all));
  if (available <= min_available_count) return 0;
  std::sort(old.begin(), old.end(), [&](ReplicaSetIndex a, ReplicaSetIndex b) {
    return created_before(state.replica_sets[a], state.replica_sets[b]);
  });
  const std::int32_t wanted = available - min_available_count;
  std::int32_t total = 0;
  for (const ReplicaSetIndex index : old) {
    if (total >= wanted) break;
    const std::int32_t spec = spec_replicas(state.replica_sets[index]);
    if (spec == 0) continue;
    const std::int32_t count = std::min(spec, wanted - total);
    scale_replica_set_and_record_event(state, index, spec - count);
    total += count;
  }
  return total;
}

// Proportional scaling, the docs' example: replicas 10 -> 15 (maxSurge 3) during a stuck rollout
// with old 8 and new 5, both annotated max-replicas 13:
//   allowed 18, Σ spec 13 -> toAdd 5; sorted by size: old(8), new(5)
//   old: round(8*18/13) - 8 = round(11.08) - 8 = 3 -> 11
//   new: round(5*18/13) - 5 = round(6.92) - 5 = 2 -> 7       leftover 0
void scale(SyncState& state, const ReplicaSetGroups& groups) {
  const api::Deployment& d = state.deployment;
  const std::int32_t replicas = desired_replicas(d);

  // FindActiveOrLatest
  std::vector<ReplicaSetIndex> all = groups.old;
  if (groups.new_rs) all.push_back(*groups.new_rs);
  const std::vector<ReplicaSetIndex> active = filter_active(state, all);
  std::optional<ReplicaSetIndex> active_or_latest;
  if (!all.empty()) {
    if (active.empty()) {
      if (groups.new_rs) {
        active_or_latest = groups.new_rs;
      } else {
        active_or_latest = *std::max_element(
            groups.old.begin(), groups.old.end(), [&](ReplicaSetIndex a, ReplicaSetIndex b) {
              return created_before(state.replica_sets[a], state.replica_sets[b]);
            });
      }
    } else if (active.size() == 1) {
      active_or_latest = active.front();
    }
  }
  if (active_or_latest) {
    if (spec_replicas(state.replica_sets[*active_or_latest]) == replicas) return;
    scale_replica_set_and_record_event(state, *active_or_latest, replicas);
    return;
  }
  if (all.empty()) return;

  if (is_saturated(d, groups.new_rs ? &state.replica_sets[*groups.new_rs] : nullptr)) {
    for (const ReplicaSetIndex index : filter_active(state, groups.old)) {
      scale_replica_set_and_record_event(state, index, 0);
    }
    return;
  }
  if (!is_rolling_update(d)) return;

  std::vector<ReplicaSetIndex> order = active;
  const std::int32_t allowed = replicas > 0 ? replicas + max_surge(d) : 0;
  const std::int32_t to_add = allowed - sum_spec_replicas(state.view(order));
  if (to_add > 0) {
    std::sort(order.begin(), order.end(), [&](ReplicaSetIndex a, ReplicaSetIndex b) {
      return larger_then_newer(state.replica_sets[a], state.replica_sets[b]);
    });
  } else if (to_add < 0) {
    std::sort(order.begin(), order.end(), [&](ReplicaSetIndex a, ReplicaSetIndex b) {
      return larger_then_older(state.replica_sets[a], state.replica_sets[b]);
    });
  }
  std::vector<std::int32_t> sizes(order.size());
  std::int32_t added = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const api::ReplicaSet& rs = state.replica_sets[order[i]];
    const std::int32_t proportion = to_add != 0 ? replica_set_proportion(rs, d, to_add, added) : 0;
    sizes[i] = spec_replicas(rs) + proportion;
    added += proportion;
  }
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i == 0 && to_add != 0) {
      // Leftovers (from rounding) go to the largest RS.
      sizes[0] = std::max(0, sizes[0] + to_add - added);
    }
    scale_replica_set(state, order[i], sizes[i]);
  }
}

void cleanup_deployment(SyncState& state, const std::vector<ReplicaSetIndex>& old) {
  if (!has_revision_history_limit(state.deployment)) return;
  std::vector<ReplicaSetIndex> cleanable;
  for (const ReplicaSetIndex index : old) {
    if (!state.replica_sets[index].metadata.deletion_timestamp) cleanable.push_back(index);
  }
  const std::int64_t diff =
      static_cast<std::int64_t>(cleanable.size()) - *state.deployment.spec.revision_history_limit;
  if (diff <= 0) return;
  insertion_sort(cleanable, [&](ReplicaSetIndex a, ReplicaSetIndex b) {
    return revision_before(state.replica_sets[a], state.replica_sets[b]);
  });
  for (std::int64_t i = 0; i < diff; ++i) {
    const api::ReplicaSet& rs = state.replica_sets[cleanable[static_cast<std::size_t>(i)]];
    // An RS with replicas is skipped, not replaced by a later one.
    if (rs.status.replicas != 0 || spec_replicas(rs) != 0 ||
        rs.metadata.generation > rs.status.observed_generation || rs.metadata.deletion_timestamp) {
      continue;
    }
    DeploymentAction action;
    action.type = DeploymentActionType::kDeleteReplicaSet;
    action.replica_set = rs;
    state.plan.actions.push_back(std::move(action));
  }
}

api::DeploymentStatus calculate_status(const api::Deployment& deployment,
                                       const std::vector<const api::ReplicaSet*>& all,
                                       const api::ReplicaSet* new_rs, WallTime now) {
  const std::int32_t available = sum_available_replicas(all);
  const std::int32_t total = sum_spec_replicas(all);
  api::DeploymentStatus status;
  status.observed_generation = deployment.metadata.generation;
  status.replicas = sum_status_replicas(all);
  status.updated_replicas = new_rs != nullptr ? new_rs->status.replicas : 0;
  status.ready_replicas = sum_ready_replicas(all);
  status.available_replicas = available;
  status.unavailable_replicas = std::max(0, total - available);
  status.collision_count = deployment.status.collision_count;
  status.conditions = deployment.status.conditions;
  if (available >= desired_replicas(deployment) - max_unavailable(deployment)) {
    set_deployment_condition(
        status, new_deployment_condition(kDeploymentAvailable, api::ConditionStatus::kTrue,
                                         kMinimumReplicasAvailable,
                                         "Deployment has minimum availability.", now));
  } else {
    set_deployment_condition(
        status, new_deployment_condition(kDeploymentAvailable, api::ConditionStatus::kFalse,
                                         kMinimumReplicasUnavailable,
                                         "Deployment does not have minimum availability.", now));
  }
  return status;
}

StuckDeploymentCheck requeue_stuck_deployment(const api::Deployment& deployment,
                                              const api::DeploymentStatus& new_status,
                                              WallTime now) {
  const api::Condition* current = deployment_condition(deployment.status, kDeploymentProgressing);
  if (!has_progress_deadline(deployment) || current == nullptr) return {};
  if (deployment_complete(deployment, new_status) || current->reason == kTimedOutReason) return {};
  // lastUpdate + deadline - now. Example: updated 3 minutes ago with a 10-minute deadline ->
  // check again in 7 minutes (plus one second against millisecond skew).
  const runtime::Duration remaining = current->last_update_time.value_or(WallTime{}) +
                                      seconds(*deployment.spec.progress_deadline_seconds) - now;
  if (remaining < seconds(1)) return {RequeueKind::kRateLimited, runtime::Duration{0}};
  return {RequeueKind::kAfter, remaining};
}

void sync_rollout_status(SyncState& state, const std::vector<api::ReplicaSet>& all,
                         const api::ReplicaSet* new_rs) {
  api::Deployment& d = state.deployment;
  std::vector<const api::ReplicaSet*> view;
  for (const api::ReplicaSet& rs : all) view.push_back(&rs);
  api::DeploymentStatus new_status = calculate_status(d, view, new_rs, state.now);

  if (!has_progress_deadline(d)) remove_deployment_condition(new_status, kDeploymentProgressing);

  const api::Condition* current = deployment_condition(d.status, kDeploymentProgressing);
  const bool complete_rollout = new_status.replicas == new_status.updated_replicas &&
                                current != nullptr &&
                                current->reason == kNewReplicaSetAvailableReason;
  if (has_progress_deadline(d) && !complete_rollout) {
    const std::string subject = new_rs != nullptr ? "ReplicaSet " + quoted(new_rs->metadata.name)
                                                  : "Deployment " + quoted(d.metadata.name);
    if (deployment_complete(d, new_status)) {
      set_deployment_condition(
          new_status,
          new_deployment_condition(kDeploymentProgressing, api::ConditionStatus::kTrue,
                                   kNewReplicaSetAvailableReason,
                                   subject + " has successfully progressed.", state.now));
    } else if (deployment_progressing(d, new_status)) {
      // Progress moves lastUpdateTime even when the reason stays ReplicaSetUpdated, which
      // set_deployment_condition alone would not do.
      api::Condition condition = new_deployment_condition(
          kDeploymentProgressing, api::ConditionStatus::kTrue, kReplicaSetUpdatedReason,
          subject + " is progressing.", state.now);
      if (current != nullptr) {
        if (current->status == api::ConditionStatus::kTrue) {
          condition.last_transition_time = current->last_transition_time;
        }
        remove_deployment_condition(new_status, kDeploymentProgressing);
      }
      set_deployment_condition(new_status, condition);
    } else if (deployment_timed_out(d, new_status, state.now)) {
      set_deployment_condition(
          new_status, new_deployment_condition(kDeploymentProgressing, api::ConditionStatus::kFalse,
                                               kTimedOutReason,
                                               subject + " has timed out progressing.", state.now));
    }
  }

  // ReplicaFailure is copied from the ReplicaSets, the new one first.
  std::optional<api::Condition> failure;
  auto take_failure = [&](const api::ReplicaSet& rs) {
    for (const api::Condition& condition : rs.status.conditions) {
      if (condition.type != kReplicaSetReplicaFailure || failure) continue;
      failure = condition;
      failure->last_update_time = condition.last_transition_time;
    }
  };
  if (new_rs != nullptr) take_failure(*new_rs);
  for (const api::ReplicaSet& rs : all) take_failure(rs);
  if (failure) {
    set_deployment_condition(new_status, *failure);
  } else {
    remove_deployment_condition(new_status, kDeploymentReplicaFailure);
  }

  if (d.status == new_status) {
    const StuckDeploymentCheck check = requeue_stuck_deployment(d, new_status, state.now);
    switch (check.kind) {
      case RequeueKind::kNone:
        break;
      case RequeueKind::kRateLimited:
        state.plan.requeue = {RequeueKind::kRateLimited, {}};
        break;
      case RequeueKind::kAfter:
        state.plan.requeue = {RequeueKind::kAfter, check.remaining + seconds(1)};
        break;
    }
    return;
  }
  d.status = new_status;
  update_deployment_status(state);
}

bool old_pods_running(const api::ReplicaSet* new_rs, const std::vector<const api::ReplicaSet*>& old,
                      const std::map<std::string, std::vector<const api::Pod*>>& pods_by_rs_uid) {
  if (sum_status_replicas(old) > 0) return true;
  for (const auto& [uid, pods] : pods_by_rs_uid) {
    if (new_rs != nullptr && new_rs->metadata.uid == uid) continue;
    for (const api::Pod* pod : pods) {
      switch (pod->status.phase) {
        case api::PodPhase::kFailed:
        case api::PodPhase::kSucceeded:
          continue;                    // terminal
        case api::PodPhase::kUnknown:  // maybe running: count it
        case api::PodPhase::kPending:
        case api::PodPhase::kRunning:
          return true;
      }
    }
  }
  return false;
}

std::optional<std::int64_t> rollback_to(const api::Deployment& deployment) {
  api::ObjectMeta probe;
  const auto found = deployment.metadata.annotations.find(api::kRollbackToAnnotation);
  if (found == deployment.metadata.annotations.end() || found->second.empty()) return std::nullopt;
  probe.annotations[api::kRevisionAnnotation] = found->second;
  const Result<std::int64_t> revision = revision_of(probe);
  if (!revision.is_ok()) return std::nullopt;
  return *revision;
}

namespace {

void sync_status_only(SyncState& state) {
  const Result<ReplicaSetGroups> groups = get_all_replica_sets_and_sync_revision(state, false);
  if (!groups.is_ok()) {
    state.plan.requeue = {RequeueKind::kRateLimited, {}};
    return;
  }
  const std::vector<ReplicaSetIndex> all = groups->all();
  api::DeploymentStatus status =
      calculate_status(state.deployment, state.view(all),
                       groups->new_rs ? &state.replica_sets[*groups->new_rs] : nullptr, state.now);
  if (status == state.deployment.status) return;
  state.deployment.status = std::move(status);
  update_deployment_status(state);
}

// sync.go sync: scaling (and cleanup when paused) without rolling anything out.
void sync_scale_only(SyncState& state) {
  const Result<ReplicaSetGroups> groups = get_all_replica_sets_and_sync_revision(state, false);
  if (!groups.is_ok()) {
    state.plan.requeue = {RequeueKind::kRateLimited, {}};
    return;
  }
  const std::vector<ReplicaSetIndex> all = groups->all();
  const std::vector<api::ReplicaSet> before = snapshot(state, all);
  scale(state, *groups);
  if (state.deployment.spec.paused && !rollback_to(state.deployment)) {
    cleanup_deployment(state, groups->old);
  }
  std::vector<const api::ReplicaSet*> view;
  for (const api::ReplicaSet& rs : before) view.push_back(&rs);
  api::DeploymentStatus status = calculate_status(
      state.deployment, view, find_new_in(before, groups->new_rs, state), state.now);
  if (status == state.deployment.status) return;
  state.deployment.status = std::move(status);
  update_deployment_status(state);
}

void check_paused_conditions(SyncState& state) {
  api::Deployment& d = state.deployment;
  if (!has_progress_deadline(d)) return;
  const api::Condition* condition = deployment_condition(d.status, kDeploymentProgressing);
  // A reported lack of progress is never overwritten by a pause.
  if (condition != nullptr && condition->reason == kTimedOutReason) return;
  const bool paused_condition = condition != nullptr && condition->reason == kPausedReason;
  if (d.spec.paused && !paused_condition) {
    set_deployment_condition(
        d.status, new_deployment_condition(kDeploymentProgressing, api::ConditionStatus::kUnknown,
                                           kPausedReason, "Deployment is paused", state.now));
  } else if (!d.spec.paused && paused_condition) {
    set_deployment_condition(
        d.status, new_deployment_condition(kDeploymentProgressing, api::ConditionStatus::kUnknown,
                                           kResumedReason, "Deployment is resumed", state.now));
  } else {
    return;
  }
  update_deployment_status(state);
}

void clear_rollback_to(SyncState& state) {
  state.deployment.metadata.annotations.erase(api::kRollbackToAnnotation);
  update_deployment(state);
}

// rollback.go rollback (the deprecated annotation path).
void rollback(SyncState& state) {
  const Result<ReplicaSetGroups> groups = get_all_replica_sets_and_sync_revision(state, true);
  if (!groups.is_ok()) {
    state.plan.requeue = {RequeueKind::kRateLimited, {}};
    return;
  }
  api::Deployment& d = state.deployment;
  const std::vector<ReplicaSetIndex> all = groups->all();
  std::int64_t revision = rollback_to(d).value_or(0);
  if (revision == 0) {
    revision = last_revision(state.view(all));
    if (revision == 0) {
      record_event(state, EventType::kWarning, kRollbackRevisionNotFound,
                   "Unable to find last revision.");
      clear_rollback_to(state);
      return;
    }
  }
  for (const ReplicaSetIndex index : all) {
    const api::ReplicaSet& rs = state.replica_sets[index];
    const Result<std::int64_t> rs_revision = revision_of(rs.metadata);
    if (!rs_revision.is_ok() || *rs_revision != revision) continue;
    if (!equal_ignore_hash(d.spec.template_spec, rs.spec.template_spec)) {
      // SetFromReplicaSetTemplate and SetDeploymentAnnotationsTo.
      d.spec.template_spec = rs.spec.template_spec;
      d.spec.template_spec.metadata.labels.erase(api::kPodTemplateHashLabel);
      api::Labels annotations;
      for (const auto& [key, value] : d.metadata.annotations) {
        if (skip_copy_annotation(key)) annotations[key] = value;
      }
      for (const auto& [key, value] : rs.metadata.annotations) {
        if (!skip_copy_annotation(key)) annotations[key] = value;
      }
      d.metadata.annotations = std::move(annotations);
      record_event(state, EventType::kNormal, kRollbackDone,
                   "Rolled back deployment " + quoted(d.metadata.name) + " to revision " +
                       std::to_string(revision));
    } else {
      record_event(state, EventType::kWarning, kRollbackTemplateUnchanged,
                   "The rollback revision contains the same template as current deployment " +
                       quoted(d.metadata.name));
    }
    clear_rollback_to(state);
    return;
  }
  record_event(state, EventType::kWarning, kRollbackRevisionNotFound,
               "Unable to find the revision to rollback to.");
  clear_rollback_to(state);
}

// isScalingEvent: an active RS whose desired-replicas annotation differs from spec.replicas.
bool is_scaling_event(SyncState& state) {
  const Result<ReplicaSetGroups> groups = get_all_replica_sets_and_sync_revision(state, false);
  if (!groups.is_ok()) return false;
  for (const ReplicaSetIndex index : filter_active(state, groups->all())) {
    const std::optional<std::int32_t> desired =
        int_annotation(state.replica_sets[index].metadata, api::kDesiredReplicasAnnotation);
    if (desired && *desired != desired_replicas(state.deployment)) return true;
  }
  return false;
}

void rollout_rolling(SyncState& state) {
  const Result<ReplicaSetGroups> got = get_all_replica_sets_and_sync_revision(state, true);
  if (!got.is_ok()) {
    state.plan.requeue = {RequeueKind::kRateLimited, {}};
    return;
  }
  const ReplicaSetGroups& groups = *got;
  const std::vector<ReplicaSetIndex> all = groups.all();
  const std::vector<api::ReplicaSet> before = snapshot(state, all);
  const api::ReplicaSet* new_before = find_new_in(before, groups.new_rs, state);
  NODROP_CHECK(groups.new_rs.has_value());

  // One scaling step per sync: scale up first, then down.
  const Result<bool> scaled_up = reconcile_new_replica_set(state, all, *groups.new_rs);
  if (!scaled_up.is_ok()) {
    state.plan.requeue = {RequeueKind::kRateLimited, {}};
    return;
  }
  if (*scaled_up) {
    sync_rollout_status(state, before, new_before);
    return;
  }
  const Result<bool> scaled_down =
      reconcile_old_replica_sets(state, all, filter_active(state, groups.old), *groups.new_rs);
  if (scaled_down.is_ok() && *scaled_down) {
    sync_rollout_status(state, before, new_before);
    return;
  }
  if (deployment_complete(state.deployment, state.deployment.status)) {
    cleanup_deployment(state, groups.old);
  }
  sync_rollout_status(state, before, new_before);
}

void rollout_recreate(SyncState& state,
                      const std::map<std::string, std::vector<const api::Pod*>>& pods_by_rs_uid) {
  Result<ReplicaSetGroups> got = get_all_replica_sets_and_sync_revision(state, false);
  if (!got.is_ok()) {
    state.plan.requeue = {RequeueKind::kRateLimited, {}};
    return;
  }
  ReplicaSetGroups groups = *got;
  std::vector<api::ReplicaSet> before = snapshot(state, groups.all());

  bool scaled_down = false;
  for (const ReplicaSetIndex index : filter_active(state, groups.old)) {
    scaled_down = scale_replica_set_and_record_event(state, index, 0) || scaled_down;
  }
  if (scaled_down) {
    sync_rollout_status(state, before, find_new_in(before, groups.new_rs, state));
    return;
  }
  // Terminating old pods block the new RS until they have fully stopped.
  if (old_pods_running(groups.new_rs ? &state.replica_sets[*groups.new_rs] : nullptr,
                       state.view(groups.old), pods_by_rs_uid)) {
    sync_rollout_status(state, before, find_new_in(before, groups.new_rs, state));
    return;
  }
  if (!groups.new_rs) {
    got = get_all_replica_sets_and_sync_revision(state, true);
    if (!got.is_ok()) {
      state.plan.requeue = {RequeueKind::kRateLimited, {}};
      return;
    }
    groups = *got;
    before = snapshot(state, groups.all());
  }
  scale_replica_set_and_record_event(state, *groups.new_rs, desired_replicas(state.deployment));
  if (deployment_complete(state.deployment, state.deployment.status)) {
    cleanup_deployment(state, groups.old);
  }
  sync_rollout_status(state, before, find_new_in(before, groups.new_rs, state));
}

// getPodMapForDeployment: pods selected by the Deployment, grouped by their owning RS. Only the
// Recreate strategy reads it, so it is built only then (it costs a pass over every pod).
std::map<std::string, std::vector<const api::Pod*>> pod_map(const SyncState& state,
                                                            std::span<const api::Pod* const> pods) {
  std::map<std::string, std::vector<const api::Pod*>> pods_by_rs_uid;
  for (const api::ReplicaSet& rs : state.replica_sets) pods_by_rs_uid[rs.metadata.uid];
  for (const api::Pod* pod : pods) {
    const api::OwnerReference* owner = pod->metadata.controller_ref();
    if (owner == nullptr || !state.deployment.spec.selector.matches(pod->metadata.labels)) continue;
    const auto found = pods_by_rs_uid.find(owner->uid);
    if (found != pods_by_rs_uid.end()) found->second.push_back(pod);
  }
  return pods_by_rs_uid;
}

}  // namespace

DeploymentPlan plan_deployment_sync(const api::Deployment& deployment,
                                    std::span<const api::ReplicaSet> replica_sets,
                                    std::span<const api::Pod* const> pods, WallTime now) {
  SyncState state;
  state.deployment = deployment;
  state.now = now;
  if (deployment.spec.selector.empty()) {
    record_event(state, EventType::kWarning, "SelectingAll",
                 "This deployment is selecting all pods. A non-empty selector is required.");
    if (state.deployment.status.observed_generation < deployment.metadata.generation) {
      state.deployment.status.observed_generation = deployment.metadata.generation;
      update_deployment_status(state);
    }
    return std::move(state.plan);
  }
  for (const api::ReplicaSet& rs : replica_sets) {
    if (owned_by(rs.metadata, deployment)) {
      state.replica_sets.push_back(rs);
    } else {
      state.other_replica_set_names.push_back(rs.metadata.name);
    }
  }
  if (deployment.metadata.deletion_timestamp) {
    sync_status_only(state);
    return std::move(state.plan);
  }
  check_paused_conditions(state);
  if (state.deployment.spec.paused) {
    sync_scale_only(state);
    return std::move(state.plan);
  }
  if (rollback_to(state.deployment)) {
    rollback(state);
    return std::move(state.plan);
  }
  // isScalingEvent runs getAllReplicaSetsAndSyncRevision, whose writes stay in the plan.
  if (is_scaling_event(state)) {
    sync_scale_only(state);
    return std::move(state.plan);
  }
  switch (state.deployment.spec.strategy.type) {
    case api::DeploymentStrategyType::kRecreate:
      rollout_recreate(state, pod_map(state, pods));
      break;
    case api::DeploymentStrategyType::kRollingUpdate:
      rollout_rolling(state);
      break;
  }
  return std::move(state.plan);
}

Result<api::Deployment> rollback_deployment(const api::Deployment& deployment,
                                            std::span<const api::ReplicaSet> owned,
                                            std::int64_t to_revision) {
  if (to_revision < 0)
    return invalid_argument("unable to find specified revision " + std::to_string(to_revision) +
                            " in history");
  if (deployment.spec.paused) {
    return Status(StatusCode::kFailedPrecondition,
                  "you cannot rollback a paused deployment; resume it first with 'kubectl "
                  "rollout resume' and try again");
  }
  std::vector<const api::ReplicaSet*> all;
  for (const api::ReplicaSet& rs : owned) all.push_back(&rs);
  std::int64_t target = to_revision;
  if (target == 0) {
    // The RS with the second-highest revision.
    std::int64_t max = -1;
    for (const api::ReplicaSet* rs : all) {
      const Result<std::int64_t> revision = revision_of(rs->metadata);
      if (revision.is_ok()) max = std::max(max, *revision);
    }
    target = 0;
    for (const api::ReplicaSet* rs : all) {
      const Result<std::int64_t> revision = revision_of(rs->metadata);
      if (revision.is_ok() && *revision < max) target = std::max(target, *revision);
    }
    if (target == 0)
      return not_found("no rollout history found for deployment " +
                       quoted(deployment.metadata.name));
  }
  for (const api::ReplicaSet* rs : all) {
    const Result<std::int64_t> revision = revision_of(rs->metadata);
    if (!revision.is_ok() || *revision != target) continue;
    if (equal_ignore_hash(deployment.spec.template_spec, rs->spec.template_spec)) {
      return Status(StatusCode::kFailedPrecondition,
                    "skipped rollback (current template already matches revision " +
                        std::to_string(target) + ")");
    }
    api::Deployment result = deployment;
    result.spec.template_spec = rs->spec.template_spec;
    result.spec.template_spec.metadata.labels.erase(api::kPodTemplateHashLabel);
    api::Labels annotations;
    for (const auto& [key, value] : deployment.metadata.annotations) {
      if (skip_copy_annotation(key)) annotations[key] = value;
    }
    for (const auto& [key, value] : rs->metadata.annotations) {
      if (!skip_copy_annotation(key)) annotations[key] = value;
    }
    result.metadata.annotations = std::move(annotations);
    return result;
  }
  return not_found("unable to find specified revision " + std::to_string(target) + " in history");
}

}  // namespace nodrop::controller
