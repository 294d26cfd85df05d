// How textq's allocator keeps freed memory. Each image of a batch (detect,
// eval, quantize's calibration) allocates the same large buffers again: the
// network's input and output (12 + 19 MB at 736x1312), the decoder's and
// OpenCV's masks. glibc returns such blocks to the kernel on free (mmap'd
// above its adaptive threshold, or trimmed off the heap top), so the next
// image page-faults them back in, zeroed, one 4 KiB page at a time, on the
// cores the network runs on. Keeping them in the process (a fixed mmap
// threshold of 32 MiB, glibc's largest, and no heap trimming): eval of 20 R50
// INT8 images, sys time ~1.0 -> ~0.78 s and 4.38-4.43 -> 4.65-4.70 images/s in
// an interleaved A/B (docs/backends.md, "End to end, 2026-12-05").
// Process-wide, so the CLI sets it; a program embedding the library can make
// the same mallopt calls or export GLIBC_TUNABLES.
#pragma once

namespace textq::cli {

void keep_freed_buffers();

}  // namespace textq::cli
