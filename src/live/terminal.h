// Facts about the running process that the CLI adapts to: whether a stream is a terminal (colour
// and progress lines only for a person watching), who it runs as, its pid.
#pragma once

namespace nodrop::live {

bool stdout_is_terminal();
// Whether fd is a terminal (for a progress line that only a person watching should see).
bool is_terminal(int fd);
// Whether the process runs as root (so it may bind ports below 1024).
bool running_as_root();
// The process's own pid (to name its temporary files).
int own_pid();

}  // namespace nodrop::live
