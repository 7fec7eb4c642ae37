// The entry point of each verb, one per file (validate.cc, ...).
#pragma once

#include "cli/verb.h"

namespace nodrop::cli {


}  // namespace nodrop::cli
