// nodrop check [flags] FILE|DIR|-...
//
// Rollout-safety lint for any Kubernetes manifests (docs/rules/). Reads files, directories
// (every *.yaml, *.yml and *.json below, in name order) and standard input ("-"). Exit status:
// 0 when no finding reaches --fail-on, 1 when one does, 2 when the command line is wrong or an
// input cannot be read or parsed (the message names the file and line).
#include "lint/check.h"

#include <algorithm>
#include <iostream>
#include <new>

#include "base/flags.h"
#include "cli/manifest_inputs.h"
#include "cli/verbs_list.h"
#include "lint/corpus.h"
#include "lint/prestop.h"
#include "lint/report.h"
#include "live/terminal.h"
#include "manifest/file_reader.h"

namespace nodrop::cli {
namespace {

constexpr const char* kUsage =
    "usage: nodrop check [flags] FILE|DIR|-...\n"
    "  --format text|json|sarif       output format (default text)\n"
    "  --fail-on error|warning|info|none\n"
    "                                 exit 1 when a finding is at least this severe (default "
    "warning)\n"
    "  --color auto|always|never      colour the text (default auto: when stdout is a terminal)\n"
    "  --proxy-sync DURATION          endpoint removal to every kube-proxy reprogrammed (default "
    "5s)\n"
    "  --lb-deregistration-delay DURATION\n"
    "                                 endpoint removal to the load balancer no longer sending to "
    "the\n"
    "                                 pod or its node (default 15s)\n"
    "  --drain-margin DURATION        what the app needs after SIGTERM to finish requests (default "
    "10s)\n"
    "Suppress a rule for one object with the annotation nodrop.dev/ignore: \"rule-id,rule-id\".\n";

enum class ColorMode { kAuto, kAlways, kNever };

struct Flags {
  lint::CheckOptions check;
  lint::OutputFormat format = lint::OutputFormat::kText;
  std::optional<lint::Severity> fail_on = lint::Severity::kWarning;  // nullopt: never fail
  ColorMode color = ColorMode::kAuto;
  std::vector<std::string> inputs;
};

// Parses argv into flags; an error message when the command line is wrong.
Result<Flags> parse_flags(const Args& args) {
  Flags flags;
  FlagReader reader(args);
  // A duration in whole seconds, as the rules reason about Kubernetes' seconds.
  const auto duration = [&](std::chrono::seconds& out) -> Status {
    Result<std::chrono::nanoseconds> value =
        reader.duration(std::chrono::seconds(0), std::chrono::hours(24));
    if (value) out = std::chrono::duration_cast<std::chrono::seconds>(*value);
    return value.status();
  };
  while (reader.next()) {
    if (!reader.at_flag()) {
      flags.inputs.push_back(reader.argument());
      continue;
    }
    Status status;
    if (reader.is("--format", "-o")) {
      Result<lint::OutputFormat> format = reader.parsed(lint::parse_output_format);
      if (format) flags.format = *format;
      status = format.status();
    } else if (reader.is("--fail-on")) {
      Result<std::string> text = reader.value();
      if (!text) {
        status = text.status();
      } else if (*text == "none") {
        flags.fail_on.reset();
      } else if (Result<lint::Severity> severity = lint::parse_severity(*text); severity) {
        flags.fail_on = *severity;
      } else {
        status = reader.error("must be error, warning, info or none");
      }
    } else if (reader.is("--color")) {
      Result<std::string> text = reader.value();
      if (!text) {
        status = text.status();
      } else if (*text == "auto") {
        flags.color = ColorMode::kAuto;
      } else if (*text == "always") {
        flags.color = ColorMode::kAlways;
      } else if (*text == "never") {
        flags.color = ColorMode::kNever;
      } else {
        status = reader.error("must be auto, always or never");
      }
    } else if (reader.is("--proxy-sync")) {
      status = duration(flags.check.proxy_sync);
    } else if (reader.is("--lb-deregistration-delay")) {
      status = duration(flags.check.lb_deregistration_delay);
    } else if (reader.is("--drain-margin")) {
      status = duration(flags.check.drain_margin);
    } else {
      status = reader.unknown();
    }
    if (!status.is_ok()) return status;
  }
  if (flags.inputs.empty()) return invalid_argument("no files given");
  return flags;
}

}  // namespace

int run_check(const Args& args, std::ostream& out, std::ostream& err) {
  if (std::find(args.begin(), args.end(), "--help") != args.end() ||
      std::find(args.begin(), args.end(), "-h") != args.end()) {
    out << kUsage;
    return kExitOk;
  }
  Result<Flags> flags = parse_flags(args);
  if (!flags.is_ok()) {
    err << "nodrop check: " << flags.status().message() << "\n" << kUsage;
    return kExitUsage;
  }
  Result<ManifestFiles> expanded = expand_manifest_inputs(flags->inputs);
  if (!expanded.is_ok()) {
    err << "nodrop check: " << expanded.status().message() << "\n";
    return kExitUsage;
  }

  // A file that cannot be read or parsed is named at once; the others are still checked, so one
  // broken file does not hide every finding. The exit status is then 2.
  lint::Corpus corpus;
  bool unreadable_input = false;
  const std::vector<std::string>& files = expanded->files;
  for (const std::string& file : files) {
    const std::string name = file == "-" ? "<stdin>" : file;
    Result<std::string> text =
        file == "-" ? manifest::read_manifest_stream(std::cin) : manifest::read_manifest_file(file);
    if (!text.is_ok()) {
      err << "nodrop check: " << name << ": " << text.status().message() << "\n";
      unreadable_input = true;
      continue;
    }
    Status status;
    try {
      status = lint::add_manifest_text(corpus, *text, name);
    } catch (const std::bad_alloc&) {
      // The reader's bounds keep a file's tree within a small multiple of the file; a machine short
      // of even that gets an error naming the file instead of an abort.
      status =
          Status(StatusCode::kResourceExhausted, name + ": not enough memory to check the file");
    }
    if (!status.is_ok()) {
      err << "nodrop check: " << status.message() << "\n";
      unreadable_input = true;
    }
  }

  const lint::CheckResult result = lint::check(corpus, flags->check);
  lint::ReportOptions report;
  report.format = flags->format;
  switch (flags->color) {
    case ColorMode::kAuto:
      report.color = &out == &std::cout && live::stdout_is_terminal();
      break;
    case ColorMode::kAlways:
      report.color = true;
      break;
    case ColorMode::kNever:
      report.color = false;
      break;
  }
  report.tool_version = NODROP_VERSION;
  const lint::ReportSummary summary{files.size(), corpus.objects, corpus.checked(), corpus.skipped};
  out << lint::render_report(result, summary, report);

  if (unreadable_input) return kExitUsage;
  if (!flags->fail_on.has_value()) return kExitOk;
  const bool fails = std::any_of(
      result.findings.begin(), result.findings.end(),
      [&](const lint::Finding& finding) { return finding.severity <= *flags->fail_on; });
  return fails ? kExitFailure : kExitOk;
}

}  // namespace nodrop::cli
