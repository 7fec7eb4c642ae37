// `nodrop proxy`: the data plane on its own, in front of any servers, as a user would run it and
// as the benchmark runs it. SIGTERM or SIGINT drains it: stop accepting, finish in-flight
// requests (bounded by --drain-timeout), then exit and print the listener's metrics.
#include "proxy/transport/proxy.h"

#include <charconv>
#include <string>
#include <vector>

#include "cli/verbs_list.h"
#include "live/epoll_loop.h"
#include "live/proxy_signals.h"

namespace nodrop::cli {
namespace {

constexpr const char* kUsage =
    "Usage: nodrop proxy --listen ADDR:PORT --backend ADDR:PORT [--backend ADDR:PORT...]\n"
    "                    [--mode http|tcp] [--workers N] [--profile nodrop|kubernetes]\n"
    "                    [--picker round-robin|least-outstanding] [--proxy-protocol]\n"
    "                    [--max-connections N] [--drain-timeout-ms N] [--reuseport]\n"
    "                    [--no-batch-sends]\n";

bool parse_count(const std::string& text, long max, long* out) {
  long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > max) {
    return false;
  }
  *out = value;
  return true;
}

}  // namespace

int run_proxy(const Args& args, std::ostream& out, std::ostream& err) {
  proxy::ProxyOptions options;
  std::vector<proxy::Endpoint> backends;
  bool have_listen = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help" || flag == "-h") {
      out << kUsage;
      return kExitOk;
    }
    if (flag == "--proxy-protocol") {
      options.proxy_protocol_v2 = true;
      continue;
    }
    if (flag == "--reuseport") {
      options.reuse_port = true;
      continue;
    }
    if (flag == "--no-batch-sends") {
      options.batch_sends = false;
      continue;
    }
    if (i + 1 >= args.size()) {
      err << "nodrop proxy: " << flag << " needs a value\n" << kUsage;
      return kExitUsage;
    }
    const std::string& value = args[++i];
    const auto fail = [&](const std::string& message) {
      err << "nodrop proxy: " << flag << ": " << message << "\n";
      return kExitUsage;
    };
    long count = 0;
    if (flag == "--listen" || flag == "--backend") {
      auto address = proxy::parse_endpoint_address(value);
      if (!address.is_ok()) return fail(address.status().message());
      if (flag == "--listen") {
        options.listen = address.value();
        have_listen = true;
      } else {
        backends.push_back(proxy::Endpoint{address.value(), "", true, true, false});
      }
    } else if (flag == "--mode") {
      auto mode = proxy::parse_proxy_mode(value);
      if (!mode.is_ok()) return fail(mode.status().message());
      options.mode = mode.value();
    } else if (flag == "--picker") {
      auto picker = proxy::parse_picker_kind(value);
      if (!picker.is_ok()) return fail(picker.status().message());
      options.picker = picker.value();
    } else if (flag == "--profile") {
      if (value == "nodrop") {
        options.retry = proxy::RetryPolicy::nodrop();
        options.hold = proxy::HoldPolicy::nodrop();
      } else if (value == "kubernetes") {
        options.retry = proxy::RetryPolicy::kubernetes();
        options.hold = proxy::HoldPolicy::kubernetes();
      } else {
        return fail("expected nodrop or kubernetes");
      }
    } else if (flag == "--workers") {
      if (!parse_count(value, proxy::kMaxProxyWorkers, &count)) {
        return fail("expected a number from 1 to " + std::to_string(proxy::kMaxProxyWorkers));
      }
      options.workers = static_cast<int>(count);
    } else if (flag == "--max-connections") {
      if (!parse_count(value, 1'000'000, &count))
        return fail("expected a number from 1 to 1000000");
      options.limits.max_connections = static_cast<std::size_t>(count);
    } else if (flag == "--drain-timeout-ms") {
      if (!parse_count(value, 3'600'000, &count))
        return fail("expected milliseconds, 1 to 3600000");
      options.limits.drain_timeout = std::chrono::milliseconds(count);
    } else {
      err << "nodrop proxy: unknown flag " << flag << "\n" << kUsage;
      return kExitUsage;
    }
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
      << proxy::EndpointAddress{options.listen.ipv4, running.port()}.to_string() << " ("
      << (options.mode == proxy::ProxyMode::kHttp ? "http" : "tcp") << ", " << options.workers
      << (options.workers == 1 ? " worker" : " workers") << ", " << backends.size()
      << (backends.size() == 1 ? " backend" : " backends") << ", "
      << (running.batches_sends() ? "sends batched with io_uring"
          : options.batch_sends   ? "one send per write: io_uring unavailable"
                                  : "one send per write")
      << ")" << std::endl;

  live::EpollLoop loop;
  const live::WatchId watch = loop.watch(signals->fd(), live::kReadable, [&](std::uint32_t) {
    signals->consume();
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
