// Findings into text for people, JSON for scripts, and SARIF 2.1.0 for code-scanning tools (the
// format kube-linter and kube-score also emit, so the three sit side by side).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "lint/check.h"

namespace nodrop::lint {

enum class OutputFormat { kText, kJson, kSarif };
Result<OutputFormat> parse_output_format(std::string_view text);

struct ReportSummary {
  std::size_t files = 0;
  std::size_t objects = 0;  // every object read
  std::size_t checked = 0;  // Deployments, ReplicaSets, Pods, Services, PodDisruptionBudgets
  std::size_t skipped = 0;  // other kinds
};

struct ReportOptions {
  OutputFormat format = OutputFormat::kText;
  bool color = false;  // ANSI colours in text; the caller decides (a terminal, or --color=always)
  // Where the rule pages are, for SARIF's rule help: docs/rules/<id>.md.
  std::string rules_path = "docs/rules/";
  std::string tool_version = "0.0.0";
};

// Text: findings grouped per object with their fix, then one summary line.
std::string render_report(const CheckResult& result, const ReportSummary& summary,
                          const ReportOptions& options);

}  // namespace nodrop::lint
