// What the API server's Service registry does before a Service is stored
// (pkg/registry/core/service/storage): a clusterIP from the cluster's range, a nodePort for every
// port of a NodePort or LoadBalancer Service from 30000–32767, and a healthCheckNodePort for a
// LoadBalancer Service with externalTrafficPolicy: Local. A value the user gives is checked (in
// range, held by no other Service) and refused with Kubernetes' message and field path:
//
//   spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated
//
// An update that leaves a value out keeps the one the Service has, as an apply that never named
// it does; the clusterIP cannot change. Allocation takes the lowest free value (Kubernetes picks
// at random), so a cluster's ports read the same from one run to the next.
#pragma once

#include "server/cluster_config.h"
#include "store/store.h"

namespace nodrop::server {

class ServiceRegistry final : public store::Registry {
 public:
  static constexpr std::int32_t kFirstNodePort = 30000;  // --service-node-port-range
  static constexpr std::int32_t kLastNodePort = 32767;

  explicit ServiceRegistry(AddressRange cluster_ips) : cluster_ips_(cluster_ips) {}

  api::FieldErrors prepare(api::Object& object, const api::Object* old,
                           const Stored& stored) override;

 private:
  AddressRange cluster_ips_;
};

}  // namespace nodrop::server
