// What a container runs: its argv, environment and working directory, built from the pod spec as
// the kubelet builds them (kubelet_pods.go makeEnvironmentVariables, kuberuntime ExpandContainer*).
//
//   envFrom    first: every key of each ConfigMap or Secret named, its prefix before it (a
//              Secret's values decoded); a missing object fails the start unless `optional`
//   env        in order; `value` is expanded against the variables defined before it, then the
//              Service variables (node/service_links.h), which follow the container's own
//              unless it defines the same name;
//              `valueFrom.configMapKeyRef` and `secretKeyRef` take one key; a missing object or
//              key fails the start ("configmap "x" not found", "couldn't find key k in ConfigMap
//              ns/x", the kubelet's messages) unless `optional`, which leaves the variable out;
//              `valueFrom.fieldRef` takes metadata.name, metadata.namespace, metadata.uid,
//              spec.nodeName, spec.serviceAccountName, status.podIP, status.hostIP,
//              metadata.labels['k'], metadata.annotations['k'] (not expanded)
//   command    expanded against the whole environment, then args likewise; without a command,
//              the program the image maps to (node/image_map.h): nodrop pulls no images
//   defaults   PATH (the runtime's default) and HOSTNAME (the pod name) unless the spec sets them,
//              as an image's environment and the container runtime would
//
// $(VAR) expansion (third_party/forked/golang/expansion): $(NAME) becomes the value of NAME, or
// stays as written when NAME is undefined; $$ becomes $; any other $ is kept.
//
//   input              NAME=x      result
//   "$(NAME)-1"        defined     "x-1"
//   "$(MISSING)"                   "$(MISSING)"
//   "$$(NAME)"                     "$(NAME)"
//   "$(NAME"                       "$(NAME"
//   "a$b"                          "a$b"
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/pod.h"
#include "base/status.h"
#include "node/image_map.h"
#include "runtime/process_runtime.h"

namespace nodrop::node {

using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

std::string expand_variables(std::string_view input, const Lookup& lookup);

struct PodAddresses {
  std::string pod_ip;
  std::string host_ip;
};

using Environment = std::vector<std::pair<std::string, std::string>>;

enum class ConfigKind { kConfigMap, kSecret };
// A ConfigMap's data, or a Secret's with its values decoded.
using ConfigData = std::map<std::string, std::string>;

// What a pod's environment may refer to besides the pod, as the node has it when a container
// starts.
struct EnvironmentSources {
  Environment service_variables{};  // node/service_links.h
  // The data of the ConfigMap or Secret of that name in the pod's namespace; nullopt when there is
  // none. Empty function: none exists.
  std::function<std::optional<ConfigData>(ConfigKind, const std::string& name)> config{};
};

// The container's environment; an unsupported fieldRef, or a missing ConfigMap, Secret or key that
// is not optional, is an InvalidArgument with the kubelet's message.
Result<Environment> container_environment(const api::Pod& pod, api::ContainerPosition position,
                                          const PodAddresses& addresses,
                                          const EnvironmentSources& sources = {});

// The process to run for the container at `position` (an app or an init container), its output
// to log_path. A container without a command runs what its image maps to (node/image_map.h); one
// whose image maps to nothing is an InvalidArgument naming spec.containers[i].image (or
// spec.initContainers[i].image). pod_directory is the
// pod's own directory ($(POD_DIR)): the spec makes it, and writes the mapping's files into
// $(CONTAINER_DIR). Without one (empty) those variables are undefined and a mapping with files
// is a FailedPrecondition.
Result<runtime::ProcessSpec> container_process_spec(
    const api::Pod& pod, api::ContainerPosition position, const PodAddresses& addresses,
    std::string log_path, std::span<const ImageMapping> images = {},
    const EnvironmentSources& sources = {}, const std::string& pod_directory = {});

// The image mapping the container runs (a container with its own command runs none); nullptr
// when it runs its command, or its image maps to nothing.
const ImageMapping* image_mapping_of(const api::Container& container,
                                     std::span<const ImageMapping> images);

// The signal that stops the container: its image mapping's stop_signal, else SIGTERM.
runtime::Signal stop_signal_of(const api::Container& container,
                               std::span<const ImageMapping> images);

}  // namespace nodrop::node
