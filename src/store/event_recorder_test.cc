// Events restored with the store keep Kubernetes' retention: an hour from their lastTimestamp.
#include "store/event_recorder.h"

#include <gtest/gtest.h>

#include "sim/sim_loop.h"
#include "store/memory_persistence.h"

namespace nodrop::store {
namespace {

using std::chrono::minutes;

api::Event event(const std::string& name, WallTime last) {
  api::Event made;
  made.metadata.name = name;
  made.metadata.namespace_name = "default";
  made.involved_object = {.api_version = "v1",
                          .kind = "Pod",
                          .namespace_name = "default",
                          .name = "web",
                          .uid = "1",
                          .resource_version = "",
                          .field_path = ""};
  made.reason = "Started";
  made.message = "Started container app";
  made.first_timestamp = last;
  made.last_timestamp = last;
  made.count = 1;
  return made;
}

TEST(EventRecorder, EventsOfAnEarlierRunLiveAnHourFromTheirLastTimestamp) {
  sim::SimLoop loop;
  sim::SeededRandom random(1);
  MemoryPersistence disk;
  const WallTime now = std::chrono::time_point_cast<std::chrono::seconds>(loop.wall_now());
  {
    Store before(loop, random, {.persistence = &disk});
    ASSERT_TRUE(before.create(event("old", now - minutes(61))).is_ok());
    ASSERT_TRUE(before.create(event("recent", now - minutes(50))).is_ok());
    ASSERT_TRUE(before.create(event("new", now - minutes(1))).is_ok());
  }
  Store store(loop, random, {.persistence = &disk});
  ASSERT_TRUE(store.load().is_ok());
  EventRecorder recorder(store, loop);
  recorder.track_stored();
  EXPECT_EQ(store.get({"Event", "default", "old"}).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store.get({"Event", "default", "recent"}).is_ok());
  EXPECT_FALSE(disk.objects().contains({"Event", "default", "old"}));
  loop.advance(minutes(11));  // "recent" is an hour old
  EXPECT_EQ(store.get({"Event", "default", "recent"}).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store.get({"Event", "default", "new"}).is_ok());
  loop.advance(minutes(50));
  EXPECT_EQ(store.get({"Event", "default", "new"}).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace nodrop::store
