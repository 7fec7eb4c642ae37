#include "server/live_cluster.h"

#include <filesystem>

#include "node/nginx_image.h"
#include "server/object_codec.h"

namespace nodrop::server {
namespace {

// The directory and its parents made if missing; the directory itself owner-only (0700), as the
// data dir holds the cluster's state, logs and (later) its credentials.
Status make_private_directory(const std::filesystem::path& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) return io_error("cannot make " + path.string() + ": " + error.message());
  std::filesystem::permissions(path, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, error);
  if (error) return io_error("cannot restrict " + path.string() + ": " + error.message());
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<LiveCluster>> LiveCluster::create(ClusterConfig config) {
  if (config.data_dir.empty()) return invalid_argument("no data dir");
  std::unique_ptr<LiveCluster> cluster(new LiveCluster());
  cluster->data_dir_ = config.data_dir;
  const std::filesystem::path pods = std::filesystem::path(config.data_dir) / "pods";
  if (Status made = make_private_directory(config.data_dir); !made.is_ok()) return made;
  const std::filesystem::path data_dir(config.data_dir);
  Result<live::LockFile> lock = live::LockFile::acquire((data_dir / kLockFile).string());
  if (!lock) {
    return Status(lock.status().code(),
                  "the data dir " + config.data_dir +
                      " is in use by another nodrop: " + lock.status().message());
  }
  cluster->lock_.emplace(std::move(lock).value());
  Result<std::unique_ptr<store::SqlitePersistence>> persistence =
      store::SqlitePersistence::open((data_dir / kDatabaseFile).string(), api_json_codec());
  if (!persistence) return persistence.status();
  cluster->persistence_ = std::move(persistence).value();
  if (Status made = make_private_directory(pods); !made.is_ok()) return made;
  if (Status made = make_private_directory(data_dir / kSupervisorsDirectory); !made.is_ok()) {
    return made;
  }
  cluster->processes_ = std::make_unique<live::LiveProcessRuntime>(
      cluster->loop_, live::LiveProcessRuntimeOptions{
                          .socket_directory = (data_dir / kSupervisorsDirectory).string(),
                          .reconnect_timeout = config.pod_reconnect_timeout});
  cluster->prober_ = std::make_unique<live::LiveProber>(cluster->loop_);
  // nodrop's demo application, built next to the binary, serves image demo-app unless the
  // configuration maps that image itself (the first matching mapping wins).
  std::error_code ignored;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ignored);
  const std::filesystem::path demo_app = self.parent_path() / "demo-app";
  if (!self.empty() && std::filesystem::exists(demo_app, ignored)) {
    config.images.push_back(node::demo_app_mapping(demo_app.string()));
  }
  // Image nginx runs Debian's nginx (node/nginx_image.h), likewise unless the configuration maps
  // it; without nginx installed its pods fail to start with the program's path in their events.
  config.images.push_back(node::nginx_mapping());
  cluster->data_plane_ = std::make_unique<LiveDataPlane>(cluster->loop_);
  live::EpollLoop& loop = cluster->loop_;
  cluster->cluster_ = std::make_unique<Cluster>(
      ClusterPorts{
          loop, [&loop](std::function<void()> task) { loop.post_from_any_thread(std::move(task)); },
          *cluster->processes_, *cluster->prober_, cluster->random_, *cluster->data_plane_,
          cluster->persistence_.get()},
      std::move(config), pods.string());
  return cluster;
}

LiveCluster::~LiveCluster() {
  // The cluster's kubelets and workers go before the runtime that runs their processes.
  cluster_.reset();
}

Status LiveCluster::start() { return cluster_->start(); }

void LiveCluster::run() { loop_.run(); }

void LiveCluster::shut_down() {
  cluster_->shut_down([this] { loop_.stop(); });
}

}  // namespace nodrop::server
