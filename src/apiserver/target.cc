#include "apiserver/target.h"

namespace nodrop::apiserver {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> Target::param(const std::string& name) const {
  const auto found = query.find(name);
  if (found == query.end()) return std::nullopt;
  return found->second;
}

bool Target::flag(const std::string& name) const {
  const auto value = param(name);
  return value.has_value() && (*value == "true" || *value == "1");
}

Result<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return invalid_argument("a percent escape is cut short");
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return invalid_argument("a percent escape is not two hex digits");
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<Target> parse_target(std::string_view target) {
  Target parsed;
  if (target.empty() || target.front() != '/') {
    return invalid_argument("the request target must be a path starting with /");
  }
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const std::string_view segment =
        path.substr(start, slash == std::string_view::npos ? path.size() - start : slash - start);
    if (!segment.empty()) {
      Result<std::string> decoded = percent_decode(segment, false);
      if (!decoded) return decoded.status();
      if (*decoded == "." || *decoded == "..") return invalid_argument("a path segment is . or ..");
      parsed.segments.push_back(std::move(*decoded));
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (question == std::string_view::npos) return parsed;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    if (parsed.query.size() >= Target::kMaxParameters) {
      return invalid_argument("the query has more than 64 parameters");
    }
    const auto equals = pair.find('=');
    Result<std::string> name = percent_decode(pair.substr(0, equals), true);
    Result<std::string> value = percent_decode(
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1), true);
    if (!name) return name.status();
    if (!value) return value.status();
    parsed.query.emplace(std::move(*name), std::move(*value));  // the first value wins
  }
  return parsed;
}

}  // namespace nodrop::apiserver
