// nodrop validate [--strict] [-o yaml|json] FILE|DIR...
//
// Reads manifests as `kubectl apply` would (defaults, then Kubernetes' validation) and prints every
// error and warning with file, line, object and field path. A directory stands for the manifests
// below it, as in `nodrop check` (cli/manifest_inputs.h); one without any is an error, as
// `kubectl apply -f` finds it. With -o, prints the defaulted objects back. Exit status: 0 valid,
// 1 any error, 2 bad command line.
#include <iostream>

#include "base/flags.h"
#include "cli/manifest_inputs.h"
#include "cli/verbs_list.h"
#include "manifest/encode.h"
#include "manifest/load.h"
#include "manifest/writer.h"

namespace nodrop::cli {
namespace {

constexpr const char* kUsage =
    "usage: nodrop validate [--strict] [-o yaml|json] FILE|DIR...\n"
    "  DIR           every *.yaml, *.yml and *.json file below it\n"
    "  --strict      unknown fields and kinds nodrop does not run are errors, not warnings\n"
    "  -o yaml|json  print the objects with Kubernetes' defaults filled in\n";

}  // namespace

int run_validate(const Args& args, std::ostream& out, std::ostream& err) {
  manifest::LoadOptions options;
  std::string output;
  std::vector<std::string> inputs;
  FlagReader flags(args);
  while (flags.next()) {
    if (!flags.at_flag()) {
      inputs.push_back(flags.argument());
      continue;
    }
    Status status;
    if (flags.is("-h", "--help")) {
      out << kUsage;
      return kExitOk;
    } else if (flags.is("--strict")) {
      status = flags.is_switch();
      options.strict = true;
    } else if (flags.is("-o", "--output")) {
      Result<std::string> value = flags.value();
      if (value && *value != "yaml" && *value != "json") {
        status = flags.error("must be yaml or json, not \"" + *value + "\"");
      } else if (value) {
        output = *value;
      } else {
        status = value.status();
      }
    } else {
      status = flags.unknown();
    }
    if (!status.is_ok()) {
      err << "nodrop validate: " << status.message() << "\n" << kUsage;
      return kExitUsage;
    }
  }
  if (inputs.empty()) {
    err << "nodrop validate: no files given\n" << kUsage;
    return kExitUsage;
  }

  const Result<ManifestFiles> expanded = expand_manifest_inputs(inputs);
  if (!expanded.is_ok()) {
    err << "nodrop validate: " << expanded.status().message() << "\n";
    return kExitFailure;
  }
  const std::vector<std::string>& files = expanded->files;
  std::size_t errors = 0;
  for (const std::string& directory : expanded->empty_directories) {
    err << directory << ": no *.yaml, *.yml or *.json file below the directory\n";
    ++errors;
  }
  std::size_t warnings = 0;
  std::size_t objects = 0;
  std::vector<manifest::Node> printed;
  for (const std::string& file : files) {
    const manifest::LoadResult result = manifest::load_manifest_file(file, options);
    for (const manifest::Diagnostic& diagnostic : result.diagnostics)
      err << diagnostic.to_string() << "\n";
    errors += result.error_count();
    warnings += result.warning_count();
    objects += result.objects.size();
    if (!output.empty()) {
      for (const manifest::LoadedObject& loaded : result.objects) {
        printed.push_back(manifest::encode_object(loaded.object));
      }
    }
  }
  if (output == "yaml") out << manifest::write_yaml_stream(printed);
  if (output == "json") {
    if (printed.size() == 1) {
      out << manifest::write_json(printed.front());
    } else {
      manifest::Node list = manifest::Node::mapping();
      list.set("apiVersion", manifest::Node::string("v1"));
      list.set("kind", manifest::Node::string("List"));
      manifest::Node items = manifest::Node::sequence();
      for (manifest::Node& node : printed) items.push(std::move(node));
      list.set("items", std::move(items));
      out << manifest::write_json(list);
    }
  }
  err << files.size() << (files.size() == 1 ? " file, " : " files, ") << objects
      << (objects == 1 ? " valid object, " : " valid objects, ") << errors
      << (errors == 1 ? " error, " : " errors, ") << warnings
      << (warnings == 1 ? " warning\n" : " warnings\n");
  return errors > 0 ? kExitFailure : kExitOk;
}

}  // namespace nodrop::cli
