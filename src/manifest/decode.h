// Node trees into typed api objects, the way the API server decodes a request: every field nodrop
// knows is read with its type checked; a Kubernetes field nodrop does not act on (volumes,
// securityContext, resources, ...) is a warning naming its path; a field nobody knows is an
// "unknown field" warning (an error under --strict, as `kubectl apply --validate=strict`).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "api/field_error.h"
#include "api/object.h"
#include "manifest/node.h"

namespace nodrop::manifest {

// Where each field of an object was written: field path -> line.
class SourceMap {
 public:
  void record(const std::string& path, int line) { lines_.emplace(path, line); }
  // The line of path, or of its nearest recorded parent; 0 when nothing is known.
  int line_of(const std::string& path) const;

 private:
  std::map<std::string, int> lines_;
};

struct DecodeResult {
  // Absent when the kind is not one nodrop runs or its identity is missing; present, with the
  // fields that failed left at their zero values, when there are field errors.
  std::optional<api::Object> object;
  std::string api_version;
  std::string kind;
  std::string name;  // metadata.name as written, for messages even when decoding failed
  std::string namespace_name;
  bool unsupported_kind = false;  // a well-formed object of a kind nodrop does not run
  api::FieldErrors errors;
  api::FieldErrors warnings;
  SourceMap lines;
};

// Whether DecodeResult::lines is filled: for messages that name a file's lines.
enum class SourceLines : std::uint8_t { kRecord, kSkip };

// budget_bytes: what the typed object may take in list items (field_reader.h); shared by the
// objects of one file, null for no bound.
DecodeResult decode_object(const Node& root, std::size_t* budget_bytes = nullptr,
                           SourceLines lines = SourceLines::kRecord);

// The decoding budget of a file of this many bytes: 64 times its size, at least 64 MiB. Real
// manifests take a fraction of it; "containers: [{}, {}, ...]" would take 550 times its size.
std::size_t decode_budget_for(std::size_t file_bytes);

}  // namespace nodrop::manifest
