// A container's process under a small supervisor of nodrop's own, so that a container's processes
// live and die as a group, and outlive a nodrop that died long enough for the next one to adopt
// them (runtime/process_runtime.h), however it died (SIGKILL included).
//
// Why: PR_SET_PDEATHSIG on the container's main process reaches only that process, not what it
// forks (an app's workers, `sh -c 'a & b'`), and it fires when the spawning *thread* exits, not
// the process. Something that outlives nodrop must hold the group, and without a daemon.
//
// Design. spawn_supervised() forks (clone3 with CLONE_PIDFD, no exec) a supervisor per container:
//
//   nodrop ──pidfd, control socket──▶ supervisor (subreaper, all signals blocked)
//      ▲                                 │  └─▶ main process (leads the group, PDEATHSIG SIGKILL)
//      └── <data dir>/supervisors/ ◀─────┘           └─▶ whatever it forks (same group)
//          <hash of key>.sock: a new nodrop reconnects here
//
//   - The control socket (SOCK_SEQPACKET) carries nodrop's signal requests one way and the main
//     process's exit the other. nodrop's end is close-on-exec, so no exec'd process keeps it; the
//     supervisor closes every other descriptor it inherited (the data dir's lock and database
//     among them). The kernel closes nodrop's end when nodrop's last thread exits, for any reason.
//   - When the supervisor sees end-of-file there, nodrop has died: it waits up to the reconnect
//     timeout for a new nodrop on its listening socket (bound by nodrop before the fork, in a
//     directory of the data dir, and listened on by the supervisor, so that SO_PEERCRED names the
//     supervisor), then sends SIGKILL to the group. A nodrop that connects
//     says which process it wants (the key: the kubelet's container ID); the supervisor checks it
//     and the peer's uid, and answers with the main process's pid, a pidfd of itself and the read
//     end of the output pipe (SCM_RIGHTS). The new nodrop checks that the peer is the process the
//     pidfd names and that the main process is that process's child: the same
//     process, not one that took a reused pid. The connection is then the control socket.
//     Without a listening socket (no key) it kills the group at once, as before adoption existed.
//   - The supervisor keeps a copy of the output pipe's read end, so that the pod never writes to
//     a pipe without a reader (SIGPIPE) while no nodrop runs; the pipe holds 1 MiB (F_SETPIPE_SZ),
//     and a pod that writes more before it is adopted blocks until it is.
//   - The supervisor is the only reaper of the main process, and it signals the group only while
//     that process is not yet reaped: the group id is the main process's pid, which cannot be
//     reused before then. nodrop never signals the group itself; it asks over the socket.
//     When the main process exits, the supervisor sends SIGKILL to the group *before* reaping
//     it, removes its listening socket, reports the exit (si_code, si_status) and exits 0.
//   - PR_SET_CHILD_SUBREAPER (no privilege needed): members of the group orphaned by their
//     parent are re-parented to the supervisor, which reaps them as they exit instead of pid 1.
//     After the main process, it keeps reaping until the group is empty or it has no children,
//     for at most kLingerTimeouts × kLingerPoll (2 s) of quiet; then it exits.
//   - nodrop watches the supervisor's pidfd: it becomes readable after the group is dead, and
//     the report the supervisor left on the socket carries the main process's exit exactly. (An
//     adopted supervisor is not nodrop's child: its parent, pid 1 or a subreaper, reaps it.)
//   - The supervisor blocks every signal, so a SIGINT or SIGTERM meant for nodrop's process group
//     (a terminal's ^C) does not take it down; nodrop's own shutdown decides what happens to pods.
//
// Rejected: PID namespaces (the kernel would kill the namespace when its init dies) need
// CAP_SYS_ADMIN or an unprivileged user namespace, and make the app pid 1, which ignores SIGTERM
// without a handler; re-executing nodrop with a hidden verb needs the binary's path and a verb in
// every program linking this module (the tests too), for no gain in what the supervisor can do.
// Socket paths: a path names the socket through /proc/self/fd/<directory fd>/<16 hex>.sock, so it
// stays far below sun_path's 108 bytes however long the data dir's path is.
//
// Failure cases, and what happens:
//   - nodrop SIGKILLed, crashed, or exited without stopping its pods: every supervisor sees
//     end-of-file, waits for a new nodrop for the reconnect timeout, then kills its group; the
//     processes are reaped by the supervisors.
//   - The main process exits while no nodrop runs: the supervisor kills the group and exits; the
//     next nodrop finds no socket and starts the container again.
//   - A supervisor alone SIGKILLed (by a user, the OOM killer, or a kill of nodrop's whole process
//     group): the main process dies by its PDEATHSIG, but what it forked is orphaned to pid 1 (or
//     a subreaper above nodrop) and keeps running: nothing can name the group safely any more.
//     nodrop reports the container as killed by the supervisor's signal; a socket file left behind
//     refuses connections, and the next nodrop removes it.
//   - A process that leaves the group (setsid, setpgid) escapes like it did before: the contract
//     is the group. It is re-parented to the supervisor while the supervisor lives.
//   - A group member whose parent is outside the group and does not reap it stays a zombie; the
//     supervisor gives up after its linger bound, so the exit report is late by at most that.
//   - Cost: one extra process per container, a copy-on-write fork of nodrop (its resident set is
//     shared until written; the supervisor writes only its stack).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

#include "base/status.h"
#include "live/processes/pidfd.h"
#include "runtime/process_runtime.h"

namespace nodrop::live {

struct SupervisedChild {
  pid_t pid = -1;             // the main process; also its group id. For diagnostics only.
  pid_t supervisor_pid = -1;  // nodrop's child, unless adopted
  int supervisor_pidfd = -1;  // readable when the supervisor has exited
  int control_fd = -1;        // nodrop's end of the control socket
  bool adopted = false;       // from an earlier nodrop: not this process's child
};

// How a supervisor waits for a new nodrop when its own dies.
struct Lifeline {
  int directory_fd = -1;    // where its listening socket goes; -1: none, the pod dies with nodrop
  std::string socket_name;  // within that directory (socket_name_of(key))
  std::string key;          // what a reconnecting nodrop must ask for (runtime::kMaxKeyBytes)
  std::chrono::milliseconds reconnect_timeout{30'000};
  int output_read_fd = -1;  // the output pipe's read end, kept and handed to the next nodrop
};

// "<16 hex digits of a hash of key>.sock".
std::string socket_name_of(const std::string& key);

// How long a supervisor waits, once the main process has exited, for the rest of the group to be
// reaped: it stops after kLingerTimeouts polls of kLingerPoll in which no child exited.
constexpr std::chrono::milliseconds kLingerPoll{100};
constexpr int kLingerTimeouts = 20;

// Starts the supervisor and, under it, the process. Returns only after execve succeeded or
// failed, with the same errors as spawn() (a missing command is kNotFound).
Result<SupervisedChild> spawn_supervised(const SpawnRequest& request,
                                         const Lifeline& lifeline = {});

// What adopting a supervisor brings: the child, and the output pipe's read end (owned by the
// caller).
struct AdoptedChild {
  SupervisedChild child;
  int output_read_fd = -1;
};

// Connects to the supervisor listening at lifeline.socket_name in lifeline.directory_fd and asks
// it for lifeline.key; waits for its answer at most `timeout`. kNotFound when no supervisor
// answers there (its socket file, if any is left, is removed), or one answers for another key;
// kFailedPrecondition when the answer does not check out (another user, another process).
Result<AdoptedChild> adopt_supervised(const Lifeline& lifeline, std::chrono::milliseconds timeout);

// Asks the supervisor to send the signal to the group. OK also when the supervisor has already
// exited but is not yet reaped: its exit is about to be reported.
Status signal_supervised(const SupervisedChild& child, runtime::Signal signal);

// Reaps the supervisor (its pidfd must be readable, or this blocks) and returns the main
// process's exit. Closes both descriptors.
runtime::ProcessExit reap_supervised(const SupervisedChild& child);

// Asks the supervisor to kill the group, closes the control socket and does not wait: to stop
// many pods at once, call this for each, then kill_and_reap_supervised() for each.
void kill_supervised(SupervisedChild& child);

// kill_supervised() unless done already, then waits for the supervisor to exit; for shutdown.
// Closes both descriptors.
void kill_and_reap_supervised(SupervisedChild& child);

// The parent of a live process, from /proc; -1 when it cannot be read. A pod's main process's
// parent is its supervisor (how an adopting nodrop checks the answer, and what tests look up).
pid_t parent_of(pid_t pid);

}  // namespace nodrop::live
