#include "controller/reconciler.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "sim/sim_loop.h"

namespace nodrop::controller {
namespace {

// A long queue is worked through a bounded number of syncs per turn of the loop, so that what else
// the loop holds (a signal, a probe, another controller) runs between them.
TEST(Reconciler, ALongQueueYieldsTheLoopBetweenTurns) {
  sim::SimLoop loop;
  std::deque<std::function<void()>> posted;  // the loop's turns, run one at a time
  std::vector<std::string> synced;
  Reconciler reconciler(
      loop, [&](std::function<void()> callback) { posted.push_back(std::move(callback)); },
      [&](const std::string& key) {
        synced.push_back(key);
        return SyncResult{};
      });
  const std::size_t keys = 2 * Reconciler::kMaxSyncsPerTurn + 10;
  for (std::size_t i = 0; i < keys; ++i) reconciler.enqueue("default/d" + std::to_string(i));
  std::vector<std::size_t> per_turn;
  while (!posted.empty() && per_turn.size() < 10) {
    const std::size_t before = synced.size();
    std::function<void()> turn = std::move(posted.front());
    posted.pop_front();
    turn();
    per_turn.push_back(synced.size() - before);
  }
  EXPECT_EQ(per_turn, (std::vector<std::size_t>{Reconciler::kMaxSyncsPerTurn,
                                                Reconciler::kMaxSyncsPerTurn, 10}));
  ASSERT_EQ(synced.size(), keys);
  EXPECT_EQ(synced.front(), "default/d0");
  EXPECT_EQ(synced.back(), "default/d" + std::to_string(keys - 1));
}

}  // namespace
}  // namespace nodrop::controller
