// Fuzz target for what nodrop's Kubernetes API parses from a client: request targets (path and
// query), label and field selectors, the three patch formats, and whole requests through
// ApiServer::handle. Built as a corpus-replay program under g++ (ctest runs it over
// tests/fuzz/apiserver/, with tests/fuzz/replay_main.cc), and as a libFuzzer target under clang
// with -DNODROP_LIBFUZZER:
//   ./api_fuzz -max_len=65536 corpus/ tests/fuzz/apiserver
//
// The first byte chooses the mode; the rest is its input. Requests ("r" mode) are lines: the
// method, the target, the Content-Type, the Accept, then the body. Invariants checked:
//   - a parsed target has no empty, "." or ".." segment and at most kMaxParameters parameters;
//   - a patch's result is a tree that JSON writes and reads back unchanged;
//   - every answer has a status from 200 to 599, and every error is a Status whose code is the
//     answer's; a refused write changes nothing in the store.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "apiserver/api_server.h"
#include "apiserver/json.h"
#include "apiserver/patch.h"
#include "apiserver/selectors.h"
#include "apiserver/target.h"
#include "base/check.h"
#include "sim/sim_loop.h"

namespace nodrop::apiserver {
namespace {

constexpr const char* kToken = "fuzz-token";

// Cuts text at its first newline: the line, and text after it.
std::string_view cut_line(std::string_view& text) {
  const auto newline = text.find('\n');
  const std::string_view line = text.substr(0, newline);
  text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  return line;
}

void check_target(std::string_view input) {
  Result<Target> target = parse_target(input);
  if (!target) return;
  NODROP_CHECK(target->query.size() <= Target::kMaxParameters);
  for (const std::string& segment : target->segments) {
    NODROP_CHECK(!segment.empty() && segment != "." && segment != "..");
  }
}

void check_selectors(std::string_view input) {
  (void)parse_label_selector(input);
  for (const char* kind : {"Pod", "Event", "Deployment", "Node"}) {
    Result<std::vector<FieldRequirement>> fields = parse_field_selector(input, kind);
    if (fields) {
      for (const FieldRequirement& requirement : *fields) {
        NODROP_CHECK(!requirement.field.empty());
      }
    }
  }
}

void check_round_trip(const Result<Node>& result) {
  if (!result) return;
  const std::string written = to_json(*result);
  Result<Node> read = parse_body(written);
  NODROP_CHECK(read.is_ok());
  NODROP_CHECK(to_json(*read) == written);
}

void check_patches(std::string_view input) {
  // The document, a newline, the patch.
  const std::string document_text(cut_line(input));
  Result<Node> document = parse_body(document_text);
  Result<Node> patch = parse_body(std::string(input));
  if (!document || !patch) return;
  check_round_trip(apply_json_patch(*document, *patch));
  check_round_trip(apply_merge_patch(*document, *patch));
  check_round_trip(
      apply_strategic_merge_patch(*document, *patch, [](const std::vector<std::string>& path) {
        return kubernetes_list_strategy("Deployment", path);
      }));
}

constexpr const char* kWeb = R"({"apiVersion":"apps/v1","kind":"Deployment",
  "metadata":{"name":"web","labels":{"app":"web"}},
  "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
    "template":{"metadata":{"labels":{"app":"web"}},
      "spec":{"containers":[{"name":"app","image":"demo-app:v1","command":["demo-app"],
        "env":[{"name":"A","value":"1"}]}]}}}})";

void check_request(std::string_view input) {
  sim::SimLoop loop;
  sim::SeededRandom random(1);
  store::Store store(loop, random);
  ApiServer api(store, loop, {.token = kToken, .log_directory = "/nonexistent", .max_streams = 4});
  http::ServerRequest create{.method = "POST",
                             .target = "/apis/apps/v1/namespaces/default/deployments",
                             .fields = {{"Authorization", std::string("Bearer ") + kToken},
                                        {"Content-Type", "application/json"}},
                             .body = kWeb};
  NODROP_CHECK(api.handle(create).status == 201);

  http::ServerRequest request;
  request.method = std::string(cut_line(input));
  request.target = std::string(cut_line(input));
  request.fields = {{"Authorization", std::string("Bearer ") + kToken},
                    {"Content-Type", std::string(cut_line(input))},
                    {"Accept", std::string(cut_line(input))}};
  request.body = std::string(input);
  const store::ResourceVersion before = store.resource_version();
  http::ServerResponse response = api.handle(request);
  NODROP_CHECK(response.status >= 200 && response.status <= 599);
  if (response.status >= 400) {
    NODROP_CHECK(response.stream == nullptr);
    Result<Node> status = parse_body(response.body);
    NODROP_CHECK(status.is_ok());
    const Node* kind = status->find("kind");
    const Node* code = status->find("code");
    NODROP_CHECK(kind != nullptr && kind->text() == "Status");
    NODROP_CHECK(code != nullptr && code->text() == std::to_string(response.status));
    NODROP_CHECK(store.resource_version() == before);
  }
  if (response.stream != nullptr) {
    // A few chunks of a watch or a log, without waiting.
    for (int i = 0; i < 3; ++i) {
      if (response.stream->next(std::chrono::milliseconds(0)).done) break;
    }
  }
}

}  // namespace
}  // namespace nodrop::apiserver

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0]) {
    case 't':
      nodrop::apiserver::check_target(input);
      break;
    case 's':
      nodrop::apiserver::check_selectors(input);
      break;
    case 'p':
      nodrop::apiserver::check_patches(input);
      break;
    case 'r':
      nodrop::apiserver::check_request(input);
      break;
    default:
      break;
  }
  return 0;
}
