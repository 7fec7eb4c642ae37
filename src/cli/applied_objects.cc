#include "cli/applied_objects.h"

#include <fmt/format.h>

#include <iostream>

#include "cli/manifest_inputs.h"
#include "cli/node_paths.h"
#include "manifest/file_reader.h"
#include "manifest/load.h"
#include "manifest/yaml_reader.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

// The object's resource from its apiVersion and kind, and its name and namespace.
Result<AppliedObject> applied_object(const Node& root, const std::string& file) {
  AppliedObject object;
  object.file = file;
  const std::string api_version = text_at(root, {"apiVersion"});
  const std::string kind = text_at(root, {"kind"});
  const std::size_t slash = api_version.find('/');
  const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  const std::string version = api_version.substr(slash == std::string::npos ? 0 : slash + 1);
  object.resource = apiserver::resource_of_kind(group, kind);
  if (object.resource == nullptr || version != object.resource->version) {
    return invalid_argument(fmt::format("{}:{}: no matches for kind \"{}\" in version \"{}\"", file,
                                        root.mark.line, kind, api_version));
  }
  const Node* metadata = root.find("metadata");
  if (metadata != nullptr) {
    object.name = text_at(*metadata, {"name"});
    object.namespace_name = text_at(*metadata, {"namespace"});
  }
  if (object.name.empty()) {
    return invalid_argument(
        fmt::format("{}:{}: {}: metadata.name: Required value", file, root.mark.line, kind));
  }
  object.object = root;
  return object;
}

}  // namespace

Result<std::vector<AppliedObject>> read_applied_objects(const std::vector<std::string>& inputs,
                                                        std::ostream& err) {
  Result<ManifestFiles> expanded = expand_manifest_inputs(inputs);
  if (!expanded) return expanded.status();
  for (const std::string& directory : expanded->empty_directories) {
    return invalid_argument(directory + ": no *.yaml, *.yml or *.json file below the directory");
  }
  std::vector<AppliedObject> objects;
  std::size_t errors = 0;
  for (const std::string& path : expanded->files) {
    const std::string file = path == "-" ? "<stdin>" : path;
    Result<std::string> text =
        path == "-" ? manifest::read_manifest_stream(std::cin) : manifest::read_manifest_file(path);
    if (!text) return invalid_argument(file + ": " + text.status().message());
    const manifest::LoadResult loaded = manifest::load_manifest_text(*text, file, {});
    for (const manifest::Diagnostic& diagnostic : loaded.diagnostics) {
      if (diagnostic.severity == manifest::Severity::kError) {
        err << diagnostic.to_string() << "\n";
        ++errors;
      }
    }
    if (loaded.has_errors()) continue;
    manifest::YamlDocuments documents = manifest::read_yaml_stream(*text);
    if (!documents) {
      return invalid_argument(file + ":" + std::to_string(documents.error().line) + ": " +
                              documents.error().describe());
    }
    for (const manifest::Document& document : *documents) {
      if (document.root.is_null()) continue;
      std::vector<const Node*> roots;
      if (text_at(document.root, {"kind"}) == "List") {
        if (const Node* items = document.root.find("items"); items && items->is_sequence()) {
          for (const Node& item : items->items()) roots.push_back(&item);
        }
      } else {
        roots.push_back(&document.root);
      }
      for (const Node* root : roots) {
        Result<AppliedObject> object = applied_object(*root, file);
        if (!object) {
          err << object.status().message() << "\n";
          ++errors;
          continue;
        }
        objects.push_back(std::move(object).value());
      }
    }
  }
  if (errors > 0) {
    return invalid_argument(
        fmt::format("{} error{} in the files; nothing was sent", errors, errors == 1 ? "" : "s"));
  }
  return objects;
}

}  // namespace nodrop::cli
