#include "live/sockets/blocking_client.h"

#include <utility>

#include "http/response_reader.h"
#include "live/sockets/tcp.h"

namespace nodrop::live {

Result<BlockingClient> BlockingClient::connect(const Ipv4Endpoint& endpoint,
                                               std::chrono::milliseconds timeout,
                                               std::optional<Ipv4Address> source) {
  Connecting connecting = connect_blocking(endpoint, timeout, source);
  if (connecting.outcome != IoOutcome::kDone) {
    return Status(
        connecting.outcome == IoOutcome::kRefused ? StatusCode::kUnavailable : StatusCode::kIoError,
        std::string(connecting.failed_call) + ": " + error_text(connecting.error_number));
  }
  return BlockingClient(std::move(connecting.socket));
}

Status BlockingClient::send_all(std::string_view data) {
  while (!data.empty()) {
    const IoResult sent = write_some(socket_.fd(), data.data(), data.size());
    switch (sent.outcome) {
      case IoOutcome::kDone:
        data.remove_prefix(sent.bytes);
        break;
      case IoOutcome::kWouldBlock:  // SO_SNDTIMEO passed
        return {StatusCode::kDeadlineExceeded, "send timed out"};
      case IoOutcome::kClosed:
      case IoOutcome::kRefused:
      case IoOutcome::kReset:
      case IoOutcome::kOutOfResources:
      case IoOutcome::kError:
        return io_error("send: " + error_text(sent.error_number));
    }
  }
  return Status::ok();
}

Result<std::string> BlockingClient::receive_some(std::size_t max) {
  if (!unread_.empty()) {
    std::string data = unread_.substr(0, max);
    unread_.erase(0, data.size());
    return data;
  }
  std::string data(max, '\0');
  const IoResult got = read_some(socket_.fd(), data.data(), data.size());
  switch (got.outcome) {
    case IoOutcome::kDone:
      data.resize(got.bytes);
      return data;
    case IoOutcome::kClosed:
      return std::string();
    case IoOutcome::kWouldBlock:  // SO_RCVTIMEO passed
      return Status(StatusCode::kDeadlineExceeded, "receive timed out");
    case IoOutcome::kRefused:
    case IoOutcome::kReset:
    case IoOutcome::kOutOfResources:
    case IoOutcome::kError:
      break;
  }
  return io_error("recv: " + error_text(got.error_number));
}

Result<std::string> BlockingClient::receive_until_close(std::size_t max_bytes) {
  std::string all;
  while (all.size() < max_bytes) {
    auto some = receive_some();
    if (!some.is_ok()) return some.status();
    if (some->empty()) return all;
    all += *some;
  }
  return Status(StatusCode::kResourceExhausted, "peer sent more than the limit");
}

Result<HttpResponse> BlockingClient::read_http_response(std::string_view request_method,
                                                        std::size_t max_body_bytes) {
  // One byte more than the limit is kept, to tell a body at the limit from one beyond it.
  http::ResponseReader reader(http::ResponseReader::default_limits(), max_body_bytes + 1);
  reader.reset(request_method);
  HttpResponse response;
  std::string data = std::exchange(unread_, std::string());
  while (true) {
    const std::size_t used = reader.feed(data);
    if (reader.invalid()) return internal_error("not a valid HTTP response: " + data);
    if (reader.complete()) {
      unread_ = data.substr(used);
      break;
    }
    Result<std::string> more = receive_some();
    if (!more) return more.status();
    if (more->empty()) {
      if (reader.finish_at_close()) {
        response.ended_at_close = true;
        break;
      }
      return Status(StatusCode::kUnavailable, reader.state() == http::ResponseReader::State::kHead
                                                  ? "closed before a response"
                                                  : "closed mid-response");
    }
    data = std::move(more).value();
  }
  if (reader.body().size() > max_body_bytes) return internal_error("the body exceeds the limit");
  response.status = reader.status_code();
  response.head = reader.head();
  response.body = reader.body();
  response.keep_alive = reader.keep_alive();
  return response;
}

void BlockingClient::shutdown_write() { live::shutdown_write(socket_.fd()); }

void BlockingClient::reset() { close_with_reset(socket_); }

}  // namespace nodrop::live
