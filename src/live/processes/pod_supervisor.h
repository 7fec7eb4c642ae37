// A container's process under a small supervisor of nodrop's own, so that when nodrop dies,
// however it dies (SIGKILL included), every process of the container dies with it.
//
// Why: PR_SET_PDEATHSIG on the container's main process reaches only that process, not what it
// forks (an app's workers, `sh -c 'a & b'`), and it fires when the spawning *thread* exits, not
// the process. Something that outlives nodrop must kill the group, and without a daemon.
//
// Design. spawn_supervised() forks (clone3 with CLONE_PIDFD, no exec) a supervisor per container:
//
//   nodrop ──pidfd, control socket──▶ supervisor (subreaper, all signals blocked)
//                                        └─▶ main process (leads the group, PDEATHSIG SIGKILL)
//                                               └─▶ whatever it forks (same group)
//
//   - The lifeline is a SOCK_SEQPACKET socket pair: nodrop holds one end (close-on-exec, so no
//     exec'd process keeps it), the supervisor the other, having closed every other descriptor
//     it inherited. The kernel closes nodrop's end when nodrop's last thread exits, for any
//     reason; the supervisor sees end-of-file, sends SIGKILL to the group, and reaps. A thread
//     of nodrop exiting changes nothing.
//   - The supervisor is the only reaper of the main process, and it signals the group only while
//     that process is not yet reaped: the group id is the main process's pid, which cannot be
//     reused before then. nodrop never signals the group itself; it asks over the socket.
//     When the main process exits, the supervisor sends SIGKILL to the group *before* reaping
//     it, then reports the exit (si_code, si_status) over the socket and exits 0.
//   - PR_SET_CHILD_SUBREAPER (no privilege needed): members of the group orphaned by their
//     parent are re-parented to the supervisor, which reaps them as they exit instead of pid 1.
//     After the main process, it keeps reaping until the group is empty or it has no children,
//     for at most kLingerTimeouts × kLingerPoll (2 s) of quiet; then it exits.
//   - nodrop watches the supervisor's pidfd: it becomes readable after the group is dead, and
//     the report the supervisor left on the socket carries the main process's exit exactly.
//   - The supervisor blocks every signal, so a SIGINT or SIGTERM meant for nodrop's process group
//     (a terminal's ^C) does not take it down; nodrop's own shutdown decides what happens to pods.
//
// Rejected: PID namespaces (the kernel would kill the namespace when its init dies) need
// CAP_SYS_ADMIN or an unprivileged user namespace, and make the app pid 1, which ignores SIGTERM
// without a handler; re-executing nodrop with a hidden verb needs the binary's path and a verb in
// every program linking this module (the tests too), for no gain in what the supervisor can do.
//
// Failure cases, and what happens:
//   - nodrop SIGKILLed, crashed, or exited without stopping its pods: every supervisor sees
//     end-of-file and kills its group; the processes are reaped by the supervisors.
//   - A supervisor alone SIGKILLed (by a user, the OOM killer, or a kill of nodrop's whole process
//     group): the main process dies by its PDEATHSIG, but what it forked is orphaned to pid 1 (or
//     a subreaper above nodrop) and keeps running: nothing can name the group safely any more.
//     nodrop reports the container as killed by the supervisor's signal.
//   - A process that leaves the group (setsid, setpgid) escapes like it did before: the contract
//     is the group. It is re-parented to the supervisor while the supervisor lives.
//   - A group member whose parent is outside the group and does not reap it stays a zombie; the
//     supervisor gives up after its linger bound, so the exit report is late by at most that.
//   - Cost: one extra process per container, a copy-on-write fork of nodrop (its resident set is
//     shared until written; the supervisor writes only its stack).
#pragma once

#include <sys/types.h>

#include <chrono>

#include "base/status.h"
#include "live/processes/pidfd.h"
#include "runtime/process_runtime.h"

namespace nodrop::live {

struct SupervisedChild {
  pid_t pid = -1;             // the main process; also its group id. For diagnostics only.
  pid_t supervisor_pid = -1;  // nodrop's child
  int supervisor_pidfd = -1;  // readable when the supervisor has exited
  int control_fd = -1;        // nodrop's end of the socket pair; closing it kills the group
};

// How long a supervisor waits, once the main process has exited, for the rest of the group to be
// reaped: it stops after kLingerTimeouts polls of kLingerPoll in which no child exited.
constexpr std::chrono::milliseconds kLingerPoll{100};
constexpr int kLingerTimeouts = 20;

// Starts the supervisor and, under it, the process. Returns only after execve succeeded or
// failed, with the same errors as spawn() (a missing command is kNotFound).
Result<SupervisedChild> spawn_supervised(const SpawnRequest& request);

// Asks the supervisor to send the signal to the group. OK also when the supervisor has already
// exited but is not yet reaped: its exit is about to be reported.
Status signal_supervised(const SupervisedChild& child, runtime::Signal signal);

// Reaps the supervisor (its pidfd must be readable, or this blocks) and returns the main
// process's exit. Closes both descriptors.
runtime::ProcessExit reap_supervised(const SupervisedChild& child);

// Closes the control socket, so the supervisor kills the group, and does not wait: to stop many
// pods at once, call this for each, then kill_and_reap_supervised() for each.
void kill_supervised(SupervisedChild& child);

// kill_supervised() unless done already, then waits for the supervisor to exit; for shutdown.
// Closes both descriptors.
void kill_and_reap_supervised(SupervisedChild& child);

}  // namespace nodrop::live
