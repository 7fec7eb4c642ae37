// A finding: one rule's verdict on one object, with where to look and what to write instead.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace nodrop::lint {

// Ordered from the most to the least severe, so `severity <= threshold` reads "at least as bad".
enum class Severity { kError, kWarning, kInfo };

const char* severity_name(Severity severity);  // "error", "warning", "info"
Result<Severity> parse_severity(std::string_view text);

// Every rule nodrop checks. The id strings (rule_id_name) are the public names used in
// annotations, SARIF and docs/rules/<id>.md; never rename one.
enum class RuleId {
  kInvalidObject,
  kReadinessProbeMissing,
  kPreStopMissing,
  kGracePeriodTooShort,
  kPreStopShorterThanPropagation,
  kLivenessSameAsReadiness,
  kLivenessKillsSlowStart,
  kProbePortNotDeclared,
  kRolloutGuaranteedOutage,
  kRolloutCannotProgress,
  kRecreateBehindService,
  kLocalPolicyRolloutDrops,
  kMinReadyExceedsProgressDeadline,
  kServiceSelectsNothing,
  kTargetPortNotFound,
  kPublishNotReadyAddresses,
  kPdbBlocksEviction,
};
inline constexpr int kRuleCount = 17;

struct RuleInfo {
  RuleId id;
  const char* name;     // "readiness-probe-missing"
  Severity severity;    // the default severity; a rule may report a lesser one
  const char* summary;  // one line: the failure it prevents
};

const RuleInfo& rule_info(RuleId id);
// Every rule, in RuleId order.
const RuleInfo* all_rules();
const char* rule_id_name(RuleId id);
// The rule named `name`, or nullptr.
const RuleInfo* find_rule(std::string_view name);

struct ObjectRef {
  std::string kind;  // "Deployment"
  std::string namespace_name;
  std::string name;

  // "Deployment default/web"
  std::string describe() const;
};

struct Finding {
  RuleId rule = RuleId::kInvalidObject;
  Severity severity = Severity::kError;
  ObjectRef object;
  std::string file;
  int line = 0;            // 1-based; 0 when unknown
  std::string field_path;  // "spec.template.spec.containers[0].readinessProbe"
  std::string message;
  std::string fix;  // the YAML to add or change, several lines; may be empty
};

}  // namespace nodrop::lint
