// demo-app: the application of nodrop's demo and end-to-end tests. See server.h for its behaviour.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "options.h"
#include "server.h"

int main(int argc, char** argv) {
  const std::vector<std::string> from_environment = demo_app::flags_from_environment(
      std::getenv("DEMO_APP_LISTEN"), std::getenv("DEMO_APP_VERSION"));
  std::vector<std::string_view> args(from_environment.begin(), from_environment.end());
  args.insert(args.end(), argv + 1, argv + argc);
  const demo_app::ParsedOptions parsed = demo_app::parse_options(args);
  if (parsed.help) {
    std::fputs(demo_app::usage(), stdout);
    return 0;
  }
  if (!parsed.error.empty()) {
    std::fprintf(stderr, "demo-app: %s\n%s", parsed.error.c_str(), demo_app::usage());
    return 2;
  }
  demo_app::Server server(parsed.options);
  return server.run();
}
