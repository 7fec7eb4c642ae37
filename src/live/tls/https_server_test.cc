// HttpsServer's bounds, each broken by a client over real TLS on loopback: a head too large (431),
// a body too large (413, answered before any of it is sent), a chunked body (411), a request too
// slow (408), one connection more than allowed (closed at once), and a stream the client leaves
// (released). Listens on 127.0.100.240, inside the kubectl suite's range.
#include "live/tls/https_server.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "live/sockets/tcp.h"
#include "live/tls/credentials.h"

namespace nodrop::live {
namespace {

using std::chrono::milliseconds;

// A TLS client over a blocking socket whose every wait times out after two seconds.
class TlsClient {
 public:
  explicit TlsClient(const Ipv4Endpoint& endpoint) {
    context_ = SSL_CTX_new(TLS_client_method());
    Connecting connecting = connect_blocking(endpoint, milliseconds(2000));
    if (connecting.outcome != IoOutcome::kDone) return;
    socket_ = std::move(connecting.socket);
    ssl_ = SSL_new(context_);
    SSL_set_fd(ssl_, socket_.fd());
    connected_ = SSL_connect(ssl_) == 1;
    ERR_clear_error();
  }
  ~TlsClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    SSL_CTX_free(context_);
  }
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  bool connected() const { return connected_; }
  bool send(const std::string& bytes) {
    return connected_ && SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) > 0;
  }
  // What arrives until the server closes (or a read times out).
  std::string receive_until_close() {
    std::string out;
    char buffer[4096];
    while (connected_) {
      const int got = SSL_read(ssl_, buffer, sizeof buffer);
      if (got <= 0) break;
      out.append(buffer, static_cast<std::size_t>(got));
    }
    ERR_clear_error();
    return out;
  }
  // What arrives until text is among it (or the server closes, or a read times out).
  std::string receive_until(const std::string& text) {
    std::string out;
    char buffer[4096];
    while (connected_ && out.find(text) == std::string::npos) {
      const int got = SSL_read(ssl_, buffer, sizeof buffer);
      if (got <= 0) break;
      out.append(buffer, static_cast<std::size_t>(got));
    }
    ERR_clear_error();
    return out;
  }

 private:
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
  FileDescriptor socket_;
  bool connected_ = false;
};

class CountingStream : public http::ResponseStream {
 public:
  explicit CountingStream(std::atomic<int>& alive) : alive_(alive) { ++alive_; }
  ~CountingStream() override { --alive_; }
  CountingStream(const CountingStream&) = delete;
  CountingStream& operator=(const CountingStream&) = delete;
  Chunk next(milliseconds max_wait) override {
    std::this_thread::sleep_for(std::min(max_wait, milliseconds(20)));
    return {"tick\n", false};
  }

 private:
  std::atomic<int>& alive_;
};

class HttpsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The client writes to connections the server closes: EPIPE, not a signal that ends the test.
    ::signal(SIGPIPE, SIG_IGN);
    char pattern[] = "/tmp/nodrop-https-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
    Result<TlsCredentials> credentials =
        ensure_tls_credentials(directory_ + "/tls", Ipv4Address::of(127, 0, 100, 240));
    ASSERT_TRUE(credentials.is_ok()) << credentials.status().message();
    credentials_ = *credentials;
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(directory_);
  }

  void start(HttpsServerOptions options) {
    options.listen = {Ipv4Address::of(127, 0, 100, 240), 0};
    options.certificate_file = credentials_.server_certificate_file;
    options.key_file = credentials_.server_key_file;
    Result<std::unique_ptr<HttpsServer>> started = HttpsServer::start(
        std::move(options),
        [this](const http::ServerRequest& request) {
          http::ServerResponse response;
          if (request.target == "/stream") {
            response.stream = std::make_shared<CountingStream>(streams_alive_);
          } else {
            response.body =
                request.method + " " + request.target + " " + std::to_string(request.body.size());
          }
          return response;
        },
        [](int status, const std::string& message) {
          http::ServerResponse response;
          response.status = status;
          response.body = message;
          return response;
        });
    ASSERT_TRUE(started.is_ok()) << started.status().message();
    server_ = std::move(*started);
  }

  std::string directory_;
  TlsCredentials credentials_;
  std::atomic<int> streams_alive_{0};
  std::unique_ptr<HttpsServer> server_;
};

TEST_F(HttpsServerTest, AnswersRequestsOnAKeptAliveConnection) {
  start({});
  TlsClient client(server_->endpoint());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
  EXPECT_NE(client.receive_until("POST /a 3").find("HTTP/1.1 200 OK"), std::string::npos);
  ASSERT_TRUE(client.send("GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string second = client.receive_until_close();
  EXPECT_NE(second.find("GET /b 0"), std::string::npos) << second;
  EXPECT_NE(second.find("Connection: close"), std::string::npos);
}

TEST_F(HttpsServerTest, AHeadTooLargeIs431) {
  HttpsServerOptions options;
  options.limits.max_head_bytes = 1024;
  start(options);
  TlsClient client(server_->endpoint());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(
      client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n"));
  const std::string response = client.receive_until_close();
  EXPECT_EQ(response.rfind("HTTP/1.1 431 ", 0), 0u) << response;
}

TEST_F(HttpsServerTest, ABodyTooLargeIs413BeforeItIsSent) {
  HttpsServerOptions options;
  options.max_body_bytes = 1000;
  start(options);
  TlsClient client(server_->endpoint());
  ASSERT_TRUE(client.connected());
  // Only the head: the answer comes without waiting for the 100 MB announced.
  ASSERT_TRUE(client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n"));
  const std::string response = client.receive_until_close();
  EXPECT_EQ(response.rfind("HTTP/1.1 413 ", 0), 0u) << response;
  EXPECT_NE(response.find("larger than 1000 bytes"), std::string::npos);
}

TEST_F(HttpsServerTest, AChunkedBodyIs411) {
  start({});
  TlsClient client(server_->endpoint());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send(
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
  EXPECT_EQ(client.receive_until_close().rfind("HTTP/1.1 411 ", 0), 0u);
}

TEST_F(HttpsServerTest, ASlowRequestIs408AndOthersAreServedMeanwhile) {
  HttpsServerOptions options;
  options.request_timeout = milliseconds(300);
  start(options);
  TlsClient slow(server_->endpoint());
  ASSERT_TRUE(slow.connected());
  ASSERT_TRUE(slow.send("GET / HTTP/1.1\r\nHost: x\r\n"));  // and nothing more
  TlsClient other(server_->endpoint());
  ASSERT_TRUE(other.send("GET /other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_NE(other.receive_until_close().find("GET /other 0"), std::string::npos);
  const auto started = std::chrono::steady_clock::now();
  const std::string response = slow.receive_until_close();
  EXPECT_EQ(response.rfind("HTTP/1.1 408 ", 0), 0u) << response;
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(1500));
  // A body that stops short of its Content-Length, too.
  TlsClient truncated(server_->endpoint());
  ASSERT_TRUE(truncated.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
  EXPECT_EQ(truncated.receive_until_close().rfind("HTTP/1.1 408 ", 0), 0u);
}

TEST_F(HttpsServerTest, OneConnectionMoreThanAllowedIsClosed) {
  HttpsServerOptions options;
  options.max_connections = 2;
  start(options);
  TlsClient first(server_->endpoint());
  TlsClient second(server_->endpoint());
  ASSERT_TRUE(first.connected());
  ASSERT_TRUE(second.connected());
  for (int i = 0; i < 50 && server_->connections() < 2; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_EQ(server_->connections(), 2u);
  TlsClient third(server_->endpoint());
  EXPECT_FALSE(third.connected() && third.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n") &&
               !third.receive_until_close().empty());
  EXPECT_EQ(server_->connections(), 2u);
}

TEST_F(HttpsServerTest, AStreamIsReleasedWhenItsClientLeaves) {
  start({});
  {
    TlsClient client(server_->endpoint());
    ASSERT_TRUE(client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_NE(client.receive_until("tick").find("Transfer-Encoding: chunked"), std::string::npos);
    EXPECT_EQ(streams_alive_.load(), 1);
  }
  for (int i = 0; i < 200 && streams_alive_.load() > 0; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(streams_alive_.load(), 0);
}

}  // namespace
}  // namespace nodrop::live
