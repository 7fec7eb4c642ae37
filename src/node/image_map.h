// Images mapped to programs: nodrop runs processes and pulls no image, so a container that gives
// no command runs what its image maps to, as a container runtime would run the image's
// entrypoint. The cluster configuration lists the mappings; the first that matches wins.
//
//   image pattern   "nginx" matches nginx with any tag or none; "nginx:1.*" and "registry/app:*"
//                   match with * standing for any run of characters
//   command         the entrypoint; args the default arguments (the image's CMD)
//   env             the image's environment; the container's own env comes after it and wins
//
// As in Kubernetes: a container with a command runs it and ignores its image; one with args but
// no command runs the entrypoint with those args instead of the default ones. The mapping's
// command, args and env values may use
//   $(POD_IP)       the pod's address
//   $(PORT)         the container's first declared port (8080 if it declares none)
//   $(PORT_<name>)  the declared port of that name
//   $(IMAGE_TAG)    the image's tag ("latest" if it has none)
//   $(POD_DIR)      the pod's own directory (made before its containers start, removed with the
//                   pod), as the kubelet keeps one per pod for its volumes
//   $(CONTAINER_DIR) $(POD_DIR)/<container name>: the container's part of it
// and the command and args also the container's environment.
//
// stop_signal is the image's STOPSIGNAL: the kubelet sends it instead of SIGTERM to stop a
// container that runs the mapping's program. Deviation: a container runtime sends the image's
// stop signal even when the container gives its own command; nodrop then runs a host program the
// image knows nothing of, so it gets SIGTERM.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/pod.h"
#include "runtime/process_runtime.h"

namespace nodrop::node {

// The files a built-in mapping's program reads, built from the container and the pod's address;
// their paths are relative to $(CONTAINER_DIR), where they are written before the program starts.
using ImageFiles = std::function<std::vector<runtime::FileToWrite>(const api::Container& container,
                                                                   const std::string& pod_ip)>;

struct ImageMapping {
  std::string image;  // the pattern
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  runtime::Signal stop_signal = runtime::Signal::kTerminate;
  ImageFiles files{};  // none when empty
};

// A stop signal by its name as Dockerfiles and Kubernetes write it ("SIGQUIT"); nullopt for one
// nodrop does not send. The names it knows, for messages: kStopSignalNames.
std::optional<runtime::Signal> stop_signal_named(std::string_view name);
inline constexpr const char* kStopSignalNames[] = {"SIGTERM", "SIGQUIT", "SIGINT"};

bool image_matches(std::string_view pattern, std::string_view image);
// The first mapping whose pattern matches image; nullptr if none.
const ImageMapping* find_image_mapping(std::span<const ImageMapping> mappings,
                                       std::string_view image);
// The tag of an image reference ("latest" when it has none; a digest reference gives its digest).
std::string image_tag(std::string_view image);

// The mapping nodrop ships for its demo application: image demo-app (any tag) runs the demo-app
// program at `program`, listening on $(POD_IP):$(PORT) and reporting the image's tag as its
// version (through DEMO_APP_LISTEN and DEMO_APP_VERSION, so args can add flags).
ImageMapping demo_app_mapping(const std::string& program);

}  // namespace nodrop::node
