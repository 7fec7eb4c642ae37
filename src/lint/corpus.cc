#include "lint/corpus.h"

#include <fmt/format.h>

#include <cstdio>

#include "api/defaults.h"
#include "manifest/yaml_reader.h"

namespace nodrop::lint {
namespace {

using manifest::Node;

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\n");
  if (begin == std::string::npos) return "";
  const auto end = text.find_last_not_of(" \t\n");
  return text.substr(begin, end - begin + 1);
}

// "readiness-probe-missing, prestop-missing" or "all".
void read_ignore_annotation(const api::Labels& annotations, Source& source) {
  const auto found = annotations.find(kIgnoreAnnotation);
  if (found == annotations.end()) return;
  std::size_t start = 0;
  const std::string& value = found->second;
  while (start <= value.size()) {
    const auto comma = value.find(',', start);
    const std::string item =
        trim(value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (item == "all") source.ignore_all = true;
    if (!item.empty()) source.ignored_rules.insert(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

const Node* find_path(const Node& root, std::initializer_list<const char*> keys) {
  const Node* node = &root;
  for (const char* key : keys) {
    if (node == nullptr || !node->is_mapping()) return nullptr;
    node = node->find(key);
  }
  return node;
}

std::string scalar_text(const Node* node) {
  if (node == nullptr || !node->is_scalar() || node->is_null()) return "";
  return node->text();
}

class Reader {
 public:
  Reader(Corpus& corpus, const std::string& file, std::size_t file_bytes)
      : corpus_(corpus), file_(file), budget_bytes_(manifest::decode_budget_for(file_bytes)) {}

  Status add_document(const Node& root) {
    if (root.is_null()) return Status::ok();  // an empty document, as Helm leaves between "---"
    const Node* kind = root.is_mapping() ? root.find("kind") : nullptr;
    if (kind != nullptr && kind->type() == Node::Type::kString && kind->text() == "List") {
      const Node* items = root.find("items");
      if (items == nullptr || !items->is_sequence()) return Status::ok();
      for (const Node& item : items->items()) {
        if (Status status = add_object(item); !status.is_ok()) return status;
      }
      return Status::ok();
    }
    return add_object(root);
  }

 private:
  Status add_object(const Node& root) {
    if (++corpus_.objects > kMaxObjects) {
      return {StatusCode::kResourceExhausted, fmt::format("{}:{}: more than {} objects in one run",
                                                          file_, root.mark.line, kMaxObjects)};
    }
    const std::string kind = scalar_text(root.is_mapping() ? root.find("kind") : nullptr);
    const std::string api_version =
        scalar_text(root.is_mapping() ? root.find("apiVersion") : nullptr);
    if (kind == "PodDisruptionBudget" && api_version.rfind("policy/", 0) == 0) {
      add_budget(root);
      return Status::ok();
    }
    if (kind != "Deployment" && kind != "ReplicaSet" && kind != "Pod" && kind != "Service") {
      // CRDs, ConfigMaps, Ingresses, EndpointSlices, ... and documents that are not objects at
      // all (a Helm NOTES fragment): no rule reads them.
      ++corpus_.skipped;
      return Status::ok();
    }
    manifest::DecodeResult decoded = manifest::decode_object(root, &budget_bytes_);
    Source source;
    source.ref =
        ObjectRef{kind, decoded.namespace_name.empty() ? "default" : decoded.namespace_name,
                  decoded.name.empty() ? "(unnamed)" : decoded.name};
    source.file = file_;
    source.line = root.mark.line;
    if (!decoded.object.has_value() || !decoded.errors.empty()) {
      report_invalid(source, decoded);
      return Status::ok();
    }
    source.lines = std::move(decoded.lines);
    api::Object object = std::move(*decoded.object);
    api::set_defaults(object);
    read_ignore_annotation(api::metadata_of(object).annotations, source);
    if (auto* service = std::get_if<api::Service>(&object)) {
      corpus_.services.push_back(ServiceEntry{std::move(source), std::move(*service)});
      return Status::ok();
    }
    if (api::metadata_of(object).controller_ref() != nullptr) {
      // A ReplicaSet or Pod that a controller made (`kubectl get all -o yaml` dumps them): its
      // owner's template is checked; checking the copies would repeat every finding per pod.
      ++corpus_.skipped;
      return Status::ok();
    }
    Workload workload;
    workload.source = std::move(source);
    workload.kind = std::holds_alternative<api::Deployment>(object)   ? WorkloadKind::kDeployment
                    : std::holds_alternative<api::ReplicaSet>(object) ? WorkloadKind::kReplicaSet
                                                                      : WorkloadKind::kPod;
    workload.object = std::move(object);
    corpus_.workloads.push_back(std::move(workload));
    return Status::ok();
  }

  void report_invalid(const Source& source, const manifest::DecodeResult& decoded) {
    std::size_t reported = 0;
    for (const api::FieldError& error : decoded.errors) {
      if (reported == kMaxErrorsPerObject) {
        corpus_.invalid.back().message +=
            fmt::format(" (and {} more errors)", decoded.errors.size() - kMaxErrorsPerObject);
        break;
      }
      ++reported;
      Finding finding;
      finding.rule = RuleId::kInvalidObject;
      finding.severity = Severity::kError;
      finding.object = source.ref;
      finding.file = source.file;
      finding.line = decoded.lines.line_of(error.path);
      if (finding.line == 0) finding.line = source.line;
      finding.field_path = error.path;
      finding.message = error.to_string() + "; the object was not checked";
      corpus_.invalid.push_back(std::move(finding));
    }
  }

  void add_budget(const Node& root) {
    DisruptionBudget budget;
    Source& source = budget.source;
    source.file = file_;
    source.line = root.mark.line;
    source.lines.record("", root.mark.line);
    const std::string name = scalar_text(find_path(root, {"metadata", "name"}));
    const std::string namespace_name = scalar_text(find_path(root, {"metadata", "namespace"}));
    source.ref =
        ObjectRef{"PodDisruptionBudget", namespace_name.empty() ? "default" : namespace_name,
                  name.empty() ? "(unnamed)" : name};
    if (const Node* annotations = find_path(root, {"metadata", "annotations"});
        annotations != nullptr && annotations->is_mapping()) {
      api::Labels values;
      for (const Node::Entry& entry : annotations->entries())
        values[entry.key] = scalar_text(&entry.value);
      read_ignore_annotation(values, source);
    }
    const Node* spec = root.is_mapping() ? root.find("spec") : nullptr;
    if (spec == nullptr || !spec->is_mapping()) {
      ++corpus_.skipped;
      return;
    }
    for (const Node::Entry& entry : spec->entries()) {
      source.lines.record("spec." + entry.key, entry.key_mark.line);
    }
    auto int_or_string = [](const Node* node) -> std::optional<api::IntOrString> {
      if (node == nullptr || node->is_null()) return std::nullopt;
      if (node->type() == Node::Type::kInt)
        return api::IntOrString::from_int(static_cast<std::int32_t>(node->int_value()));
      if (node->type() == Node::Type::kString) return api::IntOrString::from_string(node->text());
      return std::nullopt;
    };
    budget.min_available = int_or_string(spec->find("minAvailable"));
    budget.max_unavailable = int_or_string(spec->find("maxUnavailable"));
    const Node* selector = spec->find("selector");
    if (selector == nullptr || !selector->is_mapping()) {
      // policy/v1: a null selector selects no pods; nothing to check.
      ++corpus_.skipped;
      return;
    }
    if (const Node* labels = selector->find("matchLabels");
        labels != nullptr && labels->is_mapping()) {
      for (const Node::Entry& entry : labels->entries()) {
        budget.selector.match_labels[entry.key] = scalar_text(&entry.value);
      }
    }
    if (const Node* expressions = selector->find("matchExpressions");
        expressions != nullptr && expressions->is_sequence()) {
      for (const Node& item : expressions->items()) {
        api::LabelSelectorRequirement requirement;
        requirement.key = scalar_text(item.is_mapping() ? item.find("key") : nullptr);
        const std::string op = scalar_text(item.is_mapping() ? item.find("operator") : nullptr);
        if (op == "In") {
          requirement.op = api::SelectorOperator::kIn;
        } else if (op == "NotIn") {
          requirement.op = api::SelectorOperator::kNotIn;
        } else if (op == "Exists") {
          requirement.op = api::SelectorOperator::kExists;
        } else if (op == "DoesNotExist") {
          requirement.op = api::SelectorOperator::kDoesNotExist;
        } else {
          ++corpus_.skipped;  // the API server would reject it; not this linter's subject
          return;
        }
        if (const Node* values = item.find("values"); values != nullptr && values->is_sequence()) {
          for (const Node& value : values->items())
            requirement.values.push_back(scalar_text(&value));
        }
        budget.selector.match_expressions.push_back(std::move(requirement));
      }
    }
    corpus_.budgets.push_back(std::move(budget));
  }

  Corpus& corpus_;
  const std::string& file_;
  std::size_t budget_bytes_;
};

}  // namespace

int Source::line_of(const std::string& path) const {
  const int found = lines.line_of(path);
  return found == 0 ? line : found;
}

bool Source::ignores(RuleId rule) const {
  return ignore_all || ignored_rules.count(rule_id_name(rule)) != 0;
}

const api::Labels& Workload::pod_labels() const {
  switch (kind) {
    case WorkloadKind::kDeployment:
      return std::get<api::Deployment>(object).spec.template_spec.metadata.labels;
    case WorkloadKind::kReplicaSet:
      return std::get<api::ReplicaSet>(object).spec.template_spec.metadata.labels;
    case WorkloadKind::kPod:
      return std::get<api::Pod>(object).metadata.labels;
  }
  NODROP_CHECK(false);
  return std::get<api::Pod>(object).metadata.labels;
}

const api::PodSpec& Workload::pod_spec() const {
  switch (kind) {
    case WorkloadKind::kDeployment:
      return std::get<api::Deployment>(object).spec.template_spec.spec;
    case WorkloadKind::kReplicaSet:
      return std::get<api::ReplicaSet>(object).spec.template_spec.spec;
    case WorkloadKind::kPod:
      return std::get<api::Pod>(object).spec;
  }
  NODROP_CHECK(false);
  return std::get<api::Pod>(object).spec;
}

const char* Workload::pod_spec_path() const {
  switch (kind) {
    case WorkloadKind::kDeployment:
    case WorkloadKind::kReplicaSet:
      return "spec.template.spec";
    case WorkloadKind::kPod:
      return "spec";
  }
  NODROP_CHECK(false);
  return "";
}

std::int32_t Workload::replicas() const {
  switch (kind) {
    case WorkloadKind::kDeployment:
      return std::get<api::Deployment>(object).spec.replicas.value_or(1);
    case WorkloadKind::kReplicaSet:
      return std::get<api::ReplicaSet>(object).spec.replicas.value_or(1);
    case WorkloadKind::kPod:
      return 1;
  }
  NODROP_CHECK(false);
  return 1;
}

Status add_manifest_text(Corpus& corpus, const std::string& text, const std::string& file) {
  manifest::YamlDocuments documents = manifest::read_yaml_stream(text);
  if (!documents.is_ok()) {
    const manifest::YamlError& error = documents.error();
    return invalid_argument(error.line > 0
                                ? fmt::format("{}:{}: {}", file, error.line, error.describe())
                                : fmt::format("{}: {}", file, error.describe()));
  }
  Reader reader(corpus, file, text.size());
  for (const manifest::Document& document : *documents) {
    if (Status status = reader.add_document(document.root); !status.is_ok()) return status;
  }
  return Status::ok();
}

}  // namespace nodrop::lint
