#include "cli/manifest_inputs.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>

namespace nodrop::cli {
namespace {

namespace fs = std::filesystem;

// A directory tree of its own for each test, removed after it.
class ScratchTree {
 public:
  ScratchTree() {
    root_ = fs::temp_directory_path() /
            ("nodrop-inputs-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~ScratchTree() { fs::remove_all(root_); }

  std::string add(const std::string& relative) {
    const fs::path path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << "kind: Pod\n";
    return path.string();
  }
  std::string path(const std::string& relative) const { return (root_ / relative).string(); }

 private:
  fs::path root_;
};

TEST(ManifestInputs, ADirectoryStandsForItsManifestsInNameOrderAndOtherInputsForThemselves) {
  ScratchTree tree;
  const std::string b = tree.add("d/b.yaml");
  const std::string a = tree.add("d/a.yml");
  const std::string c = tree.add("d/sub/c.json");
  const std::string e = tree.add("d/sub/deeper/e.yaml");
  tree.add("d/notes.txt");
  tree.add("d/sub/chart.tpl");
  Result<ManifestFiles> expanded = expand_manifest_inputs({"x.yaml", tree.path("d"), "-"});
  ASSERT_TRUE(expanded.is_ok()) << expanded.status().to_string();
  EXPECT_EQ(expanded->files, (std::vector<std::string>{"x.yaml", a, b, c, e, "-"}));
  EXPECT_TRUE(expanded->empty_directories.empty());
}

TEST(ManifestInputs, LinksToDirectoriesAreNotFollowedAndDanglingLinksAreSkipped) {
  ScratchTree tree;
  const std::string a = tree.add("d/a.yaml");
  fs::create_directory_symlink(tree.path("d"), tree.path("d/loop"));
  fs::create_symlink(tree.path("missing.yaml"), tree.path("d/dangling.yaml"));
  Result<ManifestFiles> expanded = expand_manifest_inputs({tree.path("d")});
  ASSERT_TRUE(expanded.is_ok()) << expanded.status().to_string();
  EXPECT_EQ(expanded->files, std::vector<std::string>{a});
}

TEST(ManifestInputs, DirectoriesWithoutManifestsAreListed) {
  ScratchTree tree;
  tree.add("empty/README.md");
  const std::string a = tree.add("full/a.yaml");
  Result<ManifestFiles> expanded = expand_manifest_inputs({tree.path("empty"), tree.path("full")});
  ASSERT_TRUE(expanded.is_ok()) << expanded.status().to_string();
  EXPECT_EQ(expanded->files, std::vector<std::string>{a});
  EXPECT_EQ(expanded->empty_directories, std::vector<std::string>{tree.path("empty")});
}

}  // namespace
}  // namespace nodrop::cli
