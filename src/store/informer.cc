#include "store/informer.h"

namespace nodrop::store {

Informer::Informer(Store& store, Post post, InformerOptions options)
    : store_(store),
      post_(std::move(post)),
      options_(std::move(options)),
      shared_(std::make_shared<Shared>()) {
  shared_->informer = this;
}

Informer::~Informer() {
  shared_->informer = nullptr;
  if (watch_) watch_->stop();
}

void Informer::add_handlers(InformerHandlers handlers) { handlers_.push_back(std::move(handlers)); }

Status Informer::start() { return relist(); }

Status Informer::watch_from(ResourceVersion version) {
  if (watch_) watch_->stop();
  std::weak_ptr<Shared> weak = shared_;
  Post post = post_;
  auto watch = store_.watch({.kind = options_.kind,
                             .namespace_name = options_.namespace_name,
                             .from = version,
                             .filter = options_.filter,
                             .on_ready = [weak, post] {
                               const std::shared_ptr<Shared> shared = weak.lock();
                               if (!shared || shared->drain_posted.exchange(true)) return;
                               post([shared] {
                                 shared->drain_posted = false;
                                 if (shared->informer != nullptr) shared->informer->drain();
                               });
                             }});
  if (!watch) return watch.status();
  watch_ = *watch;
  return Status::ok();
}

Status Informer::relist() {
  Result<ListResult> listed = store_.list({.kind = options_.kind,
                                           .namespace_name = options_.namespace_name,
                                           .filter = options_.filter});
  if (!listed) return listed.status();
  // Watch first from the list's version, so nothing between the list and the watch is missed;
  // then tell the handlers what changed since the cache last saw the store (client-go Replace).
  if (Status watching = watch_from(listed->resource_version); !watching.is_ok()) return watching;
  std::map<Key, ObjectPtr> fresh;
  for (const ObjectPtr& object : listed->items) {
    const api::ObjectMeta& metadata = api::metadata_of(*object);
    fresh.emplace(std::make_pair(metadata.namespace_name, metadata.name), object);
  }
  std::map<Key, ObjectPtr> old;
  old.swap(cache_);
  cache_ = fresh;
  by_controller_.clear();
  for (const auto& [key, object] : cache_) index(key, object);
  resource_version_ = listed->resource_version;
  for (const auto& [key, object] : old) {
    if (fresh.contains(key)) continue;
    for (const InformerHandlers& handlers : handlers_) {
      if (handlers.on_delete) handlers.on_delete(object);
    }
  }
  for (const auto& [key, object] : fresh) {
    const auto before = old.find(key);
    for (const InformerHandlers& handlers : handlers_) {
      if (before == old.end()) {
        if (handlers.on_add) handlers.on_add(object);
      } else if (before->second != object && handlers.on_update) {
        handlers.on_update(before->second, object);
      }
    }
  }
  return Status::ok();
}

void Informer::drain() {
  if (!watch_) return;
  for (const WatchEvent& event : watch_->take()) apply(event);
  if (watch_->expired()) {
    // Fell behind: start again from a fresh list. A list that fails (the store refusing) leaves
    // the cache as it was; the next write's notification tries again.
    if (!relist().is_ok()) watch_.reset();
  }
}

void Informer::apply(const WatchEvent& event) {
  const api::ObjectMeta& metadata = api::metadata_of(*event.object);
  const auto key = std::make_pair(metadata.namespace_name, metadata.name);
  resource_version_ = event.resource_version;
  switch (event.type) {
    case WatchEventType::kAdded:
    case WatchEventType::kModified: {
      const auto found = cache_.find(key);
      const ObjectPtr old = found == cache_.end() ? nullptr : found->second;
      cache_[key] = event.object;
      // Most changes keep the controller (a status): the index is touched only when it changes.
      const api::OwnerReference* before =
          old == nullptr ? nullptr : api::metadata_of(*old).controller_ref();
      const api::OwnerReference* after = api::metadata_of(*event.object).controller_ref();
      if (old == nullptr || before == nullptr || after == nullptr || before->uid != after->uid) {
        if (old != nullptr) unindex(key, old);
        index(key, event.object);
      }
      for (const InformerHandlers& handlers : handlers_) {
        if (old == nullptr) {
          if (handlers.on_add) handlers.on_add(event.object);
        } else if (handlers.on_update) {
          handlers.on_update(old, event.object);
        }
      }
      break;
    }
    case WatchEventType::kDeleted: {
      const auto found = cache_.find(key);
      if (found == cache_.end()) break;
      unindex(key, found->second);
      cache_.erase(found);
      for (const InformerHandlers& handlers : handlers_) {
        if (handlers.on_delete) handlers.on_delete(event.object);
      }
      break;
    }
  }
}

void Informer::index(const Key& key, const ObjectPtr& object) {
  if (const api::OwnerReference* owner = api::metadata_of(*object).controller_ref()) {
    by_controller_[owner->uid].insert(key);
  }
}

void Informer::unindex(const Key& key, const ObjectPtr& object) {
  const api::OwnerReference* owner = api::metadata_of(*object).controller_ref();
  if (owner == nullptr) return;
  const auto found = by_controller_.find(owner->uid);
  if (found == by_controller_.end()) return;
  found->second.erase(key);
  if (found->second.empty()) by_controller_.erase(found);
}

ObjectPtr Informer::get(const std::string& namespace_name, const std::string& name) const {
  const auto found = cache_.find({namespace_name, name});
  return found == cache_.end() ? nullptr : found->second;
}

std::vector<ObjectPtr> Informer::list() const {
  std::vector<ObjectPtr> objects;
  objects.reserve(cache_.size());
  for (const auto& [key, object] : cache_) objects.push_back(object);
  return objects;
}

std::vector<ObjectPtr> Informer::list(const std::string& namespace_name) const {
  std::vector<ObjectPtr> objects;
  for (auto it = cache_.lower_bound({namespace_name, ""});
       it != cache_.end() && it->first.first == namespace_name; ++it) {
    objects.push_back(it->second);
  }
  return objects;
}

std::vector<ObjectPtr> Informer::controlled_by(const std::string& uid) const {
  std::vector<ObjectPtr> objects;
  const auto found = by_controller_.find(uid);
  if (found == by_controller_.end()) return objects;
  objects.reserve(found->second.size());
  for (const Key& key : found->second) objects.push_back(cache_.at(key));
  return objects;
}

std::vector<ObjectPtr> Informer::named_from(const std::string& namespace_name,
                                            const std::string& prefix) const {
  std::vector<ObjectPtr> objects;
  for (auto it = cache_.lower_bound({namespace_name, prefix});
       it != cache_.end() && it->first.first == namespace_name &&
       it->first.second.starts_with(prefix);
       ++it) {
    objects.push_back(it->second);
  }
  return objects;
}

}  // namespace nodrop::store
