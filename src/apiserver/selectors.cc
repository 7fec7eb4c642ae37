#include "apiserver/selectors.h"

#include <algorithm>

#include "api/event.h"

namespace nodrop::apiserver {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// Splits at commas outside parentheses.
std::vector<std::string_view> split_requirements(std::string_view text) {
  std::vector<std::string_view> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    } else if (text[i] == '(') {
      ++depth;
    } else if (text[i] == ')') {
      --depth;
    }
  }
  return parts;
}

bool valid_label_key(std::string_view key) {
  if (key.empty() || key.size() > 316) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '/';
  });
}

bool valid_label_value(std::string_view value) {
  if (value.size() > 63) return false;
  return std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

Status selector_error(std::string_view text, const std::string& why) {
  return invalid_argument("unable to parse requirement: " + std::string(text) + ": " + why);
}

// "in (a, b)" after the key: the values.
Result<std::vector<std::string>> set_values(std::string_view rest, std::string_view whole) {
  rest = trim(rest);
  if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') {
    return selector_error(whole, "found '" + std::string(rest) + "', expected: '('");
  }
  std::vector<std::string> values;
  std::string_view inner = rest.substr(1, rest.size() - 2);
  while (true) {
    const auto comma = inner.find(',');
    const std::string_view value = trim(inner.substr(0, comma));
    if (!valid_label_value(value)) return selector_error(whole, "invalid label value");
    values.emplace_back(value);
    if (comma == std::string_view::npos) break;
    inner = inner.substr(comma + 1);
  }
  return values;
}

}  // namespace

Result<api::LabelSelector> parse_label_selector(std::string_view text) {
  api::LabelSelector selector;
  if (trim(text).empty()) return selector;
  for (std::string_view part : split_requirements(text)) {
    const std::string_view whole = trim(part);
    if (whole.empty()) return selector_error(text, "empty requirement");
    api::LabelSelectorRequirement requirement;
    if (whole.front() == '!') {
      const std::string_view key = trim(whole.substr(1));
      if (!valid_label_key(key)) return selector_error(whole, "invalid label key");
      requirement = {std::string(key), api::SelectorOperator::kDoesNotExist, {}};
    } else if (const auto not_equal = whole.find("!="); not_equal != std::string_view::npos) {
      const std::string_view key = trim(whole.substr(0, not_equal));
      const std::string_view value = trim(whole.substr(not_equal + 2));
      if (!valid_label_key(key)) return selector_error(whole, "invalid label key");
      if (!valid_label_value(value)) return selector_error(whole, "invalid label value");
      requirement = {std::string(key), api::SelectorOperator::kNotIn, {std::string(value)}};
    } else if (const auto equal = whole.find('='); equal != std::string_view::npos) {
      const std::string_view key = trim(whole.substr(0, equal));
      std::string_view value = whole.substr(equal + 1);
      if (!value.empty() && value.front() == '=') value.remove_prefix(1);
      value = trim(value);
      if (!valid_label_key(key)) return selector_error(whole, "invalid label key");
      if (!valid_label_value(value)) return selector_error(whole, "invalid label value");
      requirement = {std::string(key), api::SelectorOperator::kIn, {std::string(value)}};
    } else if (const auto space = whole.find(' '); space != std::string_view::npos) {
      const std::string_view key = whole.substr(0, space);
      const std::string_view rest = trim(whole.substr(space + 1));
      if (!valid_label_key(key)) return selector_error(whole, "invalid label key");
      api::SelectorOperator op;
      std::string_view values;
      if (rest.rfind("notin", 0) == 0) {
        op = api::SelectorOperator::kNotIn;
        values = rest.substr(5);
      } else if (rest.rfind("in", 0) == 0) {
        op = api::SelectorOperator::kIn;
        values = rest.substr(2);
      } else {
        return selector_error(
            whole, "found '" + std::string(rest) + "', expected: in, notin, =, ==, !=, gt, lt");
      }
      Result<std::vector<std::string>> parsed = set_values(values, whole);
      if (!parsed) return parsed.status();
      requirement = {std::string(key), op, std::move(*parsed)};
    } else {
      if (!valid_label_key(whole)) return selector_error(whole, "invalid label key");
      requirement = {std::string(whole), api::SelectorOperator::kExists, {}};
    }
    selector.match_expressions.push_back(std::move(requirement));
  }
  return selector;
}

std::string field_value(const api::Object& object, const std::string& field) {
  const api::ObjectMeta& meta = api::metadata_of(object);
  if (field == "metadata.name") return meta.name;
  if (field == "metadata.namespace") return meta.namespace_name;
  if (const auto* pod = std::get_if<api::Pod>(&object)) {
    if (field == "spec.nodeName") return pod->spec.node_name;
    if (field == "status.phase") return api::pod_phase_name(pod->status.phase);
    if (field == "status.podIP") return pod->status.pod_ip;
    if (field == "spec.restartPolicy") return pod->spec.restart_policy;
    if (field == "spec.schedulerName") return pod->spec.scheduler_name;
  }
  if (const auto* node = std::get_if<api::Node>(&object)) {
    if (field == "spec.unschedulable") return node->spec.unschedulable ? "true" : "false";
  }
  if (const auto* event = std::get_if<api::Event>(&object)) {
    const api::ObjectReference& involved = event->involved_object;
    if (field == "involvedObject.kind") return involved.kind;
    if (field == "involvedObject.namespace") return involved.namespace_name;
    if (field == "involvedObject.name") return involved.name;
    if (field == "involvedObject.uid") return involved.uid;
    if (field == "involvedObject.apiVersion") return involved.api_version;
    if (field == "involvedObject.resourceVersion") return involved.resource_version;
    if (field == "involvedObject.fieldPath") return involved.field_path;
    if (field == "reason") return event->reason;
    if (field == "type") return api::event_type_name(event->type);
    if (field == "source") return event->source.component;
    // events.k8s.io/v1 names the same fields regarding.* and reportingController.
    if (field == "regarding.kind") return involved.kind;
    if (field == "regarding.namespace") return involved.namespace_name;
    if (field == "regarding.name") return involved.name;
    if (field == "regarding.uid") return involved.uid;
    if (field == "reportingController") return event->reporting_component;
  }
  if (const auto* service = std::get_if<api::Service>(&object)) {
    if (field == "spec.type") return service->spec.type;
    if (field == "spec.clusterIP") return service->spec.cluster_ip;
  }
  return "";
}

Result<std::vector<FieldRequirement>> parse_field_selector(std::string_view text,
                                                           const std::string& kind) {
  std::vector<FieldRequirement> requirements;
  if (trim(text).empty()) return requirements;
  static const std::vector<std::string> kCommon = {"metadata.name", "metadata.namespace"};
  static const std::vector<std::string> kPod = {"spec.nodeName", "status.phase", "status.podIP",
                                                "spec.restartPolicy", "spec.schedulerName"};
  static const std::vector<std::string> kEvent = {"involvedObject.kind",
                                                  "involvedObject.namespace",
                                                  "involvedObject.name",
                                                  "involvedObject.uid",
                                                  "involvedObject.apiVersion",
                                                  "involvedObject.resourceVersion",
                                                  "involvedObject.fieldPath",
                                                  "reason",
                                                  "type",
                                                  "source",
                                                  "regarding.kind",
                                                  "regarding.namespace",
                                                  "regarding.name",
                                                  "regarding.uid",
                                                  "reportingController"};
  static const std::vector<std::string> kNode = {"spec.unschedulable"};
  static const std::vector<std::string> kService = {"spec.type", "spec.clusterIP"};
  for (std::string_view part : split_requirements(text)) {
    const std::string_view whole = trim(part);
    FieldRequirement requirement;
    std::size_t op = whole.find("!=");
    std::size_t value_start = 0;
    if (op != std::string_view::npos) {
      requirement.equal = false;
      value_start = op + 2;
    } else if ((op = whole.find("==")) != std::string_view::npos) {
      value_start = op + 2;
    } else if ((op = whole.find('=')) != std::string_view::npos) {
      value_start = op + 1;
    } else {
      return invalid_argument("invalid selector: '" + std::string(text) + "'; can't understand '" +
                              std::string(whole) + "'");
    }
    requirement.field = std::string(trim(whole.substr(0, op)));
    requirement.value = std::string(trim(whole.substr(value_start)));
    const auto known = [&](const std::vector<std::string>& fields) {
      return std::find(fields.begin(), fields.end(), requirement.field) != fields.end();
    };
    const bool supported = known(kCommon) || (kind == "Pod" && known(kPod)) ||
                           (kind == "Event" && known(kEvent)) || (kind == "Node" && known(kNode)) ||
                           (kind == "Service" && known(kService));
    if (!supported) {
      return invalid_argument("field label not supported: " + requirement.field);
    }
    requirements.push_back(std::move(requirement));
  }
  return requirements;
}

bool fields_match(const std::vector<FieldRequirement>& requirements, const api::Object& object) {
  for (const FieldRequirement& requirement : requirements) {
    if ((field_value(object, requirement.field) == requirement.value) != requirement.equal) {
      return false;
    }
  }
  return true;
}

}  // namespace nodrop::apiserver
