#include <gtest/gtest.h>

#include <sstream>

#include "cli/verbs_list.h"

namespace nodrop::cli {
namespace {

struct Outcome {
  int status;
  std::string out;
  std::string err;
};

Outcome run(const Args& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int status = run_proxy(args, out, err);
  return {status, out.str(), err.str()};
}

TEST(ProxyVerb, PrintsUsageOnHelp) {
  const Outcome outcome = run({"--help"});
  EXPECT_EQ(outcome.status, kExitOk);
  EXPECT_NE(outcome.out.find("--listen ADDR:PORT"), std::string::npos);
}

TEST(ProxyVerb, RefusesBadCommandLinesWithAMessageNamingTheFlag) {
  const std::vector<std::pair<Args, std::string>> cases = {
      {{"--listen", "127.0.0.1:80"}, "at least one --backend"},
      {{"--backend", "127.0.0.1:80"}, "--listen"},
      {{"--listen", "localhost:80", "--backend", "127.0.0.1:80"}, "--listen: \"localhost:80\""},
      {{"--listen", "127.0.0.1:80", "--backend", "127.0.0.1:80", "--mode", "udp"}, "--mode"},
      {{"--listen", "127.0.0.1:80", "--backend", "127.0.0.1:80", "--workers", "0"}, "--workers"},
      {{"--listen", "127.0.0.1:80", "--backend", "127.0.0.1:80", "--picker", "random"}, "--picker"},
      {{"--listen", "127.0.0.1:80", "--backend", "127.0.0.1:80", "--profile", "x"}, "--profile"},
      {{"--listen", "127.0.0.1:80", "--frobnicate", "1"}, "unknown flag --frobnicate"},
      {{"--listen"}, "--listen needs a value"},
  };
  for (const auto& [args, message] : cases) {
    const Outcome outcome = run(args);
    EXPECT_EQ(outcome.status, kExitUsage) << message;
    EXPECT_NE(outcome.err.find(message), std::string::npos) << outcome.err;
  }
}

}  // namespace
}  // namespace nodrop::cli
