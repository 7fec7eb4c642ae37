// The cluster's object store: what etcd and the API server's registry are to Kubernetes, in memory,
// made durable by a Persistence (store/persistence.h; SQLite in nodrop up) when it is given one.
// Every component reads it through watches and writes its results back to it (DESIGN.md §6).
//
// Semantics copied from Kubernetes (apiserver's registry/rest and storage):
//   - every object has a uid, a resourceVersion from one cluster-wide counter, and a
//     creationTimestamp; a create with metadata.generateName gets the name + 5 random characters;
//   - metadata.generation is 1 at creation and grows on every change of the spec (Deployments and
//     ReplicaSets, whose controllers report observedGeneration) and when deletion begins;
//   - update() with a resourceVersion other than the stored one is a Conflict (no
//     resourceVersion: an unconditional update); update() never changes the status of a kind
//     with a status subresource, update_status() changes only the status (and annotations);
//   - remove() of a Pod bound to a node is graceful: deletionTimestamp = now + grace and
//     deletionGracePeriodSeconds are set, the pod stays until its kubelet removes it with grace 0;
//     an object with finalizers (or given the foreground or orphan propagation, which add
//     Kubernetes' finalizers for the garbage collector) stays with deletionTimestamp set until an
//     update removes its last finalizer; anything else is removed at once;
//   - dry-run writes validate and answer what would be stored, storing nothing;
//   - list() at a resourceVersion still in the history is exact (the store undoes later changes),
//     and paginates with limit/continue consistently at the first page's resourceVersion;
//   - watch() from a resourceVersion replays the history after it, then streams; from one older
//     than the history keeps it is Expired (Kubernetes' 410 Gone), and the client relists.
//
// Threading: every method is safe from any thread (one mutex). A write runs the commit hook, then
// makes the change visible and queues its event on every matching watch, then (outside the lock)
// calls each of those watches' on_ready, which must only arrange for the watch to be read (post a
// task to the consumer's loop), never call back into the store.
//
// Durability (StoreOptions::persistence): a write returns only once its change is durable, and
// nobody sees it before: neither a watch, nor get() or list(), which read the store as of its
// last durable version. Commits are grouped as LevelDB groups its writers: the writer that finds
// no write in progress becomes the leader and makes durable, in one Persistence::write, every
// change ordered before it was called (its own, and those of the writers waiting behind it);
// each writer still returns only after its own change is durable. Meanwhile the writes that
// follow are checked and ordered against the changes not yet durable, as in a log: if a write
// to the persistence fails, every change after the last durable one fails with it, and the store
// refuses every later write with that error (its memory is then ahead of its disk, and only a
// restart, which reads the disk, brings them together again).
//
// Bounds: the history keeps StoreOptions::history_events events; a watch queues at most
// WatchOptions::max_queued events, beyond which it expires (a consumer too slow to keep up relists,
// as Kubernetes' watch cache drops slow watchers); a list page holds at most kMaxListLimit items.
#pragma once

#include <compare>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/field_error.h"
#include "api/object.h"
#include "base/status.h"
#include "runtime/clock.h"
#include "runtime/random.h"

namespace nodrop::store {

using ResourceVersion = std::uint64_t;
using ObjectPtr = std::shared_ptr<const api::Object>;

struct ObjectKey {
  std::string kind;            // "Deployment"
  std::string namespace_name;  // empty for cluster-scoped kinds (Node)
  std::string name;
  auto operator<=>(const ObjectKey&) const = default;
  std::string to_string() const;  // "Deployment default/web"
};
ObjectKey key_of(const api::Object& object);

enum class WatchEventType { kAdded, kModified, kDeleted };
const char* watch_event_type_name(WatchEventType type);  // "ADDED", "MODIFIED", "DELETED"

struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  // The object after the change; for kDeleted, the object as it was when removed, with the
  // resourceVersion of the removal (as Kubernetes reports it).
  ObjectPtr object;
  ResourceVersion resource_version = 0;
};

struct WriteOptions {
  bool dry_run = false;
};

enum class Propagation {
  kBackground,  // the owner goes at once; the garbage collector removes its dependents after
  kForeground,  // the owner stays (finalizer foregroundDeletion) until its dependents are gone
  kOrphan,      // the owner stays (finalizer orphan) until its dependents no longer point to it
};

inline constexpr const char* kForegroundDeletionFinalizer = "foregroundDeletion";
inline constexpr const char* kOrphanFinalizer = "orphan";

struct DeleteOptions {
  std::optional<std::int64_t> grace_period_seconds{};  // pods: default the pod's own
  std::optional<std::string> precondition_uid{};
  std::optional<std::string> precondition_resource_version{};
  Propagation propagation = Propagation::kBackground;
  bool dry_run = false;
};

using Filter = std::function<bool(const api::Object&)>;

struct ListOptions {
  std::string kind{};
  std::optional<std::string> namespace_name{};        // nullopt: every namespace
  std::optional<ResourceVersion> resource_version{};  // nullopt or 0: the most recent
  std::size_t limit = 0;                              // 0: every item (up to kMaxListLimit)
  std::string continue_token{};
  Filter filter{};  // label and field selectors; empty: everything
};

struct ListResult {
  std::vector<ObjectPtr> items{};
  ResourceVersion resource_version = 0;  // the list is exactly the state at this version
  std::string continue_token{};          // empty on the last page
};

struct WatchOptions {
  std::string kind{};                           // empty: every kind
  std::optional<std::string> namespace_name{};  // nullopt: every namespace
  // nullopt: first an ADDED event for every current object, then the changes after them (as
  // Kubernetes' watch without a resourceVersion). A version: the changes after it.
  std::optional<ResourceVersion> from{};
  Filter filter{};
  // Called when events were queued (from the writer's thread, outside the store's lock).
  std::function<void()> on_ready{};
  std::size_t max_queued = 10'000;
};

// One watcher's queue of events. Thread-safe.
class Watch {
 public:
  // The events queued so far, oldest first.
  std::vector<WatchEvent> take();
  // The store gave up on this watch (its version left the history, or its queue overflowed):
  // the consumer relists and watches again from the list's version.
  bool expired() const;
  // Stops delivery; the store forgets the watch at its next write.
  void stop();

 private:
  friend class Store;
  enum class Offer { kQueued, kExpired, kStopped };
  // Queues event; on overflow the watch expires (the consumer must be told, then forgotten).
  Offer offer(const WatchEvent& event);

  mutable std::mutex mutex_;
  std::vector<WatchEvent> queue_;
  std::size_t max_queued_ = 0;
  bool expired_ = false;
  bool stopped_ = false;
};

// What a write makes durable, handed to the commit hook and the persistence before anyone sees it.
struct Commit {
  ResourceVersion resource_version = 0;
  WatchEventType type = WatchEventType::kAdded;
  ObjectKey key;
  ObjectPtr object;  // for kDeleted, the object as it was
};

// What the API server's registry does to an object of some kinds before it is stored, beyond
// validation: allocations (a Service's clusterIP and nodePorts) and the checks they need (a
// nodePort another Service holds). Runs under the store's lock, so two writes cannot allocate the
// same port; `stored` lists the objects of a kind as they are now. Errors refuse the write as
// Invalid, with their field paths.
class Registry {
 public:
  using Stored = std::function<std::vector<ObjectPtr>(const std::string& kind)>;
  virtual ~Registry() = default;
  virtual api::FieldErrors prepare(api::Object& object, const api::Object* old,
                                   const Stored& stored) = 0;
};

class Persistence;  // store/persistence.h

struct StoreOptions {
  std::size_t history_events = 10'000;
  Registry* registry = nullptr;
  // Runs before a write becomes visible; an error fails the write and nothing changes.
  std::function<Status(const Commit&)> commit_hook{};
  // Where every change is made durable before it is visible (see above); null: memory only.
  // Must outlive the store; load() fills the store from it.
  Persistence* persistence = nullptr;
};

// Error codes: kNotFound, kAlreadyExists, kConflict (stale resourceVersion, failed
// precondition), kInvalidArgument (validation; causes through validate()), kExpired (a list or
// watch version older than the history), kResourceExhausted (a bound).
class Store {
 public:
  static constexpr std::size_t kMaxListLimit = 100'000;
  static constexpr std::size_t kMaxObjects = 1'000'000;

  Store(const runtime::Clock& clock, runtime::Random& random, StoreOptions options = {});
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Fills an empty store with what its persistence holds: every object as it was stored, and the
  // resourceVersion counter, which never goes back (the history of changes starts empty, so a
  // watch or list from an older version is Expired). Call once, before any other use.
  Status load();

  Result<ObjectPtr> create(api::Object object, const WriteOptions& options = {});
  Result<ObjectPtr> update(api::Object object, const WriteOptions& options = {});
  Result<ObjectPtr> update_status(api::Object object, const WriteOptions& options = {});
  // The object after the call: still there (graceful deletion, finalizers) or as it was removed.
  Result<ObjectPtr> remove(const ObjectKey& key, const DeleteOptions& options = {});

  Result<ObjectPtr> get(const ObjectKey& key) const;
  // Waits until every write ordered so far is durable, so readers see it: for a read-modify-write
  // (a patch) that lost to a write its read did not see yet (reads see committed writes only,
  // writes check against every write ordered), before it reads again.
  Status wait_for_ordered_writes();
  Result<ListResult> list(const ListOptions& options) const;
  // Expired when from is older than the history.
  Result<std::shared_ptr<Watch>> watch(WatchOptions options);

  // What validation says of object (as an update of old, if given): the causes of an
  // InvalidArgument from a write.
  api::FieldErrors validate(const api::Object& object, const api::Object* old) const;

  ResourceVersion resource_version() const;
  std::size_t size() const;

 private:
  struct HistoryEntry {
    ResourceVersion resource_version = 0;
    WatchEventType type = WatchEventType::kAdded;
    ObjectKey key;
    ObjectPtr object;    // after (kDeleted: as removed)
    ObjectPtr previous;  // before (null for kAdded)
  };
  struct Pending {  // the on_ready callbacks to call once the lock is released
    std::vector<std::function<void()>> callbacks;
    // With a persistence: the version that must be durable before the write returns.
    ResourceVersion durable_before_return = 0;
  };

  // Under mutex_.
  api::FieldErrors prepare(api::Object& object, const api::Object* old);
  Result<ObjectPtr> commit(WatchEventType type, const ObjectKey& key, api::Object object,
                           ObjectPtr previous, Pending& pending);
  std::string generate_name(const std::string& prefix);
  std::string new_uid();
  bool matches(const WatchOptions& options, const ObjectKey& key, const api::Object& object) const;
  // Offers the events of the changes up to `version` to the watches, makes them readable, and
  // forgets the history beyond its bound.
  void publish(ResourceVersion version, Pending& pending);
  // A write that changes nothing returns `object`, which may not be durable yet.
  ObjectPtr unchanged(const ObjectPtr& object, Pending& pending) const;
  // The object as readers see it (at published_), or null.
  ObjectPtr visible(const ObjectKey& key) const;
  // Every object readers see, in key order.
  std::vector<std::pair<ObjectKey, ObjectPtr>> visible_objects() const;

  // Outside mutex_: the group commit (see the header comment), then the watches' callbacks.
  Status make_durable(ResourceVersion version);
  void notify(Pending& pending);
  Result<ObjectPtr> finish(Result<ObjectPtr> result, Pending& pending);

  const runtime::Clock& clock_;
  runtime::Random& random_;
  const StoreOptions options_;
  mutable std::mutex mutex_;
  ResourceVersion resource_version_ = 0;  // the last change ordered
  ResourceVersion published_ = 0;         // the last change readers and watches see
  std::optional<Status> refused_;         // a write to the persistence failed: all are refused
  // The latest version of each object, changes not yet durable included (writes are checked
  // against them); history_ holds every change after published_, to undo them for readers.
  std::map<ObjectKey, ObjectPtr> objects_;
  std::deque<HistoryEntry> history_;
  std::vector<std::pair<WatchOptions, std::shared_ptr<Watch>>> watches_;

  // The group commit's state; never locked while mutex_ is held, nor the other way round.
  std::mutex durable_mutex_;
  std::condition_variable durable_changed_;
  ResourceVersion durable_ = 0;  // the last change the persistence holds
  bool writing_ = false;         // a leader is writing
  Status failure_;               // the failed write, for the writers that waited on it
};

}  // namespace nodrop::store
