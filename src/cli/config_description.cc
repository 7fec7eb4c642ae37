#include "cli/config_description.h"

#include "base/strings.h"
#include "cli/describe_sections.h"
#include "cli/node_paths.h"
#include "cli/table_printer.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

// The bytes of a base64 value; the API stores only valid base64, so none is lost here.
std::string decoded(const std::string& base64) { return base64_decode(base64).value_or(""); }

}  // namespace

std::string describe_config_map(const Node& config_map, const Node& events, WallTime now) {
  std::string out;
  write_name_and_metadata(out, config_map);
  out += "\nData\n====\n";
  for (const auto& [key, value] : sorted_entries(node_at(config_map, {"data"}))) {
    out += key + ":\n----\n" + value + "\n\n";
  }
  out += "\nBinaryData\n====\n";
  for (const auto& [key, value] : sorted_entries(node_at(config_map, {"binaryData"}))) {
    out += key + ": " + std::to_string(decoded(value).size()) + " bytes\n";
  }
  out += "\n";
  write_events(out, events, now);
  return format_tabbed(out, {.minimum_width = 0, .padding = 2});
}

std::string describe_secret(const Node& secret) {
  std::string out;
  write_name_and_metadata(out, secret);
  const std::string type = text_at(secret, {"type"});
  out += "\nType:\t" + type + "\n";
  out += "\nData\n====\n";
  for (const auto& [key, value] : sorted_entries(node_at(secret, {"data"}))) {
    if (key == "token" && type == "kubernetes.io/service-account-token") {
      // kubectl shows a token as it is: it is what a user describes such a Secret for.
      out += key + ":\t" + decoded(value) + "\n";
    } else {
      out += key + ":\t" + std::to_string(decoded(value).size()) + " bytes\n";
    }
  }
  return format_tabbed(out, {.minimum_width = 0, .padding = 2});
}

}  // namespace nodrop::cli
