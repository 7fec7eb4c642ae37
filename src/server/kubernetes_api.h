// The Kubernetes API of a running cluster (DESIGN.md §5): apiserver::ApiServer over the cluster's
// store, served over HTTPS by live::HttpsServer, with the credentials made at first start in the
// data dir (DATA/tls: a CA, a server certificate, a bearer token) and DATA/kubeconfig (0600, the
// CA inline) for kubectl:
//
//   auto api = KubernetesApi::start(live, {.listen = endpoint});
//   // export KUBECONFIG=(*api)->kubeconfig_path()
#pragma once

#include <memory>
#include <string>

#include "apiserver/api_server.h"
#include "base/ipv4.h"
#include "live/loop/system_clock.h"
#include "live/tls/https_server.h"
#include "server/live_cluster.h"

namespace nodrop::server {

inline constexpr std::uint16_t kDefaultApiPort = 6443;

struct KubernetesApiOptions {
  Ipv4Endpoint listen{Ipv4Address::loopback(), kDefaultApiPort};
};

class KubernetesApi {
 public:
  static Result<std::unique_ptr<KubernetesApi>> start(LiveCluster& live,
                                                      KubernetesApiOptions options);
  ~KubernetesApi();

  const std::string& kubeconfig_path() const { return kubeconfig_path_; }
  Ipv4Endpoint endpoint() const { return server_->endpoint(); }
  void stop() { server_->stop(); }

 private:
  KubernetesApi() = default;

  live::SystemClock clock_;
  std::unique_ptr<apiserver::ApiServer> api_;
  std::unique_ptr<live::HttpsServer> server_;
  std::string kubeconfig_path_;
};

// The kubeconfig text for a server at endpoint.
std::string kubeconfig_text(const Ipv4Endpoint& endpoint, const std::string& ca_pem,
                            const std::string& token);

}  // namespace nodrop::server
