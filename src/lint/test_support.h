// Shared by the lint tests: run the rules over fixture files of src/lint/testdata.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "lint/check.h"
#include "lint/corpus.h"

namespace nodrop::lint::testing {

inline std::string source_path(const std::string& relative) {
  return std::string(NODROP_SOURCE_ROOT) + "/" + relative;
}

inline std::string read_file(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  EXPECT_TRUE(stream.good()) << "cannot open " << path;
  std::ostringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}

inline CheckResult check_text(const std::string& text, const CheckOptions& options = {}) {
  Corpus corpus;
  const Status status = add_manifest_text(corpus, text, "test.yaml");
  EXPECT_TRUE(status.is_ok()) << status.message();
  return check(corpus, options);
}

inline CheckResult check_files(const std::vector<std::string>& relative_paths,
                               const CheckOptions& options = {}) {
  Corpus corpus;
  for (const std::string& relative : relative_paths) {
    const Status status = add_manifest_text(corpus, read_file(source_path(relative)), relative);
    EXPECT_TRUE(status.is_ok()) << status.message();
  }
  return check(corpus, options);
}

inline std::size_t count_rule(const CheckResult& result, RuleId rule) {
  std::size_t count = 0;
  for (const Finding& finding : result.findings) count += finding.rule == rule;
  return count;
}

}  // namespace nodrop::lint::testing
