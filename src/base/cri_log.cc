#include "base/cri_log.h"

#include <cstdio>

namespace nodrop {

std::string format_rfc3339_nano(WallTime time) {
  const auto since_epoch = time.time_since_epoch();
  const auto nanos = (since_epoch - std::chrono::floor<std::chrono::seconds>(since_epoch)).count();
  std::string text = format_rfc3339(time);  // "...:05Z"
  char fraction[16];
  std::snprintf(fraction, sizeof fraction, ".%09lld", static_cast<long long>(nanos));
  text.insert(text.size() - 1, fraction);
  return text;
}

void CriLineFramer::emit(std::string_view content, bool full, WallTime now,
                         std::string* out) const {
  out->append(format_rfc3339_nano(now)).append(full ? " stdout F " : " stdout P ");
  out->append(content).push_back('\n');
}

void CriLineFramer::frame(std::string_view chunk, WallTime now, std::string* out) {
  while (!chunk.empty()) {
    const auto newline = chunk.find('\n');
    const bool line_ends = newline != std::string_view::npos;
    std::string_view piece = chunk.substr(0, newline);
    chunk.remove_prefix(line_ends ? newline + 1 : chunk.size());
    // A line longer than the bound goes out in parts as it arrives, so the framer holds at most
    // kMaxLineBytes of it.
    while (partial_.size() + piece.size() > kMaxLineBytes) {
      const std::size_t take = kMaxLineBytes - partial_.size();
      partial_.append(piece.substr(0, take));
      emit(partial_, false, now, out);
      partial_.clear();
      piece.remove_prefix(take);
    }
    partial_.append(piece);
    if (line_ends) {
      emit(partial_, true, now, out);
      partial_.clear();
    }
  }
}

void CriLineFramer::finish(WallTime now, std::string* out) {
  if (partial_.empty()) return;
  emit(partial_, true, now, out);
  partial_.clear();
}

std::optional<CriLine> parse_cri_line(std::string_view line) {
  const auto first = line.find(' ');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = line.find(' ', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const auto third = line.find(' ', second + 1);
  CriLine parsed;
  if (!parse_rfc3339(std::string(line.substr(0, first)), &parsed.time)) return std::nullopt;
  parsed.stream = std::string(line.substr(first + 1, second - first - 1));
  const std::string_view tag = line.substr(
      second + 1, third == std::string_view::npos ? std::string_view::npos : third - second - 1);
  if (tag != "F" && tag != "P") return std::nullopt;
  parsed.full = tag == "F";
  if (third != std::string_view::npos) parsed.content = std::string(line.substr(third + 1));
  return parsed;
}

}  // namespace nodrop
