#include "malloc_policy.h"

#include <malloc.h>

namespace textq::cli {

void keep_freed_buffers() {
  // Fixing the threshold also stops glibc raising it (and the trim threshold
  // with it) on its own; blocks above 32 MiB (larger images) stay mmap'd.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace textq::cli
