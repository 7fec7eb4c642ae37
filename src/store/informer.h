// A client-side cache of one kind of object, fed by a watch (client-go's SharedInformer): every
// controller and kubelet reads the store through one, and reacts to its handlers.
//
//   Informer pods(store, post, {.kind = "Pod"});
//   pods.add_handlers({.on_add = ..., .on_update = ..., .on_delete = ...});
//   pods.start();  // lists, then watches from the list's version
//
// The watch's events are applied on the consumer's loop: the store's on_ready posts a drain there
// through `post` (thread-safe), so handlers and cache reads all run on that one thread. When the
// watch expires (the consumer fell behind the history), the informer relists and tells its
// handlers the difference, as client-go's Replace does: objects gone are deleted, new ones added,
// changed ones updated.
//
// Handlers see every change in resourceVersion order, after the cache holds it. Not thread-safe
// apart from the post it hands the store.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/store.h"

namespace nodrop::store {

// Runs a callback on the consumer's loop; callable from any thread.
using Post = std::function<void(std::function<void()>)>;

struct InformerHandlers {
  std::function<void(const ObjectPtr& object)> on_add{};
  std::function<void(const ObjectPtr& old, const ObjectPtr& object)> on_update{};
  std::function<void(const ObjectPtr& object)> on_delete{};

  // Handlers that call `changed` on every add, update and delete alike (for a component that
  // recomputes everything it serves from the caches).
  static InformerHandlers any_change(const std::function<void()>& changed) {
    return {.on_add = [changed](const ObjectPtr&) { changed(); },
            .on_update = [changed](const ObjectPtr&, const ObjectPtr&) { changed(); },
            .on_delete = [changed](const ObjectPtr&) { changed(); }};
  }
};

struct InformerOptions {
  std::string kind{};
  std::optional<std::string> namespace_name{};
  Filter filter{};  // e.g. the pods bound to one node
};

class Informer {
 public:
  Informer(Store& store, Post post, InformerOptions options);
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void add_handlers(InformerHandlers handlers);
  // Lists and watches; the handlers hear an add for every object listed. Call once, on the loop.
  Status start();
  // Applies what the watch has queued now, instead of at the posted drain (tests, shutdown).
  void drain();

  ObjectPtr get(const std::string& namespace_name, const std::string& name) const;
  std::vector<ObjectPtr> list() const;
  std::vector<ObjectPtr> list(const std::string& namespace_name) const;
  // The objects whose controller (the ownerReference with controller: true) has this uid, by
  // namespace and name: an index kept with the cache, as client-go's controller-UID indexers, so
  // that a controller's sync reads its own objects, not every object of the namespace.
  std::vector<ObjectPtr> controlled_by(const std::string& uid) const;
  // The objects of the namespace whose names begin with prefix, by name.
  std::vector<ObjectPtr> named_from(const std::string& namespace_name,
                                    const std::string& prefix) const;
  // The version of the last change applied.
  ResourceVersion resource_version() const { return resource_version_; }
  const std::string& kind() const { return options_.kind; }

 private:
  Status relist();
  Status watch_from(ResourceVersion version);
  void apply(const WatchEvent& event);
  using Key = std::pair<std::string, std::string>;  // (namespace, name)
  void index(const Key& key, const ObjectPtr& object);
  void unindex(const Key& key, const ObjectPtr& object);

  Store& store_;
  Post post_;
  InformerOptions options_;
  std::vector<InformerHandlers> handlers_;
  std::map<Key, ObjectPtr> cache_;
  std::map<std::string, std::set<Key>> by_controller_;  // controller uid -> keys
  std::shared_ptr<Watch> watch_;
  ResourceVersion resource_version_ = 0;
  // Shared with the store's on_ready, which may run on any thread and after this informer is
  // gone: a drain is posted once until it has run, and a drain posted for an informer since
  // destroyed finds `informer` null (both run on the loop's thread).
  struct Shared {
    Informer* informer = nullptr;
    std::atomic<bool> drain_posted{false};
  };
  std::shared_ptr<Shared> shared_;
};

}  // namespace nodrop::store
