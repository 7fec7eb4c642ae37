// How long a preStop hook holds a container before the kubelet sends SIGTERM, when the hook says
// so: `sleep: {seconds: N}` (KEP-3960), or an exec of `sleep N`, directly or through a shell.
// Anything else (an httpGet, a script) takes an unknown time: the timing rules skip it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/pod.h"

namespace nodrop::lint {

// Whole seconds, truncated as the kubelet truncates the hook's elapsed time (k8s-semantics §2.4).
//
//   hook                                         result
//   sleep: {seconds: 15}                         15
//   exec: ["sleep", "30"]                        30
//   exec: ["/bin/sleep", "5s"]                   5
//   exec: ["sh", "-c", "sleep 10 && nginx -s quit"]  10  (time before the next command)
//   exec: ["/bin/sh", "-c", "sleep 1m"]          60
//   exec: ["sleep", "2.5"]                       2
//   exec: ["/drain.sh"]                          unknown
//   httpGet: {path: /drain, port: 8080}          unknown
std::optional<std::int64_t> prestop_sleep_seconds(const api::Handler& hook);

// The seconds of a sleep(1) argument: "30", "30s", "1.5", "2m", "1h"; nullopt when not one.
std::optional<std::int64_t> parse_sleep_argument(std::string_view text);

}  // namespace nodrop::lint
