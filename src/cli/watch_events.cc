#include "cli/watch_events.h"

#include "apiserver/json.h"

namespace nodrop::cli {

using manifest::Node;

bool WatchEvents::feed(std::string_view data) {
  pending_ += data;
  std::size_t start = 0;
  std::size_t end;
  while ((end = pending_.find('\n', start)) != std::string::npos) {
    const std::string line = pending_.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    Result<Node> event = apiserver::parse_body(line);
    const Node* type = event && event->is_mapping() ? event->find("type") : nullptr;
    const Node* object = event && event->is_mapping() ? event->find("object") : nullptr;
    if (type == nullptr || object == nullptr) {
      problem_ = internal_error("the server sent a watch event that is not one");
      return false;
    }
    any_ = true;
    if (type->text() == "BOOKMARK") continue;
    if (type->text() == "ERROR") {
      const Node* message = object->is_mapping() ? object->find("message") : nullptr;
      problem_ = internal_error(message != nullptr ? message->text() : "the watch failed");
      return false;
    }
    if (!handler_(type->text(), *object)) return false;
  }
  pending_.erase(0, start);
  if (pending_.size() > kMaxEventBytes) {
    problem_ = Status(StatusCode::kResourceExhausted, "a watch event larger than 16 MiB");
    return false;
  }
  return true;
}

}  // namespace nodrop::cli
