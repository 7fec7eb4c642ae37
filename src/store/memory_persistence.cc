#include "store/memory_persistence.h"

namespace nodrop::store {

Result<StoredState> MemoryPersistence::load() {
  StoredState state;
  state.resource_version = resource_version_;
  for (const auto& [key, object] : objects_) state.objects.push_back(*object);
  return state;
}

Status MemoryPersistence::write(const std::vector<Commit>& batch) {
  if (before_write_) {
    if (Status allowed = before_write_(batch); !allowed.is_ok()) return allowed;
  }
  for (const Commit& commit : batch) {
    if (commit.type == WatchEventType::kDeleted) {
      objects_.erase(commit.key);
    } else {
      objects_[commit.key] = commit.object;
    }
    resource_version_ = commit.resource_version;
  }
  batches_.push_back(batch.size());
  return Status::ok();
}

}  // namespace nodrop::store
