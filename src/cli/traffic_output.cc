#include "cli/traffic_output.h"

#include <fstream>

#include "cli/verb.h"

namespace nodrop::cli {

int write_traffic_outputs(const traffic::Report& report, std::string_view verb, std::ostream& out,
                          std::ostream& err) {
  const traffic::LoadOptions& options = report.options;
  const bool json_to_stdout = options.json_path == "-";
  traffic::write_summary(report, json_to_stdout ? err : out);
  int status = report.passed() ? kExitOk : kExitFailure;
  if (json_to_stdout) {
    traffic::write_json(report, out);
  } else if (!options.json_path.empty()) {
    std::ofstream file(options.json_path);
    traffic::write_json(report, file);
    if (!file) {
      err << "nodrop " << verb << ": cannot write " << options.json_path << "\n";
      status = kExitUsage;
    }
  }
  if (!options.svg_path.empty()) {
    std::ofstream file(options.svg_path);
    file << traffic::timeline_svg(report);
    if (!file) {
      err << "nodrop " << verb << ": cannot write " << options.svg_path << "\n";
      status = kExitUsage;
    }
  }
  return status;
}

}  // namespace nodrop::cli
