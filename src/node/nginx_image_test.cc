#include "node/nginx_image.h"

#include <gtest/gtest.h>

#include "node/container_command.h"

namespace nodrop::node {
namespace {

api::Pod seed_pod() {
  api::Pod pod;
  pod.metadata.name = "nginx-1";
  pod.metadata.namespace_name = "default";
  pod.metadata.uid = "uid-1";
  api::Container container;
  container.name = "nginx";
  container.image = "nginx";
  api::ContainerPort port;
  port.container_port = 80;
  port.protocol = "TCP";
  container.ports = {port};
  pod.spec.containers = {container};
  return pod;
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t found = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++found;
  return found;
}

TEST(NginxImage, TheSeedsContainerRunsNginxInTheForegroundFromItsOwnDirectory) {
  const std::vector<ImageMapping> images = {nginx_mapping()};
  const auto spec = container_process_spec(seed_pod(), 0, {"127.0.2.7", "127.0.1.1"},
                                           "/data/pods/logs", images, {}, "/data/pods/uid-1");
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  EXPECT_EQ(spec->argv,
            (std::vector<std::string>{"/usr/sbin/nginx", "-p", "/data/pods/uid-1/nginx/", "-c",
                                      "nginx.conf", "-e", "stderr"}));
  EXPECT_EQ(spec->directories, (std::vector<std::string>{"/data/pods/uid-1"}));
  ASSERT_EQ(spec->files.size(), 2U);
  EXPECT_EQ(spec->files[0].path, "/data/pods/uid-1/nginx/nginx.conf");
  EXPECT_EQ(spec->files[1].path, "/data/pods/uid-1/nginx/html/index.html");
  const std::string& configuration = spec->files[0].content;
  EXPECT_EQ(count(configuration, "listen "), 1U);
  EXPECT_NE(configuration.find("listen 127.0.2.7:80;"), std::string::npos);
  EXPECT_NE(configuration.find("daemon off;"), std::string::npos);
  EXPECT_NE(configuration.find("access_log /dev/stdout;"), std::string::npos);
  EXPECT_NE(configuration.find("error_log stderr"), std::string::npos);
  // Nothing nginx writes leaves its prefix: no absolute path but the log's.
  EXPECT_EQ(count(configuration, " /"), 1U);
  EXPECT_EQ(stop_signal_of(seed_pod().spec.containers[0], images), runtime::Signal::kQuit);
}

TEST(NginxImage, ListensOnEachDeclaredTcpPortOnceAndOn80WhenNoneIsDeclared) {
  api::Container container = seed_pod().spec.containers[0];
  api::ContainerPort https;
  https.name = "https";
  https.container_port = 443;
  api::ContainerPort again = container.ports[0];
  again.name = "http-again";
  api::ContainerPort udp;
  udp.container_port = 53;
  udp.protocol = "UDP";
  container.ports = {container.ports[0], https, again, udp};
  const std::string configuration = nginx_configuration(container, "127.0.2.9");
  EXPECT_EQ(count(configuration, "listen "), 2U);
  EXPECT_NE(configuration.find("listen 127.0.2.9:80;"), std::string::npos);
  EXPECT_NE(configuration.find("listen 127.0.2.9:443;"), std::string::npos);
  container.ports.clear();
  EXPECT_NE(nginx_configuration(container, "127.0.2.9").find("listen 127.0.2.9:80;"),
            std::string::npos);
}

TEST(NginxImage, WithoutAPodDirectoryItsFilesHaveNowhereToGo) {
  const std::vector<ImageMapping> images = {nginx_mapping()};
  const auto spec = container_process_spec(seed_pod(), 0, {"127.0.2.7", "127.0.1.1"}, "/l", images);
  ASSERT_FALSE(spec.is_ok());
  EXPECT_EQ(spec.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace nodrop::node
