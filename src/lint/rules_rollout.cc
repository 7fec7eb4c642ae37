// Rules about a Deployment's rollout: the fence posts (maxSurge, maxUnavailable), the strategy,
// the deadlines, and how the rollout meets externalTrafficPolicy: Local (hop 3).
#include <fmt/format.h>

#include <algorithm>

#include "lint/rules.h"

namespace nodrop::lint {
namespace {

bool is_literal_zero(const std::optional<api::IntOrString>& value) {
  if (!value.has_value()) return false;
  return value->is_string() ? value->string_value() == "0%" : value->int_value() == 0;
}

struct Fenceposts {
  std::int32_t surge = 0;
  std::int32_t unavailable = 0;
};

// ResolveFenceposts (k8s-semantics §1.2): surge rounds up, unavailable rounds down, and both 0
// makes unavailable 1.
//
//   replicas  maxSurge  maxUnavailable  surge  unavailable
//   1         25%       25%             1      0
//   1         0         10%             0      1   (both resolved to 0)
//   4         1         50%             1      2
Result<Fenceposts> resolve_fenceposts(const api::RollingUpdateDeployment& rolling,
                                      std::int32_t replicas) {
  const api::IntOrString quarter = api::IntOrString::from_string("25%");
  Result<std::int32_t> surge =
      api::scaled_value_from_int_or_percent(rolling.max_surge.value_or(quarter), replicas, true);
  if (!surge.is_ok()) return surge.status();
  Result<std::int32_t> unavailable = api::scaled_value_from_int_or_percent(
      rolling.max_unavailable.value_or(quarter), replicas, false);
  if (!unavailable.is_ok()) return unavailable.status();
  Fenceposts fenceposts{*surge, *unavailable};
  if (fenceposts.surge == 0 && fenceposts.unavailable == 0) fenceposts.unavailable = 1;
  return fenceposts;
}

std::string external_services(const std::vector<const ServiceEntry*>& services, bool local_only) {
  std::string text;
  for (const ServiceEntry* entry : services) {
    const api::Service& service = entry->service;
    if (local_only && (service.spec.type != api::kServiceTypeLoadBalancer ||
                       service.spec.external_traffic_policy != api::kTrafficPolicyLocal ||
                       sends_to_pods_directly(service))) {
      continue;
    }
    if (!text.empty()) text += ", ";
    text += entry->source.ref.name;
  }
  return text;
}

constexpr const char* kInPlaceSurgeFix =
    "strategy:\n  type: RollingUpdate\n  rollingUpdate:\n    maxSurge: 1          # or a "
    "percentage\n"
    "    maxUnavailable: 0    # an old pod goes only after its replacement is available";

}  // namespace

void check_rollout_rules(Checker& checker, const Workload& workload) {
  const api::Deployment* deployment = workload.deployment();
  if (deployment == nullptr) return;
  const Source& source = workload.source;
  const api::DeploymentSpec& spec = deployment->spec;
  const std::int32_t replicas = spec.replicas.value_or(1);
  const std::vector<const ServiceEntry*>& services = checker.services_of(workload);
  const std::string local_services = external_services(services, true);

  if (spec.progress_deadline_seconds.has_value() &&
      spec.min_ready_seconds >= *spec.progress_deadline_seconds) {
    checker.report(
        source, RuleId::kMinReadyExceedsProgressDeadline, "spec.minReadySeconds",
        fmt::format(
            "minReadySeconds {} is not less than progressDeadlineSeconds {}: no new pod can "
            "count as available before the deadline, so every rollout is reported as "
            "ProgressDeadlineExceeded (the API server rejects this)",
            spec.min_ready_seconds, *spec.progress_deadline_seconds),
        fmt::format(
            "progressDeadlineSeconds: {}   # well above minReadySeconds plus the pod's start "
            "time",
            std::max(600, spec.min_ready_seconds + 300)));
  }

  switch (spec.strategy.type) {
    case api::DeploymentStrategyType::kRecreate:
      if (!services.empty()) {
        checker.report(
            source, RuleId::kRecreateBehindService, "spec.strategy.type",
            fmt::format("strategy Recreate stops every old pod before the first new one starts: "
                        "Service {} has no endpoint for the whole start time of the new version",
                        external_services(services, false)),
            kInPlaceSurgeFix);
      }
      if (!local_services.empty()) {
        checker.report(
            source, RuleId::kLocalPolicyRolloutDrops, "spec.strategy.type",
            fmt::format("Service {} has externalTrafficPolicy: Local and this rollout is Recreate: "
                        "every node loses its pods while the load balancer still sends to it",
                        local_services),
            kInPlaceSurgeFix);
      }
      return;
    case api::DeploymentStrategyType::kRollingUpdate:
      break;
  }

  const api::RollingUpdateDeployment rolling =
      spec.strategy.rolling_update.value_or(api::RollingUpdateDeployment{});
  const std::string rolling_path = "spec.strategy.rollingUpdate";
  if (is_literal_zero(rolling.max_surge) && is_literal_zero(rolling.max_unavailable)) {
    checker.report(
        source, RuleId::kRolloutCannotProgress, rolling_path + ".maxUnavailable",
        "maxSurge and maxUnavailable are both 0: the rollout may neither add a pod nor remove one; "
        "the API server rejects the Deployment",
        kInPlaceSurgeFix);
    return;
  }
  Result<Fenceposts> fenceposts = resolve_fenceposts(rolling, replicas);
  if (!fenceposts.is_ok()) {
    checker.report(source, RuleId::kInvalidObject, rolling_path, fenceposts.status().message());
    return;
  }
  if (replicas >= 1 && fenceposts->unavailable >= replicas) {
    checker.report(source, RuleId::kRolloutGuaranteedOutage, rolling_path + ".maxUnavailable",
                   fmt::format("with {} replica{} and maxUnavailable resolving to {}{}, the "
                               "rollout may stop every old pod "
                               "before a new one is ready: an outage on every rollout",
                               replicas, replicas == 1 ? "" : "s", fenceposts->unavailable,
                               fenceposts->surge == 0
                                   ? " (maxSurge resolves to 0, so Kubernetes allows 1 unavailable)"
                                   : ""),
                   kInPlaceSurgeFix);
  }
  if (!local_services.empty() && fenceposts->unavailable > 0 &&
      fenceposts->unavailable < replicas) {
    checker.report(
        source, RuleId::kLocalPolicyRolloutDrops, rolling_path + ".maxUnavailable",
        fmt::format(
            "Service {} has externalTrafficPolicy: Local, and maxUnavailable resolves to {}: "
            "an old pod is stopped before its replacement is ready, so a node can have no "
            "ready pod while the load balancer still sends to it, and that node drops the "
            "requests",
            local_services, fenceposts->unavailable),
        std::string(kInPlaceSurgeFix) +
            "\n# and prefer the nodes that run the app (nodeAffinity or podAffinity), so the surge "
            "pod lands beside the one it replaces");
  }
}

}  // namespace nodrop::lint
