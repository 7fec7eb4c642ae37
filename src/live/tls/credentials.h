// What a TLS server on this machine needs to be trusted by its clients, made once and kept in a
// directory, as k3s keeps its own: a certificate authority, a server certificate it signed for the
// addresses the server answers on, and a bearer token for the clients allowed in.
//
//   ca.crt, ca.key          the authority (ECDSA P-256, ten years), made at first start
//   server.crt, server.key  the server's certificate, for 127.0.0.1, localhost and the listen
//                           address; made again (by the same authority) when that address changes
//   token                   64 hex characters from OpenSSL's random generator
//
// Every file is written owner-only (0600), the directory 0700. Through OpenSSL (libssl-dev).
#pragma once

#include <string>

#include "base/ipv4.h"
#include "base/status.h"

namespace nodrop::live {

struct TlsCredentials {
  std::string directory;
  std::string ca_certificate_file;
  std::string server_certificate_file;
  std::string server_key_file;
  std::string ca_certificate_pem;  // for a kubeconfig's certificate-authority-data
  std::string token;
};

// Loads the credentials in directory, making whatever is missing (or a server certificate that
// does not name address).
Result<TlsCredentials> ensure_tls_credentials(const std::string& directory, Ipv4Address address);

// Writes text to path with mode 0600 (replacing the file through a rename, so a reader never sees
// half of it).
Status write_private_file(const std::string& path, const std::string& text);

}  // namespace nodrop::live
