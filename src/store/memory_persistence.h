// A Persistence in memory: what a database would keep, for a cluster restarted in virtual time
// (server/simulated_cluster.h) and for the store's tests, which can also make its writes fail and
// look at the store from inside a write.
#pragma once

#include <functional>
#include <map>

#include "store/persistence.h"

namespace nodrop::store {

class MemoryPersistence final : public Persistence {
 public:
  Result<StoredState> load() override;
  Status write(const std::vector<Commit>& batch) override;

  // Runs at the start of every write; an error fails the write, and nothing of it is kept.
  void set_before_write(std::function<Status(const std::vector<Commit>&)> before_write) {
    before_write_ = std::move(before_write);
  }

  const std::map<ObjectKey, ObjectPtr>& objects() const { return objects_; }
  ResourceVersion resource_version() const { return resource_version_; }
  // The size of every batch written, in order.
  const std::vector<std::size_t>& batches() const { return batches_; }

 private:
  std::function<Status(const std::vector<Commit>&)> before_write_;
  std::map<ObjectKey, ObjectPtr> objects_;
  ResourceVersion resource_version_ = 0;
  std::vector<std::size_t> batches_;
};

}  // namespace nodrop::store
