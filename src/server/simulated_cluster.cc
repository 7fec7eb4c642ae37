#include "server/simulated_cluster.h"

namespace nodrop::server {
namespace {

// The kubelets name each pod's log files under it; the fake process runtime never writes them.
constexpr const char* kLogDirectory = "/nodrop-simulated/pods";

}  // namespace

SimulatedCluster::SimulatedCluster(ClusterConfig config, std::uint64_t seed)
    : random_(seed),
      processes_(loop_),
      prober_(loop_),
      data_plane_(loop_),
      cluster_({loop_, post(), processes_, prober_, random_, data_plane_, nullptr},
               std::move(config), kLogDirectory) {}

store::Post SimulatedCluster::post() {
  return [this](std::function<void()> task) { loop_.post(std::move(task)); };
}

}  // namespace nodrop::server
