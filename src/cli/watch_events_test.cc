// Watch events cut out of a stream however it is split, and a server's mistakes refused.
#include "cli/watch_events.h"

#include <gtest/gtest.h>

#include <vector>

namespace nodrop::cli {
namespace {

TEST(WatchEvents, EachLineIsAnEventWhereverTheStreamIsCut) {
  const std::string stream =
      "{\"type\":\"ADDED\",\"object\":{\"n\":1}}\n"
      "{\"type\":\"BOOKMARK\",\"object\":{}}\n"
      "{\"type\":\"MODIFIED\",\"object\":{\"n\":2}}\n";
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    std::vector<std::string> seen;
    WatchEvents events([&](const std::string& type, const manifest::Node& object) {
      seen.push_back(type + std::to_string(object.find("n")->int_value()));
      return true;
    });
    ASSERT_TRUE(events.feed(std::string_view(stream).substr(0, cut)));
    ASSERT_TRUE(events.feed(std::string_view(stream).substr(cut)));
    EXPECT_EQ(seen, (std::vector<std::string>{"ADDED1", "MODIFIED2"})) << cut;
  }
}

TEST(WatchEvents, StopsWhenTheHandlerSaysSoAndOnWhatIsNotAnEvent) {
  int calls = 0;
  WatchEvents once([&](const std::string&, const manifest::Node&) { return ++calls < 1; });
  EXPECT_FALSE(
      once.feed("{\"type\":\"ADDED\",\"object\":{}}\n{\"type\":\"ADDED\",\"object\":{}}\n"));
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(once.problem().is_ok());

  WatchEvents error([](const std::string&, const manifest::Node&) { return true; });
  EXPECT_FALSE(error.feed("{\"type\":\"ERROR\",\"object\":{\"message\":\"too old\"}}\n"));
  EXPECT_EQ(error.problem().message(), "too old");
  WatchEvents garbage([](const std::string&, const manifest::Node&) { return true; });
  EXPECT_FALSE(garbage.feed("[1, 2]\n"));
  EXPECT_FALSE(garbage.problem().is_ok());
  WatchEvents endless([](const std::string&, const manifest::Node&) { return true; });
  EXPECT_FALSE(endless.feed(std::string(WatchEvents::kMaxEventBytes + 1, 'x')));
  EXPECT_EQ(endless.problem().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace nodrop::cli
