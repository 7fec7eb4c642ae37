// A watch as a streamed response body: the store's events for one resource, each written as a
// watch event ({"type":"ADDED","object":{...}} on its own line), or as a one-row Table when
// `kubectl get -w` asked for tables; BOOKMARK events when the client allows them; an ERROR event
// with a 410 Status when the watch fell behind the store's history; the end after timeoutSeconds.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "http/exchange.h"
#include "manifest/node.h"
#include "runtime/clock.h"
#include "store/store.h"

namespace nodrop::apiserver {

// Wakes the stream's thread when the store queued events (the store's on_ready).
struct WatchSignal {
  std::mutex mutex;
  std::condition_variable ready;
  bool pending = false;

  void notify() {
    {
      std::lock_guard lock(mutex);
      pending = true;
    }
    ready.notify_all();
  }
};

struct WatchStreamOptions {
  // Encodes one event's object as the client wants it (the object, or a Table row).
  std::function<manifest::Node(const store::ObjectPtr& object, bool first)> encode{};
  // A BOOKMARK's object at a version (the kind and apiVersion of the resource).
  std::function<manifest::Node(store::ResourceVersion version)> bookmark{};
  bool bookmarks = false;
  std::chrono::milliseconds bookmark_interval{10'000};
  std::chrono::milliseconds timeout{30 * 60 * 1000};
};

class WatchStream : public http::ResponseStream {
 public:
  WatchStream(store::Store& store, std::shared_ptr<store::Watch> watch,
              std::shared_ptr<WatchSignal> signal, const runtime::Clock& clock,
              WatchStreamOptions options);
  ~WatchStream() override;

  Chunk next(std::chrono::milliseconds max_wait) override;

 private:
  store::Store& store_;
  std::shared_ptr<store::Watch> watch_;
  std::shared_ptr<WatchSignal> signal_;
  const runtime::Clock& clock_;
  WatchStreamOptions options_;
  runtime::Time deadline_;
  runtime::Time next_bookmark_;
  bool first_ = true;
  store::ResourceVersion last_version_ = 0;
};

}  // namespace nodrop::apiserver
