#include "store/store.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "api/validation.h"
#include "store/persistence.h"

namespace nodrop::store {
namespace {

template <class... Handlers>
struct Overloaded : Handlers... {
  using Handlers::operator()...;
};
template <class... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;

// Kinds whose controllers report status.observedGeneration: their generation counts spec changes.
bool counts_generations(const api::Object& object) {
  return std::holds_alternative<api::Deployment>(object) ||
         std::holds_alternative<api::ReplicaSet>(object);
}

bool same_spec(const api::Object& a, const api::Object& b) {
  return std::visit(
      [&](const auto& typed_a) {
        using T = std::decay_t<decltype(typed_a)>;
        const auto& typed_b = std::get<T>(b);
        if constexpr (std::is_same_v<T, api::EndpointSlice>) {
          return typed_a.endpoints == typed_b.endpoints && typed_a.ports == typed_b.ports &&
                 typed_a.address_type == typed_b.address_type;
        } else if constexpr (std::is_same_v<T, api::Event>) {
          return typed_a == typed_b;
        } else if constexpr (std::is_same_v<T, api::ConfigMap> || std::is_same_v<T, api::Secret> ||
                             std::is_same_v<T, api::ServiceAccount>) {
          // Kinds without a spec: everything but the metadata is their content.
          T a_content = typed_a;
          T b_content = typed_b;
          a_content.metadata = {};
          b_content.metadata = {};
          return a_content == b_content;
        } else {
          return typed_a.spec == typed_b.spec;
        }
      },
      a);
}

// Kinds with a status subresource: update() keeps their status, update_status() changes only it.
bool has_status(const api::Object& object) {
  return !std::holds_alternative<api::EndpointSlice>(object) &&
         !std::holds_alternative<api::Event>(object) &&
         !std::holds_alternative<api::ConfigMap>(object) &&
         !std::holds_alternative<api::Secret>(object) &&
         !std::holds_alternative<api::ServiceAccount>(object);
}

template <class T>
constexpr bool kWithStatus =
    !std::is_same_v<T, api::EndpointSlice> && !std::is_same_v<T, api::Event> &&
    !std::is_same_v<T, api::ConfigMap> && !std::is_same_v<T, api::Secret> &&
    !std::is_same_v<T, api::ServiceAccount>;

void copy_status(const api::Object& from, api::Object& to) {
  std::visit(
      [&](auto& typed_to) {
        using T = std::decay_t<decltype(typed_to)>;
        if constexpr (kWithStatus<T>) {
          typed_to.status = std::get<T>(from).status;
        }
      },
      to);
}

// A creation starts from an empty status, as Kubernetes' strategies' PrepareForCreate do (a pod
// starts Pending); a Node keeps the status its kubelet registers it with.
void reset_status_for_create(api::Object& object) {
  std::visit(Overloaded{[](api::Deployment& deployment) { deployment.status = {}; },
                        [](api::ReplicaSet& replica_set) { replica_set.status = {}; },
                        [](api::Pod& pod) {
                          pod.status = {};
                          pod.status.phase = api::PodPhase::kPending;
                        },
                        [](api::Service& service) { service.status = {}; },
                        [](api::EndpointSlice&) {}, [](api::Node&) {}, [](api::Event&) {},
                        [](api::ConfigMap&) {}, [](api::Secret&) {}, [](api::ServiceAccount&) {}},
             object);
}

bool is_terminal_pod(const api::Pod& pod) {
  return pod.status.phase == api::PodPhase::kSucceeded ||
         pod.status.phase == api::PodPhase::kFailed;
}

std::string resource_version_text(ResourceVersion version) { return std::to_string(version); }

std::optional<ResourceVersion> parse_resource_version(const std::string& text) {
  ResourceVersion version = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return {};
  return version;
}

std::string named(const ObjectKey& key) {
  return fmt::format("{} \"{}\"", api::qualified_resource_of_kind(key.kind), key.name);
}

Status not_found_error(const ObjectKey& key) {
  return not_found(fmt::format("{} not found", named(key)));
}

Status modified_conflict(const ObjectKey& key) {
  return conflict(fmt::format(
      "Operation cannot be fulfilled on {}: the object has been modified; please apply your "
      "changes to the latest version and try again",
      named(key)));
}

bool has_finalizer(const api::ObjectMeta& metadata, const char* finalizer) {
  return std::find(metadata.finalizers.begin(), metadata.finalizers.end(), finalizer) !=
         metadata.finalizers.end();
}

// Continue tokens: "<resourceVersion>/<namespace>/<name>" of the last item returned. Names and
// namespaces cannot hold '/'.
std::string continue_token(ResourceVersion version, const ObjectKey& last) {
  return fmt::format("{}/{}/{}", version, last.namespace_name, last.name);
}

struct ContinueFrom {
  ResourceVersion version = 0;
  std::string namespace_name;
  std::string name;
};

std::optional<ContinueFrom> parse_continue_token(const std::string& token) {
  const auto first = token.find('/');
  const auto second = token.find('/', first == std::string::npos ? first : first + 1);
  if (first == std::string::npos || second == std::string::npos) return {};
  const auto version = parse_resource_version(token.substr(0, first));
  if (!version || token.find('/', second + 1) != std::string::npos) return {};
  return ContinueFrom{*version, token.substr(first + 1, second - first - 1),
                      token.substr(second + 1)};
}

}  // namespace

std::string ObjectKey::to_string() const {
  return namespace_name.empty() ? kind + " " + name : kind + " " + namespace_name + "/" + name;
}

ObjectKey key_of(const api::Object& object) {
  const api::ObjectMeta& metadata = api::metadata_of(object);
  std::string namespace_name;
  if (api::is_namespaced(object)) {
    namespace_name = metadata.namespace_name.empty() ? "default" : metadata.namespace_name;
  }
  return {api::kind_of(object), namespace_name, metadata.name};
}

const char* watch_event_type_name(WatchEventType type) {
  switch (type) {
    case WatchEventType::kAdded:
      return "ADDED";
    case WatchEventType::kModified:
      return "MODIFIED";
    case WatchEventType::kDeleted:
      return "DELETED";
  }
  return "UNKNOWN";
}

std::vector<WatchEvent> Watch::take() {
  std::lock_guard lock(mutex_);
  std::vector<WatchEvent> events;
  events.swap(queue_);
  return events;
}

bool Watch::expired() const {
  std::lock_guard lock(mutex_);
  return expired_;
}

void Watch::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  queue_.clear();
}

Watch::Offer Watch::offer(const WatchEvent& event) {
  std::lock_guard lock(mutex_);
  if (stopped_ || expired_) return Offer::kStopped;
  if (queue_.size() >= max_queued_) {
    expired_ = true;
    queue_.clear();
    return Offer::kExpired;
  }
  queue_.push_back(event);
  return Offer::kQueued;
}

Store::Store(const runtime::Clock& clock, runtime::Random& random, StoreOptions options)
    : clock_(clock), random_(random), options_(std::move(options)) {}

std::string Store::new_uid() {
  // A version-4 UUID from the random port: repeatable in a simulated run.
  const std::uint64_t high = random_.next_u64();
  const std::uint64_t low = random_.next_u64();
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xffff,
                     high & 0xfff, 0x8000 | (low >> 48 & 0x3fff), low & 0xffffffffffffULL);
}

std::string Store::generate_name(const std::string& prefix) {
  // apiserver's SimpleNameGenerator: 5 characters from an alphabet without vowels or look-alikes.
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string name = prefix;
  for (int i = 0; i < 5; ++i) name += kAlphabet[random_.uniform(sizeof kAlphabet - 1)];
  return name;
}

api::FieldErrors Store::validate(const api::Object& object, const api::Object* /*old*/) const {
  return api::validate(object);
}

Result<ObjectPtr> Store::create(api::Object object, const WriteOptions& options) {
  Pending pending;
  Result<ObjectPtr> result = [&]() -> Result<ObjectPtr> {
    std::lock_guard lock(mutex_);
    if (refused_) return *refused_;
    api::ObjectMeta& metadata = api::metadata_of(object);
    if (api::is_namespaced(object)) {
      if (metadata.namespace_name.empty()) metadata.namespace_name = "default";
    } else {
      metadata.namespace_name.clear();
    }
    if (metadata.name.empty() && !metadata.generate_name.empty()) {
      // A few tries: a collision among 27^5 names is rare, and Kubernetes too returns
      // AlreadyExists when it happens.
      for (int attempt = 0; attempt < 8; ++attempt) {
        metadata.name = generate_name(metadata.generate_name);
        if (!objects_.contains(key_of(object))) break;
      }
    }
    const ObjectKey key = key_of(object);
    if (objects_.contains(key)) {
      return Status(StatusCode::kAlreadyExists, fmt::format("{} already exists", named(key)));
    }
    if (objects_.size() >= kMaxObjects) {
      return Status(StatusCode::kResourceExhausted,
                    fmt::format("the store holds {} objects, its limit", kMaxObjects));
    }
    metadata.uid = new_uid();
    metadata.creation_timestamp =
        std::chrono::time_point_cast<std::chrono::seconds>(clock_.wall_now());
    metadata.deletion_timestamp.reset();
    metadata.deletion_grace_period_seconds.reset();
    metadata.resource_version.clear();
    metadata.generation = counts_generations(object) ? 1 : 0;
    reset_status_for_create(object);
    if (const api::FieldErrors errors = prepare(object, nullptr); !errors.empty()) {
      return invalid_argument(api::invalid_object_message(object, errors));
    }
    if (const api::FieldErrors errors = validate(object, nullptr); !errors.empty()) {
      return invalid_argument(api::invalid_object_message(object, errors));
    }
    if (options.dry_run) return std::make_shared<const api::Object>(std::move(object));
    return commit(WatchEventType::kAdded, key, std::move(object), nullptr, pending);
  }();
  return finish(std::move(result), pending);
}

Result<ObjectPtr> Store::update(api::Object object, const WriteOptions& options) {
  Pending pending;
  Result<ObjectPtr> result = [&]() -> Result<ObjectPtr> {
    std::lock_guard lock(mutex_);
    if (refused_) return *refused_;
    const ObjectKey key = key_of(object);
    const auto found = objects_.find(key);
    if (found == objects_.end()) return not_found_error(key);
    const api::Object& old = *found->second;
    const api::ObjectMeta& old_metadata = api::metadata_of(old);
    api::ObjectMeta& metadata = api::metadata_of(object);
    if (!metadata.resource_version.empty() &&
        metadata.resource_version != old_metadata.resource_version) {
      return modified_conflict(key);
    }
    if (!metadata.uid.empty() && metadata.uid != old_metadata.uid) {
      return conflict(
          fmt::format("Precondition failed: UID in precondition: {}, UID in object "
                      "meta: {}",
                      metadata.uid, old_metadata.uid));
    }
    // The system's fields are the store's; the status is the status subresource's.
    metadata.namespace_name = old_metadata.namespace_name;
    metadata.uid = old_metadata.uid;
    metadata.creation_timestamp = old_metadata.creation_timestamp;
    metadata.deletion_timestamp = old_metadata.deletion_timestamp;
    metadata.deletion_grace_period_seconds = old_metadata.deletion_grace_period_seconds;
    metadata.generate_name =
        metadata.generate_name.empty() ? old_metadata.generate_name : metadata.generate_name;
    metadata.resource_version = old_metadata.resource_version;
    metadata.generation = old_metadata.generation;
    if (has_status(object)) copy_status(old, object);
    if (counts_generations(object) && !same_spec(object, old)) ++metadata.generation;
    if (const api::FieldErrors errors = prepare(object, &old); !errors.empty()) {
      return invalid_argument(api::invalid_object_message(object, errors));
    }
    if (object == old) return unchanged(found->second, pending);  // no write, no new version
    if (const api::FieldErrors errors = validate(object, &old); !errors.empty()) {
      return invalid_argument(api::invalid_object_message(object, errors));
    }
    if (options.dry_run) return std::make_shared<const api::Object>(std::move(object));
    // The last finalizer of an object being deleted is gone: it goes now (a pod once its
    // kubelet has also finished it, grace 0).
    const bool finished = metadata.deletion_timestamp.has_value() && metadata.finalizers.empty() &&
                          (!std::holds_alternative<api::Pod>(object) ||
                           metadata.deletion_grace_period_seconds.value_or(0) == 0);
    return commit(finished ? WatchEventType::kDeleted : WatchEventType::kModified, key,
                  std::move(object), found->second, pending);
  }();
  return finish(std::move(result), pending);
}

Result<ObjectPtr> Store::update_status(api::Object object, const WriteOptions& options) {
  Pending pending;
  Result<ObjectPtr> result = [&]() -> Result<ObjectPtr> {
    std::lock_guard lock(mutex_);
    if (refused_) return *refused_;
    const ObjectKey key = key_of(object);
    const auto found = objects_.find(key);
    if (found == objects_.end()) return not_found_error(key);
    const api::Object& old = *found->second;
    const api::ObjectMeta& metadata = api::metadata_of(object);
    if (!metadata.resource_version.empty() &&
        metadata.resource_version != api::metadata_of(old).resource_version) {
      return modified_conflict(key);
    }
    if (!has_status(old)) {
      return invalid_argument(fmt::format("{} has no status", named(key)));
    }
    // Only the status, and the annotations controllers keep their bookkeeping in (the Deployment
    // controller's revision annotations), change.
    api::Object updated = old;
    copy_status(object, updated);
    api::metadata_of(updated).annotations = metadata.annotations;
    if (updated == old) return unchanged(found->second, pending);
    if (options.dry_run) return std::make_shared<const api::Object>(std::move(updated));
    return commit(WatchEventType::kModified, key, std::move(updated), found->second, pending);
  }();
  return finish(std::move(result), pending);
}

Result<ObjectPtr> Store::remove(const ObjectKey& key, const DeleteOptions& options) {
  Pending pending;
  Result<ObjectPtr> result = [&]() -> Result<ObjectPtr> {
    std::lock_guard lock(mutex_);
    if (refused_) return *refused_;
    const auto found = objects_.find(key);
    if (found == objects_.end()) return not_found_error(key);
    const api::Object& old = *found->second;
    const api::ObjectMeta& old_metadata = api::metadata_of(old);
    if (options.precondition_uid && *options.precondition_uid != old_metadata.uid) {
      return conflict(
          fmt::format("Precondition failed: UID in precondition: {}, UID in object meta: {}",
                      *options.precondition_uid, old_metadata.uid));
    }
    if (options.precondition_resource_version &&
        *options.precondition_resource_version != old_metadata.resource_version) {
      return conflict(fmt::format(
          "Precondition failed: ResourceVersion in precondition: {}, ResourceVersion in object "
          "meta: {}",
          *options.precondition_resource_version, old_metadata.resource_version));
    }
    api::Object updated = old;
    api::ObjectMeta& metadata = api::metadata_of(updated);
    std::int64_t grace_seconds = 0;
    if (const auto* pod = std::get_if<api::Pod>(&old)) {
      // rest.BeforeDelete with the pod strategy's CheckGracefulDelete: the pod's own grace by
      // default; none for a pod no kubelet runs (unscheduled) or one that already ended.
      grace_seconds = options.grace_period_seconds.value_or(
          pod->spec.termination_grace_period_seconds.value_or(30));
      if (pod->spec.node_name.empty() || is_terminal_pod(*pod)) grace_seconds = 0;
      grace_seconds = std::max<std::int64_t>(grace_seconds, 0);
    }
    switch (options.propagation) {
      case Propagation::kBackground:
        break;
      case Propagation::kForeground:
        if (!has_finalizer(metadata, kForegroundDeletionFinalizer)) {
          metadata.finalizers.push_back(kForegroundDeletionFinalizer);
        }
        break;
      case Propagation::kOrphan:
        if (!has_finalizer(metadata, kOrphanFinalizer)) {
          metadata.finalizers.push_back(kOrphanFinalizer);
        }
        break;
    }
    const WallTime now = std::chrono::time_point_cast<std::chrono::seconds>(clock_.wall_now());
    if (metadata.deletion_timestamp.has_value()) {
      // Deletion has begun: a shorter grace period brings it forward; nothing else changes.
      const std::int64_t current = metadata.deletion_grace_period_seconds.value_or(0);
      if (grace_seconds >= current && metadata.finalizers == old_metadata.finalizers) {
        return unchanged(found->second, pending);
      }
      if (grace_seconds < current) {
        metadata.deletion_timestamp = now + std::chrono::seconds(grace_seconds);
        metadata.deletion_grace_period_seconds = grace_seconds;
      }
    } else if (grace_seconds > 0 || !metadata.finalizers.empty()) {
      metadata.deletion_timestamp = now + std::chrono::seconds(grace_seconds);
      metadata.deletion_grace_period_seconds = grace_seconds;
      if (metadata.generation > 0) ++metadata.generation;
    } else {
      if (options.dry_run) return found->second;
      return commit(WatchEventType::kDeleted, key, old, found->second, pending);
    }
    if (grace_seconds == 0 && metadata.finalizers.empty()) {
      if (options.dry_run) return found->second;
      return commit(WatchEventType::kDeleted, key, old, found->second, pending);
    }
    if (options.dry_run) return std::make_shared<const api::Object>(std::move(updated));
    return commit(WatchEventType::kModified, key, std::move(updated), found->second, pending);
  }();
  return finish(std::move(result), pending);
}

api::FieldErrors Store::prepare(api::Object& object, const api::Object* old) {
  if (options_.registry == nullptr) return {};
  return options_.registry->prepare(object, old, [this](const std::string& kind) {
    std::vector<ObjectPtr> objects;
    for (auto it = objects_.lower_bound(ObjectKey{kind, "", ""});
         it != objects_.end() && it->first.kind == kind; ++it) {
      objects.push_back(it->second);
    }
    return objects;
  });
}

Result<ObjectPtr> Store::commit(WatchEventType type, const ObjectKey& key, api::Object object,
                                ObjectPtr previous, Pending& pending) {
  const ResourceVersion version = resource_version_ + 1;
  api::metadata_of(object).resource_version = resource_version_text(version);
  auto stored = std::make_shared<const api::Object>(std::move(object));
  if (options_.commit_hook) {
    if (Status status = options_.commit_hook({version, type, key, stored}); !status.is_ok()) {
      return status;
    }
  }
  resource_version_ = version;
  if (type == WatchEventType::kDeleted) {
    objects_.erase(key);
  } else {
    objects_[key] = stored;
  }
  history_.push_back({version, type, key, stored, std::move(previous)});
  if (options_.persistence == nullptr) {
    publish(version, pending);
  } else {
    pending.durable_before_return = version;
  }
  return stored;
}

void Store::publish(ResourceVersion version, Pending& pending) {
  // The changes after published_ are the last entries of the history (it never forgets them).
  auto first = history_.end();
  while (first != history_.begin() && std::prev(first)->resource_version > published_) --first;
  for (auto entry = first; entry != history_.end() && entry->resource_version <= version; ++entry) {
    const WatchEvent event{entry->type, entry->object, entry->resource_version};
    std::erase_if(watches_, [&](auto& watching) {
      auto& [watch_options, watch] = watching;
      if (!matches(watch_options, entry->key, *entry->object)) return false;
      const Watch::Offer offer = watch->offer(event);
      // Queued or just expired, the consumer has something to read; then an expired or stopped
      // watch is forgotten.
      if (offer != Watch::Offer::kStopped && watch_options.on_ready) {
        pending.callbacks.push_back(watch_options.on_ready);
      }
      return offer != Watch::Offer::kQueued;
    });
  }
  published_ = version;
  while (history_.size() > options_.history_events &&
         history_.front().resource_version <= published_) {
    history_.pop_front();
  }
}

ObjectPtr Store::unchanged(const ObjectPtr& object, Pending& pending) const {
  // Another writer's change, not yet durable: this write's answer waits for it too.
  const std::optional<ResourceVersion> version =
      parse_resource_version(api::metadata_of(*object).resource_version);
  if (options_.persistence != nullptr && version && *version > published_) {
    pending.durable_before_return = *version;
  }
  return object;
}

ObjectPtr Store::visible(const ObjectKey& key) const {
  const auto found = objects_.find(key);
  ObjectPtr object = found == objects_.end() ? nullptr : found->second;
  // Undo the changes readers do not see yet, latest first: the earliest one's "before" remains.
  for (auto it = history_.rbegin(); it != history_.rend() && it->resource_version > published_;
       ++it) {
    if (it->key == key) object = it->previous;
  }
  return object;
}

std::vector<std::pair<ObjectKey, ObjectPtr>> Store::visible_objects() const {
  std::vector<std::pair<ObjectKey, ObjectPtr>> objects;
  if (published_ == resource_version_) {
    objects.assign(objects_.begin(), objects_.end());
    return objects;
  }
  std::map<ObjectKey, ObjectPtr> undone;
  for (auto it = history_.rbegin(); it != history_.rend() && it->resource_version > published_;
       ++it) {
    undone[it->key] = it->previous;
  }
  std::map<ObjectKey, ObjectPtr> state(objects_.begin(), objects_.end());
  for (auto& [key, object] : undone) {
    if (object == nullptr) {
      state.erase(key);
    } else {
      state[key] = object;
    }
  }
  objects.assign(state.begin(), state.end());
  return objects;
}

Status Store::load() {
  if (options_.persistence == nullptr)
    return Status(StatusCode::kFailedPrecondition, "no persistence");
  Result<StoredState> stored = options_.persistence->load();
  if (!stored) return stored.status();
  std::lock_guard lock(mutex_);
  NODROP_CHECK(objects_.empty() && resource_version_ == 0 && watches_.empty());
  ResourceVersion version = stored->resource_version;
  for (api::Object& object : stored->objects) {
    const std::optional<ResourceVersion> object_version =
        parse_resource_version(api::metadata_of(object).resource_version);
    if (!object_version) {
      return Status(StatusCode::kFailedPrecondition,
                    fmt::format("{} has no resourceVersion", key_of(object).to_string()));
    }
    version = std::max(version, *object_version);
    const ObjectKey key = key_of(object);
    objects_[key] = std::make_shared<const api::Object>(std::move(object));
  }
  resource_version_ = version;
  published_ = version;
  std::lock_guard durable(durable_mutex_);
  durable_ = version;
  return Status::ok();
}

Status Store::make_durable(ResourceVersion version) {
  std::unique_lock lock(durable_mutex_);
  for (;;) {
    if (durable_ >= version) return Status::ok();
    if (!failure_.is_ok()) return failure_;
    if (writing_) {
      durable_changed_.wait(lock);
      continue;
    }
    // The leader: every change ordered so far goes in one write.
    writing_ = true;
    lock.unlock();
    std::vector<Commit> batch;
    {
      std::lock_guard state(mutex_);
      auto first = history_.end();
      while (first != history_.begin() && std::prev(first)->resource_version > published_) {
        --first;
      }
      for (auto entry = first; entry != history_.end(); ++entry) {
        batch.push_back({entry->resource_version, entry->type, entry->key, entry->object});
      }
    }
    NODROP_CHECK(!batch.empty());
    const Status written = options_.persistence->write(batch);
    Pending pending;
    {
      std::lock_guard state(mutex_);
      if (written.is_ok()) {
        publish(batch.back().resource_version, pending);
      } else {
        refused_ = Status(written.code(),
                          "the store's changes cannot be made durable, so it "
                          "accepts no more: " +
                              written.message());
      }
    }
    lock.lock();
    writing_ = false;
    if (written.is_ok()) {
      durable_ = batch.back().resource_version;
    } else {
      failure_ = written;
    }
    durable_changed_.notify_all();
    lock.unlock();
    notify(pending);
    lock.lock();
  }
}

Result<ObjectPtr> Store::finish(Result<ObjectPtr> result, Pending& pending) {
  if (pending.durable_before_return != 0) {
    if (Status durable = make_durable(pending.durable_before_return); !durable.is_ok()) {
      return durable;
    }
  }
  notify(pending);
  return result;
}

bool Store::matches(const WatchOptions& options, const ObjectKey& key,
                    const api::Object& object) const {
  if (!options.kind.empty() && options.kind != key.kind) return false;
  if (options.namespace_name && *options.namespace_name != key.namespace_name) return false;
  return !options.filter || options.filter(object);
}

void Store::notify(Pending& pending) {
  for (const auto& callback : pending.callbacks) callback();
}

Status Store::wait_for_ordered_writes() {
  ResourceVersion latest = 0;
  {
    std::lock_guard lock(mutex_);
    if (published_ >= resource_version_) return Status::ok();
    latest = resource_version_;
  }
  return make_durable(latest);
}

Result<ObjectPtr> Store::get(const ObjectKey& key) const {
  std::lock_guard lock(mutex_);
  ObjectPtr object = visible(key);
  if (object == nullptr) return not_found_error(key);
  return object;
}

Result<ListResult> Store::list(const ListOptions& options) const {
  std::lock_guard lock(mutex_);
  ResourceVersion at = options.resource_version.value_or(0);
  std::optional<ContinueFrom> from;
  if (!options.continue_token.empty()) {
    from = parse_continue_token(options.continue_token);
    if (!from) return invalid_argument("invalid continue token");
    at = from->version;
  }
  if (at == 0 || at > published_) {
    if (at > published_) {
      return Status(StatusCode::kUnavailable,
                    fmt::format("Too large resource version: {}, current: {}", at, published_));
    }
    at = published_;
  }
  const ResourceVersion oldest =
      history_.empty() ? resource_version_ : history_.front().resource_version - 1;
  if (at < oldest) {
    return Status(StatusCode::kExpired,
                  fmt::format("The resourceVersion for the provided {} is too old.",
                              from ? "continue token" : "list"));
  }
  // The state at `at`: the current objects of the kind, with the changes after it undone.
  std::map<ObjectKey, ObjectPtr> state;
  const ObjectKey first{options.kind, "", ""};
  for (auto it = objects_.lower_bound(first);
       it != objects_.end() && it->first.kind == options.kind; ++it) {
    state.emplace(it->first, it->second);
  }
  for (auto it = history_.rbegin(); it != history_.rend() && it->resource_version > at; ++it) {
    if (it->key.kind != options.kind) continue;
    if (it->type == WatchEventType::kAdded) {
      state.erase(it->key);
    } else {
      state[it->key] = it->previous;
    }
  }
  const std::size_t limit =
      options.limit == 0 ? kMaxListLimit : std::min(options.limit, kMaxListLimit);
  ListResult result;
  result.resource_version = at;
  auto it = state.begin();
  if (from) it = state.upper_bound(ObjectKey{options.kind, from->namespace_name, from->name});
  for (; it != state.end(); ++it) {
    if (options.namespace_name && *options.namespace_name != it->first.namespace_name) continue;
    if (options.filter && !options.filter(*it->second)) continue;
    if (result.items.size() == limit) {
      result.continue_token = continue_token(at, key_of(*result.items.back()));
      break;
    }
    result.items.push_back(it->second);
  }
  return result;
}

Result<std::shared_ptr<Watch>> Store::watch(WatchOptions options) {
  auto watch = std::make_shared<Watch>();
  watch->max_queued_ = std::max<std::size_t>(options.max_queued, 1);
  bool ready = false;
  {
    std::lock_guard lock(mutex_);
    Watch::Offer offer = Watch::Offer::kQueued;
    const auto replay = [&](const WatchEvent& event) {
      if (offer == Watch::Offer::kQueued) offer = watch->offer(event);
      ready = true;
    };
    if (options.from) {
      const ResourceVersion oldest =
          history_.empty() ? resource_version_ : history_.front().resource_version - 1;
      if (*options.from < oldest) {
        return Status(StatusCode::kExpired,
                      fmt::format("too old resource version: {} ({})", *options.from, oldest));
      }
      for (const HistoryEntry& entry : history_) {
        if (entry.resource_version <= *options.from) continue;
        if (entry.resource_version > published_) break;  // published to it later
        if (!matches(options, entry.key, *entry.object)) continue;
        replay({entry.type, entry.object, entry.resource_version});
      }
    } else {
      for (const auto& [key, object] : visible_objects()) {
        if (!matches(options, key, *object)) continue;
        replay({WatchEventType::kAdded, object, published_});
      }
    }
    if (offer == Watch::Offer::kQueued) watches_.emplace_back(options, watch);
  }
  if (ready && options.on_ready) options.on_ready();
  return watch;
}

ResourceVersion Store::resource_version() const {
  std::lock_guard lock(mutex_);
  return published_;
}

std::size_t Store::size() const {
  std::lock_guard lock(mutex_);
  return published_ == resource_version_ ? objects_.size() : visible_objects().size();
}

}  // namespace nodrop::store
