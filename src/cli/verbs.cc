#include <array>
#include <new>

#include "cli/verb.h"
#include "cli/verbs_list.h"

namespace nodrop::cli {
namespace {

int run_help(const Args& args, std::ostream& out, std::ostream& err);
int run_version(const Args& args, std::ostream& out, std::ostream& err);

const auto kVerbs = std::to_array<Verb>({
    {"up", "run a cluster on this machine in the foreground: nodrop up -f FILE", run_up},
    {"demo", "roll a Deployment under load nine ways and report what each loses: nodrop demo",
     run_demo},
    {"apply", "create or update objects from manifests, as kubectl: nodrop apply -f FILE|DIR|-",
     run_apply},
    {"get", "list objects as kubectl does: nodrop get KIND [NAME] [-o wide|json|yaml|name]",
     run_get},
    {"describe", "describe objects as kubectl does: nodrop describe deploy/NAME, describe pods",
     run_describe},
    {"events", "list a namespace's events, oldest first: nodrop events [--for deploy/NAME]",
     run_events},
    {"delete", "delete objects: nodrop delete KIND NAME | -f FILE", run_delete},
    {"scale", "set a Deployment's replicas: nodrop scale deploy/NAME --replicas N", run_scale},
    {"rollout", "follow or restart a rollout: nodrop rollout status|restart deploy/NAME",
     run_rollout},
    {"logs", "print a pod's log: nodrop logs POD|deploy/NAME [--tail N]", run_logs},
    {"check", "rollout-safety lint for Kubernetes manifests: nodrop check FILE|DIR|-...",
     run_check},
    {"proxy", "run the data plane alone: an L4/HTTP load balancer", run_proxy},
    {"validate", "check manifests against Kubernetes' rules: nodrop validate FILE|DIR...",
     run_validate},
    {"load", "send constant-rate traffic and count every failed request", run_load},
    {"verify", "count the requests dropped while a command (a rollout) runs", run_verify},
    {"version", "print nodrop's version", run_version},
    {"help", "list the commands", run_help},
});

int run_help(const Args& /*args*/, std::ostream& out, std::ostream& /*err*/) {
  out << "nodrop: Kubernetes Deployments and LoadBalancer Services on one host, rolled out "
         "without\n"
         "dropping a request.\n\nUsage: nodrop COMMAND [ARGS...]\n\nCommands:\n";
  for (const Verb& verb : kVerbs) {
    out << "  " << verb.name << std::string(12 - std::min<std::size_t>(11, verb.name.size()), ' ')
        << verb.summary << "\n";
  }
  return kExitOk;
}

int run_version(const Args& /*args*/, std::ostream& out, std::ostream& /*err*/) {
  out << "nodrop " << NODROP_VERSION << "\n";
  return kExitOk;
}

}  // namespace

std::span<const Verb> verbs() { return kVerbs; }

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  if (argc < 2) {
    run_help({}, err, err);
    return kExitUsage;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h") return run_help({}, out, err);
  if (name == "--version") return run_version({}, out, err);
  for (const Verb& verb : kVerbs) {
    if (verb.name != name) continue;
    try {
      return verb.run(Args(argv + 2, argv + argc), out, err);
    } catch (const std::bad_alloc&) {
      // The last resort: verbs bound what their inputs may cost and name the input that needed
      // more memory than the machine has; anything else still ends with a message and a status
      // instead of an abort. Unwinding has freed what the verb held.
      err << "nodrop " << name << ": out of memory\n";
      return kExitFailure;
    }
  }
  err << "nodrop: unknown command \"" << name << "\"; run 'nodrop help' for the list\n";
  return kExitUsage;
}

}  // namespace nodrop::cli
