#include "lint/report.h"

#include <gtest/gtest.h>

#include "lint/test_support.h"
#include "manifest/yaml_reader.h"

namespace nodrop::lint {
namespace {

using manifest::Node;

const Node& at(const Node& node, const char* key) {
  const Node* found = node.find(key);
  EXPECT_NE(found, nullptr) << "missing " << key;
  static const Node kNull;
  return found == nullptr ? kNull : *found;
}

CheckResult sample() {
  return testing::check_files({"src/lint/testdata/rules/rollout-cannot-progress/triggers.yaml",
                               "src/lint/testdata/rules/liveness-kills-slow-start/triggers.yaml"});
}

Node parse_json(const std::string& text) {
  manifest::YamlDocuments documents = manifest::read_yaml_stream(text);
  EXPECT_TRUE(documents.is_ok()) << documents.error().status().message();
  if (!documents.is_ok() || documents->empty()) return Node();
  return (*documents)[0].root;
}

// The fields SARIF 2.1.0's schema requires (version, runs, tool.driver.name, results[].message)
// plus the ones code-scanning services read (ruleId, level, locations with uri and startLine).
TEST(Report, SarifHasTheSchemaRequiredFields) {
  ReportOptions options;
  options.format = OutputFormat::kSarif;
  const Node root = parse_json(render_report(sample(), {}, options));
  EXPECT_EQ(at(root, "version").text(), "2.1.0");
  EXPECT_NE(at(root, "$schema").text().find("sarif-schema-2.1.0.json"), std::string::npos);
  const Node& runs = at(root, "runs");
  ASSERT_TRUE(runs.is_sequence());
  ASSERT_EQ(runs.items().size(), 1u);
  const Node& driver = at(at(runs.items()[0], "tool"), "driver");
  EXPECT_EQ(at(driver, "name").text(), "nodrop");
  const Node& rules = at(driver, "rules");
  ASSERT_EQ(rules.items().size(), static_cast<std::size_t>(kRuleCount));
  for (const Node& rule : rules.items()) {
    EXPECT_FALSE(at(rule, "id").text().empty());
    EXPECT_FALSE(at(at(rule, "shortDescription"), "text").text().empty());
    EXPECT_NE(
        at(at(rule, "help"), "text").text().find("docs/rules/" + at(rule, "id").text() + ".md"),
        std::string::npos);
  }
  const Node& results = at(runs.items()[0], "results");
  ASSERT_EQ(results.items().size(), 2u);
  for (const Node& result : results.items()) {
    const RuleInfo* rule = find_rule(at(result, "ruleId").text());
    ASSERT_NE(rule, nullptr);
    EXPECT_EQ(at(result, "ruleIndex").int_value(), static_cast<int>(rule->id));
    const std::string level = at(result, "level").text();
    EXPECT_TRUE(level == "error" || level == "warning" || level == "note") << level;
    EXPECT_FALSE(at(at(result, "message"), "text").text().empty());
    const Node& locations = at(result, "locations");
    ASSERT_EQ(locations.items().size(), 1u);
    const Node& physical = at(locations.items()[0], "physicalLocation");
    EXPECT_NE(at(at(physical, "artifactLocation"), "uri").text().find("triggers.yaml"),
              std::string::npos);
    EXPECT_GE(at(at(physical, "region"), "startLine").int_value(), 1);
  }
}

TEST(Report, JsonListsEveryFindingWithItsPlaceAndASummary) {
  ReportOptions options;
  options.format = OutputFormat::kJson;
  const Node root = parse_json(render_report(sample(), {2, 4, 4, 0}, options));
  const Node& findings = at(root, "findings");
  ASSERT_EQ(findings.items().size(), 2u);
  const Node& first = findings.items()[0];
  EXPECT_EQ(at(first, "rule").text(), "liveness-kills-slow-start");
  EXPECT_EQ(at(first, "severity").text(), "warning");
  EXPECT_EQ(at(at(first, "object"), "kind").text(), "Deployment");
  EXPECT_EQ(at(at(first, "object"), "namespace").text(), "shop");
  EXPECT_GT(at(first, "line").int_value(), 0);
  EXPECT_FALSE(at(first, "fix").text().empty());
  EXPECT_EQ(at(at(root, "summary"), "errors").int_value(), 1);
  EXPECT_EQ(at(at(root, "summary"), "files").int_value(), 2);
}

TEST(Report, TextGroupsFindingsPerObjectAndColoursOnlyWhenAsked) {
  ReportOptions options;
  const std::string plain = render_report(sample(), {2, 4, 4, 0}, options);
  EXPECT_EQ(plain.find("\x1b["), std::string::npos);
  EXPECT_NE(
      plain.find(
          "src/lint/testdata/rules/rollout-cannot-progress/triggers.yaml: Deployment shop/web\n"),
      std::string::npos);
  EXPECT_NE(
      plain.find("error [rollout-cannot-progress] spec.strategy.rollingUpdate.maxUnavailable"),
      std::string::npos);
  EXPECT_NE(plain.find("    fix:\n      strategy:\n"), std::string::npos);
  EXPECT_NE(
      plain.find(
          "4 objects checked in 2 files (0 of other kinds skipped): 1 error, 1 warning, 0 infos"),
      std::string::npos);
  options.color = true;
  EXPECT_NE(render_report(sample(), {}, options).find("\x1b[1;31merror\x1b[0m"), std::string::npos);
}

}  // namespace
}  // namespace nodrop::lint
