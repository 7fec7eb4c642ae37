// The HTTPS client nodrop's cluster verbs use, against a real TLS server on loopback: it reads a
// verified server's answer, and every way a server can cost it too much or lie ends in an error
// that says which (a certificate the authority did not sign, a body over the bound, a server that
// says nothing, nobody listening). Streams hand over chunks as they arrive. Addresses
// 127.0.179.240-242, inside the own-verbs suite's range.
#include "live/tls/https_client.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "live/sockets/tcp.h"
#include "live/tls/credentials.h"
#include "live/tls/https_server.h"

namespace nodrop::live {
namespace {

using std::chrono::milliseconds;

const Ipv4Address kServerAddress = Ipv4Address::of(127, 0, 179, 240);

// A stream of three pieces, 20 ms apart: what a followed log looks like.
class ThreePieces : public http::ResponseStream {
 public:
  Chunk next(milliseconds /*max_wait*/) override {
    std::this_thread::sleep_for(milliseconds(20));
    ++sent_;
    return {"piece " + std::to_string(sent_) + "\n", sent_ == 3};
  }

 private:
  int sent_ = 0;
};

// A stream that never ends and says nothing: a watch of an object that does not change.
class Silence : public http::ResponseStream {
 public:
  Chunk next(milliseconds max_wait) override {
    std::this_thread::sleep_for(std::min(max_wait, milliseconds(20)));
    return {"", false};
  }
};

class HttpsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);
    char pattern[] = "/tmp/nodrop-https-client-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
    Result<TlsCredentials> credentials =
        ensure_tls_credentials(directory_ + "/tls", kServerAddress);
    ASSERT_TRUE(credentials.is_ok()) << credentials.status().message();
    credentials_ = *credentials;
    Result<std::unique_ptr<HttpsServer>> started = HttpsServer::start(
        {.listen = {kServerAddress, 0},
         .certificate_file = credentials_.server_certificate_file,
         .key_file = credentials_.server_key_file},
        [](const http::ServerRequest& request) {
          http::ServerResponse response;
          if (request.target == "/large") {
            response.body = std::string(5000, 'x');
          } else if (request.target == "/stream") {
            response.stream = std::make_shared<ThreePieces>();
          } else if (request.target == "/silence") {
            response.stream = std::make_shared<Silence>();
          } else if (request.target == "/missing") {
            response.status = 404;
            response.body = "{\"kind\":\"Status\"}";
          } else {
            response.body = request.method + " " + request.target + " " +
                            std::string(request.field("Authorization").value_or("-"));
            response.with("Content-Type", "text/plain");
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
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(directory_);
  }

  HttpsClientOptions options() const {
    return {.server = server_->endpoint(),
            .server_name = kServerAddress.to_string(),
            .ca_certificate_pem = credentials_.ca_certificate_pem,
            .timeout = milliseconds(5000),
            .max_body_bytes = 1024 * 1024};
  }

  std::string directory_;
  TlsCredentials credentials_;
  std::unique_ptr<HttpsServer> server_;
};

TEST_F(HttpsClientTest, ReadsTheAnswerOfAServerItsAuthoritySigned) {
  Result<HttpsResponse> answer =
      https_request(options(), {.method = "GET",
                                .target = "/hello?x=1",
                                .fields = {{"Authorization", "Bearer t"}},
                                .body = ""});
  ASSERT_TRUE(answer.is_ok()) << answer.status().message();
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, "GET /hello?x=1 Bearer t");
  EXPECT_EQ(answer->content_type, "text/plain");
}

TEST_F(HttpsClientTest, RefusesAServerAnotherAuthoritySignedOrThatIsNotTheAddressAsked) {
  Result<TlsCredentials> other =
      ensure_tls_credentials(directory_ + "/other", Ipv4Address::of(127, 0, 179, 241));
  ASSERT_TRUE(other.is_ok());
  HttpsClientOptions wrong_authority = options();
  wrong_authority.ca_certificate_pem = other->ca_certificate_pem;
  Result<HttpsResponse> refused = https_request(wrong_authority, {});
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("does not verify"), std::string::npos)
      << refused.status().message();

  HttpsClientOptions wrong_name = options();
  wrong_name.server_name = "127.0.179.242";  // the certificate names 127.0.179.240
  EXPECT_EQ(https_request(wrong_name, {}).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(HttpsClientTest, ABodyOverTheBoundIsAnErrorNotAnAllocation) {
  HttpsClientOptions small = options();
  small.max_body_bytes = 4999;
  Result<HttpsResponse> refused = https_request(small, {.target = "/large"});
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  small.max_body_bytes = 5000;
  EXPECT_EQ(https_request(small, {.target = "/large"})->body.size(), 5000u);
}

TEST_F(HttpsClientTest, AServerThatSaysNothingTimesOutWithinTheBound) {
  // Accepted by the kernel (the backlog), never answered: the handshake waits for nothing.
  Result<Listener> silent = listen_tcp({Ipv4Address::of(127, 0, 179, 241), 0}, {});
  ASSERT_TRUE(silent.is_ok());
  HttpsClientOptions waiting = options();
  waiting.server = silent->endpoint;
  waiting.timeout = milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  Result<HttpsResponse> answer = https_request(waiting, {});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(answer.is_ok());
  EXPECT_EQ(answer.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(took, milliseconds(2000));
}

TEST_F(HttpsClientTest, NobodyListeningIsUnavailable) {
  Result<Listener> refusing = bind_refusing_port({Ipv4Address::of(127, 0, 179, 241), 0});
  ASSERT_TRUE(refusing.is_ok());
  HttpsClientOptions nowhere = options();
  nowhere.server = refusing->endpoint;
  EXPECT_EQ(https_request(nowhere, {}).status().code(), StatusCode::kUnavailable);
}

TEST_F(HttpsClientTest, AStreamHandsOverItsPiecesAsTheyArriveUntilItsReaderStops) {
  std::vector<std::string> pieces;
  Result<HttpsResponse> all =
      https_stream(options(), {.target = "/stream"}, [&](std::string_view data) {
        pieces.emplace_back(data);
        return true;
      });
  ASSERT_TRUE(all.is_ok()) << all.status().message();
  std::string joined;
  for (const std::string& piece : pieces) joined += piece;
  EXPECT_EQ(joined, "piece 1\npiece 2\npiece 3\n");
  EXPECT_GE(pieces.size(), 2u);  // not one piece at the end

  int calls = 0;
  Result<HttpsResponse> first =
      https_stream(options(), {.target = "/stream"}, [&](std::string_view) { return ++calls < 1; });
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(calls, 1);
}

TEST_F(HttpsClientTest, AStreamEndsAtItsTimeoutWhenOneIsGiven) {
  HttpsClientOptions bounded = options();
  bounded.stream_timeout = milliseconds(200);
  const auto start = std::chrono::steady_clock::now();
  Result<HttpsResponse> answer =
      https_stream(bounded, {.target = "/silence"}, [](std::string_view) { return true; });
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(answer.is_ok());
  EXPECT_EQ(answer.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_GE(took, milliseconds(200));
  EXPECT_LT(took, milliseconds(2000));
}

TEST_F(HttpsClientTest, AStreamsErrorAnswerIsReturnedWholeWithoutCallingTheReader) {
  bool called = false;
  Result<HttpsResponse> missing = https_stream(options(), {.target = "/missing"},
                                               [&](std::string_view) { return called = true; });
  ASSERT_TRUE(missing.is_ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "{\"kind\":\"Status\"}");
  EXPECT_FALSE(called);
}

// Client certificates against another TLS implementation's server: `openssl s_server -Verify`,
// which refuses a client without a certificate its authority signed, and with -www answers with
// what it saw. Keys and certificates made by the openssl command too, so that nothing of nodrop's
// is on both sides. Address 127.0.131.10.
class ClientCertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("openssl version >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "the openssl command is not installed";
    }
    ::signal(SIGPIPE, SIG_IGN);
    char pattern[] = "/tmp/nodrop-client-certificate-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
    const std::string make =
        "cd " + directory_ +
        " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1"
        "    -subj /CN=test-ca -keyout ca.key -out ca.crt"
        " && printf 'subjectAltName=IP:127.0.131.10\\n' >server.ext"
        " && printf 'extendedKeyUsage=clientAuth\\n' >client.ext"
        " && for who in server client; do"
        "      openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=$who"
        "        -keyout $who.key -out $who.csr"
        "      && openssl x509 -req -in $who.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1"
        "        -extfile $who.ext -out $who.crt || exit 1;"
        "    done >/dev/null 2>&1";
    ASSERT_EQ(std::system(make.c_str()), 0) << make;
  }
  // Starts the server; only the test that talks to it does (ctest runs this fixture's tests side
  // by side, and two servers on one address made one fail to listen and the other answer for it).
  void serve() {
    server_ = ::fork();
    ASSERT_GE(server_, 0);
    if (server_ == 0) {
      const std::string accept = "127.0.131.10:" + std::to_string(kPort);
      ::execlp("openssl", "openssl", "s_server", "-quiet", "-www", "-accept", accept.c_str(),
               "-cert", (directory_ + "/server.crt").c_str(), "-key",
               (directory_ + "/server.key").c_str(), "-CAfile", (directory_ + "/ca.crt").c_str(),
               "-Verify", "1", "-verify_return_error", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Until it listens: a connection refused is Unavailable; anything else means it answered.
    for (int attempt = 0; attempt < 100; ++attempt) {
      Result<HttpsResponse> probe = https_request(options(false), {});
      if (probe.is_ok() || probe.status().code() != StatusCode::kUnavailable) return;
      std::this_thread::sleep_for(milliseconds(50));
    }
    FAIL() << "openssl s_server never listened";
  }
  void TearDown() override {
    if (server_ > 0) {
      ::kill(server_, SIGTERM);
      ::waitpid(server_, nullptr, 0);
    }
    if (!directory_.empty()) std::filesystem::remove_all(directory_);
  }

  std::string read(const std::string& name) const {
    std::ifstream in(directory_ + "/" + name);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  HttpsClientOptions options(bool with_certificate) const {
    HttpsClientOptions options{.server = {Ipv4Address::of(127, 0, 131, 10), kPort},
                               .server_name = "127.0.131.10",
                               .ca_certificate_pem = read("ca.crt"),
                               .timeout = milliseconds(5000)};
    if (with_certificate) {
      options.client_certificate_pem = read("client.crt");
      options.client_key_pem = read("client.key");
    }
    return options;
  }

  static constexpr std::uint16_t kPort = 38443;
  std::string directory_;
  pid_t server_ = -1;
};

TEST_F(ClientCertificateTest, AServerThatAsksForACertificateGetsOneAndIsRefusedWithout) {
  ASSERT_NO_FATAL_FAILURE(serve());
  Result<HttpsResponse> answer = https_request(options(true), {});
  ASSERT_TRUE(answer.is_ok()) << answer.status().message();
  EXPECT_EQ(answer->status, 200);
  EXPECT_NE(answer->body.find("Client certificate"), std::string::npos) << answer->body;
  EXPECT_NE(answer->body.find("Subject: CN=client"), std::string::npos) << answer->body;
  EXPECT_FALSE(https_request(options(false), {}).is_ok());
}

TEST_F(ClientCertificateTest, AKeyThatIsNotTheCertificatesIsRefusedBeforeConnecting) {
  HttpsClientOptions mismatched = options(true);
  mismatched.client_key_pem = read("server.key");
  Result<HttpsResponse> answer = https_request(mismatched, {});
  ASSERT_FALSE(answer.is_ok());
  EXPECT_EQ(answer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(answer.status().message().find("the client key does not match its certificate"),
            std::string::npos)
      << answer.status().message();
}

}  // namespace
}  // namespace nodrop::live
