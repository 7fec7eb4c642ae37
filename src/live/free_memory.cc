#include "live/free_memory.h"

#include <malloc.h>

namespace nodrop::live {

void return_free_memory() { malloc_trim(0); }

}  // namespace nodrop::live
