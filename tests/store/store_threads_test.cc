// The store from many threads at once, as the API's threads and the cluster's loop use it: every
// write gets its own version, and a watcher sees every write, in version order. (Outside src/:
// the pure store module's own tests may not start threads.)
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "api/defaults.h"
#include "sim/sim_loop.h"
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

}  // namespace
}  // namespace nodrop::store
