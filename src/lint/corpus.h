// The objects the rules look at, read from any Kubernetes manifests: multi-document YAML or JSON
// as Helm, kustomize and people write it, `kind: List` unpacked. Deployments, ReplicaSets, Pods
// and Services are decoded into api objects with Kubernetes' defaults; PodDisruptionBudgets,
// which the api module does not model, are read from the YAML tree here. Every other kind (CRDs,
// ConfigMaps, Ingresses, ...) is counted and skipped without a word, and so are ReplicaSets and
// Pods with a controller owner reference (their owner's template is what gets checked).
//
// Unlike `nodrop apply`, nothing is validated: a lint reports what Kubernetes would accept and
// also what it would reject (maxSurge 0 with maxUnavailable 0), each as a finding. An object whose
// fields cannot even be decoded (replicas: "three") is one invalid-object finding and is not
// checked further.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/int_or_string.h"
#include "api/meta.h"
#include "api/object.h"
#include "base/status.h"
#include "lint/finding.h"
#include "manifest/decode.h"
#include "manifest/node.h"

namespace nodrop::lint {

// Bounds against a runaway generator: more objects than this in one run is an error (exit 2).
inline constexpr std::size_t kMaxObjects = 1'000'000;
// Decoding errors reported for one invalid object; the rest are counted in the last message.
inline constexpr std::size_t kMaxErrorsPerObject = 10;

// The annotation that turns rules off for one object: "rule-id,rule-id" or "all".
inline constexpr const char* kIgnoreAnnotation = "nodrop.dev/ignore";

// Where an object was written and how to name it.
struct Source {
  ObjectRef ref;
  std::string file;
  int line = 0;               // where the object starts
  manifest::SourceMap lines;  // field path -> line
  std::set<std::string> ignored_rules;
  bool ignore_all = false;

  int line_of(const std::string& path) const;
  bool ignores(RuleId rule) const;
};

enum class WorkloadKind { kDeployment, kReplicaSet, kPod };

// Anything that runs pods: the rules about containers read its pod template.
struct Workload {
  Source source;
  WorkloadKind kind = WorkloadKind::kPod;
  api::Object object;  // a Deployment, ReplicaSet or Pod, defaulted

  const api::Labels& pod_labels() const;
  const api::PodSpec& pod_spec() const;
  // The field path of the pod spec: "spec.template.spec", or "spec" for a Pod.
  const char* pod_spec_path() const;
  const api::Deployment* deployment() const { return std::get_if<api::Deployment>(&object); }
  // Replicas as written or defaulted; 1 for a Pod.
  std::int32_t replicas() const;
};

struct ServiceEntry {
  Source source;
  api::Service service;  // defaulted
};

// policy/v1 PodDisruptionBudget, the fields that decide evictions.
struct DisruptionBudget {
  Source source;
  api::LabelSelector selector;
  std::optional<api::IntOrString> min_available;
  std::optional<api::IntOrString> max_unavailable;
};

struct Corpus {
  std::vector<Workload> workloads;
  std::vector<ServiceEntry> services;
  std::vector<DisruptionBudget> budgets;
  std::vector<Finding> invalid;  // invalid-object findings found while reading
  std::size_t objects = 0;       // every object read, of any kind
  std::size_t skipped = 0;       // objects of kinds no rule reads

  std::size_t checked() const { return workloads.size() + services.size() + budgets.size(); }
};

// Adds every object of one file's text. A YAML syntax error is an error whose message starts with
// "FILE:LINE: " and adds nothing of the file; more than kMaxObjects objects in the corpus is an
// error too (ResourceExhausted). Either way the caller stops and exits 2.
Status add_manifest_text(Corpus& corpus, const std::string& text, const std::string& file);

}  // namespace nodrop::lint
