// A Deployment's revisions, from the ReplicaSets it owns (their deployment.kubernetes.io/revision
// annotation), and what kubectl does with them:
//   rollout history   deployment.apps/web (with a trailing space), a REVISION CHANGE-CAUSE table
//                     (Go's tabwriter, padding 2), a blank line;
//   rollout undo      a JSON patch replacing spec.template with the revision's template (its
//                     pod-template-hash label removed) and metadata.annotations with the
//                     revision's, keeping the Deployment's own bookkeeping annotations; skipped
//                     when the template already matches (kubectl's DeploymentRollbacker).
// Pure functions over JSON trees.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "manifest/node.h"

namespace nodrop::cli {

struct Revision {
  std::int64_t number = 0;
  std::string change_cause{};                   // kubernetes.io/change-cause; empty when none
  const manifest::Node* replica_set = nullptr;  // points into the list given
};

// A pod template without the pod-template-hash label the ReplicaSet controller adds to its
// ReplicaSets' copies: how a ReplicaSet's template is compared with its Deployment's.
manifest::Node pod_template_without_hash(const manifest::Node& pod_template);

// Whether object names the owner with that uid among its ownerReferences.
bool owned_by(const manifest::Node& object, const std::string& owner_uid);

// The revisions of deployment among the items of a ReplicaSetList, oldest first.
std::vector<Revision> revisions_of(const manifest::Node& deployment,
                                   const manifest::Node& replica_sets);

// `kubectl rollout history` for shown_name ("deployment.apps/web").
std::string history_text(const std::string& shown_name, const std::vector<Revision>& revisions);

struct UndoPlan {
  std::optional<manifest::Node> patch{};  // a JSON patch; none: nothing to do
  std::int64_t revision = 0;              // the revision rolled back to
};

// The rollback to to_revision (0: the one before the latest). Errors in kubectl's words:
// "unable to find specified revision 2 in history", "no rollout history found for deployment
// \"web\"".
Result<UndoPlan> plan_undo(const manifest::Node& deployment, const std::vector<Revision>& revisions,
                           std::int64_t to_revision);

}  // namespace nodrop::cli
