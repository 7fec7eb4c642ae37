#include "sim/fake_process_runtime.h"

#include <algorithm>
#include <vector>

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
  ++started_;
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

Result<runtime::ProcessId> FakeProcessRuntime::adopt(const runtime::ProcessSpec& spec,
                                                     ExitCallback on_exit) {
  NODROP_CHECK(on_exit != nullptr);
  for (auto& [old_id, process] : running_) {
    if (!process.orphaned || spec.key.empty() || specs_.at(old_id).key != spec.key) continue;
    const runtime::ProcessId id = next_id_++;
    specs_.emplace(id, spec);
    Running adopted = std::move(process);
    running_.erase(old_id);
    adopted.orphaned = false;
    adopted.on_exit = std::move(on_exit);
    const std::optional<runtime::TimerId> timer = adopted.exit_timer;
    adopted.exit_timer.reset();
    running_.emplace(id, std::move(adopted));
    if (timer) {  // the exit on its way, now under the new id
      loop_.cancel(*timer);
      Running& moved = running_.at(id);
      moved.exit_timer = loop_.run_at(
          moved.exit_at, [this, id, exit = moved.pending_exit] { exit_process(id, exit); });
    }
    return id;
  }
  return not_found("no process runs under the key \"" + spec.key + "\"");
}

void FakeProcessRuntime::orphan_all() {
  for (auto& [id, process] : running_) {
    process.orphaned = true;
    process.on_exit = nullptr;
  }
}

void FakeProcessRuntime::end_orphans() {
  std::vector<runtime::ProcessId> orphaned;
  for (const auto& [id, process] : running_) {
    if (process.orphaned) orphaned.push_back(id);
  }
  for (runtime::ProcessId id : orphaned) exit_process(id, {runtime::ExitKind::kSignaled, 0, 9});
}

std::size_t FakeProcessRuntime::orphans() const {
  return static_cast<std::size_t>(std::count_if(
      running_.begin(), running_.end(), [](const auto& entry) { return entry.second.orphaned; }));
}

Status FakeProcessRuntime::signal(runtime::ProcessId process, runtime::Signal signal) {
  const auto found = running_.find(process);
  if (found == running_.end() || found->second.orphaned) {
    return not_found("process " + std::to_string(process) + " has exited");
  }
  signals_.push_back({loop_.clock().now(), process, signal});
  switch (signal) {
    case runtime::Signal::kKill:
      exit_process(process, {runtime::ExitKind::kSignaled, 0, 9});
      break;
    case runtime::Signal::kTerminate:
    case runtime::Signal::kQuit:
    case runtime::Signal::kInterrupt: {
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
  running.pending_exit = exit;
  running.exit_timer = loop_.run_at(at, [this, process, exit] { exit_process(process, exit); });
}

bool FakeProcessRuntime::exit_process(runtime::ProcessId process, runtime::ProcessExit exit) {
  const auto found = running_.find(process);
  if (found == running_.end()) return false;
  if (found->second.exit_timer) loop_.cancel(*found->second.exit_timer);
  ExitCallback on_exit = std::move(found->second.on_exit);
  running_.erase(found);
  if (on_exit)
    loop_.post([on_exit = std::move(on_exit), exit] { on_exit(exit); });  // an orphan's: nobody
  return true;
}

const runtime::ProcessSpec* FakeProcessRuntime::spec(runtime::ProcessId process) const {
  const auto found = specs_.find(process);
  return found == specs_.end() ? nullptr : &found->second;
}

}  // namespace nodrop::sim
