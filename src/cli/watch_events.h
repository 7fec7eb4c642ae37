// The events of a watch as the API streams them, one JSON object a line
// ({"type":"MODIFIED","object":{...}}), cut out of the stream's pieces for `get -w` and
// `rollout status`. Every byte comes from the server: a line is refused beyond 16 MiB (a Table row
// or a Deployment is a few KiB) and anything that is not an event ends the watch with a Status.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "manifest/node.h"

namespace nodrop::cli {

class WatchEvents {
 public:
  // Called for each event but BOOKMARKs (which only move the resourceVersion on); returns
  // whether to go on.
  using Handler = std::function<bool(const std::string& type, const manifest::Node& object)>;

  static constexpr std::size_t kMaxEventBytes = 16 * 1024 * 1024;
  // Watches a verb starts again, one after another, when the server ends each without an event:
  // a server that closes every watch at once must not keep a verb asking in a tight loop.
  static constexpr int kMaxEmptyWatches = 10;

  explicit WatchEvents(Handler handler) : handler_(std::move(handler)) {}

  // Takes the next piece of the stream; false when the watch should stop: the handler said so,
  // or problem() says what was wrong (an ERROR event gives its message).
  bool feed(std::string_view data);
  const Status& problem() const { return problem_; }
  // Whether any event (BOOKMARKs included) has arrived.
  bool any() const { return any_; }

 private:
  Handler handler_;
  std::string pending_;  // a line still arriving
  Status problem_;
  bool any_ = false;
};

}  // namespace nodrop::cli
