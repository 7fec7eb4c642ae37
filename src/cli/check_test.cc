// `nodrop check` as CI runs it: exit statuses, formats, flags.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/verbs_list.h"

namespace nodrop::cli {
namespace {

std::string path(const std::string& relative) {
  return std::string(NODROP_SOURCE_ROOT) + "/" + relative;
}

struct CheckRun {
  int status = 0;
  std::string out;
  std::string err;
};

CheckRun run(const Args& args) {
  std::ostringstream out;
  std::ostringstream err;
  CheckRun result;
  result.status = run_check(args, out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

TEST(Check, SeedManifestsPass) {
  const CheckRun result = run({path("examples/seed")});
  EXPECT_EQ(result.status, kExitOk) << result.out << result.err;
  EXPECT_NE(result.out.find("0 errors, 0 warnings"), std::string::npos) << result.out;
}

TEST(Check, AFindingAtTheFailOnSeverityExitsOne) {
  const std::string file =
      path("src/lint/testdata/rules/prestop-missing/triggers.yaml");  // a warning
  EXPECT_EQ(run({file}).status, kExitFailure);
  EXPECT_EQ(run({"--fail-on", "error", file}).status, kExitOk);
  EXPECT_EQ(run({"--fail-on=none", file}).status, kExitOk);
  EXPECT_EQ(run({"--fail-on", "info", path("examples/seed/pod.yaml")}).status, kExitFailure);
}

TEST(Check, MalformedYamlExitsTwoNamingFileAndLine) {
  const std::string file = path("src/lint/testdata/malformed/unclosed-flow.yaml");
  const CheckRun result = run({file});
  EXPECT_EQ(result.status, kExitUsage);
  EXPECT_NE(result.err.find(file + ":6: invalid YAML"), std::string::npos) << result.err;
}

TEST(Check, OneUnreadableFileDoesNotHideTheOthersFindings) {
  const std::string broken = path("src/lint/testdata/malformed/unclosed-flow.yaml");
  const std::string triggers = path("src/lint/testdata/rules/prestop-missing/triggers.yaml");
  const CheckRun result = run({broken, triggers, path("does-not-exist.yaml")});
  EXPECT_EQ(result.status, kExitUsage);
  EXPECT_NE(result.err.find(broken + ":6: invalid YAML"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("does-not-exist.yaml: cannot open the file"), std::string::npos)
      << result.err;
  EXPECT_NE(result.out.find("[prestop-missing]"), std::string::npos) << result.out;
}

TEST(Check, MissingFileAndBadFlagsExitTwo) {
  EXPECT_EQ(run({path("does-not-exist.yaml")}).status, kExitUsage);
  EXPECT_EQ(run({}).status, kExitUsage);
  EXPECT_EQ(run({"--format", "xml", path("examples/seed")}).status, kExitUsage);
  EXPECT_EQ(run({"--proxy-sync", "soon", path("examples/seed")}).status, kExitUsage);
  EXPECT_EQ(run({"--color", "sometimes", path("examples/seed")}).status, kExitUsage);
  // One flag reader: the flag is named, known or not, with or without its value.
  const CheckRun unknown = run({"--frobnicate", path("examples/seed")});
  EXPECT_EQ(unknown.status, kExitUsage);
  EXPECT_NE(unknown.err.find("unknown flag --frobnicate"), std::string::npos) << unknown.err;
  const CheckRun missing = run({path("examples/seed"), "--fail-on"});
  EXPECT_NE(missing.err.find("--fail-on needs a value"), std::string::npos) << missing.err;
  EXPECT_EQ(run({"--fail-on=none", "--proxy-sync=2s", path("examples/seed")}).status, kExitOk);
}

TEST(Check, PropagationFlagsChangeThePreStopVerdict) {
  // The Local Service's pods sleep 30 s in preStop (examples/seed): enough for 5 s + 15 s.
  EXPECT_EQ(run({path("examples/seed")}).status, kExitOk);
  const CheckRun slow = run({"--lb-deregistration-delay", "40s", path("examples/seed")});
  EXPECT_EQ(slow.status, kExitFailure);
  EXPECT_NE(slow.out.find("prestop-shorter-than-propagation"), std::string::npos);
}

TEST(Check, FormatsAreSelectable) {
  const std::string file = path("src/lint/testdata/rules/rollout-cannot-progress/triggers.yaml");
  EXPECT_EQ(run({"--format", "json", file}).out.rfind("{", 0), 0u);
  EXPECT_NE(run({"--format=sarif", file}).out.find("\"version\": \"2.1.0\""), std::string::npos);
  EXPECT_EQ(run({"--color", "never", file}).out.find("\x1b["), std::string::npos);
  EXPECT_NE(run({"--color", "always", file}).out.find("\x1b["), std::string::npos);
}

}  // namespace
}  // namespace nodrop::cli
