// `nodrop validate` on directories: the manifests below them, as `nodrop check` reads them.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/verbs_list.h"

namespace nodrop::cli {
namespace {

std::string path(const std::string& relative) {
  return std::string(NODROP_SOURCE_ROOT) + "/" + relative;
}

struct ValidateRun {
  int status = 0;
  std::string err;
};

ValidateRun run(const Args& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int status = run_validate(args, out, err);
  return {status, err.str()};
}

TEST(Validate, FlagsAreReadLikeEveryVerbsAndNamedInEveryError) {
  const ValidateRun bad_output = run({"-o=xml", path("examples/seed")});
  EXPECT_EQ(bad_output.status, kExitUsage);
  EXPECT_NE(bad_output.err.find("-o: must be yaml or json, not \"xml\""), std::string::npos)
      << bad_output.err;
  const ValidateRun unknown = run({"--colour", path("examples/seed")});
  EXPECT_NE(unknown.err.find("unknown flag --colour"), std::string::npos) << unknown.err;
  EXPECT_NE(run({"--strict=yes", path("examples/seed")}).err.find("--strict: takes no value"),
            std::string::npos);
  EXPECT_EQ(run({"--output=json", "--strict", path("examples/seed")}).status, kExitOk);
}

TEST(Validate, ADirectoryIsEveryManifestBelowIt) {
  // It said "1 file, 0 valid objects" and exited 0. (Which files are below a directory, nested
  // ones included, is manifest_inputs_test's.)
  const ValidateRun seed = run({path("examples/seed")});
  EXPECT_EQ(seed.status, kExitOk) << seed.err;
  EXPECT_EQ(seed.err, "5 files, 5 valid objects, 0 errors, 0 warnings\n");
}

TEST(Validate, MistakesBelowADirectoryAreReportedWithTheirFiles) {
  const ValidateRun mistakes = run({path("examples/mistakes")});
  EXPECT_EQ(mistakes.status, kExitFailure);
  EXPECT_NE(mistakes.err.find(path("examples/mistakes/broken-indentation.yaml") +
                              ":24: invalid YAML at column 2: did not find expected key"),
            std::string::npos)
      << mistakes.err;
  EXPECT_NE(mistakes.err.find("6 files, "), std::string::npos) << mistakes.err;
}

TEST(Validate, ADirectoryWithoutManifestsIsAnError) {
  const ValidateRun empty = run({path("docs/rules"), path("examples/seed/pod.yaml")});
  EXPECT_EQ(empty.status, kExitFailure);
  EXPECT_EQ(empty.err, path("docs/rules") +
                           ": no *.yaml, *.yml or *.json file below the directory\n"
                           "1 file, 1 valid object, 1 error, 0 warnings\n");
}

TEST(Validate, AnEndlessFileIsRefusedNotReadUntilMemoryRunsOut) {
  const ValidateRun zeros = run({"/dev/zero"});
  EXPECT_EQ(zeros.status, kExitFailure);
  EXPECT_EQ(
      zeros.err,
      "/dev/zero: file is larger than 64 MiB\n1 file, 0 valid objects, 1 error, 0 warnings\n");
}

}  // namespace
}  // namespace nodrop::cli
