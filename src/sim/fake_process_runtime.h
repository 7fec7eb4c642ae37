// A runtime::ProcessRuntime for virtual-time tests of the kubelet: no process runs; a test decides
// how each command behaves, makes processes crash, and reads back what was started and signalled.
//
// Behaviour is chosen per command (argv[0]) with set_behavior(); the default is a process that
// runs until signalled and dies at once by SIGTERM (or the other stop signals, SIGQUIT and SIGINT,
// which it treats alike). SIGKILL always ends a process at once. Exit callbacks run on a later
// turn of the loop (never inside start() or signal()), as the port's contract requires, and the
// process counts as gone from the moment its exit is decided.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runtime/event_loop.h"
#include "runtime/process_runtime.h"

namespace nodrop::sim {

class FakeProcessRuntime final : public runtime::ProcessRuntime {
 public:
  struct Behavior {
    // After SIGTERM the process exits this much later, with `exit_on_sigterm`; nullopt means it
    // ignores SIGTERM and only SIGKILL ends it.
    std::optional<runtime::Duration> exit_delay_after_sigterm = runtime::Duration::zero();
    runtime::ProcessExit exit_on_sigterm{runtime::ExitKind::kSignaled, 0, 15};
    // When set, the process exits by itself this long after it started (a crash, or a job).
    std::optional<runtime::Duration> runs_for;
    runtime::ProcessExit exit_on_its_own{runtime::ExitKind::kExited, 1, 0};
  };

  struct SignalRecord {
    runtime::Time at;
    runtime::ProcessId process;
    runtime::Signal signal;
  };

  explicit FakeProcessRuntime(runtime::EventLoop& loop) : loop_(loop) {}

  void set_behavior(const std::string& command, Behavior behavior);
  // start() of this command fails with kNotFound, as a missing executable does.
  void set_missing(const std::string& command);
  // Ends a running process now (a crash, or an exit the test decides); false if not running.
  bool exit_process(runtime::ProcessId process, runtime::ProcessExit exit);
  // The nodrop that owned every running process died: each keeps running, ownerless (its id no
  // longer signals it, its exit is told to nobody), until adopt() by its key, or its end.
  void orphan_all();
  // Ends every orphan, as its supervisor does once it has waited in vain for a new nodrop.
  void end_orphans();
  std::size_t orphans() const;

  Result<runtime::ProcessId> start(const runtime::ProcessSpec& spec, ExitCallback on_exit) override;
  // An orphan started with spec.key, under a new id.
  Result<runtime::ProcessId> adopt(const runtime::ProcessSpec& spec, ExitCallback on_exit) override;
  Status signal(runtime::ProcessId process, runtime::Signal signal) override;
  // What listening_sockets() answers for the process (nothing until set).
  void set_listening_sockets(runtime::ProcessId process,
                             std::vector<runtime::ListeningSocket> sockets) {
    listening_[process] = std::move(sockets);
  }
  std::vector<runtime::ListeningSocket> listening_sockets(runtime::ProcessId process) override {
    const auto found = listening_.find(process);
    if (!is_running(process) || found == listening_.end()) return {};
    return found->second;
  }
  // The processes owned by this runtime; orphans are not.
  std::size_t running() const override { return running_.size() - orphans(); }
  void remove_log(const std::string& log_path) override { removed_logs_.push_back(log_path); }
  const std::vector<std::string>& removed_logs() const { return removed_logs_; }
  void remove_directory(const std::string& directory) override {
    removed_directories_.push_back(directory);
  }
  const std::vector<std::string>& removed_directories() const { return removed_directories_; }

  bool is_running(runtime::ProcessId process) const { return running_.count(process) != 0; }
  // The spec every process was started with, running or not; nullptr for an unknown id.
  const runtime::ProcessSpec* spec(runtime::ProcessId process) const;
  // How many start() calls started a process (adoptions are not starts).
  std::size_t started() const { return started_; }
  const std::vector<SignalRecord>& signals() const { return signals_; }

 private:
  struct Running {
    Behavior behavior;
    ExitCallback on_exit;
    std::optional<runtime::TimerId> exit_timer;  // a pending exit (own, or after SIGTERM)
    runtime::Time exit_at{};
    runtime::ProcessExit pending_exit{};
    bool orphaned = false;
  };

  void schedule_exit(runtime::ProcessId process, runtime::Duration delay,
                     runtime::ProcessExit exit);

  runtime::EventLoop& loop_;
  runtime::ProcessId next_id_ = 1;
  std::size_t started_ = 0;
  std::map<std::string, Behavior> behaviors_;
  std::set<std::string> missing_;
  std::map<runtime::ProcessId, runtime::ProcessSpec> specs_;
  std::map<runtime::ProcessId, Running> running_;
  std::vector<SignalRecord> signals_;
  std::vector<std::string> removed_logs_;
  std::vector<std::string> removed_directories_;
  std::map<runtime::ProcessId, std::vector<runtime::ListeningSocket>> listening_;
};

}  // namespace nodrop::sim
