#include "http/message.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <span>

#include "base/check.h"

namespace nodrop::http {
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

// A control byte other than HTAB (RFC 5234 CTL), which no field value or chunk framing may hold.
bool is_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte < 0x20 && byte != '\t') || byte == 0x7f;
}

// Whether a field value holds only what RFC 9110 §5.5 allows: visible characters, obs-text,
// spaces and tabs. CR, LF and NUL are refused everywhere (a bare CR never reaches here, see
// next_line); the other control characters too, since a recipient may read them as delimiters.
bool is_valid_field_value(std::string_view value) {
  return std::none_of(value.begin(), value.end(), is_control);
}

// A Host value as this proxy accepts it: uri-host [":" port] with no whitespace, comma (a list
// read differently by different recipients) or userinfo.
bool is_valid_host(std::string_view host) {
  return std::none_of(host.begin(), host.end(), [](char c) {
    return c == ' ' || c == '\t' || c == ',' || c == '@' || c == '/' || c == '\\';
  });
}

// Parses header fields and derives the framing facts every message shares. rest is the head
// after its first line, ending with the blank line.
HeadParse parse_fields(std::string_view rest, const Limits& limits, bool is_request, Head* head) {
  bool has_length = false;
  bool has_transfer_encoding = false;
  bool chunked_last = false;
  std::string_view line;
  while (true) {
    if (!next_line(rest, &line)) return HeadParse::kMalformed;
    if (line.empty()) {
      if (!rest.empty()) return HeadParse::kMalformed;  // the blank line ends the head
      break;
    }
    if (head->fields.size() >= limits.max_header_fields) return HeadParse::kTooManyFields;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return HeadParse::kMalformed;
    const std::string_view name = line.substr(0, colon);
    // is_token also refuses obs-fold (a line starting with whitespace) and space before the colon.
    if (!is_token(name)) return HeadParse::kMalformed;
    const std::string_view value = trim_whitespace(line.substr(colon + 1));
    if (!is_valid_field_value(value)) return HeadParse::kMalformed;
    head->fields.push_back({name, value});
    if (equals_ignoring_case(name, "content-length")) {
      std::uint64_t length = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (value.empty() || error != std::errc() || end != value.data() + value.size() ||
          length > kMaxBodyLength) {
        return HeadParse::kMalformed;
      }
      if (has_length && length != head->content_length) return HeadParse::kMalformed;
      has_length = true;
      head->content_length = length;
    } else if (equals_ignoring_case(name, "transfer-encoding")) {
      has_transfer_encoding = true;
      bool valid = true;
      for_each_element(value, [&](std::string_view coding) {
        if (chunked_last) valid = false;  // chunked must be the final coding, applied once
        chunked_last = equals_ignoring_case(coding, "chunked");
      });
      if (!valid) return HeadParse::kMalformed;
    } else if (equals_ignoring_case(name, "connection")) {
      for_each_element(value, [&](std::string_view option) {
        if (equals_ignoring_case(option, "close")) head->connection_close = true;
        if (equals_ignoring_case(option, "keep-alive")) head->connection_keep_alive = true;
        if (equals_ignoring_case(option, "upgrade")) head->connection_upgrade = true;
      });
    } else if (equals_ignoring_case(name, "upgrade")) {
      head->has_upgrade = true;
    } else if (is_request && equals_ignoring_case(name, "host")) {
      // RFC 9112 §3.2: more than one Host, or an invalid one, is a 400.
      if (head->host_count++ > 0 || !is_valid_host(value)) return HeadParse::kMalformed;
      head->host = value;
    }
  }
  // RFC 9112 §6.3: Transfer-Encoding with Content-Length is a smuggling risk; refuse it.
  if (has_transfer_encoding && has_length) return HeadParse::kMalformed;
  if (has_transfer_encoding) {
    if (chunked_last) {
      head->framing = BodyFraming::kChunked;
    } else if (is_request) {
      return HeadParse::kMalformed;  // a request body whose length cannot be determined
    } else {
      head->framing = BodyFraming::kUntilClose;
    }
    if (head->minor_version == 0) {
      head->must_close = true;
      head->connection_close = true;
    }
  } else if (has_length) {
    head->framing = head->content_length == 0 ? BodyFraming::kNone : BodyFraming::kContentLength;
  } else {
    head->framing = is_request ? BodyFraming::kNone : BodyFraming::kUntilClose;
  }
  return HeadParse::kComplete;
}

// The authority of an absolute-form request target ("http://host:port/path" → "host:port"), or
// nullopt for the other forms (origin "/path", asterisk "*", authority "host:port" of CONNECT).
std::optional<std::string_view> absolute_form_authority(std::string_view target) {
  const auto scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0 ||
      target.substr(0, scheme_end).find('/') != std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view authority = target.substr(scheme_end + 3);
  return authority.substr(0, authority.find_first_of("/?#"));
}

// Whether a request target holds only visible ASCII or obs-text: no control byte, space or DEL.
bool is_valid_target(std::string_view target) {
  return !target.empty() && std::none_of(target.begin(), target.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f;
  });
}

// Common front half of both parsers: find the head and bound it. *head is the head's text,
// blank line included.
HeadParse find_head(std::string_view buffer, const Limits& limits, HeadScanner& scanner,
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
  std::vector<HeaderField> fields = std::move(head->fields);
  fields.clear();
  *head = Head{};
  head->fields = std::move(fields);
}

}  // namespace

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
    if (first_line_end_ == std::string_view::npos) first_line_end_ = i;
    if (i + 1 < buffer.size() && buffer[i + 1] == '\n') return i + 2;
    if (i + 2 < buffer.size() && buffer[i + 1] == '\r' && buffer[i + 2] == '\n') return i + 3;
  }
  scanned_ = buffer.size();
  return 0;
}

std::size_t leading_empty_lines(std::string_view buffer) {
  std::size_t skipped = 0;
  while (true) {
    if (buffer.substr(skipped, 2) == "\r\n") {
      skipped += 2;
    } else if (buffer.substr(skipped, 1) == "\n") {
      skipped += 1;
    } else {
      return skipped;
    }
  }
}

HeadParse parse_request_head(std::string_view buffer, const Limits& limits, HeadScanner& scanner,
                             RequestHead* head) {
  // RFC 9112 §2.2: empty lines before a request line are ignored (some clients send a CRLF after
  // a POST body). They count toward the head and its limit.
  const std::size_t skipped = leading_empty_lines(buffer);
  const std::string_view message = buffer.substr(skipped);
  std::string_view rest;
  const HeadParse found = find_head(message, limits, scanner, &rest);
  // A request line already longer than its own limit is a 414 rather than a 431 or a wait.
  const std::size_t line_end = scanner.first_line_end();
  if (found != HeadParse::kComplete) {
    const bool line_too_long = line_end == std::string_view::npos
                                   ? message.size() > limits.max_request_line_bytes + 1
                                   : line_end > limits.max_request_line_bytes + 1;
    return line_too_long ? HeadParse::kRequestLineTooLong : found;
  }
  reset_head(head);
  head->head_bytes = skipped + rest.size();
  std::string_view request_line;
  if (!next_line(rest, &request_line)) return HeadParse::kMalformed;
  if (request_line.size() > limits.max_request_line_bytes) return HeadParse::kRequestLineTooLong;
  const auto first_space = request_line.find(' ');
  const auto last_space = request_line.rfind(' ');
  if (first_space == std::string_view::npos || first_space == last_space) {
    return HeadParse::kMalformed;
  }
  head->method = request_line.substr(0, first_space);
  head->target = request_line.substr(first_space + 1, last_space - first_space - 1);
  if (!is_token(head->method) || !is_valid_target(head->target) ||
      !parse_version(request_line.substr(last_space + 1), &head->minor_version)) {
    return HeadParse::kMalformed;
  }
  if (const HeadParse fields = parse_fields(rest, limits, true, head);
      fields != HeadParse::kComplete) {
    return fields;
  }
  // RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400. With an absolute-form target the
  // target's authority names the origin; a Host that differs would let the proxy and the endpoint
  // route by different names, so it is refused too.
  if (head->minor_version == 1 && head->host_count == 0) return HeadParse::kMalformed;
  if (const auto authority = absolute_form_authority(head->target)) {
    if (!is_valid_host(*authority) ||
        (head->host_count > 0 && !equals_ignoring_case(*authority, head->host))) {
      return HeadParse::kMalformed;
    }
  }
  return HeadParse::kComplete;
}

HeadParse parse_response_head(std::string_view buffer, const Limits& limits, HeadScanner& scanner,
                              std::string_view request_method, ResponseHead* head) {
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
  if (const HeadParse fields = parse_fields(rest, limits, false, head);
      fields != HeadParse::kComplete) {
    return fields == HeadParse::kTooManyFields ? fields : HeadParse::kMalformed;
  }
  // RFC 9112 §6.3: these responses never have a body, whatever their fields say.
  if (request_method == "HEAD" || head->status / 100 == 1 || head->status == 204 ||
      head->status == 304) {
    head->framing = BodyFraming::kNone;
  }
  return HeadParse::kComplete;
}

void BodyDecoder::start(BodyFraming framing, std::uint64_t content_length, const Limits& limits) {
  framing_ = framing;
  max_chunk_line_bytes_ = static_cast<std::uint32_t>(limits.max_chunk_line_bytes);
  max_trailer_bytes_ = static_cast<std::uint32_t>(limits.max_trailer_bytes);
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

// Chunked framing is walked strictly (RFC 9112 §7.1): every line ends with CRLF, a bare LF or a
// control byte anywhere in the framing is malformed, and only BWS may stand between the size and
// its extensions. The chunks are forwarded as received, so the proxy must never accept framing
// that a next hop could read differently (a bare LF that one recipient takes as a line end and
// another as data is a request-smuggling vector).
void BodyDecoder::note_trailer_name_char(char c) {
  // Longer names cannot be one of those checked: marked by a length past the array.
  if (trailer_name_length_ < trailer_name_.size()) {
    trailer_name_[trailer_name_length_++] = c;
  } else {
    trailer_name_length_ = static_cast<std::uint8_t>(trailer_name_.size() + 1);
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
        if (++line_bytes_ > max_chunk_line_bytes_) return malformed();
        if (digit >= 0) {
          if (remaining_ > (kMaxBodyLength >> 4)) return malformed();
          remaining_ = remaining_ * 16 + static_cast<std::uint64_t>(digit);
          saw_digit_ = true;
        } else if (!saw_digit_) {
          return malformed();
        } else if (c == ';') {
          state_ = State::kExtension;
        } else if (c == ' ' || c == '\t') {
          state_ = State::kSizeWhitespace;
        } else if (c == '\r') {
          state_ = State::kSizeLf;
        } else {
          return malformed();  // a bare LF included
        }
        break;
      }
      case State::kSizeWhitespace:
        if (++line_bytes_ > max_chunk_line_bytes_) return malformed();
        if (c == ';') {
          state_ = State::kExtension;
        } else if (c != ' ' && c != '\t') {
          return malformed();  // BWS leads only to an extension
        }
        break;
      case State::kExtension:
        if (++line_bytes_ > max_chunk_line_bytes_) return malformed();
        if (c == '\r') {
          state_ = State::kSizeLf;
        } else if (is_control(c)) {
          return malformed();
        }
        break;
      case State::kSizeLf:
        if (c != '\n') return malformed();
        state_ = remaining_ == 0 ? State::kTrailerStart : State::kData;
        break;
      case State::kDataCr:
        if (c != '\r') return malformed();
        state_ = State::kDataLf;
        break;
      case State::kDataLf:
        if (c != '\n') return malformed();
        line_bytes_ = 0;
        saw_digit_ = false;
        state_ = State::kSize;
        break;
      case State::kTrailerStart:
        if (++trailer_bytes_ > max_trailer_bytes_) return malformed();
        if (c == '\r') {
          state_ = State::kFinalLf;
        } else if (!is_token_char(c)) {
          return malformed();  // obs-fold, a bare LF, or not a field name
        } else {
          trailer_name_length_ = 0;
          note_trailer_name_char(c);
          state_ = State::kTrailerName;
        }
        break;
      case State::kTrailerName:
        if (++trailer_bytes_ > max_trailer_bytes_) return malformed();
        if (c == ':') {
          // The trailers are forwarded as received, and a recipient that merges them into the
          // header section (RFC 9110 §6.5.1 forbids it, not every one obeys) must not find fields
          // that frame or route the message there.
          if (trailer_name_length_ <= trailer_name_.size()) {
            const std::string_view name(trailer_name_.data(), trailer_name_length_);
            if (equals_ignoring_case(name, "content-length") ||
                equals_ignoring_case(name, "transfer-encoding") ||
                equals_ignoring_case(name, "host")) {
              return malformed();
            }
          }
          state_ = State::kTrailer;
        } else if (!is_token_char(c)) {
          return malformed();
        } else {
          note_trailer_name_char(c);
        }
        break;
      case State::kTrailer:
        if (++trailer_bytes_ > max_trailer_bytes_) return malformed();
        if (c == '\r') {
          state_ = State::kTrailerLf;
        } else if (is_control(c)) {
          return malformed();
        }
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

}  // namespace nodrop::http
