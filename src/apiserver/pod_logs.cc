#include "apiserver/pod_logs.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "base/cri_log.h"

namespace nodrop::apiserver {
namespace {

namespace fs = std::filesystem;

// What one request may read of a log: a tail or limit larger than this reads the last this-many
// bytes, so a huge log costs a bounded amount of memory and time.
constexpr std::size_t kMaxReadBytes = 16 * 1024 * 1024;

std::string pod_directory(const std::string& log_directory, const api::Pod& pod) {
  return fmt::format("{}/{}_{}_{}", log_directory, pod.metadata.namespace_name, pod.metadata.name,
                     pod.metadata.uid);
}

// The runs of a container with a log, ascending.
std::vector<std::int64_t> runs_of(const std::string& directory) {
  std::vector<std::int64_t> runs;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".log")) continue;
    const std::string stem = name.substr(0, name.size() - 4);
    if (stem.empty() || stem.size() > 9 ||
        !std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    runs.push_back(std::stoll(stem));
  }
  std::sort(runs.begin(), runs.end());
  return runs;
}

// Turns CRI lines into output; keeps a partial last line until it completes.
class LogFormatter {
 public:
  LogFormatter(const LogOptions& options, std::optional<WallTime> since)
      : options_(options), since_(since) {}

  // Formats every complete line of text; returns the bytes of text consumed.
  std::size_t format(std::string_view text, std::deque<std::string>& lines) const {
    std::size_t consumed = 0;
    while (true) {
      const auto newline = text.find('\n', consumed);
      if (newline == std::string_view::npos) break;
      const std::string_view line = text.substr(consumed, newline - consumed);
      consumed = newline + 1;
      const std::optional<CriLine> parsed = parse_cri_line(line);
      if (!parsed) continue;
      if (since_ && parsed->time < *since_) continue;
      std::string out;
      if (options_.timestamps) out = format_rfc3339_nano(parsed->time) + " ";
      out += parsed->content;
      if (parsed->full) out += '\n';
      lines.push_back(std::move(out));
    }
    return consumed;
  }

 private:
  const LogOptions& options_;
  std::optional<WallTime> since_;
};

std::optional<WallTime> since_of(const LogOptions& options, const runtime::Clock& clock) {
  if (!options.since_seconds) return std::nullopt;
  return clock.wall_now() - std::chrono::seconds(*options.since_seconds);
}

std::string read_from(const std::string& path, std::uint64_t offset, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(static_cast<std::streamoff>(offset));
  std::string data(max_bytes, '\0');
  in.read(data.data(), static_cast<std::streamsize>(max_bytes));
  data.resize(static_cast<std::size_t>(in.gcount()));
  return data;
}

class FollowStream : public http::ResponseStream {
 public:
  FollowStream(store::Store& store, const runtime::Clock& clock, std::string path,
               std::uint64_t offset, store::ObjectKey pod_key, std::string run_directory,
               std::int64_t run, LogOptions options)
      : store_(store),
        clock_(clock),
        path_(std::move(path)),
        offset_(offset),
        pod_key_(std::move(pod_key)),
        run_directory_(std::move(run_directory)),
        run_(run),
        options_(std::move(options)) {}

  Chunk next(std::chrono::milliseconds max_wait) override {
    Chunk chunk;
    std::string data = read_from(path_, offset_, 1024 * 1024);
    if (data.empty()) {
      // Nothing new: the log ends when the pod is gone or the container ran again.
      const std::vector<std::int64_t> runs = runs_of(run_directory_);
      const bool newer_run = !runs.empty() && runs.back() > run_;
      if (newer_run || !store_.get(pod_key_).is_ok()) {
        chunk.done = true;
        return chunk;
      }
      wait(max_wait);
      return chunk;
    }
    std::deque<std::string> lines;
    const LogFormatter formatter(options_, std::nullopt);
    offset_ += formatter.format(data, lines);
    for (std::string& line : lines) chunk.bytes += line;
    return chunk;
  }

 private:
  void wait(std::chrono::milliseconds max_wait) {
    // A followed log is polled: the kubelet's writes give no signal this thread could wait on.
    std::unique_lock lock(mutex_);
    idle_.wait_for(lock, std::min(max_wait, std::chrono::milliseconds(200)));
  }

  store::Store& store_;
  const runtime::Clock& clock_;
  std::string path_;
  std::uint64_t offset_;
  store::ObjectKey pod_key_;
  std::string run_directory_;
  std::int64_t run_;
  LogOptions options_;
  std::mutex mutex_;
  std::condition_variable idle_;
};

}  // namespace

Result<std::string> log_file_of(const std::string& log_directory, const api::Pod& pod,
                                const LogOptions& options) {
  std::string container = options.container;
  if (container.empty()) {
    if (pod.spec.containers.size() != 1) {
      std::string names;
      for (const api::Container& item : pod.spec.containers) {
        names += (names.empty() ? "" : " ") + item.name;
      }
      std::string message =
          fmt::format("a container name must be specified for pod {}, choose one of: [{}]",
                      pod.metadata.name, names);
      std::string init_names;
      for (const api::Container& item : pod.spec.init_containers) {
        init_names += (init_names.empty() ? "" : " ") + item.name;
      }
      if (!init_names.empty()) message += " or one of the init containers: [" + init_names + "]";
      return invalid_argument(message);
    }
    container = pod.spec.containers.front().name;
  }
  const auto named = [&](const api::Container& item) { return item.name == container; };
  const bool known =
      std::any_of(pod.spec.containers.begin(), pod.spec.containers.end(), named) ||
      std::any_of(pod.spec.init_containers.begin(), pod.spec.init_containers.end(), named);
  if (!known) {
    return invalid_argument(
        fmt::format("container {} is not valid for pod {}", container, pod.metadata.name));
  }
  const std::string directory = pod_directory(log_directory, pod) + "/" + container;
  const std::vector<std::int64_t> runs = runs_of(directory);
  if (runs.empty() || (options.previous && runs.size() < 2)) {
    if (options.previous) {
      return invalid_argument(
          fmt::format("previous terminated container \"{}\" in pod \"{}\" not found", container,
                      pod.metadata.name));
    }
    return invalid_argument(
        fmt::format("container \"{}\" in pod \"{}\" is waiting to start: ContainerCreating",
                    container, pod.metadata.name));
  }
  const std::int64_t run = options.previous ? runs[runs.size() - 2] : runs.back();
  return fmt::format("{}/{}.log", directory, run);
}

Result<http::ServerResponse> pod_log_response(store::Store& store, const runtime::Clock& clock,
                                              const std::string& log_directory, const api::Pod& pod,
                                              const LogOptions& options) {
  Result<std::string> path = log_file_of(log_directory, pod, options);
  if (!path) return path.status();
  std::error_code error;
  const std::uint64_t size = fs::file_size(*path, error);
  if (error) return not_found("the log of pod " + pod.metadata.name + " cannot be read");
  const std::uint64_t start = size > kMaxReadBytes ? size - kMaxReadBytes : 0;
  std::string data = read_from(*path, start, kMaxReadBytes);
  if (start > 0) {  // begin at a line
    const auto newline = data.find('\n');
    data.erase(0, newline == std::string::npos ? data.size() : newline + 1);
  }
  std::deque<std::string> lines;
  const LogFormatter formatter(options, since_of(options, clock));
  const std::size_t consumed = formatter.format(data, lines);
  if (options.tail_lines) {
    while (lines.size() >
           static_cast<std::size_t>(std::max<std::int64_t>(*options.tail_lines, 0))) {
      lines.pop_front();
    }
  }
  std::string body;
  for (const std::string& line : lines) body += line;
  if (options.limit_bytes && body.size() > static_cast<std::size_t>(*options.limit_bytes)) {
    body.resize(static_cast<std::size_t>(std::max<std::int64_t>(*options.limit_bytes, 0)));
  }
  http::ServerResponse response;
  response.with("Content-Type", "text/plain");
  if (!options.follow) {
    response.body = std::move(body);
    return response;
  }
  const std::string run_file = fs::path(*path).filename().string();
  const std::int64_t run = std::stoll(run_file.substr(0, run_file.size() - 4));
  auto stream = std::make_shared<FollowStream>(
      store, clock, *path, start + consumed, store::key_of(api::Object(pod)),
      fs::path(*path).parent_path().string(), run, options);
  // What was there already goes first, as the stream's first chunk.
  struct Prefixed : http::ResponseStream {
    std::string first;
    std::shared_ptr<FollowStream> rest;
    Chunk next(std::chrono::milliseconds max_wait) override {
      if (!first.empty()) return {std::exchange(first, {}), false};
      return rest->next(max_wait);
    }
  };
  auto prefixed = std::make_shared<Prefixed>();
  prefixed->first = std::move(body);
  prefixed->rest = std::move(stream);
  response.stream = std::move(prefixed);
  return response;
}

}  // namespace nodrop::apiserver
