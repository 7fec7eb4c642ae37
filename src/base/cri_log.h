// The CRI log format, as the kubelet writes container logs (and `kubectl logs` reads them): one
// line of output per log line,
//
//   2026-11-30T10:00:01.123456789Z stdout F the line as the process wrote it
//
// with the time it was read, the stream, and F for a full line or P for a part of a line longer
// than kMaxLineBytes (the rest follows in further P lines and an F). nodrop reads stdout and
// stderr through one pipe, so every line says stdout.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/time.h"

namespace nodrop {

// RFC 3339 with nanoseconds, as the CRI writes its times: 2026-11-30T10:00:01.123456789Z.
std::string format_rfc3339_nano(WallTime time);

class CriLineFramer {
 public:
  static constexpr std::size_t kMaxLineBytes = 16 * 1024;

  // Appends to out a framed line for every line that chunk completes (and P lines for parts
  // longer than kMaxLineBytes); an incomplete last line waits for the next chunk.
  void frame(std::string_view chunk, WallTime now, std::string* out);
  // The process's output ended: a last line without a newline is framed as F.
  void finish(WallTime now, std::string* out);

 private:
  void emit(std::string_view content, bool full, WallTime now, std::string* out) const;
  std::string partial_;
};

struct CriLine {
  WallTime time;
  std::string stream;
  bool full = true;
  std::string content;
};

// One line of a CRI log (without its newline); nullopt when it is not one.
std::optional<CriLine> parse_cri_line(std::string_view line);

}  // namespace nodrop
