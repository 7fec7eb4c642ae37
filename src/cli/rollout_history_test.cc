// A Deployment's revisions and kubectl's history and undo over them.
#include "cli/rollout_history.h"

#include <gtest/gtest.h>

#include "apiserver/json.h"
#include "cli/go_json.h"

namespace nodrop::cli {
namespace {

manifest::Node json(const std::string& text) { return apiserver::parse_body(text).value(); }

const char kDeployment[] = R"({"metadata": {"name": "web", "uid": "d1",
  "annotations": {"deployment.kubernetes.io/revision": "3", "team": "a"}},
  "spec": {"template": {"metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "app", "image": "v3"}]}}}})";

// Revisions 3, 1 and 2 of web, one ReplicaSet of another Deployment, one without a revision.
const char kReplicaSets[] = R"({"items": [
  {"metadata": {"name": "web-c", "ownerReferences": [{"uid": "d1"}],
                "annotations": {"deployment.kubernetes.io/revision": "3"}},
   "spec": {"template": {"metadata": {"labels": {"app": "web", "pod-template-hash": "c"}},
                         "spec": {"containers": [{"name": "app", "image": "v3"}]}}}},
  {"metadata": {"name": "web-a", "ownerReferences": [{"uid": "d1"}],
                "annotations": {"deployment.kubernetes.io/revision": "1",
                                "kubernetes.io/change-cause": "first"}},
   "spec": {"template": {"metadata": {"labels": {"app": "web", "pod-template-hash": "a"}},
                         "spec": {"containers": [{"name": "app", "image": "v1"}]}}}},
  {"metadata": {"name": "web-b", "ownerReferences": [{"uid": "d1"}],
                "annotations": {"deployment.kubernetes.io/revision": "2", "note": "b"}},
   "spec": {"template": {"metadata": {"labels": {"app": "web", "pod-template-hash": "b"}},
                         "spec": {"containers": [{"name": "app", "image": "v2"}]}}}},
  {"metadata": {"name": "other", "ownerReferences": [{"uid": "d2"}],
                "annotations": {"deployment.kubernetes.io/revision": "7"}}},
  {"metadata": {"name": "web-x", "ownerReferences": [{"uid": "d1"}]}}]})";

TEST(RolloutHistory, TheOwnedReplicaSetsRevisionsOldestFirstInKubectlsTable) {
  const manifest::Node deployment = json(kDeployment);
  const manifest::Node replica_sets = json(kReplicaSets);
  const std::vector<Revision> revisions = revisions_of(deployment, replica_sets);
  ASSERT_EQ(revisions.size(), 3u);
  EXPECT_EQ(history_text("deployment.apps/web", revisions),
            "deployment.apps/web \n"
            "REVISION  CHANGE-CAUSE\n"
            "1         first\n"
            "2         <none>\n"
            "3         <none>\n"
            "\n");
}

TEST(RolloutUndo, BackToThePreviousRevisionsTemplateWithoutItsHashKeepingTheBookkeeping) {
  const manifest::Node deployment = json(kDeployment);
  const manifest::Node replica_sets = json(kReplicaSets);
  Result<UndoPlan> plan = plan_undo(deployment, revisions_of(deployment, replica_sets), 0);
  ASSERT_TRUE(plan.is_ok()) << plan.status().message();
  EXPECT_EQ(plan->revision, 2);
  ASSERT_TRUE(plan->patch.has_value());
  EXPECT_EQ(go_json(*plan->patch),
            R"([{"op":"replace","path":"/spec/template","value":{"metadata":{"labels":)"
            R"({"app":"web"}},"spec":{"containers":[{"image":"v2","name":"app"}]}}},)"
            R"({"op":"replace","path":"/metadata/annotations","value":)"
            R"({"deployment.kubernetes.io/revision":"3","note":"b"}}])");
}

TEST(RolloutUndo, SkippedWhenTheTemplateMatchesAndRefusedWithoutTheRevision) {
  const manifest::Node deployment = json(kDeployment);
  const manifest::Node replica_sets = json(kReplicaSets);
  const std::vector<Revision> revisions = revisions_of(deployment, replica_sets);
  Result<UndoPlan> same = plan_undo(deployment, revisions, 3);
  ASSERT_TRUE(same.is_ok());
  EXPECT_FALSE(same->patch.has_value());
  EXPECT_EQ(plan_undo(deployment, revisions, 9).status().message(),
            "unable to find specified revision 9 in history");
  EXPECT_EQ(plan_undo(deployment, {revisions[0]}, 0).status().message(),
            "no rollout history found for deployment \"web\"");
}

}  // namespace
}  // namespace nodrop::cli
