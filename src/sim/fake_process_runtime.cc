#include "sim/fake_process_runtime.h"

#include "base/check.h"

namespace nodrop::sim {

void FakeProcessRuntime::set_behavior(const std::string& command, Behavior behavior) {
  behaviors_[command] = behavior;
}

void FakeProcessRuntime::set_missing(const std::string& command) { missing_.insert(command); }

Result<runtime::ProcessId> FakeProcessRuntime::start(const runtime::ProcessSpec& spec,
                                                     ExitCallback on_exit) {
  NODROP_CHECK(on_exit != nullptr);
  if (spec.argv.empty() || spec.argv[0].empty()) return invalid_argument("empty command");
  if (missing_.count(spec.argv[0]) != 0) {
    return not_found("command \"" + spec.argv[0] + "\" not found");
  }
  const runtime::ProcessId id = next_id_++;
  specs_.emplace(id, spec);
  const auto behavior = behaviors_.find(spec.argv[0]);
  Running& process = running_[id];
  process.behavior = behavior == behaviors_.end() ? Behavior{} : behavior->second;
  process.on_exit = std::move(on_exit);
  if (process.behavior.runs_for) {
    schedule_exit(id, *process.behavior.runs_for, process.behavior.exit_on_its_own);
  }
  return id;
}

Status FakeProcessRuntime::signal(runtime::ProcessId process, runtime::Signal signal) {
  const auto found = running_.find(process);
  if (found == running_.end()) {
    return not_found("process " + std::to_string(process) + " has exited");
  }
  signals_.push_back({loop_.clock().now(), process, signal});
  switch (signal) {
    case runtime::Signal::kKill:
      exit_process(process, {runtime::ExitKind::kSignaled, 0, 9});
      break;
    case runtime::Signal::kTerminate: {
      const Behavior& behavior = found->second.behavior;
      if (behavior.exit_delay_after_sigterm) {
        schedule_exit(process, *behavior.exit_delay_after_sigterm, behavior.exit_on_sigterm);
      }
      break;
    }
  }
  return Status::ok();
}

void FakeProcessRuntime::schedule_exit(runtime::ProcessId process, runtime::Duration delay,
                                       runtime::ProcessExit exit) {
  Running& running = running_.at(process);
  const runtime::Time at = loop_.clock().now() + delay;
  // Of two exits on their way (a crash due, then SIGTERM), the earlier one happens.
  if (running.exit_timer) {
    if (running.exit_at <= at) return;
    loop_.cancel(*running.exit_timer);
  }
  running.exit_at = at;
  running.exit_timer = loop_.run_at(at, [this, process, exit] { exit_process(process, exit); });
}

bool FakeProcessRuntime::exit_process(runtime::ProcessId process, runtime::ProcessExit exit) {
  const auto found = running_.find(process);
  if (found == running_.end()) return false;
  if (found->second.exit_timer) loop_.cancel(*found->second.exit_timer);
  ExitCallback on_exit = std::move(found->second.on_exit);
  running_.erase(found);
  loop_.post([on_exit = std::move(on_exit), exit] { on_exit(exit); });
  return true;
}

const runtime::ProcessSpec* FakeProcessRuntime::spec(runtime::ProcessId process) const {
  const auto found = specs_.find(process);
  return found == specs_.end() ? nullptr : &found->second;
}

}  // namespace nodrop::sim
