// nodrop load URL --rate R --duration D [...]: constant-rate traffic and its report.
#include <fmt/format.h>

#include <fstream>

#include "cli/traffic_output.h"
#include "cli/verbs_list.h"
#include "live/processes/command_process.h"
#include "live/terminal.h"
#include "traffic/run.h"

namespace nodrop::cli {

int run_load(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    out << "Usage: nodrop load URL [OPTIONS]\n\n"
           "Sends requests at a constant rate, whether or not answers come back, and reports "
           "every\n"
           "outcome. URL is http://HOST[:PORT][/PATH] or tcp://HOST:PORT (echo). Exit status 1\n"
           "when any request failed.\n\nOptions:\n"
        << traffic::load_options_usage();
    return kExitOk;
  }
  Result<traffic::LoadOptions> options = traffic::parse_load_options(args);
  if (!options) {
    err << "nodrop load: " << options.status().message()
        << "\nrun 'nodrop load --help' for the options\n";
    return kExitUsage;
  }
  if (Status writable = check_traffic_outputs(*options); !writable.is_ok()) {
    err << "nodrop load: " << writable.message() << "\n";
    return kExitUsage;
  }
  const bool show_progress = !options->quiet && live::is_terminal(2);
  Result<traffic::Report> report = traffic::run_load(*options, show_progress ? &err : nullptr);
  if (!report) {
    err << "nodrop load: " << report.status().message() << "\n";
    return kExitUsage;
  }
  return write_traffic_outputs(*report, "load", out, err);
}

}  // namespace nodrop::cli
