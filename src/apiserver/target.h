// A request target taken apart: the path's segments and the query's parameters, percent-decoded,
// within bounds (a target is at most what the server read; at most kMaxParameters parameters).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace nodrop::apiserver {

struct Target {
  static constexpr std::size_t kMaxParameters = 64;

  std::vector<std::string> segments;  // "/api/v1/pods" -> {"api", "v1", "pods"}
  std::map<std::string, std::string> query;

  std::optional<std::string> param(const std::string& name) const;
  // "true"/"1" -> true; absent -> false.
  bool flag(const std::string& name) const;
};

// "%2F" -> "/", "+" -> " " (in queries). InvalidArgument for a bad escape.
Result<std::string> percent_decode(std::string_view text, bool plus_is_space);
Result<Target> parse_target(std::string_view target);

}  // namespace nodrop::apiserver
