#include "manifest/load.h"

#include <fmt/format.h>

#include <algorithm>
#include <new>

#include "api/defaults.h"
#include "api/validation.h"
#include "manifest/yaml_reader.h"

namespace nodrop::manifest {
namespace {

std::string object_name(const DecodeResult& decoded) {
  std::string kind = decoded.kind.empty() ? "object" : decoded.kind;
  std::string name = decoded.name.empty() ? "(unnamed)" : decoded.name;
  if (decoded.kind != "Node" && !decoded.kind.empty()) {
    name = (decoded.namespace_name.empty() ? "default" : decoded.namespace_name) + "/" + name;
  }
  return kind + " " + name;
}

bool is_under_any(const std::string& path, const api::FieldErrors& errors) {
  for (const api::FieldError& error : errors) {
    if (path == error.path) return true;
    if (path.size() > error.path.size() && path.compare(0, error.path.size(), error.path) == 0 &&
        (path[error.path.size()] == '.' || path[error.path.size()] == '[')) {
      return true;
    }
  }
  return false;
}

class FileLoader {
 public:
  FileLoader(const std::string& file, const LoadOptions& options, std::size_t file_bytes)
      : file_(file), options_(options), budget_bytes_(decode_budget_for(file_bytes)) {}

  void load_document(const Node& root, int document_index) {
    if (root.is_null()) return;  // an empty document, as between two "---"
    const Node* kind = root.is_mapping() ? root.find("kind") : nullptr;
    if (kind != nullptr && kind->type() == Node::Type::kString && kind->text() == "List") {
      load_list(root, document_index);
      return;
    }
    load_object(root, document_index);
  }

  LoadResult finish() {
    if (result_.has_errors() || errors_not_shown_ > 0) result_.objects.clear();
    std::stable_sort(result_.diagnostics.begin(), result_.diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    if (errors_not_shown_ + warnings_not_shown_ > 0) {
      // Counted as one error when any of them is one, so the file's verdict stays right.
      result_.diagnostics.push_back({errors_not_shown_ > 0 ? Severity::kError : Severity::kWarning,
                                     file_, 0, "",
                                     fmt::format("{} more errors and {} more warnings not shown",
                                                 errors_not_shown_, warnings_not_shown_)});
    }
    return std::move(result_);
  }

  void file_error(const std::string& message, int line) {
    add({Severity::kError, file_, line, "", message});
  }

 private:
  void load_list(const Node& root, int document_index) {
    const Node* items = root.find("items");
    if (items == nullptr || items->is_null()) return;
    if (!items->is_sequence()) {
      file_error(fmt::format("items: must be a list, not {}", items->type_name()),
                 items->mark.line);
      return;
    }
    for (const Node& item : items->items()) load_object(item, document_index);
  }

  void load_object(const Node& root, int document_index) {
    DecodeResult decoded = decode_object(root, &budget_bytes_);
    const std::string name = object_name(decoded);
    auto report = [&](Severity severity, const api::FieldError& error) {
      add({severity, file_, decoded.lines.line_of(error.path), name, error.to_string()});
    };
    if (decoded.unsupported_kind) {
      ++result_.skipped_kinds;
      add({options_.strict ? Severity::kError : Severity::kWarning, file_, root.mark.line, name,
           fmt::format("kind {} ({}) is not one nodrop runs; skipped", decoded.kind,
                       decoded.api_version)});
      return;
    }
    for (const api::FieldError& error : decoded.errors) report(Severity::kError, error);
    for (const api::FieldError& warning : decoded.warnings) {
      const bool unknown = warning.type == api::FieldErrorType::kUnknown;
      report(unknown && options_.strict ? Severity::kError : Severity::kWarning, warning);
    }
    if (!decoded.object.has_value()) return;
    api::Object object = std::move(*decoded.object);
    api::set_defaults(object);
    // Validate even after a decoding error, so a file's mistakes show at once; a field that could
    // not be decoded is reported once, not again as "Required value".
    const api::FieldErrors errors = api::validate(object);
    for (const api::FieldError& error : errors) {
      if (!is_under_any(error.path, decoded.errors)) report(Severity::kError, error);
    }
    if (errors.empty() && decoded.errors.empty()) {
      result_.objects.push_back(LoadedObject{std::move(object), file_, document_index,
                                             root.mark.line, std::move(decoded.lines)});
    }
  }

  // Diagnostics beyond kMaxDiagnostics are counted, not kept: a file of a million mistakes must
  // not take a million messages' memory. The count is reported at the end.
  static constexpr std::size_t kMaxDiagnostics = 1000;
  void add(Diagnostic diagnostic) {
    if (result_.diagnostics.size() < kMaxDiagnostics) {
      result_.diagnostics.push_back(std::move(diagnostic));
    } else if (diagnostic.severity == Severity::kError) {
      ++errors_not_shown_;
    } else {
      ++warnings_not_shown_;
    }
  }

  std::string file_;
  LoadOptions options_;
  std::size_t budget_bytes_;
  LoadResult result_;
  std::size_t errors_not_shown_ = 0;
  std::size_t warnings_not_shown_ = 0;
};

}  // namespace

std::string Diagnostic::to_string() const {
  std::string text = file;
  if (line > 0) text += fmt::format(":{}", line);
  text += ": ";
  if (severity == Severity::kWarning) text += "warning: ";
  if (!object.empty()) text += object + ": ";
  return text + message;
}

bool LoadResult::has_errors() const { return error_count() > 0; }

std::size_t LoadResult::error_count() const {
  std::size_t count = 0;
  for (const Diagnostic& diagnostic : diagnostics) count += diagnostic.severity == Severity::kError;
  return count;
}

std::size_t LoadResult::warning_count() const { return diagnostics.size() - error_count(); }

LoadResult load_manifest_text(const std::string& text, const std::string& file_name,
                              const LoadOptions& options) {
  FileLoader loader(file_name, options, text.size());
  if (text.size() > kMaxManifestBytes) {
    loader.file_error(fmt::format("file is larger than {} MiB", kMaxManifestBytes / (1024 * 1024)),
                      0);
    return loader.finish();
  }
  try {
    YamlDocuments documents = read_yaml_stream(text);
    if (!documents.is_ok()) {
      loader.file_error(documents.error().describe(), documents.error().line);
      return loader.finish();
    }
    for (const Document& document : *documents) loader.load_document(document.root, document.index);
    return loader.finish();
  } catch (const std::bad_alloc&) {
    // The reader's bounds keep a file's tree within a small multiple of the file; a machine short
    // of even that gets an error naming the file instead of an abort. Unwinding freed the tree.
    LoadResult result;
    result.diagnostics.push_back(
        {Severity::kError, file_name, 0, "", "not enough memory to check the file"});
    return result;
  }
}

LoadResult load_manifest_file(const std::string& path, const LoadOptions& options) {
  Result<std::string> text = read_manifest_file(path);
  if (!text.is_ok()) {
    LoadResult result;
    result.diagnostics.push_back({Severity::kError, path, 0, "", text.status().message()});
    return result;
  }
  return load_manifest_text(*text, path, options);
}

}  // namespace nodrop::manifest
