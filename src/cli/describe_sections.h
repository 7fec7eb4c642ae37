// The pieces every `kubectl describe` layout is made of (kubectl's pkg/describe/describe.go):
// labels and annotations over several lines, label selectors, the pod template with its
// containers and volumes, tolerations, conditions, events. Each appends lines to text whose cells
// end in tabs ("Name:\tweb\n"), for format_tabbed (table_printer.h; kubectl's describe aligns
// with Go's tabwriter, minimum width 0, padding 2) to align once the description is whole.
//
// All read JSON trees as the API answers with them (node_paths.h): a missing field is an empty
// one, never a crash.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "base/time.h"
#include "cli/node_paths.h"
#include "manifest/node.h"

namespace nodrop::cli {

// "Mon, 30 Nov 2026 23:23:16 +0000": Go's time.RFC1123Z, in UTC; the text itself when it is not a
// time.
std::string rfc1123z(const std::string& rfc3339);

// The items of a sequence; none for null or anything else.
const std::vector<manifest::Node>& items_of(const manifest::Node* node);

// The entries of a map of strings (labels, a ConfigMap's data), sorted by key; none for anything
// else.
std::vector<std::pair<std::string, std::string>> sorted_entries(const manifest::Node* map);

// Whether node is a sequence or a mapping with something in it.
bool non_empty(const manifest::Node* node);

// printLabelsMultiline: "Title:\tkey=value", every further label on a line of its own in the
// value's column, sorted by key; "<none>" for none. title carries its own indent ("  Labels").
void write_labels(std::string& out, const std::string& title, const manifest::Node* labels);

// printAnnotationsMultiline: as write_labels with "key: value", the last-applied-configuration
// annotation left out, a value longer than 140 characters (with its key) or of several lines
// written below its key, each line cut at 138 characters followed by "...".
void write_annotations(std::string& out, const std::string& title,
                       const manifest::Node* annotations);

// "Name:", "Namespace:", "Labels:" and "Annotations:", the lines most descriptions begin with.
void write_name_and_metadata(std::string& out, const manifest::Node& object);

// labels.Selector's String() of a metav1.LabelSelector: requirements sorted by key ("app=web",
// "tier in (a,b)", "tier notin (c)", "canary", "!canary") joined by commas; "" when it has none.
std::string label_selector_text(const manifest::Node* selector);

// labels.FormatLabels of a map: "a=b,c=d", sorted; "<none>" for none.
std::string labels_text(const manifest::Node* labels);

// printController: "ReplicaSet/web-7d9" of the owner reference marked as controller; "" when
// there is none.
std::string controller_text(const manifest::Node& object);

// Where a description of containers is: a pod's (with its statuses and its own fields, which
// fieldRef variables are resolved against) or a pod template's (neither).
struct ContainerContext {
  const manifest::Node* pod = nullptr;
};

// describeContainers: "Containers:" (or "Init Containers:") and each container with its image,
// ports, command and args, state (a pod's), limits and requests, probes, envFrom, env and mounts.
// space: "" for a pod, "  " inside a pod template.
void write_containers(std::string& out, const char* label, const manifest::Node* containers,
                      const ContainerContext& context, const std::string& space);

// describeVolumes: "Volumes:" and each volume of the kinds nodrop accepts (emptyDir, configMap,
// secret) and of a few more, "<unknown>" for others; "<none>" for none.
void write_volumes(std::string& out, const manifest::Node* volumes, const std::string& space);

// printPodTolerationsMultiline: "key=value:Effect op=Exists for 300s", sorted by key.
void write_tolerations(std::string& out, const std::string& title,
                       const manifest::Node* tolerations);

// describeTopologySpreadConstraints: nothing when there are none.
void write_topology_spread(std::string& out, const manifest::Node* constraints,
                           const std::string& space);

// DescribePodTemplate: labels, annotations, service account, init containers, containers,
// volumes, topology spread constraints, priority class, node selector and tolerations.
void write_pod_template(std::string& out, const manifest::Node& pod_template);

// A Deployment's or a ReplicaSet's conditions under a Type, Status and Reason table; nothing when
// there are none.
void write_reason_conditions(std::string& out, const manifest::Node& object);

// DescribeEvents: the items of an EventList, oldest last-seen first, with their ages at now;
// "Events:\t<none>" for none.
void write_events(std::string& out, const manifest::Node& events, WallTime now);

}  // namespace nodrop::cli
