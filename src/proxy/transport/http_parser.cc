#include "proxy/transport/http_parser.h"

#include <algorithm>
#include <charconv>
#include <span>

#include "base/check.h"

namespace nodrop::proxy {
namespace {

constexpr std::uint64_t kMaxBodyLength = std::uint64_t{1} << 62;

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_token_char);
}

// Calls visit for each comma-separated element of a list-valued field, trimmed, skipping empty
// ones (RFC 9110 §5.6.1).
template <typename Visit>
void for_each_element(std::string_view value, Visit visit) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    const std::string_view element = trim_whitespace(value.substr(0, comma));
    if (!element.empty()) visit(element);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

// Takes the next line of a head (without its line ending) off the front of rest; false when
// rest is empty or the line holds a bare CR or a NUL.
bool next_line(std::string_view& rest, std::string_view* line) {
  if (rest.empty()) return false;
  const auto newline = rest.find('\n');
  *line = rest.substr(0, newline);
  rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  return line->find_first_of(std::string_view("\r\0", 2)) == std::string_view::npos;
}

bool parse_version(std::string_view text, int* minor_version) {
  if (text == "HTTP/1.1") {
    *minor_version = 1;
  } else if (text == "HTTP/1.0") {
    *minor_version = 0;
  } else {
    return false;
  }
  return true;
}

// Parses header fields and derives the framing facts every message shares. rest is the head
// after its first line, ending with the blank line.
bool parse_fields(std::string_view rest, const HttpLimits& limits, bool is_request,
                  HttpHead* head) {
  bool has_length = false;
  bool has_transfer_encoding = false;
  bool chunked_last = false;
  std::string_view line;
  while (true) {
    if (!next_line(rest, &line)) return false;
    if (line.empty()) {
      if (!rest.empty()) return false;  // the blank line ends the head
      break;
    }
    if (head->fields.size() >= limits.max_header_fields) return false;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    const std::string_view name = line.substr(0, colon);
    if (!is_token(name)) return false;  // also rejects obs-fold and space before the colon
    const std::string_view value = trim_whitespace(line.substr(colon + 1));
    head->fields.push_back({name, value});
    if (equals_ignoring_case(name, "content-length")) {
      std::uint64_t length = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (value.empty() || error != std::errc() || end != value.data() + value.size() ||
          length > kMaxBodyLength) {
        return false;
      }
      if (has_length && length != head->content_length) return false;
      has_length = true;
      head->content_length = length;
    } else if (equals_ignoring_case(name, "transfer-encoding")) {
      has_transfer_encoding = true;
      bool valid = true;
      for_each_element(value, [&](std::string_view coding) {
        if (chunked_last) valid = false;  // chunked must be the final coding, applied once
        chunked_last = equals_ignoring_case(coding, "chunked");
      });
      if (!valid) return false;
    } else if (equals_ignoring_case(name, "connection")) {
      for_each_element(value, [&](std::string_view option) {
        if (equals_ignoring_case(option, "close")) head->connection_close = true;
        if (equals_ignoring_case(option, "keep-alive")) head->connection_keep_alive = true;
        if (equals_ignoring_case(option, "upgrade")) head->connection_upgrade = true;
      });
    } else if (equals_ignoring_case(name, "upgrade")) {
      head->has_upgrade = true;
    }
  }
  // RFC 9112 §6.3: Transfer-Encoding with Content-Length is a smuggling risk; refuse it.
  if (has_transfer_encoding && has_length) return false;
  if (has_transfer_encoding) {
    if (chunked_last) {
      head->framing = BodyFraming::kChunked;
    } else if (is_request) {
      return false;  // a request body whose length cannot be determined
    } else {
      head->framing = BodyFraming::kUntilClose;
    }
  } else if (has_length) {
    head->framing = head->content_length == 0 ? BodyFraming::kNone : BodyFraming::kContentLength;
  } else {
    head->framing = is_request ? BodyFraming::kNone : BodyFraming::kUntilClose;
  }
  return true;
}

// Common front half of both parsers: find the head and bound it. *head is the head's text,
// blank line included.
HeadParse find_head(std::string_view buffer, const HttpLimits& limits, HeadScanner& scanner,
                    std::string_view* head) {
  const std::size_t size = scanner.find(buffer);
  if (size == 0) {
    return buffer.size() >= limits.max_head_bytes ? HeadParse::kTooLarge : HeadParse::kIncomplete;
  }
  if (size > limits.max_head_bytes) return HeadParse::kTooLarge;
  *head = buffer.substr(0, size);
  return HeadParse::kComplete;
}

// Resets a head for reuse, keeping the capacity of its field list (no allocation per message).
template <typename Head>
void reset_head(Head* head) {
  std::vector<HttpHeaderField> fields = std::move(head->fields);
  fields.clear();
  *head = Head{};
  head->fields = std::move(fields);
}

}  // namespace

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim_whitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::size_t HeadScanner::find(std::string_view buffer) {
  // The blank line is "\n\n" or "\n\r\n"; resume two bytes back so a split terminator is found.
  std::size_t i = scanned_ >= 2 ? scanned_ - 2 : 0;
  for (; i < buffer.size(); ++i) {
    if (buffer[i] != '\n') continue;
    if (i + 1 < buffer.size() && buffer[i + 1] == '\n') return i + 2;
    if (i + 2 < buffer.size() && buffer[i + 1] == '\r' && buffer[i + 2] == '\n') return i + 3;
  }
  scanned_ = buffer.size();
  return 0;
}

HeadParse parse_request_head(std::string_view buffer, const HttpLimits& limits,
                             HeadScanner& scanner, RequestHead* head) {
  std::string_view rest;
  const HeadParse found = find_head(buffer, limits, scanner, &rest);
  if (found != HeadParse::kComplete) return found;
  reset_head(head);
  head->head_bytes = rest.size();
  std::string_view request_line;
  if (!next_line(rest, &request_line)) return HeadParse::kMalformed;
  const auto first_space = request_line.find(' ');
  const auto last_space = request_line.rfind(' ');
  if (first_space == std::string_view::npos || first_space == last_space) {
    return HeadParse::kMalformed;
  }
  head->method = request_line.substr(0, first_space);
  head->target = request_line.substr(first_space + 1, last_space - first_space - 1);
  if (!is_token(head->method) || head->target.empty() ||
      head->target.find_first_of(" \t") != std::string_view::npos ||
      !parse_version(request_line.substr(last_space + 1), &head->minor_version)) {
    return HeadParse::kMalformed;
  }
  if (!parse_fields(rest, limits, true, head)) return HeadParse::kMalformed;
  return HeadParse::kComplete;
}

HeadParse parse_response_head(std::string_view buffer, const HttpLimits& limits,
                              HeadScanner& scanner, std::string_view request_method,
                              ResponseHead* head) {
  std::string_view rest;
  const HeadParse found = find_head(buffer, limits, scanner, &rest);
  if (found != HeadParse::kComplete) return found;
  reset_head(head);
  head->head_bytes = rest.size();
  std::string_view status_line;
  if (!next_line(rest, &status_line)) return HeadParse::kMalformed;
  // "HTTP/1.1 200 OK" or "HTTP/1.1 200" (an empty reason is allowed).
  if (status_line.size() < 12 || status_line[8] != ' ' ||
      !parse_version(status_line.substr(0, 8), &head->minor_version) ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    return HeadParse::kMalformed;
  }
  const std::string_view code = status_line.substr(9, 3);
  if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      code[0] == '0') {
    return HeadParse::kMalformed;
  }
  head->status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  if (!parse_fields(rest, limits, false, head)) {
    return HeadParse::kMalformed;
  }
  // RFC 9112 §6.3: these responses never have a body, whatever their fields say.
  if (request_method == "HEAD" || head->status / 100 == 1 || head->status == 204 ||
      head->status == 304) {
    head->framing = BodyFraming::kNone;
  }
  return HeadParse::kComplete;
}

void BodyDecoder::start(BodyFraming framing, std::uint64_t content_length,
                        const HttpLimits& limits) {
  framing_ = framing;
  limits_ = limits;
  remaining_ = 0;
  line_bytes_ = 0;
  trailer_bytes_ = 0;
  saw_digit_ = false;
  switch (framing) {
    case BodyFraming::kNone:
      state_ = State::kDone;
      break;
    case BodyFraming::kContentLength:
      remaining_ = content_length;
      state_ = content_length == 0 ? State::kDone : State::kLength;
      break;
    case BodyFraming::kChunked:
      state_ = State::kSize;
      break;
    case BodyFraming::kUntilClose:
      state_ = State::kUntilClose;
      break;
  }
}

void BodyDecoder::finish_at_close() {
  if (state_ == State::kUntilClose) state_ = State::kDone;
}

BodyDecoder::Step BodyDecoder::consume(std::string_view input) {
  switch (state_) {
    case State::kDone:
      return {0, true, false};
    case State::kLength: {
      const std::size_t take =
          static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
      remaining_ -= take;
      if (remaining_ == 0) state_ = State::kDone;
      return {take, state_ == State::kDone, false};
    }
    case State::kUntilClose:
      return {input.size(), false, false};
    default:
      return consume_chunked(input);
  }
}

BodyDecoder::Step BodyDecoder::consume_chunked(std::string_view input) {
  std::size_t i = 0;
  const auto malformed = [&] { return Step{i, false, true}; };
  while (i < input.size() && state_ != State::kDone) {
    if (state_ == State::kData) {
      const std::size_t take =
          static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size() - i));
      i += take;
      remaining_ -= take;
      if (remaining_ == 0) state_ = State::kDataCr;
      continue;
    }
    const char c = input[i++];
    switch (state_) {
      case State::kSize: {
        int digit = -1;
        if (c >= '0' && c <= '9') digit = c - '0';
        if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        if (++line_bytes_ > limits_.max_chunk_line_bytes) return malformed();
        if (digit >= 0) {
          if (remaining_ > (kMaxBodyLength >> 4)) return malformed();
          remaining_ = remaining_ * 16 + static_cast<std::uint64_t>(digit);
          saw_digit_ = true;
        } else if (!saw_digit_) {
          return malformed();
        } else if (c == ';' || c == ' ' || c == '\t') {
          state_ = State::kExtension;
        } else if (c == '\r') {
          state_ = State::kSizeLf;
        } else if (c == '\n') {
          state_ = remaining_ == 0 ? State::kTrailerStart : State::kData;
        } else {
          return malformed();
        }
        break;
      }
      case State::kExtension:
        if (++line_bytes_ > limits_.max_chunk_line_bytes) return malformed();
        if (c == '\r') state_ = State::kSizeLf;
        if (c == '\n') state_ = remaining_ == 0 ? State::kTrailerStart : State::kData;
        break;
      case State::kSizeLf:
        if (c != '\n') return malformed();
        state_ = remaining_ == 0 ? State::kTrailerStart : State::kData;
        break;
      case State::kDataCr:
        if (c == '\r') {
          state_ = State::kDataLf;
        } else if (c == '\n') {
          line_bytes_ = 0;
          saw_digit_ = false;
          state_ = State::kSize;
        } else {
          return malformed();
        }
        break;
      case State::kDataLf:
        if (c != '\n') return malformed();
        line_bytes_ = 0;
        saw_digit_ = false;
        state_ = State::kSize;
        break;
      case State::kTrailerStart:
        if (++trailer_bytes_ > limits_.max_trailer_bytes) return malformed();
        if (c == '\r') {
          state_ = State::kFinalLf;
        } else if (c == '\n') {
          state_ = State::kDone;
        } else {
          state_ = State::kTrailer;
        }
        break;
      case State::kTrailer:
        if (++trailer_bytes_ > limits_.max_trailer_bytes) return malformed();
        if (c == '\r') state_ = State::kTrailerLf;
        if (c == '\n') state_ = State::kTrailerStart;
        break;
      case State::kTrailerLf:
        if (c != '\n') return malformed();
        state_ = State::kTrailerStart;
        break;
      case State::kFinalLf:
        if (c != '\n') return malformed();
        state_ = State::kDone;
        break;
      case State::kLength:
      case State::kUntilClose:
      case State::kData:
      case State::kDone:
        NODROP_CHECK(false);  // handled above
        break;
    }
  }
  return {i, state_ == State::kDone, false};
}

}  // namespace nodrop::proxy
