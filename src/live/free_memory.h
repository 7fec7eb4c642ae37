// Giving freed heap memory back to the operating system.
#pragma once

namespace nodrop::live {

// Returns the free memory of every malloc arena to the system (glibc's malloc_trim). Freed memory
// is otherwise kept by the allocator for reuse, so a process that once held many connections keeps
// their memory resident after they close. Costs a walk of the heap: call it after a large drop,
// not per connection.
void return_free_memory();

}  // namespace nodrop::live
