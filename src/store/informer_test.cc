#include "store/informer.h"

#include <gtest/gtest.h>

#include "api/defaults.h"
#include "sim/sim_loop.h"

namespace nodrop::store {
namespace {

api::Pod pod(const std::string& name, const std::string& node = "") {
  api::Pod object;
  object.metadata.name = name;
  api::Container container;
  container.name = "app";
  container.image = "demo-app:v1";
  container.command = {"demo-app"};
  object.spec.containers.push_back(container);
  object.spec.node_name = node;
  api::set_defaults(object);
  return object;
}

std::string name_of(const ObjectPtr& object) { return api::metadata_of(*object).name; }

class InformerTest : public ::testing::Test {
 protected:
  InformerTest() {
    handlers_.on_add = [this](const ObjectPtr& object) {
      log_.push_back("add " + name_of(object));
    };
    handlers_.on_update = [this](const ObjectPtr& old, const ObjectPtr& object) {
      log_.push_back("update " + name_of(object) + " " + api::metadata_of(*old).resource_version +
                     "->" + api::metadata_of(*object).resource_version);
    };
    handlers_.on_delete = [this](const ObjectPtr& object) {
      log_.push_back("delete " + name_of(object));
    };
  }
  Post post() {
    return [this](std::function<void()> callback) { loop_.post(std::move(callback)); };
  }

  sim::SimLoop loop_;
  sim::SeededRandom random_{3};
  InformerHandlers handlers_;
  std::vector<std::string> log_;
};

TEST_F(InformerTest, ListsThenFollowsEveryChangeOnTheLoop) {
  Store store(loop_, random_);
  ASSERT_TRUE(store.create(pod("a")).is_ok());
  Informer pods(store, post(), {.kind = "Pod"});
  pods.add_handlers(handlers_);
  ASSERT_TRUE(pods.start().is_ok());
  EXPECT_EQ(log_, std::vector<std::string>{"add a"});
  ASSERT_TRUE(store.create(pod("b")).is_ok());
  api::Pod changed = std::get<api::Pod>(*pods.get("default", "a"));
  changed.metadata.labels["x"] = "y";
  ASSERT_TRUE(store.update(changed).is_ok());
  ASSERT_TRUE(store.remove({"Pod", "default", "b"}).is_ok());
  EXPECT_EQ(log_.size(), 1U);  // nothing before the loop runs: handlers run on the loop only
  loop_.run_until_idle(100);
  EXPECT_EQ(log_, (std::vector<std::string>{"add a", "add b", "update a 1->3", "delete b"}));
  EXPECT_EQ(pods.list().size(), 1U);
  EXPECT_EQ(pods.resource_version(), 4U);
}

TEST_F(InformerTest, AFilterSelectsWhatTheCacheHolds) {
  Store store(loop_, random_);
  Informer mine(store, post(), {.kind = "Pod", .filter = [](const api::Object& object) {
                                  return std::get<api::Pod>(object).spec.node_name == "node-1";
                                }});
  mine.add_handlers(handlers_);
  ASSERT_TRUE(mine.start().is_ok());
  ASSERT_TRUE(store.create(pod("a", "node-1")).is_ok());
  ASSERT_TRUE(store.create(pod("b", "node-2")).is_ok());
  loop_.run_until_idle(100);
  EXPECT_EQ(log_, std::vector<std::string>{"add a"});
}

TEST_F(InformerTest, AnExpiredWatchRelistsAndReportsTheDifference) {
  Store store(loop_, random_, {.history_events = 100});
  ASSERT_TRUE(store.create(pod("a")).is_ok());
  ASSERT_TRUE(store.create(pod("b")).is_ok());
  Informer pods(store, [](std::function<void()>) {}, {.kind = "Pod"});  // never drained by itself
  pods.add_handlers(handlers_);
  ASSERT_TRUE(pods.start().is_ok());
  log_.clear();
  // More changes than a watch queues (10,000): the watch expires while nobody drains it.
  ASSERT_TRUE(store.remove({"Pod", "default", "a"}).is_ok());
  api::Pod changed = std::get<api::Pod>(*store.get({"Pod", "default", "b"}).value());
  for (int i = 0; i < 10'001; ++i) {
    changed.metadata.labels["n"] = std::to_string(i);
    changed.metadata.resource_version.clear();
    ASSERT_TRUE(store.update(changed).is_ok());
  }
  ASSERT_TRUE(store.create(pod("c")).is_ok());
  pods.drain();
  ASSERT_EQ(log_.size(), 3U);
  EXPECT_EQ(log_[0], "delete a");
  EXPECT_EQ(log_[1].rfind("update b 2->", 0), 0U) << log_[1];
  EXPECT_EQ(log_[2], "add c");
  EXPECT_EQ(pods.list().size(), 2U);
}

api::Pod controlled(const std::string& name, const std::string& controller_uid) {
  api::Pod object = pod(name);
  api::OwnerReference owner;
  owner.api_version = "apps/v1";
  owner.kind = "ReplicaSet";
  owner.name = "rs-" + controller_uid;
  owner.uid = controller_uid;
  owner.controller = true;
  object.metadata.owner_references.push_back(owner);
  return object;
}

std::vector<std::string> names_of(const std::vector<ObjectPtr>& objects) {
  std::vector<std::string> names;
  for (const ObjectPtr& object : objects) names.push_back(name_of(object));
  return names;
}

TEST_F(InformerTest, TheControllerIndexFollowsAddsChangesDeletesAndRelists) {
  Store store(loop_, random_, {.history_events = 100});
  ASSERT_TRUE(store.create(controlled("b", "u1")).is_ok());
  ASSERT_TRUE(store.create(controlled("a", "u1")).is_ok());
  ASSERT_TRUE(store.create(pod("free")).is_ok());
  Informer pods(store, post(), {.kind = "Pod"});
  ASSERT_TRUE(pods.start().is_ok());
  EXPECT_EQ(names_of(pods.controlled_by("u1")), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(pods.controlled_by("u2").empty());
  // A change of controller moves the pod; a pod released by its controller leaves the index.
  api::Pod moved = std::get<api::Pod>(*pods.get("default", "a"));
  moved.metadata.owner_references[0].uid = "u2";
  ASSERT_TRUE(store.update(moved).is_ok());
  api::Pod released = std::get<api::Pod>(*pods.get("default", "b"));
  released.metadata.owner_references[0].controller = false;
  ASSERT_TRUE(store.update(released).is_ok());
  ASSERT_TRUE(store.create(controlled("c", "u1")).is_ok());
  loop_.run_until_idle(100);
  EXPECT_EQ(names_of(pods.controlled_by("u1")), std::vector<std::string>{"c"});
  EXPECT_EQ(names_of(pods.controlled_by("u2")), std::vector<std::string>{"a"});
  ASSERT_TRUE(store.remove({"Pod", "default", "c"}).is_ok());
  loop_.run_until_idle(100);
  EXPECT_TRUE(pods.controlled_by("u1").empty());
  // Names by prefix, within the namespace.
  EXPECT_EQ(names_of(pods.named_from("default", "")), (std::vector<std::string>{"a", "b", "free"}));
  EXPECT_EQ(names_of(pods.named_from("default", "f")), std::vector<std::string>{"free"});
  EXPECT_TRUE(pods.named_from("other", "").empty());
  // An expired watch relists; the index is rebuilt from the list.
  Informer stale(store, [](std::function<void()>) {}, {.kind = "Pod"});
  ASSERT_TRUE(stale.start().is_ok());
  for (int i = 0; i < 10'001; ++i) {
    moved.metadata.labels["n"] = std::to_string(i);
    moved.metadata.resource_version.clear();
    moved.metadata.owner_references[0].uid = i % 2 == 0 ? "u3" : "u4";
    ASSERT_TRUE(store.update(moved).is_ok());
  }
  stale.drain();
  EXPECT_TRUE(stale.controlled_by("u2").empty());
  EXPECT_TRUE(stale.controlled_by("u4").empty());
  EXPECT_EQ(names_of(stale.controlled_by("u3")), std::vector<std::string>{"a"});  // i = 10,000
}

TEST_F(InformerTest, ADrainPostedForAnInformerSinceDestroyedDoesNothing) {
  Store store(loop_, random_);
  {
    Informer pods(store, post(), {.kind = "Pod"});
    pods.add_handlers(handlers_);
    ASSERT_TRUE(pods.start().is_ok());
    ASSERT_TRUE(store.create(pod("a")).is_ok());  // posts a drain
  }
  loop_.run_until_idle(100);
  EXPECT_TRUE(log_.empty());
  ASSERT_TRUE(store.create(pod("b")).is_ok());  // the stopped watch is forgotten
  loop_.run_until_idle(100);
  EXPECT_TRUE(log_.empty());
}

}  // namespace
}  // namespace nodrop::store
