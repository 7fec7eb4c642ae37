#include "live/terminal.h"

#include <unistd.h>

namespace nodrop::live {

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

bool is_terminal(int fd) { return isatty(fd) == 1; }

bool running_as_root() { return geteuid() == 0; }

int own_pid() { return static_cast<int>(getpid()); }

}  // namespace nodrop::live
