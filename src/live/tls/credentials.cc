#include "live/tls/credentials.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "live/file_descriptor.h"
#include "live/tls/openssl.h"

namespace nodrop::live {
namespace {

using openssl::Bio;
using openssl::Certificate;
using openssl::Key;

constexpr long kTenYearsSeconds = 10L * 365 * 24 * 3600;

bool file_exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string pem_of_key(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string pem_of_certificate(X509* certificate) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), certificate);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

Result<Key> load_key(const std::string& path) {
  Result<std::string> text = read_file(path);
  if (!text) return text.status();
  Bio bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return invalid_argument(openssl::error_text(("reading " + path).c_str()));
  return key;
}

Result<Certificate> load_certificate(const std::string& path) {
  Result<std::string> text = read_file(path);
  if (!text) return text.status();
  Bio bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
  Certificate certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!certificate) return invalid_argument(openssl::error_text(("reading " + path).c_str()));
  return certificate;
}

Result<Key> new_key() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) return internal_error(openssl::error_text("making a P-256 key"));
  return key;
}

Status add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) return internal_error(openssl::error_text("a certificate extension"));
  const int added = X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
  if (added != 1) return internal_error(openssl::error_text("adding a certificate extension"));
  return Status::ok();
}

// A certificate for subject_key, signed by issuer_key (issuer null: self-signed, a CA).
Result<Certificate> issue(const std::string& common_name, EVP_PKEY* subject_key, X509* issuer,
                          EVP_PKEY* issuer_key, const std::string& alt_names) {
  Certificate certificate(X509_new());
  if (!certificate) return internal_error(openssl::error_text("X509_new"));
  X509_set_version(certificate.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1)
    return internal_error(openssl::error_text("RAND_bytes"));
  serial[0] &= 0x7f;  // a positive number
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate.get()));
  BN_free(number);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600);  // clocks differ a little
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), kTenYearsSeconds);
  X509_set_pubkey(certificate.get(), subject_key);
  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("nodrop"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(certificate.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509* issuer_certificate = issuer != nullptr ? issuer : certificate.get();
  const bool is_ca = issuer == nullptr;
  for (const auto& [nid, value] : std::initializer_list<std::pair<int, std::string>>{
           {NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"},
           {NID_key_usage, is_ca ? "critical,keyCertSign,cRLSign,digitalSignature"
                                 : "critical,digitalSignature,keyEncipherment"},
           {NID_subject_key_identifier, "hash"},
       }) {
    if (Status added = add_extension(certificate.get(), issuer_certificate, nid, value);
        !added.is_ok()) {
      return added;
    }
  }
  if (!is_ca) {
    for (const auto& [nid, value] : std::initializer_list<std::pair<int, std::string>>{
             {NID_ext_key_usage, "serverAuth"},
             {NID_authority_key_identifier, "keyid:always"},
             {NID_subject_alt_name, alt_names},
         }) {
      if (Status added = add_extension(certificate.get(), issuer_certificate, nid, value);
          !added.is_ok()) {
        return added;
      }
    }
  }
  if (X509_sign(certificate.get(), issuer_key, EVP_sha256()) == 0) {
    return internal_error(openssl::error_text("signing a certificate"));
  }
  return certificate;
}

Result<std::string> new_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    return internal_error(openssl::error_text("RAND_bytes"));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (const unsigned char byte : bytes) {
    token.push_back(kHex[byte >> 4]);
    token.push_back(kHex[byte & 0xf]);
  }
  return token;
}

}  // namespace

Status write_private_file(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    FileDescriptor file(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!file.is_open()) return io_error("cannot write " + temporary + ": " + error_text(errno));
    ::fchmod(file.fd(), 0600);
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t wrote = ::write(file.fd(), text.data() + done, text.size() - done);
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote <= 0) return io_error("cannot write " + temporary + ": " + error_text(errno));
      done += static_cast<std::size_t>(wrote);
    }
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return io_error("cannot rename " + temporary + ": " + error_text(errno));
  }
  return Status::ok();
}

Result<TlsCredentials> ensure_tls_credentials(const std::string& directory, Ipv4Address address) {
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    return io_error("cannot make " + directory + ": " + error_text(errno));
  }
  ::chmod(directory.c_str(), 0700);
  TlsCredentials credentials;
  credentials.directory = directory;
  credentials.ca_certificate_file = directory + "/ca.crt";
  const std::string ca_key_file = directory + "/ca.key";
  credentials.server_certificate_file = directory + "/server.crt";
  credentials.server_key_file = directory + "/server.key";
  const std::string token_file = directory + "/token";

  Key ca_key;
  Certificate ca;
  if (file_exists(credentials.ca_certificate_file) && file_exists(ca_key_file)) {
    Result<Key> key = load_key(ca_key_file);
    if (!key) return key.status();
    Result<Certificate> certificate = load_certificate(credentials.ca_certificate_file);
    if (!certificate) return certificate.status();
    ca_key = std::move(*key);
    ca = std::move(*certificate);
  } else {
    Result<Key> key = new_key();
    if (!key) return key.status();
    Result<Certificate> certificate = issue("nodrop-ca", key->get(), nullptr, key->get(), "");
    if (!certificate) return certificate.status();
    ca_key = std::move(*key);
    ca = std::move(*certificate);
    if (Status s = write_private_file(ca_key_file, pem_of_key(ca_key.get())); !s.is_ok()) return s;
    if (Status s =
            write_private_file(credentials.ca_certificate_file, pem_of_certificate(ca.get()));
        !s.is_ok()) {
      return s;
    }
  }
  credentials.ca_certificate_pem = pem_of_certificate(ca.get());

  // The server's certificate: kept while it was issued by this authority and names the address.
  bool server_usable = false;
  if (file_exists(credentials.server_certificate_file) &&
      file_exists(credentials.server_key_file)) {
    Result<Certificate> certificate = load_certificate(credentials.server_certificate_file);
    server_usable = certificate.is_ok() &&
                    X509_check_ip_asc(certificate->get(), address.to_string().c_str(), 0) == 1 &&
                    X509_verify(certificate->get(), ca_key.get()) == 1;
  }
  if (!server_usable) {
    Result<Key> key = new_key();
    if (!key) return key.status();
    std::string alt_names = "IP:127.0.0.1,DNS:localhost";
    if (address != Ipv4Address::loopback()) alt_names += ",IP:" + address.to_string();
    Result<Certificate> certificate =
        issue("nodrop-apiserver", key->get(), ca.get(), ca_key.get(), alt_names);
    if (!certificate) return certificate.status();
    if (Status s = write_private_file(credentials.server_key_file, pem_of_key(key->get()));
        !s.is_ok()) {
      return s;
    }
    if (Status s = write_private_file(credentials.server_certificate_file,
                                      pem_of_certificate(certificate->get()));
        !s.is_ok()) {
      return s;
    }
  }

  Result<std::string> token = file_exists(token_file) ? read_file(token_file) : new_token();
  if (!token) return token.status();
  credentials.token = *token;
  while (!credentials.token.empty() &&
         (credentials.token.back() == '\n' || credentials.token.back() == ' ')) {
    credentials.token.pop_back();
  }
  if (credentials.token.size() < 32) {
    return invalid_argument(token_file +
                            " holds fewer than 32 characters; remove it to get a new "
                            "token");
  }
  if (!file_exists(token_file)) {
    if (Status s = write_private_file(token_file, credentials.token + "\n"); !s.is_ok()) return s;
  }
  return credentials;
}

}  // namespace nodrop::live
