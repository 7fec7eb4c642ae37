#include "apiserver/api_server.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "api/defaults.h"
#include "api/object.h"
#include "apiserver/discovery.h"
#include "apiserver/json.h"
#include "apiserver/patch.h"
#include "apiserver/pod_logs.h"
#include "apiserver/selectors.h"
#include "apiserver/tables.h"
#include "apiserver/watch_stream.h"
#include "base/strings.h"
#include "base/time.h"
#include "manifest/decode.h"
#include "manifest/encode.h"

namespace nodrop::apiserver {

enum class FieldValidation { kIgnore, kWarn, kStrict };

struct ApiServer::Call {
  const http::ServerRequest& request;
  const Target& target;
  const Resource* resource = nullptr;
  std::string namespace_name{};  // empty for cluster-scoped resources and all-namespace lists
  std::string name{};
  std::string subresource{};
  bool watch = false;
  bool table = false;
  TableObjects table_objects = TableObjects::kMetadata;
  bool dry_run = false;
  FieldValidation validation = FieldValidation::kWarn;
  std::vector<std::string> warnings{};
};

namespace {

using manifest::Node;

constexpr const char* kNamespaceHeld[] = {"default", "kube-system", "kube-public",
                                          "kube-node-lease"};

http::ServerResponse json_response(const Node& body, int status = 200) {
  http::ServerResponse response;
  response.status = status;
  response.body = to_json(body);
  response.with("Content-Type", "application/json");
  return response;
}

void add_warnings(http::ServerResponse& response, const std::vector<std::string>& warnings) {
  for (const std::string& warning : warnings) {
    std::string escaped;
    for (const char c : warning) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      if (c == '\r' || c == '\n') continue;
      escaped.push_back(c);
    }
    response.with("Warning", "299 - \"" + escaped + "\"");
  }
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return difference == 0;
}

std::optional<std::int64_t> integer_param(const Target& target, const std::string& name,
                                          ApiError* error) {
  const auto value = target.param(name);
  if (!value || value->empty()) return std::nullopt;
  std::int64_t parsed = 0;
  const auto [end, failure] = std::from_chars(value->data(), value->data() + value->size(), parsed);
  if (failure != std::errc() || end != value->data() + value->size()) {
    *error = bad_request(fmt::format("{}: invalid value \"{}\": must be an integer", name, *value));
    return std::nullopt;
  }
  return parsed;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The media type of a Content-Type field, lower case, without parameters.
std::string media_type(std::optional<std::string_view> field) {
  if (!field) return "";
  std::string type(*field);
  if (const auto semicolon = type.find(';'); semicolon != std::string::npos) type.erase(semicolon);
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return lower(type);
}

ApiError api_error_of(const Status& status, const Resource* resource, const std::string& name) {
  ApiError error;
  error.message = status.message();
  error.name = name;
  if (resource != nullptr) {
    error.group = resource->group;
    error.kind = resource->plural;
  }
  switch (status.code()) {
    case StatusCode::kNotFound:
      error.code = 404;
      error.reason = "NotFound";
      break;
    case StatusCode::kAlreadyExists:
      error.code = 409;
      error.reason = "AlreadyExists";
      break;
    case StatusCode::kConflict:
    case StatusCode::kFailedPrecondition:
      error.code = 409;
      error.reason = "Conflict";
      break;
    case StatusCode::kInvalidArgument:
      error.code = 422;
      error.reason = "Invalid";
      if (resource != nullptr) error.kind = resource->kind;
      break;
    case StatusCode::kExpired:
      error.code = 410;
      error.reason = "Expired";
      break;
    case StatusCode::kResourceExhausted:
      error.code = 429;
      error.reason = "TooManyRequests";
      break;
    case StatusCode::kUnavailable:
      error.code = 503;
      error.reason = "ServiceUnavailable";
      break;
    default:
      error.code = 500;
      error.reason = "InternalError";
      break;
  }
  return error;
}

// events.k8s.io/v1's view of a core/v1 Event.
Node event_v1_of(const api::Event& event, const Node& core) {
  Node out = object_of({{"apiVersion", text("events.k8s.io/v1")}, {"kind", text("Event")}});
  if (const Node* metadata = core.find("metadata")) out.set("metadata", *metadata);
  if (event.event_time) out.set("eventTime", text(format_rfc3339_micro(*event.event_time)));
  if (!event.reporting_component.empty()) {
    out.set("reportingController", text(event.reporting_component));
  }
  if (!event.reporting_instance.empty()) {
    out.set("reportingInstance", text(event.reporting_instance));
  }
  out.set("reason", text(event.reason));
  if (const Node* involved = core.find("involvedObject")) out.set("regarding", *involved);
  out.set("note", text(event.message));
  out.set("type", text(api::event_type_name(event.type)));
  if (const Node* source = core.find("source")) out.set("deprecatedSource", *source);
  if (const Node* first = core.find("firstTimestamp")) out.set("deprecatedFirstTimestamp", *first);
  if (const Node* last = core.find("lastTimestamp")) out.set("deprecatedLastTimestamp", *last);
  if (event.count > 0) out.set("deprecatedCount", Node::integer(event.count));
  return out;
}

Node encode_for(const Resource& resource, const api::Object& object) {
  Node encoded = manifest::encode_object(object);
  if (std::string(resource.group) == "events.k8s.io") {
    return event_v1_of(std::get<api::Event>(object), encoded);
  }
  return encoded;
}

std::string list_kind(const Resource& resource) { return std::string(resource.kind) + "List"; }

}  // namespace

ApiServer::ApiServer(store::Store& store, const runtime::Clock& clock, ApiServerOptions options)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      started_(clock.wall_now()),
      open_streams_(std::make_shared<std::atomic<std::size_t>>(0)) {}

namespace {

// A streamed response counted while its stream lives (ApiServerOptions::max_streams).
class CountedStream : public http::ResponseStream {
 public:
  CountedStream(std::shared_ptr<http::ResponseStream> inner,
                std::shared_ptr<std::atomic<std::size_t>> count)
      : inner_(std::move(inner)), count_(std::move(count)) {}
  ~CountedStream() override { count_->fetch_sub(1); }
  CountedStream(const CountedStream&) = delete;
  CountedStream& operator=(const CountedStream&) = delete;

  Chunk next(std::chrono::milliseconds max_wait) override { return inner_->next(max_wait); }

 private:
  std::shared_ptr<http::ResponseStream> inner_;
  std::shared_ptr<std::atomic<std::size_t>> count_;
};

}  // namespace

http::ServerResponse ApiServer::handle(const http::ServerRequest& request) {
  Result<Target> target = parse_target(request.target);
  if (!target) return error_response(bad_request(target.status().message()));
  const std::vector<std::string>& segments = target->segments;
  const bool public_path = request.method == "GET" && segments.size() == 1 &&
                           (segments[0] == "healthz" || segments[0] == "livez" ||
                            segments[0] == "readyz" || segments[0] == "version");
  if (!public_path) {
    const auto authorization = request.field("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (!authorization || authorization->size() <= kBearer.size() ||
        !equals_ignoring_case(authorization->substr(0, kBearer.size()), kBearer) ||
        !constant_time_equal(authorization->substr(kBearer.size()), options_.token)) {
      return error_response(unauthorized());
    }
  }
  if (request.body.size() > options_.max_body_bytes) {
    return error_response(too_large(
        fmt::format("the request body is larger than {} bytes", options_.max_body_bytes)));
  }
  // nodrop reads JSON (and YAML) bodies; kubectl's typed clients (`kubectl create namespace`,
  // `create deployment`) send protobuf, which nodrop does not decode.
  if ((request.method == "POST" || request.method == "PUT") && !request.body.empty()) {
    const std::string type = media_type(request.field("Content-Type"));
    if (!type.empty() && type != "application/json" && type != "application/yaml" &&
        type != "*/*") {
      return error_response(unsupported_media_type(fmt::format(
          "the body of the request was in an unknown format - accepted media types include: "
          "application/json, application/yaml (got \"{}\"; nodrop does not read protobuf: "
          "use kubectl apply -f or kubectl create -f)",
          type)));
    }
  }
  http::ServerResponse response = route(request, *target);
  if (response.stream != nullptr) {
    if (open_streams_->fetch_add(1) >= options_.max_streams) {
      open_streams_->fetch_sub(1);
      ApiError busy{.code = 429,
                    .reason = "TooManyRequests",
                    .message = fmt::format("too many watches and followed logs at once (at most "
                                           "{}); try again later",
                                           options_.max_streams)};
      http::ServerResponse refused = error_response(busy);
      refused.with("Retry-After", "1");
      return refused;
    }
    response.stream = std::make_shared<CountedStream>(std::move(response.stream), open_streams_);
  }
  return response;
}

http::ServerResponse ApiServer::route(const http::ServerRequest& request, const Target& target) {
  const std::vector<std::string>& s = target.segments;
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (s.size() == 1 && (s[0] == "healthz" || s[0] == "livez" || s[0] == "readyz")) {
    http::ServerResponse response;
    response.body = "ok";
    response.with("Content-Type", "text/plain; charset=utf-8");
    return response;
  }
  if (get && s.size() == 1 && s[0] == "version") return json_response(version_document());
  if (get && s.size() == 1 && s[0] == "api") {
    return json_response(core_versions(options_.server_address));
  }
  if (get && s.size() == 1 && s[0] == "apis") return json_response(group_list());
  if (get && s.size() == 2 && s[0] == "api") {
    if (auto list = resource_list("", s[1])) return json_response(*list);
  }
  if (get && s.size() == 3 && s[0] == "apis") {
    if (auto list = resource_list(s[1], s[2])) return json_response(*list);
  }
  if (get && s.size() == 2 && s[0] == "openapi" && s[1] == "v3") {
    return json_response(openapi_root());
  }
  if (get && s.size() >= 3 && s[0] == "openapi" && s[1] == "v3") {
    std::string path;
    for (std::size_t i = 2; i < s.size(); ++i) path += (i > 2 ? "/" : "") + s[i];
    if (auto document = openapi_document(path)) return json_response(*document);
  }
  if (s.size() >= 3 && s[0] == "api" && s[1] == "v1") return resource_request(request, target, 2);
  if (s.size() >= 4 && s[0] == "apis") return resource_request(request, target, 3);
  if (s.size() >= 2 && s[0] == "apis" && (s[1] == "metrics.k8s.io")) {
    return error_response(not_found_error(
        "nodrop does not serve the metrics API: `kubectl top` is not supported by nodrop"));
  }
  return error_response(not_found_error("the server could not find the requested resource"));
}

http::ServerResponse ApiServer::resource_request(const http::ServerRequest& request,
                                                 const Target& target, std::size_t prefix_length) {
  const std::vector<std::string>& s = target.segments;
  const std::string group = prefix_length == 2 ? "" : s[1];
  const std::string version = prefix_length == 2 ? s[1] : s[2];
  std::vector<std::string> rest(s.begin() + static_cast<long>(prefix_length), s.end());
  Call call{.request = request, .target = target};
  if (!rest.empty() && rest[0] == "watch") {  // the deprecated /watch/ paths
    call.watch = true;
    rest.erase(rest.begin());
  }
  if (rest.size() >= 3 && rest[0] == "namespaces") {
    call.resource = find_resource(group, version, rest[2]);
    if (call.resource != nullptr && call.resource->namespaced) {
      call.namespace_name = rest[1];
      rest.erase(rest.begin(), rest.begin() + 2);
    } else {
      call.resource = nullptr;
    }
  }
  if (call.resource == nullptr && !rest.empty())
    call.resource = find_resource(group, version, rest[0]);
  if (call.resource == nullptr || rest.size() > 3) {
    return error_response(not_found_error("the server could not find the requested resource"));
  }
  if (rest.size() >= 2) call.name = rest[1];
  if (rest.size() == 3) call.subresource = rest[2];
  const Resource& resource = *call.resource;
  if (!call.subresource.empty() && resource.subresource(call.subresource) == nullptr) {
    const std::string& sub = call.subresource;
    if (sub == "exec" || sub == "attach" || sub == "portforward" || sub == "proxy" ||
        sub == "ephemeralcontainers" || sub == "eviction" || sub == "binding") {
      ApiError error = bad_request(fmt::format(
          "{} is not supported by nodrop: pods are processes on this machine; run commands and "
          "reach ports on the host (the pod's address is its status.podIP)",
          sub == "portforward" ? "port-forward" : sub));
      error.name = call.name;
      error.kind = resource.plural;
      return error_response(error);
    }
    return error_response(not_found_error("the server could not find the requested resource"));
  }

  // Query parameters every verb shares.
  call.watch = call.watch || call.target.flag("watch");
  if (const auto dry_run = target.param("dryRun")) {
    if (*dry_run != "All" && !dry_run->empty()) {
      return error_response(bad_request(
          fmt::format("dryRun: Unsupported value: \"{}\": supported values: \"All\"", *dry_run)));
    }
    call.dry_run = *dry_run == "All";
  }
  if (const auto validation = target.param("fieldValidation")) {
    if (*validation == "Strict") {
      call.validation = FieldValidation::kStrict;
    } else if (*validation == "Warn" || validation->empty()) {
      call.validation = FieldValidation::kWarn;
    } else if (*validation == "Ignore") {
      call.validation = FieldValidation::kIgnore;
    } else {
      return error_response(bad_request(
          fmt::format("fieldValidation: Unsupported value: \"{}\": supported values: \"Ignore\", "
                      "\"Strict\", \"Warn\"",
                      *validation)));
    }
  }
  const std::string accept(request.field("Accept").value_or(""));
  call.table = accept.find("as=Table") != std::string::npos;
  if (const auto include = target.param("includeObject")) {
    if (*include == "None") call.table_objects = TableObjects::kNone;
    if (*include == "Object") call.table_objects = TableObjects::kObject;
  }
  if (!call.table && !accept.empty() && accept.find("json") == std::string::npos &&
      accept.find("*/*") == std::string::npos && accept.find("text/plain") == std::string::npos) {
    return error_response(not_acceptable(
        "only the following media types are accepted: application/json, application/yaml "
        "(nodrop serves JSON)"));
  }

  const std::string& method = request.method;
  if (!resource.runs) return not_run(call);
  if (std::string(resource.kind) == "Namespace") return namespaces(call);
  if (call.subresource == "log") {
    if (method != "GET") return error_response(method_not_allowed("logs are read with GET"));
    return logs(call);
  }
  if (call.subresource == "scale") return scale(call);
  if (method == "GET" || method == "HEAD") {
    if (!call.name.empty()) return get(call);
    return call.watch ? watch(call) : list(call);
  }
  const bool writes_allowed = resource.writable && std::string(resource.group) != "events.k8s.io";
  if (!writes_allowed) {
    return error_response(method_not_allowed(
        fmt::format("{} are derived by nodrop and read-only", resource.qualified())));
  }
  if (method == "POST" && call.name.empty()) return create(call);
  if (method == "PUT" && !call.name.empty()) return update(call);
  if (method == "PATCH" && !call.name.empty()) return patch(call);
  if (method == "DELETE") return call.name.empty() ? remove_collection(call) : remove(call);
  return error_response(method_not_allowed(
      fmt::format("the server does not allow this method on the requested resource: {} {}", method,
                  resource.qualified())));
}

// ---- reads ----

http::ServerResponse ApiServer::get(const Call& call) {
  const Resource& resource = *call.resource;
  Result<store::ObjectPtr> found = store_.get({resource.kind, call.namespace_name, call.name});
  if (!found) return error_response(api_error_of(found.status(), &resource, call.name));
  const Node encoded = encode_for(resource, **found);
  if (call.table) {
    return json_response(table_of(resource.kind, {*found}, {encoded}, clock_.wall_now(),
                                  {.objects = call.table_objects}));
  }
  return json_response(encoded);
}

namespace {

struct Selection {
  api::LabelSelector labels;
  std::vector<FieldRequirement> fields;
};

Result<Selection> selection_of(const Target& target, const std::string& kind) {
  Selection selection;
  if (const auto labels = target.param("labelSelector")) {
    Result<api::LabelSelector> parsed = parse_label_selector(*labels);
    if (!parsed) return parsed.status();
    selection.labels = std::move(*parsed);
  }
  if (const auto fields = target.param("fieldSelector")) {
    Result<std::vector<FieldRequirement>> parsed = parse_field_selector(*fields, kind);
    if (!parsed) return parsed.status();
    selection.fields = std::move(*parsed);
  }
  return selection;
}

store::Filter filter_of(Selection selection) {
  if (selection.labels.empty() && selection.fields.empty()) return {};
  return [selection = std::move(selection)](const api::Object& object) {
    return selection.labels.matches(api::metadata_of(object).labels) &&
           fields_match(selection.fields, object);
  };
}

}  // namespace

http::ServerResponse ApiServer::list(const Call& call) {
  const Resource& resource = *call.resource;
  Result<Selection> selection = selection_of(call.target, resource.kind);
  if (!selection) return error_response(bad_request(selection.status().message()));
  ApiError error;
  const std::optional<std::int64_t> limit = integer_param(call.target, "limit", &error);
  if (!error.reason.empty()) return error_response(error);
  store::ListOptions options{.kind = resource.kind};
  if (!call.namespace_name.empty()) options.namespace_name = call.namespace_name;
  if (const auto version = call.target.param("resourceVersion");
      version && !version->empty() && *version != "0" &&
      call.target.param("resourceVersionMatch").value_or("") == "Exact") {
    std::uint64_t parsed = 0;
    std::from_chars(version->data(), version->data() + version->size(), parsed);
    options.resource_version = parsed;
  }
  options.limit = limit && *limit > 0 ? static_cast<std::size_t>(*limit) : 0;
  options.continue_token = call.target.param("continue").value_or("");
  options.filter = filter_of(std::move(*selection));
  Result<store::ListResult> listed = store_.list(options);
  if (!listed) {
    ApiError failure = api_error_of(listed.status(), &resource, "");
    if (failure.code == 422) failure = bad_request(listed.status().message());
    return error_response(failure);
  }
  std::vector<Node> encoded;
  encoded.reserve(listed->items.size());
  for (const store::ObjectPtr& item : listed->items) encoded.push_back(encode_for(resource, *item));
  const std::string version = std::to_string(listed->resource_version);
  if (call.table) {
    return json_response(table_of(resource.kind, listed->items, encoded, clock_.wall_now(),
                                  {.objects = call.table_objects,
                                   .resource_version = version,
                                   .continue_token = listed->continue_token}));
  }
  Node metadata = object_of({{"resourceVersion", text(version)}});
  if (!listed->continue_token.empty()) metadata.set("continue", text(listed->continue_token));
  Node items = Node::sequence();
  for (Node& item : encoded) items.push(std::move(item));
  return json_response(object_of({{"kind", text(list_kind(resource))},
                                  {"apiVersion", text(resource.group_version())},
                                  {"metadata", std::move(metadata)},
                                  {"items", std::move(items)}}));
}

http::ServerResponse ApiServer::watch(const Call& call) {
  const Resource& resource = *call.resource;
  Result<Selection> selection = selection_of(call.target, resource.kind);
  if (!selection) return error_response(bad_request(selection.status().message()));
  ApiError error;
  const std::optional<std::int64_t> timeout = integer_param(call.target, "timeoutSeconds", &error);
  if (!error.reason.empty()) return error_response(error);
  store::WatchOptions options{.kind = resource.kind};
  if (!call.namespace_name.empty()) options.namespace_name = call.namespace_name;
  if (const auto version = call.target.param("resourceVersion");
      version && !version->empty() && *version != "0") {
    std::uint64_t parsed = 0;
    const auto [end, failure] =
        std::from_chars(version->data(), version->data() + version->size(), parsed);
    if (failure != std::errc() || end != version->data() + version->size()) {
      return error_response(bad_request("resourceVersion: Invalid value: \"" + *version + "\""));
    }
    options.from = parsed;
  }
  options.filter = filter_of(std::move(*selection));
  auto signal = std::make_shared<WatchSignal>();
  options.on_ready = [signal] { signal->notify(); };
  Result<std::shared_ptr<store::Watch>> watch = store_.watch(std::move(options));
  if (!watch) {
    if (watch.status().code() == StatusCode::kExpired) {
      // As the API server answers: a stream with one ERROR event carrying 410 Gone.
      ApiError gone{.code = 410, .reason = "Expired", .message = watch.status().message()};
      struct Once : http::ResponseStream {
        std::string bytes;
        Chunk next(std::chrono::milliseconds) override { return {std::move(bytes), true}; }
      };
      auto once = std::make_shared<Once>();
      once->bytes =
          to_json(object_of({{"type", text("ERROR")}, {"object", status_object(gone)}})) + "\n";
      http::ServerResponse response;
      response.with("Content-Type", "application/json");
      response.stream = std::move(once);
      return response;
    }
    return error_response(api_error_of(watch.status(), &resource, ""));
  }
  WatchStreamOptions stream_options;
  const bool table = call.table;
  const TableObjects objects = call.table_objects;
  const runtime::Clock& clock = clock_;
  stream_options.encode = [&resource, table, objects, &clock](const store::ObjectPtr& object,
                                                              bool first) {
    Node encoded = encode_for(resource, *object);
    if (!table) return encoded;
    return table_of(resource.kind, {object}, {encoded}, clock.wall_now(),
                    {.include_columns = first, .objects = objects});
  };
  stream_options.bookmark = [&resource](store::ResourceVersion version) {
    return object_of(
        {{"kind", text(resource.kind)},
         {"apiVersion", text(resource.group_version())},
         {"metadata", object_of({{"resourceVersion", text(std::to_string(version))}})}});
  };
  stream_options.bookmarks = call.target.flag("allowWatchBookmarks");
  if (timeout && *timeout > 0) {
    stream_options.timeout = std::chrono::seconds(std::min<std::int64_t>(*timeout, 24 * 3600));
  }
  http::ServerResponse response;
  response.with("Content-Type", "application/json");
  response.stream = std::make_shared<WatchStream>(store_, std::move(*watch), std::move(signal),
                                                  clock_, std::move(stream_options));
  return response;
}

// ---- writes ----

namespace {

// A body decoded into an object of the call's resource, or the error to answer with.
struct Decoded {
  std::optional<api::Object> object;
  std::optional<ApiError> error;
};

Decoded decode_for(const Resource& resource, const Node& root, FieldValidation validation,
                   std::vector<std::string>& warnings) {
  Decoded out;
  if (!root.is_mapping()) {
    out.error = bad_request("the request body must be a JSON object");
    return out;
  }
  const Node* kind = root.find("kind");
  const Node* api_version = root.find("apiVersion");
  const std::string kind_text = kind != nullptr ? kind->text() : "";
  const std::string version_text = api_version != nullptr ? api_version->text() : "";
  if (kind_text.empty()) {
    out.error = bad_request("Object 'Kind' is missing in the request body");
    return out;
  }
  if (kind_text != resource.kind || version_text != resource.group_version()) {
    out.error = bad_request(fmt::format(
        "the body of the request was in an unknown format: {} {} does not belong at {} ({} {})",
        version_text, kind_text, resource.qualified(), resource.group_version(), resource.kind));
    return out;
  }
  std::size_t budget = manifest::decode_budget_for(0);
  manifest::DecodeResult decoded =
      manifest::decode_object(root, &budget, manifest::SourceLines::kSkip);
  if (!decoded.errors.empty()) {
    ApiError error{.code = 422, .reason = "Invalid"};
    error.kind = resource.kind;
    error.name = decoded.name;
    error.group = resource.group;
    std::string message = fmt::format("{} \"{}\" is invalid: ", resource.kind, decoded.name);
    for (std::size_t i = 0; i < decoded.errors.size(); ++i) {
      message += (i > 0 ? ", " : "") + decoded.errors[i].to_string();
    }
    error.message = message;
    error.causes = decoded.errors;
    out.error = error;
    return out;
  }
  std::vector<std::string> unknown;
  for (const api::FieldError& warning : decoded.warnings) {
    if (warning.type == api::FieldErrorType::kUnknown) {
      unknown.push_back(fmt::format("unknown field \"{}\"", warning.path));
    } else if (warning.type == api::FieldErrorType::kNotSupported) {
      warnings.push_back(
          fmt::format("{}: stored, but nodrop does not act on this field", warning.path));
    }
  }
  if (!unknown.empty() && validation == FieldValidation::kStrict) {
    std::string message = fmt::format(
        "{} in version \"{}\" cannot be handled as a {}: strict "
        "decoding error: ",
        resource.kind, resource.version, resource.kind);
    for (std::size_t i = 0; i < unknown.size(); ++i) message += (i > 0 ? ", " : "") + unknown[i];
    out.error = bad_request(message);
    return out;
  }
  if (validation == FieldValidation::kWarn) {
    warnings.insert(warnings.end(), unknown.begin(), unknown.end());
  }
  out.object = std::move(decoded.object);
  return out;
}

}  // namespace

http::ServerResponse ApiServer::create(const Call& call) {
  const Resource& resource = *call.resource;
  if (!call.subresource.empty()) {
    return error_response(method_not_allowed("create is not allowed on " + call.subresource));
  }
  Result<Node> body = parse_body(call.request.body);
  if (!body) return error_response(bad_request(body.status().message()));
  std::vector<std::string> warnings;
  Decoded decoded = decode_for(resource, *body, call.validation, warnings);
  if (decoded.error) return error_response(*decoded.error);
  api::Object object = std::move(*decoded.object);
  api::ObjectMeta& meta = api::metadata_of(object);
  if (resource.namespaced) {
    if (meta.namespace_name.empty()) meta.namespace_name = call.namespace_name;
    if (meta.namespace_name.empty()) meta.namespace_name = "default";
    if (!call.namespace_name.empty() && meta.namespace_name != call.namespace_name) {
      return error_response(bad_request(
          "the namespace of the provided object does not match the namespace sent on the request"));
    }
  } else {
    meta.namespace_name.clear();
  }
  if (meta.name.empty() && meta.generate_name.empty()) {
    ApiError error{.code = 422, .reason = "Invalid"};
    error.kind = resource.kind;
    error.message = fmt::format(
        "{} \"\" is invalid: metadata.name: Required value: name or "
        "generateName is required",
        resource.kind);
    error.causes.push_back(
        api::required(api::FieldPath("metadata.name"), "name or generateName is required"));
    return error_response(error);
  }
  api::set_defaults(object);
  Result<store::ObjectPtr> created = store_.create(object, {.dry_run = call.dry_run});
  if (!created) {
    ApiError error = api_error_of(created.status(), &resource, meta.name);
    if (error.code == 422) error.causes = store_.validate(object, nullptr);
    return error_response(error);
  }
  http::ServerResponse response = json_response(encode_for(resource, **created), 201);
  add_warnings(response, warnings);
  return response;
}

http::ServerResponse ApiServer::update(const Call& call) {
  const Resource& resource = *call.resource;
  if (!call.subresource.empty() && call.subresource != "status") {
    return error_response(method_not_allowed("update is not allowed on " + call.subresource));
  }
  Result<Node> body = parse_body(call.request.body);
  if (!body) return error_response(bad_request(body.status().message()));
  std::vector<std::string> warnings;
  Decoded decoded = decode_for(resource, *body, call.validation, warnings);
  if (decoded.error) return error_response(*decoded.error);
  api::Object object = std::move(*decoded.object);
  api::ObjectMeta& meta = api::metadata_of(object);
  if (meta.name != call.name) {
    return error_response(bad_request(
        fmt::format("the name of the object ({}) does not match the name on the URL ({})",
                    meta.name, call.name)));
  }
  if (resource.namespaced) {
    if (meta.namespace_name.empty()) meta.namespace_name = call.namespace_name;
    if (meta.namespace_name != call.namespace_name) {
      return error_response(bad_request(
          "the namespace of the provided object does not match the namespace sent on the request"));
    }
  }
  api::set_defaults(object);
  Result<store::ObjectPtr> old = store_.get(store::key_of(object));
  if (!old) return error_response(api_error_of(old.status(), &resource, call.name));
  Result<store::ObjectPtr> updated = call.subresource == "status"
                                         ? store_.update_status(object, {.dry_run = call.dry_run})
                                         : store_.update(object, {.dry_run = call.dry_run});
  if (!updated) {
    ApiError error = api_error_of(updated.status(), &resource, call.name);
    if (error.code == 422) error.causes = store_.validate(object, old->get());
    return error_response(error);
  }
  http::ServerResponse response = json_response(encode_for(resource, **updated));
  add_warnings(response, warnings);
  return response;
}

namespace {

enum class PatchType { kJson, kMerge, kStrategic };

}  // namespace

http::ServerResponse ApiServer::patch(const Call& call) {
  const Resource& resource = *call.resource;
  if (!call.subresource.empty() && call.subresource != "status") {
    return error_response(method_not_allowed("patch is not allowed on " + call.subresource));
  }
  const std::string type = media_type(call.request.field("Content-Type"));
  PatchType patch_type;
  if (type == "application/json-patch+json") {
    patch_type = PatchType::kJson;
  } else if (type == "application/merge-patch+json") {
    patch_type = PatchType::kMerge;
  } else if (type == "application/strategic-merge-patch+json") {
    patch_type = PatchType::kStrategic;
  } else if (type == "application/apply-patch+yaml") {
    return error_response(unsupported_media_type(
        "server-side apply is not supported by nodrop; use client-side apply (kubectl apply "
        "without --server-side)"));
  } else {
    return error_response(unsupported_media_type(fmt::format(
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, "
        "application/strategic-merge-patch+json (got \"{}\")",
        type)));
  }
  Result<Node> patch_body = parse_body(call.request.body);
  if (!patch_body) return error_response(bad_request(patch_body.status().message()));
  // A patch that names no resourceVersion applies to the latest object: a conflict with a
  // concurrent writer is retried on the new version, as the API server's GuaranteedUpdate retries
  // until it writes (8 writers patching one object lost 32 of 40 patches to 409s when this stopped
  // after 5 attempts). Each conflict means another write to the object committed, so the writers
  // as a whole progress; the bound only ends a patch that lost to a thousand others.
  constexpr int kAttempts = 1000;
  for (int attempt = 0;; ++attempt) {
    Result<store::ObjectPtr> current = store_.get({resource.kind, call.namespace_name, call.name});
    if (!current) return error_response(api_error_of(current.status(), &resource, call.name));
    const Node document = manifest::encode_object(**current);
    Result<Node> patched = Node::null();
    switch (patch_type) {
      case PatchType::kJson:
        patched = apply_json_patch(document, *patch_body);
        break;
      case PatchType::kMerge:
        patched = apply_merge_patch(document, *patch_body);
        break;
      case PatchType::kStrategic: {
        const std::string kind = resource.kind;
        patched = apply_strategic_merge_patch(document, *patch_body,
                                              [&kind](const std::vector<std::string>& path) {
                                                return kubernetes_list_strategy(kind, path);
                                              });
        break;
      }
    }
    if (!patched) {
      ApiError error = patched.status().code() == StatusCode::kInvalidArgument
                           ? ApiError{.code = 422, .reason = "Invalid"}
                           : bad_request("");
      error.message = patched.status().message();
      if (patch_type == PatchType::kJson) {
        error = bad_request(patched.status().message());
      }
      return error_response(error);
    }
    std::vector<std::string> warnings;
    Decoded decoded = decode_for(resource, *patched, call.validation, warnings);
    if (decoded.error) return error_response(*decoded.error);
    api::Object object = std::move(*decoded.object);
    api::ObjectMeta& meta = api::metadata_of(object);
    const std::string& current_version = api::metadata_of(**current).resource_version;
    const bool version_given = meta.resource_version != current_version;
    if (meta.name != call.name ||
        (resource.namespaced && meta.namespace_name != call.namespace_name)) {
      return error_response(bad_request("a patch may not change the object's name or namespace"));
    }
    api::set_defaults(object);
    Result<store::ObjectPtr> updated = call.subresource == "status"
                                           ? store_.update_status(object, {.dry_run = call.dry_run})
                                           : store_.update(object, {.dry_run = call.dry_run});
    if (!updated) {
      if (updated.status().code() == StatusCode::kConflict && !version_given &&
          attempt + 1 < kAttempts) {
        // The read saw the object before a write not yet durable, which the store's check saw:
        // read again once it is, rather than spin on the same version (16 writers patching 64
        // pods used up the attempts while a commit was on its way to disk, and got 409s).
        if (Status waited = store_.wait_for_ordered_writes(); !waited.is_ok()) {
          return error_response(api_error_of(waited, &resource, call.name));
        }
        continue;
      }
      ApiError error = api_error_of(updated.status(), &resource, call.name);
      if (error.code == 422) error.causes = store_.validate(object, current->get());
      return error_response(error);
    }
    http::ServerResponse response = json_response(encode_for(resource, **updated));
    add_warnings(response, warnings);
    return response;
  }
}

namespace {

struct DeleteRequest {
  store::DeleteOptions options;
  std::optional<ApiError> error;
};

DeleteRequest delete_options_of(const Target& target, const std::string& body, bool dry_run) {
  DeleteRequest out;
  out.options.dry_run = dry_run;
  std::string propagation = target.param("propagationPolicy").value_or("");
  ApiError error;
  if (auto grace = integer_param(target, "gracePeriodSeconds", &error)) {
    out.options.grace_period_seconds = *grace;
  }
  if (!error.reason.empty()) {
    out.error = error;
    return out;
  }
  if (!body.empty()) {
    Result<Node> parsed = parse_body(body);
    if (!parsed || !parsed->is_mapping()) {
      out.error = bad_request("the body of a delete must be DeleteOptions");
      return out;
    }
    if (const Node* policy = parsed->find("propagationPolicy")) propagation = policy->text();
    if (const Node* grace = parsed->find("gracePeriodSeconds")) {
      out.options.grace_period_seconds = grace->int_value();
    }
    if (const Node* preconditions = parsed->find("preconditions")) {
      if (const Node* uid = preconditions->find("uid"); uid != nullptr && !uid->is_null()) {
        out.options.precondition_uid = uid->text();
      }
      if (const Node* version = preconditions->find("resourceVersion");
          version != nullptr && !version->is_null()) {
        out.options.precondition_resource_version = version->text();
      }
    }
    if (const Node* dry = parsed->find("dryRun"); dry != nullptr && dry->is_sequence()) {
      for (const Node& item : dry->items()) out.options.dry_run |= item.text() == "All";
    }
    if (const Node* orphan = parsed->find("orphanDependents");
        orphan != nullptr && orphan->type() == Node::Type::kBool && propagation.empty()) {
      propagation = orphan->bool_value() ? "Orphan" : "Background";
    }
  }
  if (propagation == "Foreground") {
    out.options.propagation = store::Propagation::kForeground;
  } else if (propagation == "Orphan") {
    out.options.propagation = store::Propagation::kOrphan;
  } else if (!propagation.empty() && propagation != "Background") {
    out.error = bad_request(fmt::format(
        "propagationPolicy: Unsupported value: \"{}\": supported values: \"Foreground\", "
        "\"Background\", \"Orphan\"",
        propagation));
  }
  return out;
}

}  // namespace

http::ServerResponse ApiServer::remove(const Call& call) {
  const Resource& resource = *call.resource;
  if (!call.subresource.empty()) {
    return error_response(method_not_allowed("delete is not allowed on " + call.subresource));
  }
  DeleteRequest request = delete_options_of(call.target, call.request.body, call.dry_run);
  if (request.error) return error_response(*request.error);
  const store::ObjectKey key{resource.kind, call.namespace_name, call.name};
  Result<store::ObjectPtr> removed = store_.remove(key, request.options);
  if (!removed) return error_response(api_error_of(removed.status(), &resource, call.name));
  // Still there (graceful deletion, finalizers): the object; gone: a Success Status.
  Result<store::ObjectPtr> after = store_.get(key);
  if (after.is_ok() && !request.options.dry_run) {
    return json_response(encode_for(resource, **after));
  }
  Node details = object_of({{"name", text(call.name)},
                            {"group", text(resource.group)},
                            {"kind", text(resource.plural)},
                            {"uid", text(api::metadata_of(**removed).uid)}});
  return json_response(object_of({{"kind", text("Status")},
                                  {"apiVersion", text("v1")},
                                  {"metadata", Node::mapping()},
                                  {"status", text("Success")},
                                  {"details", std::move(details)}}));
}

http::ServerResponse ApiServer::remove_collection(const Call& call) {
  const Resource& resource = *call.resource;
  Result<Selection> selection = selection_of(call.target, resource.kind);
  if (!selection) return error_response(bad_request(selection.status().message()));
  DeleteRequest request = delete_options_of(call.target, call.request.body, call.dry_run);
  if (request.error) return error_response(*request.error);
  store::ListOptions options{.kind = resource.kind};
  if (!call.namespace_name.empty()) options.namespace_name = call.namespace_name;
  options.filter = filter_of(std::move(*selection));
  Result<store::ListResult> listed = store_.list(options);
  if (!listed) return error_response(api_error_of(listed.status(), &resource, ""));
  Node items = Node::sequence();
  for (const store::ObjectPtr& item : listed->items) {
    Result<store::ObjectPtr> removed = store_.remove(store::key_of(*item), request.options);
    if (removed) items.push(encode_for(resource, **removed));
  }
  return json_response(object_of({{"kind", text(list_kind(resource))},
                                  {"apiVersion", text(resource.group_version())},
                                  {"metadata", Node::mapping()},
                                  {"items", std::move(items)}}));
}

// ---- subresources ----

http::ServerResponse ApiServer::scale(const Call& call) {
  const Resource& resource = *call.resource;
  const store::ObjectKey key{resource.kind, call.namespace_name, call.name};
  const auto scale_of = [&](const api::Object& object) {
    const api::ObjectMeta& meta = api::metadata_of(object);
    std::int32_t spec_replicas = 1;
    std::int32_t status_replicas = 0;
    std::string selector;
    const api::LabelSelector* labels = nullptr;
    if (const auto* deployment = std::get_if<api::Deployment>(&object)) {
      spec_replicas = deployment->spec.replicas.value_or(1);
      status_replicas = deployment->status.replicas;
      labels = &deployment->spec.selector;
    } else if (const auto* replica_set = std::get_if<api::ReplicaSet>(&object)) {
      spec_replicas = replica_set->spec.replicas.value_or(1);
      status_replicas = replica_set->status.replicas;
      labels = &replica_set->spec.selector;
    }
    if (labels != nullptr) {
      for (const auto& [name, value] : labels->match_labels) {
        selector += (selector.empty() ? "" : ",") + name + "=" + value;
      }
    }
    Node metadata = object_of({{"name", text(meta.name)},
                               {"namespace", text(meta.namespace_name)},
                               {"uid", text(meta.uid)},
                               {"resourceVersion", text(meta.resource_version)}});
    if (meta.creation_timestamp) {
      metadata.set("creationTimestamp", text(format_rfc3339(*meta.creation_timestamp)));
    }
    Node status = object_of({{"replicas", Node::integer(status_replicas)}});
    if (!selector.empty()) status.set("selector", text(selector));
    return object_of({{"kind", text("Scale")},
                      {"apiVersion", text("autoscaling/v1")},
                      {"metadata", std::move(metadata)},
                      {"spec", object_of({{"replicas", Node::integer(spec_replicas)}})},
                      {"status", std::move(status)}});
  };
  const std::string& method = call.request.method;
  if (method == "GET") {
    Result<store::ObjectPtr> found = store_.get(key);
    if (!found) return error_response(api_error_of(found.status(), &resource, call.name));
    return json_response(scale_of(**found));
  }
  if (method != "PUT" && method != "PATCH") {
    return error_response(
        method_not_allowed("scale is read with GET and written with PUT or PATCH"));
  }
  Result<Node> body = parse_body(call.request.body);
  if (!body) return error_response(bad_request(body.status().message()));
  Result<store::ObjectPtr> found = store_.get(key);
  if (!found) return error_response(api_error_of(found.status(), &resource, call.name));
  Node wanted = *body;
  if (method == "PATCH") {
    const std::string type = media_type(call.request.field("Content-Type"));
    const Node current = scale_of(**found);
    Result<Node> patched = type == "application/json-patch+json"
                               ? apply_json_patch(current, *body)
                               : apply_merge_patch(current, *body);
    if (!patched) return error_response(bad_request(patched.status().message()));
    wanted = std::move(*patched);
  }
  const Node* spec = wanted.find("spec");
  const Node* replicas = spec != nullptr ? spec->find("replicas") : nullptr;
  if (replicas == nullptr || replicas->type() != Node::Type::kInt || replicas->int_value() < 0 ||
      replicas->int_value() > 1'000'000) {
    ApiError error{.code = 422, .reason = "Invalid"};
    error.kind = "Scale";
    error.name = call.name;
    error.message = fmt::format(
        "Scale.autoscaling \"{}\" is invalid: spec.replicas: Invalid "
        "value: must be a non-negative integer",
        call.name);
    error.causes.push_back(api::invalid_rendered(api::FieldPath("spec.replicas"),
                                                 replicas != nullptr ? replicas->render() : "null",
                                                 "must be greater than or equal to 0"));
    return error_response(error);
  }
  api::Object object = **found;
  if (const Node* metadata = wanted.find("metadata")) {
    if (const Node* version = metadata->find("resourceVersion");
        version != nullptr && !version->text().empty()) {
      api::metadata_of(object).resource_version = version->text();
    }
  }
  const auto count = static_cast<std::int32_t>(replicas->int_value());
  if (auto* deployment = std::get_if<api::Deployment>(&object)) deployment->spec.replicas = count;
  if (auto* replica_set = std::get_if<api::ReplicaSet>(&object)) replica_set->spec.replicas = count;
  Result<store::ObjectPtr> updated = store_.update(object, {.dry_run = call.dry_run});
  if (!updated) return error_response(api_error_of(updated.status(), &resource, call.name));
  return json_response(scale_of(**updated));
}

http::ServerResponse ApiServer::logs(const Call& call) {
  const Resource& resource = *call.resource;
  Result<store::ObjectPtr> found = store_.get({"Pod", call.namespace_name, call.name});
  if (!found) return error_response(api_error_of(found.status(), &resource, call.name));
  LogOptions options;
  options.container = call.target.param("container").value_or("");
  options.follow = call.target.flag("follow");
  options.previous = call.target.flag("previous");
  options.timestamps = call.target.flag("timestamps");
  ApiError error;
  options.tail_lines = integer_param(call.target, "tailLines", &error);
  options.since_seconds = integer_param(call.target, "sinceSeconds", &error);
  options.limit_bytes = integer_param(call.target, "limitBytes", &error);
  if (!error.reason.empty()) return error_response(error);
  Result<http::ServerResponse> response = pod_log_response(store_, clock_, options_.log_directory,
                                                           std::get<api::Pod>(**found), options);
  if (!response) {
    ApiError failure = response.status().code() == StatusCode::kNotFound
                           ? not_found_error(response.status().message())
                           : bad_request(response.status().message());
    return error_response(failure);
  }
  return std::move(*response);
}

http::ServerResponse ApiServer::not_run(const Call& call) {
  const Resource& resource = *call.resource;
  const std::string& method = call.request.method;
  if (method == "GET" && call.name.empty() && !call.watch) {
    if (call.table) {
      return json_response(table_of(resource.kind, {}, {}, clock_.wall_now(), {}));
    }
    return json_response(object_of({{"kind", text(list_kind(resource))},
                                    {"apiVersion", text(resource.group_version())},
                                    {"metadata", Node::mapping()},
                                    {"items", Node::sequence()}}));
  }
  if (method == "GET" && !call.name.empty()) {
    ApiError error =
        not_found_error(fmt::format("{} \"{}\" not found", resource.qualified(), call.name));
    error.name = call.name;
    error.group = resource.group;
    error.kind = resource.plural;
    return error_response(error);
  }
  ApiError error = method_not_allowed(fmt::format(
      "nodrop does not run {} ({}): it runs Deployments, ReplicaSets, Pods and Services",
      resource.kind, resource.group_version()));
  error.group = resource.group;
  error.kind = resource.plural;
  error.name = call.name;
  return error_response(error);
}

http::ServerResponse ApiServer::namespaces(const Call& call) {
  const std::string& method = call.request.method;
  // nodrop's own namespaces date from the server's start; those created through the API keep the
  // labels and annotations they were given (kubectl apply's last-applied configuration).
  const auto held_object = [&](const std::string& name) {
    return object_of(
        {{"apiVersion", text("v1")},
         {"kind", text("Namespace")},
         {"metadata",
          object_of({{"name", text(name)},
                     {"creationTimestamp", text(format_rfc3339(started_))},
                     {"labels", object_of({{"kubernetes.io/metadata.name", text(name)}})}})},
         {"spec", object_of({{"finalizers", strings_of(std::vector<const char*>{"kubernetes"})}})},
         {"status", object_of({{"phase", text("Active")}})}});
  };
  struct Entry {
    Node object;
    WallTime created;
  };
  std::vector<std::pair<std::string, Entry>> entries;
  for (const char* name : kNamespaceHeld) entries.push_back({name, {held_object(name), started_}});
  {
    std::lock_guard lock(namespaces_mutex_);
    for (const auto& [name, created] : created_namespaces_) {
      entries.push_back({name, {created.object, created.created}});
    }
  }
  const auto find = [&](const std::string& name) -> const Entry* {
    for (const auto& [entry_name, entry] : entries) {
      if (entry_name == name) return &entry;
    }
    return nullptr;
  };
  const auto not_found = [&] {
    ApiError error = not_found_error(fmt::format("namespaces \"{}\" not found", call.name));
    error.name = call.name;
    error.kind = "namespaces";
    return error_response(error);
  };
  const auto table = [&](const std::vector<const Entry*>& shown) {
    const WallTime now = clock_.wall_now();
    Node rows = Node::sequence();
    Node out = table_of("Namespace", {}, {}, now, {.objects = TableObjects::kNone});
    for (const Entry* entry : shown) {
      const Node& metadata = *entry->object.find("metadata");
      Node cells = Node::sequence();
      cells.push(text(metadata.find("name")->text()));
      cells.push(text("Active"));
      cells.push(text(human_duration(now - entry->created)));
      Node row = object_of({{"cells", std::move(cells)}});
      row.set("object", object_of({{"kind", text("PartialObjectMetadata")},
                                   {"apiVersion", text("meta.k8s.io/v1")},
                                   {"metadata", metadata}}));
      rows.push(std::move(row));
    }
    out.set("rows", std::move(rows));
    return json_response(out);
  };
  if (method == "GET" && call.name.empty()) {
    if (call.watch) {
      return error_response(method_not_allowed("nodrop does not watch namespaces"));
    }
    std::vector<const Entry*> all;
    Node items = Node::sequence();
    for (const auto& [name, entry] : entries) {
      all.push_back(&entry);
      items.push(entry.object);
    }
    if (call.table) return table(all);
    return json_response(object_of({{"kind", text("NamespaceList")},
                                    {"apiVersion", text("v1")},
                                    {"metadata", Node::mapping()},
                                    {"items", std::move(items)}}));
  }
  const Entry* existing = call.name.empty() ? nullptr : find(call.name);
  if (method == "GET") {
    if (existing == nullptr) return not_found();
    return call.table ? table({existing}) : json_response(existing->object);
  }
  if (method == "POST" && call.name.empty()) {
    Result<Node> body = parse_body(call.request.body);
    if (!body) return error_response(bad_request(body.status().message()));
    const Node* metadata = body->is_mapping() ? body->find("metadata") : nullptr;
    const Node* name =
        metadata != nullptr && metadata->is_mapping() ? metadata->find("name") : nullptr;
    if (name == nullptr || name->text().empty()) {
      return error_response(ApiError{.code = 422,
                                     .reason = "Invalid",
                                     .message = "Namespace \"\" is invalid: metadata.name: "
                                                "Required value: name is required"});
    }
    if (find(name->text()) != nullptr) {
      ApiError error{.code = 409,
                     .reason = "AlreadyExists",
                     .message = fmt::format("namespaces \"{}\" already exists", name->text())};
      error.name = name->text();
      error.kind = "namespaces";
      return error_response(error);
    }
    const WallTime now = clock_.wall_now();
    Node stored_metadata = object_of({{"name", text(name->text())},
                                      {"uid", text(fmt::format("namespace-{}", name->text()))},
                                      {"creationTimestamp", text(format_rfc3339(now))}});
    Node labels = Node::mapping();
    if (const Node* given = metadata->find("labels"); given != nullptr && given->is_mapping()) {
      labels = *given;
    }
    labels.set("kubernetes.io/metadata.name", text(name->text()));
    stored_metadata.set("labels", std::move(labels));
    if (const Node* given = metadata->find("annotations");
        given != nullptr && given->is_mapping()) {
      stored_metadata.set("annotations", *given);
    }
    Node object = held_object(name->text());
    object.set("metadata", std::move(stored_metadata));
    if (!call.dry_run) {
      std::lock_guard lock(namespaces_mutex_);
      if (created_namespaces_.size() >= 10'000) {
        return error_response(ApiError{.code = 429,
                                       .reason = "TooManyRequests",
                                       .message = "nodrop keeps at most 10000 namespaces"});
      }
      if (!created_namespaces_.emplace(name->text(), CreatedNamespace{object, now}).second) {
        ApiError error{.code = 409,
                       .reason = "AlreadyExists",
                       .message = fmt::format("namespaces \"{}\" already exists", name->text())};
        return error_response(error);
      }
    }
    return json_response(object, 201);
  }
  if (method == "DELETE" && !call.name.empty()) {
    if (existing == nullptr) return not_found();
    std::lock_guard lock(namespaces_mutex_);
    if (created_namespaces_.count(call.name) == 0) {
      return error_response(ApiError{
          .code = 403,
          .reason = "Forbidden",
          .message =
              fmt::format("namespace \"{}\" is nodrop's own and cannot be deleted", call.name)});
    }
    if (!call.dry_run) created_namespaces_.erase(call.name);
    return json_response(existing->object);
  }
  return error_response(method_not_allowed("nodrop creates, reads and deletes namespaces only"));
}

}  // namespace nodrop::apiserver
