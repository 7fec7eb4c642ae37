// Manifest files into validated, defaulted api objects, the way `kubectl apply` takes them:
// multi-document YAML or JSON, `kind: List` unpacked, every error of a file reported at once.
//
// Messages name the file, the line, the object and the field path:
//   deploy.yaml:14: Deployment default/web: spec.strategy.rollingUpdate.maxUnavailable: Invalid
//   value: 0: may not be 0 when maxSurge is 0
//
// A file with any error yields no objects: nothing of it may be applied.
#pragma once

#include <string>
#include <vector>

#include "api/object.h"
#include "manifest/decode.h"
#include "manifest/file_reader.h"

namespace nodrop::manifest {

struct LoadOptions {
  // Unknown fields and kinds nodrop does not run are errors instead of warnings.
  bool strict = false;
};

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;
  int line = 0;         // 0 when unknown
  std::string object;   // "Deployment default/web"; empty for problems of the file itself
  std::string message;  // "spec.replicas: Invalid value: -1: must be greater than or equal to 0"

  std::string to_string() const;
};

struct LoadedObject {
  api::Object object;  // defaulted and valid
  std::string file;
  int document_index = 0;  // position in the file's stream (items of a List share their List's)
  int line = 0;            // where the object starts
  SourceMap lines;
};

struct LoadResult {
  std::vector<LoadedObject> objects;  // empty when the file has an error
  std::vector<Diagnostic> diagnostics;
  int skipped_kinds = 0;  // objects of kinds nodrop does not run

  bool has_errors() const;
  std::size_t error_count() const;
  std::size_t warning_count() const;
};

LoadResult load_manifest_text(const std::string& text, const std::string& file_name,
                              const LoadOptions& options);
// Reads the file with read_manifest_file (a missing, unreadable or too large file is one error
// diagnostic).
LoadResult load_manifest_file(const std::string& path, const LoadOptions& options);

}  // namespace nodrop::manifest
