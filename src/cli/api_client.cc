#include "cli/api_client.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "apiserver/json.h"
#include "base/strings.h"
#include "cli/node_paths.h"
#include "cli/verb.h"
#include "live/sockets/tcp.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

// The largest answer a verb reads: a list of every object of a kind in a big namespace is a few
// MiB; a log is cut by the server at its own bound.
constexpr std::size_t kMaxAnswerBytes = 64 * 1024 * 1024;

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

int VerbUsage::fail(std::ostream& err, const Status& status) const {
  err << "nodrop " << verb << ": " << status.message() << "\n"
      << usage << ClusterFlags::help_text();
  return kExitUsage;
}

std::optional<int> read_verb_line(const VerbUsage& usage, std::span<const std::string> args,
                                  std::ostream& out, std::ostream& err, ClusterFlags& cluster,
                                  std::vector<std::string>* positional, const VerbFlags& own) {
  FlagReader flags(args);
  while (flags.next()) {
    if (!flags.at_flag()) {
      if (positional == nullptr) {
        return usage.fail(err, invalid_argument("unexpected argument " + flags.argument()));
      }
      positional->push_back(flags.argument());
      continue;
    }
    if (flags.is("-h", "--help")) {
      out << usage.usage << ClusterFlags::help_text();
      return kExitOk;
    }
    Status status;
    if (!cluster.take(flags, &status) && !(own && own(flags, &status))) {
      status = flags.unknown();
    }
    if (!status.is_ok()) return usage.fail(err, status);
  }
  return std::nullopt;
}

bool ClusterFlags::take(FlagReader& flags, Status* error) {
  if (flags.is("-n", "--namespace")) {
    Result<std::string> value = flags.value();
    if (!value) {
      *error = value.status();
    } else if (value->empty()) {
      *error = flags.error("must not be empty");
    } else {
      namespace_name = *value;
    }
    return true;
  }
  if (flags.is("-A", "--all-namespaces")) {
    *error = flags.is_switch();
    all_namespaces = true;
    return true;
  }
  if (flags.is("--data-dir") || flags.is("--kubeconfig")) {
    const bool is_data_dir = flags.is("--data-dir");
    Result<std::string> value = flags.value();
    if (!value) {
      *error = value.status();
    } else if (value->empty()) {
      *error = flags.error("must not be empty");
    } else {
      (is_data_dir ? data_dir : kubeconfig) = *value;
    }
    return true;
  }
  if (flags.is("--request-timeout")) {
    Result<std::chrono::nanoseconds> timeout =
        flags.duration(std::chrono::milliseconds(1), std::chrono::hours(1));
    if (!timeout) {
      *error = timeout.status();
    } else {
      request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout);
    }
    return true;
  }
  return false;
}

const char* ClusterFlags::help_text() {
  return "  -n, --namespace NS      the namespace (default: the kubeconfig context's, else "
         "default)\n"
         "  -A, --all-namespaces    every namespace\n"
         "  --data-dir DIR          the cluster `nodrop up --data-dir DIR` runs (also "
         "NODROP_DATA_DIR;\n"
         "                          default: the one `nodrop up` uses)\n"
         "  --kubeconfig FILE       any Kubernetes API, by its kubeconfig (also KUBECONFIG)\n"
         "  --request-timeout D     the bound on each request (default 30s)\n";
}

Result<ApiClient> ApiClient::connect(const ClusterFlags& flags,
                                     const ClusterEnvironment& environment) {
  Result<KubeconfigSource> source =
      locate_kubeconfig(flags.kubeconfig, flags.data_dir, environment);
  if (!source) return source.status();
  Result<Kubeconfig> config = load_kubeconfig(*source);
  if (!config) return config.status();
  std::string_view address = config->server;
  if (!address.starts_with("https://")) {
    return invalid_argument(source->path + ": server " + config->server +
                            ": nodrop's verbs speak https:// only");
  }
  address.remove_prefix(8);
  if (const std::size_t slash = address.find('/'); slash != std::string_view::npos) {
    if (address.substr(slash) != "/") {
      return invalid_argument(source->path + ": server " + config->server +
                              ": a path after the address is not supported");
    }
    address = address.substr(0, slash);
  }
  const std::size_t colon = address.rfind(':');
  const std::string host(address.substr(0, colon));
  std::uint16_t port = 443;
  if (colon != std::string_view::npos) {
    const std::string_view digits = address.substr(colon + 1);
    unsigned value = 0;
    const auto [end, problem] =
        std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (problem != std::errc() || end != digits.data() + digits.size() || value == 0 ||
        value > 65535) {
      return invalid_argument(source->path + ": server " + config->server + ": bad port");
    }
    port = static_cast<std::uint16_t>(value);
  }
  Result<Ipv4Endpoint> endpoint = live::resolve_ipv4(host, port);
  if (!endpoint) {
    return invalid_argument(source->path + ": server " + config->server + ": " +
                            endpoint.status().message());
  }
  ApiClient client;
  client.options_ = {.server = *endpoint,
                     .server_name = host,
                     .ca_certificate_pem = config->ca_certificate_pem,
                     .client_certificate_pem = config->client_certificate_pem,
                     .client_key_pem = config->client_key_pem,
                     .timeout = flags.request_timeout,
                     .max_body_bytes = kMaxAnswerBytes};
  if (!config->token.empty()) {
    client.authorization_ = "Bearer " + config->token;
  } else if (!config->username.empty()) {
    client.authorization_ = "Basic " + base64_encode(config->username + ":" + config->password);
  }
  client.server_ = config->server;
  client.data_dir_ = source->data_dir;
  client.start_command_ =
      source->default_data_dir ? "nodrop up" : "nodrop up --data-dir " + source->data_dir;
  client.namespace_name_ = !flags.namespace_name.empty()     ? flags.namespace_name
                           : !config->namespace_name.empty() ? config->namespace_name
                                                             : "default";
  return client;
}

Result<ApiResponse> ApiClient::request(const std::string& method, const std::string& target,
                                       const std::string& body, const std::string& content_type,
                                       const std::string& accept) {
  return exchange(request_of(method, target, body, content_type, accept), nullptr,
                  std::chrono::milliseconds(0));
}

Status ApiClient::stream(const std::string& target, const std::string& accept,
                         const std::function<bool(std::string_view)>& on_data,
                         std::chrono::milliseconds body_timeout) {
  return exchange(request_of("GET", target, "", "", accept), &on_data, body_timeout).status();
}

live::HttpsRequest ApiClient::request_of(const std::string& method, const std::string& target,
                                         const std::string& body, const std::string& content_type,
                                         const std::string& accept) const {
  live::HttpsRequest request{.method = method, .target = target, .fields = {}, .body = body};
  if (!authorization_.empty()) request.fields.emplace_back("Authorization", authorization_);
  request.fields.emplace_back("Accept", accept);
  request.fields.emplace_back("User-Agent", "nodrop");
  if (!body.empty()) request.fields.emplace_back("Content-Type", content_type);
  return request;
}

Result<ApiResponse> ApiClient::exchange(const live::HttpsRequest& request,
                                        const std::function<bool(std::string_view)>* on_data,
                                        std::chrono::milliseconds body_timeout) {
  live::HttpsClientOptions options = options_;
  options.stream_timeout = body_timeout;
  Result<live::HttpsResponse> answer = on_data != nullptr
                                           ? live::https_stream(options, request, *on_data)
                                           : live::https_request(options, request);
  if (!answer) {
    if (answer.status().code() == StatusCode::kUnavailable) {
      if (!data_dir_.empty()) {
        return Status(StatusCode::kUnavailable, "no cluster answers at " + server_ +
                                                    ", the API of data dir " + data_dir_ +
                                                    ": start it with `" + start_command_ + "`");
      }
      return Status(StatusCode::kUnavailable,
                    "the server " + server_ + " does not answer: " + answer.status().message());
    }
    return Status(answer.status().code(), server_ + ": " + answer.status().message());
  }
  if (answer->status >= 400) return error_of_answer(answer->status, answer->body);
  return ApiResponse{.status = answer->status, .body = std::move(answer->body)};
}

Result<Node> ApiClient::request_json(const std::string& method, const std::string& target,
                                     const std::string& body, const std::string& content_type,
                                     const std::string& accept) {
  Result<ApiResponse> answer = request(method, target, body, content_type, accept);
  if (!answer) return answer.status();
  Result<Node> parsed = apiserver::parse_body(answer->body);
  if (!parsed) {
    return internal_error(server_ + " answered " + method + " " + target +
                          " with what is not JSON: " + parsed.status().message());
  }
  return parsed;
}

Status error_of_answer(int status, const std::string& body) {
  const StatusCode code = status == 404   ? StatusCode::kNotFound
                          : status == 409 ? StatusCode::kConflict
                          : status == 401 || status == 403 || status == 400 || status == 422
                              ? StatusCode::kInvalidArgument
                          : status == 503 || status == 429 ? StatusCode::kUnavailable
                                                           : StatusCode::kInternal;
  Result<Node> parsed = apiserver::parse_body(body);
  if (parsed && parsed->is_mapping() && text_at(*parsed, {"kind"}) == "Status") {
    const std::string reason = text_at(*parsed, {"reason"});
    const std::string message = text_at(*parsed, {"message"});
    return Status(
        code, "Error from server" + (reason.empty() ? "" : " (" + reason + ")") + ": " + message);
  }
  return Status(code, fmt::format("Error from server: HTTP status {}", status));
}

std::string collection_path(const apiserver::Resource& resource,
                            const std::string& namespace_name) {
  if (!resource.namespaced || namespace_name.empty()) {
    return resource.prefix() + "/" + resource.plural;
  }
  return resource.prefix() + "/namespaces/" + namespace_name + "/" + resource.plural;
}

std::string object_path(const apiserver::Resource& resource, const std::string& namespace_name,
                        const std::string& name) {
  return collection_path(resource, resource.namespaced ? namespace_name : "") + "/" + name;
}

const apiserver::Resource* resource_named(std::string_view name) {
  std::string wanted = lowercase(name);
  std::string group;
  bool qualified = false;
  if (const std::size_t dot = wanted.find('.'); dot != std::string::npos) {
    group = wanted.substr(dot + 1);
    wanted.resize(dot);
    qualified = true;
  }
  for (const apiserver::Resource& resource : apiserver::resources()) {
    if (qualified && group != resource.group) continue;
    bool match = wanted == resource.plural || wanted == resource.singular ||
                 wanted == lowercase(resource.kind);
    for (const char* short_name : resource.short_names) match = match || wanted == short_name;
    if (match) return &resource;
  }
  return nullptr;
}

std::string output_name(const apiserver::Resource& resource) {
  std::string name = lowercase(resource.kind);
  if (std::string_view(resource.group).empty()) return name;
  return name + "." + resource.group;
}

int report_failure(std::ostream& err, const Status& status) {
  if (status.message().starts_with("Error from server")) {
    err << status.message() << "\n";
  } else {
    err << "error: " << status.message() << "\n";
  }
  return kExitFailure;
}

std::string query_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

}  // namespace nodrop::cli
