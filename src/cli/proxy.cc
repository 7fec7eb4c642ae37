// `nodrop proxy`: the data plane on its own, in front of any servers, as a user would run it and
// as the benchmark runs it. SIGTERM or SIGINT drains it: stop accepting, finish in-flight
// requests (bounded by --drain-timeout), then exit and print the listener's metrics.
#include "proxy/transport/proxy.h"

#include <string>
#include <vector>

#include "base/flags.h"
#include "cli/verbs_list.h"
#include "live/loop/epoll_loop.h"
#include "live/processes/termination_signals.h"
#include "server/profile.h"

namespace nodrop::cli {
namespace {

constexpr const char* kUsage =
    "Usage: nodrop proxy --listen ADDR:PORT --backend ADDR:PORT [--backend ADDR:PORT...]\n"
    "                    [--mode http|tcp] [--workers N] [--profile nodrop|kubernetes]\n"
    "                    [--picker round-robin|least-outstanding] [--proxy-protocol]\n"
    "                    [--max-connections N] [--reuseport] [--no-batch-sends]\n"
    "                    [--header-timeout D] [--idle-timeout D] [--connect-timeout D]\n"
    "                    [--response-timeout D] [--drain-timeout D]\n"
    "  --profile P           nodrop (default): a connection refused or reset before a byte was\n"
    "                        sent is retried on another backend, an idempotent request once more,\n"
    "                        and requests wait (5 s at most) while no backend is up;\n"
    "                        kubernetes: kube-proxy's data plane, none of that\n"
    "  --max-connections N   client connections over all workers (default 10000); at the limit\n"
    "                        the proxy stops accepting and new clients wait in the listen backlog\n"
    "  --header-timeout D    from a request head's first byte to its end (default 10s)\n"
    "  --idle-timeout D      a keep-alive connection between requests, a silent tunnel or L4\n"
    "                        connection (default 60s)\n"
    "  --connect-timeout D   connecting to a backend (default 2s)\n"
    "  --response-timeout D  a backend's silence while a response is due (default 30s)\n"
    "  --drain-timeout D     on SIGTERM or SIGINT, how long in-flight work and idle keep-alive\n"
    "                        connections may finish (default 30s)\n"
    "  Durations: 500ms, 10s, 1.5m, 1h.\n";

Result<Ipv4Endpoint> parse_backend_address(std::string_view text) {
  Result<Ipv4Endpoint> address = parse_ipv4_endpoint(text);
  if (address && address->port == 0) {
    return invalid_argument("\"" + std::string(text) +
                            "\": port 0 is not a port a backend listens on");
  }
  return address;
}

// Timeouts a user may set: from a millisecond to an hour.
constexpr std::chrono::milliseconds kMinTimeout{1};
constexpr std::chrono::hours kMaxTimeout{1};

}  // namespace

int run_proxy(const Args& args, std::ostream& out, std::ostream& err) {
  proxy::ProxyOptions options;
  server::Profile profile = server::Profile::kNodrop;
  const auto apply_profile = [&] {
    const server::ProfilePolicies policies = server::policies_for(profile);
    options.retry = policies.retry;
    options.hold = policies.hold;
  };
  apply_profile();
  std::vector<proxy::Endpoint> backends;
  bool have_listen = false;
  FlagReader flags(args);
  const auto fail = [&](const Status& status) {
    err << "nodrop proxy: " << status.message() << "\n" << kUsage;
    return kExitUsage;
  };
  // Sets a timeout from the current flag's value.
  const auto set_timeout = [&](std::chrono::milliseconds* timeout) -> Status {
    Result<std::chrono::nanoseconds> value = flags.duration(kMinTimeout, kMaxTimeout);
    if (!value) return value.status();
    *timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*value);
    return Status::ok();
  };
  while (flags.next()) {
    if (!flags.at_flag()) {
      return fail(invalid_argument("unexpected argument \"" + flags.argument() + "\""));
    }
    if (flags.is("--help", "-h")) {
      out << kUsage;
      return kExitOk;
    }
    Status status;
    if (flags.is("--proxy-protocol")) {
      status = flags.is_switch();
      options.proxy_protocol_v2 = true;
    } else if (flags.is("--reuseport")) {
      status = flags.is_switch();
      options.reuse_port = true;
    } else if (flags.is("--no-batch-sends")) {
      status = flags.is_switch();
      options.batch_sends = false;
    } else if (flags.is("--listen")) {
      Result<Ipv4Endpoint> address = flags.parsed(parse_ipv4_endpoint);
      if (address) options.listen = *address;
      have_listen = address.is_ok();
      status = address.status();
    } else if (flags.is("--backend")) {
      Result<Ipv4Endpoint> address = flags.parsed(parse_backend_address);
      if (address) {
        proxy::Endpoint backend;
        backend.address = *address;
        backends.push_back(backend);  // ready and serving
      }
      status = address.status();
    } else if (flags.is("--mode")) {
      Result<proxy::ProxyMode> mode = flags.parsed(proxy::parse_proxy_mode);
      if (mode) options.mode = *mode;
      status = mode.status();
    } else if (flags.is("--picker")) {
      Result<proxy::PickerKind> picker = flags.parsed(proxy::parse_picker_kind);
      if (picker) options.picker = *picker;
      status = picker.status();
    } else if (flags.is("--profile")) {
      Result<server::Profile> chosen = flags.parsed(server::parse_profile);
      if (chosen) {
        profile = *chosen;
        apply_profile();
      }
      status = chosen.status();
    } else if (flags.is("--workers")) {
      Result<std::int64_t> workers = flags.count(1, proxy::kMaxProxyWorkers);
      if (workers) options.workers = static_cast<int>(*workers);
      status = workers.status();
    } else if (flags.is("--max-connections")) {
      Result<std::int64_t> count = flags.count(1, 1'000'000);
      if (count) options.limits.max_connections = static_cast<std::size_t>(*count);
      status = count.status();
    } else if (flags.is("--header-timeout")) {
      status = set_timeout(&options.limits.header_timeout);
    } else if (flags.is("--idle-timeout")) {
      status = set_timeout(&options.limits.idle_timeout);
    } else if (flags.is("--connect-timeout")) {
      status = set_timeout(&options.limits.connect_timeout);
    } else if (flags.is("--response-timeout")) {
      status = set_timeout(&options.limits.response_timeout);
    } else if (flags.is("--drain-timeout")) {
      status = set_timeout(&options.limits.drain_timeout);
    } else {
      status = flags.unknown();
    }
    if (!status.is_ok()) return fail(status);
  }
  if (!have_listen || backends.empty()) {
    err << "nodrop proxy: --listen and at least one --backend are required\n" << kUsage;
    return kExitUsage;
  }

  // Block the signals before any worker thread starts, so that they all inherit the mask.
  auto signals = live::TerminationSignals::block();
  if (!signals.is_ok()) {
    err << "nodrop proxy: " << signals.status().message() << "\n";
    return kExitFailure;
  }
  auto started = proxy::Proxy::start(options);
  if (!started.is_ok()) {
    err << "nodrop proxy: " << started.status().message() << "\n";
    return kExitFailure;
  }
  proxy::Proxy& running = *started.value();
  if (auto published = running.set_endpoints(backends); !published.is_ok()) {
    err << "nodrop proxy: " << published.status().message() << "\n";
    return kExitUsage;
  }
  out << "nodrop proxy: listening on "
      << Ipv4Endpoint{options.listen.address, running.port()}.to_string() << " ("
      << (options.mode == proxy::ProxyMode::kHttp ? "http" : "tcp") << ", profile "
      << server::profile_name(profile) << ", " << options.workers
      << (options.workers == 1 ? " worker" : " workers") << ", " << backends.size()
      << (backends.size() == 1 ? " backend" : " backends") << ", "
      << (running.batches_sends() ? "sends batched with io_uring"
          : options.batch_sends   ? "one send per write: io_uring unavailable"
                                  : "one send per write")
      << ")" << std::endl;

  live::EpollLoop loop;
  const live::WatchId watch = loop.watch(signals->fd(), live::kReadable, [&](std::uint32_t) {
    signals->take();
    loop.stop();
  });
  loop.run();
  loop.unwatch(watch);
  out << "nodrop proxy: draining" << std::endl;
  running.drain();
  running.wait();
  out << running.metrics().summary() << std::flush;
  return kExitOk;
}

}  // namespace nodrop::cli
