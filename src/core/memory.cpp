// glibc mallopt settings: see include/hat/core/memory.hpp.
#include "hat/core/memory.hpp"

#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

namespace hat {

bool keep_freed_memory() {
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
  // 32 MiB is glibc's largest mmap threshold on 64-bit systems; setting it also turns off the
  // dynamic threshold, so the choice does not depend on what the process freed before.
  const bool a = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1;
  const bool b = mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024) == 1;
  return a && b;
#else
  return false;
#endif
}

}  // namespace hat
