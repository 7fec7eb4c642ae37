#include "sim/fake_process_runtime.h"

#include <gtest/gtest.h>

#include <optional>

#include "sim/sim_loop.h"

namespace nodrop::sim {
namespace {

using std::chrono::seconds;

runtime::ProcessSpec command(const std::string& name) {
  runtime::ProcessSpec spec;
  spec.argv = {name};
  spec.log_path = "/unused";
  return spec;
}

TEST(FakeProcessRuntime, ByDefaultAProcessRunsUntilSigtermAndDiesOnTheNextTurn) {
  SimLoop loop;
  FakeProcessRuntime runtime(loop);
  std::optional<runtime::ProcessExit> exit;
  const auto id = runtime.start(command("app"), [&](const runtime::ProcessExit& e) { exit = e; });
  ASSERT_TRUE(id.is_ok());
  loop.advance(seconds(100));
  EXPECT_TRUE(runtime.is_running(*id));
  ASSERT_TRUE(runtime.signal(*id, runtime::Signal::kTerminate).is_ok());
  EXPECT_FALSE(exit.has_value());  // never inside signal()
  loop.advance(seconds(0));
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->container_exit_code(), 143);
  EXPECT_EQ(runtime.signal(*id, runtime::Signal::kKill).code(), StatusCode::kNotFound);
}

TEST(FakeProcessRuntime, AProcessIgnoringSigtermEndsOnlyAtSigkill) {
  SimLoop loop;
  FakeProcessRuntime runtime(loop);
  FakeProcessRuntime::Behavior stubborn;
  stubborn.exit_delay_after_sigterm = std::nullopt;
  runtime.set_behavior("stubborn", stubborn);
  std::optional<runtime::ProcessExit> exit;
  const auto id =
      runtime.start(command("stubborn"), [&](const runtime::ProcessExit& e) { exit = e; });
  ASSERT_TRUE(runtime.signal(*id, runtime::Signal::kTerminate).is_ok());
  loop.advance(seconds(30));
  EXPECT_FALSE(exit.has_value());
  ASSERT_TRUE(runtime.signal(*id, runtime::Signal::kKill).is_ok());
  loop.advance(seconds(0));
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->container_exit_code(), 137);
  ASSERT_EQ(runtime.signals().size(), 2U);
  EXPECT_EQ(runtime.signals()[0].signal, runtime::Signal::kTerminate);
  EXPECT_EQ(runtime.signals()[1].at - runtime.signals()[0].at, seconds(30));
}

TEST(FakeProcessRuntime, AGracefulProcessExitsZeroAfterItsDrain) {
  SimLoop loop;
  FakeProcessRuntime runtime(loop);
  FakeProcessRuntime::Behavior graceful;
  graceful.exit_delay_after_sigterm = seconds(3);
  graceful.exit_on_sigterm = {runtime::ExitKind::kExited, 0, 0};
  runtime.set_behavior("graceful", graceful);
  std::optional<runtime::ProcessExit> exit;
  const auto id =
      runtime.start(command("graceful"), [&](const runtime::ProcessExit& e) { exit = e; });
  ASSERT_TRUE(runtime.signal(*id, runtime::Signal::kTerminate).is_ok());
  loop.advance(seconds(2));
  EXPECT_FALSE(exit.has_value());
  loop.advance(seconds(1));
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->container_exit_code(), 0);
}

TEST(FakeProcessRuntime, ACrashingProcessExitsByItselfAndAMissingCommandFailsToStart) {
  SimLoop loop;
  FakeProcessRuntime runtime(loop);
  FakeProcessRuntime::Behavior crasher;
  crasher.runs_for = seconds(5);
  runtime.set_behavior("crasher", crasher);
  runtime.set_missing("ghost");
  std::optional<runtime::ProcessExit> exit;
  ASSERT_TRUE(
      runtime.start(command("crasher"), [&](const runtime::ProcessExit& e) { exit = e; }).is_ok());
  EXPECT_EQ(runtime.start(command("ghost"), [](const runtime::ProcessExit&) {}).status().code(),
            StatusCode::kNotFound);
  loop.advance(seconds(5));
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->container_exit_code(), 1);
  EXPECT_EQ(runtime.started(), 1U);
  EXPECT_EQ(runtime.running(), 0U);
}

}  // namespace
}  // namespace nodrop::sim
