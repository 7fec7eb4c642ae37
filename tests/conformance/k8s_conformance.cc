// k8s_conformance: runs the cases of k8s-vectors.json (facts from Kubernetes' own tests,
// reference/k8s-semantics.md §8) through nodrop's functions, one small adapter per `function`.
//
// Reads tests/conformance/k8s-vectors.json, or the file named by NODROP_K8S_VECTORS. Prints a
// line per failure, per-function counts, the functions pending for other modules, and last
// "N passed, M failed, K skipped". Exits non-zero on a failure or on a `function` it does not
// know. Skipped: cases with a `requires` tag (gated features) and the pending functions below.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "api/workload.h"
#include "base/time.h"
#include "controller/deployment_sync.h"
#include "controller/deployment_util.h"
#include "controller/endpoint_slices.h"
#include "manifest/yaml_reader.h"
#include "node/grace_period.h"
#include "node/probe_results.h"
#include "node/restart_backoff.h"
#include "proxy/routing/categorize.h"

namespace nodrop {
namespace {

using manifest::Node;
namespace ctl = controller;

#ifndef NODROP_K8S_VECTORS_DEFAULT
#define NODROP_K8S_VECTORS_DEFAULT "k8s-vectors.json"
#endif

// Functions owned by modules that do not exist yet, listed by name until they land (none now).
const std::vector<std::string>& pending_functions() {
  static const std::vector<std::string> names;
  return names;
}

// ---- reading the case ----------------------------------------------------------------------

struct CaseError {
  std::string message;
};

const Node& field(const Node& node, const std::string& key) {
  const Node* found = node.find(key);
  if (found == nullptr) throw CaseError{"missing field \"" + key + "\""};
  return *found;
}

bool has(const Node& node, const std::string& key) {
  const Node* found = node.find(key);
  return found != nullptr && !found->is_null();
}

// The items of a list field; a missing or null list reads as empty.
const std::vector<Node>& items(const Node& node, const std::string& key) {
  static const std::vector<Node> kEmpty;
  return has(node, key) ? field(node, key).items() : kEmpty;
}

std::int64_t integer(const Node& node) {
  if (node.type() != Node::Type::kInt) throw CaseError{"expected an integer, got " + node.render()};
  return node.int_value();
}

std::int32_t int32_field(const Node& node, const std::string& key, std::int32_t fallback = 0) {
  return has(node, key) ? static_cast<std::int32_t>(integer(field(node, key))) : fallback;
}

std::optional<api::IntOrString> int_or_string(const Node& node, const std::string& key) {
  if (!has(node, key)) return std::nullopt;
  const Node& value = field(node, key);
  if (value.type() == Node::Type::kString) return api::IntOrString::from_string(value.text());
  return api::IntOrString::from_int(static_cast<std::int32_t>(integer(value)));
}

// A timestamp; Go's zero time ("0001-01-01T00:00:00Z") and null read as unset.
std::optional<WallTime> timestamp(const Node& node, const std::string& key) {
  if (!has(node, key)) return std::nullopt;
  const std::string text = field(node, key).text();
  if (text.rfind("0001-01-01", 0) == 0) return std::nullopt;
  WallTime time;
  if (!parse_rfc3339(text, &time)) return std::nullopt;
  return time;
}

// "now": a timestamp, or a phrase such as "any time more than 60s after 2017-02-15T18:49:00Z"
// for tests that ran with the wall clock, read as that time plus a day plus the deadline.
WallTime now_of(const Node& inputs, std::int64_t deadline_seconds) {
  if (!has(inputs, "now")) return WallTime{} + std::chrono::hours(24 * 365 * 40);
  const std::string text = field(inputs, "now").text();
  WallTime time;
  if (parse_rfc3339(text, &time)) return time;
  std::smatch match;
  static const std::regex kStamp(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)");
  if (std::regex_search(text, match, kStamp) && parse_rfc3339(match.str(), &time)) {
    return time + std::chrono::hours(24) + std::chrono::seconds(deadline_seconds);
  }
  throw CaseError{"unreadable now: " + text};
}

api::Deployment deployment(const std::string& strategy, std::optional<std::int32_t> replicas,
                           std::optional<api::IntOrString> max_surge,
                           std::optional<api::IntOrString> max_unavailable) {
  api::Deployment d;
  d.metadata.name = "foo";
  d.metadata.uid = "deployment-uid";
  d.spec.replicas = replicas;
  d.spec.selector.match_labels["app"] = "foo";
  d.spec.template_spec.metadata.labels["app"] = "foo";
  if (strategy == "Recreate") {
    d.spec.strategy.type = api::DeploymentStrategyType::kRecreate;
  } else {
    d.spec.strategy.type = api::DeploymentStrategyType::kRollingUpdate;
    d.spec.strategy.rolling_update = api::RollingUpdateDeployment{max_unavailable, max_surge};
  }
  return d;
}

api::Deployment deployment_from(const Node& inputs, const std::string& replicas_key) {
  const std::string strategy =
      has(inputs, "strategy") ? field(inputs, "strategy").text() : "RollingUpdate";
  std::optional<std::int32_t> replicas;
  if (has(inputs, replicas_key)) replicas = int32_field(inputs, replicas_key);
  return deployment(strategy, replicas, int_or_string(inputs, "maxSurge"),
                    int_or_string(inputs, "maxUnavailable"));
}

int sequence_number = 0;

api::ReplicaSet replica_set(const std::string& name, std::int32_t spec_replicas) {
  api::ReplicaSet rs;
  rs.metadata.name = name.empty() ? "rs-" + std::to_string(++sequence_number) : name;
  rs.metadata.uid = rs.metadata.name + "-uid";
  // Later builders create later ReplicaSets unless the case says otherwise.
  rs.metadata.creation_timestamp = WallTime{} + std::chrono::seconds(++sequence_number);
  api::OwnerReference owner;
  owner.kind = "Deployment";
  owner.name = "foo";
  owner.uid = "deployment-uid";
  owner.controller = true;
  rs.metadata.owner_references.push_back(owner);
  rs.spec.replicas = spec_replicas;
  return rs;
}

// {name?, replicas|specReplicas, statusReplicas?, availableReplicas?, readyReplicas?, createdAt?,
//  creationTimestamp?, desiredReplicasAnnotation?, maxReplicasAnnotation?, revisionAnnotation?,
//  deletionTimestampSet?}
api::ReplicaSet replica_set_from(const Node& node) {
  const std::string name = has(node, "name") ? field(node, "name").text() : "";
  const std::int32_t spec =
      has(node, "specReplicas") ? int32_field(node, "specReplicas") : int32_field(node, "replicas");
  api::ReplicaSet rs = replica_set(name, spec);
  rs.status.replicas = int32_field(node, "statusReplicas");
  rs.status.available_replicas = int32_field(node, "availableReplicas");
  rs.status.ready_replicas = int32_field(node, "readyReplicas");
  for (const char* key : {"createdAt", "creationTimestamp"}) {
    if (has(node, key)) {
      const std::optional<WallTime> created = timestamp(node, key);
      // "all equal (zero)" and the like: every RS gets the same (zero) time.
      rs.metadata.creation_timestamp = created.value_or(WallTime{});
    }
  }
  if (has(node, "desiredReplicasAnnotation")) {
    rs.metadata.annotations[api::kDesiredReplicasAnnotation] =
        field(node, "desiredReplicasAnnotation").text();
  }
  if (has(node, "maxReplicasAnnotation")) {
    rs.metadata.annotations[api::kMaxReplicasAnnotation] =
        field(node, "maxReplicasAnnotation").text();
  }
  if (has(node, "revisionAnnotation")) {
    rs.metadata.annotations[api::kRevisionAnnotation] = field(node, "revisionAnnotation").text();
  }
  rs.metadata.generation = int32_field(node, "generation");
  rs.status.observed_generation = int32_field(node, "observedGeneration");
  if (has(node, "deletionTimestampSet") && field(node, "deletionTimestampSet").bool_value()) {
    rs.metadata.deletion_timestamp = WallTime{} + std::chrono::seconds(1);
  }
  return rs;
}

api::DeploymentStatus status_from(const Node& node) {
  api::DeploymentStatus status;
  status.replicas = int32_field(node, "replicas");
  status.updated_replicas = int32_field(node, "updatedReplicas");
  status.ready_replicas = int32_field(node, "readyReplicas");
  status.available_replicas = int32_field(node, "availableReplicas");
  status.observed_generation = int32_field(node, "observedGeneration");
  return status;
}

api::ConditionStatus condition_status(const std::string& text) {
  if (text == "True") return api::ConditionStatus::kTrue;
  if (text == "False") return api::ConditionStatus::kFalse;
  return api::ConditionStatus::kUnknown;
}

api::Condition condition_from(const Node& node) {
  api::Condition condition;
  condition.type = field(node, "type").text();
  condition.status = condition_status(field(node, "status").text());
  condition.reason = has(node, "reason") ? field(node, "reason").text() : "";
  condition.last_update_time = timestamp(node, "lastUpdateTime");
  condition.last_transition_time = timestamp(node, "lastTransitionTime");
  return condition;
}

std::vector<api::Condition> conditions_from(const Node& inputs, const std::string& key) {
  std::vector<api::Condition> conditions;
  if (!has(inputs, key)) return conditions;
  for (const Node& item : field(inputs, key).items()) conditions.push_back(condition_from(item));
  return conditions;
}

std::optional<std::int32_t> optional_int(const Node& inputs, const std::string& key) {
  if (!has(inputs, key)) return std::nullopt;
  return int32_field(inputs, key);
}

// ---- comparing --------------------------------------------------------------------------------

struct Mismatch {
  std::vector<std::string> lines;
  void expect_int(const std::string& what, std::int64_t expected, std::int64_t actual) {
    if (expected != actual) {
      lines.push_back(what + ": expected " + std::to_string(expected) + ", got " +
                      std::to_string(actual));
    }
  }
  void expect_bool(const std::string& what, bool expected, bool actual) {
    if (expected != actual) {
      lines.push_back(what + ": expected " + (expected ? "true" : "false") + ", got " +
                      (actual ? "true" : "false"));
    }
  }
  void expect_text(const std::string& what, const std::string& expected,
                   const std::string& actual) {
    if (expected != actual) {
      lines.push_back(what + ": expected \"" + expected + "\", got \"" + actual + "\"");
    }
  }
};

using Adapter = std::function<void(const Node& inputs, const Node& expected, Mismatch& out)>;

// ---- adapters ---------------------------------------------------------------------------------

void resolve_fenceposts_case(const Node& in, const Node& want, Mismatch& out) {
  const Result<ctl::Fenceposts> posts =
      ctl::resolve_fenceposts(int_or_string(in, "maxSurge"), int_or_string(in, "maxUnavailable"),
                              int32_field(in, "desired"));
  const bool expect_error = has(want, "error") && field(want, "error").bool_value();
  out.expect_bool("error", expect_error, !posts.is_ok());
  if (posts.is_ok() && !expect_error) {
    out.expect_int("surge", integer(field(want, "surge")), posts->surge);
    out.expect_int("unavailable", integer(field(want, "unavailable")), posts->unavailable);
  }
}

void new_rs_new_replicas_case(const Node& in, const Node& want, Mismatch& out) {
  const api::Deployment d = deployment_from(in, "deploymentReplicas");
  const api::ReplicaSet new_rs = replica_set("new", int32_field(in, "newRSReplicas"));
  std::vector<api::ReplicaSet> others;
  for (const Node& item : items(in, "allRSsSpecReplicas")) {
    others.push_back(replica_set("", static_cast<std::int32_t>(integer(item))));
  }
  std::vector<const api::ReplicaSet*> all;
  for (const api::ReplicaSet& rs : others) all.push_back(&rs);
  const Result<std::int32_t> result = ctl::new_rs_new_replicas(d, all, new_rs);
  if (!result.is_ok()) {
    out.lines.push_back("error: " + result.status().to_string());
    return;
  }
  out.expect_int("newRSReplicas", integer(field(want, "newRSReplicas")), *result);
}

void max_unavailable_case(const Node& in, const Node& want, Mismatch& out) {
  out.expect_int("value", integer(field(want, "value")),
                 ctl::max_unavailable(deployment_from(in, "replicas")));
}

void min_available_case(const Node& in, const Node& want, Mismatch& out) {
  out.expect_int("value", integer(field(want, "value")),
                 ctl::min_available(deployment_from(in, "replicas")));
}

void replica_set_fraction_case(const Node& in, const Node& want, Mismatch& out) {
  api::Deployment d = deployment_from(in, "deploymentReplicas");
  d.status.replicas = int32_field(in, "deploymentStatusReplicas");
  api::ReplicaSet rs = replica_set("rs", int32_field(in, "rsReplicas"));
  if (has(in, "rsMaxReplicasAnnotation")) {
    rs.metadata.annotations[api::kMaxReplicasAnnotation] =
        field(in, "rsMaxReplicasAnnotation").text();
  }
  out.expect_int("fraction", integer(field(want, "fraction")), ctl::replica_set_fraction(rs, d));
}

ctl::SyncState state_for(const api::Deployment& d) {
  ctl::SyncState state;
  state.deployment = d;
  state.now = WallTime{} + std::chrono::hours(24 * 365 * 40);
  return state;
}

void reconcile_new_case(const Node& in, const Node& want, Mismatch& out) {
  ctl::SyncState state = state_for(deployment_from(in, "deploymentReplicas"));
  state.replica_sets.push_back(replica_set("old", int32_field(in, "oldRSReplicas")));
  state.replica_sets.push_back(replica_set("new", int32_field(in, "newRSReplicas")));
  const Result<bool> scaled = ctl::reconcile_new_replica_set(state, {0, 1}, 1);
  if (!scaled.is_ok()) {
    out.lines.push_back("error: " + scaled.status().to_string());
    return;
  }
  out.expect_bool("scaled", field(want, "scaled").bool_value(), *scaled);
  if (has(want, "newRSReplicas")) {
    out.expect_int("newRSReplicas", integer(field(want, "newRSReplicas")),
                   ctl::spec_replicas(state.replica_sets[1]));
  }
}

void reconcile_old_case(const Node& in, const Node& want, Mismatch& out) {
  ctl::SyncState state = state_for(deployment_from(in, "deploymentReplicas"));
  state.replica_sets.push_back(replica_set_from(field(in, "oldRS")));
  state.replica_sets.push_back(replica_set_from(field(in, "newRS")));
  const Result<bool> scaled =
      ctl::reconcile_old_replica_sets(state, {0, 1}, ctl::filter_active(state, {0}), 1);
  if (!scaled.is_ok()) {
    out.lines.push_back("error: " + scaled.status().to_string());
    return;
  }
  out.expect_bool("scaled", field(want, "scaled").bool_value(), *scaled);
  if (has(want, "oldRSReplicasAfter")) {
    out.expect_int("oldRSReplicasAfter", integer(field(want, "oldRSReplicasAfter")),
                   ctl::spec_replicas(state.replica_sets[0]));
  }
}

void expect_replicas_after(const Node& want, const std::string& key, const ctl::SyncState& state,
                           const std::vector<std::size_t>& indices, Mismatch& out) {
  if (!has(want, key)) return;
  const Node& expected = field(want, key);
  if (expected.is_sequence()) {
    for (std::size_t i = 0; i < expected.items().size() && i < indices.size(); ++i) {
      out.expect_int(key + "[" + std::to_string(i) + "]", integer(expected.items()[i]),
                     ctl::spec_replicas(state.replica_sets[indices[i]]));
    }
  } else {
    out.expect_int(key, integer(expected), ctl::spec_replicas(state.replica_sets[indices.front()]));
  }
}

void cleanup_unhealthy_case(const Node& in, const Node& want, Mismatch& out) {
  ctl::SyncState state = state_for(deployment_from(in, "deploymentReplicas"));
  std::vector<std::size_t> old;
  for (const Node& item : items(in, "oldRSs")) {
    state.replica_sets.push_back(replica_set_from(item));
    old.push_back(state.replica_sets.size() - 1);
  }
  const std::vector<std::size_t> order = old;
  const Result<std::int32_t> count =
      ctl::cleanup_unhealthy_replicas(state, old, int32_field(in, "maxCleanupCount"));
  if (!count.is_ok()) {
    out.lines.push_back("error: " + count.status().to_string());
    return;
  }
  out.expect_int("cleanupCount", integer(field(want, "cleanupCount")), *count);
  expect_replicas_after(want, "oldRSReplicasAfter", state, order, out);
}

void scale_down_old_case(const Node& in, const Node& want, Mismatch& out) {
  ctl::SyncState state = state_for(deployment_from(in, "deploymentReplicas"));
  // The cases pass the same objects as allRSs and oldRSs; the function reads availability from
  // allRSs and scales oldRSs, so separate copies behave alike.
  std::vector<std::size_t> all;
  std::vector<std::size_t> old;
  for (const Node& item : items(in, "allRSs")) {
    state.replica_sets.push_back(replica_set_from(item));
    all.push_back(state.replica_sets.size() - 1);
  }
  for (const Node& item : items(in, "oldRSs")) {
    state.replica_sets.push_back(replica_set_from(item));
    old.push_back(state.replica_sets.size() - 1);
  }
  const Result<std::int32_t> count =
      ctl::scale_down_old_replica_sets_for_rolling_update(state, all, old);
  if (!count.is_ok()) {
    out.lines.push_back("error: " + count.status().to_string());
    return;
  }
  out.expect_int("scaledDownCount", integer(field(want, "scaledDownCount")), *count);
  expect_replicas_after(want, "oldRSReplicasAfter", state, old, out);
}

void scale_case(const Node& in, const Node& want, Mismatch& out) {
  const Node& d_in = field(in, "deployment");
  api::Deployment d = deployment_from(d_in, "replicas");
  d.status.replicas = int32_field(in, "deploymentStatusReplicas");
  ctl::SyncState state = state_for(d);
  ctl::ReplicaSetGroups groups;
  if (has(in, "newRS")) {
    state.replica_sets.push_back(replica_set_from(field(in, "newRS")));
    groups.new_rs = state.replica_sets.size() - 1;
  }
  for (const Node& item : items(in, "oldRSs")) {
    state.replica_sets.push_back(replica_set_from(item));
    groups.old.push_back(state.replica_sets.size() - 1);
  }
  ctl::scale(state, groups);
  for (const Node::Entry& entry : field(want, "replicasAfter").entries()) {
    bool found = false;
    for (const api::ReplicaSet& rs : state.replica_sets) {
      if (rs.metadata.name != entry.key) continue;
      found = true;
      out.expect_int(entry.key, integer(entry.value), ctl::spec_replicas(rs));
    }
    if (!found) out.lines.push_back("no replica set named " + entry.key);
  }
}

void deployment_complete_case(const Node& in, const Node& want, Mismatch& out) {
  api::Deployment d =
      deployment("RollingUpdate", int32_field(in, "specReplicas"), int_or_string(in, "maxSurge"),
                 int_or_string(in, "maxUnavailable"));
  d.metadata.generation = int32_field(in, "generation");
  out.expect_bool("complete", field(want, "complete").bool_value(),
                  ctl::deployment_complete(d, status_from(field(in, "status"))));
}

void deployment_progressing_case(const Node& in, const Node& want, Mismatch& out) {
  api::Deployment d = deployment("RollingUpdate", 1, std::nullopt, std::nullopt);
  d.status = status_from(field(in, "currentStatus"));
  out.expect_bool("progressing", field(want, "progressing").bool_value(),
                  ctl::deployment_progressing(d, status_from(field(in, "newStatus"))));
}

void deployment_timed_out_case(const Node& in, const Node& want, Mismatch& out) {
  api::Deployment d = deployment("RollingUpdate", 1, std::nullopt, std::nullopt);
  d.spec.progress_deadline_seconds = optional_int(in, "progressDeadlineSeconds");
  api::DeploymentStatus status;
  if (has(in, "progressingCondition")) {
    status.conditions.push_back(condition_from(field(in, "progressingCondition")));
  }
  out.expect_bool("timedOut", field(want, "timedOut").bool_value(),
                  ctl::deployment_timed_out(d, status, now_of(in, 0)));
}

void requeue_stuck_case(const Node& in, const Node& want, Mismatch& out) {
  api::Deployment d =
      deployment("RollingUpdate", int32_field(in, "specReplicas"), std::nullopt, std::nullopt);
  d.spec.progress_deadline_seconds = optional_int(in, "progressDeadlineSeconds");
  d.status.conditions = conditions_from(in, "currentConditions");
  const ctl::StuckDeploymentCheck check =
      ctl::requeue_stuck_deployment(d, status_from(field(in, "newStatus")), now_of(in, 0));
  double seconds = -1;
  switch (check.kind) {
    case ctl::RequeueKind::kNone:
      seconds = -1;
      break;
    case ctl::RequeueKind::kRateLimited:
      seconds = 0;
      break;
    case ctl::RequeueKind::kAfter:
      seconds = std::chrono::duration<double>(check.remaining).count();
      break;
  }
  const Node& expected = field(want, "requeueAfterSeconds");
  const double expected_seconds = expected.type() == Node::Type::kFloat
                                      ? expected.float_value()
                                      : static_cast<double>(integer(expected));
  if (expected_seconds != seconds) {
    out.lines.push_back("requeueAfterSeconds: expected " + expected.render() + ", got " +
                        std::to_string(seconds));
  }
}

void sync_rollout_status_case(const Node& in, const Node& want, Mismatch& out) {
  api::Deployment d = deployment("RollingUpdate", int32_field(in, "specReplicas"),
                                 api::IntOrString::from_int(0), api::IntOrString::from_int(1));
  d.metadata.generation = int32_field(in, "generation");
  const std::optional<std::int32_t> deadline = optional_int(in, "progressDeadlineSeconds");
  d.spec.progress_deadline_seconds = deadline;
  d.status = status_from(field(in, "currentStatus"));
  d.status.conditions = conditions_from(in, "currentConditions");
  ctl::SyncState state = state_for(d);
  state.now = now_of(in, deadline.value_or(0));
  std::vector<api::ReplicaSet> all;
  for (const Node& item : items(in, "oldRSs")) all.push_back(replica_set_from(item));
  if (has(in, "newRS")) all.push_back(replica_set_from(field(in, "newRS")));
  const api::ReplicaSet* new_rs = has(in, "newRS") ? &all.back() : nullptr;
  ctl::sync_rollout_status(state, all, new_rs);
  const api::Condition* progressing =
      ctl::deployment_condition(state.deployment.status, ctl::kDeploymentProgressing);
  if (!has(want, "progressingCondition")) {
    if (progressing != nullptr) {
      out.lines.push_back("progressingCondition: expected none, got " + progressing->reason);
    }
    return;
  }
  const Node& expected = field(want, "progressingCondition");
  if (progressing == nullptr) {
    out.lines.push_back("progressingCondition: expected one, got none");
    return;
  }
  out.expect_text("status", field(expected, "status").text(),
                  api::condition_status_name(progressing->status));
  out.expect_text("reason", field(expected, "reason").text(), progressing->reason);
}

void cleanup_deployment_case(const Node& in, const Node& want, Mismatch& out) {
  api::Deployment d = deployment("RollingUpdate", 1, std::nullopt, std::nullopt);
  d.spec.revision_history_limit = optional_int(in, "revisionHistoryLimit");
  ctl::SyncState state = state_for(d);
  std::vector<std::size_t> old;
  for (const Node& item : items(in, "oldRSs")) {
    state.replica_sets.push_back(replica_set_from(item));
    old.push_back(state.replica_sets.size() - 1);
  }
  ctl::cleanup_deployment(state, old);
  std::vector<std::string> deleted;
  for (const ctl::DeploymentAction& action : state.plan.actions) {
    if (action.type == ctl::DeploymentActionType::kDeleteReplicaSet) {
      deleted.push_back(action.replica_set.metadata.name);
    }
  }
  if (has(want, "deletions")) {
    out.expect_int("deletions", integer(field(want, "deletions")),
                   static_cast<std::int64_t>(deleted.size()));
  }
  if (has(want, "deletedRSs")) {
    std::vector<std::string> expected;
    for (const Node& item : items(want, "deletedRSs")) expected.push_back(item.text());
    std::string expected_text;
    std::string actual_text;
    for (const std::string& name : expected) expected_text += name + ",";
    for (const std::string& name : deleted) actual_text += name + ",";
    out.expect_text("deletedRSs", expected_text, actual_text);
  }
}

api::PodPhase phase_of(const std::string& text) {
  if (text == "Running") return api::PodPhase::kRunning;
  if (text == "Succeeded") return api::PodPhase::kSucceeded;
  if (text == "Failed") return api::PodPhase::kFailed;
  if (text == "Unknown") return api::PodPhase::kUnknown;
  return api::PodPhase::kPending;  // "Pending" and "" (unset)
}

void old_pods_running_case(const Node& in, const Node& want, Mismatch& out) {
  std::optional<api::ReplicaSet> new_rs;
  if (has(in, "newRS")) {
    const Node& node = field(in, "newRS");
    new_rs = replica_set("new", 0);
    if (node.type() == Node::Type::kString) {
      new_rs->metadata.uid = node.text();
    } else if (has(node, "uid")) {
      new_rs->metadata.uid = field(node, "uid").text();
    }
  }
  std::vector<api::ReplicaSet> old;
  for (const Node& item : items(in, "oldRSsStatusReplicas")) {
    api::ReplicaSet rs = replica_set("", 0);
    rs.status.replicas = static_cast<std::int32_t>(integer(item));
    old.push_back(rs);
  }
  std::vector<const api::ReplicaSet*> old_view;
  for (const api::ReplicaSet& rs : old) old_view.push_back(&rs);
  std::vector<api::Pod> pods;
  std::map<std::string, std::vector<std::size_t>> indices;
  const Node empty_map = Node::mapping();
  const Node& phases = has(in, "podPhasesByOwnerRS") ? field(in, "podPhasesByOwnerRS") : empty_map;
  for (const Node::Entry& entry : phases.entries()) {
    indices[entry.key];
    for (const Node& phase : entry.value.items()) {
      api::Pod pod;
      pod.status.phase = phase_of(phase.text());
      pods.push_back(pod);
      indices[entry.key].push_back(pods.size() - 1);
    }
  }
  std::map<std::string, std::vector<const api::Pod*>> by_uid;
  for (const auto& [uid, list] : indices) {
    by_uid[uid];
    for (const std::size_t index : list) by_uid[uid].push_back(&pods[index]);
  }
  out.expect_bool("oldPodsRunning", field(want, "oldPodsRunning").bool_value(),
                  ctl::old_pods_running(new_rs ? &*new_rs : nullptr, old_view, by_uid));
}

void set_new_rs_annotations_case(const Node& in, const Node& want, Mismatch& out) {
  api::Deployment d = deployment("RollingUpdate", 1, std::nullopt, std::nullopt);
  if (has(in, "deploymentRevisionAnnotation")) {
    d.metadata.annotations[api::kRevisionAnnotation] =
        field(in, "deploymentRevisionAnnotation").text();
  }
  api::ReplicaSet rs = replica_set("rs", 1);
  if (has(in, "initialRSAnnotations")) {
    for (const Node::Entry& entry : field(in, "initialRSAnnotations").entries()) {
      rs.metadata.annotations[entry.key] = entry.value.text();
    }
  }
  const bool exists = !has(in, "exists") || field(in, "exists").bool_value();
  const auto limit = static_cast<std::size_t>(integer(field(in, "revHistoryLimitInChars")));
  const std::vector<Node>& steps = items(in, "steps");
  const std::vector<Node>& expected = items(want, "afterEachStep");
  for (std::size_t i = 0; i < steps.size() && i < expected.size(); ++i) {
    const std::string revision = steps[i].text();
    ctl::set_new_replica_set_annotations(d, rs, revision, exists, limit);
    const Node& step = expected[i];
    const std::string where = "step " + std::to_string(i + 1) + " ";
    if (has(step, "expectRevision")) {
      out.expect_text(where + "revision", field(step, "expectRevision").text(),
                      rs.metadata.annotations[api::kRevisionAnnotation]);
    }
    if (has(step, "expectRevisionHistory")) {
      out.expect_text(where + "revision-history", field(step, "expectRevisionHistory").text(),
                      rs.metadata.annotations[api::kRevisionHistoryAnnotation]);
    }
  }
}

void replicas_annotations_need_update_case(const Node& in, const Node& want, Mismatch& out) {
  api::ReplicaSet rs = replica_set("rs", 1);
  if (has(in, "rsAnnotations")) {
    for (const Node::Entry& entry : field(in, "rsAnnotations").entries()) {
      rs.metadata.annotations[entry.key] = entry.value.text();
    }
  }
  out.expect_bool("needUpdate", field(want, "needUpdate").bool_value(),
                  ctl::replicas_annotations_need_update(rs, int32_field(in, "desiredReplicas"),
                                                        int32_field(in, "maxReplicas")));
}

// ---- kubelet: probe workers, kill grace periods, restart backoff -------------------------------

node::ProbeType probe_type(const Node& in) {
  const std::string type = field(in, "probeType").text();
  if (type == "liveness") return node::ProbeType::kLiveness;
  if (type == "readiness") return node::ProbeType::kReadiness;
  if (type == "startup") return node::ProbeType::kStartup;
  throw CaseError{"unknown probeType " + type};
}

runtime::ProbeResult raw_result(const std::string& text) {
  if (text.find("Success") != std::string::npos) return runtime::ProbeResult::kSuccess;
  if (text.find("Failure") != std::string::npos) return runtime::ProbeResult::kFailure;
  if (text.find("Warning") != std::string::npos) return runtime::ProbeResult::kWarning;
  throw CaseError{"no probe result in \"" + text + "\""};
}

// A new worker that has just seen its container, as worker.go's doProbe does on a new ID.
node::ProbeResults new_probe_worker(const Node& in) {
  node::ProbeResults results(probe_type(in), int32_field(in, "successThreshold", 1),
                             int32_field(in, "failureThreshold", 3));
  results.new_container();
  return results;
}

void probe_thresholds_case(const Node& in, const Node& want, Mismatch& out) {
  if (has(in, "containerRunning") && !field(in, "containerRunning").bool_value()) {
    throw CaseError{"only running containers are modelled by this case shape"};
  }
  node::ProbeResults results = new_probe_worker(in);
  const auto& raws = items(in, "rawProbeResults");
  const auto& stored = items(want, "storedResultAfterEachProbe");
  const auto& runs = items(want, "resultRunAfterEachProbe");
  for (std::size_t i = 0; i < raws.size(); ++i) {
    results.record(raw_result(raws[i].text()));
    const std::string at = "after probe " + std::to_string(i + 1);
    if (i < stored.size()) {
      out.expect_text("stored " + at, stored[i].text(), node::stored_result_name(results.stored()));
    }
    if (i < runs.size()) out.expect_int("resultRun " + at, integer(runs[i]), results.result_run());
  }
}

void probe_on_hold_case(const Node& in, const Node& want, Mismatch& out) {
  node::ProbeResults results = new_probe_worker(in);
  const auto& events = items(in, "events");
  const auto& stored = items(want, "storedResultAfterEachEvent");
  const auto& executed = items(want, "probeExecutedForEachEvent");
  const auto& on_hold = items(want, "onHoldAfterEachEvent");
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::string& event = events[i].text();
    bool probed = false;
    if (event.find("new container ID") != std::string::npos) {
      results.new_container();
    } else if (!results.on_hold()) {  // doProbe skips while on hold
      results.record(raw_result(event));
      probed = true;
    }
    const std::string at = "after event " + std::to_string(i + 1) + " (" + event + ")";
    if (i < stored.size()) {
      out.expect_text("stored " + at, stored[i].text(), node::stored_result_name(results.stored()));
    }
    if (i < executed.size()) out.expect_bool("probed " + at, executed[i].bool_value(), probed);
    if (i < on_hold.size())
      out.expect_bool("on hold " + at, on_hold[i].bool_value(), results.on_hold());
  }
}

void probe_initial_delay_case(const Node& in, const Node& want, Mismatch& out) {
  node::ProbeResults results = new_probe_worker(in);
  const std::int32_t delay = int32_field(in, "initialDelaySeconds");
  const runtime::ProbeResult raw = raw_result(field(in, "rawProbeResult").text());
  const auto& calls = items(in, "calls");
  const auto& stored = items(want, "storedResultAfterEachCall");
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const auto running_for =
        std::chrono::seconds(integer(field(calls[i], "secondsSinceContainerStartedAt")));
    if (!node::within_initial_delay(running_for, delay)) results.record(raw);
    if (i < stored.size()) {
      out.expect_text("stored after call " + std::to_string(i + 1), stored[i].text(),
                      node::stored_result_name(results.stored()));
    }
  }
}

std::optional<std::int64_t> optional_int64(const Node& node, const std::string& key) {
  if (!has(node, key)) return std::nullopt;
  return integer(field(node, key));
}

void kill_grace_period_case(const Node& in, const Node& want, Mismatch& out) {
  // The pod exactly as the test builds it: no API defaulting, so an unset grace stays unset.
  api::Pod pod;
  pod.metadata.deletion_grace_period_seconds = optional_int64(in, "podDeletionGracePeriodSeconds");
  pod.spec.termination_grace_period_seconds =
      optional_int64(in, "podTerminationGracePeriodSeconds");
  api::Container container;
  container.name = "foo";
  container.startup_probe = api::Probe{};
  container.startup_probe->termination_grace_period_seconds =
      optional_int64(in, "startupProbeTerminationGracePeriodSeconds");
  container.liveness_probe = api::Probe{};
  container.liveness_probe->termination_grace_period_seconds =
      optional_int64(in, "livenessProbeTerminationGracePeriodSeconds");
  pod.spec.containers.push_back(container);
  const std::string reason_text = field(in, "killReason").text();
  node::KillReason reason = node::KillReason::kPodDeletion;  // "Unknown" and any other reason
  if (reason_text == "LivenessProbe") reason = node::KillReason::kLivenessProbe;
  if (reason_text == "StartupProbe") reason = node::KillReason::kStartupProbe;
  out.expect_int("gracePeriodSeconds", integer(field(want, "gracePeriodSeconds")),
                 node::kill_grace_period_seconds(pod, pod.spec.containers[0], reason));
}

// ---- EndpointSlices and kube-proxy (controller/endpoint_slices.h, proxy/routing/categorize.h) --

void should_pod_be_in_endpoints_case(const Node& in, const Node& want, Mismatch& out) {
  api::Pod pod;
  if (has(in, "restartPolicy")) pod.spec.restart_policy = field(in, "restartPolicy").text();
  const std::string phase = field(in, "phase").text();
  pod.status.phase = phase == "Succeeded" ? api::PodPhase::kSucceeded
                     : phase == "Failed"  ? api::PodPhase::kFailed
                     : phase == "Pending" ? api::PodPhase::kPending
                                          : api::PodPhase::kRunning;
  if (integer(field(in, "podIPCount")) > 0) pod.status.pod_ip = "127.0.2.1";
  if (field(in, "deletionTimestampSet").bool_value()) pod.metadata.deletion_timestamp = WallTime{};
  out.expect_bool(
      "include", field(want, "include").bool_value(),
      ctl::should_pod_be_in_endpoints(pod, field(in, "includeTerminating").bool_value()));
}

void pod_to_endpoint_case(const Node& in, const Node& want, Mismatch& out) {
  api::Pod pod;
  pod.status.pod_ip = "127.0.2.1";
  api::Condition ready;
  ready.type = api::kPodReady;
  ready.status = field(in, "podReadyCondition").bool_value() ? api::ConditionStatus::kTrue
                                                             : api::ConditionStatus::kFalse;
  pod.status.conditions.push_back(ready);
  if (field(in, "podDeletionTimestampSet").bool_value()) {
    pod.metadata.deletion_timestamp = WallTime{};
  }
  api::Service service;
  service.spec.publish_not_ready_addresses =
      field(in, "servicePublishNotReadyAddresses").bool_value();
  const api::Endpoint endpoint = ctl::pod_to_endpoint(pod, service);
  out.expect_bool("ready", field(want, "ready").bool_value(), endpoint.conditions.ready.value());
  out.expect_bool("serving", field(want, "serving").bool_value(),
                  endpoint.conditions.serving.value());
  out.expect_bool("terminating", field(want, "terminating").bool_value(),
                  endpoint.conditions.terminating.value());
}

void categorize_endpoints_case(const Node& in, const Node& want, Mismatch& out) {
  const Node& service = field(in, "service");
  const bool internal_local = field(service, "internalTrafficPolicyLocal").bool_value();
  const bool external_local = field(service, "externalTrafficPolicyLocal").bool_value();
  const bool accessible = field(service, "externallyAccessible").bool_value();
  const bool uses_cluster = !internal_local || accessible;
  const bool uses_local = internal_local || (external_local && accessible);
  std::vector<proxy::Endpoint> endpoints;
  std::vector<std::string> names;
  for (const Node& item : items(in, "endpoints")) {
    proxy::Endpoint endpoint;
    const std::string name = field(item, "endpoint").text();
    const Result<Ipv4Endpoint> address = parse_ipv4_endpoint(name);
    if (!address) throw CaseError{"unreadable endpoint " + name};
    endpoint.address = *address;
    endpoint.ready = field(item, "ready").bool_value();
    endpoint.serving = field(item, "serving").bool_value();
    endpoint.terminating = field(item, "terminating").bool_value();
    endpoint.node_name = field(item, "isLocal").bool_value() ? "this-node" : "another-node";
    endpoints.push_back(endpoint);
    names.push_back(name);
  }
  // The endpoints a proxy with this policy may pick, in the input's order.
  const auto pickable = [&](bool cluster, bool local) {
    const std::vector<proxy::EndpointState> states =
        proxy::categorize_endpoints(endpoints, {cluster, local, "this-node"});
    std::vector<std::string> picked;
    for (std::size_t i = 0; i < states.size(); ++i) {
      if (states[i] != proxy::EndpointState::kDraining) picked.push_back(names[i]);
    }
    return picked;
  };
  const auto expect_list = [&](const std::string& what, bool used,
                               const std::vector<std::string>& actual) {
    const Node& expected = field(want, what);
    if (expected.is_null() || !used) {
      out.expect_bool(what + " is null (the category is not used)", expected.is_null(), !used);
      return;
    }
    std::string wanted;
    std::string got;
    for (const Node& item : expected.items()) wanted += item.text() + " ";
    for (const std::string& name : actual) got += name + " ";
    out.expect_text(what, wanted, got);
  };
  expect_list("clusterEndpoints", uses_cluster, pickable(true, false));
  expect_list("localEndpoints", uses_local, pickable(false, true));
  expect_list("allReachableEndpoints", true, pickable(uses_cluster, uses_local));
  // topology.go: hasAnyEndpoints is the cluster category's, or any ready or serving-terminating
  // endpoint when the local category is used.
  bool has_any = uses_cluster && !pickable(true, false).empty();
  if (uses_local) {
    for (const proxy::Endpoint& endpoint : endpoints) {
      if (endpoint.ready || (endpoint.serving && endpoint.terminating)) has_any = true;
    }
  }
  out.expect_bool("hasAnyEndpoints", field(want, "hasAnyEndpoints").bool_value(), has_any);
}

runtime::Duration go_duration(const Node& node, const std::string& key) {
  static const std::regex kSeconds(R"((\d+)s)");
  std::smatch match;
  const std::string text = field(node, key).text();
  if (!std::regex_match(text, match, kSeconds)) throw CaseError{"unreadable duration " + text};
  return std::chrono::seconds(std::stoll(match[1].str()));
}

void backoff_get_before_next_case(const Node& in, const Node& want, Mismatch& out) {
  node::RestartBackoff backoff(go_duration(in, "initial"), go_duration(in, "max"));
  const runtime::Duration step = go_duration(in, "stepBetweenNextCalls");
  const auto& expected = items(want, "getBeforeEachNextSeconds");
  runtime::Time now{};
  for (std::int64_t call = 0; call < integer(field(in, "calls")); ++call) {
    if (static_cast<std::size_t>(call) < expected.size()) {
      out.expect_int("Get before Next " + std::to_string(call + 1), integer(expected[call]),
                     std::chrono::duration_cast<std::chrono::seconds>(backoff.get("id")).count());
    }
    backoff.next("id", now, now);
    now += step;
  }
}

void backoff_reset_case(const Node& in, const Node& want, Mismatch& out) {
  node::RestartBackoff backoff(go_duration(in, "initial"), go_duration(in, "max"));
  static const std::regex kCalls(R"((\d+) calls, (\d+)s apart)");
  std::smatch match;
  const std::string calls_text = field(in, "nextCalls").text();
  if (!std::regex_search(calls_text, match, kCalls))
    throw CaseError{"unreadable nextCalls " + calls_text};
  const auto step = std::chrono::seconds(std::stoll(match[2].str()));
  runtime::Time now{};
  for (int call = 0; call < std::stoi(match[1].str()); ++call) {
    now += step;  // the test steps the clock before each Next
    backoff.next("id", now, now);
  }
  const runtime::Time last_update = now;
  out.expect_bool("inBackOff before advance", field(want, "inBackOffBeforeAdvance").bool_value(),
                  backoff.in_backoff_since("id", last_update, now));
  now += go_duration(in, "thenAdvance");
  out.expect_bool("inBackOff after advance", field(want, "inBackOffAfterAdvance").bool_value(),
                  backoff.in_backoff_since("id", last_update, now));
}

const std::map<std::string, Adapter>& adapters() {
  static const std::map<std::string, Adapter> table = {
      {"ResolveFenceposts", resolve_fenceposts_case},
      {"NewRSNewReplicas", new_rs_new_replicas_case},
      {"MaxUnavailable", max_unavailable_case},
      {"MinAvailable", min_available_case},
      {"getReplicaSetFraction", replica_set_fraction_case},
      {"reconcileNewReplicaSet", reconcile_new_case},
      {"reconcileOldReplicaSets", reconcile_old_case},
      {"cleanupUnhealthyReplicas", cleanup_unhealthy_case},
      {"scaleDownOldReplicaSetsForRollingUpdate", scale_down_old_case},
      {"scale (proportional scaling; DeploymentController.scale)", scale_case},
      {"scale (proportional scaling)", scale_case},
      {"DeploymentComplete", deployment_complete_case},
      {"DeploymentProgressing", deployment_progressing_case},
      {"DeploymentTimedOut", deployment_timed_out_case},
      {"requeueStuckDeployment", requeue_stuck_case},
      {"syncRolloutStatus (Progressing condition)", sync_rollout_status_case},
      {"cleanupDeployment", cleanup_deployment_case},
      {"oldPodsRunning (Recreate strategy gate)", old_pods_running_case},
      {"SetNewReplicaSetAnnotations (revision + revision-history)", set_new_rs_annotations_case},
      {"ReplicasAnnotationsNeedUpdate", replicas_annotations_need_update_case},
      {"prober worker doProbe (threshold state machine)", probe_thresholds_case},
      {"prober worker doProbe (on-hold after liveness/startup failure)", probe_on_hold_case},
      {"prober worker doProbe (initialDelaySeconds)", probe_initial_delay_case},
      {"setTerminationGracePeriod (kubelet killContainer)", kill_grace_period_case},
      {"flowcontrol.Backoff (Get before each Next, Next called every 1s)",
       backoff_get_before_next_case},
      {"flowcontrol.Backoff (reset after 2*max without update)", backoff_reset_case},
      {"ShouldPodBeInEndpoints", should_pod_be_in_endpoints_case},
      {"podToEndpoint (EndpointSlice endpoint conditions)", pod_to_endpoint_case},
      {"CategorizeEndpoints (kube-proxy endpoint selection)", categorize_endpoints_case},
  };
  return table;
}

struct Counts {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
};

int run(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    std::printf("cannot read %s\n", path.c_str());
    return 2;
  }
  std::stringstream text;
  text << file.rdbuf();
  const manifest::YamlDocuments documents = manifest::read_yaml_stream(text.str());
  if (!documents.is_ok() || documents->size() != 1 || !(*documents)[0].root.is_sequence()) {
    std::printf("%s: not a JSON array of cases: %s\n", path.c_str(),
                documents.is_ok() ? "not one array" : documents.error().describe().c_str());
    return 2;
  }
  const std::set<std::string> pending(pending_functions().begin(), pending_functions().end());
  std::map<std::string, Counts> per_function;
  Counts total;
  int unknown = 0;
  for (const Node& item : (*documents)[0].root.items()) {
    const std::string function = has(item, "function") ? field(item, "function").text() : "";
    const std::string source = has(item, "source") ? field(item, "source").text() : "";
    Counts& counts = per_function[function];
    const auto adapter = adapters().find(function);
    if (has(item, "requires") || pending.count(function) > 0) {
      ++counts.skipped;
      ++total.skipped;
      continue;
    }
    if (adapter == adapters().end()) {
      std::printf("UNKNOWN function \"%s\" (%s)\n", function.c_str(), source.c_str());
      ++unknown;
      ++counts.failed;
      ++total.failed;
      continue;
    }
    Mismatch mismatch;
    try {
      adapter->second(field(item, "inputs"), field(item, "expected"), mismatch);
    } catch (const CaseError& error) {
      mismatch.lines.push_back("unreadable case: " + error.message);
    }
    if (mismatch.lines.empty()) {
      ++counts.passed;
      ++total.passed;
    } else {
      ++counts.failed;
      ++total.failed;
      std::printf("FAIL %s\n", source.c_str());
      for (const std::string& line : mismatch.lines) std::printf("     %s\n", line.c_str());
    }
  }
  for (const auto& [function, counts] : per_function) {
    std::printf("%-62s %3d passed, %d failed, %d skipped\n", function.c_str(), counts.passed,
                counts.failed, counts.skipped);
  }
  if (!pending_functions().empty()) std::printf("pending (skipped):\n");
  for (const std::string& name : pending_functions()) std::printf("  %s\n", name.c_str());
  if (unknown > 0) std::printf("%d cases name a function this harness does not know\n", unknown);
  std::printf("%d passed, %d failed, %d skipped\n", total.passed, total.failed, total.skipped);
  return total.failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace nodrop

int main() {
  const char* from_env = std::getenv("NODROP_K8S_VECTORS");
  const std::string path =
      from_env != nullptr && *from_env != '\0' ? from_env : NODROP_K8S_VECTORS_DEFAULT;
  return nodrop::run(path);
}
