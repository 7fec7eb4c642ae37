// meta.k8s.io/v1 Table: what `kubectl get` prints, with Kubernetes' columns for each kind
// (pkg/printers/internalversion): deployments NAME READY UP-TO-DATE AVAILABLE AGE, and with
// -o wide CONTAINERS IMAGES SELECTOR; pods NAME READY STATUS RESTARTS AGE, wide IP NODE; ...
#pragma once

#include <string>
#include <vector>

#include "api/object.h"
#include "base/time.h"
#include "manifest/node.h"
#include "store/store.h"

namespace nodrop::apiserver {

enum class TableObjects { kNone, kMetadata, kObject };  // includeObject=None|Metadata|Object

struct TableOptions {
  bool include_columns = true;  // a watch sends the column definitions with its first event only
  TableObjects objects = TableObjects::kMetadata;
  std::string resource_version{};
  std::string continue_token{};
};

// kind: the stored kind ("Deployment"); objects already encoded (preserved fields and all).
manifest::Node table_of(const std::string& kind, const std::vector<store::ObjectPtr>& objects,
                        const std::vector<manifest::Node>& encoded, WallTime now,
                        const TableOptions& options);

// duration.HumanDuration, as the AGE column: 45s, 5m3s, 3h20m, 2d4h, 400d, 3y20d.
std::string human_duration(std::chrono::nanoseconds elapsed);

}  // namespace nodrop::apiserver
