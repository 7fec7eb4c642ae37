// Programmer errors crash (Envoy STYLE.md): a broken invariant is a bug, not a user's mistake.
//   NODROP_CHECK(cond)   always on; aborts with file, line and the condition.
//   NODROP_DCHECK(cond)  on in debug builds only, for checks too costly for hot paths.
// A user's mistake is never a CHECK: it is a Status with a message naming file, object and field.
#pragma once

namespace nodrop::detail {
[[noreturn]] void check_failed(const char* file, int line, const char* condition);
}  // namespace nodrop::detail

#define NODROP_CHECK(condition)                                       \
  do {                                                                \
    if (!(condition)) {                                               \
      ::nodrop::detail::check_failed(__FILE__, __LINE__, #condition); \
    }                                                                 \
  } while (false)

#ifdef NDEBUG
#define NODROP_DCHECK(condition) \
  do {                           \
  } while (false && (condition))
#else
#define NODROP_DCHECK(condition) NODROP_CHECK(condition)
#endif
