#include "cli/manifest_inputs.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace nodrop::cli {
namespace {

bool is_manifest_name(const std::filesystem::path& path) {
  const std::string extension = path.extension().string();
  return extension == ".yaml" || extension == ".yml" || extension == ".json";
}

}  // namespace

Result<ManifestFiles> expand_manifest_inputs(const std::vector<std::string>& inputs) {
  ManifestFiles result;
  std::vector<std::string>& files = result.files;
  std::size_t entries = 0;
  for (const std::string& input : inputs) {
    std::error_code error;
    if (input == "-" || !std::filesystem::is_directory(input, error)) {
      files.push_back(input);
      continue;
    }
    std::vector<std::string> found;
    std::filesystem::recursive_directory_iterator it(input, error);
    for (const std::filesystem::recursive_directory_iterator end; !error && it != end;
         it.increment(error)) {
      if (++entries > kMaxDirectoryEntries) {
        return Status(StatusCode::kResourceExhausted, input + ": more than " +
                                                          std::to_string(kMaxDirectoryEntries) +
                                                          " entries below the directory");
      }
      std::error_code type_error;  // a dangling link has no type: skipped, not fatal
      if (it->is_regular_file(type_error) && is_manifest_name(it->path())) {
        found.push_back(it->path().string());
        if (found.size() + files.size() > kMaxManifestFiles) {
          return Status(StatusCode::kResourceExhausted,
                        input + ": more than " + std::to_string(kMaxManifestFiles) + " files");
        }
      }
    }
    if (error) return io_error(input + ": cannot list the directory: " + error.message());
    if (found.empty()) result.empty_directories.push_back(input);
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return result;
}

}  // namespace nodrop::cli
