#include "node/container_command.h"

#include <algorithm>
#include <map>
#include <set>

#include "api/field_error.h"
#include "base/check.h"

namespace nodrop::node {
namespace {

// tryReadVariableName: what follows a '$' at input (non-empty). Returns the text to write, whether
// it is a variable name, and how many bytes after the '$' were consumed.
struct VariableRead {
  std::string_view text;
  bool is_variable = false;
  std::size_t advance = 0;
};

VariableRead read_variable_name(std::string_view input) {
  switch (input[0]) {
    case '$':
      return {input.substr(0, 1), false, 1};  // $$: an escaped $
    case '(':
      for (std::size_t i = 1; i < input.size(); ++i) {
        if (input[i] == ')') return {input.substr(1, i - 1), true, i + 1};
      }
      return {"$(", false, 1};  // an unterminated reference is kept
    default:
      return {{}, false, 1};  // a lone $ and the next byte are kept (written by the caller)
  }
}

std::string pod_description(const api::Pod& pod) {
  return "pod " + pod.metadata.namespace_name + "/" + pod.metadata.name;
}

Status field_status(const api::Pod& pod, const api::FieldError& error) {
  return invalid_argument(pod_description(pod) + ": " + error.to_string());
}

// The field a fieldRef names, or nullopt when nodrop does not support it.
std::optional<std::string> field_value(const api::Pod& pod, const std::string& path,
                                       const PodAddresses& addresses) {
  if (path == "metadata.name") return pod.metadata.name;
  if (path == "metadata.namespace") return pod.metadata.namespace_name;
  if (path == "metadata.uid") return pod.metadata.uid;
  if (path == "spec.nodeName") return pod.spec.node_name;
  if (path == "spec.serviceAccountName") return std::string("default");
  if (path == "status.podIP" || path == "status.podIPs") return addresses.pod_ip;
  if (path == "status.hostIP" || path == "status.hostIPs") return addresses.host_ip;
  for (const auto& [prefix, map] :
       {std::pair{std::string("metadata.labels['"), &pod.metadata.labels},
        std::pair{std::string("metadata.annotations['"), &pod.metadata.annotations}}) {
    if (path.rfind(prefix, 0) == 0 && path.ends_with("']")) {
      const std::string key = path.substr(prefix.size(), path.size() - prefix.size() - 2);
      const auto found = map->find(key);
      return found == map->end() ? std::string() : found->second;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string expand_variables(std::string_view input, const Lookup& lookup) {
  std::string out;
  std::size_t checkpoint = 0;
  for (std::size_t cursor = 0; cursor < input.size(); ++cursor) {
    if (input[cursor] != '$' || cursor + 1 >= input.size()) continue;
    out.append(input.substr(checkpoint, cursor - checkpoint));
    const VariableRead read = read_variable_name(input.substr(cursor + 1));
    if (read.is_variable) {
      const std::optional<std::string> value = lookup(read.text);
      out += value ? *value : "$(" + std::string(read.text) + ")";
    } else if (read.text.empty()) {
      out += '$';
      out += input[cursor + 1];
    } else {
      out.append(read.text);
    }
    cursor += read.advance;
    checkpoint = cursor + 1;
  }
  out.append(input.substr(std::min(checkpoint, input.size())));
  return out;
}

Result<Environment> container_environment(const api::Pod& pod, std::size_t container_index,
                                          const PodAddresses& addresses,
                                          const Environment& service_variables) {
  NODROP_CHECK(container_index < pod.spec.containers.size());
  const api::Container& container = pod.spec.containers[container_index];
  const api::FieldPath env_path =
      api::FieldPath("spec").child("containers").index(container_index).child("env");
  Environment environment;
  std::map<std::string, std::string, std::less<>> defined;
  for (std::size_t i = 0; i < container.env.size(); ++i) {
    const api::EnvVar& variable = container.env[i];
    std::string value;
    if (variable.field_ref) {
      const std::optional<std::string> field =
          field_value(pod, variable.field_ref->field_path, addresses);
      if (!field) {
        return field_status(
            pod, api::unsupported(
                     env_path.index(i).child("valueFrom").child("fieldRef").child("fieldPath"),
                     variable.field_ref->field_path,
                     {"metadata.name", "metadata.namespace", "metadata.uid",
                      "metadata.labels['<KEY>']", "metadata.annotations['<KEY>']", "spec.nodeName",
                      "spec.serviceAccountName", "status.hostIP", "status.podIP"}));
      }
      value = *field;
    } else {
      // The container's own variables first, then the Services' (expansion.MappingFuncFor).
      value = expand_variables(variable.value, [&](std::string_view name) {
        const auto found = defined.find(name);
        if (found != defined.end()) return std::optional<std::string>(found->second);
        for (const auto& [service_name, service_value] : service_variables) {
          if (service_name == name) return std::optional<std::string>(service_value);
        }
        return std::optional<std::string>();
      });
    }
    defined[variable.name] = value;
    // A later definition of a name replaces the earlier one, in place, as the kubelet does.
    bool replaced = false;
    for (auto& [name, existing] : environment) {
      if (name == variable.name) {
        existing = value;
        replaced = true;
      }
    }
    if (!replaced) environment.emplace_back(variable.name, value);
  }
  for (const auto& [name, value] : service_variables) {
    if (defined.count(name) == 0) environment.emplace_back(name, value);
  }
  if (defined.count("PATH") == 0) environment.emplace_back("PATH", runtime::kDefaultPath);
  if (defined.count("HOSTNAME") == 0) environment.emplace_back("HOSTNAME", pod.metadata.name);
  return environment;
}

Result<runtime::ProcessSpec> container_process_spec(
    const api::Pod& pod, std::size_t container_index, const PodAddresses& addresses,
    std::string log_path, std::span<const ImageMapping> images,
    const Environment& service_variables, const std::string& pod_directory) {
  NODROP_CHECK(container_index < pod.spec.containers.size());
  const api::Container& container = pod.spec.containers[container_index];
  const api::FieldPath container_path =
      api::FieldPath("spec").child("containers").index(container_index);
  const ImageMapping* mapping = image_mapping_of(container, images);
  const std::string container_directory =
      pod_directory.empty() ? std::string() : pod_directory + "/" + container.name;
  if (mapping != nullptr && mapping->files && container_directory.empty()) {
    return Status(StatusCode::kFailedPrecondition,
                  "image " + container.image + " needs a pod directory");
  }
  if (container.command.empty() && mapping == nullptr) {
    return field_status(
        pod, api::invalid(container_path.child("image"), container.image,
                          "maps to no program: nodrop runs processes and pulls no image, so give "
                          "the container a command, or map the image to a program in the cluster "
                          "configuration's images"));
  }
  Result<Environment> environment =
      container_environment(pod, container_index, addresses, service_variables);
  if (!environment) return environment.status();
  std::map<std::string, std::string, std::less<>> variables;
  if (mapping != nullptr) {
    // The image's environment comes first; the container's own definitions (and the Services'
    // variables, which the runtime's container configuration holds like them) replace it, but
    // not the defaults container_environment adds where the container defines nothing.
    std::map<std::string, std::string, std::less<>> image_variables{
        {"POD_IP", addresses.pod_ip}, {"IMAGE_TAG", image_tag(container.image)}};
    if (!pod_directory.empty()) {
      image_variables["POD_DIR"] = pod_directory;
      image_variables["CONTAINER_DIR"] = container_directory;
    }
    image_variables["PORT"] = container.ports.empty()
                                  ? std::string("8080")
                                  : std::to_string(container.ports.front().container_port);
    for (const api::ContainerPort& port : container.ports) {
      if (!port.name.empty()) {
        image_variables["PORT_" + port.name] = std::to_string(port.container_port);
      }
    }
    const Lookup image_lookup = [&](std::string_view name) {
      const auto found = image_variables.find(name);
      return found == image_variables.end() ? std::nullopt
                                            : std::optional<std::string>(found->second);
    };
    Environment merged;
    for (const auto& [name, value] : mapping->env) {
      merged.emplace_back(name, expand_variables(value, image_lookup));
    }
    std::set<std::string, std::less<>> defined_by_container;
    for (const api::EnvVar& variable : container.env) defined_by_container.insert(variable.name);
    for (const auto& [name, value] : service_variables) defined_by_container.insert(name);
    for (auto& [name, value] : *environment) {
      auto existing = std::find_if(merged.begin(), merged.end(),
                                   [&](const auto& entry) { return entry.first == name; });
      if (existing == merged.end()) {
        merged.emplace_back(name, std::move(value));
      } else if (defined_by_container.count(name) != 0) {
        existing->second = std::move(value);
      }
    }
    *environment = std::move(merged);
    // The entrypoint and args may also use the image's variables (after the environment).
    for (const auto& [name, value] : image_variables) variables.emplace(name, value);
  }
  std::map<std::string, std::string, std::less<>> by_name(environment->begin(), environment->end());
  by_name.merge(variables);
  const Lookup lookup = [&](std::string_view name) {
    const auto found = by_name.find(name);
    return found == by_name.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
  runtime::ProcessSpec spec;
  const std::vector<std::string>& command =
      mapping != nullptr ? mapping->command : container.command;
  const std::vector<std::string>& args =
      mapping != nullptr && container.args.empty() ? mapping->args : container.args;
  for (const std::string& word : command) spec.argv.push_back(expand_variables(word, lookup));
  for (const std::string& word : args) spec.argv.push_back(expand_variables(word, lookup));
  spec.env = std::move(environment).value();
  spec.working_dir = container.working_dir;
  spec.log_path = std::move(log_path);
  spec.log_format = runtime::LogFormat::kCri;
  if (!pod_directory.empty()) spec.directories.push_back(pod_directory);
  if (mapping != nullptr && mapping->files) {
    for (runtime::FileToWrite& file : mapping->files(container, addresses.pod_ip)) {
      file.path = container_directory + "/" + file.path;
      spec.files.push_back(std::move(file));
    }
  }
  return spec;
}

const ImageMapping* image_mapping_of(const api::Container& container,
                                     std::span<const ImageMapping> images) {
  return container.command.empty() ? find_image_mapping(images, container.image) : nullptr;
}

runtime::Signal stop_signal_of(const api::Container& container,
                               std::span<const ImageMapping> images) {
  const ImageMapping* mapping = image_mapping_of(container, images);
  return mapping == nullptr ? runtime::Signal::kTerminate : mapping->stop_signal;
}

}  // namespace nodrop::node
