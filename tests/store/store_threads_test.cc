// The store from many threads at once, as the API's threads and the cluster's loop use it: every
// write gets its own version, and a watcher sees every write, in version order. (Outside src/:
// the pure store module's own tests may not start threads.)
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/defaults.h"
#include "sim/sim_loop.h"
#include "store/persistence.h"
#include "store/store.h"

namespace nodrop::store {
namespace {

api::Pod pod(const std::string& name) {
  api::Pod object;
  object.metadata.name = name;
  api::Container container;
  container.name = "app";
  container.image = "demo-app:v1";
  container.command = {"demo-app"};
  object.spec.containers.push_back(container);
  api::set_defaults(object);
  return object;
}

TEST(StoreThreads, WritersOnManyThreadsGetDistinctVersionsAndAWatcherSeesEveryWriteInOrder) {
  sim::SimLoop loop;
  sim::SeededRandom random(7);
  Store store(loop, random);
  std::atomic<int> told{0};
  auto watch = store.watch({.kind = "Pod", .from = 0, .on_ready = [&] { ++told; }});
  ASSERT_TRUE(watch.is_ok());
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int thread = 0; thread < 4; ++thread) {
    writers.emplace_back([&, thread] {
      for (int i = 0; i < 50; ++i) {
        if (!store.create(pod("p-" + std::to_string(thread) + "-" + std::to_string(i))).is_ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(failures.load(), 0);
  const std::vector<WatchEvent> events = (*watch)->take();
  ASSERT_EQ(events.size(), 200U);
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].resource_version, i + 1);
  EXPECT_EQ(told.load(), 200);
}

// A disk that takes a millisecond per write, so that writers pile up behind the one writing.
class SlowDisk final : public Persistence {
 public:
  Result<StoredState> load() override { return StoredState{}; }
  Status write(const std::vector<Commit>& batch) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::lock_guard lock(mutex);
    for (const Commit& commit : batch) {
      EXPECT_EQ(commit.resource_version, durable + 1) << "out of order or missing";
      durable = commit.resource_version;
    }
    batches.push_back(batch.size());
    return Status::ok();
  }
  ResourceVersion durable_version() {
    std::lock_guard lock(mutex);
    return durable;
  }

  std::mutex mutex;
  ResourceVersion durable = 0;
  std::vector<std::size_t> batches;
};

TEST(StoreThreads, WritersShareCommitsAndEachReturnsOnlyOnceItsOwnIsDurable) {
  sim::SimLoop loop;
  sim::SeededRandom random(7);
  SlowDisk disk;
  Store store(loop, random, {.persistence = &disk});
  std::atomic<int> told{0};
  auto watch = store.watch({.kind = "Pod", .from = 0, .on_ready = [&] { ++told; }});
  ASSERT_TRUE(watch.is_ok());
  constexpr int kThreads = 8;
  constexpr int kWrites = 40;
  std::atomic<int> failures{0};
  std::atomic<int> returned_before_durable{0};
  std::vector<std::thread> writers;
  for (int thread = 0; thread < kThreads; ++thread) {
    writers.emplace_back([&, thread] {
      for (int i = 0; i < kWrites; ++i) {
        auto created = store.create(pod("p-" + std::to_string(thread) + "-" + std::to_string(i)));
        if (!created.is_ok()) {
          ++failures;
          continue;
        }
        const ResourceVersion version = std::stoull(api::metadata_of(**created).resource_version);
        if (version > disk.durable_version()) ++returned_before_durable;
        // What a writer was answered, a reader sees.
        if (!store.get(key_of(**created)).is_ok()) ++failures;
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(returned_before_durable.load(), 0);
  const std::size_t total = kThreads * kWrites;
  EXPECT_EQ(disk.durable, total);
  std::size_t written = 0;
  for (std::size_t size : disk.batches) written += size;
  EXPECT_EQ(written, total);
  EXPECT_LT(disk.batches.size(), total) << "no write was grouped with another";
  const std::vector<WatchEvent> events = (*watch)->take();
  ASSERT_EQ(events.size(), total);
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].resource_version, i + 1);
}

}  // namespace
}  // namespace nodrop::store
