#include "live/tls/https_client.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <string_view>

#include "base/strings.h"
#include "http/response_reader.h"
#include "live/file_descriptor.h"
#include "live/sockets/tcp.h"
#include "live/tls/openssl.h"

namespace nodrop::live {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Every certificate of the PEM text into the context's trust store (a kubeconfig's
// certificate-authority-data may hold a chain).
Status trust(SSL_CTX* context, const std::string& pem) {
  openssl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return internal_error("BIO_new_mem_buf failed");
  X509_STORE* store = SSL_CTX_get_cert_store(context);
  int added = 0;
  while (true) {
    openssl::Certificate certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!certificate) break;
    if (X509_STORE_add_cert(store, certificate.get()) != 1) {
      return invalid_argument(openssl::error_text("the certificate authority cannot be trusted"));
    }
    ++added;
  }
  ERR_clear_error();  // the end of the PEM text reads as an error
  if (added == 0) return invalid_argument("the certificate authority holds no PEM certificate");
  return Status::ok();
}

// The client's certificate (with any intermediates after it) and its private key, both PEM,
// presented when the server asks for one (a kubeconfig's client-certificate-data and
// client-key-data).
Status present_certificate(SSL_CTX* context, const std::string& certificate_pem,
                           const std::string& key_pem) {
  openssl::Bio certificates(
      BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size())));
  openssl::Bio key_text(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  if (!certificates || !key_text) return internal_error("BIO_new_mem_buf failed");
  openssl::Certificate leaf(PEM_read_bio_X509(certificates.get(), nullptr, nullptr, nullptr));
  if (!leaf) {
    ERR_clear_error();
    return invalid_argument("the client certificate holds no PEM certificate");
  }
  if (SSL_CTX_use_certificate(context, leaf.get()) != 1) {
    return invalid_argument(openssl::error_text("the client certificate cannot be used"));
  }
  while (true) {
    X509* intermediate = PEM_read_bio_X509(certificates.get(), nullptr, nullptr, nullptr);
    if (intermediate == nullptr) break;
    if (SSL_CTX_add0_chain_cert(context, intermediate) != 1) {  // owns it from here on success
      X509_free(intermediate);
      return invalid_argument(openssl::error_text("the client certificate chain cannot be used"));
    }
  }
  ERR_clear_error();  // the end of the PEM text reads as an error
  openssl::Key key(PEM_read_bio_PrivateKey(key_text.get(), nullptr, nullptr, nullptr));
  if (!key) {
    ERR_clear_error();
    return invalid_argument(
        "the client key holds no PEM private key (an encrypted one is not read)");
  }
  if (SSL_CTX_use_PrivateKey(context, key.get()) != 1 || SSL_CTX_check_private_key(context) != 1) {
    return invalid_argument(openssl::error_text("the client key does not match its certificate"));
  }
  return Status::ok();
}

// One TLS connection over a non-blocking socket; every wait ends at the deadline.
class Connection {
 public:
  Connection(SSL* ssl, int fd, Clock::time_point deadline)
      : ssl_(ssl), fd_(fd), deadline_(deadline) {}

  // Clock::time_point::max(): no deadline (the body of a stream, which ends when its reader
  // stops).
  void set_deadline(Clock::time_point deadline) { deadline_ = deadline; }

  // False when the deadline passed first.
  bool wait(bool for_write) const {
    while (true) {
      int timeout_ms = -1;
      if (deadline_ != Clock::time_point::max()) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline_ - Clock::now());
        if (left.count() <= 0) return false;
        timeout_ms = static_cast<int>(std::min<std::int64_t>(left.count(), 1'000'000'000));
      }
      pollfd entry{
          .fd = fd_, .events = static_cast<short>(for_write ? POLLOUT : POLLIN), .revents = 0};
      const int ready = ::poll(&entry, 1, timeout_ms);
      if (ready > 0) return true;
      if (ready < 0 && errno != EINTR) return true;  // the next call reports the error
    }
  }

  // Runs an SSL call until it completes, waiting for the socket as it asks. Returns the call's
  // result (> 0 done), or 0 for a clean close, or a Status.
  template <typename Call>
  Result<int> drive(Call call, const char* what) {
    while (true) {
      const int result = call();
      if (result > 0) return result;
      const int error = SSL_get_error(ssl_, result);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        if (!wait(error == SSL_ERROR_WANT_WRITE)) {
          return Status(StatusCode::kDeadlineExceeded, std::string(what) + " timed out");
        }
        continue;
      }
      if (error == SSL_ERROR_ZERO_RETURN) return 0;
      if (error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
        ERR_clear_error();
        return 0;  // the peer closed without close_notify: the framing decides if that is an end
      }
      return Status(StatusCode::kIoError, openssl::error_text(what));
    }
  }

 private:
  SSL* ssl_;
  int fd_;
  Clock::time_point deadline_;
};

bool is_dotted_quad(const std::string& name) { return parse_ipv4_address(name).is_ok(); }

// A connection with its TLS session established and the server verified.
struct Session {
  openssl::Context context;
  FileDescriptor socket;
  openssl::Ssl ssl;
  std::unique_ptr<Connection> connection;
};

Result<Session> open_session(const HttpsClientOptions& options, Clock::time_point deadline) {
  openssl::Context context(SSL_CTX_new(TLS_client_method()));
  if (!context) return internal_error("SSL_CTX_new failed");
  SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
  if (Status trusted = trust(context.get(), options.ca_certificate_pem); !trusted.is_ok()) {
    return trusted;
  }
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
  if (!options.client_certificate_pem.empty()) {
    if (Status presented = present_certificate(context.get(), options.client_certificate_pem,
                                               options.client_key_pem);
        !presented.is_ok()) {
      return presented;
    }
  }

  Connecting connecting = start_connect(options.server);
  if (connecting.outcome == IoOutcome::kWouldBlock) {
    Connection waiting(nullptr, connecting.socket.fd(), deadline);
    if (!waiting.wait(true)) {
      return Status(StatusCode::kDeadlineExceeded,
                    "connecting to " + options.server.to_string() + " timed out");
    }
    const IoResult finished = finish_connect(connecting.socket.fd());
    connecting.outcome = finished.outcome;
    connecting.error_number = finished.error_number;
  }
  if (connecting.outcome != IoOutcome::kDone) {
    return Status(
        connecting.outcome == IoOutcome::kRefused ? StatusCode::kUnavailable : StatusCode::kIoError,
        "cannot connect to " + options.server.to_string() + ": " +
            error_text(connecting.error_number));
  }

  openssl::Ssl ssl(SSL_new(context.get()));
  if (!ssl) return internal_error("SSL_new failed");
  SSL_set_fd(ssl.get(), connecting.socket.fd());
  X509_VERIFY_PARAM* verify = SSL_get0_param(ssl.get());
  if (is_dotted_quad(options.server_name)) {
    X509_VERIFY_PARAM_set1_ip_asc(verify, options.server_name.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl.get(), options.server_name.c_str());
    X509_VERIFY_PARAM_set1_host(verify, options.server_name.c_str(), 0);
  }
  auto connection = std::make_unique<Connection>(ssl.get(), connecting.socket.fd(), deadline);
  Result<int> handshake =
      connection->drive([&] { return SSL_connect(ssl.get()); }, "TLS handshake");
  if (!handshake || *handshake == 0) {
    const long verified = SSL_get_verify_result(ssl.get());
    if (verified != X509_V_OK) {
      return Status(StatusCode::kFailedPrecondition,
                    "the server's certificate does not verify against the kubeconfig's "
                    "certificate authority: " +
                        std::string(X509_verify_cert_error_string(verified)));
    }
    return handshake ? Status(StatusCode::kIoError, "the server closed during the TLS handshake")
                     : handshake.status();
  }
  return Session{std::move(context), std::move(connecting.socket), std::move(ssl),
                 std::move(connection)};
}

Status send_request(Session& session, const HttpsClientOptions& options,
                    const HttpsRequest& request) {
  std::string message = request.method + " " + request.target +
                        " HTTP/1.1\r\nHost: " + options.server_name + ":" +
                        std::to_string(options.server.port) + "\r\nConnection: close\r\n";
  for (const auto& [name, value] : request.fields) message += name + ": " + value + "\r\n";
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    message += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  message += "\r\n";
  message += request.body;
  std::string_view unsent = message;
  while (!unsent.empty()) {
    Result<int> sent = session.connection->drive(
        [&] {
          return SSL_write(session.ssl.get(), unsent.data(), static_cast<int>(unsent.size()));
        },
        "sending the request");
    if (!sent) return sent.status();
    if (*sent == 0) return Status(StatusCode::kIoError, "the server closed before the request");
    unsent.remove_prefix(static_cast<std::size_t>(*sent));
  }
  return Status::ok();
}

// The Content-Type field of a head as it arrived (the reader checked its syntax).
std::string content_type_of(std::string_view head) {
  while (!head.empty()) {
    const std::size_t end = head.find('\n');
    std::string_view line = head.substr(0, end);
    head.remove_prefix(end == std::string_view::npos ? head.size() : end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos &&
        equals_ignoring_case(line.substr(0, colon), "content-type")) {
      return std::string(http::trim_whitespace(line.substr(colon + 1)));
    }
  }
  return "";
}

// Feeds reader what the server sends next: true while the response goes on; false when the
// server closed where the response may end (a body read to the close); an error when it closed
// early or sent what is not HTTP.
Result<bool> read_more(Session& session, http::ResponseReader& reader) {
  char buffer[16 * 1024];
  Result<int> got = session.connection->drive(
      [&] { return SSL_read(session.ssl.get(), buffer, sizeof buffer); }, "reading the response");
  if (!got) return got.status();
  if (*got == 0) {
    if (reader.finish_at_close()) return false;
    return Status(StatusCode::kIoError, reader.received_any()
                                            ? "the server closed in the middle of a response"
                                            : "the server closed without a response");
  }
  reader.feed(std::string_view(buffer, static_cast<std::size_t>(*got)));
  if (reader.invalid()) return internal_error("the server sent bytes that are not HTTP");
  return true;
}

}  // namespace

Result<HttpsResponse> https_request(const HttpsClientOptions& options,
                                    const HttpsRequest& request) {
  Result<Session> opened = open_session(options, Clock::now() + options.timeout);
  if (!opened) return opened.status();
  Session& session = *opened;
  if (Status sent = send_request(session, options, request); !sent.is_ok()) return sent;
  // One byte more than the limit is kept, to tell a body at the limit from one beyond it.
  http::ResponseReader reader(http::ResponseReader::default_limits(), options.max_body_bytes + 1);
  reader.reset(request.method);
  while (!reader.complete()) {
    Result<bool> more = read_more(session, reader);
    if (!more) return more.status();
    if (!*more) break;
    if (reader.body().size() > options.max_body_bytes) {
      return Status(
          StatusCode::kResourceExhausted,
          "the response is larger than " + std::to_string(options.max_body_bytes) + " bytes");
    }
  }

  HttpsResponse response;
  response.status = reader.status_code();
  if (reader.body_is_chunked()) {
    std::optional<std::string> data = http::remove_chunked_framing(reader.body());
    if (!data) return internal_error("the server's chunked body does not parse");
    response.body = std::move(*data);
  } else {
    response.body = reader.body();
  }
  response.content_type = content_type_of(reader.head());
  return response;
}

Result<HttpsResponse> https_stream(const HttpsClientOptions& options, const HttpsRequest& request,
                                   const std::function<bool(std::string_view)>& on_data) {
  Result<Session> opened = open_session(options, Clock::now() + options.timeout);
  if (!opened) return opened.status();
  Session& session = *opened;
  if (Status sent = send_request(session, options, request); !sent.is_ok()) return sent;

  // What the reader keeps between two hand-overs: one read's worth, as the body is handed over
  // after every read; an error answer's whole body is kept to the same bound as a response's.
  http::ResponseReader reader(http::ResponseReader::default_limits(), options.max_body_bytes + 1);
  reader.reset(request.method);
  HttpsResponse response;
  std::string framed;  // chunked framing not yet handed over (a chunk still arriving)
  while (!reader.complete()) {
    Result<bool> more = read_more(session, reader);
    if (!more) return more.status();
    if (!*more) break;
    if (reader.state() == http::ResponseReader::State::kHead) continue;
    if (response.status == 0) {
      // The head is in: from here a stream waits as long as its reader wants it.
      response.status = reader.status_code();
      response.content_type = content_type_of(reader.head());
      if (response.status < 400) {
        session.connection->set_deadline(options.stream_timeout.count() > 0
                                             ? Clock::now() + options.stream_timeout
                                             : Clock::time_point::max());
      }
    }
    if (response.status >= 400) {
      if (reader.body().size() > options.max_body_bytes) {
        return Status(StatusCode::kResourceExhausted, "the error answer is too large");
      }
      continue;  // read whole, below
    }
    std::string data;
    if (reader.body_is_chunked()) {
      framed += reader.take_body();
      http::ChunkedData chunks = http::take_complete_chunks(framed);
      if (chunks.malformed) return internal_error("the server's chunked body does not parse");
      framed.erase(0, chunks.consumed);
      if (framed.size() > options.max_body_bytes) {
        return Status(StatusCode::kResourceExhausted, "a chunk of the stream is too large");
      }
      data = std::move(chunks.data);
    } else {
      data = reader.take_body();
    }
    if (!data.empty() && !on_data(data)) return response;
  }
  if (response.status >= 400) {
    if (reader.body_is_chunked()) {
      std::optional<std::string> data = http::remove_chunked_framing(reader.body());
      if (!data) return internal_error("the server's chunked body does not parse");
      response.body = std::move(*data);
    } else {
      response.body = reader.body();
    }
  }
  return response;
}

}  // namespace nodrop::live
