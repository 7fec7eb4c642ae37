// When a failed attempt to reach an endpoint is tried again on another one.
//
//   failure                                  request bytes sent   retried when
//   connect refused / reset / timed out      none (by definition)  attempts < max_attempts
//   upstream closed or reset before any      some                  the request is idempotent,
//     response byte                                                retry_idempotent_once is on and
//                                                                  it has not been retried so yet
//   response timed out, closed mid-response  some                  never
//
// The `kubernetes` profile has no retries (kube-proxy is L4 and never retries); the `nodrop`
// profile retries connection failures up to 3 attempts in total and idempotent requests once.
#pragma once

#include <string_view>

namespace nodrop::proxy {

enum class UpstreamFailure {
  kConnectRefused,
  kConnectReset,
  kConnectTimeout,
  kClosedBeforeResponse,  // the request (or part of it) was written, no response byte came back
  kResponseTimeout,
  kClosedMidResponse,
};
const char* upstream_failure_name(UpstreamFailure failure);
// Whether the failure happened while connecting, before any byte of the request was sent.
bool is_connect_failure(UpstreamFailure failure);

enum class RetryDecision { kRetryOnAnotherEndpoint, kGiveUp };

// True for the methods RFC 9110 §9.2.2 calls idempotent.
bool is_idempotent_method(std::string_view method);

// What the request whose attempt failed has been through.
struct AttemptHistory {
  bool idempotent = false;          // its method is idempotent (is_idempotent_method())
  int attempts_made = 1;            // attempts so far, including the one that failed
  bool retried_after_send = false;  // it was already retried after its bytes had been sent
};

struct RetryPolicy {
  int max_attempts = 1;  // total attempts of one request, including the first; >= 1
  bool retry_idempotent_once = false;

  static RetryPolicy kubernetes() { return {1, false}; }
  static RetryPolicy nodrop() { return {3, true}; }

  RetryDecision decide(UpstreamFailure failure, const AttemptHistory& history) const;
};

}  // namespace nodrop::proxy
