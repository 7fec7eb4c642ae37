// The cluster verbs' command lines, read before any request is sent: flags as every verb reads
// them, mistakes named with the flag and the usage, --help on each.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/verb.h"
#include "cli/verbs_list.h"

namespace nodrop::cli {
namespace {

struct VerbRun {
  int status = 0;
  std::string out;
  std::string err;
};

VerbRun run(int (*verb)(const Args&, std::ostream&, std::ostream&), const Args& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int status = verb(args, out, err);
  return {status, out.str(), err.str()};
}

TEST(ClusterVerbs, EachHasHelpWithItsUsageAndTheCommonFlags) {
  const std::vector<std::pair<int (*)(const Args&, std::ostream&, std::ostream&), std::string>>
      verbs = {{run_get, "nodrop get"},           {run_apply, "nodrop apply"},
               {run_delete, "nodrop delete"},     {run_scale, "nodrop scale"},
               {run_rollout, "nodrop rollout"},   {run_logs, "nodrop logs"},
               {run_describe, "nodrop describe"}, {run_events, "nodrop events"}};
  for (const auto& [verb, usage] : verbs) {
    const VerbRun help = run(verb, {"--help"});
    EXPECT_EQ(help.status, kExitOk) << usage;
    EXPECT_EQ(help.out.rfind("Usage: " + usage, 0), 0u) << help.out;
    EXPECT_NE(help.out.find("--data-dir DIR"), std::string::npos) << usage;
    EXPECT_NE(help.out.find("--kubeconfig FILE"), std::string::npos) << usage;
  }
}

TEST(ClusterVerbs, MistakesOnTheCommandLineNameTheFlagAndSendNothing) {
  // Each refused before a kubeconfig is looked for: --data-dir names a directory without one.
  const std::string nowhere = "--data-dir=/nonexistent/nodrop-test";
  const VerbRun output = run(run_get, {"pods", "-o", "xml", nowhere});
  EXPECT_EQ(output.status, kExitUsage);
  EXPECT_EQ(output.err.rfind("nodrop get: -o: must be wide, json, yaml, name, jsonpath=TEMPLATE or "
                             "custom-columns=SPEC, not \"xml\"\n",
                             0),
            0u)
      << output.err;
  EXPECT_EQ(run(run_get, {nowhere}).err.rfind("nodrop get: name a kind: nodrop get pods\n", 0), 0u);
  EXPECT_EQ(
      run(run_get, {"pods", "--colour", nowhere}).err.rfind("nodrop get: unknown flag --colour", 0),
      0u);
  EXPECT_EQ(run(run_get, {"deploy,svc", "-w", nowhere}).status, kExitUsage);
  EXPECT_EQ(run(run_apply, {nowhere})
                .err.rfind("nodrop apply: name what to apply with -f FILE|DIR|-\n", 0),
            0u);
  EXPECT_EQ(run(run_scale, {"deploy/web", nowhere})
                .err.rfind("nodrop scale: --replicas N is required\n", 0),
            0u);
  EXPECT_EQ(run(run_scale, {"deploy/web", "--replicas", "-1", nowhere}).status, kExitUsage);
  EXPECT_EQ(run(run_scale, {"svc/web", "--replicas", "2", nowhere})
                .err.rfind("nodrop scale: service cannot be scaled\n", 0),
            0u);
  EXPECT_EQ(
      run(run_rollout, {"rewind", "deploy/web", nowhere})
          .err.rfind(
              "nodrop rollout: unknown subcommand \"rewind\": status, history, undo, restart, "
              "pause or resume\n",
              0),
      0u);
  EXPECT_EQ(run(run_rollout, {"status", "svc/web", nowhere})
                .err.rfind("nodrop rollout: rollout works on Deployments, not service\n", 0),
            0u);
  EXPECT_EQ(run(run_rollout, {"status", "deploy/web", "--timeout", "soon", nowhere}).status,
            kExitUsage);
  EXPECT_EQ(
      run(run_delete, {nowhere})
          .err.rfind("nodrop delete: name the objects either as KIND NAME... or with -f FILE\n", 0),
      0u);
  EXPECT_EQ(run(run_delete, {"deploy/web", "--cascade=sometimes", nowhere}).status, kExitUsage);
  EXPECT_EQ(run(run_delete, {"deploy/web", "--wait=maybe", nowhere}).status, kExitUsage);
  EXPECT_EQ(run(run_logs, {"a", "b", nowhere})
                .err.rfind("nodrop logs: name one pod, or deploy/NAME\n", 0),
            0u);
}

TEST(ClusterVerbs, ADataDirWithoutAClusterIsReportedWithHowToStartOne) {
  const VerbRun none = run(run_get, {"pods", "--data-dir", "/nonexistent/nodrop-test"});
  EXPECT_EQ(none.status, kExitFailure);
  EXPECT_EQ(none.err,
            "error: no cluster at data dir /nonexistent/nodrop-test (it has no kubeconfig): start "
            "one with `nodrop up --data-dir /nonexistent/nodrop-test`, or name another with "
            "--data-dir DIR or --kubeconfig FILE\n");
}

}  // namespace
}  // namespace nodrop::cli
