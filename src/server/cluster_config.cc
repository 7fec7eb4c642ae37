#include "server/cluster_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "base/flags.h"
#include "base/ipv4.h"
#include "manifest/field_reader.h"
#include "manifest/file_reader.h"
#include "manifest/yaml_reader.h"

namespace nodrop::server {
namespace {

constexpr const char* kApiVersion = "nodrop.dev/v1alpha1";
constexpr const char* kKind = "ClusterConfiguration";

}  // namespace

ClusterConfig ClusterConfig::defaults() {
  ClusterConfig config;
  config.node_addresses = parse_address_range("127.0.1.0/24").value();
  config.pod_addresses = parse_address_range("127.0.16.0/20").value();
  config.load_balancer_addresses = parse_address_range("127.0.4.0/24").value();
  config.cluster_ip_addresses = parse_address_range("127.0.5.0/24").value();
  return config;
}

std::string default_data_dir(const std::string& xdg_state_home, const std::string& home) {
  if (!xdg_state_home.empty()) return xdg_state_home + "/nodrop";
  if (!home.empty()) return home + "/.local/state/nodrop";
  return "";
}

std::vector<std::string> validate_cluster_config(const ClusterConfig& config) {
  std::vector<std::string> errors;
  if (config.nodes < 1 || config.nodes > ClusterConfig::kMaxNodes) {
    errors.push_back(fmt::format("nodes: Invalid value: {}: must be from 1 to {}", config.nodes,
                                 ClusterConfig::kMaxNodes));
  }
  const std::pair<const char*, const AddressRange*> ranges[] = {
      {"addresses.nodes", &config.node_addresses},
      {"addresses.pods", &config.pod_addresses},
      {"addresses.loadBalancers", &config.load_balancer_addresses},
      {"addresses.clusterIPs", &config.cluster_ip_addresses},
  };
  for (std::size_t i = 0; i < std::size(ranges); ++i) {
    for (std::size_t j = i + 1; j < std::size(ranges); ++j) {
      if (ranges[i].second->overlaps(*ranges[j].second)) {
        errors.push_back(fmt::format("{}: Invalid value: \"{}\": overlaps {} ({})", ranges[j].first,
                                     ranges[j].second->to_string(), ranges[i].first,
                                     ranges[i].second->to_string()));
      }
    }
  }
  const std::uint64_t node_capacity =
      std::uint64_t{config.node_addresses.last} - config.node_addresses.first + 1;
  if (config.nodes >= 1 && node_capacity < static_cast<std::uint64_t>(config.nodes)) {
    errors.push_back(
        fmt::format("addresses.nodes: Invalid value: \"{}\": {} addresses for {} nodes",
                    config.node_addresses.to_string(), node_capacity, config.nodes));
  }
  return errors;
}

// A duration field ("500ms", "2s", "1m"), at most 10 minutes; left as it is when absent.
void read_duration(manifest::FieldReader& reader, manifest::FieldContext& context, const char* key,
                   std::chrono::milliseconds& value) {
  std::string written;
  reader.str(key, written);
  if (written.empty()) return;
  Result<std::chrono::nanoseconds> parsed = parse_duration(written, true);
  if (!parsed || *parsed > std::chrono::minutes(10)) {
    context.errors.push_back(api::invalid(
        reader.path(key), written, parsed ? "at most 10m" : "a duration such as 500ms, 2s or 1m"));
    return;
  }
  value = std::chrono::duration_cast<std::chrono::milliseconds>(*parsed);
}

ConfigResult parse_cluster_config(const std::string& text, const std::string& file_name) {
  ConfigResult result;
  result.config = ClusterConfig::defaults();
  const auto error = [&](int line, const std::string& message) {
    result.diagnostics.push_back({manifest::Severity::kError, file_name, line, kKind, message});
  };
  manifest::YamlDocuments documents = manifest::read_yaml_stream(text);
  if (!documents) {
    const manifest::YamlError& yaml = documents.error();
    result.diagnostics.push_back(
        {manifest::Severity::kError, file_name, yaml.line, "", yaml.describe()});
    return result;
  }
  if (documents->size() != 1) {
    error(0, fmt::format("expected one document, found {}", documents->size()));
    return result;
  }
  const manifest::Node& root = documents->front().root;
  manifest::FieldContext context;
  context.lines.record("", root.mark.line);
  ClusterConfig& config = result.config;
  {
    manifest::FieldReader reader(context, &root, manifest::FieldPath());
    std::string api_version;
    std::string kind;
    reader.str("apiVersion", api_version);
    reader.str("kind", kind);
    if (api_version != kApiVersion || kind != kKind) {
      context.errors.push_back(
          api::invalid(manifest::FieldPath("kind"), kind,
                       fmt::format("expected apiVersion: {} and kind: {}", kApiVersion, kKind)));
    }
    reader.integer("nodes", config.nodes);
    reader.str("dataDir", config.data_dir);
    read_duration(reader, context, "podReconnectTimeout", config.pod_reconnect_timeout);
    std::string profile;
    reader.str("profile", profile);
    if (!profile.empty()) {
      if (Result<Profile> parsed = parse_profile(profile); parsed) {
        config.profile = *parsed;
      } else {
        context.errors.push_back(
            api::unsupported(reader.path("profile"), profile, {"nodrop", "kubernetes"}));
      }
    }
    reader.object("kubernetes", [&](manifest::FieldReader& timing) {
      KubernetesTiming& out = config.kubernetes;
      if (const manifest::Node* node = timing.take("timeScale")) {
        if (node->type() == manifest::Node::Type::kFloat) {
          out.time_scale = node->float_value();
        } else if (node->type() == manifest::Node::Type::kInt) {
          out.time_scale = static_cast<double>(node->int_value());
        } else {
          context.type_error(timing.path("timeScale"), *node, "a number");
        }
        if (!(out.time_scale > 0 && out.time_scale <= 100)) {
          context.errors.push_back(api::invalid_rendered(timing.path("timeScale"), node->render(),
                                                         "must be more than 0 and at most 100"));
        }
      }
      const auto duration = [&](const char* key, std::chrono::milliseconds& value) {
        read_duration(timing, context, key, value);
      };
      duration("endpointPublication", out.endpoint_publication);
      duration("proxySyncPeriod", out.proxy_sync_period);
      duration("loadBalancerApiLatency", out.load_balancer_api_latency);
      duration("healthCheckInterval", out.health_check_interval);
      timing.integer("healthyThreshold", out.healthy_threshold);
      timing.integer("unhealthyThreshold", out.unhealthy_threshold);
      for (const auto& [key, threshold] :
           {std::pair{"healthyThreshold", out.healthy_threshold},
            std::pair{"unhealthyThreshold", out.unhealthy_threshold}}) {
        if (threshold < 1 || threshold > 10) {
          context.errors.push_back(
              api::invalid(timing.path(key), threshold, "must be from 1 to 10"));
        }
      }
    });
    reader.list(
        "images", config.images, [&](manifest::FieldReader& entry, node::ImageMapping& mapping) {
          entry.str("image", mapping.image);
          entry.strings("command", mapping.command);
          entry.strings("args", mapping.args);
          entry.list("env", mapping.env,
                     [](manifest::FieldReader& variable, std::pair<std::string, std::string>& out) {
                       variable.str("name", out.first);
                       variable.str("value", out.second);
                     });
          std::string stop_signal;
          entry.str("stopSignal", stop_signal);
          if (!stop_signal.empty()) {
            if (std::optional<runtime::Signal> named = node::stop_signal_named(stop_signal)) {
              mapping.stop_signal = *named;
            } else {
              context.errors.push_back(
                  api::unsupported(entry.path("stopSignal"), stop_signal,
                                   std::vector<std::string>(std::begin(node::kStopSignalNames),
                                                            std::end(node::kStopSignalNames))));
            }
          }
          if (mapping.image.empty()) {
            context.errors.push_back(
                api::required(entry.path("image"), "an image name or pattern"));
          }
          if (mapping.command.empty()) {
            context.errors.push_back(
                api::required(entry.path("command"), "the program the image runs"));
          }
        });
    reader.object("addresses", [&](manifest::FieldReader& addresses) {
      const auto range = [&](const char* key, AddressRange& out) {
        std::string text_value;
        addresses.str(key, text_value);
        if (text_value.empty()) return;
        Result<AddressRange> parsed = parse_address_range(text_value);
        if (!parsed) {
          context.errors.push_back(api::invalid_rendered(
              addresses.path(key), "\"" + text_value + "\"", parsed.status().message()));
          return;
        }
        out = *parsed;
      };
      range("nodes", config.node_addresses);
      range("pods", config.pod_addresses);
      range("loadBalancers", config.load_balancer_addresses);
      range("clusterIPs", config.cluster_ip_addresses);
    });
  }
  // In a configuration file, an unknown field is a mistake: nothing of nodrop's own is optional.
  for (const api::FieldError& problem : context.errors) {
    error(context.lines.line_of(problem.path), problem.to_string());
  }
  for (const api::FieldError& problem : context.warnings) {
    error(context.lines.line_of(problem.path), problem.to_string());
  }
  std::stable_sort(
      result.diagnostics.begin(), result.diagnostics.end(),
      [](const manifest::Diagnostic& a, const manifest::Diagnostic& b) { return a.line < b.line; });
  if (result.diagnostics.empty()) {
    for (const std::string& problem : validate_cluster_config(config)) error(0, problem);
  }
  return result;
}

ConfigResult load_cluster_config(const std::string& path) {
  Result<std::string> text = manifest::read_manifest_file(path);
  if (!text) {
    ConfigResult result;
    result.diagnostics.push_back(
        {manifest::Severity::kError, path, 0, "", text.status().message()});
    return result;
  }
  return parse_cluster_config(*text, path);
}

}  // namespace nodrop::server
