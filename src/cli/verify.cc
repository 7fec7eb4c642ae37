// nodrop verify URL [load options] -- COMMAND...: counts the requests a rollout drops.
#include "cli/traffic_output.h"
#include "cli/verbs_list.h"
#include "live/processes/command_process.h"
#include "live/terminal.h"
#include "traffic/run.h"

namespace nodrop::cli {

int run_verify(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    out << "Usage: nodrop verify URL [OPTIONS] -- COMMAND [ARGS...]\n\n"
           "Starts constant-rate load, runs COMMAND (a rollout and its status check), keeps the\n"
           "load for a settle time after COMMAND exits, and gives the verdict. Exit status 1 when\n"
           "more requests failed than --max-failures, or COMMAND failed.\n\nOptions:\n"
        << traffic::load_options_usage()
        << "  --before D          load before COMMAND starts (default 1s)\n"
           "  --settle D          load after COMMAND exits (default 5s)\n"
           "  --max-failures N    failures allowed for a pass (default 0)\n"
           "  (--duration bounds the whole run, default 10m; COMMAND is killed when it ends)\n";
    return kExitOk;
  }
  Result<traffic::VerifyOptions> options = traffic::parse_verify_options(args);
  if (!options) {
    err << "nodrop verify: " << options.status().message()
        << "\nrun 'nodrop verify --help' for the options\n";
    return kExitUsage;
  }
  if (Status writable = check_traffic_outputs(options->load); !writable.is_ok()) {
    err << "nodrop verify: " << writable.message() << "\n";
    return kExitUsage;
  }
  const bool show_progress = !options->load.quiet && live::is_terminal(2);
  Result<traffic::Report> report = traffic::run_verify(*options, show_progress ? &err : nullptr);
  if (!report) {
    err << "nodrop verify: " << report.status().message() << "\n";
    return kExitUsage;
  }
  return write_traffic_outputs(*report, "verify", out, err);
}

}  // namespace nodrop::cli
