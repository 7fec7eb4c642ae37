// Calendar time as Kubernetes objects record it (metav1.Time). Only a type and its text form:
// reading the time is the runtime::Clock port's job.
#pragma once

#include <chrono>
#include <string>

namespace nodrop {

using WallTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;

// RFC 3339 in UTC with second precision, as Kubernetes writes metav1.Time: 2026-11-26T15:58:56Z.
std::string format_rfc3339(WallTime time);
// metav1.MicroTime: the same with six digits of fraction, 2026-11-26T15:58:56.123456Z.
std::string format_rfc3339_micro(WallTime time);
// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)"; false on anything else.
bool parse_rfc3339(const std::string& text, WallTime* out);

}  // namespace nodrop
