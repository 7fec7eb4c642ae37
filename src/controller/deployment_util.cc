#include "controller/deployment_util.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace nodrop::controller {
namespace {

std::optional<std::int64_t> parse_int64(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (*begin == '+') ++begin;  // strconv.ParseInt accepts a sign
  std::int64_t value = 0;
  const auto [stop, error] = std::from_chars(begin, end, value);
  if (error != std::errc() || stop != end) return std::nullopt;
  return value;
}

// FNV-32a, fed with a length-prefixed canonical dump so that field boundaries count.
class TemplateHasher {
 public:
  void bytes(const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
      hash_ ^= p[i];
      hash_ *= 16777619u;
    }
  }
  void text(const std::string& value) {
    integer(static_cast<std::int64_t>(value.size()));
    bytes(value.data(), value.size());
  }
  void integer(std::int64_t value) {
    unsigned char buffer[8];
    for (int i = 0; i < 8; ++i) buffer[i] = static_cast<unsigned char>((value >> (8 * i)) & 0xff);
    bytes(buffer, sizeof buffer);
  }
  void labels(const api::Labels& values) {
    integer(static_cast<std::int64_t>(values.size()));
    for (const auto& [key, value] : values) {
      text(key);
      text(value);
    }
  }
  void strings(const std::vector<std::string>& values) {
    integer(static_cast<std::int64_t>(values.size()));
    for (const std::string& value : values) text(value);
  }
  void handler(const api::Handler& h) {
    integer(h.exec ? 1 : 0);
    if (h.exec) strings(h.exec->command);
    integer(h.http_get ? 1 : 0);
    if (h.http_get) {
      text(h.http_get->path);
      text(h.http_get->port.to_string());
      text(h.http_get->host);
      text(h.http_get->scheme);
    }
    integer(h.tcp_socket ? 1 : 0);
    if (h.tcp_socket) text(h.tcp_socket->port.to_string());
    integer(h.grpc ? h.grpc->port : -1);
    integer(h.sleep ? h.sleep->seconds : -1);
  }
  void probe(const std::optional<api::Probe>& p) {
    integer(p ? 1 : 0);
    if (!p) return;
    handler(p->handler);
    integer(p->initial_delay_seconds);
    integer(p->timeout_seconds);
    integer(p->period_seconds);
    integer(p->success_threshold);
    integer(p->failure_threshold);
  }
  void container(const api::Container& c) {
    text(c.name);
    text(c.image);
    strings(c.command);
    strings(c.args);
    text(c.working_dir);
    integer(static_cast<std::int64_t>(c.ports.size()));
    for (const api::ContainerPort& port : c.ports) {
      text(port.name);
      integer(port.container_port);
      text(port.protocol);
    }
    integer(static_cast<std::int64_t>(c.env.size()));
    for (const api::EnvVar& env : c.env) {
      text(env.name);
      text(env.value);
      text(env.field_ref ? env.field_ref->field_path : "");
      preserved(env.value_from_preserved);
    }
    probe(c.liveness_probe);
    probe(c.readiness_probe);
    probe(c.startup_probe);
    integer(c.lifecycle && c.lifecycle->pre_stop ? 1 : 0);
    if (c.lifecycle && c.lifecycle->pre_stop) handler(*c.lifecycle->pre_stop);
    preserved(c.preserved);
  }
  void pod_template(const api::PodTemplateSpec& t) {
    labels(t.metadata.labels);
    labels(t.metadata.annotations);
    const api::PodSpec& spec = t.spec;
    integer(static_cast<std::int64_t>(spec.containers.size()));
    for (const api::Container& c : spec.containers) container(c);
    preserved(spec.preserved);
    text(spec.restart_policy);
    integer(spec.termination_grace_period_seconds.value_or(-1));
    text(spec.node_name);
    labels(spec.node_selector);
    text(spec.scheduler_name);
    // Only when there are some: a template without init containers hashes as it did before they
    // were typed. (Those of a template stored before were hashed as preserved fields; such a
    // template hashes anew, once.)
    if (!spec.init_containers.empty()) {
      text("initContainers");
      integer(static_cast<std::int64_t>(spec.init_containers.size()));
      for (const api::Container& c : spec.init_containers) {
        container(c);
        text(c.restart_policy);
      }
    }
  }
  // In key order: the order a client gives the fields in means nothing (kubectl's rollout undo
  // sends them in Kubernetes' order); their values are kept with sorted keys (FieldReader).
  void preserved(const api::PreservedFields& fields) {
    integer(static_cast<std::int64_t>(fields.fields.size()));
    std::vector<std::pair<std::string, std::string>> sorted = fields.fields;
    std::sort(sorted.begin(), sorted.end());
    for (const auto& [key, json] : sorted) {
      text(key);
      text(json);
    }
  }
  std::uint32_t value() const { return hash_; }

 private:
  std::uint32_t hash_ = 2166136261u;
};

}  // namespace

Result<Fenceposts> resolve_fenceposts(const std::optional<api::IntOrString>& max_surge,
                                      const std::optional<api::IntOrString>& max_unavailable,
                                      std::int32_t desired) {
  const api::IntOrString zero = api::IntOrString::from_int(0);
  const Result<std::int32_t> surge =
      api::scaled_value_from_int_or_percent(max_surge.value_or(zero), desired, /*round_up=*/true);
  if (!surge.is_ok()) return surge.status();
  const Result<std::int32_t> unavailable = api::scaled_value_from_int_or_percent(
      max_unavailable.value_or(zero), desired, /*round_up=*/false);
  if (!unavailable.is_ok()) return unavailable.status();
  Fenceposts result{*surge, *unavailable};
  if (result.surge == 0 && result.unavailable == 0) {
    // Validation rejects both literally 0, but both may still round to 0 ("1%" of 10): allow
    // one unavailable so the rollout can move.
    result.unavailable = 1;
  }
  return result;
}

std::int32_t desired_replicas(const api::Deployment& deployment) {
  return deployment.spec.replicas.value_or(1);
}

std::int32_t spec_replicas(const api::ReplicaSet& replica_set) {
  return replica_set.spec.replicas.value_or(1);
}

bool is_rolling_update(const api::Deployment& deployment) {
  switch (deployment.spec.strategy.type) {
    case api::DeploymentStrategyType::kRollingUpdate:
      return true;
    case api::DeploymentStrategyType::kRecreate:
      return false;
  }
  return false;
}

namespace {
Fenceposts deployment_fenceposts(const api::Deployment& deployment) {
  const auto& rolling = deployment.spec.strategy.rolling_update;
  const Result<Fenceposts> posts = resolve_fenceposts(
      rolling ? rolling->max_surge : std::nullopt,
      rolling ? rolling->max_unavailable : std::nullopt, desired_replicas(deployment));
  // "Error caught by validation": Kubernetes uses the zero values.
  return posts.is_ok() ? *posts : Fenceposts{};
}
}  // namespace

std::int32_t max_unavailable(const api::Deployment& deployment) {
  const std::int32_t replicas = desired_replicas(deployment);
  if (!is_rolling_update(deployment) || replicas == 0) return 0;
  return std::min(deployment_fenceposts(deployment).unavailable, replicas);
}

std::int32_t max_surge(const api::Deployment& deployment) {
  if (!is_rolling_update(deployment)) return 0;
  return deployment_fenceposts(deployment).surge;
}

std::int32_t min_available(const api::Deployment& deployment) {
  if (!is_rolling_update(deployment)) return 0;
  return desired_replicas(deployment) - max_unavailable(deployment);
}

std::int32_t sum_spec_replicas(const std::vector<const api::ReplicaSet*>& replica_sets) {
  std::int32_t total = 0;
  for (const api::ReplicaSet* rs : replica_sets) {
    if (rs != nullptr) total += spec_replicas(*rs);
  }
  return total;
}

std::int32_t sum_status_replicas(const std::vector<const api::ReplicaSet*>& replica_sets) {
  std::int32_t total = 0;
  for (const api::ReplicaSet* rs : replica_sets) {
    if (rs != nullptr) total += rs->status.replicas;
  }
  return total;
}

std::int32_t sum_ready_replicas(const std::vector<const api::ReplicaSet*>& replica_sets) {
  std::int32_t total = 0;
  for (const api::ReplicaSet* rs : replica_sets) {
    if (rs != nullptr) total += rs->status.ready_replicas;
  }
  return total;
}

std::int32_t sum_available_replicas(const std::vector<const api::ReplicaSet*>& replica_sets) {
  std::int32_t total = 0;
  for (const api::ReplicaSet* rs : replica_sets) {
    if (rs != nullptr) total += rs->status.available_replicas;
  }
  return total;
}

Result<std::int32_t> new_rs_new_replicas(
    const api::Deployment& deployment, const std::vector<const api::ReplicaSet*>& all_replica_sets,
    const api::ReplicaSet& new_replica_set) {
  const std::int32_t replicas = desired_replicas(deployment);
  switch (deployment.spec.strategy.type) {
    case api::DeploymentStrategyType::kRollingUpdate: {
      const auto& rolling = deployment.spec.strategy.rolling_update;
      const Result<std::int32_t> surge = api::scaled_value_from_int_or_percent(
          rolling && rolling->max_surge ? *rolling->max_surge : api::IntOrString::from_int(0),
          replicas, /*round_up=*/true);
      if (!surge.is_ok()) return surge.status();
      const std::int32_t current = sum_spec_replicas(all_replica_sets);
      const std::int32_t max_total = replicas + *surge;
      const std::int32_t new_spec = spec_replicas(new_replica_set);
      if (current >= max_total) return new_spec;
      return new_spec + std::min(max_total - current, replicas - new_spec);
    }
    case api::DeploymentStrategyType::kRecreate:
      return replicas;
  }
  return replicas;
}

std::optional<std::int32_t> int_annotation(const api::ObjectMeta& metadata, const char* key) {
  const auto found = metadata.annotations.find(key);
  if (found == metadata.annotations.end()) return std::nullopt;
  const std::optional<std::int64_t> value = parse_int64(found->second);
  if (!value || *value < INT32_MIN || *value > INT32_MAX) return std::nullopt;
  return static_cast<std::int32_t>(*value);
}

std::int32_t replica_set_fraction(const api::ReplicaSet& replica_set,
                                  const api::Deployment& deployment) {
  const std::int32_t rs_replicas = spec_replicas(replica_set);
  const std::int32_t replicas = desired_replicas(deployment);
  if (replicas == 0) return -rs_replicas;
  const std::int32_t deployment_max_replicas = replicas + max_surge(deployment);
  std::int32_t before =
      int_annotation(replica_set.metadata, api::kMaxReplicasAnnotation).value_or(0);
  if (before == 0) {
    // The annotation was removed or zeroed by someone else: fall back to the current size.
    before = deployment.status.replicas;
    if (before == 0) return 0;
  }
  // Kubernetes multiplies in int32 and divides in float64, then rounds half away from zero.
  const auto product =
      static_cast<std::int32_t>(static_cast<std::int64_t>(rs_replicas) * deployment_max_replicas);
  const double size = static_cast<double>(product) / static_cast<double>(before);
  return static_cast<std::int32_t>(std::round(size)) - rs_replicas;
}

std::int32_t replica_set_proportion(const api::ReplicaSet& replica_set,
                                    const api::Deployment& deployment, std::int32_t to_add,
                                    std::int32_t added) {
  if (spec_replicas(replica_set) == 0 || to_add == 0 || to_add == added) return 0;
  const std::int32_t fraction = replica_set_fraction(replica_set, deployment);
  const std::int32_t allowed = to_add - added;
  return to_add > 0 ? std::min(fraction, allowed) : std::max(fraction, allowed);
}

bool is_saturated(const api::Deployment& deployment, const api::ReplicaSet* replica_set) {
  if (replica_set == nullptr) return false;
  const std::optional<std::int32_t> desired =
      int_annotation(replica_set->metadata, api::kDesiredReplicasAnnotation);
  if (!desired) return false;
  const std::int32_t replicas = desired_replicas(deployment);
  return spec_replicas(*replica_set) == replicas && *desired == replicas &&
         replica_set->status.available_replicas == replicas;
}

bool deployment_complete(const api::Deployment& deployment, const api::DeploymentStatus& status) {
  const std::int32_t replicas = desired_replicas(deployment);
  return status.updated_replicas == replicas && status.replicas == replicas &&
         status.available_replicas == replicas &&
         status.observed_generation >= deployment.metadata.generation;
}

bool deployment_progressing(const api::Deployment& deployment,
                            const api::DeploymentStatus& new_status) {
  const api::DeploymentStatus& old_status = deployment.status;
  const std::int32_t old_status_old_replicas = old_status.replicas - old_status.updated_replicas;
  const std::int32_t new_status_old_replicas = new_status.replicas - new_status.updated_replicas;
  return new_status.updated_replicas > old_status.updated_replicas ||
         new_status_old_replicas < old_status_old_replicas ||
         new_status.ready_replicas > old_status.ready_replicas ||
         new_status.available_replicas > old_status.available_replicas;
}

bool has_progress_deadline(const api::Deployment& deployment) {
  return deployment.spec.progress_deadline_seconds.has_value() &&
         *deployment.spec.progress_deadline_seconds != kMaxInt32;
}

bool has_revision_history_limit(const api::Deployment& deployment) {
  return deployment.spec.revision_history_limit.has_value() &&
         *deployment.spec.revision_history_limit != kMaxInt32;
}

bool deployment_timed_out(const api::Deployment& deployment,
                          const api::DeploymentStatus& new_status, WallTime now) {
  if (!has_progress_deadline(deployment)) return false;
  const api::Condition* condition = deployment_condition(new_status, kDeploymentProgressing);
  if (condition == nullptr) return false;
  if (condition->reason == kNewReplicaSetAvailableReason) return false;
  if (condition->reason == kTimedOutReason) return true;
  const WallTime from = condition->last_update_time.value_or(WallTime{});
  return from + std::chrono::seconds(*deployment.spec.progress_deadline_seconds) < now;
}

api::Condition new_deployment_condition(const std::string& type, api::ConditionStatus status,
                                        const std::string& reason, const std::string& message,
                                        WallTime now) {
  api::Condition condition;
  condition.type = type;
  condition.status = status;
  condition.reason = reason;
  condition.message = message;
  condition.last_update_time = now;
  condition.last_transition_time = now;
  return condition;
}

const api::Condition* deployment_condition(const api::DeploymentStatus& status,
                                           const std::string& type) {
  return api::find_condition(status.conditions, type);
}

void set_deployment_condition(api::DeploymentStatus& status, api::Condition condition) {
  const api::Condition* current = deployment_condition(status, condition.type);
  if (current != nullptr && current->status == condition.status &&
      current->reason == condition.reason) {
    return;
  }
  if (current != nullptr && current->status == condition.status) {
    condition.last_transition_time = current->last_transition_time;
  }
  remove_deployment_condition(status, condition.type);
  status.conditions.push_back(std::move(condition));
}

void remove_deployment_condition(api::DeploymentStatus& status, const std::string& type) {
  std::erase_if(status.conditions,
                [&](const api::Condition& condition) { return condition.type == type; });
}

Result<std::int64_t> revision_of(const api::ObjectMeta& metadata) {
  const auto found = metadata.annotations.find(api::kRevisionAnnotation);
  if (found == metadata.annotations.end()) return std::int64_t{0};
  const std::optional<std::int64_t> value = parse_int64(found->second);
  if (!value) return invalid_argument("invalid revision \"" + found->second + "\"");
  return *value;
}

std::int64_t max_revision(const std::vector<const api::ReplicaSet*>& replica_sets) {
  std::int64_t max = 0;
  for (const api::ReplicaSet* rs : replica_sets) {
    if (rs == nullptr) continue;
    const Result<std::int64_t> revision = revision_of(rs->metadata);
    if (revision.is_ok() && *revision > max) max = *revision;
  }
  return max;
}

std::int64_t last_revision(const std::vector<const api::ReplicaSet*>& replica_sets) {
  std::int64_t max = 0;
  std::int64_t second = 0;
  for (const api::ReplicaSet* rs : replica_sets) {
    if (rs == nullptr) continue;
    const Result<std::int64_t> revision = revision_of(rs->metadata);
    if (!revision.is_ok()) continue;
    if (*revision >= max) {
      second = max;
      max = *revision;
    } else if (*revision > second) {
      second = *revision;
    }
  }
  return second;
}

bool skip_copy_annotation(const std::string& key) {
  return key == api::kLastAppliedAnnotation || key == api::kRevisionAnnotation ||
         key == api::kRevisionHistoryAnnotation || key == api::kDesiredReplicasAnnotation ||
         key == api::kMaxReplicasAnnotation || key == api::kRollbackToAnnotation;
}

bool set_new_replica_set_annotations(const api::Deployment& deployment,
                                     api::ReplicaSet& replica_set, const std::string& new_revision,
                                     bool exists, std::size_t history_limit_chars) {
  api::Labels& annotations = replica_set.metadata.annotations;
  bool changed = false;
  for (const auto& [key, value] : deployment.metadata.annotations) {
    if (skip_copy_annotation(key)) continue;
    const auto found = annotations.find(key);
    if (found != annotations.end() && found->second == value) continue;
    annotations[key] = value;
    changed = true;
  }
  const auto found_revision = annotations.find(api::kRevisionAnnotation);
  const bool had_revision = found_revision != annotations.end();
  const std::string old_revision = had_revision ? found_revision->second : "";
  std::int64_t old_revision_value = 0;
  if (!old_revision.empty()) {
    const std::optional<std::int64_t> parsed = parse_int64(old_revision);
    if (!parsed) return false;
    old_revision_value = *parsed;
  }
  const std::optional<std::int64_t> new_revision_value = parse_int64(new_revision);
  if (!new_revision_value) return false;
  if (old_revision_value < *new_revision_value) {
    annotations[api::kRevisionAnnotation] = new_revision;
    changed = true;
  }
  // An RS that had a revision and gets a newer one is being rolled back (or forward) to:
  // remember the revisions it had.
  if (had_revision && old_revision_value < *new_revision_value) {
    const std::string history = annotations[api::kRevisionHistoryAnnotation];
    if (history.empty()) {
      annotations[api::kRevisionHistoryAnnotation] = old_revision;
    } else {
      std::vector<std::string> entries;
      std::size_t start = 0;
      while (true) {
        const std::size_t comma = history.find(',', start);
        entries.push_back(history.substr(start, comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      std::size_t total = history.size() + old_revision.size() + 1;
      std::size_t first = 0;
      while (total > history_limit_chars && first < entries.size()) {
        total = total - entries[first].size() - 1;
        ++first;
      }
      if (total <= history_limit_chars) {
        std::string joined;
        for (std::size_t i = first; i < entries.size(); ++i) joined += entries[i] + ",";
        joined += old_revision;
        annotations[api::kRevisionHistoryAnnotation] = joined;
      }
    }
  }
  if (!exists) {
    const std::int32_t replicas = desired_replicas(deployment);
    if (set_replicas_annotations(replica_set, replicas, replicas + max_surge(deployment))) {
      changed = true;
    }
  }
  return changed;
}

bool set_deployment_revision(api::Deployment& deployment, const std::string& revision) {
  std::string& current = deployment.metadata.annotations[api::kRevisionAnnotation];
  if (current == revision) return false;
  current = revision;
  return true;
}

bool replicas_annotations_need_update(const api::ReplicaSet& replica_set, std::int32_t desired,
                                      std::int32_t max_replicas) {
  const api::Labels& annotations = replica_set.metadata.annotations;
  const auto desired_found = annotations.find(api::kDesiredReplicasAnnotation);
  if (desired_found == annotations.end() || desired_found->second != std::to_string(desired)) {
    return true;
  }
  const auto max_found = annotations.find(api::kMaxReplicasAnnotation);
  return max_found == annotations.end() || max_found->second != std::to_string(max_replicas);
}

bool set_replicas_annotations(api::ReplicaSet& replica_set, std::int32_t desired,
                              std::int32_t max_replicas) {
  bool changed = false;
  api::Labels& annotations = replica_set.metadata.annotations;
  const std::string desired_text = std::to_string(desired);
  const std::string max_text = std::to_string(max_replicas);
  if (annotations[api::kDesiredReplicasAnnotation] != desired_text) {
    annotations[api::kDesiredReplicasAnnotation] = desired_text;
    changed = true;
  }
  if (annotations[api::kMaxReplicasAnnotation] != max_text) {
    annotations[api::kMaxReplicasAnnotation] = max_text;
    changed = true;
  }
  return changed;
}

bool equal_ignore_hash(const api::PodTemplateSpec& a, const api::PodTemplateSpec& b) {
  // Compare labels without the hash first, then the rest with equal labels.
  api::Labels labels_a = a.metadata.labels;
  api::Labels labels_b = b.metadata.labels;
  labels_a.erase(api::kPodTemplateHashLabel);
  labels_b.erase(api::kPodTemplateHashLabel);
  if (labels_a != labels_b) return false;
  if (!(a.spec == b.spec)) return false;
  api::ObjectMeta meta_a = a.metadata;
  api::ObjectMeta meta_b = b.metadata;
  meta_a.labels.clear();
  meta_b.labels.clear();
  return meta_a == meta_b;
}

std::string compute_hash(const api::PodTemplateSpec& pod_template,
                         std::optional<std::int32_t> collision_count) {
  TemplateHasher hasher;
  hasher.pod_template(pod_template);
  if (collision_count) {
    unsigned char buffer[8] = {};
    const auto count = static_cast<std::uint32_t>(*collision_count);
    for (int i = 0; i < 4; ++i) buffer[i] = static_cast<unsigned char>((count >> (8 * i)) & 0xff);
    hasher.bytes(buffer, sizeof buffer);
  }
  static constexpr const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string result;
  for (const char digit : std::to_string(hasher.value())) {
    result.push_back(kAlphabet[static_cast<unsigned char>(digit) % 27]);
  }
  return result;
}

bool created_before(const api::ReplicaSet& a, const api::ReplicaSet& b) {
  const WallTime time_a = a.metadata.creation_timestamp.value_or(WallTime{});
  const WallTime time_b = b.metadata.creation_timestamp.value_or(WallTime{});
  if (time_a == time_b) return a.metadata.name < b.metadata.name;
  return time_a < time_b;
}

bool larger_then_newer(const api::ReplicaSet& a, const api::ReplicaSet& b) {
  if (spec_replicas(a) == spec_replicas(b)) return created_before(b, a);
  return spec_replicas(a) > spec_replicas(b);
}

bool larger_then_older(const api::ReplicaSet& a, const api::ReplicaSet& b) {
  if (spec_replicas(a) == spec_replicas(b)) return created_before(a, b);
  return spec_replicas(a) > spec_replicas(b);
}

bool revision_before(const api::ReplicaSet& a, const api::ReplicaSet& b) {
  const Result<std::int64_t> revision_a = revision_of(a.metadata);
  const Result<std::int64_t> revision_b = revision_of(b.metadata);
  if (!revision_a.is_ok() || !revision_b.is_ok() || *revision_a == *revision_b) {
    return created_before(a, b);
  }
  return *revision_a < *revision_b;
}

}  // namespace nodrop::controller
