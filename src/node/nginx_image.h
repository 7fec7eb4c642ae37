// The mapping nodrop ships for the official nginx image, so that manifests written for it (the
// seed's: `image: nginx`, port 80, no command) run unchanged: Debian's /usr/sbin/nginx, which
// scripts/install-deps installs, run as the image runs it and configured for the pod.
//
//   what the image does                      here
//   nginx -g 'daemon off;' in the foreground  the same: the kubelet watches the master process
//   listens on 80 on every address            each declared containerPort on the pod's address
//                                             (port 80 when none is declared, as the image)
//   /usr/share/nginx/html/index.html          a default page in $(CONTAINER_DIR)/html
//   access and error logs to stdout, stderr   the same: they land in the pod's log
//   STOPSIGNAL SIGQUIT                        stop_signal: finish the requests in flight, then exit
//   workers as user nginx                     workers as the user nodrop runs as (`user root` when
//                                             that is root: the per-pod directory is under nodrop's
//                                             owner-only data dir, which nobody could not read)
//
// Everything nginx writes (its pid file, temporary request bodies) stays in $(CONTAINER_DIR),
// given as its prefix (-p), so relative paths in the configuration resolve there. Override it
// with an `images` entry for nginx in the cluster configuration (the first matching one wins).
#pragma once

#include <string>

#include "api/pod.h"
#include "node/image_map.h"

namespace nodrop::node {

inline constexpr const char* kNginxProgram = "/usr/sbin/nginx";

ImageMapping nginx_mapping();

// The nginx.conf for a container of the pod with this address.
std::string nginx_configuration(const api::Container& container, const std::string& pod_ip);

}  // namespace nodrop::node
