// Where nodrop's cluster verbs (get, apply, delete, scale, rollout, logs) find the API they talk
// to, and what they read there: the kubeconfig's current context, its cluster (server, certificate
// authority) and user (bearer token), as kubectl reads them.
//
// Which kubeconfig, first match wins:
//   1. --kubeconfig FILE
//   2. --data-dir DIR: DIR/kubeconfig, the one `nodrop up --data-dir DIR` writes
//   3. NODROP_DATA_DIR: its kubeconfig
//   4. KUBECONFIG: its first file that exists (kubectl merges the list; nodrop reads one)
//   5. the data dir `nodrop up` uses by default ($XDG_STATE_HOME/nodrop, else
//      $HOME/.local/state/nodrop): its kubeconfig
// nodrop's own settings come before KUBECONFIG so that a KUBECONFIG exported for another cluster
// does not hide the data dir the user named.
//
// Only what nodrop's API hands out is read: a server, an inline or file certificate authority and
// a token (inline or a file). Client certificates, exec plugins and skipping verification are
// refused with a message that says so, rather than sent without them.
#pragma once

#include <string>

#include "base/status.h"

namespace nodrop::cli {

struct Kubeconfig {
  std::string server{};              // "https://127.0.0.1:6443"
  std::string ca_certificate_pem{};  // decoded certificate-authority-data, or the file's text
  std::string token{};
  std::string namespace_name{};  // the context's namespace; empty when it names none
};

// The current context of a kubeconfig's text. Errors name the field: "users[nodrop].user: client
// certificates are not supported; use a token". base_directory resolves relative file paths.
Result<Kubeconfig> parse_kubeconfig(const std::string& text, const std::string& base_directory);

// What the process's environment says about where the cluster is.
struct ClusterEnvironment {
  std::string kubeconfig{};       // KUBECONFIG
  std::string nodrop_data_dir{};  // NODROP_DATA_DIR
  std::string xdg_state_home{};
  std::string home{};

  static ClusterEnvironment of_process();
};

// The kubeconfig a verb uses, and where it came from, for messages.
struct KubeconfigSource {
  std::string path{};
  std::string data_dir{};         // the data dir it belongs to; empty for one given as a kubeconfig
  bool default_data_dir = false;  // the data dir `nodrop up` uses when given none
};

// Picks the kubeconfig by the rules above (flags empty when not given); does not read it.
Result<KubeconfigSource> locate_kubeconfig(const std::string& kubeconfig_flag,
                                           const std::string& data_dir_flag,
                                           const ClusterEnvironment& environment);

// Reads and parses the located kubeconfig. A data dir without one gets the advice to start a
// cluster there.
Result<Kubeconfig> load_kubeconfig(const KubeconfigSource& source);

}  // namespace nodrop::cli
