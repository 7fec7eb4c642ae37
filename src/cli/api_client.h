// The client side of the Kubernetes API for nodrop's cluster verbs: the flags every such verb
// takes, the kubeconfig they lead to (kubeconfig.h), and requests over HTTPS
// (live/tls/https_client.h) with the answers' errors turned into kubectl's messages:
//   Error from server (NotFound): deployments.apps "web" not found
// and a cluster that does not answer into advice: start one with `nodrop up`.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "apiserver/resources.h"
#include "base/flags.h"
#include "base/status.h"
#include "cli/kubeconfig.h"
#include "live/tls/https_client.h"
#include "manifest/node.h"

namespace nodrop::cli {

// -n/--namespace, -A/--all-namespaces, --data-dir, --kubeconfig, --request-timeout.
struct ClusterFlags {
  std::string kubeconfig{};
  std::string data_dir{};
  std::string namespace_name{};  // empty: the kubeconfig context's, else "default"
  bool all_namespaces = false;
  std::chrono::milliseconds request_timeout{30'000};

  // Takes the current flag when it is one of these (true), setting *error when its value is
  // wrong; false for any other flag.
  bool take(FlagReader& flags, Status* error);
  // Which of them a verb offers, for its --help.
  static const char* help_text();
};

// A cluster verb's name and usage text, for --help and for its usage errors.
struct VerbUsage {
  const char* verb;   // "get"
  const char* usage;  // "usage: nodrop get ...\n"
  // "nodrop VERB: message", then the usage and the cluster flags, on err; kExitUsage.
  int fail(std::ostream& err, const Status& status) const;
};

// The verb's own flags: takes the current flag when it is one of them (true, setting *error when
// its value is wrong); false for any other.
using VerbFlags = std::function<bool(FlagReader& flags, Status* error)>;

// Reads a cluster verb's command line: -h/--help (the usage printed on out), the cluster flags
// into cluster, the verb's own flags through own, and positional arguments into positional
// (null: the verb takes none, and each is a usage error). The exit code when the verb is not to
// run (help shown, or a usage error reported on err); nullopt when it is.
std::optional<int> read_verb_line(const VerbUsage& usage, std::span<const std::string> args,
                                  std::ostream& out, std::ostream& err, ClusterFlags& cluster,
                                  std::vector<std::string>* positional, const VerbFlags& own = {});

struct ApiResponse {
  int status = 0;
  std::string body{};
};

class ApiClient {
 public:
  static Result<ApiClient> connect(const ClusterFlags& flags,
                                   const ClusterEnvironment& environment);

  // The namespace a verb works in: -n, else the kubeconfig context's, else "default".
  const std::string& namespace_name() const { return namespace_name_; }

  // One request. A 4xx or 5xx answer is a Status with kubectl's message ("Error from server
  // (NotFound): ..."); a server that does not answer is one with advice.
  Result<ApiResponse> request(const std::string& method, const std::string& target,
                              const std::string& body = "",
                              const std::string& content_type = "application/json",
                              const std::string& accept = "application/json");
  // A GET whose body is read as it arrives (a watch, a followed log): on_data gets it until it
  // ends, on_data returns false or body_timeout passes (DeadlineExceeded; zero: no bound). Errors
  // as request()'s.
  Status stream(const std::string& target, const std::string& accept,
                const std::function<bool(std::string_view)>& on_data,
                std::chrono::milliseconds body_timeout = std::chrono::milliseconds(0));
  // A request whose answer must be JSON, parsed.
  Result<manifest::Node> request_json(const std::string& method, const std::string& target,
                                      const std::string& body = "",
                                      const std::string& content_type = "application/json",
                                      const std::string& accept = "application/json");

 private:
  ApiClient() = default;
  live::HttpsRequest request_of(const std::string& method, const std::string& target,
                                const std::string& body, const std::string& content_type,
                                const std::string& accept) const;
  // One request, its answer whole (on_data null) or streamed to on_data.
  Result<ApiResponse> exchange(const live::HttpsRequest& request,
                               const std::function<bool(std::string_view)>* on_data,
                               std::chrono::milliseconds body_timeout);

  live::HttpsClientOptions options_;
  std::string
      authorization_{};   // the Authorization field: Bearer or Basic; none for a client certificate
  std::string server_{};  // as the kubeconfig names it, for messages
  std::string data_dir_{};       // the data dir the kubeconfig belongs to; empty for another
  std::string start_command_{};  // how to start the cluster of that data dir
  std::string namespace_name_{};
};

// The Status a 4xx or 5xx answer stands for, with kubectl's wording: "Error from server
// (NotFound): deployments.apps \"web\" not found", from a Status body, or the HTTP status alone.
Status error_of_answer(int status, const std::string& body);

// The URL path of a resource's collection (in namespace_name when it is namespaced; empty: every
// namespace) and of one object.
std::string collection_path(const apiserver::Resource& resource, const std::string& namespace_name);
std::string object_path(const apiserver::Resource& resource, const std::string& namespace_name,
                        const std::string& name);

// The resource a user names on kubectl's command line: plural, singular, kind or short name, in
// any case, optionally qualified by its group ("deploy", "deployments.apps", "Pod", "svc"); null
// when nodrop serves no such resource.
const apiserver::Resource* resource_named(std::string_view name);
// How kubectl names a resource in its output: "deployment.apps", "service".
std::string output_name(const apiserver::Resource& resource);

// Prints a failed request the way kubectl does ("Error from server (...): ..." as the server
// put it, anything else after "error: ") and returns kExitFailure.
int report_failure(std::ostream& err, const Status& status);

// Text for a query string: everything but unreserved characters percent-encoded.
std::string query_escape(std::string_view text);

}  // namespace nodrop::cli
