#include "server/data_plane.h"

#include <fmt/format.h>

namespace nodrop::server {

HealthCheckAnswer health_check_answer(const std::string& namespace_name, const std::string& name,
                                      int local_endpoints) {
  // The fields kube-proxy's health server writes; names are DNS labels, so nothing needs escaping.
  return HealthCheckAnswer{
      .status = local_endpoints > 0 ? 200 : 503,
      .body = fmt::format(
          "{{\n\t\"service\": {{\n\t\t\"namespace\": \"{}\",\n\t\t\"name\": \"{}\"\n\t}},"
          "\n\t\"localEndpoints\": {},\n\t\"serviceProxyHealthy\": true\n}}",
          namespace_name, name, local_endpoints)};
}

}  // namespace nodrop::server
