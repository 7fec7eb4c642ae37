#include "cli/kubeconfig.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <system_error>

#include "base/strings.h"
#include "cli/node_paths.h"
#include "manifest/file_reader.h"
#include "manifest/yaml_reader.h"
#include "server/cluster_config.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

// A kubeconfig is a few KiB; a larger file is not one.
constexpr std::size_t kMaxKubeconfigBytes = 1024 * 1024;

// The `field` mapping of the entry named name in the list at list_key ("clusters": [{name,
// cluster}]).
Result<const Node*> named_entry(const Node& root, const std::string& list_key,
                                const std::string& field, const std::string& name) {
  const Node* list = root.find(list_key);
  if (list != nullptr && list->is_sequence()) {
    for (const Node& entry : list->items()) {
      if (text_at(entry, {"name"}) != name) continue;
      const Node* value = entry.find(field);
      if (value == nullptr || !value->is_mapping()) {
        return invalid_argument(list_key + "[" + name + "]." + field + ": must be a mapping");
      }
      return value;
    }
  }
  return invalid_argument(list_key + ": no entry named \"" + name + "\"");
}

Result<std::string> read_small_file(const std::string& path, const std::string& base_directory,
                                    const std::string& field) {
  const std::string full = path.empty() || path[0] == '/' ? path : base_directory + "/" + path;
  Result<std::string> text = manifest::read_manifest_file(full);
  if (!text) return invalid_argument(field + ": " + full + ": " + text.status().message());
  if (text->size() > kMaxKubeconfigBytes) {
    return invalid_argument(field + ": " + full + ": larger than 1 MiB");
  }
  return text;
}

// A credential given inline (its field holds it, base64 when encoded) or as a file's path (read
// whole); "" when neither is set. The inline one wins, as in kubectl.
Result<std::string> inline_or_file(const Node& user, const char* inline_field,
                                   const char* file_field, bool encoded,
                                   const std::string& base_directory,
                                   const std::string& user_field) {
  if (const std::string data = text_at(user, {inline_field}); !data.empty()) {
    if (!encoded) return data;
    std::optional<std::string> decoded = base64_decode(data);
    if (!decoded) return invalid_argument(user_field + "." + inline_field + ": not base64");
    return std::move(*decoded);
  }
  if (const std::string file = text_at(user, {file_field}); !file.empty()) {
    return read_small_file(file, base_directory, user_field + "." + file_field);
  }
  return std::string();
}

std::string kubeconfig_of(const std::string& data_dir) { return data_dir + "/kubeconfig"; }

bool file_exists(const std::string& path) {
  std::error_code error;
  return std::filesystem::is_regular_file(path, error);
}

}  // namespace

ClusterEnvironment ClusterEnvironment::of_process() {
  const auto value_of = [](const char* name) {
    const char* value = std::getenv(name);
    return std::string(value != nullptr ? value : "");
  };
  return {.kubeconfig = value_of("KUBECONFIG"),
          .nodrop_data_dir = value_of("NODROP_DATA_DIR"),
          .xdg_state_home = value_of("XDG_STATE_HOME"),
          .home = value_of("HOME")};
}

Result<Kubeconfig> parse_kubeconfig(const std::string& text, const std::string& base_directory) {
  if (text.size() > kMaxKubeconfigBytes) return invalid_argument("larger than 1 MiB");
  manifest::YamlDocuments documents = manifest::read_yaml_stream(text);
  if (!documents) return invalid_argument(documents.error().describe());
  if (documents->size() != 1 || !(*documents)[0].root.is_mapping()) {
    return invalid_argument("not a kubeconfig: expected one mapping");
  }
  const Node& root = (*documents)[0].root;
  const std::string context_name = text_at(root, {"current-context"});
  if (context_name.empty()) return invalid_argument("current-context: not set");
  Result<const Node*> context = named_entry(root, "contexts", "context", context_name);
  if (!context) return context.status();
  const std::string cluster_name = text_at(**context, {"cluster"});
  const std::string user_name = text_at(**context, {"user"});
  Result<const Node*> cluster = named_entry(root, "clusters", "cluster", cluster_name);
  if (!cluster) return cluster.status();

  Kubeconfig config;
  config.namespace_name = text_at(**context, {"namespace"});
  const std::string cluster_field = "clusters[" + cluster_name + "].cluster";
  config.server = text_at(**cluster, {"server"});
  if (config.server.empty()) return invalid_argument(cluster_field + ".server: not set");
  if (const Node* skip = (*cluster)->find("insecure-skip-tls-verify");
      skip != nullptr && skip->bool_value()) {
    return invalid_argument(cluster_field +
                            ".insecure-skip-tls-verify: not supported; give the cluster's "
                            "certificate-authority");
  }
  if (const std::string data = text_at(**cluster, {"certificate-authority-data"}); !data.empty()) {
    std::optional<std::string> pem = base64_decode(data);
    if (!pem) return invalid_argument(cluster_field + ".certificate-authority-data: not base64");
    config.ca_certificate_pem = std::move(*pem);
  } else if (const std::string file = text_at(**cluster, {"certificate-authority"});
             !file.empty()) {
    Result<std::string> pem =
        read_small_file(file, base_directory, cluster_field + ".certificate-authority");
    if (!pem) return pem.status();
    config.ca_certificate_pem = std::move(*pem);
  } else {
    return invalid_argument(cluster_field +
                            ": no certificate-authority-data or certificate-authority; nodrop "
                            "verifies the server it talks to");
  }

  if (user_name.empty()) return invalid_argument("contexts[" + context_name + "]: no user");
  Result<const Node*> user = named_entry(root, "users", "user", user_name);
  if (!user) return user.status();
  const std::string user_field = "users[" + user_name + "].user";
  for (const char* unsupported : {"exec", "auth-provider"}) {
    if ((*user)->find(unsupported) != nullptr) {
      return invalid_argument(user_field + "." + unsupported +
                              ": not supported by nodrop's verbs; use a token or a client "
                              "certificate");
    }
  }
  Result<std::string> token =
      inline_or_file(**user, "token", "tokenFile", false, base_directory, user_field);
  if (!token) return token.status();
  config.token = std::move(token).value();
  while (!config.token.empty() && std::isspace(static_cast<unsigned char>(config.token.back()))) {
    config.token.pop_back();  // a file's final newline
  }
  Result<std::string> certificate = inline_or_file(
      **user, "client-certificate-data", "client-certificate", true, base_directory, user_field);
  if (!certificate) return certificate.status();
  Result<std::string> key =
      inline_or_file(**user, "client-key-data", "client-key", true, base_directory, user_field);
  if (!key) return key.status();
  if (certificate->empty() != key->empty()) {
    return invalid_argument(
        user_field + (certificate->empty() ? ".client-key" : ".client-certificate") +
        ": given without " + (certificate->empty() ? "client-certificate" : "client-key"));
  }
  config.client_certificate_pem = std::move(certificate).value();
  config.client_key_pem = std::move(key).value();
  config.username = text_at(**user, {"username"});
  config.password = text_at(**user, {"password"});
  if (!config.username.empty() && !config.token.empty()) {
    return invalid_argument(user_field +
                            ": username/password or bearer token may be set, but not both");
  }
  if (config.token.empty() && config.username.empty() && config.client_certificate_pem.empty()) {
    return invalid_argument(user_field + ": no token, client certificate or username");
  }
  return config;
}

Result<KubeconfigSource> locate_kubeconfig(const std::string& kubeconfig_flag,
                                           const std::string& data_dir_flag,
                                           const ClusterEnvironment& environment) {
  if (!kubeconfig_flag.empty()) return KubeconfigSource{.path = kubeconfig_flag};
  if (!data_dir_flag.empty()) {
    return KubeconfigSource{.path = kubeconfig_of(data_dir_flag), .data_dir = data_dir_flag};
  }
  if (!environment.nodrop_data_dir.empty()) {
    return KubeconfigSource{.path = kubeconfig_of(environment.nodrop_data_dir),
                            .data_dir = environment.nodrop_data_dir};
  }
  if (!environment.kubeconfig.empty()) {
    std::string_view list = environment.kubeconfig;
    std::string first;
    while (!list.empty()) {
      const std::size_t colon = list.find(':');
      const std::string path(list.substr(0, colon));
      list.remove_prefix(colon == std::string_view::npos ? list.size() : colon + 1);
      if (path.empty()) continue;
      if (first.empty()) first = path;
      if (file_exists(path)) return KubeconfigSource{.path = path};
    }
    if (!first.empty()) return KubeconfigSource{.path = first};  // its error names it
  }
  const std::string data_dir =
      server::default_data_dir(environment.xdg_state_home, environment.home);
  if (data_dir.empty()) {
    return invalid_argument(
        "no cluster named: pass --data-dir DIR or --kubeconfig FILE (neither KUBECONFIG, "
        "NODROP_DATA_DIR, XDG_STATE_HOME nor HOME is set)");
  }
  return KubeconfigSource{
      .path = kubeconfig_of(data_dir), .data_dir = data_dir, .default_data_dir = true};
}

Result<Kubeconfig> load_kubeconfig(const KubeconfigSource& source) {
  if (!source.data_dir.empty() && !file_exists(source.path)) {
    const std::string start =
        source.default_data_dir ? "nodrop up" : "nodrop up --data-dir " + source.data_dir;
    return Status(StatusCode::kNotFound, "no cluster at data dir " + source.data_dir +
                                             " (it has no kubeconfig): start one with `" + start +
                                             "`, or name another with --data-dir DIR or "
                                             "--kubeconfig FILE");
  }
  Result<std::string> text = manifest::read_manifest_file(source.path);
  if (!text) return invalid_argument(source.path + ": " + text.status().message());
  const std::string directory = std::filesystem::path(source.path).parent_path().string();
  Result<Kubeconfig> config = parse_kubeconfig(*text, directory.empty() ? "." : directory);
  if (!config) return invalid_argument(source.path + ": " + config.status().message());
  return config;
}

}  // namespace nodrop::cli
