// demo-app as a real process: every test spawns the binary on 127.0.0.1 port 0, bounds every wait,
// and kills and reaps the process group it started, whatever the outcome.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace demo_app {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Generous: a slow shared machine must never fail these, they only stop a hang.
constexpr auto kWaitLimit = seconds(20);

// One demo-app process with its stdout on a pipe.
class DemoApp {
 public:
  explicit DemoApp(std::vector<std::string> flags) {
    int out[2];
    EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
    std::vector<std::string> args = {DEMO_APP_PATH, "--listen", "127.0.0.1:0"};
    args.insert(args.end(), flags.begin(), flags.end());
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      dup2(out[1], STDOUT_FILENO);
      execv(argv[0], argv.data());
      _exit(127);
    }
    setpgid(pid_, pid_);  // also in the parent, so a kill below never misses the group
    close(out[1]);
    stdout_fd_ = out[0];
  }
  ~DemoApp() {
    if (!reaped_) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(stdout_fd_);
  }

  // Waits for a stdout line containing `text`; returns the line, or nullopt at the limit.
  std::optional<std::string> wait_for_line(const std::string& text) {
    const auto deadline = Clock::now() + kWaitLimit;
    while (true) {
      for (auto newline = buffer_.find('\n'); newline != std::string::npos;
           newline = buffer_.find('\n')) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        if (line.find(text) != std::string::npos) return line;
      }
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd poll_fd{stdout_fd_, POLLIN, 0};
      if (poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char chunk[4096];
      const ssize_t got = read(stdout_fd_, chunk, sizeof chunk);
      if (got <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(got));
    }
  }

  // The port from the "bound 127.0.0.1:PORT" line.
  int bound_port() {
    const auto line = wait_for_line(" bound ");
    if (!line) return -1;
    return std::stoi(line->substr(line->rfind(':') + 1));
  }

  void send_signal(int signal_number) { kill(pid_, signal_number); }

  // The wait status once the process exits, or nullopt at the limit.
  std::optional<int> wait_exit() {
    const auto deadline = Clock::now() + kWaitLimit;
    while (Clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        kill(-pid_, SIGKILL);  // nothing else of the group may outlive the test
        return status;
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
    return std::nullopt;
  }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  bool reaped_ = false;
  std::string buffer_;
};

// A blocking client socket with send and receive timeouts.
class Client {
 public:
  explicit Client(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval timeout{static_cast<time_t>(kWaitLimit.count()), 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    connect_errno_ = connected_ ? 0 : errno;
  }
  ~Client() { close(fd_); }

  bool connected() const { return connected_; }
  int connect_errno() const { return connect_errno_; }

  void send_request(const std::string& path, const std::string& extra_headers = "") {
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: t\r\n" + extra_headers + "\r\n";
    ASSERT_EQ(send(fd_, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
  }

  // One whole response (head and Content-Length body); empty if the server closed first.
  std::string read_response() {
    while (true) {
      const auto head_end = buffer_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const auto length_at = buffer_.find("Content-Length: ");
        const std::size_t length = std::stoul(buffer_.substr(length_at + 16));
        if (buffer_.size() >= head_end + 4 + length) {
          std::string response = buffer_.substr(0, head_end + 4 + length);
          buffer_.erase(0, response.size());
          return response;
        }
      }
      char chunk[4096];
      const ssize_t got = recv(fd_, chunk, sizeof chunk, 0);
      if (got <= 0) return "";
      buffer_.append(chunk, static_cast<std::size_t>(got));
    }
  }

  // True when the server closed the connection (EOF or reset) before sending anything more.
  // An orderly close (end of stream), not a timeout or a reset.
  bool closed_by_server() {
    char byte = 0;
    return recv(fd_, &byte, 1, 0) == 0;
  }

  std::string get(const std::string& path) {
    send_request(path);
    return read_response();
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  int connect_errno_ = 0;
  std::string buffer_;
};

TEST(DemoApp, AnswersWithItsVersionAndKeepsTheConnectionAlive) {
  DemoApp app({"--version", "v7"});
  const int port = app.bound_port();
  ASSERT_GT(port, 0);
  ASSERT_TRUE(app.wait_for_line(" listening "));
  Client client(port);
  ASSERT_TRUE(client.connected());
  const std::string first = client.get("/hello");
  EXPECT_EQ(first.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << first;
  EXPECT_NE(first.find("X-Version: v7\r\n"), std::string::npos) << first;
  EXPECT_NE(first.find("demo-app v7 127.0.0.1:" + std::to_string(port) + " /hello\n"),
            std::string::npos)
      << first;
  EXPECT_EQ(first.find("Connection: close"), std::string::npos) << first;
  // The client's address as the app saw it: in the answer, and once in the log.
  EXPECT_NE(first.find("X-Client-Address: 127.0.0.1:"), std::string::npos) << first;
  EXPECT_TRUE(app.wait_for_line(" first request from 127.0.0.1"));
  // The same connection answers again, and the probe paths answer 200.
  EXPECT_EQ(client.get("/healthz").rfind("HTTP/1.1 200 OK\r\n", 0), 0U);
  EXPECT_NE(client.get("/ready").find("\r\n\r\nready\n"), std::string::npos);
}

TEST(DemoApp, AnswersPipelinedRequestsInOrder) {
  DemoApp app({});
  const int port = app.bound_port();
  ASSERT_TRUE(app.wait_for_line(" listening "));
  Client client(port);
  client.send_request("/one");
  client.send_request("/two", "Connection: close\r\n");
  EXPECT_NE(client.read_response().find(" /one\n"), std::string::npos);
  const std::string second = client.read_response();
  EXPECT_NE(second.find(" /two\n"), std::string::npos);
  EXPECT_NE(second.find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(client.closed_by_server());
}

TEST(DemoApp, RefusesConnectionsUntilTheStartupDelayHasPassed) {
  // A delay no slow machine reaches during the test: the port is bound but not listening.
  DemoApp app({"--startup-delay", "10m"});
  const int port = app.bound_port();
  ASSERT_GT(port, 0);
  Client early(port);
  EXPECT_FALSE(early.connected());
  EXPECT_EQ(early.connect_errno(), ECONNREFUSED);
}

TEST(DemoApp, BecomesReadyAfterTheStartupDelay) {
  const auto started = Clock::now();
  DemoApp app({"--startup-delay", "300ms"});
  const int port = app.bound_port();
  ASSERT_TRUE(app.wait_for_line(" listening "));
  EXPECT_GE(Clock::now() - started, milliseconds(300));  // a lower bound only
  Client client(port);
  ASSERT_TRUE(client.connected());
  EXPECT_EQ(client.get("/ready").rfind("HTTP/1.1 200 OK\r\n", 0), 0U);
}

// Sends a slow request and returns once the app has read it, without a timed wait. The app
// accepts in order and its epoll is level-triggered: by the time a /healthz sent afterwards on a
// second connection is answered, the turn that reported the second connection readable has also
// reported (and read) the first, whose bytes arrived earlier. A SIGTERM sent after that is read on
// a later turn, so the slow request is in flight when it arrives.
void start_slow_request(Client& client, int port) {
  client.send_request("/slow");
  Client witness(port);
  ASSERT_TRUE(witness.connected());
  ASSERT_EQ(witness.get("/healthz").rfind("HTTP/1.1 200 OK\r\n", 0), 0U);
}

TEST(DemoApp, ImmediateShutdownDiesBySigtermAndDropsTheInFlightRequest) {
  DemoApp app({"--shutdown=immediate", "--latency", "10m"});
  const int port = app.bound_port();
  ASSERT_TRUE(app.wait_for_line(" listening "));
  Client client(port);
  ASSERT_TRUE(client.connected());
  start_slow_request(client, port);
  app.send_signal(SIGTERM);
  const auto status = app.wait_exit();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFSIGNALED(*status));
  EXPECT_EQ(WTERMSIG(*status), SIGTERM);
  EXPECT_EQ(client.read_response(), "");  // the request is lost
}

TEST(DemoApp, GracefulShutdownFinishesTheInFlightRequestThenExitsZero) {
  DemoApp app({"--shutdown=graceful", "--latency", "1s", "--version", "v3"});
  const int port = app.bound_port();
  ASSERT_TRUE(app.wait_for_line(" listening "));
  Client idle(port);  // keep-alive connections with nothing in flight: one is used again, one not
  ASSERT_TRUE(idle.connected());
  Client reused(port);
  ASSERT_TRUE(reused.connected());
  EXPECT_EQ(reused.get("/healthz").rfind("HTTP/1.1 200 OK\r\n", 0), 0U);
  Client client(port);
  ASSERT_TRUE(client.connected());
  start_slow_request(client, port);
  app.send_signal(SIGTERM);
  ASSERT_TRUE(app.wait_for_line(" draining "));
  Client late(port);
  EXPECT_FALSE(late.connected());  // the listener is closed
  // The next request on an idle connection is answered, with Connection: close, and the
  // connection closed: the client was not racing a close.
  const std::string next = reused.get("/healthz");
  EXPECT_EQ(next.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << next;
  EXPECT_NE(next.find("Connection: close\r\n"), std::string::npos) << next;
  EXPECT_TRUE(reused.closed_by_server());
  EXPECT_TRUE(idle.closed_by_server());  // still idle after a second: closed
  const std::string response = client.read_response();
  EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << response;
  EXPECT_NE(response.find("Connection: close\r\n"), std::string::npos) << response;
  const auto status = app.wait_exit();
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

TEST(DemoApp, IgnoreModeSurvivesSigtermUntilSigkill) {
  DemoApp app({"--shutdown=ignore"});
  const int port = app.bound_port();
  ASSERT_TRUE(app.wait_for_line(" listening "));
  app.send_signal(SIGTERM);
  ASSERT_TRUE(app.wait_for_line(" ignoring SIGTERM"));
  Client client(port);
  EXPECT_EQ(client.get("/healthz").rfind("HTTP/1.1 200 OK\r\n", 0), 0U);
  app.send_signal(SIGKILL);
  const auto status = app.wait_exit();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFSIGNALED(*status));
  EXPECT_EQ(WTERMSIG(*status), SIGKILL);
}

}  // namespace
}  // namespace demo_app
