#include "proxy/routing/retry_policy.h"

#include "base/check.h"

namespace nodrop::proxy {

const char* upstream_failure_name(UpstreamFailure failure) {
  switch (failure) {
    case UpstreamFailure::kConnectRefused:
      return "connect-refused";
    case UpstreamFailure::kConnectReset:
      return "connect-reset";
    case UpstreamFailure::kConnectTimeout:
      return "connect-timeout";
    case UpstreamFailure::kClosedBeforeResponse:
      return "closed-before-response";
    case UpstreamFailure::kResponseTimeout:
      return "response-timeout";
    case UpstreamFailure::kClosedMidResponse:
      return "closed-mid-response";
  }
  return "unknown";
}

bool is_connect_failure(UpstreamFailure failure) {
  switch (failure) {
    case UpstreamFailure::kConnectRefused:
    case UpstreamFailure::kConnectReset:
    case UpstreamFailure::kConnectTimeout:
      return true;
    case UpstreamFailure::kClosedBeforeResponse:
    case UpstreamFailure::kResponseTimeout:
    case UpstreamFailure::kClosedMidResponse:
      return false;
  }
  return false;
}

bool is_idempotent_method(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE" ||
         method == "PUT" || method == "DELETE";
}

RetryDecision RetryPolicy::decide(UpstreamFailure failure, const AttemptHistory& history) const {
  NODROP_CHECK(max_attempts >= 1 && history.attempts_made >= 1);
  if (history.attempts_made >= max_attempts) return RetryDecision::kGiveUp;
  switch (failure) {
    case UpstreamFailure::kConnectRefused:
    case UpstreamFailure::kConnectReset:
    case UpstreamFailure::kConnectTimeout:
      return RetryDecision::kRetryOnAnotherEndpoint;
    case UpstreamFailure::kClosedBeforeResponse:
      return history.idempotent && retry_idempotent_once && !history.retried_after_send
                 ? RetryDecision::kRetryOnAnotherEndpoint
                 : RetryDecision::kGiveUp;
    case UpstreamFailure::kResponseTimeout:
    case UpstreamFailure::kClosedMidResponse:
      return RetryDecision::kGiveUp;
  }
  return RetryDecision::kGiveUp;
}

}  // namespace nodrop::proxy
