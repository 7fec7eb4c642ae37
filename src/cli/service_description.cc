#include "cli/service_description.h"

#include <fmt/format.h>

#include <vector>

#include "cli/describe_sections.h"
#include "cli/node_paths.h"
#include "cli/table_printer.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

// How many endpoints a port's line lists before "+ N more...".
constexpr std::size_t kEndpointsShownMax = 3;

std::string joined_texts(const Node* list, const char* separator) {
  std::string text;
  for (const Node& item : items_of(list)) text += (text.empty() ? "" : separator) + item.text();
  return text;
}

// A ready endpoint: its ready condition true or unknown (absent), as EndpointConditions reads.
bool ready(const Node& endpoint) { return scalar_at(endpoint, {"conditions", "ready"}) != "false"; }

// net.JoinHostPort.
std::string host_port(const std::string& host, std::int64_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

// formatEndpointSlices for the port named port_name: "ip:port,..." of the ready endpoints, at
// most three, then "+ N more..." counting the ready ones left out; "<none>" without slices.
// As kubectl, the count of those left out starts once three are listed and the next endpoint is
// looked at, ready or not (so "+ 0 more..." when only unready ones follow).
std::string endpoints_text(const Node& endpoint_slices, const std::string& port_name) {
  const std::vector<Node>& slices = items_of(node_at(endpoint_slices, {"items"}));
  if (slices.empty()) return "<none>";
  std::vector<std::string> list;
  bool more = false;
  std::size_t count = 0;
  const auto consider = [&](const Node& endpoint, const std::string& shown) {
    if (list.size() == kEndpointsShownMax) more = true;
    if (!ready(endpoint)) return;
    if (!more) list.push_back(shown);
    ++count;
  };
  for (const Node& slice : slices) {
    const std::vector<Node>& ports = items_of(node_at(slice, {"ports"}));
    if (ports.empty()) {  // a headless Service without ports
      for (const Node& endpoint : items_of(node_at(slice, {"endpoints"}))) {
        const std::vector<Node>& addresses = items_of(node_at(endpoint, {"addresses"}));
        consider(endpoint, addresses.empty() ? "" : addresses[0].text());
      }
      continue;
    }
    for (const Node& port : ports) {
      if (text_at(port, {"name"}) != port_name) continue;
      for (const Node& endpoint : items_of(node_at(slice, {"endpoints"}))) {
        const std::vector<Node>& addresses = items_of(node_at(endpoint, {"addresses"}));
        consider(endpoint, host_port(addresses.empty() ? "" : addresses[0].text(),
                                     integer_at(port, {"port"})));
      }
    }
  }
  std::string text;
  for (const std::string& item : list) text += (text.empty() ? "" : ",") + item;
  if (more) text += fmt::format(" + {} more...", count - kEndpointsShownMax);
  return text;
}

}  // namespace

std::string describe_service(const Node& service, const Node& endpoint_slices, const Node& events,
                             WallTime now) {
  std::string out;
  write_name_and_metadata(out, service);
  out += "Selector:\t" + labels_text(node_at(service, {"spec", "selector"})) + "\n";
  out += "Type:\t" + text_at(service, {"spec", "type"}) + "\n";
  if (const std::string policy = text_at(service, {"spec", "ipFamilyPolicy"}); !policy.empty()) {
    out += "IP Family Policy:\t" + policy + "\n";
  }
  const std::string families = joined_texts(node_at(service, {"spec", "ipFamilies"}), ",");
  out += "IP Families:\t" + (families.empty() ? "<none>" : families) + "\n";
  out += "IP:\t" + text_at(service, {"spec", "clusterIP"}) + "\n";
  const std::string ips = joined_texts(node_at(service, {"spec", "clusterIPs"}), ",");
  out += "IPs:\t" + (ips.empty() ? "<none>" : ips) + "\n";
  if (const std::string external = joined_texts(node_at(service, {"spec", "externalIPs"}), ",");
      !external.empty()) {
    out += "External IPs:\t" + external + "\n";
  }
  if (const std::string ip = text_at(service, {"spec", "loadBalancerIP"}); !ip.empty()) {
    out += "Desired LoadBalancer IP:\t" + ip + "\n";
  }
  if (const std::string name = text_at(service, {"spec", "externalName"}); !name.empty()) {
    out += "External Name:\t" + name + "\n";
  }
  if (const std::vector<Node>& ingress =
          items_of(node_at(service, {"status", "loadBalancer", "ingress"}));
      !ingress.empty()) {
    std::string list;
    for (const Node& entry : ingress) {
      if (!list.empty()) list += ", ";
      if (const std::string ip = text_at(entry, {"ip"}); !ip.empty()) {
        list += ip;
        if (const std::string mode = text_at(entry, {"ipMode"}); !mode.empty()) {
          list += " (" + mode + ")";
        }
      } else {
        list += text_at(entry, {"hostname"});
      }
    }
    out += "LoadBalancer Ingress:\t" + list + "\n";
  }
  for (const Node& port : items_of(node_at(service, {"spec", "ports"}))) {
    const std::string port_name = text_at(port, {"name"});
    const std::string name = port_name.empty() ? "<unset>" : port_name;
    const std::string protocol = text_at(port, {"protocol"});
    out += fmt::format("Port:\t{}\t{}/{}\n", name, integer_at(port, {"port"}), protocol);
    out += "TargetPort:\t" + scalar_at(port, {"targetPort"}) + "/" + protocol + "\n";
    if (const std::int64_t node_port = integer_at(port, {"nodePort"}); node_port != 0) {
      out += fmt::format("NodePort:\t{}\t{}/{}\n", name, node_port, protocol);
    }
    out += "Endpoints:\t" + endpoints_text(endpoint_slices, port_name) + "\n";
  }
  out += "Session Affinity:\t" + text_at(service, {"spec", "sessionAffinity"}) + "\n";
  if (const std::string policy = text_at(service, {"spec", "externalTrafficPolicy"});
      !policy.empty()) {
    out += "External Traffic Policy:\t" + policy + "\n";
  }
  if (const std::string policy = text_at(service, {"spec", "internalTrafficPolicy"});
      !policy.empty()) {
    out += "Internal Traffic Policy:\t" + policy + "\n";
  }
  if (const std::int64_t port = integer_at(service, {"spec", "healthCheckNodePort"}); port != 0) {
    out += fmt::format("HealthCheck NodePort:\t{}\n", port);
  }
  if (const std::string ranges =
          joined_texts(node_at(service, {"spec", "loadBalancerSourceRanges"}), ",");
      !ranges.empty()) {
    out += "LoadBalancer Source Ranges:\t" + ranges + "\n";
  }
  write_events(out, events, now);
  return format_tabbed(out, {.minimum_width = 0, .padding = 2});
}

std::string describe_endpoints(const Node& endpoints, const Node& events, WallTime now) {
  std::string out;
  write_name_and_metadata(out, endpoints);
  out += "Subsets:\n";
  for (const Node& subset : items_of(node_at(endpoints, {"subsets"}))) {
    for (const auto& [key, title] :
         {std::pair{"addresses", "Addresses"}, {"notReadyAddresses", "NotReadyAddresses"}}) {
      std::string list;
      for (const Node& address : items_of(node_at(subset, {key}))) {
        list += (list.empty() ? "" : ",") + text_at(address, {"ip"});
      }
      out += std::string("  ") + title + ":\t" + (list.empty() ? "<none>" : list) + "\n";
    }
    if (const std::vector<Node>& ports = items_of(node_at(subset, {"ports"})); !ports.empty()) {
      out += "  Ports:\n    Name\tPort\tProtocol\n    ----\t----\t--------\n";
      for (const Node& port : ports) {
        const std::string name = text_at(port, {"name"});
        out += fmt::format("    {}\t{}\t{}\n", name.empty() ? "<unset>" : name,
                           integer_at(port, {"port"}), text_at(port, {"protocol"}));
      }
    }
    out += "\n";
  }
  write_events(out, events, now);
  return format_tabbed(out, {.minimum_width = 0, .padding = 2});
}

}  // namespace nodrop::cli
