#include "server/kubernetes_api.h"

#include <fmt/format.h>

#include "apiserver/status_error.h"
#include "base/strings.h"
#include "live/tls/credentials.h"

namespace nodrop::server {

std::string kubeconfig_text(const Ipv4Endpoint& endpoint, const std::string& ca_pem,
                            const std::string& token) {
  return fmt::format(
      "apiVersion: v1\n"
      "kind: Config\n"
      "clusters:\n"
      "- name: nodrop\n"
      "  cluster:\n"
      "    server: https://{}\n"
      "    certificate-authority-data: {}\n"
      "users:\n"
      "- name: nodrop\n"
      "  user:\n"
      "    token: {}\n"
      "contexts:\n"
      "- name: nodrop\n"
      "  context:\n"
      "    cluster: nodrop\n"
      "    user: nodrop\n"
      "    namespace: default\n"
      "current-context: nodrop\n",
      endpoint.to_string(), base64_encode(ca_pem), token);
}

Result<std::unique_ptr<KubernetesApi>> KubernetesApi::start(LiveCluster& live,
                                                            KubernetesApiOptions options) {
  Result<live::TlsCredentials> credentials =
      live::ensure_tls_credentials(live.data_dir() + "/tls", options.listen.address);
  if (!credentials) return credentials.status();
  std::unique_ptr<KubernetesApi> api(new KubernetesApi());
  api->api_ = std::make_unique<apiserver::ApiServer>(
      live.store(), api->clock_,
      apiserver::ApiServerOptions{.token = credentials->token,
                                  .server_address = options.listen.to_string(),
                                  .log_directory = live.data_dir() + "/pods"});
  apiserver::ApiServer* handler = api->api_.get();
  Result<std::unique_ptr<live::HttpsServer>> server = live::HttpsServer::start(
      {.listen = options.listen,
       .certificate_file = credentials->server_certificate_file,
       .key_file = credentials->server_key_file},
      [handler](const http::ServerRequest& request) { return handler->handle(request); },
      [](int status, const std::string& message) {
        return apiserver::error_response(status, message);
      });
  if (!server) {
    return Status(server.status().code(), "the Kubernetes API cannot listen on " +
                                              options.listen.to_string() + ": " +
                                              server.status().message());
  }
  api->server_ = std::move(*server);
  api->kubeconfig_path_ = live.data_dir() + "/kubeconfig";
  if (Status written = live::write_private_file(
          api->kubeconfig_path_,
          kubeconfig_text(api->server_->endpoint(), credentials->ca_certificate_pem,
                          credentials->token));
      !written.is_ok()) {
    return written;
  }
  return api;
}

KubernetesApi::~KubernetesApi() {
  if (server_) server_->stop();
}

}  // namespace nodrop::server
