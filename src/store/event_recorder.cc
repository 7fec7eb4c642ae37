#include "store/event_recorder.h"

#include <fmt/format.h>

#include <algorithm>

namespace nodrop::store {
namespace {

constexpr auto kExpiryPeriod = std::chrono::minutes(1);

}  // namespace

EventRecorder::EventRecorder(Store& store, runtime::EventLoop& loop) : store_(store), loop_(loop) {
  expiry_timer_ = loop_.run_after(kExpiryPeriod, [this] { expire(); });
}

EventRecorder::~EventRecorder() { loop_.cancel(expiry_timer_); }

void EventRecorder::record(const EventSourceName& source, const api::Object& involved,
                           api::EventType type, const std::string& reason,
                           const std::string& message, const std::string& field_path) {
  const api::ObjectMeta& metadata = api::metadata_of(involved);
  const runtime::Time now = loop_.clock().now();
  const WallTime wall = loop_.clock().wall_now();
  const WallTime second = std::chrono::time_point_cast<std::chrono::seconds>(wall);
  const Key key{metadata.uid,          field_path, reason, message, source.component, source.host,
                static_cast<int>(type)};
  if (const auto found = recent_.find(key);
      found != recent_.end() && now - found->second.at < kAggregationWindow) {
    // The correlator's aggregation: the same event again raises the count of the stored one.
    Result<ObjectPtr> stored =
        store_.get({"Event", found->second.namespace_name, found->second.name});
    if (stored) {
      api::Event event = std::get<api::Event>(**stored);
      ++event.count;
      event.last_timestamp = second;
      if (store_.update(event)) return;
    }
    recent_.erase(found);
  }

  api::Event event;
  event.metadata.namespace_name =
      metadata.namespace_name.empty() ? "default" : metadata.namespace_name;
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(wall.time_since_epoch());
  event.metadata.name = fmt::format("{}.{:x}", metadata.name,
                                    static_cast<std::uint64_t>(nanos.count()) + sequence_++);
  event.involved_object.api_version = api::api_version_of(involved);
  event.involved_object.kind = api::kind_of(involved);
  event.involved_object.namespace_name = metadata.namespace_name;
  event.involved_object.name = metadata.name;
  event.involved_object.uid = metadata.uid;
  event.involved_object.resource_version = metadata.resource_version;
  event.involved_object.field_path = field_path;
  event.reason = reason;
  // client-go truncates messages to what the API server accepts.
  event.message = message.size() > 1024 ? message.substr(0, 1021) + "..." : message;
  event.type = type;
  event.source = {source.component, source.host};
  event.first_timestamp = second;
  event.last_timestamp = second;
  event.count = 1;
  event.event_time = std::chrono::time_point_cast<std::chrono::microseconds>(wall);
  event.reporting_component = source.component;
  event.reporting_instance = source.host;
  Result<ObjectPtr> created = store_.create(event);
  if (!created) return;  // an event is best effort, as in Kubernetes
  const api::ObjectMeta& stored = api::metadata_of(**created);
  recent_[key] = {stored.namespace_name, stored.name, now};
  stored_.push_back({stored.namespace_name, stored.name, now});
  while (stored_.size() > kMaxEvents) {
    const Recorded& oldest = stored_.front();
    (void)store_.remove({"Event", oldest.namespace_name, oldest.name});
    stored_.pop_front();
  }
}

void EventRecorder::track_stored() {
  Result<ListResult> listed = store_.list({.kind = "Event"});
  if (!listed) return;
  const runtime::Time now = loop_.clock().now();
  const WallTime wall = loop_.clock().wall_now();
  std::vector<std::pair<WallTime, Recorded>> events;
  for (const ObjectPtr& object : listed->items) {
    const api::Event& event = std::get<api::Event>(*object);
    const WallTime last = event.last_timestamp.value_or(event.event_time.value_or(
        event.first_timestamp.value_or(event.metadata.creation_timestamp.value_or(WallTime{}))));
    const auto age = std::max(wall - last, WallTime::duration::zero());
    events.push_back({last,
                      {event.metadata.namespace_name, event.metadata.name,
                       now - std::chrono::duration_cast<runtime::Duration>(age)}});
  }
  std::sort(events.begin(), events.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [last, recorded] : events) stored_.push_back(std::move(recorded));
  while (!stored_.empty() &&
         (now - stored_.front().at >= kTimeToLive || stored_.size() > kMaxEvents)) {
    (void)store_.remove({"Event", stored_.front().namespace_name, stored_.front().name});
    stored_.pop_front();
  }
}

void EventRecorder::expire() {
  expiry_timer_ = loop_.run_after(kExpiryPeriod, [this] { expire(); });
  const runtime::Time now = loop_.clock().now();
  while (!stored_.empty() && now - stored_.front().at >= kTimeToLive) {
    (void)store_.remove({"Event", stored_.front().namespace_name, stored_.front().name});
    stored_.pop_front();
  }
  std::erase_if(recent_,
                [&](const auto& entry) { return now - entry.second.at >= kAggregationWindow; });
}

}  // namespace nodrop::store
