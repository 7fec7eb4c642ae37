// Every rule has a fixture that triggers it and one that passes: src/lint/testdata/rules/<id>/.
#include "lint/rules.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "lint/test_support.h"

namespace nodrop::lint {
namespace {

using testing::check_files;
using testing::check_text;
using testing::count_rule;

class EveryRule : public ::testing::TestWithParam<int> {};

TEST_P(EveryRule, TriggersOnItsFixtureAndPassesTheFixedOne) {
  const RuleInfo& rule = all_rules()[GetParam()];
  const std::string directory = std::string("src/lint/testdata/rules/") + rule.name;
  ASSERT_TRUE(std::filesystem::exists(testing::source_path(directory + "/triggers.yaml")))
      << rule.name;

  const CheckResult triggered = check_files({directory + "/triggers.yaml"});
  EXPECT_GE(count_rule(triggered, rule.id), 1u) << rule.name;

  const CheckResult passed = check_files({directory + "/passes.yaml"});
  EXPECT_EQ(count_rule(passed, rule.id), 0u) << rule.name;
  for (const Finding& finding : passed.findings) {
    EXPECT_EQ(finding.severity, Severity::kInfo)
        << rule.name << ": " << rule_id_name(finding.rule) << ": " << finding.message;
  }
}

INSTANTIATE_TEST_SUITE_P(Rules, EveryRule, ::testing::Range(0, kRuleCount),
                         [](const ::testing::TestParamInfo<int>& param_info) {
                           std::string name = all_rules()[param_info.param].name;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

TEST(Rules, TableIsInRuleIdOrderWithUniqueNamesAndADocPage) {
  for (int i = 0; i < kRuleCount; ++i) {
    const RuleInfo& rule = all_rules()[i];
    EXPECT_EQ(static_cast<int>(rule.id), i);
    EXPECT_EQ(find_rule(rule.name), &rule);
    EXPECT_TRUE(std::filesystem::exists(
        testing::source_path(std::string("docs/rules/") + rule.name + ".md")))
        << rule.name;
  }
}

TEST(Rules, SeedManifestsGetNoErrorOrWarning) {
  const CheckResult result =
      check_files({"examples/seed/deployment.yaml", "examples/seed/pod.yaml",
                   "examples/seed/service-cluster.yaml", "examples/seed/service-eni.yaml",
                   "examples/seed/service-local.yaml"});
  for (const Finding& finding : result.findings) {
    EXPECT_EQ(finding.severity, Severity::kInfo)
        << rule_id_name(finding.rule) << ": " << finding.message;
  }
}

TEST(Rules, FindingsNameFileLineObjectAndFieldPath) {
  const CheckResult result =
      check_files({"src/lint/testdata/rules/rollout-cannot-progress/triggers.yaml"});
  ASSERT_EQ(result.findings.size(), 1u);
  const Finding& finding = result.findings[0];
  EXPECT_EQ(finding.object.describe(), "Deployment shop/web");
  EXPECT_EQ(finding.field_path, "spec.strategy.rollingUpdate.maxUnavailable");
  EXPECT_EQ(finding.line, 16);
  EXPECT_FALSE(finding.fix.empty());
}

constexpr const char* kLocalService = R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
)";

std::string deployment_with_prestop(const std::string& hook, int grace) {
  return R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: )" +
         std::to_string(grace) + R"(
      containers:
      - name: web
        image: web:1
        ports: [{containerPort: 8080}]
        readinessProbe: {tcpSocket: {port: 8080}}
        lifecycle: {preStop: )" +
         hook + R"(}
)";
}

TEST(Rules, PreStopMustCoverProxySyncPlusBalancerWhenTheBalancerTracksPodsOrNodes) {
  const std::string manifests =
      deployment_with_prestop("{sleep: {seconds: 18}}", 60) + "---" + kLocalService;
  EXPECT_EQ(count_rule(check_text(manifests), RuleId::kPreStopShorterThanPropagation),
            1u);  // 18 < 5 + 15
  CheckOptions fast_balancer;
  fast_balancer.lb_deregistration_delay = std::chrono::seconds(10);
  EXPECT_EQ(
      count_rule(check_text(manifests, fast_balancer), RuleId::kPreStopShorterThanPropagation), 0u);
}

TEST(Rules, ClusterPolicyNeedsOnlyProxySync) {
  std::string service = kLocalService;
  service.replace(service.find("Local"), 5, "Cluster");
  const std::string manifests =
      deployment_with_prestop(R"({exec: {command: ["sleep", "6"]}})", 60) + "---" + service;
  EXPECT_EQ(count_rule(check_text(manifests), RuleId::kPreStopShorterThanPropagation), 0u);
}

TEST(Rules, GracePeriodWarnsBelowTheDrainMarginAndErrsAtThePreStop) {
  const std::string hook = "{sleep: {seconds: 25}}";
  const CheckResult tight = check_text(deployment_with_prestop(hook, 30) + "---" + kLocalService);
  ASSERT_EQ(count_rule(tight, RuleId::kGracePeriodTooShort), 1u);
  const CheckResult cut = check_text(deployment_with_prestop(hook, 25) + "---" + kLocalService);
  ASSERT_EQ(count_rule(cut, RuleId::kGracePeriodTooShort), 1u);
  for (const Finding& finding : tight.findings) {
    if (finding.rule == RuleId::kGracePeriodTooShort) {
      EXPECT_EQ(finding.severity, Severity::kWarning);
    }
  }
  for (const Finding& finding : cut.findings) {
    if (finding.rule == RuleId::kGracePeriodTooShort) {
      EXPECT_EQ(finding.severity, Severity::kError);
    }
  }
}

TEST(Rules, UnknownPreStopLengthSkipsTheTimingRules) {
  const std::string manifests =
      deployment_with_prestop(R"({httpGet: {path: /drain, port: 8080}})", 5) + "---" +
      kLocalService;
  const CheckResult result = check_text(manifests);
  EXPECT_EQ(count_rule(result, RuleId::kGracePeriodTooShort), 0u);
  EXPECT_EQ(count_rule(result, RuleId::kPreStopShorterThanPropagation), 0u);
  EXPECT_EQ(count_rule(result, RuleId::kPreStopMissing), 0u);
}

TEST(Rules, EniServiceIsExemptFromTheLocalPolicyRule) {
  const std::string deployment = R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  strategy: {rollingUpdate: {maxUnavailable: 1}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1}]
)";
  std::string eni = kLocalService;
  eni.replace(eni.find("metadata: {name: web}"), 21,
              "metadata: {name: web, annotations: {service.beta.kubernetes.io/backend-type: eni}}");
  EXPECT_EQ(
      count_rule(check_text(deployment + "---" + kLocalService), RuleId::kLocalPolicyRolloutDrops),
      1u);
  EXPECT_EQ(count_rule(check_text(deployment + "---" + eni), RuleId::kLocalPolicyRolloutDrops), 0u);
}

TEST(Rules, DefaultFencepostsWithOneReplicaAreSafe) {
  // 25% of 1: surge rounds up to 1, unavailable down to 0.
  const std::string deployment = R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1}]
)";
  EXPECT_EQ(count_rule(check_text(deployment), RuleId::kRolloutGuaranteedOutage), 0u);
}

TEST(Rules, SurgeThatRoundsToZeroMakesOneUnavailable) {
  // maxSurge 0 and maxUnavailable 10% of 1 both resolve to 0, so Kubernetes allows 1 unavailable.
  const std::string deployment = R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 10%}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1}]
)";
  EXPECT_EQ(count_rule(check_text(deployment), RuleId::kRolloutGuaranteedOutage), 1u);
}

TEST(Rules, AServiceAloneInItsFilesIsNotSaidToSelectNothing) {
  EXPECT_EQ(count_rule(check_text(kLocalService), RuleId::kServiceSelectsNothing), 0u);
}

TEST(Rules, ServicesLinkOnlyWithinTheirNamespace) {
  const std::string manifests = deployment_with_prestop("{sleep: {seconds: 25}}", 60) + R"(
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: other}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: other}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: api:1}]
)";
  EXPECT_EQ(count_rule(check_text(manifests), RuleId::kServiceSelectsNothing), 1u);
}

TEST(Rules, BudgetWithPercentMaxUnavailableRoundsUp) {
  // 10% of 3 pods rounds up to 1: one eviction at a time is allowed.
  const std::string manifests = deployment_with_prestop("{sleep: {seconds: 25}}", 60) + R"(
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 10%
  selector: {matchExpressions: [{key: app, operator: In, values: [web]}]}
)";
  EXPECT_EQ(count_rule(check_text(manifests), RuleId::kPdbBlocksEviction), 0u);
  std::string blocking = manifests;
  blocking.replace(blocking.find("10%"), 3, "0");
  EXPECT_EQ(count_rule(check_text(blocking), RuleId::kPdbBlocksEviction), 1u);
}

}  // namespace
}  // namespace nodrop::lint
