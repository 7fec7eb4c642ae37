// Port: where a durable Store keeps its objects (DESIGN.md §3, "persistence in SQLite behind a
// port"). The store hands it every change, in resourceVersion order, in batches (store.h: group
// commit); at start it reads everything back. nodrop's implementation is SQLite
// (store/sqlite_persistence.h); tests may inject failures with their own.
#pragma once

#include <vector>

#include "base/status.h"
#include "store/store.h"

namespace nodrop::store {

// What a persistence holds: the latest version of every object, and the store's resourceVersion
// counter, which is at least every object's resourceVersion and counts removals too.
struct StoredState {
  ResourceVersion resource_version = 0;
  std::vector<api::Object> objects;
};

class Persistence {
 public:
  virtual ~Persistence() = default;

  // Everything stored, for a store that starts. Errors: kIoError (the data cannot be read),
  // kFailedPrecondition (what was read is not what the store wrote: a row that does not decode).
  virtual Result<StoredState> load() = 0;

  // Makes every change of the batch durable, all of them or none, in order; the counter becomes
  // the last one's resourceVersion. Returns once the implementation's durability promise holds
  // for them. Called by one thread at a time; never with an empty batch.
  virtual Status write(const std::vector<Commit>& batch) = 0;
};

}  // namespace nodrop::store
