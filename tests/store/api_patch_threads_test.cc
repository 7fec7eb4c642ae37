// The API server under concurrent writers, as its HTTPS server's connection threads call it
// (threads are not allowed in the pure module's own tests).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "apiserver/api_server.h"
#include "apiserver/json.h"
#include "sim/sim_loop.h"
#include "store/memory_persistence.h"

namespace nodrop::apiserver {
namespace {

constexpr const char* kToken = "0123456789abcdef0123456789abcdef";

constexpr const char* kDeployment = R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "web", "labels": {"app": "web"}},
  "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
    "template": {"metadata": {"labels": {"app": "web"}},
      "spec": {"containers": [{"name": "app", "image": "demo-app:v1", "command": ["demo-app"]}]}}}})";

// A patch that names no resourceVersion applies to whatever version it finds, as the API server's
// GuaranteedUpdate does: writers racing on one object all succeed, none gets a 409. Each commit
// takes commit_time, as a disk's sync might, which keeps the writers in each other's way.
void patch_concurrently(std::chrono::milliseconds commit_time, int thread_count, int patches) {
  sim::SimLoop loop;
  sim::SeededRandom random{3};
  store::MemoryPersistence disk;
  disk.set_before_write([commit_time](const std::vector<store::Commit>&) {
    std::this_thread::sleep_for(commit_time);
    return Status::ok();
  });
  store::Store store{loop, random, {.persistence = &disk}};
  ApiServer api{
      store, loop, {.token = kToken, .server_address = "127.0.0.1:6443", .log_directory = "/none"}};
  const auto call = [&api](const std::string& method, const std::string& target,
                           const std::string& body = "", const std::string& content_type = "") {
    http::ServerRequest request;
    request.method = method;
    request.target = target;
    request.body = body;
    request.fields.emplace_back("Authorization", std::string("Bearer ") + kToken);
    if (!content_type.empty()) request.fields.emplace_back("Content-Type", content_type);
    return api.handle(request);
  };
  ASSERT_EQ(
      call("POST", "/apis/apps/v1/namespaces/default/deployments", kDeployment, "application/json")
          .status,
      201);
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int thread = 0; thread < thread_count; ++thread) {
    threads.emplace_back([&, thread] {
      for (int i = 0; i < patches; ++i) {
        const http::ServerResponse patched =
            call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
                 fmt::format(R"({{"metadata":{{"labels":{{"t{}":"{}"}}}}}})", thread, i),
                 "application/merge-patch+json");
        if (patched.status != 200) ++failed;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failed.load(), 0);
  Result<Node> web =
      parse_body(call("GET", "/apis/apps/v1/namespaces/default/deployments/web").body);
  ASSERT_TRUE(web.is_ok());
  const Node* labels = web->find("metadata")->find("labels");
  for (int thread = 0; thread < thread_count; ++thread) {
    const Node* label = labels->find(fmt::format("t{}", thread));
    ASSERT_NE(label, nullptr);
    EXPECT_EQ(label->text(), std::to_string(patches - 1));
  }
}

TEST(ApiServerThreads, ConcurrentPatchesWithoutAResourceVersionAllSucceed) {
  patch_concurrently(std::chrono::milliseconds(1), 8, 20);
}

// A commit slower than a patch's thousand attempts: a patch that lost to a write on its way to
// disk read the object before it again and again (reads see committed writes only) and got a 409
// after its attempts; it waits for the write instead.
TEST(ApiServerThreads, APatchThatLostToAWriteNotYetDurableWaitsForIt) {
  patch_concurrently(std::chrono::milliseconds(300), 4, 2);
}

}  // namespace
}  // namespace nodrop::apiserver
