#include "dependency_rule.h"

#include <gtest/gtest.h>

#include <fstream>

namespace nodrop::architecture {
namespace {

namespace fs = std::filesystem;

// A throwaway source tree for proving that each rule fires.
class FixtureTree {
 public:
  FixtureTree() {
    root_ = fs::temp_directory_path() /
            ("nodrop-architecture-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~FixtureTree() { fs::remove_all(root_); }

  void write(const std::string& relative, const std::string& text) {
    const fs::path path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  std::vector<Violation> check() const { return check_source_tree(root_); }

 private:
  fs::path root_;
};

std::string describe(const std::vector<Violation>& violations) {
  std::string text;
  for (const auto& violation : violations) text += to_string(violation) + "\n";
  return text;
}

TEST(DependencyRule, TheRealSourceTreeFollowsTheRule) {
  const auto violations = check_source_tree(NODROP_SOURCE_ROOT);
  EXPECT_TRUE(violations.empty()) << describe(violations);
}

TEST(DependencyRule, CleanFixturePasses) {
  FixtureTree tree;
  tree.write("base/status.h", "#include <string>\n");
  tree.write("controller/rolling.cc",
             "#include \"controller/rolling.h\"\n#include \"api/deployment.h\"\n"
             "#include \"runtime/clock.h\"\n#include \"base/status.h\"\n"
             "// steady_clock::now() is mentioned only in this comment\n"
             "const char* text = \"sleep_for(1s) in a string\";\n");
  tree.write("controller/rolling_test.cc", "#include \"sim/sim_loop.h\"\n");
  tree.write(
      "live/epoll_loop.cc",
      "#include <sys/epoll.h>\n#include <unistd.h>\nauto t = std::chrono::steady_clock::now();\n");
  EXPECT_TRUE(tree.check().empty()) << describe(tree.check());
}

TEST(DependencyRule, OsHeaderOutsideLiveIsAViolation) {
  FixtureTree tree;
  tree.write("node/kubelet.cc",
             "#include <string>\n#include <sys/socket.h>\n#include <unistd.h>\n");
  const auto violations = tree.check();
  ASSERT_EQ(violations.size(), 2U) << describe(violations);
  EXPECT_EQ(violations[0].rule, "os-header");
  EXPECT_EQ(violations[0].file, "node/kubelet.cc");
  EXPECT_EQ(violations[0].line, 2);
}

TEST(DependencyRule, ClockReadOutsideLiveIsAViolation) {
  FixtureTree tree;
  tree.write("proxy/routing/table.cc",
             "#include <chrono>\nvoid f() {\n  auto t = std::chrono::steady_clock::now();\n}\n");
  tree.write("controller/queue.cc", "void g() { std::this_thread::sleep_for(d); }\n");
  tree.write("node/probe.cc", "int r = rand();\n");
  const auto violations = tree.check();
  ASSERT_EQ(violations.size(), 3U) << describe(violations);
  for (const auto& violation : violations) EXPECT_EQ(violation.rule, "clock-or-os-call");
}

TEST(DependencyRule, IncludeAgainstTheModuleDirectionIsAViolation) {
  FixtureTree tree;
  tree.write("api/pod.h", "#include \"controller/deployment.h\"\n");  // api may not see controller
  tree.write("controller/rolling.cc",
             "#include \"live/loop/epoll_loop.h\"\n");  // pure core may not see live
  tree.write("proxy/routing/table.h", "#include \"proxy/transport/listener.h\"\n");
  tree.write("manifest/read.cc",
             "#include \"api/pod.h\"\n#include \"base/status.h\"\n");  // allowed
  const auto violations = tree.check();
  ASSERT_EQ(violations.size(), 3U) << describe(violations);
  for (const auto& violation : violations) EXPECT_EQ(violation.rule, "include-direction");
}

TEST(DependencyRule, TestsMayUseTheSimulatorButProductionCodeMayNot) {
  FixtureTree tree;
  tree.write("node/kubelet_test.cc", "#include \"sim/sim_loop.h\"\n");
  tree.write("node/kubelet.cc", "#include \"sim/sim_loop.h\"\n");
  const auto violations = tree.check();
  ASSERT_EQ(violations.size(), 1U) << describe(violations);
  EXPECT_EQ(violations[0].file, "node/kubelet.cc");
}

TEST(DependencyRule, LibraryHeadersStayInTheirAdapters) {
  FixtureTree tree;
  tree.write("manifest/yaml_reader.cc", "#include <yaml.h>\n");
  tree.write("lint/rules.cc", "#include <yaml.h>\n");
  tree.write("store/sqlite_store.cc", "#include <sqlite3.h>\n");
  tree.write("controller/history.cc", "#include <sqlite3.h>\n");
  const auto violations = tree.check();
  ASSERT_EQ(violations.size(), 2U) << describe(violations);
  EXPECT_EQ(violations[0].file, "controller/history.cc");
  EXPECT_EQ(violations[1].file, "lint/rules.cc");
}

}  // namespace
}  // namespace nodrop::architecture
