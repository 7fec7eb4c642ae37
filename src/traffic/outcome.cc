#include "traffic/outcome.h"

namespace nodrop::traffic {

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kHttp4xx:
      return "http_4xx";
    case Outcome::kHttp5xx:
      return "http_5xx";
    case Outcome::kConnectRefused:
      return "connect_refused";
    case Outcome::kConnectError:
      return "connect_error";
    case Outcome::kReset:
      return "reset";
    case Outcome::kTimeout:
      return "timeout";
    case Outcome::kTruncated:
      return "truncated";
    case Outcome::kInvalidResponse:
      return "invalid_response";
  }
  return "unknown";
}

Outcome outcome_of_status(int status_code) {
  if (status_code >= 200 && status_code < 400) return Outcome::kOk;
  if (status_code >= 400 && status_code < 500) return Outcome::kHttp4xx;
  if (status_code >= 500 && status_code < 600) return Outcome::kHttp5xx;
  return Outcome::kInvalidResponse;
}

}  // namespace nodrop::traffic
