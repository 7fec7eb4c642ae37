// What became of one request. Every scheduled request gets exactly one outcome.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace nodrop::traffic {

enum class Outcome {
  kOk,               // HTTP 2xx or 3xx, or the whole echo came back
  kHttp4xx,          // an HTTP 4xx answer
  kHttp5xx,          // an HTTP 5xx answer (the report also counts each code)
  kConnectRefused,   // ECONNREFUSED: nothing listened
  kConnectError,     // the connection could not be set up for another reason
  kReset,            // the connection was reset after it was set up
  kTimeout,          // no complete answer within --timeout of the intended send time
  kTruncated,        // the peer closed before the answer was complete (or before any byte)
  kInvalidResponse,  // bytes that are not an HTTP response, or an echo that differs
};

inline constexpr std::size_t kOutcomeCount = 9;
inline constexpr std::array<Outcome, kOutcomeCount> kAllOutcomes = {Outcome::kOk,
                                                                    Outcome::kHttp4xx,
                                                                    Outcome::kHttp5xx,
                                                                    Outcome::kConnectRefused,
                                                                    Outcome::kConnectError,
                                                                    Outcome::kReset,
                                                                    Outcome::kTimeout,
                                                                    Outcome::kTruncated,
                                                                    Outcome::kInvalidResponse};

// Stable snake_case names, used in JSON and the summary: "ok", "http_5xx", "connect_refused"...
std::string_view outcome_name(Outcome outcome);
inline std::size_t outcome_index(Outcome outcome) { return static_cast<std::size_t>(outcome); }
inline bool is_failure(Outcome outcome) { return outcome != Outcome::kOk; }

// The class of an HTTP status code: 200-399 ok, 400-499 kHttp4xx, 500-599 kHttp5xx, anything
// else (1xx, 600+) kInvalidResponse.
Outcome outcome_of_status(int status_code);

}  // namespace nodrop::traffic
