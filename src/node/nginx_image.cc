#include "node/nginx_image.h"

#include <fmt/format.h>

#include <set>

namespace nodrop::node {
namespace {

// The page at /: its title is the one the official image's page has, which scripts and readers
// of the seed article look for.
constexpr const char* kDefaultPage = R"(<!DOCTYPE html>
<html>
<head><title>Welcome to nginx!</title></head>
<body>
<h1>Welcome to nginx!</h1>
<p>Debian's nginx, started by nodrop for a container whose image is nginx. This page is the one
nodrop writes into the container's directory; map the image to your own program or configuration
in the cluster configuration's images to serve something else.</p>
</body>
</html>
)";

}  // namespace

std::string nginx_configuration(const api::Container& container, const std::string& pod_ip) {
  // A port declared twice (TCP and UDP, or by two names) is listened on once: nginx refuses a
  // duplicate listen.
  std::set<std::int32_t> ports;
  for (const api::ContainerPort& port : container.ports) {
    if (port.protocol.empty() || port.protocol == "TCP") ports.insert(port.container_port);
  }
  if (ports.empty()) ports.insert(80);
  std::string listens;
  for (const std::int32_t port : ports) listens += fmt::format("    listen {}:{};\n", pod_ip, port);
  // `user root` is ignored, with a warning, when nodrop does not run as root.
  return fmt::format(
      R"(# Made by nodrop for this container (node/nginx_image.h); relative paths are in the prefix.
daemon off;
user root;
pid nginx.pid;
error_log stderr notice;
events {{
  worker_connections 1024;
}}
http {{
  access_log /dev/stdout;
  client_body_temp_path client_body;
  proxy_temp_path proxy;
  fastcgi_temp_path fastcgi;
  uwsgi_temp_path uwsgi;
  scgi_temp_path scgi;
  types {{
    text/html html;
  }}
  default_type application/octet-stream;
  server {{
{}    root html;
  }}
}}
)",
      listens);
}

ImageMapping nginx_mapping() {
  return ImageMapping{.image = "nginx",
                      .command = {kNginxProgram},
                      .args = {"-p", "$(CONTAINER_DIR)/", "-c", "nginx.conf", "-e", "stderr"},
                      .env = {},
                      .stop_signal = runtime::Signal::kQuit,
                      .files = [](const api::Container& container, const std::string& pod_ip) {
                        return std::vector<runtime::FileToWrite>{
                            {"nginx.conf", nginx_configuration(container, pod_ip)},
                            {"html/index.html", kDefaultPage}};
                      }};
}

}  // namespace nodrop::node
