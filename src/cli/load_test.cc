// load and verify as a user calls them: bad input is a clear message and exit status 2.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/verbs_list.h"
#include "live/sockets/tcp.h"

namespace nodrop::cli {
namespace {

struct Outcome {
  int status;
  std::string out;
  std::string err;
};

Outcome call(int (*verb)(const Args&, std::ostream&, std::ostream&), const Args& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int status = verb(args, out, err);
  return {status, out.str(), err.str()};
}

TEST(LoadVerb, BadInputExitsTwoWithAMessageNamingTheProblem) {
  const Outcome unknown = call(run_load, {"http://127.0.0.1:1/", "--bogus"});
  EXPECT_EQ(unknown.status, kExitUsage);
  EXPECT_NE(unknown.err.find("unknown option \"--bogus\""), std::string::npos);
  EXPECT_EQ(call(run_load, {"ftp://x/"}).status, kExitUsage);
  EXPECT_EQ(call(run_load, {"http://127.0.0.1:1/", "--rate", "2000000"}).status, kExitUsage);
  EXPECT_EQ(call(run_load, {"http://127.0.0.1:1/", "--duration", "5h"}).status, kExitUsage);
  EXPECT_EQ(call(run_verify, {"http://127.0.0.1:1/", "--rate", "10"}).status, kExitUsage);
  EXPECT_EQ(call(run_load, {"--help"}).status, kExitOk);
}

TEST(LoadVerb, AnOutputFileThatCannotBeWrittenIsRefusedBeforeTheRun) {
  // A minute of load that would be lost to a typo: refused at once, nothing sent.
  for (const char* flag : {"--json", "--svg"}) {
    const Outcome result = call(run_load, {"http://127.0.0.1:1/", "--duration", "1m", flag,
                                           "/nonexistent-directory/report"});
    EXPECT_EQ(result.status, kExitUsage);
    EXPECT_NE(result.err.find("cannot write /nonexistent-directory/report"), std::string::npos)
        << result.err;
  }
  const Outcome verify = call(run_verify, {"http://127.0.0.1:1/", "--json", "/", "--", "true"});
  EXPECT_EQ(verify.status, kExitUsage);
  EXPECT_NE(verify.err.find("cannot write /"), std::string::npos) << verify.err;
}

TEST(LoadVerb, ExitsOneWhenRequestsFailAndWritesJsonToStdout) {
  Result<live::Listener> refusing = live::bind_refusing_port({Ipv4Address::loopback(), 0});
  ASSERT_TRUE(refusing.is_ok());
  const std::string url = "http://127.0.0.1:" + std::to_string(refusing->endpoint.port) + "/";
  const Outcome result =
      call(run_load, {url, "--rate", "50", "--duration", "100ms", "--json", "-", "--quiet"});
  refusing->socket.reset();
  EXPECT_EQ(result.status, kExitFailure);
  EXPECT_NE(result.out.find("\"connect_refused\": 5"), std::string::npos) << result.out;
  EXPECT_NE(result.err.find("verdict    FAIL: 5 of 5 requests failed"), std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace nodrop::cli
