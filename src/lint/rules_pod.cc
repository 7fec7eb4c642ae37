// Rules about one pod template: probes (hop 1) and the termination sequence (hop 2).
#include <fmt/format.h>

#include <algorithm>

#include "lint/prestop.h"
#include "lint/rules.h"

namespace nodrop::lint {
namespace {

bool declares(const api::Container& container, const api::IntOrString& port) {
  return std::any_of(container.ports.begin(), container.ports.end(),
                     [&](const api::ContainerPort& declared) {
                       return port.is_string() ? declared.name == port.string_value()
                                               : declared.container_port == port.int_value();
                     });
}

// The containers that receive the Services' traffic: those declaring a port a Service targets.
// When none declares one (ports are informational in Kubernetes), every container may serve.
std::vector<bool> serving_containers(const Workload& workload,
                                     const std::vector<const ServiceEntry*>& services) {
  const std::vector<api::Container>& containers = workload.pod_spec().containers;
  std::vector<bool> serving(containers.size(), false);
  bool any = false;
  for (std::size_t i = 0; i < containers.size(); ++i) {
    for (const ServiceEntry* service : services) {
      for (const api::ServicePort& port : service->service.spec.ports) {
        const api::IntOrString target =
            port.target_port.value_or(api::IntOrString::from_int(port.port));
        if (declares(containers[i], target)) serving[i] = true;
      }
    }
    any = any || serving[i];
  }
  if (!any) std::fill(serving.begin(), serving.end(), true);
  return serving;
}

std::string services_list(const std::vector<const ServiceEntry*>& services) {
  std::string text;
  for (const ServiceEntry* service : services) {
    if (!text.empty()) text += ", ";
    text += service->source.ref.name;
  }
  return text;
}

// A probe's action with its port, for a fix that mirrors what the user already probes.
std::string first_port_text(const api::Container& container) {
  if (container.ports.empty()) return "8080";
  if (!container.ports[0].name.empty()) return container.ports[0].name;
  return std::to_string(container.ports[0].container_port);
}

// What a Service needs before the preStop sleep may end, and why (for the message).
struct Propagation {
  std::int64_t seconds = 0;
  std::string reason;
};

Propagation needed_propagation(const Checker& checker,
                               const std::vector<const ServiceEntry*>& services) {
  const CheckOptions& options = checker.options();
  Propagation needed{options.proxy_sync.count(),
                     fmt::format("kube-proxy sync {} s", options.proxy_sync.count())};
  for (const ServiceEntry* entry : services) {
    const api::Service& service = entry->service;
    // The balancer only has to forget the pod (or its node) when it targets pods or Local nodes;
    // with Cluster it keeps sending to every node and kube-proxy reroutes.
    const bool balancer_tracks_pods =
        service.spec.type == api::kServiceTypeLoadBalancer &&
        (sends_to_pods_directly(service) ||
         service.spec.external_traffic_policy == api::kTrafficPolicyLocal);
    if (!balancer_tracks_pods) continue;
    const std::int64_t total = options.proxy_sync.count() + options.lb_deregistration_delay.count();
    if (total > needed.seconds) {
      needed.seconds = total;
      needed.reason = fmt::format(
          "kube-proxy sync {} s + load balancer deregistration {} s for Service {} ({})",
          options.proxy_sync.count(), options.lb_deregistration_delay.count(),
          entry->source.ref.name,
          sends_to_pods_directly(service) ? "targets pod IPs" : "externalTrafficPolicy: Local");
    }
  }
  return needed;
}

void check_termination(Checker& checker, const Workload& workload,
                       const std::vector<const ServiceEntry*>& services,
                       const std::vector<bool>& serving) {
  const api::PodSpec& spec = workload.pod_spec();
  const Source& source = workload.source;
  const std::int64_t grace = spec.termination_grace_period_seconds.value_or(30);
  const std::string grace_path =
      std::string(workload.pod_spec_path()) + ".terminationGracePeriodSeconds";
  const bool external =
      std::any_of(services.begin(), services.end(),
                  [](const ServiceEntry* entry) { return is_external(entry->service); });
  const Propagation needed = needed_propagation(checker, services);
  for (std::size_t i = 0; i < spec.containers.size(); ++i) {
    const api::Container& container = spec.containers[i];
    const std::string path = container_path(workload, i);
    const bool has_prestop =
        container.lifecycle.has_value() && container.lifecycle->pre_stop.has_value();
    if (!has_prestop) {
      if (!services.empty() && serving[i]) {
        checker.report(
            source, RuleId::kPreStopMissing, external ? Severity::kWarning : Severity::kInfo,
            path + ".lifecycle",
            fmt::format(
                "container \"{}\" has no preStop hook: on deletion it gets SIGTERM at once, while "
                "kube-proxy{} still send{} it new connections for ~{} s ({})",
                container.name, external ? " and the load balancer" : "", external ? "" : "s",
                needed.seconds, needed.reason),
            fmt::format("lifecycle:\n  preStop:\n    sleep:\n      seconds: {}   # or exec: "
                        "[\"sleep\", \"{}\"] "
                        "before Kubernetes 1.30",
                        needed.seconds, needed.seconds));
      }
      continue;
    }
    const std::string hook_path = path + ".lifecycle.preStop";
    const std::optional<std::int64_t> sleep = prestop_sleep_seconds(*container.lifecycle->pre_stop);
    if (!sleep.has_value()) continue;  // an httpGet or a script: its length is not known here
    const std::int64_t margin = checker.options().drain_margin.count();
    if (*sleep >= grace) {
      checker.report(
          source, RuleId::kGracePeriodTooShort, Severity::kError, grace_path,
          fmt::format(
              "container \"{}\": preStop sleeps {} s but the grace period is {} s: the kubelet "
              "abandons the hook at {} s and sends SIGTERM with 2 s left before SIGKILL, so "
              "in-flight requests are cut",
              container.name, *sleep, grace, grace),
          fmt::format(
              "terminationGracePeriodSeconds: {}   # preStop {} s + 30 s to finish in-flight "
              "requests after SIGTERM",
              *sleep + 30, *sleep));
    } else if (*sleep + margin > grace) {
      checker.report(
          source, RuleId::kGracePeriodTooShort, Severity::kWarning, grace_path,
          fmt::format(
              "container \"{}\": preStop sleeps {} s of a {} s grace period, leaving {} s after "
              "SIGTERM (less than the {} s drain margin) before SIGKILL cuts in-flight requests",
              container.name, *sleep, grace, grace - *sleep, margin),
          fmt::format(
              "terminationGracePeriodSeconds: {}   # preStop {} s + 30 s to finish in-flight "
              "requests after SIGTERM",
              *sleep + 30, *sleep));
    }
    if (!services.empty() && serving[i] && *sleep < needed.seconds) {
      checker.report(
          source, RuleId::kPreStopShorterThanPropagation, hook_path,
          fmt::format(
              "container \"{}\": preStop sleeps {} s, but traffic keeps arriving for ~{} s after "
              "the endpoint is removed ({}); requests in between hit a pod that got SIGTERM",
              container.name, *sleep, needed.seconds, needed.reason),
          fmt::format("lifecycle:\n  preStop:\n    sleep:\n      seconds: {}\n# and "
                      "terminationGracePeriodSeconds: {} or more",
                      needed.seconds, needed.seconds + 30));
    }
  }
}

void check_probes(Checker& checker, const Workload& workload,
                  const std::vector<const ServiceEntry*>& services,
                  const std::vector<bool>& serving) {
  const api::PodSpec& spec = workload.pod_spec();
  const Source& source = workload.source;
  for (std::size_t i = 0; i < spec.containers.size(); ++i) {
    const api::Container& container = spec.containers[i];
    const std::string path = container_path(workload, i);
    if (!services.empty() && serving[i] && !container.readiness_probe.has_value()) {
      checker.report(
          source, RuleId::kReadinessProbeMissing, path + ".readinessProbe",
          fmt::format("container \"{}\" serves Service {} but has no readiness probe: a new pod "
                      "becomes an endpoint as soon as the container starts, before the app "
                      "listens, and its first requests are refused",
                      container.name, services_list(services)),
          fmt::format(
              "readinessProbe:\n  httpGet:          # or tcpSocket: {{port: {}}}\n    path: "
              "/ready\n    port: {}\n  periodSeconds: 5",
              first_port_text(container), first_port_text(container)));
    }
    const std::optional<api::Probe>& liveness = container.liveness_probe;
    const std::optional<api::Probe>& readiness = container.readiness_probe;
    // The same check is fine when liveness tolerates failures longer than readiness: readiness
    // takes the pod out of rotation first, and a restart comes only if that does not help.
    auto failure_window = [](const api::Probe& probe) {
      return static_cast<std::int64_t>(probe.period_seconds) * probe.failure_threshold;
    };
    if (liveness.has_value() && readiness.has_value() && liveness->handler == readiness->handler &&
        failure_window(*liveness) <= failure_window(*readiness)) {
      // A TCP connect fails only when nothing listens, which a restart may cure; an HTTP, exec or
      // gRPC answer also fails under load or when a dependency is down, where a restart of every
      // replica at once turns a slowdown into an outage.
      const bool tcp = liveness->handler.tcp_socket.has_value();
      checker.report(
          source, RuleId::kLivenessSameAsReadiness, tcp ? Severity::kInfo : Severity::kWarning,
          path + ".livenessProbe",
          fmt::format(
              "container \"{}\": the liveness probe runs the readiness check and gives up "
              "no later ({} s against {} s): when the pod is overloaded or a dependency "
              "fails, it is restarted (dropping its in-flight requests) instead of only being "
              "taken out of rotation",
              container.name, failure_window(*liveness), failure_window(*readiness)),
          "livenessProbe:        # a cheaper check that fails only when a restart helps\n  "
          "httpGet:\n"
          "    path: /livez\n    port: " +
              first_port_text(container) +
              "\n  failureThreshold: 6   # longer than readiness, so readiness acts first");
    }
    if (liveness.has_value() && !container.startup_probe.has_value()) {
      const std::int64_t budget =
          static_cast<std::int64_t>(liveness->initial_delay_seconds) +
          static_cast<std::int64_t>(liveness->period_seconds) * liveness->failure_threshold;
      const std::int64_t readiness_delay =
          readiness.has_value() ? readiness->initial_delay_seconds : 0;
      const std::string fix =
          "startupProbe:         # liveness and readiness wait until this passes\n"
          "  <the liveness probe's action>\n  periodSeconds: 10\n  failureThreshold: 30   # up to "
          "300 s to start";
      if (readiness.has_value() && budget <= readiness_delay) {
        checker.report(
            source, RuleId::kLivenessKillsSlowStart, Severity::kWarning, path + ".livenessProbe",
            fmt::format(
                "container \"{}\": liveness kills the container after {} s (initialDelay {} + "
                "{} x {} s), before readiness even starts probing at {} s: a pod that needs "
                "that long never becomes ready and the rollout stalls",
                container.name, budget, liveness->initial_delay_seconds,
                liveness->failure_threshold, liveness->period_seconds, readiness_delay),
            fix);
      } else if (liveness->initial_delay_seconds == 0) {
        checker.report(
            source, RuleId::kLivenessKillsSlowStart, Severity::kInfo, path + ".livenessProbe",
            fmt::format(
                "container \"{}\": liveness starts at once with no startup probe; a start "
                "slower than {} s (cold cache, slow node) is killed and restarted in a loop",
                container.name, budget),
            fix);
      }
    }
    struct Named {
      const char* field;
      const std::optional<api::Probe>* probe;
    };
    for (const Named& named :
         {Named{"readinessProbe", &readiness}, Named{"livenessProbe", &liveness},
          Named{"startupProbe", &container.startup_probe}}) {
      if (!named.probe->has_value()) continue;
      const api::Handler& handler = (*named.probe)->handler;
      std::optional<api::IntOrString> port;
      std::string port_path = path + "." + named.field;
      if (handler.http_get.has_value()) {
        port = handler.http_get->port;
        port_path += ".httpGet.port";
      } else if (handler.tcp_socket.has_value()) {
        port = handler.tcp_socket->port;
        port_path += ".tcpSocket.port";
      } else if (handler.grpc.has_value()) {
        port = api::IntOrString::from_int(handler.grpc->port);
        port_path += ".grpc.port";
      }
      if (!port.has_value() || declares(container, *port)) continue;
      if (port->is_string()) {
        checker.report(
            source, RuleId::kProbePortNotDeclared, Severity::kError, port_path,
            fmt::format("container \"{}\": the {} uses port \"{}\", which the container does not "
                        "declare: the probe fails every time",
                        container.name, named.field, port->string_value()),
            fmt::format("ports:\n- name: {}\n  containerPort: <the port the app listens on>",
                        port->string_value()));
      } else if (!container.ports.empty()) {
        checker.report(
            source, RuleId::kProbePortNotDeclared, Severity::kWarning, port_path,
            fmt::format("container \"{}\": the {} checks port {}, but the container declares {}: "
                        "it probes something other than what the Service sends to",
                        container.name, named.field, port->int_value(),
                        container.ports.size() == 1
                            ? "only port " + std::to_string(container.ports[0].container_port)
                            : "other ports"),
            fmt::format("{}:\n  ...\n    port: {}   # a declared port; a name is safer",
                        named.field, first_port_text(container)));
      }
    }
  }
}

}  // namespace

void check_pod_rules(Checker& checker, const Workload& workload) {
  const std::vector<const ServiceEntry*>& services = checker.services_of(workload);
  const std::vector<bool> serving = serving_containers(workload, services);
  check_probes(checker, workload, services, serving);
  check_termination(checker, workload, services, serving);
}

}  // namespace nodrop::lint
