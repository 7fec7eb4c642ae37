#include "node/loopback_pool.h"

#include <gtest/gtest.h>

#include <set>

namespace nodrop::node {
namespace {

using std::chrono::seconds;

runtime::Time at(int second) { return runtime::Time(seconds(second)); }

TEST(LoopbackPool, NodesGet127_0_1_NAndPodsStartAt127_0_2_1) {
  LoopbackPool nodes = LoopbackPool::for_nodes();
  EXPECT_EQ(nodes.allocate(at(0))->to_string(), "127.0.1.1");
  EXPECT_EQ(nodes.allocate(at(0))->to_string(), "127.0.1.2");
  EXPECT_EQ(nodes.capacity(), 254U);
  LoopbackPool pods = LoopbackPool::for_pods();
  EXPECT_EQ(pods.allocate(at(0))->to_string(), "127.0.2.1");
  EXPECT_EQ(pods.capacity(), 254U * 254U);
}

TEST(LoopbackPool, SkipsAddressesEndingInZeroOr255) {
  LoopbackPool pool(Ipv4Address::of(127, 0, 2, 254), Ipv4Address::of(127, 0, 3, 1), seconds(0));
  EXPECT_EQ(pool.capacity(), 2U);
  EXPECT_EQ(pool.allocate(at(0))->to_string(), "127.0.2.254");
  EXPECT_EQ(pool.allocate(at(0))->to_string(), "127.0.3.1");
}

TEST(LoopbackPool, AReleasedAddressIsNotReusedDuringItsQuarantine) {
  LoopbackPool pool = LoopbackPool::for_pods(seconds(120));
  const Ipv4Address first = *pool.allocate(at(0));
  ASSERT_TRUE(pool.release(first, at(10)).is_ok());
  EXPECT_EQ(pool.allocate(at(129))->to_string(), "127.0.2.2");  // fresh, not 127.0.2.1
  EXPECT_EQ(*pool.allocate(at(130)), first);                    // quarantine passed: reused
}

TEST(LoopbackPool, WhenOnlyQuarantinedAddressesRemainTheOldestReleaseIsReused) {
  LoopbackPool pool(Ipv4Address::of(127, 0, 2, 1), Ipv4Address::of(127, 0, 2, 3), seconds(120));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pool.allocate(at(0)).is_ok());
  ASSERT_TRUE(pool.release(Ipv4Address::of(127, 0, 2, 2), at(0)).is_ok());
  ASSERT_TRUE(pool.release(Ipv4Address::of(127, 0, 2, 1), at(10)).is_ok());
  EXPECT_EQ(pool.allocate(at(50))->to_string(), "127.0.2.2");
  EXPECT_EQ(pool.allocate(at(50))->to_string(), "127.0.2.1");
  const auto none = pool.allocate(at(50));
  ASSERT_FALSE(none.is_ok());
  EXPECT_EQ(none.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(none.status().message(), "all 3 addresses from 127.0.2.1 to 127.0.2.3 are in use");
}

TEST(LoopbackPool, ADoubleReleaseIsRefused) {
  LoopbackPool pool = LoopbackPool::for_nodes();
  const Ipv4Address address = *pool.allocate(at(0));
  ASSERT_TRUE(pool.release(address, at(1)).is_ok());
  EXPECT_EQ(pool.release(address, at(2)).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(pool.release(Ipv4Address::of(127, 0, 1, 9), at(2)).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_FALSE(pool.is_allocated(address));
}

TEST(LoopbackPool, NeverHandsOutAnAddressTwiceWhileItIsAllocated) {
  LoopbackPool pool(Ipv4Address::of(127, 0, 2, 1), Ipv4Address::of(127, 0, 2, 20), seconds(5));
  std::set<Ipv4Address> held;
  // A churn of allocations and releases over time; the checker is the held set.
  for (int step = 0; step < 500; ++step) {
    const runtime::Time now = at(step);
    if (step % 3 != 2) {
      const auto address = pool.allocate(now);
      if (address.is_ok()) {
        EXPECT_TRUE(held.insert(*address).second) << address->to_string() << " at step " << step;
      }
    } else if (!held.empty()) {
      const Ipv4Address oldest = *held.begin();
      ASSERT_TRUE(pool.release(oldest, now).is_ok());
      held.erase(oldest);
    }
    EXPECT_EQ(pool.allocated_count(), held.size());
  }
}

TEST(LoopbackPool, AReservedAddressIsKeptAndNeverHandedOut) {
  LoopbackPool pool(Ipv4Address::of(127, 0, 2, 1), Ipv4Address::of(127, 0, 2, 4), seconds(5));
  // Pods that ran before a restart keep .2 and .3.
  ASSERT_TRUE(pool.reserve(Ipv4Address::of(127, 0, 2, 2)).is_ok());
  ASSERT_TRUE(pool.reserve(Ipv4Address::of(127, 0, 2, 3)).is_ok());
  EXPECT_EQ(pool.reserve(Ipv4Address::of(127, 0, 2, 3)).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(pool.reserve(Ipv4Address::of(127, 0, 3, 1)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(pool.allocate(at(0)).value(), Ipv4Address::of(127, 0, 2, 1));
  EXPECT_EQ(pool.allocate(at(0)).value(), Ipv4Address::of(127, 0, 2, 4));
  EXPECT_EQ(pool.allocate(at(0)).status().code(), StatusCode::kResourceExhausted);
  // Released like any other.
  ASSERT_TRUE(pool.release(Ipv4Address::of(127, 0, 2, 2), at(1)).is_ok());
  EXPECT_EQ(pool.allocate(at(1)).value(), Ipv4Address::of(127, 0, 2, 2));
}

}  // namespace
}  // namespace nodrop::node
