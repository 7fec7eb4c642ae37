#include "node/service_links.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace nodrop::node {
namespace {

// makeEnvVariableName: upper case, '-' as '_' (a Service name is a DNS-1035 label, so nothing
// else needs mapping).
std::string variable_name(const std::string& text) {
  std::string name;
  name.reserve(text.size());
  for (const char c : text) {
    name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return name;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// v1helper.IsServiceIPSet: the Service has an address (not "None", not empty).
bool has_cluster_ip(const api::Service& service) {
  return !service.spec.cluster_ip.empty() && service.spec.cluster_ip != "None";
}

}  // namespace

Environment service_link_variables(std::span<const api::Service> services) {
  Environment variables;
  for (const api::Service& service : services) {
    if (!has_cluster_ip(service) || service.spec.ports.empty()) continue;
    const std::string prefix = variable_name(service.metadata.name);
    const std::string& host = service.spec.cluster_ip;
    variables.emplace_back(prefix + "_SERVICE_HOST", host);
    const std::string port_variable = prefix + "_SERVICE_PORT";
    variables.emplace_back(port_variable, std::to_string(service.spec.ports.front().port));
    for (const api::ServicePort& port : service.spec.ports) {
      if (port.name.empty()) continue;
      variables.emplace_back(port_variable + "_" + variable_name(port.name),
                             std::to_string(port.port));
    }
    for (std::size_t i = 0; i < service.spec.ports.size(); ++i) {
      const api::ServicePort& port = service.spec.ports[i];
      const std::string protocol = port.protocol.empty() ? "TCP" : port.protocol;
      const std::string url = fmt::format("{}://{}:{}", lower(protocol), host, port.port);
      // Docker's links single out the first port.
      if (i == 0) variables.emplace_back(prefix + "_PORT", url);
      const std::string port_prefix =
          fmt::format("{}_PORT_{}_{}", prefix, port.port, variable_name(protocol));
      variables.emplace_back(port_prefix, url);
      variables.emplace_back(port_prefix + "_PROTO", lower(protocol));
      variables.emplace_back(port_prefix + "_PORT", std::to_string(port.port));
      variables.emplace_back(port_prefix + "_ADDR", host);
    }
  }
  return variables;
}

Environment pod_service_variables(const api::Pod& pod, std::span<const api::Service> services) {
  if (!pod.spec.enable_service_links.value_or(true)) return {};
  std::vector<api::Service> linked;
  for (const api::Service& service : services) {
    if (service.metadata.namespace_name == pod.metadata.namespace_name && has_cluster_ip(service)) {
      linked.push_back(service);
    }
  }
  std::sort(linked.begin(), linked.end(), [](const api::Service& a, const api::Service& b) {
    return a.metadata.name < b.metadata.name;
  });
  return service_link_variables(linked);
}

}  // namespace nodrop::node
