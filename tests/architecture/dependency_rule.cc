#include "dependency_rule.h"

#include <fstream>
#include <regex>
#include <sstream>

namespace nodrop::architecture {
namespace {

namespace fs = std::filesystem;

const std::set<std::string>& os_headers() {
  static const std::set<std::string> headers = {
      "unistd.h", "fcntl.h", "signal.h",  "csignal", "poll.h",  "pthread.h", "dirent.h",
      "netdb.h",  "spawn.h", "termios.h", "dlfcn.h", "sched.h", "time.h",    "ctime",
      "thread",   "errno.h", "ifaddrs.h", "pwd.h",   "grp.h",   "syslog.h",  "semaphore.h"};
  return headers;
}

const std::vector<std::string>& os_header_prefixes() {
  static const std::vector<std::string> prefixes = {"sys/", "netinet/", "arpa/", "linux/", "net/"};
  return prefixes;
}

// Calls that read the clock, sleep, or touch processes and sockets. Matched on code with comments
// and string literals removed.
const std::vector<std::pair<std::regex, std::string>>& forbidden_calls() {
  static const std::vector<std::pair<std::regex, std::string>> calls = {
      {std::regex(R"(\b(steady_clock|system_clock|high_resolution_clock|utc_clock)\s*::\s*now\b)"),
       "reads a clock; use runtime::Clock"},
      {std::regex(R"(\b(clock_gettime|gettimeofday|timespec_get)\s*\()"),
       "reads a clock; use runtime::Clock"},
      {std::regex(R"(\bstd\s*::\s*time\s*\(|\btime\s*\(\s*(nullptr|NULL|0)\s*\))"),
       "reads a clock; use runtime::Clock"},
      {std::regex(R"(\b(sleep_for|sleep_until|usleep|nanosleep)\s*\(|\bsleep\s*\(\s*\d)"),
       "sleeps; ask the event loop for a timer"},
      {std::regex(R"(\bs?rand\s*\(|\brandom_device\b)"),
       "unseeded randomness; use runtime::Random"},
      {std::regex(
           R"(\b(fork|vfork|execve|execvp|posix_spawn|waitpid|kill|socket|epoll_create1)\s*\()"),
       "process or socket call; belongs in src/live/"},
  };
  return calls;
}

// A cheap filter before the regular expressions: every forbidden call contains one of these.
bool may_hold_forbidden_call(const std::string& line) {
  static const char* const kTriggers[] = {"now",  "clock_gettime", "gettimeofday", "timespec_get",
                                          "time", "sleep",         "rand",         "random_device",
                                          "fork", "exec",          "spawn",        "waitpid",
                                          "kill", "socket",        "epoll"};
  for (const char* trigger : kTriggers) {
    if (line.find(trigger) != std::string::npos) return true;
  }
  return false;
}

// The module a path under src/ belongs to: its first directory, or "proxy/<part>" for the two
// halves of the proxy; files directly under src/ belong to "main" (the composition of the binary).
std::string module_of(const std::string& relative) {
  const auto slash = relative.find('/');
  if (slash == std::string::npos) return "main";
  const std::string first = relative.substr(0, slash);
  if (first == "proxy") {
    const auto second = relative.find('/', slash + 1);
    if (second != std::string::npos) return relative.substr(0, second);
  }
  return first;
}

// Replaces comments and the contents of string and character literals with spaces, keeping line
// breaks, so that a forbidden call named in a comment or a message is not reported.
std::string strip_comments_and_strings(const std::string& code) {
  std::string out = code;
  enum class State { kCode, kLineComment, kBlockComment, kString, kChar, kRawString };
  State state = State::kCode;
  std::string raw_end;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    const char next = i + 1 < code.size() ? code[i + 1] : '\0';
    switch (state) {
      case State::kCode:
        if (c == '/' && next == '/') {
          state = State::kLineComment;
          out[i] = ' ';
        } else if (c == '/' && next == '*') {
          state = State::kBlockComment;
          out[i] = ' ';
        } else if (c == 'R' && next == '"' &&
                   (i == 0 || !std::isalnum(static_cast<unsigned char>(code[i - 1])))) {
          const auto paren = code.find('(', i + 2);
          if (paren == std::string::npos) break;
          raw_end = ")" + code.substr(i + 2, paren - i - 2) + "\"";
          state = State::kRawString;
          i = paren;
        } else if (c == '"') {
          state = State::kString;
        } else if (c == '\'' && !(i > 0 && std::isalnum(static_cast<unsigned char>(code[i - 1])))) {
          state = State::kChar;  // a digit separator (1'000) is not a character literal
        }
        break;
      case State::kLineComment:
        if (c == '\n') {
          state = State::kCode;
        } else {
          out[i] = ' ';
        }
        break;
      case State::kBlockComment:
        if (c == '*' && next == '/') {
          out[i] = out[i + 1] = ' ';
          ++i;
          state = State::kCode;
        } else if (c != '\n') {
          out[i] = ' ';
        }
        break;
      case State::kString:
      case State::kChar: {
        const char quote = state == State::kString ? '"' : '\'';
        if (c == '\\') {
          out[i] = ' ';
          if (i + 1 < code.size() && code[i + 1] != '\n') out[++i] = ' ';
        } else if (c == quote) {
          state = State::kCode;
        } else if (c != '\n') {
          out[i] = ' ';
        }
        break;
      }
      case State::kRawString:
        if (code.compare(i, raw_end.size(), raw_end) == 0) {
          i += raw_end.size() - 1;
          state = State::kCode;
        } else if (c != '\n') {
          out[i] = ' ';
        }
        break;
    }
  }
  return out;
}

std::set<std::string> closure(const std::map<std::string, std::set<std::string>>& graph,
                              const std::string& module) {
  std::set<std::string> seen;
  std::vector<std::string> stack = {module};
  while (!stack.empty()) {
    const std::string current = stack.back();
    stack.pop_back();
    const auto found = graph.find(current);
    if (found == graph.end()) continue;
    for (const std::string& dependency : found->second) {
      if (seen.insert(dependency).second) stack.push_back(dependency);
    }
  }
  return seen;
}

bool is_os_header(const std::string& header) {
  if (os_headers().count(header) != 0) return true;
  for (const std::string& prefix : os_header_prefixes()) {
    if (header.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace

std::map<std::string, std::set<std::string>> design_module_graph() {
  return {
      {"base", {}},
      {"api", {"base"}},
      {"manifest", {"api"}},
      {"store", {"api", "runtime"}},
      {"http", {"base"}},
      {"runtime", {"base"}},
      {"controller", {"api", "runtime", "store"}},
      {"node", {"api", "runtime", "store"}},
      {"proxy/routing", {"api", "runtime"}},
      {"proxy/transport", {"proxy/routing", "live"}},
      {"live", {"runtime", "http"}},
      {"sim", {"runtime"}},
      {"traffic", {"live"}},
      {"lint", {"api", "manifest"}},
      // The Kubernetes API over the store: pure request handling (HTTP types, no sockets).
      {"apiserver", {"api", "manifest", "store", "http", "runtime"}},
      // The CLI parses manifests and, for the verbs that run on the user's machine (check, load,
      // verify), calls the lint and traffic modules directly; it reaches the server only through
      // the admin socket, whose client lives in `live`. `nodrop proxy` runs the data plane on the
      // user's machine, so cli may also use proxy/transport.
      {"cli", {"api", "manifest", "lint", "traffic", "live", "proxy/transport", "server"}},
      {"server",
       {"api", "manifest", "store", "runtime", "controller", "node", "proxy/routing", "apiserver",
        "proxy/transport", "live", "sim", "traffic", "lint"}},
      // src/main.cc: the binary's entry point, which dispatches to cli and server.
      {"main", {"cli", "server"}},
  };
}

std::vector<Violation> check_source_tree(const fs::path& source_root) {
  const auto graph = design_module_graph();
  const std::regex include_line(R"(^\s*#\s*include\s*([<"])([^">]+)[">])");
  std::vector<Violation> violations;

  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(source_root)) {
    if (!entry.is_regular_file()) continue;
    const auto extension = entry.path().extension();
    if (extension == ".h" || extension == ".cc") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());

  for (const fs::path& path : files) {
    const std::string relative = fs::relative(path, source_root).generic_string();
    const std::string module = module_of(relative);
    // Tests and fuzz targets (which replay their corpus as tests) may use the simulation.
    const bool is_test =
        relative.size() > 8 && (relative.ends_with("_test.cc") || relative.ends_with("_fuzz.cc"));
    std::set<std::string> allowed = closure(graph, module);
    allowed.insert(module);
    if (is_test) {
      allowed.insert("sim");
      for (const auto& extra : closure(graph, "sim")) allowed.insert(extra);
    }
    const bool in_live = module == "live";

    std::ifstream stream(path);
    std::stringstream buffer;
    buffer << stream.rdbuf();
    const std::string original = buffer.str();
    const std::string code = strip_comments_and_strings(original);

    std::istringstream original_lines(original);
    std::istringstream code_lines(code);
    std::string original_line;
    std::string code_line;
    int line_number = 0;
    while (std::getline(original_lines, original_line) && std::getline(code_lines, code_line)) {
      ++line_number;
      std::smatch match;
      if (original_line.find('#') != std::string::npos &&
          std::regex_search(original_line, match, include_line) &&
          code_line.find('#') != std::string::npos) {
        const bool angle = match[1] == "<";
        const std::string header = match[2];
        if (angle) {
          if (!in_live && is_os_header(header)) {
            violations.push_back(
                {relative, line_number, "os-header",
                 "<" + header + "> is an OS header; only src/live/ may include it"});
          }
          if (header == "yaml.h" && module != "manifest") {
            violations.push_back({relative, line_number, "library-header",
                                  "<yaml.h> may be included only in src/manifest/"});
          }
          if (header == "sqlite3.h" && module != "store") {
            violations.push_back({relative, line_number, "library-header",
                                  "<sqlite3.h> may be included only in src/store/"});
          }
        } else if (header.find('/') != std::string::npos) {
          const std::string target = module_of(header);
          if (graph.count(target) != 0 && allowed.count(target) == 0) {
            violations.push_back({relative, line_number, "include-direction",
                                  "module " + module + " may not include \"" + header +
                                      "\" (module " + target + ")"});
          }
        }
        continue;
      }
      if (in_live || !may_hold_forbidden_call(code_line)) continue;
      for (const auto& [pattern, why] : forbidden_calls()) {
        if (std::regex_search(code_line, match, pattern)) {
          violations.push_back(
              {relative, line_number, "clock-or-os-call", match.str() + ": " + why});
        }
      }
    }
  }
  return violations;
}

std::string to_string(const Violation& violation) {
  return "src/" + violation.file + ":" + std::to_string(violation.line) + ": [" + violation.rule +
         "] " + violation.detail;
}

}  // namespace nodrop::architecture
