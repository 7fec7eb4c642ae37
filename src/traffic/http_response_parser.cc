#include "traffic/http_response_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace nodrop::traffic {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool contains_token(std::string_view value, std::string_view token) {
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view item = value.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (equals_ignoring_case(item, token)) return true;
    start = comma + 1;
  }
  return false;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

void HttpResponseParser::reset(bool request_was_head) {
  state_ = State::kHeaders;
  head_request_ = request_was_head;
  received_any_ = false;
  status_code_ = 0;
  keep_alive_ = true;
  remaining_ = 0;
  line_.clear();
}

std::size_t HttpResponseParser::feed_line(std::string_view data, bool* line_done) {
  const auto newline = data.find('\n');
  const std::size_t take = newline == std::string_view::npos ? data.size() : newline + 1;
  line_.append(data.substr(0, take));
  *line_done = newline != std::string_view::npos;
  if (line_.size() > kMaxLineBytes) state_ = State::kInvalid;
  return take;
}

std::size_t HttpResponseParser::feed(std::string_view data) {
  if (!data.empty()) received_any_ = true;
  std::size_t used = 0;
  while (used < data.size()) {
    const std::string_view rest = data.substr(used);
    switch (state_) {
      case State::kHeaders: {
        // Look for the blank line across the bytes kept so far and the new ones.
        const std::size_t before = line_.size();
        const std::size_t search_from = before >= 3 ? before - 3 : 0;
        line_.append(rest.substr(0, std::min(rest.size(), kMaxHeaderBytes + 4 - before)));
        const auto end = line_.find("\r\n\r\n", search_from);
        if (end == std::string::npos) {
          if (line_.size() > kMaxHeaderBytes) {
            state_ = State::kInvalid;
            return used;
          }
          used += line_.size() - before;
          break;
        }
        used += end + 4 - before;
        line_.resize(end + 2);
        if (!parse_headers()) {
          state_ = State::kInvalid;
          return used;
        }
        line_.clear();
        break;
      }
      case State::kFixedBody: {
        const auto take =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
        remaining_ -= take;
        used += take;
        if (remaining_ == 0) state_ = State::kComplete;
        break;
      }
      case State::kChunkSize: {
        bool done = false;
        used += feed_line(rest, &done);
        if (state_ == State::kInvalid) return used;
        if (!done) break;
        const std::string_view line = trim(std::string_view(line_).substr(0, line_.find(';')));
        std::uint64_t size = 0;
        const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
        line_.clear();
        if (line.empty() || error != std::errc() || end != line.data() + line.size()) {
          state_ = State::kInvalid;
          return used;
        }
        remaining_ = size;
        state_ = size == 0 ? State::kTrailers : State::kChunkData;
        break;
      }
      case State::kChunkData: {
        const auto take =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
        remaining_ -= take;
        used += take;
        if (remaining_ == 0) state_ = State::kChunkDataEnd;
        break;
      }
      case State::kChunkDataEnd:
      case State::kTrailers: {
        bool done = false;
        used += feed_line(rest, &done);
        if (state_ == State::kInvalid) return used;
        if (!done) break;
        const bool empty = line_ == "\r\n" || line_ == "\n";
        line_.clear();
        if (state_ == State::kChunkDataEnd) {
          if (!empty) {
            state_ = State::kInvalid;
            return used;
          }
          state_ = State::kChunkSize;
        } else if (empty) {
          state_ = State::kComplete;
        }
        break;
      }
      case State::kBodyUntilClose:
        used = data.size();
        break;
      case State::kComplete:
      case State::kInvalid:
        return used;
    }
  }
  return used;
}

bool HttpResponseParser::finish_at_close() {
  if (state_ == State::kBodyUntilClose) state_ = State::kComplete;
  return state_ == State::kComplete;
}

bool HttpResponseParser::parse_headers() {
  std::string_view block = line_;
  auto line_end = block.find("\r\n");
  const std::string_view status_line = block.substr(0, line_end);
  // "HTTP/1.1 200 OK"
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ') {
    return false;
  }
  const bool http_1_0 = status_line[7] == '0';
  keep_alive_ = !http_1_0;
  int code = 0;
  const auto [end, error] = std::from_chars(status_line.data() + 9, status_line.data() + 12, code);
  if (error != std::errc() || end != status_line.data() + 12 || code < 100) return false;
  status_code_ = code;

  bool chunked = false;
  bool has_length = false;
  std::uint64_t length = 0;
  block.remove_prefix(line_end + 2);
  while (!block.empty()) {
    line_end = block.find("\r\n");
    const std::string_view header = block.substr(0, line_end);
    block.remove_prefix(line_end == std::string_view::npos ? block.size() : line_end + 2);
    const auto colon = header.find(':');
    if (colon == std::string_view::npos) return false;
    const std::string_view name = header.substr(0, colon);
    const std::string_view value = trim(header.substr(colon + 1));
    if (equals_ignoring_case(name, "content-length")) {
      const auto [value_end, value_error] =
          std::from_chars(value.data(), value.data() + value.size(), length);
      if (value_error != std::errc() || value_end != value.data() + value.size()) return false;
      has_length = true;
    } else if (equals_ignoring_case(name, "transfer-encoding")) {
      chunked = contains_token(value, "chunked");
    } else if (equals_ignoring_case(name, "connection")) {
      if (contains_token(value, "close")) keep_alive_ = false;
      if (contains_token(value, "keep-alive")) keep_alive_ = true;
    }
  }

  const bool no_body = head_request_ || code < 200 || code == 204 || code == 304;
  if (no_body) {
    state_ = State::kComplete;
  } else if (chunked) {
    state_ = State::kChunkSize;
  } else if (has_length) {
    remaining_ = length;
    state_ = length == 0 ? State::kComplete : State::kFixedBody;
  } else {
    keep_alive_ = false;
    state_ = State::kBodyUntilClose;
  }
  return true;
}

}  // namespace nodrop::traffic
