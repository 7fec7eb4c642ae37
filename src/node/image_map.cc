#include "node/image_map.h"

namespace nodrop::node {
namespace {

// Glob match where '*' stands for any run of characters (iterative, linear in practice).
bool glob(std::string_view pattern, std::string_view text) {
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// Where the repository part of a reference ends: before ":tag" or "@digest" (a ':' before the
// last '/' belongs to a registry's port).
std::size_t repository_end(std::string_view image) {
  const std::size_t at = image.find('@');
  if (at != std::string_view::npos) return at;
  const std::size_t slash = image.rfind('/');
  const std::size_t colon = image.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    return colon;
  }
  return image.size();
}

}  // namespace

bool image_matches(std::string_view pattern, std::string_view image) {
  if (glob(pattern, image)) return true;
  // A pattern naming only a repository matches that repository with any tag or digest.
  const bool names_tag = repository_end(pattern) != pattern.size();
  return !names_tag && glob(pattern, image.substr(0, repository_end(image)));
}

const ImageMapping* find_image_mapping(std::span<const ImageMapping> mappings,
                                       std::string_view image) {
  for (const ImageMapping& mapping : mappings) {
    if (image_matches(mapping.image, image)) return &mapping;
  }
  return nullptr;
}

std::string image_tag(std::string_view image) {
  const std::size_t end = repository_end(image);
  if (end == image.size()) return "latest";
  return std::string(image.substr(end + 1));
}

std::optional<runtime::Signal> stop_signal_named(std::string_view name) {
  if (name == "SIGTERM") return runtime::Signal::kTerminate;
  if (name == "SIGQUIT") return runtime::Signal::kQuit;
  if (name == "SIGINT") return runtime::Signal::kInterrupt;
  return std::nullopt;
}

ImageMapping demo_app_mapping(const std::string& program) {
  return ImageMapping{
      .image = "demo-app",
      .command = {program},
      .args = {},
      .env = {{"DEMO_APP_LISTEN", "$(POD_IP):$(PORT)"}, {"DEMO_APP_VERSION", "$(IMAGE_TAG)"}}};
}

}  // namespace nodrop::node
