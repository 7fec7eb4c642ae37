#include "traffic/background_load.h"

#include <gtest/gtest.h>

#include "live/sockets/loopback_server.h"

namespace nodrop::traffic {
namespace {

using std::chrono::milliseconds;

TEST(BackgroundLoad, RunsUntilTheEndItIsGivenAndMarksItsTimeline) {
  auto server = live::LoopbackServer::start_on_own_thread(
      {Ipv4Address::loopback(), 0}, live::LoopbackServer::Mode::kHttp, nullptr);
  ASSERT_TRUE(server.is_ok());
  LoadOptions options;
  options.target.host = "127.0.0.1";
  options.target.port = (*server)->endpoint().port;
  options.rate_per_second = 200;
  options.duration = std::chrono::seconds(30);  // a bound; the test ends it much sooner
  options.connections = 4;
  auto load = BackgroundLoad::start(options);
  ASSERT_TRUE(load.is_ok()) << load.status().to_string();
  ASSERT_TRUE(
      live::poll_until([&] { return (*server)->requests_received() >= 20; }, milliseconds(10000)));
  (*load)->mark("half way");
  (*load)->end_after(milliseconds(100));
  const Report report = (*load)->finish();
  EXPECT_GE(report.recorder.total(), 20U);
  EXPECT_LT(report.elapsed, std::chrono::seconds(20));
  EXPECT_EQ(report.recorder.count(Outcome::kOk), report.recorder.total());
  ASSERT_EQ(report.recorder.marks().size(), 1U);
  EXPECT_EQ(report.recorder.marks()[0].label, "half way");
}

}  // namespace
}  // namespace nodrop::traffic
