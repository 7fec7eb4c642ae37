// Where nodrop's cluster verbs (get, apply, delete, scale, rollout, logs) find the API they talk
// to, and what they read there: the kubeconfig's current context, its cluster (server, certificate
// authority) and user (bearer token, client certificate, or user name and password), as kubectl
// reads them.
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
// A user's credentials, each inline or from a file as kubectl takes them:
//   token, tokenFile                                    Authorization: Bearer
//   client-certificate(-data) with client-key(-data)    presented in the TLS handshake
//   username with password                              Authorization: Basic
// A token and a user name together are refused, as client-go refuses them. Exec plugins, auth
// providers and skipping verification are refused with a message that says so, rather than the
// request sent without them.
#pragma once

#include <string>

#include "base/status.h"

namespace nodrop::cli {

struct Kubeconfig {
  std::string server{};              // "https://127.0.0.1:6443"
  std::string ca_certificate_pem{};  // decoded certificate-authority-data, or the file's text
  std::string token{};
  std::string client_certificate_pem{};  // with its key, or both empty
  std::string client_key_pem{};
  std::string username{};  // basic authentication, with password
  std::string password{};
  std::string namespace_name{};  // the context's namespace; empty when it names none
};

// The current context of a kubeconfig's text. Errors name the field: "users[nodrop].user.exec:
// not supported by nodrop's verbs; use a token or a client certificate". base_directory resolves
// relative file paths.
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
