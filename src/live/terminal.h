// Whether the process's standard output is a terminal: the CLI colours its text only then.
#pragma once

namespace nodrop::live {

bool stdout_is_terminal();

}  // namespace nodrop::live
