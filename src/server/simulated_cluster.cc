#include "server/simulated_cluster.h"

namespace nodrop::server {
namespace {

// The kubelets name each pod's log files under it; the fake process runtime never writes them.
constexpr const char* kLogDirectory = "/nodrop-simulated/pods";

}  // namespace

SimulatedCluster::SimulatedCluster(ClusterConfig config, std::uint64_t seed,
                                   store::Persistence* persistence)
    : random_(seed),
      processes_(loop_),
      prober_(loop_),
      data_plane_(loop_),
      config_(std::move(config)),
      persistence_(persistence) {
  cluster_ = std::make_unique<Cluster>(
      ClusterPorts{loop_, post(), processes_, prober_, random_, data_plane_, persistence_}, config_,
      kLogDirectory);
}

void SimulatedCluster::restart() {
  NODROP_CHECK(persistence_ != nullptr);
  // The old nodrop's processes outlive it (nothing runs after a clean stop): its workers' last
  // signals no longer reach them, and the new kubelets adopt them.
  processes_.orphan_all();
  cluster_.reset();
  cluster_ = std::make_unique<Cluster>(
      ClusterPorts{loop_, post(), processes_, prober_, random_, data_plane_, persistence_}, config_,
      kLogDirectory);
}

store::Post SimulatedCluster::post() {
  return [this](std::function<void()> task) { loop_.post(std::move(task)); };
}

}  // namespace nodrop::server
