#include "lint/report.h"

#include <fmt/format.h>

#include "manifest/node.h"
#include "manifest/writer.h"

namespace nodrop::lint {
namespace {

using manifest::Node;

constexpr const char* kReset = "\x1b[0m";
constexpr const char* kBold = "\x1b[1m";

const char* severity_color(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "\x1b[1;31m";
    case Severity::kWarning:
      return "\x1b[1;33m";
    case Severity::kInfo:
      return "\x1b[36m";
  }
  NODROP_CHECK(false);
  return "";
}

// SARIF levels: error, warning, note.
const char* sarif_level(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "note";
  }
  NODROP_CHECK(false);
  return "";
}

struct Counts {
  std::size_t errors = 0;
  std::size_t warnings = 0;
  std::size_t infos = 0;
};

Counts count(const CheckResult& result) {
  Counts counts;
  for (const Finding& finding : result.findings) {
    switch (finding.severity) {
      case Severity::kError:
        ++counts.errors;
        break;
      case Severity::kWarning:
        ++counts.warnings;
        break;
      case Severity::kInfo:
        ++counts.infos;
        break;
    }
  }
  return counts;
}

std::string plural(std::size_t count, const char* word) {
  return fmt::format("{} {}{}", count, word, count == 1 ? "" : "s");
}

std::string indent(const std::string& text, const std::string& prefix) {
  std::string out = prefix;
  for (char c : text) {
    out += c;
    if (c == '\n') out += prefix;
  }
  return out;
}

std::string render_text(const CheckResult& result, const ReportSummary& summary,
                        const ReportOptions& options) {
  auto paint = [&](const char* color, const std::string& text) {
    return options.color ? std::string(color) + text + kReset : text;
  };
  std::string out;
  std::string group;
  for (const Finding& finding : result.findings) {
    const std::string object = finding.object.describe();
    const std::string key = finding.file + "\n" + object;
    if (key != group) {
      if (!group.empty()) out += "\n";
      group = key;
      out += paint(kBold, fmt::format("{}: {}", finding.file, object)) + "\n";
    }
    out += fmt::format("  {}:{}: {} [{}] {}\n", finding.file, finding.line,
                       paint(severity_color(finding.severity), severity_name(finding.severity)),
                       rule_id_name(finding.rule), finding.field_path);
    out += indent(finding.message, "    ") + "\n";
    if (!finding.fix.empty()) {
      out += "    fix:\n" + indent(finding.fix, "      ") + "\n";
    }
  }
  if (!result.findings.empty()) out += "\n";
  const Counts counts = count(result);
  out += fmt::format("{} checked in {} ({} of other kinds skipped): {}, {}, {}",
                     plural(summary.checked, "object"), plural(summary.files, "file"),
                     summary.skipped, plural(counts.errors, "error"),
                     plural(counts.warnings, "warning"), plural(counts.infos, "info"));
  if (result.suppressed > 0) out += fmt::format(", {} suppressed by annotation", result.suppressed);
  return out + "\n";
}

Node str(const std::string& text) { return Node::string(text); }
Node integer(std::size_t value) { return Node::integer(static_cast<std::int64_t>(value)); }

std::string render_json(const CheckResult& result, const ReportSummary& summary) {
  Node findings = Node::sequence();
  for (const Finding& finding : result.findings) {
    Node item = Node::mapping();
    item.set("rule", str(rule_id_name(finding.rule)));
    item.set("severity", str(severity_name(finding.severity)));
    Node object = Node::mapping();
    object.set("kind", str(finding.object.kind));
    object.set("namespace", str(finding.object.namespace_name));
    object.set("name", str(finding.object.name));
    item.set("object", std::move(object));
    item.set("file", str(finding.file));
    item.set("line", Node::integer(finding.line));
    item.set("fieldPath", str(finding.field_path));
    item.set("message", str(finding.message));
    item.set("fix", str(finding.fix));
    findings.push(std::move(item));
  }
  const Counts counts = count(result);
  Node totals = Node::mapping();
  totals.set("files", integer(summary.files));
  totals.set("objects", integer(summary.objects));
  totals.set("checked", integer(summary.checked));
  totals.set("skipped", integer(summary.skipped));
  totals.set("errors", integer(counts.errors));
  totals.set("warnings", integer(counts.warnings));
  totals.set("infos", integer(counts.infos));
  totals.set("suppressed", integer(result.suppressed));
  Node root = Node::mapping();
  root.set("findings", std::move(findings));
  root.set("summary", std::move(totals));
  return manifest::write_json(root) + "\n";
}

Node text_node(const std::string& text) {
  Node node = Node::mapping();
  node.set("text", str(text));
  return node;
}

std::string render_sarif(const CheckResult& result, const ReportOptions& options) {
  Node rules = Node::sequence();
  for (int i = 0; i < kRuleCount; ++i) {
    const RuleInfo& rule = all_rules()[i];
    Node item = Node::mapping();
    item.set("id", str(rule.name));
    item.set("name", str(rule.name));
    item.set("shortDescription", text_node(rule.summary));
    // SARIF's helpUri must be an absolute URI; the page's path in the repository goes in help.
    item.set("help", text_node(std::string("The failure this rule prevents and the fix: ") +
                               options.rules_path + rule.name + ".md"));
    Node configuration = Node::mapping();
    configuration.set("level", str(sarif_level(rule.severity)));
    item.set("defaultConfiguration", std::move(configuration));
    rules.push(std::move(item));
  }
  Node driver = Node::mapping();
  driver.set("name", str("nodrop"));
  driver.set("version", str(options.tool_version));
  driver.set("rules", std::move(rules));
  Node tool = Node::mapping();
  tool.set("driver", std::move(driver));

  Node results = Node::sequence();
  for (const Finding& finding : result.findings) {
    Node item = Node::mapping();
    item.set("ruleId", str(rule_id_name(finding.rule)));
    item.set("ruleIndex", Node::integer(static_cast<int>(finding.rule)));
    item.set("level", str(sarif_level(finding.severity)));
    std::string message =
        finding.object.describe() + ": " + finding.field_path + ": " + finding.message;
    if (!finding.fix.empty()) message += "\nFix:\n" + finding.fix;
    item.set("message", text_node(message));
    Node artifact = Node::mapping();
    artifact.set("uri", str(finding.file));
    Node region = Node::mapping();
    region.set("startLine", Node::integer(finding.line > 0 ? finding.line : 1));  // SARIF: >= 1
    Node physical = Node::mapping();
    physical.set("artifactLocation", std::move(artifact));
    physical.set("region", std::move(region));
    Node logical = Node::mapping();
    logical.set("fullyQualifiedName", str(finding.object.describe() + "." + finding.field_path));
    Node logicals = Node::sequence();
    logicals.push(std::move(logical));
    Node location = Node::mapping();
    location.set("physicalLocation", std::move(physical));
    location.set("logicalLocations", std::move(logicals));
    Node locations = Node::sequence();
    locations.push(std::move(location));
    item.set("locations", std::move(locations));
    results.push(std::move(item));
  }
  Node run = Node::mapping();
  run.set("tool", std::move(tool));
  run.set("results", std::move(results));
  Node runs = Node::sequence();
  runs.push(std::move(run));
  Node root = Node::mapping();
  root.set("$schema", str("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                          "sarif-schema-2.1.0.json"));
  root.set("version", str("2.1.0"));
  root.set("runs", std::move(runs));
  return manifest::write_json(root) + "\n";
}

}  // namespace

Result<OutputFormat> parse_output_format(std::string_view text) {
  if (text == "text") return OutputFormat::kText;
  if (text == "json") return OutputFormat::kJson;
  if (text == "sarif") return OutputFormat::kSarif;
  return invalid_argument("format must be text, json or sarif, not \"" + std::string(text) + "\"");
}

std::string render_report(const CheckResult& result, const ReportSummary& summary,
                          const ReportOptions& options) {
  switch (options.format) {
    case OutputFormat::kText:
      return render_text(result, summary, options);
    case OutputFormat::kJson:
      return render_json(result, summary);
    case OutputFormat::kSarif:
      return render_sarif(result, options);
  }
  NODROP_CHECK(false);
  return "";
}

}  // namespace nodrop::lint
