// Events ordered and aged as kubectl orders and ages them.
#include "cli/event_times.h"

#include <gtest/gtest.h>

#include "apiserver/json.h"
#include "cli/node_paths.h"

namespace nodrop::cli {
namespace {

manifest::Node json(const std::string& text) { return apiserver::parse_body(text).value(); }

TEST(EventTimes, AgedFromTheFirstSightingWithTheLastAndTheCountWhenRepeated) {
  WallTime now;
  ASSERT_TRUE(parse_rfc3339("2026-11-30T12:10:00Z", &now));
  // eventTime (microseconds) comes before firstTimestamp (seconds), as in kubectl 1.32.
  EXPECT_EQ(event_interval(json(R"({"eventTime": "2026-11-30T12:09:10.900000Z",
                                    "firstTimestamp": "2026-11-30T12:09:10Z"})"),
                           now),
            "49s");
  EXPECT_EQ(event_interval(json(R"({"firstTimestamp": "2026-11-30T12:05:00Z",
                                    "lastTimestamp": "2026-11-30T12:09:00Z", "count": 4})"),
                           now),
            "60s (x4 over 5m)");
  EXPECT_EQ(event_interval(json(R"({"eventTime": "2026-11-30T12:00:00.000000Z",
                                    "series": {"count": 7,
                                               "lastObservedTime": "2026-11-30T12:09:30.0Z"}})"),
                           now),
            "30s (x7 over 10m)");
  EXPECT_EQ(event_interval(json("{}"), now), "<unknown>");
  EXPECT_EQ(event_message(json(R"({"message": "  Scaled up\n"})")), "Scaled up");
}

TEST(EventTimes, OrderedByLastSeenTiesInTheApisOrder) {
  const manifest::Node list = json(R"({"items": [
    {"reason": "c", "lastTimestamp": "2026-11-30T12:09:00Z"},
    {"reason": "a", "eventTime": "2026-11-30T12:01:00.5Z"},
    {"reason": "b", "lastTimestamp": "2026-11-30T12:05:00Z"},
    {"reason": "b2", "lastTimestamp": "2026-11-30T12:05:00Z"}]})");
  std::string order;
  for (const manifest::Node* event : events_by_last_seen(list)) {
    order += text_at(*event, {"reason"}) + " ";
  }
  EXPECT_EQ(order, "a b b2 c ");
}

}  // namespace
}  // namespace nodrop::cli
