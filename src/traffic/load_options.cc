#include "traffic/load_options.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <string_view>

#include "traffic/schedule.h"

namespace nodrop::traffic {
namespace {

Result<std::uint64_t> parse_count(const std::string& flag, const std::string& text,
                                  std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return invalid_argument(
        fmt::format("{} \"{}\": expected a whole number from {} to {}", flag, text, min, max));
  }
  return value;
}

bool starts_with_ignoring_case(const std::string& text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

bool valid_token(const std::string& text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

// Applies one option of `load` at args[*i], advancing *i past its value. Returns false in
// *recognised when the flag is not a load option.
Status apply_load_flag(const std::vector<std::string>& args, std::size_t* i, LoadOptions* options,
                       bool* recognised) {
  *recognised = true;
  const std::string& flag = args[*i];
  auto value = [&]() -> Result<std::string> {
    if (*i + 1 >= args.size()) return invalid_argument(fmt::format("{} needs a value", flag));
    return args[++*i];
  };
  if (flag == "--keepalive") {
    options->mode = ConnectionMode::kKeepAlive;
  } else if (flag == "--new-connection") {
    options->mode = ConnectionMode::kNewConnection;
  } else if (flag == "--quiet") {
    options->quiet = true;
  } else if (flag == "--rate" || flag == "--duration" || flag == "--connections" ||
             flag == "--timeout" || flag == "--method" || flag == "--header" || flag == "--body" ||
             flag == "--json" || flag == "--svg" || flag == "--source") {
    Result<std::string> text = value();
    if (!text) return text.status();
    if (flag == "--rate") {
      if (*text == "max") {
        options->rate_per_second.reset();
      } else {
        Result<std::uint64_t> rate = parse_count(flag, *text, 1, Schedule::kMaxRatePerSecond);
        if (!rate) return rate.status();
        options->rate_per_second = *rate;
      }
    } else if (flag == "--duration") {
      Result<runtime::Duration> duration = parse_duration(*text, false);
      if (!duration)
        return invalid_argument(fmt::format("--duration: {}", duration.status().message()));
      if (*duration > LoadOptions::kMaxDuration) {
        return invalid_argument(fmt::format("--duration \"{}\": at most 1h", *text));
      }
      options->duration = *duration;
    } else if (flag == "--connections") {
      Result<std::uint64_t> connections = parse_count(flag, *text, 1, LoadOptions::kMaxConnections);
      if (!connections) return connections.status();
      options->connections = static_cast<std::uint32_t>(*connections);
    } else if (flag == "--timeout") {
      Result<runtime::Duration> timeout = parse_duration(*text, false);
      if (!timeout)
        return invalid_argument(fmt::format("--timeout: {}", timeout.status().message()));
      if (*timeout > LoadOptions::kMaxTimeout) {
        return invalid_argument(fmt::format("--timeout \"{}\": at most 60s", *text));
      }
      options->timeout = *timeout;
    } else if (flag == "--method") {
      if (!valid_token(*text)) {
        return invalid_argument(fmt::format("--method \"{}\" is not an HTTP method", *text));
      }
      options->method = *text;
    } else if (flag == "--header") {
      const auto colon = text->find(':');
      if (colon == std::string::npos || colon == 0 || !valid_token(text->substr(0, colon)) ||
          text->find_first_of("\r\n") != std::string::npos) {
        return invalid_argument(fmt::format("--header \"{}\": expected \"Name: value\"", *text));
      }
      if (options->headers.size() >= LoadOptions::kMaxHeaders) {
        return invalid_argument(
            fmt::format("at most {} --header options", LoadOptions::kMaxHeaders));
      }
      options->headers.push_back(*text);
    } else if (flag == "--body") {
      options->body = *text;
    } else if (flag == "--source") {
      Result<AddressRange> range = parse_address_range(*text);
      if (!range) {
        return invalid_argument(
            fmt::format("--source \"{}\": {}", *text, range.status().message()));
      }
      options->sources = *range;
    } else if (flag == "--json") {
      options->json_path = *text;
    } else {
      options->svg_path = *text;
    }
  } else {
    *recognised = false;
  }
  return Status::ok();
}

Status check_request_size(const LoadOptions& options) {
  if (build_request(options).size() > LoadOptions::kMaxRequestBytes) {
    return invalid_argument(
        fmt::format("the request is larger than {} bytes", LoadOptions::kMaxRequestBytes));
  }
  return Status::ok();
}

}  // namespace

Result<LoadOptions> parse_load_options(const std::vector<std::string>& args) {
  LoadOptions options;
  bool have_target = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    bool recognised = false;
    if (Status status = apply_load_flag(args, &i, &options, &recognised); !status.is_ok()) {
      return status;
    }
    if (recognised) continue;
    if (args[i].rfind('-', 0) == 0) {
      return invalid_argument(fmt::format("unknown option \"{}\"", args[i]));
    }
    if (have_target) {
      return invalid_argument(fmt::format("one URL only; \"{}\" is a second one", args[i]));
    }
    Result<Target> target = parse_target(args[i]);
    if (!target) return target.status();
    options.target = *target;
    have_target = true;
  }
  if (!have_target) return invalid_argument("the URL to load is missing");
  if (Status status = check_request_size(options); !status.is_ok()) return status;
  return options;
}

Result<VerifyOptions> parse_verify_options(const std::vector<std::string>& args) {
  VerifyOptions options;
  options.load.duration = std::chrono::minutes(10);
  std::size_t separator = 0;
  while (separator < args.size() && args[separator] != "--") ++separator;
  if (separator + 1 >= args.size()) {
    return invalid_argument(
        "the command to run is missing; write: nodrop verify URL [OPTIONS] -- COMMAND...");
  }
  options.command.assign(args.begin() + static_cast<std::ptrdiff_t>(separator) + 1, args.end());
  std::vector<std::string> load_args;
  for (std::size_t i = 0; i < separator; ++i) {
    const std::string& flag = args[i];
    if (flag == "--before" || flag == "--settle" || flag == "--max-failures") {
      if (i + 1 >= separator) return invalid_argument(fmt::format("{} needs a value", flag));
      const std::string& text = args[++i];
      if (flag == "--max-failures") {
        Result<std::uint64_t> count = parse_count(flag, text, 0, 1'000'000'000);
        if (!count) return count.status();
        options.max_failures = *count;
        continue;
      }
      Result<runtime::Duration> duration = parse_duration(text, true);
      if (!duration)
        return invalid_argument(fmt::format("{}: {}", flag, duration.status().message()));
      if (*duration > VerifyOptions::kMaxSettle) {
        return invalid_argument(fmt::format("{} \"{}\": at most 10m", flag, text));
      }
      (flag == "--before" ? options.before : options.settle) = *duration;
      continue;
    }
    load_args.push_back(flag);
  }
  bool duration_given = false;
  for (const std::string& arg : load_args) duration_given = duration_given || arg == "--duration";
  Result<LoadOptions> load = parse_load_options(load_args);
  if (!load) return load.status();
  options.load = *load;
  if (!duration_given) options.load.duration = std::chrono::minutes(10);
  if (options.load.duration <= options.before) {
    return invalid_argument("--duration must be longer than --before, or the command never starts");
  }
  if (!options.load.rate_per_second) {
    return invalid_argument("--rate max measures capacity; verify needs a constant --rate");
  }
  return options;
}

std::string build_request(const LoadOptions& options) {
  if (options.target.protocol == Protocol::kTcpEcho) {
    return options.body.empty() ? std::string("nodrop\n") : options.body;
  }
  std::string request = fmt::format("{} {} HTTP/1.1\r\nHost: {}", options.method,
                                    options.target.path, options.target.host);
  if (options.target.port != 80) request += fmt::format(":{}", options.target.port);
  request += "\r\nUser-Agent: nodrop-load\r\n";
  bool has_content_length = false;
  for (const std::string& header : options.headers) {
    request += header + "\r\n";
    if (starts_with_ignoring_case(header, "content-length:")) {
      has_content_length = true;
    }
  }
  if (options.mode == ConnectionMode::kNewConnection) request += "Connection: close\r\n";
  if (!options.body.empty() && !has_content_length) {
    request += fmt::format("Content-Length: {}\r\n", options.body.size());
  }
  request += "\r\n";
  request += options.body;
  return request;
}

const char* load_options_usage() {
  return "  --rate R            requests per second, 1 to 1000000, or max (closed loop)\n"
         "  --duration D        how long to send: 500ms, 10s, 2m (at most 1h)\n"
         "  --connections N     concurrent connections, 1 to 10000 (default 32)\n"
         "  --keepalive         reuse connections (default)\n"
         "  --new-connection    one connection per request\n"
         "  --timeout T         a request fails when unanswered T after it was due (default 2s)\n"
         "  --method M          HTTP method (default GET)\n"
         "  --header 'N: V'     an extra request header (repeatable)\n"
         "  --body TEXT         request body; for tcp:// the bytes echoed (default \"nodrop\\n\")\n"
         "  --source ADDRS      connect from these client addresses, each new connection the "
         "next:\n"
         "                      127.0.88.1, 127.0.88.1-127.0.88.9 or 127.0.88.0/24 (loopback)\n"
         "  --json FILE         write the report as JSON (- for stdout)\n"
         "  --svg FILE          write the timeline as a self-contained SVG\n"
         "  --quiet             no progress line\n";
}

}  // namespace nodrop::traffic
