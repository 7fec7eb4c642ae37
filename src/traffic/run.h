// Runs a whole `nodrop load` or `nodrop verify` on a fresh event loop and returns its report.
//
// verify, on one loop:
//   t=0                 load starts (at the constant rate)
//   t=before            COMMAND starts; mark "command started"
//   COMMAND exits       mark "command exited N"; the load's end moves to now + settle
//   end of load         every request has an outcome (at most --timeout after the last was due)
// When --duration ends first, the command is killed and the verdict fails.
#pragma once

#include <ostream>

#include "base/status.h"
#include "traffic/load_options.h"
#include "traffic/report.h"

namespace nodrop::traffic {

// progress, when not null, gets a progress line once a second, rewritten in place ("\r"); the
// caller passes it only when a person watches a terminal.
Result<Report> run_load(const LoadOptions& options, std::ostream* progress);
Result<Report> run_verify(const VerifyOptions& options, std::ostream* progress);

}  // namespace nodrop::traffic
