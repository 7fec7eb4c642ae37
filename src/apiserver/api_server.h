// nodrop's Kubernetes API: the REST API that `kubectl` and client libraries speak, over the store.
// A handler from one HTTP request to its response; the HTTPS transport is live::HttpsServer.
//
//   ApiServer api(store, clock, {.token = token, .log_directory = dir});
//   http::ServerResponse response = api.handle(request);  // from any thread
//
// What it serves (DESIGN.md §5): discovery and OpenAPI (discovery.h); get, list (label and field
// selectors, limit/continue), watch (watch_stream.h), create, update, patch (patch.h), delete on
// the resources of resources.h, each write with dryRun; Tables for kubectl get (tables.h); the
// status, scale and log subresources; every error as a Kubernetes Status (status_error.h). A
// request without the bearer token gets 401, except the health and version endpoints.
//
// Threading: handle() is safe from many threads at once (the store is; the rest is read-only or
// under the server's own lock).
#pragma once

#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "apiserver/resources.h"
#include "apiserver/status_error.h"
#include "apiserver/target.h"
#include "http/exchange.h"
#include "manifest/node.h"
#include "runtime/clock.h"
#include "store/store.h"

namespace nodrop::apiserver {

struct ApiServerOptions {
  std::string token{};           // the bearer token every request must carry
  std::string server_address{};  // "127.0.0.1:6443", as /api reports it
  std::string log_directory{};   // where the kubelets keep the pods' logs
  std::size_t max_body_bytes = 3 * 1024 * 1024;
  // Responses streamed at once (watches, followed logs): each holds a connection of the HTTPS
  // server (128 at most) and a thread, so fewer than the connections, leaving room for ordinary
  // requests; one more is answered 429 TooManyRequests, as the API server's max-in-flight does.
  std::size_t max_streams = 64;
};

class ApiServer {
 public:
  ApiServer(store::Store& store, const runtime::Clock& clock, ApiServerOptions options);

  http::ServerResponse handle(const http::ServerRequest& request);
  // Streamed responses (watches, followed logs) whose stream is alive now.
  std::size_t open_streams() const { return open_streams_->load(); }

  // What a request resolved to: the resource, the namespace, the object's name, the subresource.
  struct Call;

 private:
  http::ServerResponse route(const http::ServerRequest& request, const Target& target);
  http::ServerResponse resource_request(const http::ServerRequest& request, const Target& target,
                                        std::size_t prefix_length);
  http::ServerResponse get(const Call& call);
  http::ServerResponse list(const Call& call);
  http::ServerResponse watch(const Call& call);
  http::ServerResponse create(const Call& call);
  http::ServerResponse update(const Call& call);
  http::ServerResponse patch(const Call& call);
  http::ServerResponse remove(const Call& call);
  http::ServerResponse remove_collection(const Call& call);
  http::ServerResponse scale(const Call& call);
  http::ServerResponse logs(const Call& call);
  http::ServerResponse namespaces(const Call& call);
  http::ServerResponse not_run(const Call& call);

  store::Store& store_;
  const runtime::Clock& clock_;
  const ApiServerOptions options_;
  const WallTime started_;
  std::shared_ptr<std::atomic<std::size_t>> open_streams_;
  struct CreatedNamespace {
    manifest::Node object;
    WallTime created;
  };
  std::mutex namespaces_mutex_;
  std::map<std::string, CreatedNamespace> created_namespaces_;
};

}  // namespace nodrop::apiserver
