// Internal to the lint module: what every rule file shares. The Checker holds the links between
// objects and collects findings; each rules_*.cc adds the rules of one concept.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "lint/check.h"

namespace nodrop::lint {

// A Service of type LoadBalancer whose balancer sends straight to pod IPs (Alibaba Cloud ENI, AWS
// NLB IP targets): node proxies are not on the path, so externalTrafficPolicy does not matter.
bool sends_to_pods_directly(const api::Service& service);
// Reachable from outside the cluster through a node port or a load balancer.
bool is_external(const api::Service& service);

class Checker {
 public:
  Checker(const Corpus& corpus, const CheckOptions& options);

  const CheckOptions& options() const { return options_; }
  const Corpus& corpus() const { return corpus_; }

  // The Services whose selector matches the workload's pod template, in input order.
  const std::vector<const ServiceEntry*>& services_of(const Workload& workload) const;
  // The workloads a Service selects, in input order.
  const std::vector<const Workload*>& workloads_of(const ServiceEntry& service) const;
  // The workloads whose pod template a PodDisruptionBudget selects.
  std::vector<const Workload*> workloads_of(const DisruptionBudget& budget) const;
  // Whether any workload lives in the namespace (a Service alone in its file is not an error).
  bool has_workloads_in(const std::string& namespace_name) const;

  void report(const Source& source, RuleId rule, Severity severity, const std::string& field_path,
              std::string message, std::string fix = "");
  void report(const Source& source, RuleId rule, const std::string& field_path, std::string message,
              std::string fix = "") {
    report(source, rule, rule_info(rule).severity, field_path, std::move(message), std::move(fix));
  }

  CheckResult finish();

 private:
  std::vector<const Workload*> candidates(const std::string& namespace_name,
                                          const api::Labels& match_labels) const;

  const Corpus& corpus_;
  const CheckOptions& options_;
  // namespace -> workloads; namespace + '\0' + key + '=' + value -> workloads with that pod label.
  std::unordered_map<std::string, std::vector<const Workload*>> by_namespace_;
  std::unordered_map<std::string, std::vector<const Workload*>> by_label_;
  std::unordered_map<const Workload*, std::vector<const ServiceEntry*>> services_of_;
  std::unordered_map<const ServiceEntry*, std::vector<const Workload*>> workloads_of_;
  CheckResult result_;
};

void check_pod_rules(Checker& checker, const Workload& workload);
void check_rollout_rules(Checker& checker, const Workload& workload);
void check_service_rules(Checker& checker, const ServiceEntry& service);
void check_budget_rules(Checker& checker, const DisruptionBudget& budget);

// "spec.template.spec.containers[2]"
std::string container_path(const Workload& workload, std::size_t index);

}  // namespace nodrop::lint
