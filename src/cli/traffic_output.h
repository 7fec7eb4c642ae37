// What load and verify do with their report: the summary on stdout (or stderr when the JSON goes
// to stdout), the JSON and SVG files asked for, and the exit status of the verdict.
#pragma once

#include <ostream>
#include <string_view>

#include "base/status.h"
#include "traffic/report.h"

namespace nodrop::cli {

// InvalidArgument naming a --json or --svg file that cannot be written: checked before a run, so
// that a long run is not lost to a typo in a path.
Status check_traffic_outputs(const traffic::LoadOptions& options);

int write_traffic_outputs(const traffic::Report& report, std::string_view verb, std::ostream& out,
                          std::ostream& err);

}  // namespace nodrop::cli
