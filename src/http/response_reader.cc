#include "http/response_reader.h"

#include <algorithm>
#include <cstdint>

namespace nodrop::http {

Limits ResponseReader::default_limits() {
  Limits limits;
  limits.max_head_bytes = 64 * std::size_t{1024};
  limits.max_header_fields = 1000;
  return limits;
}

void ResponseReader::reset(std::string_view request_method) {
  method_ = request_method;
  state_ = State::kHead;
  received_any_ = false;
  status_code_ = 0;
  keep_alive_ = true;
  head_.clear();
  scanner_.reset();
  body_.clear();
}

std::size_t ResponseReader::feed_head(std::string_view data) {
  // Keep at most what can still belong to a head within the limit, so a server that never ends
  // its head costs max_head_bytes and no more.
  const std::size_t before = head_.size();
  const std::size_t room = limits_.max_head_bytes + 1 - std::min(before, limits_.max_head_bytes);
  head_.append(data.substr(0, room));
  switch (parse_response_head(head_, limits_, scanner_, method_, &head_parsed_)) {
    case HeadParse::kIncomplete:
      return head_.size() - before;
    case HeadParse::kTooLarge:
    case HeadParse::kTooManyFields:
    case HeadParse::kRequestLineTooLong:
    case HeadParse::kMalformed:
      state_ = State::kInvalid;
      return 0;
    case HeadParse::kComplete:
      break;
  }
  const std::size_t used = head_parsed_.head_bytes - before;
  if (head_parsed_.status / 100 == 1 && head_parsed_.status != 101) {
    // An interim response: the final one follows on the same stream.
    head_.clear();
    scanner_.reset();
    return used;
  }
  status_code_ = head_parsed_.status;
  keep_alive_ = head_parsed_.keep_alive() && head_parsed_.framing != BodyFraming::kUntilClose;
  body_decoder_.start(head_parsed_.framing, head_parsed_.content_length, limits_);
  state_ = body_decoder_.complete() ? State::kComplete : State::kBody;
  head_.resize(head_parsed_.head_bytes);  // drops the body bytes that came with it
  return used;
}

std::size_t ResponseReader::feed(std::string_view data) {
  if (!data.empty()) received_any_ = true;
  std::size_t used = 0;
  while (used < data.size() && (state_ == State::kHead || state_ == State::kBody)) {
    const std::string_view rest = data.substr(used);
    if (state_ == State::kHead) {
      const std::size_t took = feed_head(rest);
      used += took;
      if (took == 0 && state_ == State::kHead) break;
      continue;
    }
    const BodyDecoder::Step step = body_decoder_.consume(rest);
    if (body_.size() < body_bytes_kept_) {
      body_.append(rest.substr(0, std::min(step.consumed, body_bytes_kept_ - body_.size())));
    }
    used += step.consumed;
    if (step.malformed) {
      state_ = State::kInvalid;
    } else if (step.complete) {
      state_ = State::kComplete;
    }
  }
  return used;
}

bool ResponseReader::finish_at_close() {
  if (state_ == State::kBody && body_decoder_.framing() == BodyFraming::kUntilClose) {
    body_decoder_.finish_at_close();
    state_ = State::kComplete;
  }
  return state_ == State::kComplete;
}

ChunkedData take_complete_chunks(std::string_view framed) {
  ChunkedData out;
  while (true) {
    const std::string_view rest = framed.substr(out.consumed);
    const std::size_t line_end = rest.find('\n');
    if (line_end == std::string_view::npos) return out;  // the size line is still arriving
    // The size in hex, then (after optional whitespace) extensions, which say nothing we use.
    std::uint64_t size = 0;
    std::size_t digits = 0;
    for (; digits < line_end; ++digits) {
      const char c = rest[digits];
      int value = 0;
      if (c >= '0' && c <= '9') {
        value = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        value = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        value = c - 'A' + 10;
      } else {
        break;
      }
      if (size > (std::uint64_t{1} << 56)) {
        out.malformed = true;
        return out;
      }
      size = size * 16 + static_cast<std::uint64_t>(value);
    }
    if (digits == 0) {
      out.malformed = true;
      return out;
    }
    if (size == 0) {
      out.consumed += line_end + 1;
      out.last_chunk = true;
      return out;
    }
    // The chunk's data and the CRLF (or LF) after it must all be here.
    const std::string_view data = rest.substr(line_end + 1);
    if (size > data.size()) return out;
    const std::string_view after = data.substr(size);
    const std::size_t ending = after.starts_with("\r\n") ? 2 : after.starts_with("\n") ? 1 : 0;
    if (ending == 0) {
      if (after.empty() || after == "\r") return out;  // the line end is still arriving
      out.malformed = true;
      return out;
    }
    out.data.append(data.substr(0, size));
    out.consumed += line_end + 1 + size + ending;
  }
}

std::optional<std::string> remove_chunked_framing(std::string_view framed) {
  ChunkedData chunks = take_complete_chunks(framed);
  if (chunks.malformed || !chunks.last_chunk) return std::nullopt;
  return std::move(chunks.data);
}

}  // namespace nodrop::http
