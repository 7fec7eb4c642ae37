#include "node/container_command.h"

#include <fmt/format.h>

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

namespace {

// Sets name to value: a later definition of a name replaces the earlier one, in place, as the
// kubelet's map of variables does.
void define(Environment& environment, const std::string& name, std::string value) {
  for (auto& [existing_name, existing] : environment) {
    if (existing_name == name) {
      existing = std::move(value);
      return;
    }
  }
  environment.emplace_back(name, std::move(value));
}

// The ConfigMaps and Secrets one container start reads, each at most once.
class ConfigReader {
 public:
  ConfigReader(const api::Pod& pod, const EnvironmentSources& sources)
      : pod_(pod), sources_(sources) {}

  // The object's data; nullptr when it does not exist.
  const ConfigData* find(ConfigKind kind, const std::string& name) {
    const auto key = std::pair{kind, name};
    auto found = read_.find(key);
    if (found == read_.end()) {
      found = read_
                  .emplace(key, sources_.config ? sources_.config(kind, name)
                                                : std::optional<ConfigData>())
                  .first;
    }
    return found->second ? &*found->second : nullptr;
  }

  // The kubelet's messages (kubelet_pods.go makeEnvironmentVariables).
  Status not_found(ConfigKind kind, const std::string& name) const {
    return invalid_argument(fmt::format("{} \"{}\" not found", kind_word(kind), name));
  }
  Status key_not_found(ConfigKind kind, const std::string& name, const std::string& key) const {
    return invalid_argument(fmt::format("couldn't find key {} in {} {}/{}", key,
                                        kind == ConfigKind::kConfigMap ? "ConfigMap" : "Secret",
                                        pod_.metadata.namespace_name, name));
  }

 private:
  static const char* kind_word(ConfigKind kind) {
    return kind == ConfigKind::kConfigMap ? "configmap" : "secret";
  }

  const api::Pod& pod_;
  const EnvironmentSources& sources_;
  std::map<std::pair<ConfigKind, std::string>, std::optional<ConfigData>> read_;
};

// The variables the pod spec and its sources define for the container, without the defaults.
Result<Environment> defined_environment(const api::Pod& pod, api::ContainerPosition position,
                                        const PodAddresses& addresses,
                                        const EnvironmentSources& sources) {
  const api::Container& container = api::container_at(pod.spec, position);
  const api::FieldPath env_path =
      api::FieldPath("spec").child(position.list_name()).index(position.index).child("env");
  ConfigReader configs(pod, sources);
  Environment environment;
  // envFrom first: every key of each source, prefixed; a later source wins over an earlier one.
  for (const api::EnvFromSource& source : container.env_from) {
    const bool is_config_map = source.config_map_ref.has_value();
    const api::EnvSourceReference& reference =
        is_config_map ? *source.config_map_ref : *source.secret_ref;
    const ConfigKind kind = is_config_map ? ConfigKind::kConfigMap : ConfigKind::kSecret;
    const ConfigData* data = configs.find(kind, reference.name);
    if (data == nullptr) {
      if (reference.optional.value_or(false)) continue;
      return configs.not_found(kind, reference.name);
    }
    for (const auto& [key, value] : *data) define(environment, source.prefix + key, value);
  }
  // Then env: a value is expanded against the variables defined before it (envFrom's too), then
  // the Services' (expansion.MappingFuncFor).
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
    } else if (variable.config_map_key_ref || variable.secret_key_ref) {
      const bool is_config_map = variable.config_map_key_ref.has_value();
      const api::KeySelector& selector =
          is_config_map ? *variable.config_map_key_ref : *variable.secret_key_ref;
      const ConfigKind kind = is_config_map ? ConfigKind::kConfigMap : ConfigKind::kSecret;
      const bool optional = selector.optional.value_or(false);
      const ConfigData* data = configs.find(kind, selector.name);
      if (data == nullptr) {
        if (optional) continue;
        return configs.not_found(kind, selector.name);
      }
      const auto found = data->find(selector.key);
      if (found == data->end()) {
        if (optional) continue;
        return configs.key_not_found(kind, selector.name, selector.key);
      }
      value = found->second;
    } else {
      value = expand_variables(variable.value, [&](std::string_view name) {
        for (const auto& [defined_name, defined_value] : environment) {
          if (defined_name == name) return std::optional<std::string>(defined_value);
        }
        for (const auto& [service_name, service_value] : sources.service_variables) {
          if (service_name == name) return std::optional<std::string>(service_value);
        }
        return std::optional<std::string>();
      });
    }
    define(environment, variable.name, std::move(value));
  }
  // The Services' variables follow, unless the container defines the same name.
  const std::size_t own = environment.size();
  for (const auto& [name, value] : sources.service_variables) {
    const bool defined =
        std::any_of(environment.begin(), environment.begin() + static_cast<std::ptrdiff_t>(own),
                    [&](const auto& entry) { return entry.first == name; });
    if (!defined) environment.emplace_back(name, value);
  }
  return environment;
}

bool defines(const Environment& environment, std::string_view name) {
  return std::any_of(environment.begin(), environment.end(),
                     [&](const auto& entry) { return entry.first == name; });
}

// PATH (the runtime's default) and HOSTNAME (the pod name) where nothing defines them.
void add_defaults(Environment& environment, const api::Pod& pod) {
  if (!defines(environment, "PATH")) environment.emplace_back("PATH", runtime::kDefaultPath);
  if (!defines(environment, "HOSTNAME")) environment.emplace_back("HOSTNAME", pod.metadata.name);
}

}  // namespace

Result<Environment> container_environment(const api::Pod& pod, api::ContainerPosition position,
                                          const PodAddresses& addresses,
                                          const EnvironmentSources& sources) {
  Result<Environment> environment = defined_environment(pod, position, addresses, sources);
  if (environment) add_defaults(*environment, pod);
  return environment;
}

Result<runtime::ProcessSpec> container_process_spec(
    const api::Pod& pod, api::ContainerPosition position, const PodAddresses& addresses,
    std::string log_path, std::span<const ImageMapping> images, const EnvironmentSources& sources,
    const std::string& pod_directory) {
  const api::Container& container = api::container_at(pod.spec, position);
  const api::FieldPath container_path =
      api::FieldPath("spec").child(position.list_name()).index(position.index);
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
  Result<Environment> environment = defined_environment(pod, position, addresses, sources);
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
    for (auto& [name, value] : *environment) define(merged, name, std::move(value));
    *environment = std::move(merged);
    // The entrypoint and args may also use the image's variables (after the environment).
    for (const auto& [name, value] : image_variables) variables.emplace(name, value);
  }
  add_defaults(*environment, pod);
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
