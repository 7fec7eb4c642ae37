// What nodrop refuses in a manifest, and why: every pod is a group of processes on one host, with
// its own address in 127.0.0.0/8 and no container runtime. Each refusal is a Forbidden field error
// naming the field, as the API server reports what it does not allow, at apply time (and in
// `nodrop validate`):
//
//   spec.hostNetwork: Forbidden: nodrop does not run pods in the host's network: ...
//
//   field                                     refused when
//   spec.hostNetwork                          true
//   spec.containers[i].ports[j].hostPort      set (not 0)
//   spec.containers[i].securityContext.privileged   true
//   spec.volumes[i].<type>                    any type but emptyDir, configMap and secret
//   spec.ipFamilies (Service)                 without IPv4 (IPv6 only)
//
// The decoder (manifest/decode.cc) reads the fields the object model does not keep; validation
// refuses hostPort, which it keeps.
#pragma once

#include <string>

#include "api/field_error.h"

namespace nodrop::api {

FieldError refuse_host_network(const FieldPath& path);
FieldError refuse_host_port(const FieldPath& path);
FieldError refuse_privileged(const FieldPath& path);
// path: spec.volumes[i].<type>, type its name (hostPath, persistentVolumeClaim, ...).
FieldError refuse_volume_type(const FieldPath& path, const std::string& type);
FieldError refuse_ipv6_only(const FieldPath& path);

// Kubernetes' volume sources (core/v1 VolumeSource), and whether nodrop accepts each.
inline constexpr const char* kAcceptedVolumeTypes[] = {"emptyDir", "configMap", "secret"};
inline constexpr const char* kRefusedVolumeTypes[] = {"hostPath",
                                                      "persistentVolumeClaim",
                                                      "nfs",
                                                      "awsElasticBlockStore",
                                                      "gcePersistentDisk",
                                                      "gitRepo",
                                                      "iscsi",
                                                      "glusterfs",
                                                      "rbd",
                                                      "flexVolume",
                                                      "cinder",
                                                      "cephfs",
                                                      "flocker",
                                                      "downwardAPI",
                                                      "fc",
                                                      "azureFile",
                                                      "azureDisk",
                                                      "vsphereVolume",
                                                      "quobyte",
                                                      "photonPersistentDisk",
                                                      "projected",
                                                      "portworxVolume",
                                                      "scaleIO",
                                                      "storageos",
                                                      "csi",
                                                      "ephemeral",
                                                      "image"};

}  // namespace nodrop::api
