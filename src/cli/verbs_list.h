// The entry point of each verb, one per file (validate.cc, ...).
#pragma once

#include "cli/verb.h"

namespace nodrop::cli {

int run_check(const Args& args, std::ostream& out, std::ostream& err);
int run_validate(const Args& args, std::ostream& out, std::ostream& err);
int run_load(const Args& args, std::ostream& out, std::ostream& err);
int run_verify(const Args& args, std::ostream& out, std::ostream& err);
int run_proxy(const Args& args, std::ostream& out, std::ostream& err);
int run_up(const Args& args, std::ostream& out, std::ostream& err);
int run_demo(const Args& args, std::ostream& out, std::ostream& err);
// The cluster verbs: clients of the Kubernetes API, with kubectl's names, flags and output.
int run_get(const Args& args, std::ostream& out, std::ostream& err);
int run_apply(const Args& args, std::ostream& out, std::ostream& err);
int run_delete(const Args& args, std::ostream& out, std::ostream& err);
int run_scale(const Args& args, std::ostream& out, std::ostream& err);
int run_rollout(const Args& args, std::ostream& out, std::ostream& err);
int run_logs(const Args& args, std::ostream& out, std::ostream& err);
int run_describe(const Args& args, std::ostream& out, std::ostream& err);
int run_events(const Args& args, std::ostream& out, std::ostream& err);

}  // namespace nodrop::cli
