#include "controller/scheduler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nodrop::controller {
namespace {

api::Node node(const std::string& name, api::Labels labels = {}) {
  api::Node n;
  n.metadata.name = name;
  n.metadata.labels = std::move(labels);
  return n;
}

api::Pod pod_of(const std::string& rs_uid, const std::string& node_name = "") {
  api::Pod p;
  p.metadata.name = rs_uid + "-pod";
  p.metadata.labels["app"] = "web";
  api::OwnerReference owner;
  owner.kind = "ReplicaSet";
  owner.uid = rs_uid;
  owner.controller = true;
  p.metadata.owner_references.push_back(owner);
  p.spec.node_name = node_name;
  p.status.phase = api::PodPhase::kRunning;
  return p;
}

api::NodeSelectorRequirement requirement(const std::string& key, api::NodeSelectorOperator op,
                                         std::vector<std::string> values) {
  return api::NodeSelectorRequirement{key, op, std::move(values)};
}

TEST(Schedule, NodeSelectorAndUnschedulableNodesFilter) {
  std::vector<api::Node> nodes = {node("a", {{"disk", "hdd"}}), node("b", {{"disk", "ssd"}}),
                                  node("c", {{"disk", "ssd"}})};
  nodes[1].spec.unschedulable = true;
  api::Pod pod = pod_of("new");
  pod.spec.node_selector["disk"] = "ssd";
  EXPECT_EQ(*schedule({&pod, nodes, {}, {}}), "c");
}

TEST(Schedule, RequiredNodeAffinityNeedsOneMatchingTerm) {
  std::vector<api::Node> nodes = {node("a", {{"zone", "z1"}}), node("b", {{"zone", "z2"}}),
                                  node("c", {{"cores", "16"}})};
  api::Pod pod = pod_of("new");
  api::NodeAffinity affinity;
  affinity.required_terms = std::vector<api::NodeSelectorTerm>{
      api::NodeSelectorTerm{{requirement("zone", api::NodeSelectorOperator::kIn, {"z2", "z3"})},
                            {}},
      api::NodeSelectorTerm{{requirement("cores", api::NodeSelectorOperator::kGt, {"8"})}, {}}};
  pod.spec.affinity = api::Affinity{affinity};
  const std::vector<NodeScore> scores = score_nodes({&pod, nodes, {}, {}});
  ASSERT_EQ(scores.size(), 2u);
  EXPECT_EQ(scores[0].node, "b");
  EXPECT_EQ(scores[1].node, "c");
}

TEST(Schedule, NoFittingNodeExplainsWhy) {
  std::vector<api::Node> nodes = {node("a"), node("b")};
  nodes[0].spec.unschedulable = true;
  api::Pod pod = pod_of("new");
  pod.spec.node_selector["disk"] = "ssd";
  const Result<std::string> result = schedule({&pod, nodes, {}, {}});
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.status().message(),
            "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 "
            "node(s) were unschedulable.");
}

TEST(Schedule, PreferredNodeAffinityRaisesTheScore) {
  std::vector<api::Node> nodes = {node("a"), node("b", {{"gpu", "yes"}}), node("c")};
  api::Pod pod = pod_of("new");
  api::NodeAffinity affinity;
  affinity.preferred.push_back(api::PreferredSchedulingTerm{
      10, api::NodeSelectorTerm{{requirement("gpu", api::NodeSelectorOperator::kExists, {})}, {}}});
  pod.spec.affinity = api::Affinity{affinity};
  EXPECT_EQ(*schedule({&pod, nodes, {}, {}}), "b");
}

TEST(Schedule, SpreadsPodsOfTheSameReplicaSet) {
  std::vector<api::Node> nodes = {node("a"), node("b"), node("c")};
  const std::vector<api::Pod> pods = {pod_of("new", "a"), pod_of("new", "b"), pod_of("other", "c")};
  const api::Pod* placed[] = {&pods[0], &pods[1], &pods[2]};
  api::Pod pod = pod_of("new");
  EXPECT_EQ(*schedule({&pod, nodes, same_set_on_node(pod, placed), {}}), "c");
}

TEST(Schedule, LocalTrafficSurgePodGoesToANodeAboutToLoseItsPod) {
  // Old pods: a, b, c (one each). The rollout will remove the one on b next; a already has its
  // replacement. Spreading alone would choose c (no new pod); in-place surge picks b.
  std::vector<api::Node> nodes = {node("a"), node("b"), node("c")};
  const std::vector<api::Pod> pods = {pod_of("old", "a"), pod_of("old", "b"), pod_of("old", "c"),
                                      pod_of("new", "a")};
  const api::Pod* placed[] = {&pods[0], &pods[1], &pods[2], &pods[3]};
  const api::Pod* leaving[] = {&pods[0], &pods[1]};
  api::Pod pod = pod_of("new");
  EXPECT_EQ(*schedule({&pod, nodes, same_set_on_node(pod, placed), leaving}), "b");
  // Without the hint, spreading picks a node with no new pod: b or c, by name.
  EXPECT_EQ(*schedule({&pod, nodes, same_set_on_node(pod, placed), {}}), "b");
  const api::Pod* leaving_c[] = {&pods[2]};
  EXPECT_EQ(*schedule({&pod, nodes, same_set_on_node(pod, placed), leaving_c}), "c");
}

TEST(NodeMatchesTerm, FieldsSelectByNodeName) {
  const api::NodeSelectorTerm term{
      {}, {requirement("metadata.name", api::NodeSelectorOperator::kNotIn, {"a"})}};
  EXPECT_FALSE(node_matches_term(node("a"), term));
  EXPECT_TRUE(node_matches_term(node("b"), term));
  EXPECT_FALSE(node_matches_term(node("b"), api::NodeSelectorTerm{}));
}

}  // namespace
}  // namespace nodrop::controller
