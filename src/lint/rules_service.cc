// Rules about how Services and PodDisruptionBudgets meet the pods they select.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "lint/rules.h"

namespace nodrop::lint {
namespace {

std::string render_selector(const api::Labels& selector) {
  std::string text;
  for (const auto& [key, value] : selector) {
    if (!text.empty()) text += ",";
    text += key + "=" + value;
  }
  return text;
}

bool any_container_declares(const Workload& workload, const api::IntOrString& port) {
  for (const api::Container& container : workload.pod_spec().containers) {
    for (const api::ContainerPort& declared : container.ports) {
      if (port.is_string() ? declared.name == port.string_value()
                           : declared.container_port == port.int_value()) {
        return true;
      }
    }
  }
  return false;
}

bool declares_any_port(const Workload& workload) {
  const auto& containers = workload.pod_spec().containers;
  return std::any_of(containers.begin(), containers.end(),
                     [](const api::Container& container) { return !container.ports.empty(); });
}

}  // namespace

void check_service_rules(Checker& checker, const ServiceEntry& entry) {
  const api::Service& service = entry.service;
  const Source& source = entry.source;
  if (service.spec.selector.empty() || service.spec.type == api::kServiceTypeExternalName) return;
  const std::vector<const Workload*>& workloads = checker.workloads_of(entry);
  if (workloads.empty()) {
    if (checker.has_workloads_in(source.ref.namespace_name)) {
      checker.report(
          source, RuleId::kServiceSelectsNothing, "spec.selector",
          fmt::format(
              "selector {} matches no pod template in namespace {} of these manifests: the "
              "Service has no endpoints and {} every connection",
              render_selector(service.spec.selector), source.ref.namespace_name,
              is_external(service) ? "the load balancer drops or rejects" : "kube-proxy rejects"),
          "selector:\n  <the labels of the pod template (spec.template.metadata.labels)>");
    }
    return;
  }
  for (std::size_t i = 0; i < service.spec.ports.size(); ++i) {
    const api::ServicePort& port = service.spec.ports[i];
    const api::IntOrString target =
        port.target_port.value_or(api::IntOrString::from_int(port.port));
    const std::string path = "spec.ports[" + std::to_string(i) + "].targetPort";
    for (const Workload* workload : workloads) {
      if (any_container_declares(*workload, target)) continue;
      if (target.is_string()) {
        checker.report(
            source, RuleId::kTargetPortNotFound, Severity::kError, path,
            fmt::format(
                "targetPort \"{}\" is not the name of any container port of {}: its endpoints "
                "have no port for it and every connection to port {} fails",
                target.string_value(), workload->source.ref.describe(), port.port),
            fmt::format(
                "# in {}'s container:\nports:\n- name: {}\n  containerPort: <the port the app "
                "listens on>",
                workload->source.ref.describe(), target.string_value()));
      } else if (declares_any_port(*workload)) {
        checker.report(
            source, RuleId::kTargetPortNotFound, Severity::kWarning, path,
            fmt::format(
                "targetPort {} is not declared by any container of {}, which declares other "
                "ports: traffic goes to a port the app may not listen on",
                target.int_value(), workload->source.ref.describe()),
            "targetPort: <a declared containerPort, or better its name>");
      }
    }
  }
  if (service.spec.publish_not_ready_addresses) {
    checker.report(
        source, RuleId::kPublishNotReadyAddresses, "spec.publishNotReadyAddresses",
        "publishNotReadyAddresses: true keeps unready and terminating pods as ready endpoints: "
        "kube-proxy and the load balancer route to pods that are still starting or already "
        "shutting "
        "down",
        "publishNotReadyAddresses: false   # keep true only for peer discovery (StatefulSet "
        "headless Services), never behind a load balancer");
  }
}

void check_budget_rules(Checker& checker, const DisruptionBudget& budget) {
  const std::vector<const Workload*> workloads = checker.workloads_of(budget);
  std::int64_t expected = 0;
  for (const Workload* workload : workloads) expected += workload->replicas();
  if (expected == 0 || expected > std::numeric_limits<std::int32_t>::max()) return;
  const auto pods = static_cast<std::int32_t>(expected);
  const Source& source = budget.source;
  // The disruption controller scales both fields rounding up (GetScaledValueFromIntOrPercent).
  if (budget.max_unavailable.has_value()) {
    Result<std::int32_t> allowed =
        api::scaled_value_from_int_or_percent(*budget.max_unavailable, pods, true);
    if (allowed.is_ok() && *allowed <= 0) {
      checker.report(
          source, RuleId::kPdbBlocksEviction, "spec.maxUnavailable",
          fmt::format(
              "maxUnavailable {} allows no eviction of the {} pod{} it selects: every node "
              "drain (cluster upgrade, autoscaler) hangs until someone forces it, and a forced "
              "drain deletes pods without regard for the budget",
              budget.max_unavailable->to_string(), pods, pods == 1 ? "" : "s"),
          "maxUnavailable: 1");
    }
    return;
  }
  if (budget.min_available.has_value()) {
    Result<std::int32_t> required =
        api::scaled_value_from_int_or_percent(*budget.min_available, pods, true);
    if (required.is_ok() && *required >= pods) {
      checker.report(
          source, RuleId::kPdbBlocksEviction, "spec.minAvailable",
          fmt::format(
              "minAvailable {} of the {} pod{} it selects allows no eviction: every node drain "
              "hangs until someone forces it, and a forced drain ignores the budget",
              budget.min_available->to_string(), pods, pods == 1 ? "" : "s"),
          pods > 1
              ? fmt::format("minAvailable: {}   # or maxUnavailable: 1", pods - 1)
              : std::string("# with one replica no budget can both protect and allow a drain:\n"
                            "replicas: 2   # on the Deployment, then minAvailable: 1"));
    }
  }
}

}  // namespace nodrop::lint
