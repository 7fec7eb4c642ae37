// The store with a persistence: a write is durable before it returns and before anyone sees it; a
// failed write refuses the rest; load() brings back the objects and a counter that never goes
// back. The persistence is kept in memory, so that each rule can be seen from inside the write.
// (Group commit across threads: tests/store/store_threads_test.cc.)
#include <gtest/gtest.h>

#include "api/defaults.h"
#include "sim/sim_loop.h"
#include "store/memory_persistence.h"
#include "store/store.h"

namespace nodrop::store {
namespace {

api::Deployment deployment(const std::string& name, std::int32_t replicas = 2) {
  api::Deployment object;
  object.metadata.name = name;
  object.spec.replicas = replicas;
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

class DurableStoreTest : public ::testing::Test {
 protected:
  sim::SimLoop loop_;
  sim::SeededRandom random_{7};
  MemoryPersistence disk_;
  Store store_{loop_, random_, {.persistence = &disk_}};
};

TEST_F(DurableStoreTest, AWriteIsDurableWhenItReturnsAndNobodySeesItBefore) {
  int told = 0;
  auto watch = store_.watch({.kind = "Deployment", .on_ready = [&] { ++told; }});
  ASSERT_TRUE(watch.is_ok());
  bool looked = false;
  disk_.set_before_write([&](const std::vector<Commit>& batch) {
    // The change is ordered (version 1) but not durable: readers and watchers do not see it.
    EXPECT_EQ(batch.size(), 1U);
    EXPECT_EQ(batch.front().resource_version, 1U);
    EXPECT_EQ(store_.get({"Deployment", "default", "web"}).status().code(), StatusCode::kNotFound);
    EXPECT_TRUE(store_.list({.kind = "Deployment"})->items.empty());
    EXPECT_EQ(store_.resource_version(), 0U);
    EXPECT_EQ(told, 0);
    EXPECT_TRUE((*watch)->take().empty());
    EXPECT_EQ(store_.size(), 0U);
    auto late = store_.watch({.kind = "Deployment"});  // no ADDED for what is not durable
    EXPECT_TRUE((*late)->take().empty());
    looked = true;
    return Status::ok();
  });
  auto created = store_.create(deployment("web"));
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  EXPECT_TRUE(looked);
  EXPECT_EQ(disk_.resource_version(), 1U);
  EXPECT_EQ(disk_.objects().at({"Deployment", "default", "web"}), *created);
  EXPECT_EQ(told, 1);
  EXPECT_EQ((*watch)->take().size(), 1U);
  EXPECT_EQ(store_.resource_version(), 1U);
}

TEST_F(DurableStoreTest, AnUpdateIsInvisibleUntilDurableAndReadersSeeThePreviousVersion) {
  ASSERT_TRUE(store_.create(deployment("web", 2)).is_ok());
  disk_.set_before_write([&](const std::vector<Commit>&) {
    auto seen = store_.get({"Deployment", "default", "web"});
    EXPECT_TRUE(seen.is_ok());
    if (seen.is_ok()) {
      EXPECT_EQ(std::get<api::Deployment>(**seen).spec.replicas, 2);
    }
    EXPECT_EQ(
        std::get<api::Deployment>(*store_.list({.kind = "Deployment"})->items.at(0)).spec.replicas,
        2);
    return Status::ok();
  });
  ASSERT_TRUE(store_.update(deployment("web", 5)).is_ok());
  disk_.set_before_write(nullptr);
  EXPECT_EQ(std::get<api::Deployment>(*store_.get({"Deployment", "default", "web"}).value())
                .spec.replicas,
            5);
  // Removed, and not yet durable: still there for readers.
  disk_.set_before_write([&](const std::vector<Commit>&) {
    EXPECT_TRUE(store_.get({"Deployment", "default", "web"}).is_ok());
    return Status::ok();
  });
  ASSERT_TRUE(store_.remove({"Deployment", "default", "web"}).is_ok());
  EXPECT_EQ(store_.get({"Deployment", "default", "web"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(disk_.resource_version(), 3U);
  EXPECT_TRUE(disk_.objects().empty());
}

TEST_F(DurableStoreTest, AFailedWriteFailsAndTheStoreRefusesEveryLaterWrite) {
  int told = 0;
  auto watch = store_.watch({.on_ready = [&] { ++told; }});
  ASSERT_TRUE(store_.create(deployment("a")).is_ok());
  bool fail = true;
  disk_.set_before_write(
      [&](const std::vector<Commit>&) { return fail ? io_error("disk full") : Status::ok(); });
  auto failed = store_.create(deployment("b"));
  ASSERT_FALSE(failed.is_ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kIoError);
  EXPECT_EQ(failed.status().message(), "disk full");
  // Nothing of it is seen, and nothing after it is accepted, even once the disk is back.
  fail = false;
  EXPECT_EQ(store_.get({"Deployment", "default", "b"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_.resource_version(), 1U);
  EXPECT_EQ(told, 1);
  auto refused = store_.create(deployment("c"));
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kIoError);
  EXPECT_NE(refused.status().message().find("accepts no more: disk full"), std::string::npos)
      << refused.status().message();
  EXPECT_FALSE(store_.update(deployment("a", 9)).is_ok());
  EXPECT_FALSE(store_.remove({"Deployment", "default", "a"}).is_ok());
  EXPECT_EQ(disk_.resource_version(), 1U);
  EXPECT_EQ(disk_.batches(), std::vector<std::size_t>{1});
  // Readers still see the durable state.
  EXPECT_TRUE(store_.get({"Deployment", "default", "a"}).is_ok());
  EXPECT_EQ(store_.list({.kind = "Deployment"})->items.size(), 1U);
}

TEST_F(DurableStoreTest, AnUnchangedWriteReturnsWithoutWriting) {
  ASSERT_TRUE(store_.create(deployment("web")).is_ok());
  auto same = store_.update(deployment("web"));
  ASSERT_TRUE(same.is_ok());
  EXPECT_EQ(disk_.batches().size(), 1U);
  EXPECT_EQ(store_.resource_version(), 1U);
}

TEST_F(DurableStoreTest, LoadRestoresTheObjectsAndACounterThatNeverGoesBack) {
  ASSERT_TRUE(store_.create(deployment("a")).is_ok());                 // 1
  ASSERT_TRUE(store_.create(deployment("b")).is_ok());                 // 2
  ASSERT_TRUE(store_.update(deployment("a", 4)).is_ok());              // 3
  ASSERT_TRUE(store_.remove({"Deployment", "default", "b"}).is_ok());  // 4
  const ObjectPtr a = store_.get({"Deployment", "default", "a"}).value();

  Store restarted(loop_, random_, {.persistence = &disk_});
  ASSERT_TRUE(restarted.load().is_ok());
  EXPECT_EQ(restarted.resource_version(), 4U);  // the removal counts, though no object shows it
  EXPECT_EQ(restarted.size(), 1U);
  EXPECT_EQ(*restarted.get({"Deployment", "default", "a"}).value(), *a);
  // The history starts empty: an older version is Expired, the current one is fine.
  EXPECT_EQ(restarted.watch({.from = 2}).status().code(), StatusCode::kExpired);
  EXPECT_TRUE(restarted.watch({.from = 4}).is_ok());
  EXPECT_EQ(restarted.list({.kind = "Deployment", .resource_version = 3}).status().code(),
            StatusCode::kExpired);
  auto created = restarted.create(deployment("c"));
  ASSERT_TRUE(created.is_ok());
  EXPECT_EQ(api::metadata_of(**created).resource_version, "5");
  // A conflict check still holds against the restored version.
  api::Deployment stale = deployment("a", 7);
  stale.metadata.resource_version = "1";
  EXPECT_EQ(restarted.update(stale).status().code(), StatusCode::kConflict);
}

TEST_F(DurableStoreTest, AStoreWithoutPersistenceHasNothingToLoad) {
  Store memory(loop_, random_);
  EXPECT_EQ(memory.load().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace nodrop::store
