#include "live/terminal.h"

#include <unistd.h>

namespace nodrop::live {

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

}  // namespace nodrop::live
