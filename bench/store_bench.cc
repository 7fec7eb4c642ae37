// The durable store (issue 18): object writes per second with every write durable before it
// returns (SQLite, WAL, synchronous=FULL; commits grouped across writers, each waiting for its
// own), the p50/p99 latency of one write, and the time to start on a data dir of 10,000 objects
// (open the database, check it, load every object into the store).
//
// Writes go through the store's API (create, then update, of pods and deployments), from 1, 16
// and 64 writer threads, as the API server's threads call it. Targets: 5,000 writes/s or more,
// and a restart under a second.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "api/defaults.h"
#include "server/object_codec.h"
#include "sim/sim_loop.h"
#include "store/sqlite_persistence.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using namespace nodrop;

api::Pod pod(const std::string& name) {
  api::Pod object;
  object.metadata.name = name;
  object.metadata.labels = {{"app", "web"}};
  api::Container container;
  container.name = "app";
  container.image = "demo-app:v1";
  container.command = {"demo-app"};
  object.spec.containers.push_back(container);
  api::set_defaults(object);
  return object;
}

api::Deployment deployment(const std::string& name) {
  api::Deployment object;
  object.metadata.name = name;
  object.spec.replicas = 3;
  object.spec.selector.match_labels = {{"app", name}};
  object.spec.has_selector = true;
  object.spec.template_spec.metadata.labels = {{"app", name}};
  api::Container container;
  container.name = "app";
  container.image = "demo-app:v1";
  container.command = {"demo-app"};
  object.spec.template_spec.spec.containers.push_back(container);
  api::set_defaults(object);
  return object;
}

// A fresh directory under the system's temporary directory, removed at the end of the scope.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "nodrop-store-bench-XXXXXX").string();
    path = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

std::unique_ptr<store::SqlitePersistence> open_database(const fs::path& dir) {
  auto opened =
      store::SqlitePersistence::open((dir / "state.db").string(), server::api_json_codec());
  if (!opened) {
    std::fprintf(stderr, "bench_store: %s\n", opened.status().to_string().c_str());
    std::abort();
  }
  return std::move(opened).value();
}

// Each writer creates a pod and a deployment, then updates each once: 4 writes per round.
void BM_DurableWrites(benchmark::State& state) {
  const int writers = static_cast<int>(state.range(0));
  const int rounds_per_writer = std::max(1, 2000 / writers);
  std::vector<double> latencies_us;
  double seconds = 0;
  std::int64_t writes = 0;
  for (auto _ : state) {
    TempDir dir;
    auto database = open_database(dir.path);
    sim::SimLoop loop;
    sim::SeededRandom random(7);
    store::Store store(loop, random, {.persistence = database.get()});
    std::vector<std::vector<double>> per_writer(static_cast<std::size_t>(writers));
    std::atomic<int> failures{0};
    const auto begin = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([&, w] {
        auto& mine = per_writer[static_cast<std::size_t>(w)];
        const auto timed = [&](auto&& write) {
          const auto start = std::chrono::steady_clock::now();
          if (!write().is_ok()) ++failures;
          mine.push_back(
              std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                  .count());
        };
        for (int i = 0; i < rounds_per_writer; ++i) {
          const std::string name = "w" + std::to_string(w) + "-" + std::to_string(i);
          store::ObjectPtr created_pod;
          timed([&] {
            auto created = store.create(pod(name));
            if (created) created_pod = *created;
            return created;
          });
          store::ObjectPtr created_deployment;
          timed([&] {
            auto created = store.create(deployment(name));
            if (created) created_deployment = *created;
            return created;
          });
          if (created_pod == nullptr || created_deployment == nullptr) continue;
          api::Pod changed_pod = std::get<api::Pod>(*created_pod);
          changed_pod.metadata.labels["round"] = std::to_string(i);
          timed([&] { return store.update(changed_pod); });
          api::Deployment changed_deployment = std::get<api::Deployment>(*created_deployment);
          changed_deployment.spec.replicas = 4;
          timed([&] { return store.update(changed_deployment); });
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    if (failures.load() != 0) state.SkipWithError("a write failed");
    for (const auto& mine : per_writer) {
      latencies_us.insert(latencies_us.end(), mine.begin(), mine.end());
      writes += static_cast<std::int64_t>(mine.size());
    }
  }
  std::sort(latencies_us.begin(), latencies_us.end());
  const auto at = [&](double quantile) {
    if (latencies_us.empty()) return 0.0;
    return latencies_us[static_cast<std::size_t>(quantile * (latencies_us.size() - 1))];
  };
  state.counters["writes_per_s"] = static_cast<double>(writes) / seconds;
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
}
BENCHMARK(BM_DurableWrites)
    ->ArgName("writers")
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// 10,000 objects (pods and deployments) written once; each iteration opens the database (checks
// included: quick_check) and loads them into a new store, as `nodrop up` does at start.
void BM_RestartWith10kObjects(benchmark::State& state) {
  constexpr int kObjects = 10'000;
  TempDir dir;
  {
    auto database = open_database(dir.path);
    sim::SimLoop loop;
    sim::SeededRandom random(7);
    store::Store store(loop, random, {.persistence = database.get()});
    std::vector<std::thread> threads;
    for (int w = 0; w < 16; ++w) {
      threads.emplace_back([&, w] {
        for (int i = w; i < kObjects; i += 16) {
          const std::string name = "o-" + std::to_string(i);
          const bool made =
              i % 2 == 0 ? store.create(pod(name)).is_ok() : store.create(deployment(name)).is_ok();
          if (!made) std::abort();
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  std::size_t loaded = 0;
  for (auto _ : state) {
    auto database = open_database(dir.path);
    sim::SimLoop loop;
    sim::SeededRandom random(7);
    store::Store store(loop, random, {.persistence = database.get()});
    if (!store.load().is_ok()) state.SkipWithError("load failed");
    loaded = store.size();
  }
  state.counters["objects"] = static_cast<double>(loaded);
}
BENCHMARK(BM_RestartWith10kObjects)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
