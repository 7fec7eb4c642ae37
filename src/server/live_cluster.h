// A Cluster over the live ports, as `nodrop up` runs it: one epoll loop on the calling thread,
// real processes under their supervisors, real probes. Tests run the same object in-process to
// read its store while it runs.
//
//   LiveCluster cluster(config);           // the data dir is made (owner-only) and locked, its
//                                          // database opened
//   cluster.start();                       // the store loaded, nodes registered, controllers
//                                          // running
//   cluster.apply_on_loop(objects, done);  // from any thread
//   cluster.run();                         // until stop() or a finished shutdown
//
// Threading: run() on one thread; store() from any; everything else before run() or on the loop.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "live/lock_file.h"
#include "live/loop/epoll_loop.h"
#include "live/loop/system_clock.h"
#include "live/probers.h"
#include "live/processes/process_runtime.h"
#include "server/cluster.h"
#include "server/live_data_plane.h"
#include "store/sqlite_persistence.h"

namespace nodrop::server {

// The data dir (owner-only, as every file in it):
//   lock          held while a nodrop runs on the data dir (live/lock_file.h): a second one is
//                 refused with the first one's pid and command line
//   state.db      the store (store/sqlite_persistence.h), with its -wal and -shm files
//   pods/         the pods' logs
//   supervisors/  a socket per running container, where its supervisor waits for the next
//                 nodrop if this one dies (live/processes/pod_supervisor.h)
class LiveCluster {
 public:
  static constexpr const char* kLockFile = "lock";
  static constexpr const char* kDatabaseFile = "state.db";
  static constexpr const char* kSupervisorsDirectory = "supervisors";

  // Makes the data dir, takes its lock and opens its database. Errors: kFailedPrecondition when
  // another nodrop runs on the data dir, or the database is refused (newer schema, corrupt, not
  // nodrop's; left untouched), with a message for the user.
  static Result<std::unique_ptr<LiveCluster>> create(ClusterConfig config);
  ~LiveCluster();

  Status start();
  // Runs the loop until stop(), or until shut_down() has finished.
  void run();
  // Thread-safe: ends run() at once (pods are then killed with their groups as the runtime goes).
  void stop() { loop_.stop(); }
  // On the loop: node shutdown of every node, then run() returns.
  void shut_down();

  // Runs a task on the loop, from any thread.
  void post(std::function<void()> task) { loop_.post_from_any_thread(std::move(task)); }

  live::EpollLoop& loop() { return loop_; }
  Cluster& cluster() { return *cluster_; }
  store::Store& store() { return cluster_->store(); }
  const std::string& data_dir() const { return data_dir_; }

 private:
  LiveCluster() = default;

  std::string data_dir_;
  std::optional<live::LockFile> lock_;  // released last
  std::unique_ptr<store::SqlitePersistence> persistence_;
  live::EpollLoop loop_;
  live::SystemRandom random_;
  std::unique_ptr<live::LiveProcessRuntime> processes_;
  std::unique_ptr<live::LiveProber> prober_;
  std::unique_ptr<LiveDataPlane> data_plane_;
  std::unique_ptr<Cluster> cluster_;
};

}  // namespace nodrop::server
