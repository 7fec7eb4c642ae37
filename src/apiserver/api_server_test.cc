#include "apiserver/api_server.h"

#include <gtest/gtest.h>

#include "apiserver/json.h"
#include "sim/sim_loop.h"

namespace nodrop::apiserver {
namespace {

constexpr const char* kToken = "0123456789abcdef0123456789abcdef";

constexpr const char* kDeployment = R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "web", "labels": {"app": "web"}},
  "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
    "template": {"metadata": {"labels": {"app": "web"}},
      "spec": {"containers": [{"name": "app", "image": "demo-app:v1", "command": ["demo-app"],
        "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
        "resources": {"limits": {"cpu": "500m"}}}]}}}})";

class ApiServerTest : public ::testing::Test {
 protected:
  http::ServerResponse call(const std::string& method, const std::string& target,
                            const std::string& body = "", const std::string& content_type = "",
                            const std::string& accept = "") {
    http::ServerRequest request;
    request.method = method;
    request.target = target;
    request.body = body;
    request.fields.emplace_back("Authorization", std::string("Bearer ") + kToken);
    if (!content_type.empty()) request.fields.emplace_back("Content-Type", content_type);
    if (!accept.empty()) request.fields.emplace_back("Accept", accept);
    return api_.handle(request);
  }

  static Node json(const http::ServerResponse& response) {
    Result<Node> node = parse_body(response.body);
    EXPECT_TRUE(node.is_ok()) << response.body;
    return node.is_ok() ? *node : Node::null();
  }
  static std::string at(const Node& node, std::initializer_list<const char*> path) {
    const Node* current = &node;
    for (const char* key : path) {
      current = current->find(key);
      if (current == nullptr) return "<absent>";
    }
    return current->text();
  }
  static std::vector<std::string> warnings(const http::ServerResponse& response) {
    std::vector<std::string> out;
    for (const auto& [name, value] : response.fields) {
      if (name == "Warning") out.push_back(value);
    }
    return out;
  }

  http::ServerResponse create_web() {
    return call("POST", "/apis/apps/v1/namespaces/default/deployments", kDeployment,
                "application/json");
  }

  sim::SimLoop loop_;
  sim::SeededRandom random_{3};
  store::Store store_{loop_, random_};
  ApiServer api_{store_,
                 loop_,
                 {.token = kToken, .server_address = "127.0.0.1:6443", .log_directory = "/none"}};
};

TEST_F(ApiServerTest, RequestsWithoutTheTokenGetUnauthorizedAsAStatus) {
  http::ServerRequest request{.method = "GET", .target = "/api/v1/pods", .fields = {}, .body = ""};
  http::ServerResponse response = api_.handle(request);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(at(json(response), {"reason"}), "Unauthorized");
  request.fields.emplace_back("Authorization", "Bearer 0123456789abcdef0123456789abcdeX");
  EXPECT_EQ(api_.handle(request).status, 401);
  request.fields = {{"Authorization", "Basic YTpi"}};
  EXPECT_EQ(api_.handle(request).status, 401);
  // Health and version are public, as with anonymous access in Kubernetes.
  request = {.method = "GET", .target = "/healthz", .fields = {}, .body = ""};
  EXPECT_EQ(api_.handle(request).status, 200);
}

TEST_F(ApiServerTest, DiscoveryListsSubresourcesShortNamesAndCategories) {
  const Node apps = json(call("GET", "/apis/apps/v1"));
  EXPECT_EQ(at(apps, {"groupVersion"}), "apps/v1");
  bool scale = false;
  bool deployments = false;
  for (const Node& resource : apps.find("resources")->items()) {
    if (at(resource, {"name"}) == "deployments/scale") {
      scale = true;
      EXPECT_EQ(at(resource, {"group"}), "autoscaling");
      EXPECT_EQ(at(resource, {"kind"}), "Scale");
    }
    if (at(resource, {"name"}) == "deployments") {
      deployments = true;
      EXPECT_EQ(resource.find("shortNames")->items()[0].text(), "deploy");
      EXPECT_EQ(resource.find("categories")->items()[0].text(), "all");
    }
  }
  EXPECT_TRUE(scale && deployments);
  // Kinds nodrop does not run are listed too, so that kubectl sends their requests here.
  const Node networking = json(call("GET", "/apis/networking.k8s.io/v1"));
  EXPECT_EQ(at(networking.find("resources")->items()[0], {"name"}), "ingresses");
  EXPECT_EQ(call("GET", "/apis/extensions/v1beta1").status, 404);
  const Node openapi = json(call("GET", "/openapi/v3"));
  EXPECT_NE(at(openapi, {"paths", "apis/apps/v1", "serverRelativeURL"}), "<absent>");
  const Node document = json(call("GET", "/openapi/v3/apis/apps/v1"));
  const Node* patch = document.find("paths")
                          ->find("/apis/apps/v1/namespaces/{namespace}/deployments/{name}")
                          ->find("patch");
  ASSERT_NE(patch, nullptr);
  EXPECT_EQ(at(*patch, {"x-kubernetes-group-version-kind", "kind"}), "Deployment");
  EXPECT_EQ(patch->find("parameters")->items()[1].find("name")->text(), "fieldValidation");
}

TEST_F(ApiServerTest, CreateGetAndTheErrorsOfCreation) {
  http::ServerResponse created = create_web();
  ASSERT_EQ(created.status, 201) << created.body;
  const Node object = json(created);
  EXPECT_EQ(at(object, {"metadata", "namespace"}), "default");
  EXPECT_NE(at(object, {"metadata", "uid"}), "<absent>");
  EXPECT_EQ(at(object, {"spec", "template", "spec", "containers"}), "");
  // A field nodrop does not act on is stored, said in a Warning, and served back.
  EXPECT_EQ(warnings(created),
            std::vector<std::string>{"299 - \"spec.template.spec.containers[0].resources: stored, "
                                     "but nodrop does not act on this field\""});
  const Node fetched = json(call("GET", "/apis/apps/v1/namespaces/default/deployments/web"));
  EXPECT_EQ(to_json(*fetched.find("spec")
                         ->find("template")
                         ->find("spec")
                         ->find("containers")
                         ->items()[0]
                         .find("resources")),
            R"({"limits":{"cpu":"500m"}})");

  http::ServerResponse again = create_web();
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(at(json(again), {"reason"}), "AlreadyExists");
  EXPECT_EQ(at(json(again), {"message"}), "deployments.apps \"web\" already exists");

  http::ServerResponse missing = call("GET", "/apis/apps/v1/namespaces/default/deployments/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(at(json(missing), {"message"}), "deployments.apps \"nope\" not found");
}

TEST_F(ApiServerTest, UnknownFieldsFollowFieldValidation) {
  const std::string body =
      R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"selector":{"a":"b"},)"
      R"("ports":[{"port":80,"prot":"TCP"}]}})";
  http::ServerResponse strict =
      call("POST", "/api/v1/namespaces/default/services?fieldValidation=Strict", body,
           "application/json");
  EXPECT_EQ(strict.status, 400);
  EXPECT_NE(at(json(strict), {"message"}).find("unknown field \"spec.ports[0].prot\""),
            std::string::npos);
  http::ServerResponse warn = call(
      "POST", "/api/v1/namespaces/default/services?fieldValidation=Warn", body, "application/json");
  EXPECT_EQ(warn.status, 201);
  EXPECT_EQ(warnings(warn),
            std::vector<std::string>{"299 - \"unknown field \\\"spec.ports[0].prot\\\"\""});
}

TEST_F(ApiServerTest, InvalidObjectsAreRefusedWithCausesAndNothingIsStored) {
  std::string body = kDeployment;
  body.replace(body.find("\"replicas\": 2"), 13, "\"replicas\": -1");
  http::ServerResponse response =
      call("POST", "/apis/apps/v1/namespaces/default/deployments", body, "application/json");
  EXPECT_EQ(response.status, 422);
  const Node status = json(response);
  EXPECT_EQ(at(status, {"reason"}), "Invalid");
  const Node& cause = status.find("details")->find("causes")->items()[0];
  EXPECT_EQ(at(cause, {"field"}), "spec.replicas");
  EXPECT_EQ(at(cause, {"message"}), "Invalid value: -1: must be greater than or equal to 0");
  EXPECT_EQ(store_.size(), 0u);
  // A wrong type is refused with its path too.
  body = kDeployment;
  body.replace(body.find("\"replicas\": 2"), 13, "\"replicas\":\"2\"");
  response = call("POST", "/apis/apps/v1/namespaces/default/deployments", body, "application/json");
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(at(json(response).find("details")->find("causes")->items()[0], {"field"}),
            "spec.replicas");
}

TEST_F(ApiServerTest, DryRunStoresNothing) {
  http::ServerResponse response =
      call("POST", "/apis/apps/v1/namespaces/default/deployments?dryRun=All", kDeployment,
           "application/json");
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(store_.size(), 0u);
}

TEST_F(ApiServerTest, UpdateWithAStaleResourceVersionIsAConflict) {
  ASSERT_EQ(create_web().status, 201);
  Node object = json(call("GET", "/apis/apps/v1/namespaces/default/deployments/web"));
  Node* metadata = const_cast<Node*>(object.find("metadata"));
  metadata->set("resourceVersion", text("1"));
  ASSERT_EQ(call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
                 R"({"spec":{"replicas":3}})", "application/merge-patch+json")
                .status,
            200);
  http::ServerResponse stale = call("PUT", "/apis/apps/v1/namespaces/default/deployments/web",
                                    to_json(object), "application/json");
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(at(json(stale), {"reason"}), "Conflict");
  EXPECT_EQ(at(json(stale), {"message"}),
            "Operation cannot be fulfilled on deployments.apps \"web\": the object has been "
            "modified; please apply your changes to the latest version and try again");
  EXPECT_EQ(at(json(stale), {"details", "name"}), "web");
  EXPECT_EQ(at(json(stale), {"details", "group"}), "apps");
  EXPECT_EQ(at(json(stale), {"details", "kind"}), "deployments");
}

// JSON may hold raw what YAML reads otherwise (a C1 control, NEL, a line separator): a value with
// them is stored as sent, and served escaped so that any reader reads it back.
TEST_F(ApiServerTest, RawControlAndLineSeparatorCharactersInJsonStringsArePreserved) {
  const std::string value =
      "a\xc2\x85"
      "b\xc2\x8b"
      "c\xe2\x80\xa8"
      "d";
  const std::string body = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c",)"
                           R"("annotations":{"note":")" +
                           value + R"("}},"data":{"k":")" + value + R"("}})";
  const http::ServerResponse created =
      call("POST", "/api/v1/namespaces/default/configmaps", body, "application/json");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_NE(created.body.find(R"("k":"a\u0085b\u008bc\u2028d")"), std::string::npos)
      << created.body;
  const Node read = json(call("GET", "/api/v1/namespaces/default/configmaps/c"));
  EXPECT_EQ(at(read, {"data", "k"}), value);
  EXPECT_EQ(at(read, {"metadata", "annotations", "note"}), value);
}

// YAML's .inf and .nan, which the reader takes but JSON cannot hold, are refused as the API
// server's JSON refuses them (found by the fuzzer: a patch with .INF did not write back as it
// read).
TEST_F(ApiServerTest, NumbersJsonCannotHoldAreRefused) {
  ASSERT_EQ(create_web().status, 201);
  const http::ServerResponse patched =
      call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
           R"({"metadata":{"labels":{"a":"b"}},"spec":{"minReadySeconds":.INF}})",
           "application/merge-patch+json");
  EXPECT_EQ(patched.status, 400) << patched.body;
  EXPECT_NE(at(json(patched), {"message"}).find(".INF is a number JSON cannot hold"),
            std::string::npos)
      << patched.body;
  EXPECT_EQ(at(json(call("GET", "/apis/apps/v1/namespaces/default/deployments/web")),
               {"metadata", "labels", "a"}),
            "<absent>");
}

TEST_F(ApiServerTest, StrategicMergePatchRemovesAnEnvVarByName) {
  ASSERT_EQ(create_web().status, 201);
  http::ServerResponse patched =
      call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
           R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],)"
           R"("containers":[{"$setElementOrder/env":[{"name":"A"}],"env":[{"$patch":"delete",)"
           R"("name":"B"}],"image":"demo-app:v2","name":"app"}]}}}})",
           "application/strategic-merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  const Node result = json(patched);
  const Node& container =
      result.find("spec")->find("template")->find("spec")->find("containers")->items()[0];
  EXPECT_EQ(to_json(*container.find("env")), R"([{"name":"A","value":"1"}])");
  EXPECT_EQ(at(container, {"image"}), "demo-app:v2");
  EXPECT_EQ(to_json(*result.find("metadata")->find("generation")), "2");
  EXPECT_EQ(call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web", "{}",
                 "application/apply-patch+yaml")
                .status,
            415);
  EXPECT_EQ(call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
                 R"([{"op":"replace","path":"/spec/replicas","value":"x"}])",
                 "application/json-patch+json")
                .status,
            422);
}

TEST_F(ApiServerTest, ListsFilterByLabelsPageAndRenderTables) {
  ASSERT_EQ(create_web().status, 201);
  std::string other = kDeployment;
  while (other.find("web") != std::string::npos) other.replace(other.find("web"), 3, "api");
  ASSERT_EQ(call("POST", "/apis/apps/v1/namespaces/default/deployments", other, "application/json")
                .status,
            201);
  Node list = json(call("GET", "/apis/apps/v1/deployments?labelSelector=app%3Dapi"));
  EXPECT_EQ(at(list, {"kind"}), "DeploymentList");
  ASSERT_EQ(list.find("items")->items().size(), 1u);
  list = json(call("GET", "/apis/apps/v1/namespaces/default/deployments?limit=1"));
  ASSERT_EQ(list.find("items")->items().size(), 1u);
  const std::string token = at(list, {"metadata", "continue"});
  list =
      json(call("GET", "/apis/apps/v1/namespaces/default/deployments?limit=1&continue=" + token));
  EXPECT_EQ(list.find("items")->items().size(), 1u);
  EXPECT_EQ(at(list, {"metadata", "continue"}), "<absent>");

  const Node table = json(call("GET", "/apis/apps/v1/namespaces/default/deployments", "", "",
                               "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"));
  EXPECT_EQ(at(table, {"kind"}), "Table");
  std::vector<std::string> columns;
  for (const Node& column : table.find("columnDefinitions")->items()) {
    columns.push_back(column.find("name")->text());
  }
  EXPECT_EQ(columns, (std::vector<std::string>{"Name", "Ready", "Up-to-date", "Available", "Age",
                                               "Containers", "Images", "Selector"}));
  const Node& row = table.find("rows")->items()[0];
  EXPECT_EQ(row.find("cells")->items()[1].text(), "0/2");
  EXPECT_EQ(at(row, {"object", "kind"}), "PartialObjectMetadata");
  EXPECT_EQ(call("GET", "/apis/apps/v1/deployments?labelSelector=a%20in%20b").status, 400);
  EXPECT_EQ(call("GET", "/api/v1/pods?fieldSelector=spec.bogus%3Dx").status, 400);
}

TEST_F(ApiServerTest, WatchStreamsEventsAfterAVersion) {
  ASSERT_EQ(create_web().status, 201);
  const std::string version = std::to_string(store_.resource_version());
  http::ServerResponse watch = call(
      "GET", "/apis/apps/v1/namespaces/default/deployments?watch=true&resourceVersion=" + version +
                 "&timeoutSeconds=5");
  ASSERT_NE(watch.stream, nullptr);
  ASSERT_EQ(call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
                 R"({"spec":{"replicas":5}})", "application/merge-patch+json")
                .status,
            200);
  ASSERT_EQ(call("DELETE", "/apis/apps/v1/namespaces/default/deployments/web").status, 200);
  std::string received;
  for (int i = 0; i < 3 && received.find("DELETED") == std::string::npos; ++i) {
    received += watch.stream->next(std::chrono::milliseconds(10)).bytes;
  }
  const auto newline = received.find('\n');
  ASSERT_NE(newline, std::string::npos) << received;
  const Node first = *parse_body(received.substr(0, newline));
  EXPECT_EQ(at(first, {"type"}), "MODIFIED");
  EXPECT_EQ(to_json(*first.find("object")->find("spec")->find("replicas")), "5");
  EXPECT_NE(received.find("{\"type\":\"DELETED\""), std::string::npos);
  // A version older than the history: the stream says 410 Gone in an ERROR event.
  store::Store small(loop_, random_, {.history_events = 1});
  ApiServer api(small, loop_, {.token = kToken});
  for (int i = 0; i < 3; ++i) {
    api::Node node;
    node.metadata.name = "node-" + std::to_string(i);
    ASSERT_TRUE(small.create(node).is_ok());
  }
  http::ServerRequest request{.method = "GET",
                              .target = "/api/v1/nodes?watch=1&resourceVersion=1",
                              .fields = {{"Authorization", std::string("Bearer ") + kToken}},
                              .body = ""};
  http::ServerResponse gone = api.handle(request);
  ASSERT_NE(gone.stream, nullptr);
  const http::ResponseStream::Chunk chunk = gone.stream->next(std::chrono::milliseconds(1));
  EXPECT_TRUE(chunk.done);
  EXPECT_NE(chunk.bytes.find("\"type\":\"ERROR\""), std::string::npos);
  EXPECT_NE(chunk.bytes.find("\"code\":410"), std::string::npos);
}

TEST_F(ApiServerTest, ScaleSubresource) {
  ASSERT_EQ(create_web().status, 201);
  Node scale = json(call("GET", "/apis/apps/v1/namespaces/default/deployments/web/scale"));
  EXPECT_EQ(at(scale, {"apiVersion"}), "autoscaling/v1");
  EXPECT_EQ(to_json(*scale.find("spec")), R"({"replicas":2})");
  EXPECT_EQ(at(scale, {"status", "selector"}), "app=web");
  http::ServerResponse patched =
      call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale",
           R"({"spec":{"replicas":4}})", "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(to_json(*json(patched).find("spec")), R"({"replicas":4})");
  EXPECT_EQ(call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale",
                 R"({"spec":{"replicas":-4}})", "application/merge-patch+json")
                .status,
            422);
}

TEST_F(ApiServerTest, MalformedAndUnsupportedRequests) {
  EXPECT_EQ(call("POST", "/apis/apps/v1/namespaces/default/deployments",
                 "{\"apiVersion\":", "application/json")
                .status,
            400);
  EXPECT_EQ(
      call("POST", "/apis/apps/v1/namespaces/default/deployments", "[1,2]", "application/json")
          .status,
      400);
  EXPECT_EQ(call("POST", "/apis/apps/v1/namespaces/default/deployments",
                 R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}})", "application/json")
                .status,
            400);
  EXPECT_EQ(call("POST", "/apis/apps/v1/namespaces/default/deployments", std::string(4 << 20, ' '),
                 "application/json")
                .status,
            413);
  // A kind nodrop does not run lists nothing and is refused on write, naming the kind.
  const Node ingresses =
      json(call("GET", "/apis/networking.k8s.io/v1/namespaces/default/ingresses"));
  EXPECT_EQ(at(ingresses, {"kind"}), "IngressList");
  EXPECT_TRUE(ingresses.find("items")->items().empty());
  EXPECT_EQ(call("GET", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/web").status, 404);
  http::ServerResponse ingress =
      call("POST", "/apis/networking.k8s.io/v1/namespaces/default/ingresses",
           R"({"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"web"}})",
           "application/json");
  EXPECT_EQ(ingress.status, 405);
  EXPECT_NE(at(json(ingress), {"message"}).find("nodrop does not run Ingress"), std::string::npos);
  http::ServerResponse exec = call("POST", "/api/v1/namespaces/default/pods/p/exec?command=ls");
  EXPECT_EQ(exec.status, 400);
  EXPECT_NE(at(json(exec), {"message"}).find("exec is not supported by nodrop"), std::string::npos);
  EXPECT_EQ(call("PUT", "/apis/apps/v1/namespaces/default/deployments").status, 405);
  EXPECT_EQ(call("POST", "/api/v1/namespaces/default/endpoints", "{}").status, 405);
  EXPECT_EQ(call("GET", "/api/v1/pods?dryRun=Some").status, 400);
  EXPECT_EQ(store_.size(), 0u);
}

TEST_F(ApiServerTest, DeleteAnswersSuccessAndPreconditionsHold) {
  ASSERT_EQ(create_web().status, 201);
  EXPECT_EQ(call("DELETE", "/apis/apps/v1/namespaces/default/deployments/web",
                 R"({"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"other"}})")
                .status,
            409);
  http::ServerResponse removed = call(
      "DELETE", "/apis/apps/v1/namespaces/default/deployments/web?propagationPolicy=Background");
  EXPECT_EQ(removed.status, 200);
  EXPECT_EQ(at(json(removed), {"status"}), "Success");
  EXPECT_EQ(call("GET", "/apis/apps/v1/namespaces/default/deployments/web").status, 404);
  EXPECT_EQ(call("DELETE", "/apis/apps/v1/namespaces/default/deployments/web?propagationPolicy=Now")
                .status,
            400);
}

TEST_F(ApiServerTest, ProtobufBodiesAreRefusedAsAnUnsupportedMediaType) {
  // kubectl's typed clients (create namespace, create deployment) send protobuf.
  http::ServerResponse response = call("POST", "/api/v1/namespaces", std::string("k8s\0\n\x0f", 6),
                                       "application/vnd.kubernetes.protobuf");
  EXPECT_EQ(response.status, 415);
  EXPECT_EQ(at(json(response), {"reason"}), "UnsupportedMediaType");
  EXPECT_NE(at(json(response), {"message"}).find("nodrop does not read protobuf"),
            std::string::npos);
  // JSON and YAML are read, with or without parameters.
  EXPECT_EQ(call("POST", "/api/v1/namespaces",
                 R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}})",
                 "application/json; charset=utf-8")
                .status,
            201);
  EXPECT_EQ(call("POST", "/api/v1/namespaces",
                 "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n", "application/yaml")
                .status,
            201);
}

TEST_F(ApiServerTest, NamespacesKeepWhatTheyWereGivenAndRenderAsTables) {
  http::ServerResponse created =
      call("POST", "/api/v1/namespaces",
           R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team",)"
           R"("labels":{"owner":"me"},"annotations":{"note":"kept"}}})",
           "application/json");
  ASSERT_EQ(created.status, 201) << created.body;
  loop_.advance(std::chrono::seconds(90));
  const Node team = json(call("GET", "/api/v1/namespaces/team"));
  EXPECT_EQ(at(team, {"metadata", "labels", "owner"}), "me");
  EXPECT_EQ(at(team, {"metadata", "labels", "kubernetes.io/metadata.name"}), "team");
  EXPECT_EQ(at(team, {"metadata", "annotations", "note"}), "kept");
  EXPECT_NE(at(team, {"metadata", "creationTimestamp"}), "<absent>");
  const std::string table_accept = "application/json;as=Table;v=v1;g=meta.k8s.io";
  const Node one = json(call("GET", "/api/v1/namespaces/team", "", "", table_accept));
  ASSERT_EQ(at(one, {"kind"}), "Table");
  const Node& cells = *one.find("rows")->items()[0].find("cells");
  EXPECT_EQ(cells.items()[0].text(), "team");
  EXPECT_EQ(cells.items()[1].text(), "Active");
  EXPECT_EQ(cells.items()[2].text(), "90s");
  const Node all = json(call("GET", "/api/v1/namespaces", "", "", table_accept));
  EXPECT_EQ(all.find("rows")->items().size(), 5u);
  EXPECT_EQ(call("POST", "/api/v1/namespaces",
                 R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team"}})",
                 "application/json")
                .status,
            409);
  EXPECT_EQ(call("DELETE", "/api/v1/namespaces/default").status, 403);
  EXPECT_EQ(call("DELETE", "/api/v1/namespaces/team?dryRun=All").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/team").status, 200);
  EXPECT_EQ(call("DELETE", "/api/v1/namespaces/team").status, 200);
  http::ServerResponse gone = call("GET", "/api/v1/namespaces/team");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(at(json(gone), {"message"}), "namespaces \"team\" not found");
}

TEST_F(ApiServerTest, StreamsAreBoundedAndCountedWhileTheyLive) {
  ApiServer api(store_, loop_, {.token = kToken, .max_streams = 2});
  const auto watch = [&] {
    http::ServerRequest request{.method = "GET",
                                .target = "/api/v1/pods?watch=true",
                                .fields = {{"Authorization", std::string("Bearer ") + kToken}},
                                .body = ""};
    return api.handle(request);
  };
  http::ServerResponse first = watch();
  http::ServerResponse second = watch();
  ASSERT_NE(first.stream, nullptr);
  ASSERT_NE(second.stream, nullptr);
  EXPECT_EQ(api.open_streams(), 2u);
  http::ServerResponse third = watch();
  EXPECT_EQ(third.stream, nullptr);
  EXPECT_EQ(third.status, 429);
  EXPECT_EQ(at(json(third), {"reason"}), "TooManyRequests");
  // Ordinary requests are still answered.
  http::ServerRequest list{.method = "GET",
                           .target = "/api/v1/pods",
                           .fields = {{"Authorization", std::string("Bearer ") + kToken}},
                           .body = ""};
  EXPECT_EQ(api.handle(list).status, 200);
  first.stream.reset();  // the client went away
  EXPECT_EQ(api.open_streams(), 1u);
  EXPECT_NE(watch().stream, nullptr);
}

TEST_F(ApiServerTest, ConfigMapsSecretsAndServiceAccountsAreStoredAndServed) {
  http::ServerResponse created =
      call("POST", "/api/v1/namespaces/default/secrets",
           R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"stringData":{"k":"v"}})",
           "application/json");
  ASSERT_EQ(created.status, 201) << created.body;
  const Node secret = json(call("GET", "/api/v1/namespaces/default/secrets/s"));
  EXPECT_EQ(at(secret, {"data", "k"}), "dg==");
  EXPECT_EQ(at(secret, {"type"}), "Opaque");
  EXPECT_EQ(at(secret, {"stringData"}), "<absent>");
  ASSERT_EQ(call("POST", "/api/v1/namespaces/default/configmaps",
                 R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},)"
                 R"("data":{"a":"1","b":"2"}})",
                 "application/json")
                .status,
            201);
  const Node table = json(call("GET", "/api/v1/namespaces/default/configmaps", "", "",
                               "application/json;as=Table;v=v1;g=meta.k8s.io"));
  const Node& cells = *table.find("rows")->items()[0].find("cells");
  EXPECT_EQ(cells.items()[0].text(), "c");
  EXPECT_EQ(cells.items()[1].text(), "2");
  http::ServerResponse invalid =
      call("POST", "/api/v1/namespaces/default/secrets",
           R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"t"},"data":{"k":"v"}})",
           "application/json");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(at(json(invalid).find("details")->find("causes")->items()[0], {"field"}), "data[k]");
  EXPECT_EQ(call("POST", "/api/v1/namespaces/default/serviceaccounts",
                 R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"web"}})",
                 "application/json")
                .status,
            201);
  EXPECT_EQ(call("DELETE", "/api/v1/namespaces/default/configmaps/c").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/default/configmaps/c").status, 404);
}

}  // namespace
}  // namespace nodrop::apiserver
