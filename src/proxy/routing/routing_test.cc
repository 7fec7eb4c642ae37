#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "proxy/routing/categorize.h"
#include "proxy/routing/endpoint_table.h"
#include "proxy/routing/hold_queue.h"
#include "proxy/routing/latency_histogram.h"
#include "proxy/routing/picker.h"
#include "proxy/routing/retry_policy.h"
#include "sim/sim_loop.h"

namespace nodrop::proxy {
namespace {

using std::chrono::milliseconds;

Ipv4Endpoint address(const char* text) { return parse_ipv4_endpoint(text).value(); }

// The conditions the tests give endpoints, by the name of what they are.
struct Conditions {
  bool ready = true;
  bool serving = true;
  bool terminating = false;
};
constexpr Conditions kReady{.ready = true, .serving = true, .terminating = false};
constexpr Conditions kServingTerminating{.ready = false, .serving = true, .terminating = true};
constexpr Conditions kTerminatingNotServing{.ready = false, .serving = false, .terminating = true};
constexpr Conditions kNotReady{.ready = false, .serving = false, .terminating = false};

Endpoint endpoint(const char* text, const Conditions& conditions, const char* node = "node-a") {
  return Endpoint{.address = address(text),
                  .node_name = node,
                  .ready = conditions.ready,
                  .serving = conditions.serving,
                  .terminating = conditions.terminating};
}

std::vector<std::string> pickable(const EndpointTable& table) {
  std::vector<std::string> out;
  for (const RoutedEndpoint* routed : table.pickable()) {
    out.push_back(routed->endpoint.address.to_string());
  }
  return out;
}

// reference/k8s-semantics.md §4 and k8s-vectors.json (TestCategorizeEndpoints).
TEST(CategorizeEndpoints, ClusterPolicyUsesReadyEndpointsOnly) {
  const std::vector<Endpoint> endpoints = {endpoint("10.0.0.0:80", kReady),
                                           endpoint("10.0.0.1:80", kServingTerminating),
                                           endpoint("10.0.0.2:80", kReady)};
  EXPECT_EQ(categorize_endpoints(endpoints, TrafficPolicy{}),
            (std::vector{EndpointState::kReady, EndpointState::kDraining, EndpointState::kReady}));
}

TEST(CategorizeEndpoints, FallsBackToServingTerminatingWhenNoneIsReady) {
  const std::vector<Endpoint> endpoints = {endpoint("10.0.0.0:80", kServingTerminating),
                                           endpoint("10.0.0.1:80", kTerminatingNotServing),
                                           endpoint("10.0.0.2:80", kNotReady)};
  EXPECT_EQ(categorize_endpoints(endpoints, TrafficPolicy{}),
            (std::vector{EndpointState::kServingTerminating, EndpointState::kDraining,
                         EndpointState::kDraining}));
}

TEST(CategorizeEndpoints, NotReadyAndNotTerminatingIsNeverUsed) {
  const std::vector<Endpoint> endpoints = {endpoint("10.0.0.0:80", kNotReady),
                                           endpoint("10.0.0.1:80", kNotReady)};
  EXPECT_EQ(categorize_endpoints(endpoints, TrafficPolicy{}),
            (std::vector{EndpointState::kDraining, EndpointState::kDraining}));
}

TEST(CategorizeEndpoints, LocalPolicyUsesOnlyLocalReadyEndpoints) {
  const TrafficPolicy local{.uses_cluster = false, .uses_local = true, .node_name = "node-a"};
  const std::vector<Endpoint> endpoints = {endpoint("10.0.0.0:80", kReady, "node-a"),
                                           endpoint("10.0.0.1:80", kReady, "node-b"),
                                           endpoint("10.0.0.2:80", kServingTerminating, "node-a")};
  EXPECT_EQ(
      categorize_endpoints(endpoints, local),
      (std::vector{EndpointState::kReady, EndpointState::kDraining, EndpointState::kDraining}));
}

TEST(CategorizeEndpoints, LocalFallbackToTerminatingIsAddedToClusterEndpoints) {
  // iTP=Cluster, eTP=Local, externally accessible: uses both; the node's only local endpoint is
  // terminating, so all = cluster ∪ local(fallback).
  const TrafficPolicy both{.uses_cluster = true, .uses_local = true, .node_name = "node-a"};
  const std::vector<Endpoint> endpoints = {endpoint("10.0.0.0:80", kServingTerminating, "node-a"),
                                           endpoint("10.0.0.1:80", kReady, "node-b")};
  EXPECT_EQ(categorize_endpoints(endpoints, both),
            (std::vector{EndpointState::kServingTerminating, EndpointState::kReady}));
}

TEST(CategorizeEndpoints, EmptyListHasNothingToPick) {
  EXPECT_TRUE(categorize_endpoints({}, TrafficPolicy{}).empty());
}

TEST(TablePublisher, GenerationsGrowAndTablesAreSnapshots) {
  TablePublisher publisher(TrafficPolicy{});
  const std::vector<Endpoint> first = {endpoint("127.0.2.1:80", kReady)};
  const std::vector<Endpoint> second = {endpoint("127.0.2.1:80", kServingTerminating),
                                        endpoint("127.0.2.2:80", kReady)};
  EXPECT_EQ(publisher.publish(first).value(), 1U);
  const auto old_table = publisher.current();
  EXPECT_EQ(publisher.publish(second).value(), 2U);
  EXPECT_EQ(pickable(*old_table), (std::vector<std::string>{"127.0.2.1:80"}));
  EXPECT_EQ(pickable(*publisher.current()), (std::vector<std::string>{"127.0.2.2:80"}));
  EXPECT_FALSE(publisher.current()->is_pickable(address("127.0.2.1:80")));
}

TEST(TablePublisher, CountersAreSharedAcrossGenerationsOfTheSameEndpoint) {
  TablePublisher publisher(TrafficPolicy{});
  const std::vector<Endpoint> endpoints = {endpoint("127.0.2.1:80", kReady)};
  ASSERT_TRUE(publisher.publish(endpoints).is_ok());
  const auto counters = publisher.current()->endpoints()[0].counters;
  ASSERT_TRUE(publisher.publish(endpoints).is_ok());
  EXPECT_EQ(publisher.current()->endpoints()[0].counters, counters);
  EXPECT_EQ(publisher.counters(address("127.0.2.1:80")), counters);
}

TEST(TablePublisher, CountersOfARemovedEndpointLiveWhileSomeoneHoldsThem) {
  TablePublisher publisher(TrafficPolicy{});
  const std::vector<Endpoint> endpoints = {endpoint("127.0.2.1:80", kReady)};
  ASSERT_TRUE(publisher.publish(endpoints).is_ok());
  auto held = publisher.current()->endpoints()[0].counters;  // a connection still open to it
  ASSERT_TRUE(publisher.publish({}).is_ok());
  ASSERT_TRUE(publisher.publish({}).is_ok());
  EXPECT_EQ(publisher.counters(address("127.0.2.1:80")), held);
  held.reset();
  ASSERT_TRUE(publisher.publish({}).is_ok());
  EXPECT_EQ(publisher.counters(address("127.0.2.1:80")), nullptr);
}

TEST(TablePublisher, RejectsDuplicateAddressesAndOversizedTables) {
  TablePublisher publisher(TrafficPolicy{});
  const std::vector<Endpoint> duplicate = {endpoint("127.0.2.1:80", kReady),
                                           endpoint("127.0.2.1:80", kReady)};
  EXPECT_EQ(publisher.publish(duplicate).status().code(), StatusCode::kInvalidArgument);
  std::vector<Endpoint> many(kMaxEndpointsPerTable + 1);
  EXPECT_EQ(publisher.publish(many).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(publisher.current()->generation(), 0U);
}

TEST(TablePublisher, AGenerationIsAcknowledgedOnlyWhenEveryWorkerAppliedIt) {
  TablePublisher publisher(TrafficPolicy{});
  const WorkerId first = publisher.add_worker();
  const WorkerId second = publisher.add_worker();
  std::vector<Generation> heard;
  publisher.set_listener([&](auto table) { heard.push_back(table->generation()); });
  const Generation generation = publisher.publish({}).value();
  EXPECT_EQ(heard, std::vector<Generation>{generation});
  EXPECT_FALSE(publisher.acknowledged_by_all(generation));
  publisher.acknowledge(first, generation);
  EXPECT_FALSE(publisher.acknowledged_by_all(generation));
  publisher.acknowledge(second, generation + 5);
  publisher.acknowledge(second, generation);  // never moves backwards
  EXPECT_TRUE(publisher.acknowledged_by_all(generation));
  EXPECT_FALSE(publisher.acknowledged_by_all(generation + 1));
}

class PickerTest : public ::testing::Test {
 protected:
  void publish(std::vector<Endpoint> endpoints) {
    ASSERT_TRUE(publisher_.publish(endpoints).is_ok());
  }
  std::map<std::string, int> histogram(Picker& picker, int picks,
                                       std::span<const Ipv4Endpoint> excluded = {}) {
    std::map<std::string, int> counts;
    const auto table = publisher_.current();
    for (int i = 0; i < picks; ++i) {
      const RoutedEndpoint* routed = picker.pick(*table, excluded);
      counts[routed ? routed->endpoint.address.to_string() : "none"]++;
    }
    return counts;
  }

  TablePublisher publisher_{TrafficPolicy{}};
  sim::SeededRandom random_{42};
};

TEST_F(PickerTest, RoundRobinVisitsEachPickableEndpointInTurn) {
  publish({endpoint("127.0.2.1:80", kReady), endpoint("127.0.2.2:80", kServingTerminating),
           endpoint("127.0.2.3:80", kReady)});
  Picker picker(PickerKind::kRoundRobin, random_);
  EXPECT_EQ(histogram(picker, 10),
            (std::map<std::string, int>{{"127.0.2.1:80", 5}, {"127.0.2.3:80", 5}}));
}

TEST_F(PickerTest, NothingPickableGivesNull) {
  publish({endpoint("127.0.2.1:80", kNotReady)});
  Picker picker(PickerKind::kLeastOutstanding, random_);
  EXPECT_EQ(histogram(picker, 3), (std::map<std::string, int>{{"none", 3}}));
}

TEST_F(PickerTest, RetriesSkipEndpointsAlreadyTried) {
  publish({endpoint("127.0.2.1:80", kReady), endpoint("127.0.2.2:80", kReady)});
  const std::vector<Ipv4Endpoint> tried = {address("127.0.2.1:80")};
  for (PickerKind kind : {PickerKind::kRoundRobin, PickerKind::kLeastOutstanding}) {
    Picker picker(kind, random_);
    EXPECT_EQ(histogram(picker, 6, tried), (std::map<std::string, int>{{"127.0.2.2:80", 6}}));
    const std::vector<Ipv4Endpoint> all = {address("127.0.2.1:80"), address("127.0.2.2:80")};
    EXPECT_EQ(histogram(picker, 1, all), (std::map<std::string, int>{{"none", 1}}));
  }
}

TEST_F(PickerTest, LeastOutstandingAvoidsTheBusiestEndpoint) {
  publish({endpoint("127.0.2.1:80", kReady), endpoint("127.0.2.2:80", kReady),
           endpoint("127.0.2.3:80", kReady)});
  publisher_.current()->endpoints()[0].counters->in_flight_requests = 100;
  publisher_.current()->endpoints()[1].counters->in_flight_requests = 1;
  Picker picker(PickerKind::kLeastOutstanding, random_);
  const auto counts = histogram(picker, 300);
  // Two distinct draws of three always include a less busy one than 127.0.2.1.
  EXPECT_EQ(counts.count("127.0.2.1:80"), 0U);
  EXPECT_GT(counts.at("127.0.2.3:80"), counts.at("127.0.2.2:80"));
}

TEST(RetryPolicy, ConnectionFailuresAreRetriedUpToTheBound) {
  const RetryPolicy policy = RetryPolicy::nodrop();
  for (UpstreamFailure failure : {UpstreamFailure::kConnectRefused, UpstreamFailure::kConnectReset,
                                  UpstreamFailure::kConnectTimeout}) {
    EXPECT_EQ(policy.decide(failure,
                            {.idempotent = false, .attempts_made = 1, .retried_after_send = false}),
              RetryDecision::kRetryOnAnotherEndpoint);
    EXPECT_EQ(policy.decide(failure,
                            {.idempotent = false, .attempts_made = 2, .retried_after_send = false}),
              RetryDecision::kRetryOnAnotherEndpoint);
    EXPECT_EQ(policy.decide(failure,
                            {.idempotent = false, .attempts_made = 3, .retried_after_send = false}),
              RetryDecision::kGiveUp);
  }
}

TEST(RetryPolicy, IdempotentRequestClosedBeforeResponseIsRetriedOnce) {
  const RetryPolicy policy = RetryPolicy::nodrop();
  const auto closed = UpstreamFailure::kClosedBeforeResponse;
  EXPECT_EQ(
      policy.decide(closed, {.idempotent = true, .attempts_made = 1, .retried_after_send = false}),
      RetryDecision::kRetryOnAnotherEndpoint);
  EXPECT_EQ(
      policy.decide(closed, {.idempotent = true, .attempts_made = 2, .retried_after_send = true}),
      RetryDecision::kGiveUp);
  EXPECT_EQ(
      policy.decide(closed, {.idempotent = false, .attempts_made = 1, .retried_after_send = false}),
      RetryDecision::kGiveUp);
  EXPECT_EQ(policy.decide(UpstreamFailure::kClosedMidResponse,
                          {.idempotent = true, .attempts_made = 1, .retried_after_send = false}),
            RetryDecision::kGiveUp);
  EXPECT_EQ(policy.decide(UpstreamFailure::kResponseTimeout,
                          {.idempotent = true, .attempts_made = 1, .retried_after_send = false}),
            RetryDecision::kGiveUp);
  EXPECT_TRUE(is_idempotent_method("GET"));
  EXPECT_FALSE(is_idempotent_method("POST"));
}

TEST(RetryPolicy, KubernetesProfileNeverRetries) {
  const RetryPolicy policy = RetryPolicy::kubernetes();
  EXPECT_EQ(policy.decide(UpstreamFailure::kConnectRefused,
                          {.idempotent = true, .attempts_made = 1, .retried_after_send = false}),
            RetryDecision::kGiveUp);
  EXPECT_EQ(policy.decide(UpstreamFailure::kClosedBeforeResponse,
                          {.idempotent = true, .attempts_made = 1, .retried_after_send = false}),
            RetryDecision::kGiveUp);
}

TEST(HoldQueue, OffInTheKubernetesProfile) {
  sim::SimLoop loop;
  HoldQueue queue(loop, HoldPolicy::kubernetes());
  EXPECT_FALSE(queue.hold([](HoldOutcome) {}).has_value());
}

TEST(HoldQueue, ReleasesOldestFirstAndTimesOutTheRest) {
  sim::SimLoop loop;
  HoldQueue queue(loop, HoldPolicy{.max_waiting = 2, .max_wait = milliseconds(100)});
  std::vector<std::string> outcomes;
  const auto record = [&](std::string name) {
    return [&outcomes, name](HoldOutcome outcome) {
      outcomes.push_back(name + (outcome == HoldOutcome::kEndpointAvailable ? ":go" : ":timeout"));
    };
  };
  ASSERT_TRUE(queue.hold(record("a")).has_value());
  ASSERT_TRUE(queue.hold(record("b")).has_value());
  EXPECT_FALSE(queue.hold(record("overflow")).has_value());
  queue.release();
  EXPECT_EQ(outcomes, (std::vector<std::string>{"a:go", "b:go"}));
  ASSERT_TRUE(queue.hold(record("c")).has_value());
  loop.advance(milliseconds(99));
  EXPECT_EQ(outcomes.size(), 2U);
  loop.advance(milliseconds(1));
  EXPECT_EQ(outcomes.back(), "c:timeout");
  EXPECT_EQ(queue.waiting(), 0U);
}

TEST(HoldQueue, CancelledRequestsNeverResume) {
  sim::SimLoop loop;
  HoldQueue queue(loop, HoldPolicy{.max_waiting = 4, .max_wait = milliseconds(100)});
  int resumed = 0;
  const auto ticket = queue.hold([&](HoldOutcome) { ++resumed; });
  ASSERT_TRUE(ticket.has_value());
  queue.cancel(*ticket);
  queue.release();
  loop.advance(milliseconds(200));
  EXPECT_EQ(resumed, 0);
  EXPECT_EQ(loop.pending(), 0U);
}

TEST(LatencyHistogram, QuantilesAreUpperEdgesOfPowerOfTwoBuckets) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.quantile(0.5).count(), 0);
  for (int i = 0; i < 98; ++i) histogram.record(std::chrono::microseconds(100));  // [64, 128)
  histogram.record(std::chrono::milliseconds(3));                                 // [2048, 4096)
  histogram.record(std::chrono::nanoseconds(1));  // counted as 1 µs
  EXPECT_EQ(histogram.count(), 100U);
  EXPECT_EQ(histogram.quantile(0.5).count(), 128);
  EXPECT_EQ(histogram.quantile(0.99).count(), 128);
  EXPECT_EQ(histogram.quantile(1.0).count(), 4096);
}

}  // namespace
}  // namespace nodrop::proxy
