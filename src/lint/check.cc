#include "lint/check.h"

#include <algorithm>
#include <tuple>

#include "lint/rules.h"

namespace nodrop::lint {
namespace {

std::string label_key(const std::string& namespace_name, const std::string& key,
                      const std::string& value) {
  std::string text;
  text.reserve(namespace_name.size() + key.size() + value.size() + 2);
  text += namespace_name;
  text += '\0';
  text += key;
  text += '=';
  text += value;
  return text;
}

const std::vector<const Workload*> kNoWorkloads;
const std::vector<const ServiceEntry*> kNoServices;

}  // namespace

bool sends_to_pods_directly(const api::Service& service) {
  const api::Labels& annotations = service.metadata.annotations;
  const auto backend = annotations.find(api::kBackendTypeAnnotation);
  if (backend != annotations.end() && backend->second == "eni") return true;
  const auto aws = annotations.find("service.beta.kubernetes.io/aws-load-balancer-nlb-target-type");
  return aws != annotations.end() && aws->second == "ip";
}

bool is_external(const api::Service& service) {
  return service.spec.type == api::kServiceTypeLoadBalancer ||
         service.spec.type == api::kServiceTypeNodePort;
}

std::string container_path(const Workload& workload, std::size_t index) {
  return std::string(workload.pod_spec_path()) + ".containers[" + std::to_string(index) + "]";
}

Checker::Checker(const Corpus& corpus, const CheckOptions& options)
    : corpus_(corpus), options_(options) {
  for (const Workload& workload : corpus_.workloads) {
    const std::string& namespace_name = workload.source.ref.namespace_name;
    by_namespace_[namespace_name].push_back(&workload);
    for (const auto& [key, value] : workload.pod_labels()) {
      by_label_[label_key(namespace_name, key, value)].push_back(&workload);
    }
  }
  for (const ServiceEntry& entry : corpus_.services) {
    const api::Labels& selector = entry.service.spec.selector;
    // A Service without a selector has its endpoints managed by hand; it selects nothing here.
    if (selector.empty() || entry.service.spec.type == api::kServiceTypeExternalName) continue;
    for (const Workload* workload : candidates(entry.source.ref.namespace_name, selector)) {
      const api::Labels& labels = workload->pod_labels();
      const bool matches = std::all_of(selector.begin(), selector.end(), [&](const auto& pair) {
        const auto found = labels.find(pair.first);
        return found != labels.end() && found->second == pair.second;
      });
      if (!matches) continue;
      services_of_[workload].push_back(&entry);
      workloads_of_[&entry].push_back(workload);
    }
  }
}

// The workloads that carry the rarest of the selector's labels (every match is among them), or
// every workload of the namespace when the selector has no plain labels.
std::vector<const Workload*> Checker::candidates(const std::string& namespace_name,
                                                 const api::Labels& match_labels) const {
  const std::vector<const Workload*>* best = nullptr;
  for (const auto& [key, value] : match_labels) {
    const auto found = by_label_.find(label_key(namespace_name, key, value));
    if (found == by_label_.end()) return {};
    if (best == nullptr || found->second.size() < best->size()) best = &found->second;
  }
  if (best != nullptr) return *best;
  const auto all = by_namespace_.find(namespace_name);
  return all == by_namespace_.end() ? std::vector<const Workload*>{} : all->second;
}

const std::vector<const ServiceEntry*>& Checker::services_of(const Workload& workload) const {
  const auto found = services_of_.find(&workload);
  return found == services_of_.end() ? kNoServices : found->second;
}

const std::vector<const Workload*>& Checker::workloads_of(const ServiceEntry& service) const {
  const auto found = workloads_of_.find(&service);
  return found == workloads_of_.end() ? kNoWorkloads : found->second;
}

std::vector<const Workload*> Checker::workloads_of(const DisruptionBudget& budget) const {
  std::vector<const Workload*> matched;
  // An empty policy/v1 selector selects every pod of the namespace.
  for (const Workload* workload :
       candidates(budget.source.ref.namespace_name, budget.selector.match_labels)) {
    if (budget.selector.matches(workload->pod_labels())) matched.push_back(workload);
  }
  return matched;
}

bool Checker::has_workloads_in(const std::string& namespace_name) const {
  return by_namespace_.count(namespace_name) != 0;
}

void Checker::report(const Source& source, RuleId rule, Severity severity,
                     const std::string& field_path, std::string message, std::string fix) {
  if (source.ignores(rule)) {
    ++result_.suppressed;
    return;
  }
  Finding finding;
  finding.rule = rule;
  finding.severity = severity;
  finding.object = source.ref;
  finding.file = source.file;
  finding.line = source.line_of(field_path);
  finding.field_path = field_path;
  finding.message = std::move(message);
  finding.fix = std::move(fix);
  result_.findings.push_back(std::move(finding));
}

CheckResult Checker::finish() {
  for (const Finding& invalid : corpus_.invalid) result_.findings.push_back(invalid);
  // Grouped per object for the text report: by file, then line. An object's findings all lie
  // within its own lines, and objects of a YAML stream never interleave.
  std::stable_sort(result_.findings.begin(), result_.findings.end(),
                   [](const Finding& a, const Finding& b) {
                     return std::tie(a.file, a.line, a.rule) < std::tie(b.file, b.line, b.rule);
                   });
  return std::move(result_);
}

CheckResult check(const Corpus& corpus, const CheckOptions& options) {
  Checker checker(corpus, options);
  for (const Workload& workload : corpus.workloads) {
    check_pod_rules(checker, workload);
    check_rollout_rules(checker, workload);
  }
  for (const ServiceEntry& service : corpus.services) check_service_rules(checker, service);
  for (const DisruptionBudget& budget : corpus.budgets) check_budget_rules(checker, budget);
  return checker.finish();
}

}  // namespace nodrop::lint
