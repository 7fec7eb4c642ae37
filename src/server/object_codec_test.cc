// The database's rows are the API's JSON: every field the store keeps, system fields and status
// included, comes back from a row as it was (times at the API's precision: whole seconds, and
// microseconds for an Event's eventTime).
#include "server/object_codec.h"

#include <gtest/gtest.h>

#include "api/defaults.h"
#include "controller/test_deployment.h"

namespace nodrop::server {
namespace {

using std::chrono::seconds;

WallTime at(std::int64_t second) { return WallTime(seconds(1'800'000'000 + second)); }

void expect_round_trip(const api::Object& object) {
  const store::ObjectCodec codec = api_json_codec();
  const std::string text = codec.encode(object);
  Result<api::Object> decoded = codec.decode(text);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string() << "\n" << text;
  EXPECT_EQ(*decoded, object) << text;
}

TEST(ObjectCodec, APodWithItsSystemFieldsAndStatusComesBackAsItWas) {
  api::Pod pod;
  pod.metadata.name = "web-5d4f-x2b4c";
  pod.metadata.namespace_name = "default";
  pod.metadata.generate_name = "web-5d4f-";
  pod.metadata.uid = "6c1b0f3e-1111-4222-8333-444455556666";
  pod.metadata.resource_version = "42";
  pod.metadata.creation_timestamp = at(0);
  pod.metadata.deletion_timestamp = at(30);
  pod.metadata.deletion_grace_period_seconds = 30;
  pod.metadata.labels = {{"app", "web"}, {"pod-template-hash", "5d4f"}};
  pod.metadata.owner_references = {{.api_version = "apps/v1",
                                    .kind = "ReplicaSet",
                                    .name = "web-5d4f",
                                    .uid = "77",
                                    .controller = true,
                                    .block_owner_deletion = true}};
  pod.metadata.finalizers = {"example.com/keep"};
  api::Container container;
  container.name = "app";
  container.image = "demo-app:v2";
  container.command = {"/bin/demo-app"};
  container.args = {"--listen", "$(POD_IP):8080"};
  pod.spec.containers = {container};
  pod.spec.node_name = "node-2";
  api::set_defaults(pod);
  pod.status.phase = api::PodPhase::kRunning;
  pod.status.pod_ip = "127.0.16.7";
  pod.status.host_ip = "127.0.1.2";
  pod.status.start_time = at(1);
  api::Condition ready;
  ready.type = "Ready";
  ready.status = api::ConditionStatus::kTrue;
  ready.last_transition_time = at(3);
  pod.status.conditions = {ready};
  api::ContainerStatus status;
  status.name = "app";
  status.image = "demo-app:v2";
  status.ready = true;
  status.started = true;
  status.restart_count = 2;
  status.container_id = "nodrop://6c1b0f3e-1111-4222-8333-444455556666/app/3";
  status.state.running = api::ContainerStateRunning{at(2)};
  api::ContainerStateTerminated last;
  last.exit_code = 137;
  last.signal = 9;
  last.reason = "Error";
  last.started_at = at(1);
  last.finished_at = at(2);
  status.last_state.terminated = last;
  pod.status.container_statuses = {status};
  expect_round_trip(pod);
}

TEST(ObjectCodec, ADeploymentWithItsRevisionAndStatusComesBackAsItWas) {
  api::Deployment deployment = controller::test_deployment_to_apply(3, "demo-app:v1", "demo-app");
  deployment.metadata.uid = "1";
  deployment.metadata.resource_version = "9";
  deployment.metadata.generation = 4;
  deployment.metadata.creation_timestamp = at(0);
  deployment.metadata.annotations = {{"deployment.kubernetes.io/revision", "2"}};
  deployment.status.observed_generation = 4;
  deployment.status.replicas = 4;
  deployment.status.updated_replicas = 1;
  deployment.status.ready_replicas = 3;
  deployment.status.available_replicas = 3;
  deployment.status.unavailable_replicas = 1;
  api::Condition progressing;
  progressing.type = "Progressing";
  progressing.status = api::ConditionStatus::kTrue;
  progressing.reason = "ReplicaSetUpdated";
  progressing.last_update_time = at(5);
  progressing.last_transition_time = at(4);
  deployment.status.conditions = {progressing};
  expect_round_trip(deployment);
}

TEST(ObjectCodec, AnEventKeepsItsMicroseconds) {
  api::Event event;
  event.metadata.name = "web.17f";
  event.metadata.namespace_name = "default";
  event.metadata.uid = "5";
  event.metadata.resource_version = "12";
  event.metadata.creation_timestamp = at(0);
  event.involved_object = {.api_version = "v1",
                           .kind = "Pod",
                           .namespace_name = "default",
                           .name = "web",
                           .uid = "6",
                           .resource_version = "11",
                           .field_path = ""};
  event.reason = "Started";
  event.message = "Started container app";
  event.source = {"kubelet", "node-1"};
  event.first_timestamp = at(0);
  event.last_timestamp = at(0);
  event.count = 1;
  event.event_time = at(0) + std::chrono::microseconds(250'125);
  event.reporting_component = "kubelet";
  event.reporting_instance = "node-1";
  expect_round_trip(event);
}

TEST(ObjectCodec, TextThatIsNotOneObjectIsAnError) {
  const store::ObjectCodec codec = api_json_codec();
  EXPECT_FALSE(codec.decode("{").is_ok());
  EXPECT_FALSE(codec.decode("{\"apiVersion\": \"example.com/v1\", \"kind\": \"Widget\"}").is_ok());
  EXPECT_FALSE(codec.decode("").is_ok());
}

}  // namespace
}  // namespace nodrop::server
