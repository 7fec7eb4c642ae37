#include "lint/finding.h"

#include <array>

namespace nodrop::lint {
namespace {

// Indexed by RuleId; rule_info checks that the order matches.
const std::array<RuleInfo, kRuleCount> kRules = {{
    {RuleId::kInvalidObject, "invalid-object", Severity::kError,
     "an object of a kind the rules read could not be decoded, so it was not checked"},
    {RuleId::kReadinessProbeMissing, "readiness-probe-missing", Severity::kError,
     "a new pod is routed to as soon as its container starts, before the app listens (hop 1)"},
    {RuleId::kPreStopMissing, "prestop-missing", Severity::kWarning,
     "the old pod gets SIGTERM while proxies and the load balancer still send to it (hop 2)"},
    {RuleId::kGracePeriodTooShort, "grace-period-too-short", Severity::kError,
     "SIGKILL cuts in-flight requests because preStop ate the grace period (hop 2)"},
    {RuleId::kPreStopShorterThanPropagation, "prestop-shorter-than-propagation", Severity::kWarning,
     "the preStop sleep ends before kube-proxy and the load balancer stop routing (hops 2, 3)"},
    {RuleId::kLivenessSameAsReadiness, "liveness-same-as-readiness", Severity::kWarning,
     "a busy pod is restarted instead of taken out of rotation, dropping its in-flight requests"},
    {RuleId::kLivenessKillsSlowStart, "liveness-kills-slow-start", Severity::kWarning,
     "liveness kills a pod that is still starting, so the rollout never gets a ready pod"},
    {RuleId::kProbePortNotDeclared, "probe-port-not-declared", Severity::kWarning,
     "a probe checks a port the container does not serve, so it never passes or passes wrongly"},
    {RuleId::kRolloutGuaranteedOutage, "rollout-guaranteed-outage", Severity::kError,
     "maxUnavailable lets the rollout stop every ready pod at once"},
    {RuleId::kRolloutCannotProgress, "rollout-cannot-progress", Severity::kError,
     "maxSurge 0 and maxUnavailable 0: the API server rejects the rollout"},
    {RuleId::kRecreateBehindService, "recreate-behind-service", Severity::kWarning,
     "strategy Recreate stops every old pod before a new one exists: an outage per rollout"},
    {RuleId::kLocalPolicyRolloutDrops, "local-policy-rollout-drops", Severity::kWarning,
     "externalTrafficPolicy Local: a node loses its last ready pod while the LB still sends (hop "
     "3)"},
    {RuleId::kMinReadyExceedsProgressDeadline, "min-ready-exceeds-progress-deadline",
     Severity::kError,
     "every rollout reports ProgressDeadlineExceeded, and CI gates on it fail or roll back"},
    {RuleId::kServiceSelectsNothing, "service-selects-nothing", Severity::kWarning,
     "the Service's selector matches no pod template: it has no endpoints and rejects traffic"},
    {RuleId::kTargetPortNotFound, "target-port-not-found", Severity::kError,
     "the Service's named targetPort is declared by no container: its endpoints have no port"},
    {RuleId::kPublishNotReadyAddresses, "publish-not-ready-addresses", Severity::kWarning,
     "unready and terminating pods stay ready endpoints, so hops route to them (hops 1, 2)"},
    {RuleId::kPdbBlocksEviction, "pdb-blocks-eviction", Severity::kWarning,
     "the PodDisruptionBudget allows no eviction, so node drains hang and get forced"},
}};

}  // namespace

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  NODROP_CHECK(false);
  return "";
}

Result<Severity> parse_severity(std::string_view text) {
  if (text == "error") return Severity::kError;
  if (text == "warning") return Severity::kWarning;
  if (text == "info") return Severity::kInfo;
  return invalid_argument("severity must be error, warning or info, not \"" + std::string(text) +
                          "\"");
}

const RuleInfo& rule_info(RuleId id) {
  const auto index = static_cast<std::size_t>(id);
  NODROP_CHECK(index < kRules.size());
  NODROP_CHECK(kRules[index].id == id);
  return kRules[index];
}

const RuleInfo* all_rules() { return kRules.data(); }

const char* rule_id_name(RuleId id) { return rule_info(id).name; }

const RuleInfo* find_rule(std::string_view name) {
  for (const RuleInfo& rule : kRules) {
    if (name == rule.name) return &rule;
  }
  return nullptr;
}

std::string ObjectRef::describe() const {
  if (namespace_name.empty()) return kind + " " + name;
  return kind + " " + namespace_name + "/" + name;
}

}  // namespace nodrop::lint
