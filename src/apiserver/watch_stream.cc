#include "apiserver/watch_stream.h"

#include "apiserver/json.h"
#include "apiserver/status_error.h"

namespace nodrop::apiserver {

WatchStream::WatchStream(store::Store& store, std::shared_ptr<store::Watch> watch,
                         std::shared_ptr<WatchSignal> signal, const runtime::Clock& clock,
                         WatchStreamOptions options)
    : store_(store),
      watch_(std::move(watch)),
      signal_(std::move(signal)),
      clock_(clock),
      options_(std::move(options)),
      deadline_(clock.now() + options_.timeout),
      next_bookmark_(clock.now() + options_.bookmark_interval) {}

WatchStream::~WatchStream() { watch_->stop(); }

http::ResponseStream::Chunk WatchStream::next(std::chrono::milliseconds max_wait) {
  Chunk chunk;
  if (!first_) {
    std::unique_lock lock(signal_->mutex);
    signal_->ready.wait_for(lock, max_wait, [this] { return signal_->pending; });
    signal_->pending = false;
  }
  // Every event up to this version is queued on the watch by now (the store queues under its
  // lock), so a bookmark at it after the events taken below skips nothing.
  const store::ResourceVersion version = store_.resource_version();
  const std::vector<store::WatchEvent> events = watch_->take();
  for (const store::WatchEvent& event : events) {
    const Node line = object_of({{"type", text(store::watch_event_type_name(event.type))},
                                 {"object", options_.encode(event.object, first_)}});
    first_ = false;
    chunk.bytes += to_json(line);
    chunk.bytes += '\n';
    last_version_ = std::max(last_version_, event.resource_version);
  }
  first_ = false;
  if (watch_->expired()) {
    ApiError gone{.code = 410,
                  .reason = "Expired",
                  .message = "the watch fell behind the store's history; list again"};
    chunk.bytes += to_json(object_of({{"type", text("ERROR")}, {"object", status_object(gone)}}));
    chunk.bytes += '\n';
    chunk.done = true;
    return chunk;
  }
  const runtime::Time now = clock_.now();
  if (options_.bookmarks && now >= next_bookmark_) {
    last_version_ = std::max(last_version_, version);
    chunk.bytes += to_json(
        object_of({{"type", text("BOOKMARK")}, {"object", options_.bookmark(last_version_)}}));
    chunk.bytes += '\n';
    next_bookmark_ = now + options_.bookmark_interval;
  }
  chunk.done = now >= deadline_;
  return chunk;
}

}  // namespace nodrop::apiserver
