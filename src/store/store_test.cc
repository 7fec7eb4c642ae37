#include "store/store.h"

#include <gtest/gtest.h>

#include "api/defaults.h"
#include "sim/sim_loop.h"

namespace nodrop::store {
namespace {

using std::chrono::seconds;

api::Deployment deployment(const std::string& name, std::int32_t replicas = 2) {
  api::Deployment object;
  object.metadata.name = name;
  object.metadata.labels = {{"app", name}};
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

api::Pod pod(const std::string& name, const std::string& node = "node-1") {
  api::Pod object;
  object.metadata.name = name;
  object.metadata.labels = {{"app", "web"}};
  api::Container container;
  container.name = "app";
  container.image = "demo-app:v1";
  container.command = {"demo-app"};
  object.spec.containers.push_back(container);
  object.spec.node_name = node;
  api::set_defaults(object);
  return object;
}

const api::Deployment& as_deployment(const ObjectPtr& object) {
  return std::get<api::Deployment>(*object);
}
const api::Pod& as_pod(const ObjectPtr& object) { return std::get<api::Pod>(*object); }

class StoreTest : public ::testing::Test {
 protected:
  sim::SimLoop loop_;
  sim::SeededRandom random_{7};
  Store store_{loop_, random_};
};

TEST_F(StoreTest, CreateSetsIdentityVersionGenerationAndTimestamp) {
  auto created = store_.create(deployment("web"));
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  const api::ObjectMeta& metadata = as_deployment(*created).metadata;
  EXPECT_EQ(metadata.namespace_name, "default");
  EXPECT_EQ(metadata.uid.size(), 36U);
  EXPECT_EQ(metadata.resource_version, "1");
  EXPECT_EQ(metadata.generation, 1);
  EXPECT_EQ(metadata.creation_timestamp, loop_.wall_now());
  auto again = store_.create(deployment("web"));
  ASSERT_FALSE(again.is_ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(), "deployments.apps \"web\" already exists");
  auto second = store_.create(deployment("api"));
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(api::metadata_of(**second).resource_version, "2");
  EXPECT_NE(api::metadata_of(**second).uid, metadata.uid);
}

TEST_F(StoreTest, GenerateNameAppendsFiveCharacters) {
  api::Pod object = pod("");
  object.metadata.generate_name = "web-7d9f-";
  auto created = store_.create(object);
  ASSERT_TRUE(created.is_ok());
  const std::string& name = as_pod(*created).metadata.name;
  ASSERT_EQ(name.size(), 14U);
  EXPECT_EQ(name.substr(0, 9), "web-7d9f-");
  EXPECT_EQ(name.substr(9).find_first_not_of("bcdfghjklmnpqrstvwxz2456789"), std::string::npos);
}

TEST_F(StoreTest, AnInvalidObjectIsRefusedWithTheApiServersWording) {
  api::Deployment object = deployment("web");
  object.spec.replicas = -1;
  auto created = store_.create(object);
  ASSERT_FALSE(created.is_ok());
  EXPECT_EQ(created.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      created.status().message().rfind("Deployment.apps \"web\" is invalid: spec.replicas", 0), 0U)
      << created.status().message();
  EXPECT_EQ(store_.size(), 0U);
  EXPECT_EQ(store_.validate(object, nullptr).size(), 1U);
}

TEST_F(StoreTest, GenerationGrowsOnSpecChangesOnlyAndStatusHasItsOwnWrite) {
  auto created = store_.create(deployment("web"));
  ASSERT_TRUE(created.is_ok());
  api::Deployment changed = as_deployment(*created);
  changed.metadata.labels["team"] = "a";  // metadata: no new generation
  auto relabelled = store_.update(changed);
  ASSERT_TRUE(relabelled.is_ok()) << relabelled.status().to_string();
  EXPECT_EQ(as_deployment(*relabelled).metadata.generation, 1);
  EXPECT_EQ(as_deployment(*relabelled).metadata.resource_version, "2");

  changed = as_deployment(*relabelled);
  changed.spec.replicas = 5;
  changed.status.replicas = 99;  // ignored: update() does not write the status
  auto scaled = store_.update(changed);
  ASSERT_TRUE(scaled.is_ok());
  EXPECT_EQ(as_deployment(*scaled).metadata.generation, 2);
  EXPECT_EQ(as_deployment(*scaled).status.replicas, 0);

  changed = as_deployment(*scaled);
  changed.status.replicas = 5;
  changed.spec.replicas = 1;  // ignored: update_status() writes only the status
  auto reported = store_.update_status(changed);
  ASSERT_TRUE(reported.is_ok());
  EXPECT_EQ(as_deployment(*reported).status.replicas, 5);
  EXPECT_EQ(as_deployment(*reported).spec.replicas, 5);
  EXPECT_EQ(as_deployment(*reported).metadata.generation, 2);
}

TEST_F(StoreTest, AnUnchangedUpdateWritesNothing) {
  auto created = store_.create(deployment("web"));
  ASSERT_TRUE(created.is_ok());
  auto same = store_.update(as_deployment(*created));
  ASSERT_TRUE(same.is_ok());
  EXPECT_EQ(same->get(), created->get());
  EXPECT_EQ(store_.resource_version(), 1U);
}

TEST_F(StoreTest, AStaleResourceVersionIsAConflict) {
  auto created = store_.create(deployment("web"));
  ASSERT_TRUE(created.is_ok());
  api::Deployment first = as_deployment(*created);
  api::Deployment second = as_deployment(*created);
  first.spec.replicas = 3;
  ASSERT_TRUE(store_.update(first).is_ok());
  second.spec.replicas = 4;
  auto stale = store_.update(second);
  ASSERT_FALSE(stale.is_ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_EQ(stale.status().message(),
            "Operation cannot be fulfilled on deployments.apps \"web\": the object has been "
            "modified; please apply your changes to the latest version and try again");
  second.metadata.resource_version.clear();  // unconditional
  auto forced = store_.update(second);
  ASSERT_TRUE(forced.is_ok());
  EXPECT_EQ(as_deployment(*forced).spec.replicas, 4);
  auto missing = store_.update(deployment("other"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, DryRunValidatesAndAnswersWithoutStoring) {
  auto created = store_.create(deployment("web"), {.dry_run = true});
  ASSERT_TRUE(created.is_ok());
  EXPECT_FALSE(as_deployment(*created).metadata.uid.empty());
  EXPECT_EQ(store_.size(), 0U);
  EXPECT_EQ(store_.resource_version(), 0U);
  ASSERT_TRUE(store_.create(deployment("web")).is_ok());
  api::Deployment changed = deployment("web");
  changed.spec.replicas = 9;
  auto updated = store_.update(changed, {.dry_run = true});
  ASSERT_TRUE(updated.is_ok());
  EXPECT_EQ(as_deployment(*updated).spec.replicas, 9);
  EXPECT_EQ(as_deployment(store_.get(key_of(changed)).value()).spec.replicas, 2);
  auto removed = store_.remove(key_of(changed), {.dry_run = true});
  ASSERT_TRUE(removed.is_ok());
  EXPECT_EQ(store_.size(), 1U);
  EXPECT_EQ(store_.resource_version(), 1U);
}

TEST_F(StoreTest, APodOnANodeIsDeletedGracefullyAndGoesWhenItsKubeletFinishesIt) {
  ASSERT_TRUE(store_.create(pod("web-1")).is_ok());
  const ObjectKey key{"Pod", "default", "web-1"};
  loop_.advance(seconds(5));
  auto deleting = store_.remove(key, {.grace_period_seconds = 20});
  ASSERT_TRUE(deleting.is_ok());
  const api::Pod& marked = as_pod(*deleting);
  EXPECT_EQ(marked.metadata.deletion_timestamp, loop_.wall_now() + seconds(20));
  EXPECT_EQ(marked.metadata.deletion_grace_period_seconds, 20);
  EXPECT_TRUE(store_.get(key).is_ok());
  // A longer grace period changes nothing; a shorter one brings the deadline forward.
  auto longer = store_.remove(key, {.grace_period_seconds = 60});
  EXPECT_EQ(as_pod(*longer).metadata.deletion_grace_period_seconds, 20);
  auto shorter = store_.remove(key, {.grace_period_seconds = 3});
  EXPECT_EQ(as_pod(*shorter).metadata.deletion_grace_period_seconds, 3);
  // The kubelet, once the containers stopped: grace 0 removes it.
  auto gone = store_.remove(key, {.grace_period_seconds = 0});
  ASSERT_TRUE(gone.is_ok());
  EXPECT_EQ(store_.get(key).status().code(), StatusCode::kNotFound);
  // A pod no kubelet runs goes at once.
  ASSERT_TRUE(store_.create(pod("web-2", "")).is_ok());
  ASSERT_TRUE(store_.remove({"Pod", "default", "web-2"}).is_ok());
  EXPECT_EQ(store_.size(), 0U);
}

TEST_F(StoreTest, FinalizersKeepAnObjectUntilTheLastIsRemoved) {
  ASSERT_TRUE(store_.create(deployment("web")).is_ok());
  const ObjectKey key{"Deployment", "default", "web"};
  auto deleting = store_.remove(key, {.propagation = Propagation::kForeground});
  ASSERT_TRUE(deleting.is_ok());
  EXPECT_TRUE(as_deployment(*deleting).metadata.deletion_timestamp.has_value());
  EXPECT_EQ(as_deployment(*deleting).metadata.finalizers,
            std::vector<std::string>{kForegroundDeletionFinalizer});
  EXPECT_EQ(as_deployment(*deleting).metadata.generation, 2);
  api::Deployment finished = as_deployment(*deleting);
  finished.metadata.finalizers.clear();
  ASSERT_TRUE(store_.update(finished).is_ok());
  EXPECT_EQ(store_.get(key).status().code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, DeletePreconditionsAreChecked) {
  ASSERT_TRUE(store_.create(deployment("web")).is_ok());
  const ObjectKey key{"Deployment", "default", "web"};
  EXPECT_EQ(store_.remove(key, {.precondition_uid = "other"}).status().code(),
            StatusCode::kConflict);
  EXPECT_EQ(store_.remove(key, {.precondition_resource_version = "7"}).status().code(),
            StatusCode::kConflict);
  EXPECT_TRUE(store_.remove(key, {.precondition_resource_version = "1"}).is_ok());
}

TEST_F(StoreTest, WatchFromAVersionReplaysWhatFollowedItThenStreams) {
  ASSERT_TRUE(store_.create(deployment("a")).is_ok());  // 1
  ASSERT_TRUE(store_.create(pod("p")).is_ok());         // 2
  ASSERT_TRUE(store_.create(deployment("b")).is_ok());  // 3
  int ready_calls = 0;
  auto watch = store_.watch({.kind = "Deployment", .from = 1, .on_ready = [&] { ++ready_calls; }});
  ASSERT_TRUE(watch.is_ok());
  auto events = (*watch)->take();
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].resource_version, 3U);
  EXPECT_EQ(ready_calls, 1);
  ASSERT_TRUE(store_.remove({"Deployment", "default", "a"}).is_ok());  // 4
  ASSERT_TRUE(store_.create(pod("q")).is_ok());                        // 5: not a Deployment
  events = (*watch)->take();
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].type, WatchEventType::kDeleted);
  EXPECT_EQ(api::metadata_of(*events[0].object).name, "a");
  EXPECT_EQ(api::metadata_of(*events[0].object).resource_version, "4");
  EXPECT_EQ(ready_calls, 2);
  // Without a version: the current objects as ADDED, then changes.
  auto fresh = store_.watch({.kind = "Deployment"});
  ASSERT_TRUE(fresh.is_ok());
  events = (*fresh)->take();
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(api::metadata_of(*events[0].object).name, "b");
}

TEST_F(StoreTest, AVersionOlderThanTheHistoryIsExpiredAndASlowWatcherExpires) {
  Store small(loop_, random_, {.history_events = 2});
  for (const char* name : {"a", "b", "c", "d"}) ASSERT_TRUE(small.create(deployment(name)).is_ok());
  auto too_old = small.watch({.kind = "Deployment", .from = 1});
  ASSERT_FALSE(too_old.is_ok());
  EXPECT_EQ(too_old.status().code(), StatusCode::kExpired);
  EXPECT_TRUE(small.watch({.kind = "Deployment", .from = 2}).is_ok());
  auto listed = small.list({.kind = "Deployment", .resource_version = 1});
  EXPECT_EQ(listed.status().code(), StatusCode::kExpired);

  int told = 0;
  auto slow =
      small.watch({.kind = "Deployment", .from = 4, .on_ready = [&] { ++told; }, .max_queued = 2});
  ASSERT_TRUE(slow.is_ok());
  for (const char* name : {"e", "f", "g"}) ASSERT_TRUE(small.create(deployment(name)).is_ok());
  EXPECT_TRUE((*slow)->expired());
  EXPECT_TRUE((*slow)->take().empty());
  EXPECT_EQ(told, 3);  // two queued, then told once more that it expired; then forgotten
  ASSERT_TRUE(small.create(deployment("h")).is_ok());
  EXPECT_EQ(told, 3);
}

TEST_F(StoreTest, ListAtAnOlderVersionIsExactAndPagesStayAtTheFirstPagesVersion) {
  for (const char* name : {"a", "b", "c", "d", "e"}) {
    ASSERT_TRUE(store_.create(deployment(name)).is_ok());
  }
  ASSERT_TRUE(store_.create(pod("p")).is_ok());  // 6, another kind
  auto first = store_.list({.kind = "Deployment", .limit = 2});
  ASSERT_TRUE(first.is_ok());
  ASSERT_EQ(first->items.size(), 2U);
  EXPECT_EQ(first->resource_version, 6U);
  ASSERT_FALSE(first->continue_token.empty());
  // Changes between pages do not show in the later pages.
  ASSERT_TRUE(store_.remove({"Deployment", "default", "c"}).is_ok());
  api::Deployment changed = deployment("d");
  changed.spec.replicas = 7;
  ASSERT_TRUE(store_.update(changed).is_ok());
  ASSERT_TRUE(store_.create(deployment("bb")).is_ok());
  auto second =
      store_.list({.kind = "Deployment", .limit = 2, .continue_token = first->continue_token});
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  ASSERT_EQ(second->items.size(), 2U);
  EXPECT_EQ(api::metadata_of(*second->items[0]).name, "c");
  EXPECT_EQ(api::metadata_of(*second->items[1]).name, "d");
  EXPECT_EQ(std::get<api::Deployment>(*second->items[1]).spec.replicas, 2);
  auto third =
      store_.list({.kind = "Deployment", .limit = 2, .continue_token = second->continue_token});
  ASSERT_TRUE(third.is_ok());
  ASSERT_EQ(third->items.size(), 1U);
  EXPECT_EQ(api::metadata_of(*third->items[0]).name, "e");
  EXPECT_TRUE(third->continue_token.empty());
  // The most recent state.
  auto now = store_.list({.kind = "Deployment"});
  ASSERT_TRUE(now.is_ok());
  ASSERT_EQ(now->items.size(), 5U);
  EXPECT_EQ(api::metadata_of(*now->items[2]).name, "bb");
  EXPECT_EQ(store_.list({.kind = "Deployment", .continue_token = "nonsense"}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, ListFiltersByNamespaceAndPredicate) {
  api::Deployment other = deployment("web");
  other.metadata.namespace_name = "shop";
  ASSERT_TRUE(store_.create(other).is_ok());
  ASSERT_TRUE(store_.create(deployment("web")).is_ok());
  ASSERT_TRUE(store_.create(deployment("api", 5)).is_ok());
  auto shop = store_.list({.kind = "Deployment", .namespace_name = "shop"});
  ASSERT_EQ(shop->items.size(), 1U);
  auto big = store_.list({.kind = "Deployment", .filter = [](const api::Object& object) {
                            return std::get<api::Deployment>(object).spec.replicas == 5;
                          }});
  ASSERT_EQ(big->items.size(), 1U);
  EXPECT_EQ(api::metadata_of(*big->items[0]).name, "api");
}

TEST_F(StoreTest, AFailingCommitHookLeavesNothingChangedAndNobodyTold) {
  bool fail = false;
  std::vector<ResourceVersion> committed;
  Store hooked(loop_, random_, {.commit_hook = [&](const Commit& commit) -> Status {
                 if (fail) return io_error("disk full");
                 committed.push_back(commit.resource_version);
                 return Status::ok();
               }});
  int told = 0;
  auto watch = hooked.watch({.on_ready = [&] { ++told; }});
  ASSERT_TRUE(hooked.create(deployment("a")).is_ok());
  fail = true;
  auto refused = hooked.create(deployment("b"));
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kIoError);
  EXPECT_EQ(hooked.size(), 1U);
  EXPECT_EQ(hooked.resource_version(), 1U);
  EXPECT_EQ(committed, std::vector<ResourceVersion>{1});
  EXPECT_EQ(told, 1);
  EXPECT_EQ((*watch)->take().size(), 1U);
}

}  // namespace
}  // namespace nodrop::store
