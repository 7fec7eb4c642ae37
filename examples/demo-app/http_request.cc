#include "http_request.h"

#include <charconv>

namespace demo_app {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool contains_token_ignoring_case(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (equals_ignoring_case(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

ParseResult invalid(int status) {
  ParseResult result;
  result.state = ParseState::kInvalid;
  result.error_status = status;
  return result;
}

}  // namespace

ParseResult parse_request(std::string_view buffer) {
  const auto head_end = buffer.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    return buffer.size() > kMaxHeaderBytes ? invalid(431) : ParseResult{};
  }
  if (head_end + 4 > kMaxHeaderBytes) return invalid(431);
  const std::string_view head = buffer.substr(0, head_end + 2);  // every line ends in \r\n

  const auto line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  const auto first_space = request_line.find(' ');
  const auto last_space = request_line.rfind(' ');
  if (first_space == std::string_view::npos || last_space == first_space) return invalid(400);
  Request request;
  request.method = request_line.substr(0, first_space);
  std::string_view target = request_line.substr(first_space + 1, last_space - first_space - 1);
  const std::string_view http_version = request_line.substr(last_space + 1);
  if (http_version == "HTTP/1.1") {
    request.keep_alive = true;
  } else if (http_version == "HTTP/1.0") {
    request.keep_alive = false;
  } else {
    return invalid(400);
  }
  if (target.empty()) return invalid(400);
  request.path = target.substr(0, target.find('?'));

  std::size_t body_bytes = 0;
  std::size_t position = line_end + 2;
  while (position < head.size()) {
    const auto end = head.find("\r\n", position);
    const std::string_view line = head.substr(position, end - position);
    position = end + 2;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return invalid(400);
    const std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (equals_ignoring_case(name, "content-length")) {
      const auto [parsed_end, error] =
          std::from_chars(value.data(), value.data() + value.size(), body_bytes);
      if (error != std::errc() || parsed_end != value.data() + value.size()) return invalid(400);
      if (body_bytes > kMaxBodyBytes) return invalid(413);
    } else if (equals_ignoring_case(name, "transfer-encoding")) {
      return invalid(501);  // chunked request bodies are not needed by any test client
    } else if (equals_ignoring_case(name, "connection")) {
      if (contains_token_ignoring_case(value, "close")) request.keep_alive = false;
      if (contains_token_ignoring_case(value, "keep-alive")) request.keep_alive = true;
    }
  }
  request.total_bytes = head_end + 4 + body_bytes;
  if (buffer.size() < request.total_bytes) return ParseResult{};
  ParseResult result;
  result.state = ParseState::kComplete;
  result.request = request;
  return result;
}

}  // namespace demo_app
