#include "cli/traffic_output.h"

#include <filesystem>
#include <fstream>

#include "cli/verb.h"

namespace nodrop::cli {

namespace {

// Whether path can be written, found out without changing it: opened for appending (which writes
// nothing), and removed again if the check created it.
bool can_write(const std::string& path) {
  std::error_code error;
  const bool existed = std::filesystem::exists(path, error);
  bool writable = false;
  {
    std::ofstream file(path, std::ios::app);
    writable = file.is_open();
  }
  if (writable && !existed) std::filesystem::remove(path, error);
  return writable && !std::filesystem::is_directory(path, error);
}

}  // namespace

Status check_traffic_outputs(const traffic::LoadOptions& options) {
  for (const std::string* path : {&options.json_path, &options.svg_path}) {
    if (path->empty() || *path == "-") continue;
    if (!can_write(*path)) {
      return invalid_argument("cannot write " + *path + " (checked before the run, not after it)");
    }
  }
  return Status::ok();
}

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
